package store

import (
	"context"
	"errors"
	"slices"

	"github.com/notalone/notalone/internal/errs"
)

// Group commit on SQLite: writes that arrive while a commit is under way
// are committed together in the next transaction. One writer serves many
// visitors with a commit (an fsync) per batch instead of per write; every
// caller still returns only once its own write is durable.

// maxBatch bounds one group commit.
const maxBatch = 256

type pendingWrite struct {
	fn      func(context.Context, *Tx) error
	durable bool
	done    chan error
}

// grouped runs fn in a write transaction and returns once it is committed.
// durable asks SQLite for synchronous=FULL on that commit: the write also
// survives a power cut (a pledge, a voucher), where NORMAL only survives a
// crash of the process (a quiz answer).
// On SQLite fn runs on the committer's context, not the caller's: a caller
// that gives up must not fail the writes of others.
// On SQLite fn shares its transaction with others, inside a savepoint: an
// error refusing this write (any code but Internal) undoes only fn's own
// statements; a database failure fails the whole batch. PostgreSQL has many
// writers, so fn gets a transaction of its own.
func (db *DB) grouped(ctx context.Context, durable bool, fn func(context.Context, *Tx) error) error {
	if !db.dialect.singleWriter() {
		return db.inTx(ctx, func(tx *Tx) error { return fn(ctx, tx) })
	}
	p := &pendingWrite{fn: fn, durable: durable, done: make(chan error, 1)}
	db.batchMu.RLock()
	if db.closed {
		db.batchMu.RUnlock()
		return errors.New("the database is closed")
	}
	db.batchOnce.Do(func() {
		db.batchQueue = make(chan *pendingWrite, 1024)
		db.batchDone = make(chan struct{})
		go db.commitBatches()
	})
	select {
	case db.batchQueue <- p:
		db.batchMu.RUnlock()
	case <-ctx.Done():
		db.batchMu.RUnlock()
		return ctx.Err()
	}
	return <-p.done
}

// commitBatches runs until Close: it takes every write waiting, commits
// them in one transaction, and tells each its own outcome.
func (db *DB) commitBatches() {
	defer close(db.batchDone)
	for first := range db.batchQueue {
		batch := []*pendingWrite{first}
	collect:
		for len(batch) < maxBatch {
			select {
			case p, ok := <-db.batchQueue:
				if !ok {
					break collect
				}
				batch = append(batch, p)
			default:
				break collect
			}
		}
		results := make([]error, len(batch))
		ctx := context.Background()
		durable := slices.ContainsFunc(batch, func(p *pendingWrite) bool { return p.durable })
		if durable {
			// The writer pool is one connection: the pragma holds for
			// the transaction below.
			if _, err := db.write.ExecContext(ctx, `PRAGMA synchronous = FULL`); err != nil {
				for _, p := range batch {
					p.done <- err
				}
				continue
			}
		}
		err := db.inTx(ctx, func(tx *Tx) error {
			for i, p := range batch {
				if _, err := tx.exec(ctx, `SAVEPOINT grouped`); err != nil {
					return err
				}
				err := p.fn(ctx, tx)
				if err != nil && errs.CodeOf(err) == errs.Internal {
					return err // the database failed: the whole batch fails
				}
				undo := `RELEASE grouped`
				if err != nil {
					undo = `ROLLBACK TO grouped`
				}
				if _, err := tx.exec(ctx, undo); err != nil {
					return err
				}
				if err != nil {
					if _, err := tx.exec(ctx, `RELEASE grouped`); err != nil {
						return err
					}
				}
				results[i] = err // a refused write leaves the others alone
			}
			return nil
		})
		if durable {
			// The batch is committed whatever this says; should it fail,
			// later commits are merely slower until the next reset.
			db.write.ExecContext(ctx, `PRAGMA synchronous = NORMAL`)
		}
		for i, p := range batch {
			if err != nil {
				results[i] = err
			}
			p.done <- results[i]
		}
	}
}

// closeBatches lets the writes already queued commit; later ones fail.
func (db *DB) closeBatches() {
	db.batchMu.Lock()
	db.closed = true
	db.batchOnce.Do(func() {})
	if db.batchQueue != nil {
		close(db.batchQueue)
	}
	db.batchMu.Unlock()
	if db.batchQueue != nil {
		<-db.batchDone
	}
}
