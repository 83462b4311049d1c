// Package benchapp starts a real instance for a benchmark: in a temp data
// dir, on loopback, quiet, stopped (and its data removed) by the returned
// function.
package benchapp

import (
	"context"
	"io"
	"log/slog"
	"os"

	"github.com/notalone/notalone/internal/app"
)

// Start starts an instance. dsn is "" for SQLite in the temp dir or a
// postgres:// URL (a throwaway database); proxies are the trusted proxies
// (a benchmark's many clients come through X-Forwarded-For from loopback).
func Start(name, dsn, proxies string) (*app.Instance, func(), error) {
	dir, err := os.MkdirTemp("", "bench-"+name+"-")
	if err != nil {
		return nil, nil, err
	}
	s := app.Settings{Addr: "127.0.0.1:0", DataDir: dir, DB: dsn, TrustedProxies: proxies, LogFormat: "text", LogLevel: "error"}
	if err := s.Resolve(); err != nil {
		os.RemoveAll(dir)
		return nil, nil, err
	}
	in, err := app.Start(context.Background(), s, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		os.RemoveAll(dir)
		return nil, nil, err
	}
	return in, func() {
		in.Shutdown(context.Background())
		os.RemoveAll(dir)
	}, nil
}
