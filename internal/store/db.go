// Package store is the one database/sql implementation of every store, for
// SQLite (embedded, the default) and PostgreSQL (several instances). SQL is
// written once with ? placeholders; dialect.go holds every difference.
package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" driver
	_ "modernc.org/sqlite"             // registers the "sqlite" driver
)

// DB is a database handle. On SQLite it is one writer connection beside a
// pool of readers (SQLite allows one writer at a time; queuing writes in Go
// is cheaper than busy-waiting in SQLite). On PostgreSQL both are one pool.
type DB struct {
	write   *sql.DB
	read    *sql.DB
	dialect dialect
	dsn     string
	// Prepared statements per pool, by query text. SQLite spends more time
	// parsing a statement than running our small ones, so each is parsed
	// once per connection; queries are constants, so the maps stay small.
	readStmts, writeStmts sync.Map
	// Group commit on SQLite (see grouped). batchMu guards closed and the
	// queue against a send after Close.
	batchOnce  sync.Once
	batchMu    sync.RWMutex
	closed     bool
	batchQueue chan *pendingWrite
	batchDone  chan struct{}
	closeOnce  sync.Once
	closeErr   error
	// Now is the clock every store method uses; tests replace it.
	Now func() time.Time
}

// IsPostgres reports whether dsn selects PostgreSQL.
func IsPostgres(dsn string) bool {
	return strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://")
}

// Open connects to dsn: a postgres:// URL, or the path of a SQLite file
// (created if missing). It checks the connection before returning, so a bad
// URL or an unwritable file fails here with a one-line cause.
func Open(ctx context.Context, dsn string) (*DB, error) {
	db := &DB{dsn: dsn, Now: func() time.Time { return time.Now().UTC() }}
	var err error
	if IsPostgres(dsn) {
		db.dialect = postgres{}
		db.write, err = sql.Open("pgx", dsn)
		if err != nil {
			return nil, fmt.Errorf("open postgres: %w", err)
		}
		db.write.SetMaxOpenConns(20)
		db.write.SetMaxIdleConns(10)
		db.write.SetConnMaxIdleTime(5 * time.Minute)
		db.read = db.write
	} else {
		db.dialect = sqlite{}
		if err := os.MkdirAll(filepath.Dir(dsn), 0o750); err != nil {
			return nil, fmt.Errorf("open sqlite: %w", err)
		}
		db.write, err = sql.Open("sqlite", sqliteDSN(dsn, false))
		if err != nil {
			return nil, fmt.Errorf("open sqlite: %w", err)
		}
		db.write.SetMaxOpenConns(1)
		db.write.SetConnMaxIdleTime(0)
		db.read, err = sql.Open("sqlite", sqliteDSN(dsn, true))
		if err != nil {
			db.write.Close()
			return nil, fmt.Errorf("open sqlite: %w", err)
		}
		db.read.SetMaxOpenConns(8)
		db.read.SetMaxIdleConns(8)
	}
	if err := db.write.PingContext(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("connect to %s: %s", db.dialect.name(), oneLine(err))
	}
	if db.read != db.write {
		if err := db.read.PingContext(ctx); err != nil {
			db.Close()
			return nil, fmt.Errorf("connect to %s: %s", db.dialect.name(), oneLine(err))
		}
	}
	return db, nil
}

// sqliteDSN sets the pragmas on every connection: WAL so readers never block
// the writer, a busy timeout instead of SQLITE_BUSY, foreign keys on, and
// NORMAL sync (durable across process crashes; FULL is chosen per
// group commit where a lost write after power loss is unacceptable, see
// grouped).
func sqliteDSN(path string, readOnly bool) string {
	q := "_pragma=busy_timeout(10000)&_pragma=journal_mode(WAL)&_pragma=foreign_keys(1)&_pragma=synchronous(NORMAL)&_time_format=sqlite"
	if readOnly {
		q += "&_pragma=query_only(1)"
	} else {
		q += "&_txlock=immediate"
	}
	return "file:" + path + "?" + q
}

// oneLine trims a driver error to its first line: start-up failures are
// printed as one line, never a stack of context.
func oneLine(err error) string {
	s := err.Error()
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		s = s[:i]
	}
	return s
}

// Close closes both pools; later calls return the first result, and
// store calls after it fail instead of panicking.
func (db *DB) Close() error {
	db.closeOnce.Do(func() { db.closeErr = db.close() })
	return db.closeErr
}

func (db *DB) close() error {
	var errs []error
	// Let the writes already queued commit before the pools close.
	db.closeBatches()
	for _, cache := range []*sync.Map{&db.readStmts, &db.writeStmts} {
		cache.Range(func(_, s any) bool { s.(*sql.Stmt).Close(); return true })
	}
	if db.read != nil && db.read != db.write {
		errs = append(errs, db.read.Close())
	}
	if db.write != nil {
		errs = append(errs, db.write.Close())
	}
	return errors.Join(errs...)
}

// Ping checks that the database answers (readiness).
func (db *DB) Ping(ctx context.Context) error {
	var one int
	return db.read.QueryRowContext(ctx, "SELECT 1").Scan(&one)
}

// Engine names the engine: "sqlite" or "postgres".
func (db *DB) Engine() string { return db.dialect.name() }

