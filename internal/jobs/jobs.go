// Package jobs runs scheduled work once per cluster: whichever instance
// claims a run does it, the others skip it.
package jobs

import (
	"context"
	"log/slog"
	"time"
)

// Store is what the scheduler needs from the database.
type Store interface {
	TryLock(ctx context.Context, name string) (unlock func(), ok bool, err error)
	ClaimJobRun(ctx context.Context, name string, interval time.Duration) (bool, error)
}

// Job is one piece of scheduled work.
type Job struct {
	Name     string
	Interval time.Duration
	Run      func(ctx context.Context) error
}

// Scheduler checks its jobs every tick.
type Scheduler struct {
	Store Store
	Jobs  []Job
	Log   *slog.Logger
	Tick  time.Duration // how often to check; defaults to 30 s
}

// Run checks the jobs until ctx ends.
func (s *Scheduler) Run(ctx context.Context) {
	tick := s.Tick
	if tick <= 0 {
		tick = 30 * time.Second
	}
	t := time.NewTicker(tick)
	defer t.Stop()
	for {
		s.RunDue(ctx)
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// RunDue runs every job whose interval has passed since its last run
// anywhere in the cluster, and returns the names of those this instance ran.
func (s *Scheduler) RunDue(ctx context.Context) []string {
	var ran []string
	for _, j := range s.Jobs {
		if ctx.Err() != nil {
			return ran
		}
		if s.runOnce(ctx, j) {
			ran = append(ran, j.Name)
		}
	}
	return ran
}

func (s *Scheduler) runOnce(ctx context.Context, j Job) bool {
	// The advisory lock keeps a slow run from overlapping the next one; the
	// claim makes the run happen once per interval across instances.
	unlock, ok, err := s.Store.TryLock(ctx, j.Name)
	if err != nil {
		s.Log.Warn("job lock failed", "job", j.Name, "err", err)
		return false
	}
	if !ok {
		return false
	}
	defer unlock()
	claimed, err := s.Store.ClaimJobRun(ctx, j.Name, j.Interval)
	if err != nil {
		s.Log.Warn("job claim failed", "job", j.Name, "err", err)
		return false
	}
	if !claimed {
		return false
	}
	start := time.Now()
	if err := j.Run(ctx); err != nil {
		s.Log.Error("job failed", "job", j.Name, "err", err)
		return true
	}
	s.Log.Info("job done", "job", j.Name, "duration", time.Since(start).Round(time.Millisecond))
	return true
}
