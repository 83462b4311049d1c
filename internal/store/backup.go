package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
)

// ErrBackupPostgres says to use PostgreSQL's own tools.
var ErrBackupPostgres = errors.New("backup: for PostgreSQL use pg_dump and pg_restore (see the README)")

// Backup writes a consistent copy of a live SQLite database to path with
// VACUUM INTO: one read transaction, so it never blocks the server's
// writes and never sees half a write.
func (db *DB) Backup(ctx context.Context, path string) error {
	if _, ok := db.dialect.(sqlite); !ok {
		return ErrBackupPostgres
	}
	if _, err := os.Stat(path); err == nil {
		return fmt.Errorf("backup: %s already exists; choose a new file name", path)
	}
	// The writer connection: VACUUM INTO is refused on a query_only one.
	if _, err := db.write.ExecContext(ctx, "VACUUM INTO ?", path); err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	return nil
}

// CheckBackup opens a SQLite file read-only and verifies that it is an
// intact Not Alone database, returning its schema version.
func CheckBackup(ctx context.Context, path string) (int, error) {
	if _, err := os.Stat(path); err != nil {
		return 0, fmt.Errorf("restore: %w", err)
	}
	conn, err := sql.Open("sqlite", (&url.URL{Scheme: "file", Opaque: url.PathEscape(path), RawQuery: "mode=ro"}).String())
	if err != nil {
		return 0, fmt.Errorf("restore: %s is not a readable SQLite database", path)
	}
	defer conn.Close()
	var result string
	if err := conn.QueryRowContext(ctx, "PRAGMA integrity_check").Scan(&result); err != nil || result != "ok" {
		return 0, fmt.Errorf("restore: %s is not an intact SQLite database", path)
	}
	var v int
	err = conn.QueryRowContext(ctx, "SELECT MAX(version) FROM schema_migrations").Scan(&v)
	if err != nil || v == 0 {
		return 0, fmt.Errorf("restore: %s is not a Not Alone database", path)
	}
	return v, nil
}
