package app_test

import (
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/notalone/notalone/internal/app"
	"github.com/notalone/notalone/internal/apptest"
	"github.com/notalone/notalone/internal/event"
)

// run runs one command line with a clean environment plus env.
func run(t *testing.T, env map[string]string, args ...string) (stdout, stderr string, err error) {
	t.Helper()
	var out, errOut bytes.Buffer
	err = app.Main(context.Background(), args, app.Env{
		Getenv: func(k string) string { return env[k] },
		Stdin:  strings.NewReader(""), Stdout: &out, Stderr: &errOut,
	})
	return out.String(), errOut.String(), err
}

func TestVersionAndHelp(t *testing.T) {
	out, _, err := run(t, nil, "version")
	if err != nil || !strings.HasPrefix(out, "notalone ") {
		t.Errorf("version = %q, %v", out, err)
	}
	out, _, err = run(t, nil, "help")
	if err != nil || !strings.Contains(out, "notalone station add") {
		t.Errorf("help = %q, %v", out, err)
	}
	_, errOut, err := run(t, nil, "serve", "--help")
	if !app.IsHelp(err) {
		t.Errorf("serve --help = %v, want the help error", err)
	}
	for _, env := range []string{"NOTALONE_ADDR", "NOTALONE_DATA_DIR", "NOTALONE_DB", "NOTALONE_BASE_URL", "NOTALONE_PUBLIC_URL",
		"NOTALONE_TRUSTED_PROXIES", "NOTALONE_METRICS_ADDR", "NOTALONE_TLS_CERT", "NOTALONE_TLS_KEY", "NOTALONE_TLS_SELF_SIGNED"} {
		if !strings.Contains(errOut, env) {
			t.Errorf("serve --help does not explain %s", env)
		}
	}
	if _, _, err := run(t, nil, "frobnicate"); !errors.Is(err, app.ErrUsage) {
		t.Errorf("unknown command = %v, want a usage error", err)
	}
	if _, _, err := run(t, nil, "serve", "--no-such-flag"); !errors.Is(err, app.ErrUsage) {
		t.Errorf("unknown flag = %v, want a usage error", err)
	}
}

func TestSettingsFromEnvironmentAndFlags(t *testing.T) {
	tests := []struct {
		name    string
		env     map[string]string
		args    []string
		wantErr string
	}{
		{"bad base url", map[string]string{"NOTALONE_BASE_URL": "ftp://x"}, nil, "base URL"},
		{"flag beats env", map[string]string{"NOTALONE_BASE_URL": "ftp://x"}, []string{"--base-url", "http://192.168.1.10:8080"}, ""},
		{"bad proxies", map[string]string{"NOTALONE_TRUSTED_PROXIES": "nope"}, nil, "trusted proxy"},
		{"bad bool", map[string]string{"NOTALONE_TLS_SELF_SIGNED": "maybe"}, nil, "NOTALONE_TLS_SELF_SIGNED"},
		{"cert without key", nil, []string{"--tls-cert", "x.pem"}, "both --tls-cert and --tls-key"},
		{"bad log format", map[string]string{"NOTALONE_LOG_FORMAT": "xml"}, nil, "log format"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env := map[string]string{"NOTALONE_DATA_DIR": t.TempDir()}
			for k, v := range tt.env {
				env[k] = v
			}
			_, _, err := run(t, env, append([]string{"migrate"}, tt.args...)...)
			if tt.wantErr == "" && err != nil {
				t.Errorf("migrate = %v, want success", err)
			}
			if tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)) {
				t.Errorf("migrate = %v, want an error about %q", err, tt.wantErr)
			}
		})
	}
}

