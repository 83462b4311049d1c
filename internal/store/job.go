package store

import (
	"context"
	"fmt"
	"hash/fnv"
	"sync"
	"time"
)

// localLocks serialises jobs inside one process. On SQLite that is the whole
// cluster: serve holds an exclusive lock on the data dir, so only one
// process serves a SQLite database.
var localLocks sync.Map // job name → *sync.Mutex

// TryLock takes the cluster-wide lock for a job without waiting. On
// PostgreSQL it is a session advisory lock held on a dedicated connection
// until unlock is called.
func (db *DB) TryLock(ctx context.Context, name string) (unlock func(), ok bool, err error) {
	if _, isPG := db.dialect.(postgres); !isPG {
		mu, _ := localLocks.LoadOrStore(db.dsn+"\x00"+name, &sync.Mutex{})
		if !mu.(*sync.Mutex).TryLock() {
			return nil, false, nil
		}
		return sync.OnceFunc(mu.(*sync.Mutex).Unlock), true, nil
	}
	h := fnv.New64a()
	h.Write([]byte("job:" + name))
	key := int64(h.Sum64())
	conn, err := db.write.Conn(ctx)
	if err != nil {
		return nil, false, fmt.Errorf("lock %s: %w", name, err)
	}
	if err := conn.QueryRowContext(ctx, "SELECT pg_try_advisory_lock($1)", key).Scan(&ok); err != nil || !ok {
		conn.Close()
		if err != nil {
			return nil, false, fmt.Errorf("lock %s: %w", name, err)
		}
		return nil, false, nil
	}
	return func() {
		conn.ExecContext(context.Background(), "SELECT pg_advisory_unlock($1)", key)
		conn.Close()
	}, true, nil
}

// ClaimJobRun records that job runs now, unless some instance already ran it
// within interval. Exactly one of several concurrent claims succeeds: the
// conditional UPDATE re-checks the row after any concurrent writer commits.
func (db *DB) ClaimJobRun(ctx context.Context, name string, interval time.Duration) (bool, error) {
	var claimed bool
	err := db.inTx(ctx, func(tx *Tx) error {
		if _, err := tx.exec(ctx, `INSERT INTO job_runs (name, last_run_at) VALUES (?, ?) ON CONFLICT (name) DO NOTHING`,
			name, time.Unix(0, 0).UTC()); err != nil {
			return err
		}
		res, err := tx.exec(ctx, `UPDATE job_runs SET last_run_at = ? WHERE name = ? AND last_run_at <= ?`,
			tx.Now, name, tx.Now.Add(-interval))
		if err != nil {
			return err
		}
		n, err := res.RowsAffected()
		claimed = n == 1
		return err
	})
	if err != nil {
		return false, fmt.Errorf("claim job %s: %w", name, err)
	}
	return claimed, nil
}
