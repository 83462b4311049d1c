// Package testenv gives tests the outside resources they need — a PostgreSQL
// server, a Chromium binary, the axe-core script — from environment variables:
//
//	NOTALONE_TEST_POSTGRES  admin URL, e.g. postgres://notalone:notalone@127.0.0.1:5432/postgres?sslmode=disable
//	NOTALONE_TEST_CHROMIUM  path to the browser, e.g. /usr/bin/chromium
//	NOTALONE_TEST_AXE       path to axe.min.js from the axe-core npm package
//
// The rule is the same for all three. Without its variable a test that needs
// the resource is skipped with a message saying which variable to set, so
// `go test ./...` works on a bare machine. When the CI variable is set (to
// anything) a missing variable fails the test instead, so a CI run that lost
// a service cannot pass by skipping. .ci/run installs everything and sets
// the variables; run it once locally and copy the values it prints.
//
// Command-line tools that a distribution installs in the usual place need
// no variable: [Poppler] and [FFmpeg] look for their programs on PATH, and
// skip or fail by the same rule when they are missing.
//
// Databases made by [PostgresDB] are throwaway: each test's database is
// dropped by tb.Cleanup, but the per-process templates (and the databases of
// a test binary that was killed) stay behind. They are named with their
// creation time, and PostgresDB drops those older than a few hours, so a
// long-lived local cluster does not fill up.
package testenv

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net/url"
	"os"
	osexec "os/exec" // exec is this package's own helper
	"reflect"
	"regexp"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// The environment variables that testenv reads.
const (
	EnvPostgres = "NOTALONE_TEST_POSTGRES"
	EnvChromium = "NOTALONE_TEST_CHROMIUM"
	EnvAxe      = "NOTALONE_TEST_AXE"
	EnvCI       = "CI"
)

// resource describes one outside resource for the skip/fail messages.
type resource struct {
	name    string // what the tests use, e.g. "PostgreSQL"
	env     string // variable that holds its URL or path
	example string // an example value for the message
}

var (
	postgresResource = resource{"PostgreSQL", EnvPostgres, "postgres://user:password@127.0.0.1:5432/postgres?sslmode=disable"}
	chromiumResource = resource{"Chromium", EnvChromium, "/usr/bin/chromium"}
	axeResource      = resource{"axe-core", EnvAxe, "/path/to/node_modules/axe-core/axe.min.js"}
)

// action is what a test does about a resource.
type action int

const (
	use  action = iota // the variable is set: use its value
	skip               // not set, not in CI: skip the test
	fail               // not set in CI: fail the test
)

// decide applies the package's rule to one resource. It is pure so that the
// rule can be tested without touching the process environment.
func decide(getenv func(string) string, r resource) (value string, act action, msg string) {
	if v := getenv(r.env); v != "" {
		return v, use, ""
	}
	if getenv(EnvCI) != "" {
		return "", fail, fmt.Sprintf("%s is required when CI is set: %s tests must not be skipped in CI (.ci/run sets it)", r.env, r.name)
	}
	return "", skip, fmt.Sprintf("%s tests skipped: set %s=%s to run them", r.name, r.env, r.example)
}

// require returns the value of r's variable, or skips or fails tb.
func require(tb testing.TB, r resource) string {
	tb.Helper()
	v, act, msg := decide(os.Getenv, r)
	switch act {
	case fail:
		tb.Fatal(msg)
	case skip:
		tb.Skip(msg)
	}
	return v
}

// requireFile is require for a path, which must name an existing file:
// a wrong path is a broken setup, not a reason to skip.
func requireFile(tb testing.TB, r resource) string {
	tb.Helper()
	p := require(tb, r)
	if fi, err := os.Stat(p); err != nil {
		tb.Fatalf("%s=%s: %v", r.env, p, err)
	} else if fi.IsDir() {
		tb.Fatalf("%s=%s: is a directory, want a file", r.env, p)
	}
	return p
}

// Postgres returns the admin URL of the test PostgreSQL server from
// NOTALONE_TEST_POSTGRES (a role allowed to create and drop databases).
// Without it the test is skipped, or fails when CI is set.
// Most tests want their own database from [PostgresDB] instead.
func Postgres(tb testing.TB) string {
	tb.Helper()
	return require(tb, postgresResource)
}

// Chromium returns the path of the Chromium binary from
// NOTALONE_TEST_CHROMIUM. Without it the test is skipped, or fails when CI
// is set.
func Chromium(tb testing.TB) string {
	tb.Helper()
	return requireFile(tb, chromiumResource)
}

