package store

import (
	"errors"
	"strconv"
	"strings"
	"sync"

	"github.com/jackc/pgx/v5/pgconn"
	msqlite "modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

// dialect isolates every difference between the engines. Nothing outside
// this file may branch on the engine.
type dialect interface {
	name() string
	// rebind turns ? placeholders into the engine's own.
	rebind(q string) string
	// isUniqueViolation reports a unique or primary key conflict.
	isUniqueViolation(err error) bool
	// singleWriter reports an engine that takes one writer at a time, where
	// batching small transactions pays.
	singleWriter() bool
	// txLockSQL is a statement that serialises the transactions that run
	// it (with the key as its argument); empty when writers are already
	// serialised.
	txLockSQL() string
}

type sqlite struct{}

func (sqlite) name() string           { return "sqlite" }
func (sqlite) rebind(q string) string { return q }
func (sqlite) singleWriter() bool     { return true }
func (sqlite) txLockSQL() string      { return "" }
func (sqlite) isUniqueViolation(err error) bool {
	var e *msqlite.Error
	if errors.As(err, &e) {
		return e.Code() == sqlite3.SQLITE_CONSTRAINT_UNIQUE || e.Code() == sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY
	}
	return false
}

type postgres struct{}

func (postgres) name() string       { return "postgres" }
func (postgres) singleWriter() bool { return false }
func (postgres) txLockSQL() string  { return "SELECT pg_advisory_xact_lock(?)" }

var rebound sync.Map // query text → PostgreSQL text; queries are constants, so this stays small

// rebind numbers the ? placeholders ($1, $2, …). Our SQL never has a ? inside
// a string literal, so a plain scan is enough.
func (postgres) rebind(q string) string {
	if v, ok := rebound.Load(q); ok {
		return v.(string)
	}
	var b strings.Builder
	n := 0
	for i := 0; i < len(q); i++ {
		if q[i] == '?' {
			n++
			b.WriteByte('$')
			b.WriteString(strconv.Itoa(n))
			continue
		}
		b.WriteByte(q[i])
	}
	out := b.String()
	rebound.Store(q, out)
	return out
}

func (postgres) isUniqueViolation(err error) bool {
	var e *pgconn.PgError
	return errors.As(err, &e) && e.Code == "23505"
}