func TestStartFailuresAreOneLine(t *testing.T) {
	file := filepath.Join(t.TempDir(), "a-file")
	os.WriteFile(file, []byte("x"), 0o600)
	tests := []struct {
		name string
		env  map[string]string
		want string
	}{
		{"data dir is a file", map[string]string{"NOTALONE_DATA_DIR": file}, "data dir"},
		{"data dir under a file", map[string]string{"NOTALONE_DATA_DIR": filepath.Join(file, "sub")}, "data dir"},
		{"unreachable postgres", map[string]string{"NOTALONE_DATA_DIR": t.TempDir(), "NOTALONE_DB": "postgres://nobody:x@127.0.0.1:1/none?sslmode=disable&connect_timeout=2"}, "connect to postgres"},
		{"port in use", nil, "listen on"},
	}
	busy, _ := apptest.MustStart(t)
	tests[3].env = map[string]string{"NOTALONE_DATA_DIR": t.TempDir(), "NOTALONE_ADDR": strings.TrimPrefix(busy.URL, "http://")}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
			defer cancel()
			var out, errOut bytes.Buffer
			err := app.Main(ctx, []string{"serve"}, app.Env{Getenv: func(k string) string { return tt.env[k] }, Stdout: &out, Stderr: &errOut})
			if err == nil {
				t.Fatal("serve started, want an error")
			}
			if msg := err.Error(); !strings.Contains(msg, tt.want) || strings.Contains(msg, "\n") || strings.Contains(msg, "goroutine") {
				t.Errorf("error = %q, want one line about %q", msg, tt.want)
			}
		})
	}
}

func TestSecondServeOnOneSQLiteDirIsRefused(t *testing.T) {
	first, _ := apptest.MustStart(t)
	s := apptest.Settings(t)
	s.DataDir = first.Settings.DataDir
	s.Resolve()
	_, err := app.Start(context.Background(), s, nil)
	if err == nil || !strings.Contains(err.Error(), "in use by another notalone serve") {
		t.Fatalf("second serve = %v, want it refused", err)
	}
	// The first still works and its database is intact.
	if err := first.DB.Ping(context.Background()); err != nil {
		t.Errorf("first instance's database: %v", err)
	}
	if _, err := first.DB.Event(context.Background(), event.DefaultID); err != nil {
		t.Errorf("default event after the refused start: %v", err)
	}
}

func TestFirstStartCreatesDataDirAndDefaultEvent(t *testing.T) {
	s := apptest.Settings(t)
	s.DataDir = filepath.Join(s.DataDir, "new", "dir")
	in, _ := apptest.Start(t, s)
	if _, err := os.Stat(filepath.Join(s.DataDir, "notalone.db")); err != nil {
		t.Errorf("database file: %v", err)
	}
	e, err := in.DB.Event(context.Background(), "online")
	if err != nil || e.ID != "online" {
		t.Errorf("default event = %+v, %v", e, err)
	}
}

