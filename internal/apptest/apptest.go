// Package apptest starts real instances for tests: the same wiring as
// "notalone serve", on port 0 with a temporary data dir.
package apptest

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/rsa"
	"io"
	"log/slog"
	"sync"
	"testing"

	"github.com/notalone/notalone/internal/app"
	"github.com/notalone/notalone/internal/staff"
	"github.com/notalone/notalone/internal/store/storetest"
	"github.com/notalone/notalone/internal/testenv"
)

// Log collects an instance's log output so tests can check what is (and is
// never) logged.
type Log struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (l *Log) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.Write(p)
}

// String returns everything logged so far.
func (l *Log) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.String()
}

// CheapHasher is argon2id with tiny parameters: tests only.
var CheapHasher = staff.Argon2{Time: 1, Memory: 64, Threads: 1}

// Settings returns settings for a throwaway SQLite instance; edit them
// before passing them to Start.
func Settings(tb testing.TB) app.Settings {
	key, err := badgeKey()
	if err != nil {
		tb.Fatalf("badge key: %v", err)
	}
	return app.Settings{Addr: "127.0.0.1:0", DataDir: tb.TempDir(), LogFormat: "text", LogLevel: "info", PasswordHasher: CheapHasher, BadgeSigner: key}
}

// badgeKey is one badge-signing key for every test instance: making an
// RSA key takes long enough to slow a suite that starts many.
var badgeKey = sync.OnceValues(func() (*rsa.PrivateKey, error) { return rsa.GenerateKey(rand.Reader, 2048) })

// Start resolves s, starts an instance and stops it when the test ends.
func Start(tb testing.TB, s app.Settings) (*app.Instance, *Log) {
	tb.Helper()
	if err := s.Resolve(); err != nil {
		tb.Fatalf("settings: %v", err)
	}
	log := &Log{}
	in, err := app.Start(context.Background(), s, slog.New(slog.NewTextHandler(io.MultiWriter(log), &slog.HandlerOptions{Level: slog.LevelInfo})))
	if err != nil {
		tb.Fatalf("start: %v", err)
	}
	tb.Cleanup(func() {
		if err := in.Shutdown(context.Background()); err != nil {
			tb.Errorf("shutdown: %v", err)
		}
	})
	return in, log
}

// MustStart starts a default SQLite instance.
func MustStart(tb testing.TB) (*app.Instance, *Log) {
	tb.Helper()
	return Start(tb, Settings(tb))
}

// StartCluster starts n instances on one fresh PostgreSQL database, as a
// deployment behind a load balancer runs them (skipped, or failed in CI,
// without NOTALONE_TEST_POSTGRES).
func StartCluster(tb testing.TB, n int) []*app.Instance {
	tb.Helper()
	url := testenv.PostgresDB(tb, storetest.Prepare)
	var out []*app.Instance
	for range n {
		s := Settings(tb)
		s.DB = url
		in, _ := Start(tb, s)
		out = append(out, in)
	}
	return out
}