// PoolStats are the connection pool figures for metrics.
type PoolStats struct {
	Pool  string // "write" or "read"
	Stats sql.DBStats
}

// Stats returns the pool statistics (one pool on PostgreSQL).
func (db *DB) Stats() []PoolStats {
	if db.read == db.write {
		return []PoolStats{{Pool: "write", Stats: db.write.Stats()}}
	}
	return []PoolStats{{Pool: "write", Stats: db.write.Stats()}, {Pool: "read", Stats: db.read.Stats()}}
}

// Tx is one transaction; every exported store method that writes runs in
// exactly one. Now is fixed for the whole transaction.
type Tx struct {
	tx         *sql.Tx
	db         *DB
	unprepared []string
	Now        time.Time
}

// stmt returns the writer's prepared statement for q, for use in this
// transaction. The writer has one connection and this transaction holds
// it, so a statement not prepared yet is prepared on the transaction, and
// on the pool once the transaction ends (see inTx).
func (t *Tx) stmt(ctx context.Context, q string) (*sql.Stmt, error) {
	if s, ok := t.db.writeStmts.Load(q); ok {
		return t.tx.StmtContext(ctx, s.(*sql.Stmt)), nil
	}
	t.unprepared = append(t.unprepared, q)
	return t.tx.PrepareContext(ctx, t.db.dialect.rebind(q))
}

func (t *Tx) exec(ctx context.Context, q string, args ...any) (sql.Result, error) {
	s, err := t.stmt(ctx, q)
	if err != nil {
		return nil, err
	}
	return s.ExecContext(ctx, args...)
}

func (t *Tx) queryRow(ctx context.Context, q string, args ...any) *sql.Row {
	s, err := t.stmt(ctx, q)
	if err != nil {
		// A Row carrying the error: Scan reports it.
		return t.tx.QueryRowContext(ctx, t.db.dialect.rebind(q), args...)
	}
	return s.QueryRowContext(ctx, args...)
}

// lock serialises the transactions that take the same key until they end
// (PostgreSQL; SQLite's single writer already does).
func (t *Tx) lock(ctx context.Context, key int64) error {
	if q := t.db.dialect.txLockSQL(); q != "" {
		_, err := t.exec(ctx, q, key)
		return err
	}
	return nil
}

// contentLockKey serialises every change to published content and its
// versions (pack loading, drafts, publishing, imports): they are rare,
// and version numbers and first loads must not race between instances.
const contentLockKey = 0x636f6e74656e74 // "content"

// prepared returns the pool's prepared statement for q, preparing it the
// first time. (database/sql re-prepares it on each new connection.)
func (db *DB) prepared(ctx context.Context, cache *sync.Map, pool *sql.DB, q string) (*sql.Stmt, error) {
	if s, ok := cache.Load(q); ok {
		return s.(*sql.Stmt), nil
	}
	s, err := pool.PrepareContext(ctx, db.dialect.rebind(q))
	if err != nil {
		return nil, err
	}
	if prev, loaded := cache.LoadOrStore(q, s); loaded {
		s.Close()
		return prev.(*sql.Stmt), nil
	}
	return s, nil
}

// inTx runs fn in a write transaction and commits it when fn returns nil.
func (db *DB) inTx(ctx context.Context, fn func(*Tx) error) error {
	sqlTx, err := db.write.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	tx := &Tx{tx: sqlTx, db: db, Now: db.Now().UTC()}
	err = fn(tx)
	if err != nil {
		_ = sqlTx.Rollback()
	} else {
		err = sqlTx.Commit()
	}
	// The connection is free again: prepare what this transaction met for
	// the first time, so the next one finds it ready.
	for _, q := range tx.unprepared {
		db.prepared(ctx, &db.writeStmts, db.write, q)
	}
	return err
}

// exec1 runs one write statement in its own transaction; op names it in
// the error.
func (db *DB) exec1(ctx context.Context, op, q string, args ...any) error {
	err := db.inTx(ctx, func(tx *Tx) error {
		_, err := tx.exec(ctx, q, args...)
		return err
	})
	if err != nil {
		return fmt.Errorf("%s: %w", op, err)
	}
	return nil
}

// execChanged runs one conditional write in its own transaction and
// reports whether it changed a row: how a one-time thing is used once.
func (db *DB) execChanged(ctx context.Context, op, q string, args ...any) (bool, error) {
	var changed bool
	err := db.inTx(ctx, func(tx *Tx) error {
		res, err := tx.exec(ctx, q, args...)
		if err != nil {
			return err
		}
		n, err := res.RowsAffected()
		changed = n > 0
		return err
	})
	if err != nil {
		return false, fmt.Errorf("%s: %w", op, err)
	}
	return changed, nil
}

func (db *DB) queryRow(ctx context.Context, q string, args ...any) *sql.Row {
	s, err := db.prepared(ctx, &db.readStmts, db.read, q)
	if err != nil {
		return db.read.QueryRowContext(ctx, db.dialect.rebind(q), args...)
	}
	return s.QueryRowContext(ctx, args...)
}

func (db *DB) query(ctx context.Context, q string, args ...any) (*sql.Rows, error) {
	s, err := db.prepared(ctx, &db.readStmts, db.read, q)
	if err != nil {
		return nil, err
	}
	return s.QueryContext(ctx, args...)
}