func TestEventAndStationCommands(t *testing.T) {
	env := map[string]string{"NOTALONE_DATA_DIR": t.TempDir(), "NOTALONE_BASE_URL": "http://192.168.1.10:8080"}
	if _, _, err := run(t, env, "event", "create", "--id", "hanoi-festival", "--name", "Ngày hội an toàn trực tuyến", "--place", "Hà Nội",
		"--starts", "2026-12-01", "--ends", "2026-12-02"); err != nil {
		t.Fatalf("event create: %v", err)
	}
	_, _, err := run(t, env, "event", "create", "--id", "hanoi-festival", "--name", "Again")
	if err == nil || !strings.Contains(err.Error(), "already exists") {
		t.Errorf("duplicate event create = %v, want 'already exists'", err)
	}
	_, _, err = run(t, env, "event", "create", "--id", "x", "--name", "Short id")
	if err == nil || !strings.Contains(err.Error(), "id:") {
		t.Errorf("bad id = %v, want an error about the id", err)
	}
	out, _, err := run(t, env, "event", "list")
	if err != nil || !strings.Contains(out, "hanoi-festival") || !strings.Contains(out, "online") {
		t.Errorf("event list = %q, %v", out, err)
	}
	out, _, err = run(t, env, "station", "add", "--event", "hanoi-festival", "--kind", "kiosk", "--name", "Kiosk 1")
	if err != nil {
		t.Fatalf("station add: %v", err)
	}
	link := regexp.MustCompile(`setup link: (http://192\.168\.1\.10:8080/station/setup\?token=\S+)`).FindStringSubmatch(out)
	if link == nil {
		t.Fatalf("station add printed no setup link on the base URL:\n%s", out)
	}
	if _, _, err := run(t, env, "station", "add", "--event", "nope", "--kind", "kiosk", "--name", "K"); err == nil || !strings.Contains(err.Error(), "Event not found") {
		t.Errorf("station on unknown event = %v", err)
	}
	if _, _, err := run(t, env, "station", "add", "--event", "hanoi-festival", "--kind", "toaster", "--name", "K"); err == nil || !strings.Contains(err.Error(), "kiosk, a wall or a desk") {
		t.Errorf("bad kind = %v", err)
	}
	out, _, err = run(t, env, "station", "list", "--event", "hanoi-festival")
	if err != nil || !strings.Contains(out, link[1]) {
		t.Errorf("station list = %q, %v; want the same setup link", out, err)
	}
	id := strings.Fields(strings.Split(out, "\n")[1])[0]
	if _, _, err := run(t, env, "station", "revoke", id); err != nil {
		t.Fatalf("station revoke: %v", err)
	}
	out, _, _ = run(t, env, "station", "list")
	if !strings.Contains(out, "revoked") || strings.Contains(out, link[1]) {
		t.Errorf("revoked station still lists its link:\n%s", out)
	}
	if _, _, err := run(t, env, "station", "revoke", "nope"); err == nil {
		t.Errorf("revoking an unknown station succeeded")
	}
}

func TestContentCheck(t *testing.T) {
	out, _, err := run(t, nil, "content", "check")
	if err != nil || !strings.Contains(out, "valid") {
		t.Errorf("content check = %q, %v", out, err)
	}
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "hotlines.yaml"), []byte(`hotlines:
  - id: x1
    number: "111"
    name: {vi: Một, en: <i>One</i>}
    description: {vi: Hai, en: Two}
    source: s
`), 0o600)
	out, _, err = run(t, nil, "content", "check", "--dir", dir)
	if err == nil || !strings.Contains(out, "hotlines.yaml: x1: name.en: contains HTML") {
		t.Errorf("content check of a bad pack = %q, %v", out, err)
	}
}

// TestBackupWhileServingAndRestore makes a backup while the server writes,
// restores it into a fresh data dir, and finds the data there.
func TestBackupWhileServingAndRestore(t *testing.T) {
	in, _ := apptest.MustStart(t)
	ctx := context.Background()
	if _, err := in.DB.CreateEvent(ctx, event.Event{ID: "backup-day", Name: "Backup day"}); err != nil {
		t.Fatal(err)
	}
	// Keep writing while the backup runs.
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for i := 0; ; i++ {
			select {
			case <-stop:
				return
			default:
				in.DB.CreateStation(ctx, "backup-day", event.Kiosk, "Kiosk")
			}
		}
	}()
	env := map[string]string{"NOTALONE_DATA_DIR": in.Settings.DataDir}
	out := filepath.Join(t.TempDir(), "b.db")
	if _, _, err := run(t, env, "backup", "--out", out); err != nil {
		close(stop)
		t.Fatalf("backup while serving: %v", err)
	}
	close(stop)
	wg.Wait()
	if _, _, err := run(t, env, "backup", "--out", out); err == nil {
		t.Errorf("backup over an existing file succeeded")
	}
	if _, _, err := run(t, env, "restore", "--from", out); err == nil || !strings.Contains(err.Error(), "stop the server") {
		t.Errorf("restore under a running server = %v, want refused", err)
	}

	fresh := map[string]string{"NOTALONE_DATA_DIR": t.TempDir()}
	if _, _, err := run(t, fresh, "restore", "--from", filepath.Join(t.TempDir(), "missing.db")); err == nil {
		t.Errorf("restore of a missing file succeeded")
	}
	junk := filepath.Join(t.TempDir(), "junk.db")
	os.WriteFile(junk, []byte("not a database at all"), 0o600)
	if _, _, err := run(t, fresh, "restore", "--from", junk); err == nil {
		t.Errorf("restore of a junk file succeeded")
	}
	if _, _, err := run(t, fresh, "restore", "--from", out); err != nil {
		t.Fatalf("restore: %v", err)
	}
	listed, _, err := run(t, fresh, "event", "list")
	if err != nil || !strings.Contains(listed, "backup-day") {
		t.Errorf("restored database lacks the event: %q, %v", listed, err)
	}
	// Restoring again keeps the replaced database beside it.
	msg, _, err := run(t, fresh, "restore", "--from", out)
	if err != nil || !strings.Contains(msg, "previous database was kept") {
		t.Errorf("second restore = %q, %v", msg, err)
	}
}

