package app_test

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/notalone/notalone/internal/app"
)

// runIn runs a command line with stdin.
func runIn(t *testing.T, env map[string]string, stdin string, args ...string) (string, error) {
	t.Helper()
	var out, errOut bytes.Buffer
	err := app.Main(context.Background(), args, app.Env{
		Getenv: func(k string) string { return env[k] },
		Stdin:  strings.NewReader(stdin), Stdout: &out, Stderr: &errOut,
	})
	return out.String(), err
}

func TestUserCommands(t *testing.T) {
	env := map[string]string{"NOTALONE_DATA_DIR": t.TempDir()}
	out, err := runIn(t, env, "correct horse battery staple\n", "user", "add", "--email", "An@X.example", "--role", "admin")
	if err != nil || !strings.Contains(out, "an@x.example added") || !strings.Contains(out, "second factor") {
		t.Fatalf("user add = %q, %v", out, err)
	}
	for _, tt := range []struct {
		name, stdin string
		args        []string
		want        string
	}{
		{"short password", "short\n", []string{"user", "add", "--email", "b@x.example", "--role", "editor"}, "password"},
		{"common password", "password12345\n", []string{"user", "add", "--email", "b@x.example", "--role", "editor"}, "password"},
		{"no role", "correct horse battery staple\n", []string{"user", "add", "--email", "b@x.example"}, "role"},
		{"bad role", "correct horse battery staple\n", []string{"user", "add", "--email", "b@x.example", "--role", "boss"}, "role"},
		{"bad email", "correct horse battery staple\n", []string{"user", "add", "--email", "not-an-email", "--role", "editor"}, "email"},
		{"taken email", "correct horse battery staple\n", []string{"user", "add", "--email", "an@x.example", "--role", "editor"}, "email"},
		{"unknown account", "", []string{"user", "disable", "--email", "who@x.example"}, "not found"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := runIn(t, env, tt.stdin, tt.args...); err == nil || !strings.Contains(strings.ToLower(err.Error()), tt.want) {
				t.Errorf("%v = %v, want an error about %q", tt.args, err, tt.want)
			}
		})
	}
	out, err = runIn(t, env, "", "user", "list")
	if err != nil || !strings.Contains(out, "an@x.example") || !strings.Contains(out, "admin") || !strings.Contains(out, "active") {
		t.Errorf("user list = %q, %v", out, err)
	}
	if _, err := runIn(t, env, "", "user", "disable", "--email", "an@x.example"); err != nil {
		t.Fatal(err)
	}
	out, _ = runIn(t, env, "", "user", "list")
	if !strings.Contains(out, "disabled") {
		t.Errorf("user list after disable = %q", out)
	}
	if out, err := runIn(t, env, "another long pass phrase\n", "user", "reset", "--email", "an@x.example", "--second-factor"); err != nil || !strings.Contains(out, "every session ended") {
		t.Errorf("user reset = %q, %v", out, err)
	}
	out, err = runIn(t, env, "", "audit", "verify")
	if err != nil || !strings.Contains(out, "audit log intact") {
		t.Errorf("audit verify = %q, %v", out, err)
	}
}
