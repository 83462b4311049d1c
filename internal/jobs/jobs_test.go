package jobs_test

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/notalone/notalone/internal/jobs"
	"github.com/notalone/notalone/internal/store"
	"github.com/notalone/notalone/internal/store/storetest"
)

// fakeStore is an in-memory jobs.Store with one settable clock.
type fakeStore struct {
	mu       sync.Mutex
	now      time.Time
	locked   map[string]bool
	lastRun  map[string]time.Time
	lockErr  error
	claimErr error
	unlocks  int
}

func newFakeStore() *fakeStore {
	return &fakeStore{now: time.Date(2025, 3, 4, 5, 6, 7, 0, time.UTC), locked: map[string]bool{}, lastRun: map[string]time.Time{}}
}

func (f *fakeStore) TryLock(_ context.Context, name string) (func(), bool, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.lockErr != nil {
		return nil, false, f.lockErr
	}
	if f.locked[name] {
		return nil, false, nil
	}
	f.locked[name] = true
	return func() {
		f.mu.Lock()
		defer f.mu.Unlock()
		f.locked[name] = false
		f.unlocks++
	}, true, nil
}

func (f *fakeStore) ClaimJobRun(_ context.Context, name string, interval time.Duration) (bool, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.claimErr != nil {
		return false, f.claimErr
	}
	if last, ok := f.lastRun[name]; ok && f.now.Sub(last) < interval {
		return false, nil
	}
	f.lastRun[name] = f.now
	return true, nil
}

func (f *fakeStore) advance(d time.Duration) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.now = f.now.Add(d)
}

// logBuffer collects a scheduler's log lines; safe for concurrent writes.
type logBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *logBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *logBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

func newLogger() (*slog.Logger, *logBuffer) {
	b := &logBuffer{}
	return slog.New(slog.NewTextHandler(b, &slog.HandlerOptions{Level: slog.LevelDebug})), b
}

// counter is a job body that counts its runs.
type counter struct{ n atomic.Int32 }

func (c *counter) run(context.Context) error { c.n.Add(1); return nil }

func TestRunDue(t *testing.T) {
	st := newFakeStore()
	log, _ := newLogger()
	var hourly, daily counter
	s := &jobs.Scheduler{Store: st, Log: log, Jobs: []jobs.Job{
		{Name: "hourly", Interval: time.Hour, Run: hourly.run},
		{Name: "daily", Interval: 24 * time.Hour, Run: daily.run},
	}}
	steps := []struct {
		advance time.Duration
		want    []string
	}{
		{0, []string{"hourly", "daily"}},
		{0, nil}, // just ran
		{59 * time.Minute, nil},
		{time.Minute, []string{"hourly"}},
		{24 * time.Hour, []string{"hourly", "daily"}},
	}
	for i, step := range steps {
		st.advance(step.advance)
		if got := s.RunDue(t.Context()); !slices.Equal(got, step.want) {
			t.Errorf("step %d: RunDue() = %q, want %q", i, got, step.want)
		}
	}
	if h, d := hourly.n.Load(), daily.n.Load(); h != 3 || d != 2 {
		t.Errorf("runs: hourly %d, daily %d, want 3 and 2", h, d)
	}
	if st.unlocks != 10 {
		t.Errorf("unlocks = %d, want one per lock taken (10)", st.unlocks)
	}
}

func TestRunDueSkips(t *testing.T) {
	tests := []struct {
		name    string
		setup   func(*fakeStore)
		ctx     func() context.Context
		wantLog string
	}{
		{"locked elsewhere", func(f *fakeStore) { f.locked["job"] = true }, nil, ""},
		{"lock fails", func(f *fakeStore) { f.lockErr = errors.New("connection refused") }, nil, "job lock failed"},
		{"claim fails", func(f *fakeStore) { f.claimErr = errors.New("deadlock") }, nil, "job claim failed"},
		{"context ended", func(*fakeStore) {}, func() context.Context {
			ctx, cancel := context.WithCancel(context.Background())
			cancel()
			return ctx
		}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			st := newFakeStore()
			tt.setup(st)
			log, logs := newLogger()
			var c counter
			s := &jobs.Scheduler{Store: st, Log: log, Jobs: []jobs.Job{{Name: "job", Interval: time.Hour, Run: c.run}}}
			ctx := t.Context()
			if tt.ctx != nil {
				ctx = tt.ctx()
			}
			if got := s.RunDue(ctx); len(got) != 0 {
				t.Errorf("RunDue() = %q, want nothing", got)
			}
			if c.n.Load() != 0 {
				t.Errorf("job ran %d times, want 0", c.n.Load())
			}
			if tt.wantLog != "" && !strings.Contains(logs.String(), tt.wantLog) {
				t.Errorf("log = %q, want it to contain %q", logs.String(), tt.wantLog)
			}
			if st.locked["job"] && tt.name != "locked elsewhere" {
				t.Error("lock still held after RunDue")
			}
		})
	}
}