func TestSelfSignedTLS(t *testing.T) {
	s := apptest.Settings(t)
	s.TLSSelfSigned = true
	in, _ := apptest.Start(t, s)
	if !strings.HasPrefix(in.URL, "https://") || len(in.Fingerprint) != 64 {
		t.Fatalf("URL %q fingerprint %q", in.URL, in.Fingerprint)
	}
	c := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{InsecureSkipVerify: true}}}
	res, err := c.Get(in.URL + "/?lang=en")
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != 200 {
		t.Errorf("GET over TLS = %d", res.StatusCode)
	}
	for _, ck := range res.Cookies() {
		if ck.Name == "na_lang" && !ck.Secure {
			t.Errorf("cookie over TLS is not Secure")
		}
	}
	// The certificate names localhost, and is reused on the next start.
	leaf := res.TLS.PeerCertificates[0]
	if err := leaf.VerifyHostname("localhost"); err != nil {
		t.Errorf("certificate: %v", err)
	}
	if _, err := os.Stat(filepath.Join(s.DataDir, "tls", "self-signed.key")); err != nil {
		t.Errorf("key file: %v", err)
	}
}

func TestSeparateMetricsListener(t *testing.T) {
	s := apptest.Settings(t)
	s.MetricsAddr = "127.0.0.1:0"
	in, _ := apptest.Start(t, s)
	res, err := http.Get(in.MetricsURL + "/metrics")
	if err != nil || res.StatusCode != 200 {
		t.Fatalf("metrics listener: %v %v", res, err)
	}
	res.Body.Close()
	res, err = http.Get(in.URL + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != 404 {
		t.Errorf("/metrics on the main listener = %d, want 404 when a metrics address is set", res.StatusCode)
	}
}

// TestServeStopsGracefully runs "notalone serve" until its context ends,
// as SIGTERM or SIGINT does in main, and expects a clean exit.
func TestServeStopsGracefully(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	env := map[string]string{"NOTALONE_DATA_DIR": t.TempDir(), "NOTALONE_ADDR": "127.0.0.1:0"}
	var out, errOut bytes.Buffer
	done := make(chan error, 1)
	go func() {
		done <- app.Main(ctx, []string{"serve"}, app.Env{Getenv: func(k string) string { return env[k] }, Stdout: &syncWriter{w: &out}, Stderr: &syncWriter{w: &errOut}})
	}()
	// Wait until it has started (it prints the address), then stop it.
	deadline := time.Now().Add(20 * time.Second)
	for !strings.Contains(lockedString(&out), "Not Alone is running") && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("serve after a stop signal = %v, want nil", err)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("serve did not stop")
	}
	if !strings.Contains(lockedString(&errOut), "shutting down") {
		t.Errorf("no shutdown in the log:\n%s", lockedString(&errOut))
	}
}

var outMu sync.Mutex

type syncWriter struct{ w *bytes.Buffer }

func (s *syncWriter) Write(p []byte) (int, error) {
	outMu.Lock()
	defer outMu.Unlock()
	return s.w.Write(p)
}

func lockedString(b *bytes.Buffer) string {
	outMu.Lock()
	defer outMu.Unlock()
	return b.String()
}
