package store_test

import (
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/notalone/notalone/internal/store"
	"github.com/notalone/notalone/internal/store/storetest"
)

// twoInstances opens two handles on one new database, sharing a clock at t0,
// as two server instances would be.
func twoInstances(t *testing.T, e storetest.Engine) (a, b *store.DB, clock *storetest.Clock) {
	t.Helper()
	dsn := e.DSN(t)
	a, b = storetest.MustOpen(t, dsn), storetest.MustOpen(t, dsn)
	return a, b, storetest.SetClock(t0, a, b)
}

func TestClaimJobRun(t *testing.T) {
	storetest.EachEngine(t, func(t *testing.T, e storetest.Engine) {
		t.Parallel()
		ctx := t.Context()
		a, b, clock := twoInstances(t, e)
		const interval = 10 * time.Minute

		// Exactly one of many concurrent first claims wins.
		const n = 8
		var won atomic.Int32
		var wg sync.WaitGroup
		start := make(chan struct{})
		for i := range n {
			db := a
			if i%2 == 1 {
				db = b
			}
			wg.Go(func() {
				<-start
				ok, err := db.ClaimJobRun(ctx, "prune", interval)
				if err != nil {
					t.Errorf("ClaimJobRun in goroutine %d: %v", i, err)
				}
				if ok {
					won.Add(1)
				}
			})
		}
		close(start)
		wg.Wait()
		if got := won.Load(); got != 1 {
			t.Fatalf("%d concurrent ClaimJobRun calls: %d succeeded, want exactly 1", n, got)
		}

		claim := func(db *store.DB, name string, want bool) {
			t.Helper()
			ok, err := db.ClaimJobRun(ctx, name, interval)
			if err != nil || ok != want {
				t.Errorf("ClaimJobRun(%q, %v) at %v = %v, %v, want %v", name, interval, clock.Now(), ok, err, want)
			}
		}
		claim(b, "prune", false) // within the interval
		clock.Advance(interval - time.Second)
		claim(a, "prune", false)
		claim(a, "other", true) // jobs are independent
		clock.Advance(time.Second)
		claim(b, "prune", true) // the interval has passed
		claim(a, "prune", false)
		clock.Advance(3 * interval)
		claim(a, "prune", true)
	})
}

func TestTryLock(t *testing.T) {
	storetest.EachEngine(t, func(t *testing.T, e storetest.Engine) {
		t.Parallel()
		ctx := t.Context()
		// Two handles on one database: on PostgreSQL the lock must hold
		// across connections (cluster-wide), not just inside one pool.
		a, b, _ := twoInstances(t, e)

		unlock, ok, err := a.TryLock(ctx, "prune")
		if err != nil || !ok {
			t.Fatalf("TryLock(%q) = %v, %v, want the lock", "prune", ok, err)
		}
		for name, db := range map[string]*store.DB{"same handle": a, "other handle": b} {
			u, ok, err := db.TryLock(ctx, "prune")
			if err != nil || ok {
				t.Errorf("TryLock(%q) on the %s while held = %v, %v, want false", "prune", name, ok, err)
			}
			if ok {
				u()
			}
		}
		// Another job's lock is independent.
		u2, ok, err := b.TryLock(ctx, "backup")
		if err != nil || !ok {
			t.Errorf("TryLock(%q) = %v, %v, want the lock", "backup", ok, err)
		} else {
			u2()
		}

		unlock()
		u3, ok, err := b.TryLock(ctx, "prune")
		if err != nil || !ok {
			t.Fatalf("TryLock(%q) after unlock = %v, %v, want the lock", "prune", ok, err)
		}
		u3()
		u4, ok, err := a.TryLock(ctx, "prune")
		if err != nil || !ok {
			t.Fatalf("TryLock(%q) after the second unlock = %v, %v, want the lock", "prune", ok, err)
		}
		u4()
	})
}

// TestTryLockSeparateDatabases checks that locks on two databases do not
// interfere (tests and districts each have their own).
func TestTryLockSeparateDatabases(t *testing.T) {
	storetest.EachEngine(t, func(t *testing.T, e storetest.Engine) {
		t.Parallel()
		a, b := storetest.MustOpen(t, e.DSN(t)), storetest.MustOpen(t, e.DSN(t))
		ua, ok, err := a.TryLock(t.Context(), "prune")
		if err != nil || !ok {
			t.Fatalf("TryLock on a = %v, %v, want the lock", ok, err)
		}
		defer ua()
		ub, ok, err := b.TryLock(t.Context(), "prune")
		if err != nil || !ok {
			t.Fatalf("TryLock on another database = %v, %v, want the lock", ok, err)
		}
		ub()
	})
}
