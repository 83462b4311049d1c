package app_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/notalone/notalone/internal/apptest"
	"github.com/notalone/notalone/internal/event"
	"github.com/notalone/notalone/internal/help"
	"github.com/notalone/notalone/internal/store"
	"github.com/notalone/notalone/internal/web"
)

// TestResponderKeyCommands: init writes the private key outside the data
// dir and the public key into the database; an instance without the key
// takes requests but cannot open them; rotate re-seals every case so only
// the new key is needed; a key inside the data dir is refused.
func TestResponderKeyCommands(t *testing.T) {
	dataDir := t.TempDir()
	keys := t.TempDir()
	env := map[string]string{"NOTALONE_DATA_DIR": dataDir}
	if _, err := runIn(t, env, "", "responder-key", "init", "--out", filepath.Join(dataDir, "key.pem")); err == nil || !strings.Contains(err.Error(), "inside the data dir") {
		t.Errorf("a key in the data dir: %v", err)
	}
	oldKey := filepath.Join(keys, "old.pem")
	out, err := runIn(t, env, "", "responder-key", "init", "--out", oldKey)
	if err != nil || !strings.Contains(out, "wrote the responders' private key") {
		t.Fatalf("init = %q, %v", out, err)
	}
	if fi, err := os.Stat(oldKey); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("key file mode = %v, %v", fi.Mode(), err)
	}
	if _, err := runIn(t, env, "", "responder-key", "init", "--out", filepath.Join(keys, "again.pem")); err == nil {
		t.Error("a second init was allowed")
	}

	// An intake-only instance seals a request it cannot open.
	s := apptest.Settings(t)
	s.DataDir = dataDir
	in, log := apptest.Start(t, s)
	if !strings.Contains(log.String(), "intake only") {
		t.Errorf("the instance did not say it is intake-only:\n%s", log)
	}
	rs := in.Server.Web.Reports
	d := event.Device{Event: event.Event{ID: event.DefaultID}}
	rc, problems, err := rs.Submit(context.Background(), help.Request{Topic: "grooming", Description: "secret words"}, nil, d, "test")
	if err != nil || len(problems) > 0 || rc.Receipt == "" {
		t.Fatalf("submit = %+v, %v, %v", rc, problems, err)
	}
	inbox, _ := in.DB.Inbox(context.Background(), false, 0)
	sc, err := in.DB.Case(context.Background(), inbox[0].ID)
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := rs.OpenCase(sc); err != web.ErrIntakeOnly {
		t.Errorf("open on an intake-only instance: %v", err)
	}
	if err := in.Shutdown(context.Background()); err != nil {
		t.Fatal(err)
	}

	newKey := filepath.Join(keys, "new.pem")
	out, err = runIn(t, env, "", "responder-key", "rotate", "--key", oldKey, "--out", newKey, "--settle", "0")
	if err != nil || !strings.Contains(out, "re-sealed 1 cases") {
		t.Fatalf("rotate = %q, %v", out, err)
	}
	b, _ := os.ReadFile(newKey)
	newKeys, err := help.DecodePrivateKeys(b)
	if err != nil {
		t.Fatal(err)
	}
	rs2 := &web.Reports{PrivateKeys: newKeys}
	db := reopen(t, dataDir)
	sc, err = db.Case(context.Background(), inbox[0].ID)
	if err != nil {
		t.Fatal(err)
	}
	c, _, err := rs2.OpenCase(sc)
	if err != nil || c.Request.Description != "secret words" {
		t.Errorf("after rotation, the new key alone opens %q, %v", c.Request.Description, err)
	}
}

// TestPartnerCommand issues a token shown once.
func TestPartnerCommand(t *testing.T) {
	env := map[string]string{"NOTALONE_DATA_DIR": t.TempDir()}
	out, err := runIn(t, env, "", "partner", "add", "--name", "TikTok Trust & Safety")
	if err != nil || !strings.Contains(out, "Authorization: Bearer nap_") {
		t.Errorf("partner add = %q, %v", out, err)
	}
	if _, err := runIn(t, env, "", "partner", "add"); err == nil {
		t.Error("partner add without a name was allowed")
	}
}

// TestCaseExportOpen opens an exported case with its passphrase.
func TestCaseExportOpen(t *testing.T) {
	dir := t.TempDir()
	pkg, err := help.BuildExport(help.Case{ID: "c1", Receipt: "AAAAA-BBBBB", Request: help.Request{Topic: "grooming"}, CreatedAt: time.Now(), UpdatedAt: time.Now()},
		nil, "hotline-111", "r@x.example", time.Now())
	if err != nil {
		t.Fatal(err)
	}
	sealed, err := help.EncryptExportPassphrase(pkg, "correct horse battery")
	if err != nil {
		t.Fatal(err)
	}
	in, pass, out := filepath.Join(dir, "case.notalone-export"), filepath.Join(dir, "pass"), filepath.Join(dir, "case.zip")
	os.WriteFile(in, sealed, 0o600)
	os.WriteFile(pass, []byte("correct horse battery\n"), 0o600)
	if _, err := runIn(t, nil, "", "case-export", "open", in, "--out", out, "--passphrase-file", pass); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(out); string(b) != string(pkg) {
		t.Error("the opened package differs")
	}
	os.WriteFile(pass, []byte("wrong passphrase here\n"), 0o600)
	if _, err := runIn(t, nil, "", "case-export", "open", in, "--out", out, "--passphrase-file", pass); err == nil {
		t.Error("a wrong passphrase opened the export")
	}
}

// reopen opens the SQLite database of dataDir, as the next instance would.
func reopen(t *testing.T, dataDir string) *store.DB {
	t.Helper()
	db, err := store.Open(context.Background(), filepath.Join(dataDir, "notalone.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}
