package store_test

import (
	"context"
	"os"
	"path"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/notalone/notalone/internal/store"
	"github.com/notalone/notalone/internal/store/storetest"
)

// wantMigrations returns how many migrations the engine has and the newest
// version, read from the files the package embeds.
func wantMigrations(t *testing.T, engine string) (count, newest int) {
	t.Helper()
	entries, err := os.ReadDir(path.Join("migrations", engine))
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		num, _, _ := strings.Cut(e.Name(), "_")
		v, err := strconv.Atoi(num)
		if err != nil {
			t.Fatalf("migration %s: %v", e.Name(), err)
		}
		count++
		newest = max(newest, v)
	}
	if count == 0 {
		t.Fatalf("no migrations for %s", engine)
	}
	return count, newest
}

func TestMigrateIdempotent(t *testing.T) {
	storetest.EachEngine(t, func(t *testing.T, e storetest.Engine) {
		ctx := t.Context()
		count, newest := wantMigrations(t, e.Name)
		db := storetest.MustOpen(t, e.EmptyDSN(t))
		if got := db.Engine(); got != e.Name {
			t.Errorf("Engine() = %q, want %q", got, e.Name)
		}

		n, err := db.Migrate(ctx)
		if err != nil {
			t.Fatalf("first Migrate: %v", err)
		}
		if n != count {
			t.Errorf("first Migrate applied %d, want %d", n, count)
		}
		v, err := db.SchemaVersion(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if v != newest {
			t.Errorf("SchemaVersion() = %d, want %d", v, newest)
		}

		n, err = db.Migrate(ctx)
		if err != nil {
			t.Fatalf("second Migrate: %v", err)
		}
		if n != 0 {
			t.Errorf("second Migrate applied %d, want 0", n)
		}
		// The schema is usable after migrating.
		if err := db.EnsureDefaultEvent(ctx); err != nil {
			t.Fatal(err)
		}
	})
}

// TestMigrateConcurrent starts several "instances" on one empty database at
// once: every migration must be applied exactly once and none may fail
// (PostgreSQL: the advisory lock; SQLite: the immediate write transaction).
func TestMigrateConcurrent(t *testing.T) {
	storetest.EachEngine(t, func(t *testing.T, e storetest.Engine) {
		ctx := t.Context()
		count, newest := wantMigrations(t, e.Name)
		dsn := e.EmptyDSN(t)
		const handles = 4
		dbs := make([]*store.DB, handles)
		for i := range dbs {
			dbs[i] = storetest.MustOpen(t, dsn)
		}

		applied := make([]int, handles)
		errs := make([]error, handles)
		var wg sync.WaitGroup
		start := make(chan struct{})
		for i, db := range dbs {
			wg.Go(func() {
				<-start
				applied[i], errs[i] = db.Migrate(ctx)
			})
		}
		close(start)
		wg.Wait()

		total := 0
		for i := range dbs {
			if errs[i] != nil {
				t.Errorf("Migrate on handle %d: %v", i, errs[i])
			}
			total += applied[i]
		}
		if total != count {
			t.Errorf("concurrent Migrate applied %d migrations in all (%v), want %d", total, applied, count)
		}
		for i, db := range dbs {
			v, err := db.SchemaVersion(ctx)
			if err != nil || v != newest {
				t.Errorf("handle %d: SchemaVersion() = %d, %v, want %d", i, v, err, newest)
			}
		}
	})
}

func TestSchemaVersionBeforeMigrate(t *testing.T) {
	storetest.EachEngine(t, func(t *testing.T, e storetest.Engine) {
		db := storetest.MustOpen(t, e.EmptyDSN(t))
		if v, err := db.SchemaVersion(context.Background()); err == nil {
			t.Errorf("SchemaVersion() on an empty database = %d, nil, want an error", v)
		}
	})
}

func TestPing(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		if err := db.Ping(t.Context()); err != nil {
			t.Errorf("Ping() = %v", err)
		}
		if len(db.Stats()) == 0 {
			t.Error("Stats() is empty")
		}
	})
}

func TestIsPostgres(t *testing.T) {
	tests := []struct {
		dsn  string
		want bool
	}{
		{"postgres://u:p@localhost/db", true},
		{"postgresql://localhost/db", true},
		{"/var/lib/notalone/notalone.db", false},
		{"notalone.db", false},
		{"file:notalone.db", false},
		{"POSTGRES://localhost/db", false},
	}
	for _, tt := range tests {
		if got := store.IsPostgres(tt.dsn); got != tt.want {
			t.Errorf("IsPostgres(%q) = %v, want %v", tt.dsn, got, tt.want)
		}
	}
}

func TestOpenFails(t *testing.T) {
	t.Run("sqlite unwritable", func(t *testing.T) {
		// A path below a regular file cannot be created.
		file := path.Join(t.TempDir(), "file")
		if err := os.WriteFile(file, nil, 0o600); err != nil {
			t.Fatal(err)
		}
		if db, err := store.Open(t.Context(), path.Join(file, "sub", "notalone.db")); err == nil {
			db.Close()
			t.Error("Open below a regular file succeeded, want an error")
		}
	})
	t.Run("postgres unreachable", func(t *testing.T) {
		// Port 1 on loopback refuses at once.
		db, err := store.Open(t.Context(), "postgres://u:p@127.0.0.1:1/db?sslmode=disable&connect_timeout=5")
		if err == nil {
			db.Close()
			t.Fatal("Open on a closed port succeeded, want an error")
		}
		if strings.Contains(err.Error(), "\n") {
			t.Errorf("Open error %q has several lines, want one", err)
		}
	})
}
