package store_test

import (
	"database/sql"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/notalone/notalone/internal/event"
	"github.com/notalone/notalone/internal/store"
	"github.com/notalone/notalone/internal/store/storetest"
)

func TestBackup(t *testing.T) {
	storetest.EachEngine(t, func(t *testing.T, e storetest.Engine) {
		t.Parallel()
		ctx := t.Context()
		db := storetest.MustOpen(t, e.DSN(t))
		out := filepath.Join(t.TempDir(), "backup.db")
		err := db.Backup(ctx, out)
		if e.Name == "postgres" {
			if !errors.Is(err, store.ErrBackupPostgres) {
				t.Errorf("Backup on PostgreSQL = %v, want ErrBackupPostgres", err)
			}
			if _, err := os.Stat(out); err == nil {
				t.Errorf("Backup on PostgreSQL wrote %s", out)
			}
			return
		}
		if err != nil {
			t.Fatalf("Backup(%q): %v", out, err)
		}
		_, newest := wantMigrations(t, e.Name)
		v, err := store.CheckBackup(ctx, out)
		if err != nil || v != newest {
			t.Errorf("CheckBackup(backup) = %d, %v, want %d", v, err, newest)
		}
		if err := db.Backup(ctx, out); err == nil {
			t.Errorf("Backup(%q) over an existing file succeeded, want an error", out)
		}
	})
}

// TestBackupContents restores nothing but checks that a backup holds what
// was committed before it was taken.
func TestBackupContents(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	db := storetest.MustOpenSQLite(t)
	if _, err := db.CreateEvent(ctx, event.Event{ID: "fair", Name: "Fair"}); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(t.TempDir(), "backup.db")
	if err := db.Backup(ctx, out); err != nil {
		t.Fatal(err)
	}
	if _, err := db.CreateEvent(ctx, event.Event{ID: "after", Name: "After"}); err != nil {
		t.Fatal(err)
	}
	copied := storetest.MustOpen(t, out)
	if _, err := copied.Event(ctx, "fair"); err != nil {
		t.Errorf("backup: Event(%q) = %v, want it", "fair", err)
	}
	if _, err := copied.Event(ctx, "after"); err == nil {
		t.Errorf("backup: Event(%q) found, want only what was there when the backup was taken", "after")
	}
}

func TestCheckBackupRefuses(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()

	text := filepath.Join(dir, "notes.txt")
	if err := os.WriteFile(text, []byte("not a database, just some text that is long enough\n"), 0o600); err != nil {
		t.Fatal(err)
	}

	// A valid SQLite file that some other program made.
	foreign := filepath.Join(dir, "foreign.db")
	fdb, err := sql.Open("sqlite", foreign)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := fdb.Exec(`CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT); INSERT INTO notes (body) VALUES ('hello')`); err != nil {
		t.Fatal(err)
	}
	if err := fdb.Close(); err != nil {
		t.Fatal(err)
	}

	// An empty file: SQLite treats it as an empty database.
	empty := filepath.Join(dir, "empty.db")
	if err := os.WriteFile(empty, nil, 0o600); err != nil {
		t.Fatal(err)
	}

	tests := []struct{ name, path string }{
		{"missing", filepath.Join(dir, "missing.db")},
		{"text", text},
		{"foreign", foreign},
		{"empty", empty},
		{"directory", dir},
	}
	for _, tt := range tests {
		if v, err := store.CheckBackup(t.Context(), tt.path); err == nil {
			t.Errorf("CheckBackup(%s %q) = %d, nil, want an error", tt.name, tt.path, v)
		}
	}
	// Checking must not change what it checks.
	if b, err := os.ReadFile(text); err != nil || string(b) != "not a database, just some text that is long enough\n" {
		t.Errorf("CheckBackup changed %s: %q, %v", text, b, err)
	}
}