// Axe returns the path of axe-core's axe.min.js from NOTALONE_TEST_AXE.
// Without it the test is skipped, or fails when CI is set.
func Axe(tb testing.TB) string {
	tb.Helper()
	return requireFile(tb, axeResource)
}

// Poppler returns the paths of pdftoppm and pdftotext from poppler-utils
// (Debian's package of that name, which .ci/run installs), looked up on
// PATH. Without them the test is skipped, or fails when CI is set.
func Poppler(tb testing.TB) (pdftoppm, pdftotext string) {
	tb.Helper()
	var missing []string
	find := func(name string) string {
		p, err := osexec.LookPath(name)
		if err != nil {
			missing = append(missing, name)
		}
		return p
	}
	pdftoppm, pdftotext = find("pdftoppm"), find("pdftotext")
	if len(missing) > 0 {
		what := fmt.Sprintf("%v not found on PATH", missing)
		if os.Getenv(EnvCI) != "" {
			tb.Fatalf("%s, required when CI is set: poppler-utils tests must not be skipped in CI (.ci/run installs it)", what)
		}
		tb.Skipf("poppler-utils tests skipped (%s): apt-get install poppler-utils to run them", what)
	}
	return pdftoppm, pdftotext
}

// FFmpeg returns the path of ffmpeg (Debian's package of that name, which
// .ci/run installs), looked up on PATH; tests use it to make a small real
// video. Without it the test is skipped, or fails when CI is set.
func FFmpeg(tb testing.TB) string {
	tb.Helper()
	p, err := osexec.LookPath("ffmpeg")
	if err != nil {
		if os.Getenv(EnvCI) != "" {
			tb.Fatalf("ffmpeg not found on PATH, required when CI is set: video tests must not be skipped in CI (.ci/run installs it)")
		}
		tb.Skipf("video tests skipped (ffmpeg not found on PATH): apt-get install ffmpeg to run them")
	}
	return p
}

// PostgresDB returns the URL of a new, empty-but-prepared database that
// belongs to this test alone and is dropped when the test ends. It skips or
// fails like [Postgres].
//
// The first call in a test binary for a given prepare function creates a
// template database and runs prepare(ctx, templateURL) on it (typically: apply
// the migrations); every call then clones that template with CREATE DATABASE …
// TEMPLATE, which takes milliseconds. The template is keyed by prepare's code,
// so prepare must do the same thing every time it is called: pass a top-level
// function, or a closure whose captured values never change.
//
// prepare must close every connection it opens before it returns (a
// *sql.DB's Close, a pool's Close): PostgreSQL refuses to copy a template
// that has other sessions. A connection whose close is still in flight is
// waited for a few seconds.
//
// PostgresDB is safe to call from parallel tests.
func PostgresDB(tb testing.TB, prepare func(ctx context.Context, url string) error) string {
	tb.Helper()
	admin := Postgres(tb)
	tmpl, err := templateFor(admin, prepare)
	if err != nil {
		tb.Fatalf("testenv.PostgresDB: %v", err)
	}

	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	name := newName("t")
	if err := createFromTemplate(ctx, admin, name, tmpl); err != nil {
		tb.Fatalf("testenv.PostgresDB: %v", err)
	}
	tb.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		if err := exec(ctx, admin, "DROP DATABASE IF EXISTS "+ident(name)+" WITH (FORCE)"); err != nil {
			tb.Errorf("testenv.PostgresDB: drop %s: %v", name, err)
		}
	})
	u, err := dbURL(admin, name)
	if err != nil {
		tb.Fatalf("testenv.PostgresDB: %v", err)
	}
	return u
}

// templateKey tells templates apart: one per admin URL and prepare function.
type templateKey struct {
	admin   string
	prepare uintptr
}

// templateEntry is a template built at most once.
type templateEntry struct {
	once sync.Once
	name string
	err  error
}

// templates holds this process's templates. It is package state on purpose:
// building a template costs a migration run, and each test binary should pay
// it once, not once per test.
var templates struct {
	mu sync.Mutex
	m  map[templateKey]*templateEntry
}

// templateFor returns the name of the template database for prepare on admin,
// building it on first use.
func templateFor(admin string, prepare func(ctx context.Context, url string) error) (string, error) {
	key := templateKey{admin, reflect.ValueOf(prepare).Pointer()}
	templates.mu.Lock()
	if templates.m == nil {
		templates.m = make(map[templateKey]*templateEntry)
	}
	e := templates.m[key]
	if e == nil {
		e = new(templateEntry)
		templates.m[key] = e
	}
	templates.mu.Unlock()

	e.once.Do(func() { e.name, e.err = buildTemplate(admin, prepare) })
	return e.name, e.err
}

