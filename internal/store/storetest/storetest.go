// Package storetest gives tests real databases to run on: a migrated SQLite
// file always, and a migrated PostgreSQL database when NOTALONE_TEST_POSTGRES
// is set (see package testenv for the skip/fail rule).
//
// A test that should hold on both engines runs through [Each]:
//
//	func TestThing(t *testing.T) {
//		storetest.Each(t, func(t *testing.T, db *store.DB) {
//			// db is migrated, has the default event, and is closed and
//			// thrown away when t ends.
//		})
//	}
//
// A test that needs the database's address — to open a second handle on the
// same database, say, as a second instance would — uses [EachEngine] and
// [MustOpen] instead.
package storetest

import (
	"context"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/notalone/notalone/internal/store"
	"github.com/notalone/notalone/internal/testenv"
)

// Engine is one database engine the store runs on, with ways to make new,
// throwaway databases on it. Every database belongs to the test that made it
// and is removed when that test ends.
type Engine struct {
	// Name is the engine's name as [store.DB.Engine] reports it, and the
	// name of its subtest: "sqlite" or "postgres".
	Name string
	// DSN returns the address of a new database that is migrated and has
	// the default event, ready for any store method.
	DSN func(tb testing.TB) string
	// EmptyDSN returns the address of a new database with no tables at
	// all, for tests of the migrations themselves.
	EmptyDSN func(tb testing.TB) string
}

// Engines lists the engines in the order tests run on them. PostgreSQL is
// always listed; its DSN functions skip or fail the test per testenv.
func Engines() []Engine {
	return []Engine{
		{Name: "sqlite", DSN: SQLiteDSN, EmptyDSN: EmptySQLiteDSN},
		{Name: "postgres", DSN: PostgresDSN, EmptyDSN: EmptyPostgresDSN},
	}
}

// EachEngine runs fn as one subtest per engine, named after the engine.
func EachEngine(t *testing.T, fn func(t *testing.T, e Engine)) {
	t.Helper()
	for _, e := range Engines() {
		t.Run(e.Name, func(t *testing.T) { fn(t, e) })
	}
}

// Each runs fn as the subtests "sqlite" and "postgres", each with a new,
// migrated database holding the default event. fn may call t.Parallel.
func Each(t *testing.T, fn func(t *testing.T, db *store.DB)) {
	t.Helper()
	EachEngine(t, func(t *testing.T, e Engine) {
		fn(t, MustOpen(t, e.DSN(t)))
	})
}

// MustOpenSQLite returns a handle on a new, migrated SQLite database (with
// the default event) in a temporary directory; it is closed and removed
// when tb ends.
func MustOpenSQLite(tb testing.TB) *store.DB {
	tb.Helper()
	return MustOpen(tb, SQLiteDSN(tb))
}

// MustOpenPostgres returns a handle on a new, migrated PostgreSQL database
// (with the default event); it is closed and dropped when tb ends. Without
// NOTALONE_TEST_POSTGRES the test is skipped (or fails in CI).
func MustOpenPostgres(tb testing.TB) *store.DB {
	tb.Helper()
	return MustOpen(tb, PostgresDSN(tb))
}

// MustOpen opens a handle on an existing database without migrating it and
// closes it when tb ends. Open a DSN twice to get two handles on one
// database, as two instances of the server would have.
func MustOpen(tb testing.TB, dsn string) *store.DB {
	tb.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	db, err := store.Open(ctx, dsn)
	if err != nil {
		tb.Fatalf("storetest: open %s: %v", dsn, err)
	}
	tb.Cleanup(func() {
		if err := db.Close(); err != nil {
			tb.Errorf("storetest: close %s: %v", dsn, err)
		}
	})
	return db
}

// SQLiteDSN returns the path of a new SQLite database in a temporary
// directory, migrated and holding the default event.
func SQLiteDSN(tb testing.TB) string {
	tb.Helper()
	path := EmptySQLiteDSN(tb)
	if err := Prepare(context.Background(), path); err != nil {
		tb.Fatalf("storetest: %v", err)
	}
	return path
}

// EmptySQLiteDSN returns the path of a SQLite database that does not exist
// yet, in a temporary directory removed when tb ends.
func EmptySQLiteDSN(tb testing.TB) string {
	tb.Helper()
	return filepath.Join(tb.TempDir(), "notalone.db")
}

// PostgresDSN returns the URL of a new PostgreSQL database, migrated and
// holding the default event, cloned from a template in milliseconds.
func PostgresDSN(tb testing.TB) string {
	tb.Helper()
	return testenv.PostgresDB(tb, Prepare)
}

// EmptyPostgresDSN returns the URL of a new PostgreSQL database with no
// tables.
func EmptyPostgresDSN(tb testing.TB) string {
	tb.Helper()
	return testenv.PostgresDB(tb, prepareNothing)
}

// Prepare migrates the database at dsn and ensures the default event, then
// closes its handle: it is the prepare function for testenv.PostgresDB, so
// packages that build their own PostgreSQL databases share its template.
func Prepare(ctx context.Context, dsn string) error {
	db, err := store.Open(ctx, dsn)
	if err != nil {
		return err
	}
	if _, err := db.Migrate(ctx); err != nil {
		db.Close()
		return err
	}
	if err := db.EnsureDefaultEvent(ctx); err != nil {
		db.Close()
		return err
	}
	return db.Close()
}

// prepareNothing leaves a template database empty.
func prepareNothing(context.Context, string) error { return nil }

// Clock is a settable clock for [store.DB.Now], so tests decide what "now"
// is instead of sleeping. It is safe for concurrent use.
type Clock struct {
	mu sync.Mutex
	t  time.Time
}

// SetClock makes db's clock read t (in UTC) until the returned Clock is
// moved. Set it on every handle that shares a database so they agree.
func SetClock(t time.Time, dbs ...*store.DB) *Clock {
	c := &Clock{t: t.UTC()}
	for _, db := range dbs {
		db.Now = c.Now
	}
	return c
}

// Now returns the clock's time.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

// Advance moves the clock by d and returns the new time.
func (c *Clock) Advance(d time.Duration) time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
	return c.t
}