func TestRunDueFailingJob(t *testing.T) {
	st := newFakeStore()
	log, logs := newLogger()
	var after counter
	s := &jobs.Scheduler{Store: st, Log: log, Jobs: []jobs.Job{
		{Name: "broken", Interval: time.Hour, Run: func(context.Context) error { return errors.New("disk full") }},
		{Name: "after", Interval: time.Hour, Run: after.run},
	}}
	if got, want := s.RunDue(t.Context()), []string{"broken", "after"}; !slices.Equal(got, want) {
		t.Errorf("RunDue() = %q, want %q: a failed run still counts, and the next job runs", got, want)
	}
	out := logs.String()
	for _, want := range []string{"level=ERROR", `msg="job failed"`, "job=broken", `err="disk full"`} {
		if !strings.Contains(out, want) {
			t.Errorf("log = %q, want it to contain %q", out, want)
		}
	}
	if after.n.Load() != 1 {
		t.Errorf("job after the failing one ran %d times, want 1", after.n.Load())
	}
	// Counted as ran: not retried before its interval.
	if got := s.RunDue(t.Context()); len(got) != 0 {
		t.Errorf("RunDue() right after a failed run = %q, want nothing", got)
	}
}

func TestRunStopsWithContext(t *testing.T) {
	st := newFakeStore()
	log, _ := newLogger()
	var c counter
	s := &jobs.Scheduler{Store: st, Log: log, Tick: time.Hour, Jobs: []jobs.Job{{Name: "job", Interval: time.Hour, Run: c.run}}}
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan struct{})
	go func() { s.Run(ctx); close(done) }()
	deadline := time.Now().Add(10 * time.Second)
	for c.n.Load() == 0 && time.Now().Before(deadline) {
		time.Sleep(time.Millisecond)
	}
	if c.n.Load() != 1 {
		t.Errorf("Run: job ran %d times on start, want 1", c.n.Load())
	}
	cancel()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("Run did not return after its context ended")
	}
}

// TestRunDueStore runs the scheduler on the real store, on each engine.
func TestRunDueStore(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		t.Parallel()
		clock := storetest.SetClock(time.Date(2025, 3, 4, 5, 6, 7, 0, time.UTC), db)
		log, _ := newLogger()
		var c counter
		s := &jobs.Scheduler{Store: db, Log: log, Jobs: []jobs.Job{{Name: "prune", Interval: time.Hour, Run: c.run}}}
		want := []struct {
			advance time.Duration
			ran     int32
		}{{0, 1}, {0, 1}, {time.Hour - time.Second, 1}, {time.Second, 2}}
		for i, w := range want {
			clock.Advance(w.advance)
			s.RunDue(t.Context())
			if got := c.n.Load(); got != w.ran {
				t.Errorf("step %d: job has run %d times, want %d", i, got, w.ran)
			}
		}
	})
}

// TestRunDueOncePerCluster is several instances, each with its own handle
// on one database, checking the same job at the same moment: its body runs
// exactly once.
func TestRunDueOncePerCluster(t *testing.T) {
	storetest.EachEngine(t, func(t *testing.T, e storetest.Engine) {
		t.Parallel()
		dsn := e.DSN(t)
		const instances = 4
		dbs := make([]*store.DB, instances)
		for i := range dbs {
			dbs[i] = storetest.MustOpen(t, dsn)
		}
		clock := storetest.SetClock(time.Date(2025, 3, 4, 5, 6, 7, 0, time.UTC), dbs...)
		log, _ := newLogger()

		for round := range 5 {
			var c counter
			// A body that takes a moment, so the instances overlap.
			body := func(ctx context.Context) error { time.Sleep(10 * time.Millisecond); return c.run(ctx) }
			var wg sync.WaitGroup
			var ran atomic.Int32
			start := make(chan struct{})
			for _, db := range dbs {
				s := &jobs.Scheduler{Store: db, Log: log, Jobs: []jobs.Job{{Name: "prune", Interval: time.Hour, Run: body}}}
				wg.Go(func() {
					<-start
					ran.Add(int32(len(s.RunDue(t.Context()))))
				})
			}
			close(start)
			wg.Wait()
			if got := c.n.Load(); got != 1 {
				t.Errorf("round %d: %d instances ran the job body %d times, want exactly once", round, instances, got)
			}
			if got := ran.Load(); got != 1 {
				t.Errorf("round %d: RunDue reported %d runs in all, want 1", round, got)
			}
			clock.Advance(time.Hour)
		}
	})
}
