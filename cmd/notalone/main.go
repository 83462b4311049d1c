// Command notalone runs the Not Alone campaign platform; see
// "notalone help".
package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"syscall"
	_ "time/tzdata" // event time zones work on kiosks without a zoneinfo database

	"github.com/notalone/notalone/internal/app"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := app.Main(ctx, os.Args[1:], app.Env{Getenv: os.Getenv, Stdin: os.Stdin, Stdout: os.Stdout, Stderr: os.Stderr})
	stop()
	switch {
	case err == nil, app.IsHelp(err):
	case errors.Is(err, app.ErrUsage):
		fmt.Fprintln(os.Stderr, "notalone:", err)
		os.Exit(2)
	default:
		fmt.Fprintln(os.Stderr, "notalone:", err)
		os.Exit(1)
	}
}
