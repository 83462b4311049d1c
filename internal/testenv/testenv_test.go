package testenv

import (
	"context"
	"fmt"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/jackc/pgx/v5"
)

func TestDecide(t *testing.T) {
	tests := []struct {
		name     string
		env      map[string]string
		want     string
		wantAct  action
		wantMsgs []string // substrings of the message
	}{
		{
			name:    "set",
			env:     map[string]string{EnvPostgres: "postgres://a@b/c"},
			want:    "postgres://a@b/c",
			wantAct: use,
		},
		{
			name:    "set in CI",
			env:     map[string]string{EnvPostgres: "postgres://a@b/c", EnvCI: "true"},
			want:    "postgres://a@b/c",
			wantAct: use,
		},
		{
			name:     "unset",
			env:      map[string]string{},
			wantAct:  skip,
			wantMsgs: []string{"PostgreSQL tests skipped", "set " + EnvPostgres + "=postgres://", "to run them"},
		},
		{
			name:     "empty counts as unset",
			env:      map[string]string{EnvPostgres: "", EnvCI: ""},
			wantAct:  skip,
			wantMsgs: []string{"PostgreSQL tests skipped"},
		},
		{
			name:     "unset in CI",
			env:      map[string]string{EnvCI: "true"},
			wantAct:  fail,
			wantMsgs: []string{EnvPostgres + " is required when CI is set"},
		},
		{
			name:     "any CI value means CI",
			env:      map[string]string{EnvCI: "1"},
			wantAct:  fail,
			wantMsgs: []string{EnvPostgres},
		},
		{
			name:     "other variable set",
			env:      map[string]string{EnvChromium: "/usr/bin/chromium"},
			wantAct:  skip,
			wantMsgs: []string{EnvPostgres},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			getenv := func(k string) string { return tt.env[k] }
			got, act, msg := decide(getenv, postgresResource)
			if got != tt.want || act != tt.wantAct {
				t.Errorf("decide(%v) = %q, %v, want %q, %v", tt.env, got, act, tt.want, tt.wantAct)
			}
			if act == use && msg != "" {
				t.Errorf("decide(%v) message = %q, want none", tt.env, msg)
			}
			for _, s := range tt.wantMsgs {
				if !strings.Contains(msg, s) {
					t.Errorf("decide(%v) message = %q, want it to contain %q", tt.env, msg, s)
				}
			}
		})
	}
}

func TestDecideNamesEachResource(t *testing.T) {
	none := func(string) string { return "" }
	for _, r := range []resource{postgresResource, chromiumResource, axeResource} {
		_, act, msg := decide(none, r)
		if act != skip || !strings.HasPrefix(msg, r.name+" tests skipped: set "+r.env+"=") {
			t.Errorf("decide(%s) = %v, %q, want skip naming %s", r.env, act, msg, r.env)
		}
	}
}

func TestDBURL(t *testing.T) {
	tests := []struct {
		admin, name, want string
		wantErr           bool
	}{
		{"postgres://u:p@127.0.0.1:5432/postgres?sslmode=disable", "t_1", "postgres://u:p@127.0.0.1:5432/t_1?sslmode=disable", false},
		{"postgresql://u@h", "t_2", "postgresql://u@h/t_2", false},
		{"host=h user=u dbname=postgres", "t_3", "", true},
	}
	for _, tt := range tests {
		got, err := dbURL(tt.admin, tt.name)
		if got != tt.want || (err != nil) != tt.wantErr {
			t.Errorf("dbURL(%q, %q) = %q, %v, want %q (error: %v)", tt.admin, tt.name, got, err, tt.want, tt.wantErr)
		}
	}
}

func TestNewName(t *testing.T) {
	a, b := newName("t"), newName("tmpl")
	if !ourName.MatchString(a) || !ourName.MatchString(b) || a == b {
		t.Errorf("newName gave %q and %q, want two distinct names matching %v", a, b, ourName)
	}
}

// prepareCalls counts runs of prepareSeen: the template is built once per
// process, however many tests ask for a database.
var prepareCalls atomic.Int32

// prepareSeen is a prepare function as a store's migration would be: it
// opens its own connection, creates a table and closes the connection.
func prepareSeen(ctx context.Context, u string) error {
	prepareCalls.Add(1)
	conn, err := pgx.Connect(ctx, u)
	if err != nil {
		return err
	}
	defer conn.Close(ctx)
	_, err = conn.Exec(ctx, `CREATE TABLE seen (v text NOT NULL); INSERT INTO seen VALUES ('from prepare')`)
	return err
}

func TestPostgresDB(t *testing.T) {
	admin := Postgres(t)
	ctx := context.Background()

	var made []string
	t.Run("distinct working databases", func(t *testing.T) {
		a, b := PostgresDB(t, prepareSeen), PostgresDB(t, prepareSeen)
		if a == b {
			t.Fatalf("PostgresDB twice = %q, want two URLs", a)
		}
		ca, cb := connect(t, a), connect(t, b)
		for _, c := range []*pgx.Conn{ca, cb} {
			var db, v string
			if err := c.QueryRow(ctx, `SELECT current_database(), (SELECT v FROM seen)`).Scan(&db, &v); err != nil {
				t.Fatalf("query: %v", err)
			}
			if v != "from prepare" || !strings.HasPrefix(db, "t_") {
				t.Errorf("database %q has seen.v = %q, want a t_ database with %q", db, v, "from prepare")
			}
			made = append(made, db)
		}
		if _, err := ca.Exec(ctx, `INSERT INTO seen VALUES ('only a')`); err != nil {
			t.Fatal(err)
		}
		var n int
		if err := cb.QueryRow(ctx, `SELECT count(*) FROM seen`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		if n != 1 {
			t.Errorf("second database sees %d rows, want 1: the databases are not separate", n)
		}
	})

	t.Run("parallel", func(t *testing.T) {
		for i := range 4 {
			t.Run(fmt.Sprint(i), func(t *testing.T) {
				t.Parallel()
				var v string
				if err := connect(t, PostgresDB(t, prepareSeen)).QueryRow(ctx, `SELECT v FROM seen`).Scan(&v); err != nil {
					t.Fatal(err)
				}
			})
		}
	})

	if n := prepareCalls.Load(); n != 1 {
		t.Errorf("prepare ran %d times, want once per process", n)
	}

	// The subtests' cleanups have run: their databases must be gone.
	if len(made) != 2 {
		t.Fatalf("got databases %q, want 2", made)
	}
	c := connect(t, admin)
	var left int
	if err := c.QueryRow(ctx, `SELECT count(*) FROM pg_database WHERE datname = ANY($1)`, made).Scan(&left); err != nil {
		t.Fatal(err)
	}
	if left != 0 {
		t.Errorf("%d of %q still exist after the tests ended, want them dropped", left, made)
	}
}

// connect opens a connection that the test closes when it ends.
func connect(t *testing.T, u string) *pgx.Conn {
	t.Helper()
	c, err := pgx.Connect(context.Background(), u)
	if err != nil {
		pu, _ := url.Parse(u)
		t.Fatalf("connect to %s: %v", pu.Redacted(), err)
	}
	t.Cleanup(func() { c.Close(context.Background()) })
	return c
}