// buildTemplate creates a database, runs prepare on it and marks it as a
// template that accepts no connections.
func buildTemplate(admin string, prepare func(ctx context.Context, url string) error) (string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	sweep(ctx, admin)

	name := newName("tmpl")
	u, err := dbURL(admin, name)
	if err != nil {
		return "", err
	}
	if err := exec(ctx, admin, "CREATE DATABASE "+ident(name)); err != nil {
		return "", fmt.Errorf("create template %s: %w", name, err)
	}
	if err := prepare(ctx, u); err != nil {
		return "", fmt.Errorf("prepare template %s: %w", name, err)
	}
	// No new sessions from here on; ones that prepare left open make
	// createFromTemplate fail with a message that says so.
	if err := exec(ctx, admin, "ALTER DATABASE "+ident(name)+" WITH IS_TEMPLATE true ALLOW_CONNECTIONS false"); err != nil {
		return "", fmt.Errorf("mark template %s: %w", name, err)
	}
	return name, nil
}

// createFromTemplate clones tmpl into a new database called name.
func createFromTemplate(ctx context.Context, admin, name, tmpl string) error {
	conn, err := pgx.Connect(ctx, admin)
	if err != nil {
		return fmt.Errorf("connect: %w", err)
	}
	defer conn.Close(context.Background())

	sql := "CREATE DATABASE " + ident(name) + " TEMPLATE " + ident(tmpl)
	deadline := time.Now().Add(10 * time.Second)
	for {
		_, err = conn.Exec(ctx, sql)
		// 55006 object_in_use: "source database … is being accessed by
		// other users" — a session of prepare that is still closing.
		var pgErr *pgconn.PgError
		if err == nil || !errors.As(err, &pgErr) || pgErr.Code != "55006" || time.Now().After(deadline) {
			break
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("create %s from %s: %w", name, tmpl, ctx.Err())
		case <-time.After(50 * time.Millisecond):
		}
	}
	if err != nil {
		return fmt.Errorf("create %s from %s (prepare must close every connection it opens): %w", name, tmpl, err)
	}
	return nil
}

// maxAge is how old a leftover database must be before sweep drops it:
// far longer than any test run (CI's go test has a 20-minute timeout).
const maxAge = 6 * time.Hour

// ourName matches the names that newName makes and captures their time.
var ourName = regexp.MustCompile(`^(?:t|tmpl)_([0-9]{10})_[0-9a-f]{16}$`)

// sweep drops databases that earlier test runs left behind (templates, and
// the databases of killed test binaries). It is best effort: errors are
// ignored, as the leftovers are harmless.
func sweep(ctx context.Context, admin string) {
	conn, err := pgx.Connect(ctx, admin)
	if err != nil {
		return
	}
	defer conn.Close(context.Background())
	rows, err := conn.Query(ctx, `SELECT datname FROM pg_database WHERE datname LIKE 't\_%' OR datname LIKE 'tmpl\_%'`)
	if err != nil {
		return
	}
	names, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return
	}
	for _, name := range names {
		m := ourName.FindStringSubmatch(name)
		if m == nil {
			continue
		}
		sec, err := strconv.ParseInt(m[1], 10, 64)
		if err != nil || time.Since(time.Unix(sec, 0)) < maxAge {
			continue
		}
		// A template cannot be dropped until it is an ordinary database.
		_, _ = conn.Exec(ctx, "ALTER DATABASE "+ident(name)+" WITH IS_TEMPLATE false")
		_, _ = conn.Exec(ctx, "DROP DATABASE IF EXISTS "+ident(name)+" WITH (FORCE)")
	}
}

// newName returns a fresh database name: prefix, creation time, random hex.
func newName(prefix string) string {
	b := make([]byte, 8)
	_, _ = rand.Read(b) // never fails
	return fmt.Sprintf("%s_%d_%s", prefix, time.Now().Unix(), hex.EncodeToString(b))
}

// dbURL returns admin with its database replaced by name.
func dbURL(admin, name string) (string, error) {
	u, err := url.Parse(admin)
	if err != nil || (u.Scheme != "postgres" && u.Scheme != "postgresql") {
		return "", fmt.Errorf("%s must be a postgres:// URL", EnvPostgres)
	}
	u.Path = "/" + name
	u.RawPath = ""
	return u.String(), nil
}

// exec runs one statement on a connection of its own.
func exec(ctx context.Context, admin, sql string) error {
	conn, err := pgx.Connect(ctx, admin)
	if err != nil {
		return fmt.Errorf("connect: %w", err)
	}
	defer conn.Close(context.Background())
	_, err = conn.Exec(ctx, sql)
	return err
}

// ident quotes a database name for SQL.
func ident(name string) string { return pgx.Identifier{name}.Sanitize() }
