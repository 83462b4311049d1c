package server_test

import (
	"archive/zip"
	"bytes"
	"context"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/notalone/notalone/internal/apptest"
	"github.com/notalone/notalone/internal/content"
	"github.com/notalone/notalone/internal/quiz"
	"github.com/notalone/notalone/internal/staff"
	"github.com/notalone/notalone/internal/store"
)

// uploadPack posts data as the pack file of the import form.
func uploadPack(t *testing.T, h http.Handler, c *http.Cookie, data []byte) *http.Response {
	t.Helper()
	var b bytes.Buffer
	mw := multipart.NewWriter(&b)
	fw, err := mw.CreateFormFile("pack", "pack.zip")
	if err != nil {
		t.Fatal(err)
	}
	fw.Write(data)
	mw.Close()
	r := httptest.NewRequest("POST", "/console/content/packs/import", &b)
	r.Header.Set("Content-Type", mw.FormDataContentType())
	r.AddCookie(c)
	return do(t, h, r)
}

// withPrompt exports pack with one item's English prompt replaced.
func withPrompt(t *testing.T, pack *content.Bundle, id, prompt string) []byte {
	t.Helper()
	items := slices.Clone(pack.Items)
	for i := range items {
		if items[i].ID == id {
			items[i].Prompt.EN = prompt
		}
	}
	data, err := content.Export(items, pack.Quizzes, pack.Hotlines, pack.PledgeOptions)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// padded rewrites a zip uncompressed, with a YAML comment of n bytes
// added to hotlines.yaml: a valid pack with a large body.
func padded(t *testing.T, data []byte, n int) []byte {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	zw := zip.NewWriter(&out)
	for _, f := range zr.File {
		rc, _ := f.Open()
		b, _ := io.ReadAll(rc)
		rc.Close()
		w, _ := zw.CreateHeader(&zip.FileHeader{Name: f.Name, Method: zip.Store})
		if f.Name == "hotlines.yaml" {
			io.WriteString(w, "#"+strings.Repeat(" ", n)+"\n")
		}
		w.Write(b)
	}
	zw.Close()
	return out.Bytes()
}

func TestEditorExportsAndImportsPacks(t *testing.T) {
	in, _ := apptest.MustStart(t)
	h := in.Server.Handler()
	ctx := context.Background()
	ed := signIn(t, in, "ed@x.example", staff.Editor)
	get := func(path string) *http.Response {
		r := httptest.NewRequest("GET", path, nil)
		r.AddCookie(ed)
		return do(t, h, r)
	}
	const id = "q-otp-who-can-ask"
	bank := func() *quiz.Bank { return in.Server.Web.Play.Bank() }
	original := bank().Item(id).Prompt.EN

	if res := get("/console/content?lang=en"); !strings.Contains(body(t, res), `href="/console/content/packs"`) {
		t.Errorf("the content page does not link to the packs page")
	}
	if res := get("/console/content/packs?lang=en"); res.StatusCode != 200 || !strings.Contains(body(t, res), `enctype="multipart/form-data"`) {
		t.Errorf("packs page = %d", res.StatusCode)
	}

	res := get("/console/content/packs/export")
	if res.StatusCode != 200 || res.Header.Get("Content-Type") != "application/zip" {
		t.Fatalf("export = %d %s", res.StatusCode, res.Header.Get("Content-Type"))
	}
	if cd := res.Header.Get("Content-Disposition"); !regexp.MustCompile(`^attachment; filename="notalone-content-\d{4}-\d{2}-\d{2}\.zip"$`).MatchString(cd) {
		t.Errorf("Content-Disposition = %q", cd)
	}
	exported := []byte(body(t, res))
	pack, err := content.LoadZip(exported, 0)
	if err != nil {
		t.Fatalf("the export does not load: %v", err)
	}
	if len(pack.Items) != len(bank().AllItems()) {
		t.Errorf("export has %d items, the bank %d", len(pack.Items), len(bank().AllItems()))
	}

	// A pack with one broken item is refused as a whole, with the problem.
	bad := withPrompt(t, pack, id, "<b>Who?</b>")
	res = uploadPack(t, h, ed, bad)
	b := body(t, res)
	if res.StatusCode != 400 || !strings.Contains(b, id+": prompt.en: contains HTML") {
		t.Errorf("broken pack = %d, want 400 with the problem listed:\n%.3000s", res.StatusCode, b)
	}
	if got := bank().Item(id).Prompt.EN; got != original {
		t.Errorf("a refused pack changed the item: %q", got)
	}
	if v, _ := in.DB.ItemVersions(ctx, id); len(v) != 0 {
		t.Errorf("a refused pack left %d versions", len(v))
	}
	for _, junk := range [][]byte{nil, []byte("not a zip")} {
		if res := uploadPack(t, h, ed, junk); res.StatusCode != 400 {
			t.Errorf("upload of %q = %d, want 400", junk, res.StatusCode)
		}
	}

	// A good pack, bigger than the server's default body limit.
	good := padded(t, withPrompt(t, pack, id, "Who may ask for the OTP code your phone just got?"), 3<<20/2)
	if len(good) <= 1<<20 {
		t.Fatalf("the test pack is only %d bytes", len(good))
	}
	res = uploadPack(t, h, ed, good)
	loc := res.Header.Get("Location")
	if res.StatusCode != 303 || !strings.Contains(loc, "items_changed=1") || !strings.Contains(loc, "items_added=0") {
		t.Fatalf("good pack = %d %s, want 303 with one item changed", res.StatusCode, loc)
	}
	if got := bank().Item(id).Prompt.EN; got != "Who may ask for the OTP code your phone just got?" {
		t.Errorf("imported prompt = %q", got)
	}
	if b := body(t, get(loc+"&lang=en")); !strings.Contains(b, "Questions: 0 new, 1 changed") {
		t.Errorf("no import summary on the page:\n%.2000s", b)
	}
	versions, _ := in.DB.ItemVersions(ctx, id)
	if len(versions) != 1 || versions[0].Note != "imported" || versions[0].Author != "ed@x.example" {
		t.Errorf("versions after import = %+v", versions)
	}
	entries, _ := in.DB.AuditEntries(ctx, store.AuditFilter{Actor: "ed@x.example"})
	var actions []string
	for _, e := range entries {
		if strings.HasPrefix(e.Action, "content.") {
			actions = append(actions, e.Action)
		}
	}
	if !slices.Contains(actions, "content.export") || !slices.Contains(actions, "content.import") || len(actions) != 2 {
		t.Errorf("audit actions = %v, want one export and one import", actions)
	}

	// More than the upload limit is refused before it is read.
	huge := bytes.Repeat([]byte{'x'}, 11<<20)
	if res := uploadPack(t, h, ed, huge); res.StatusCode != 413 {
		t.Errorf("11 MB upload = %d, want 413", res.StatusCode)
	}
}

// TestLargeBodiesOnlyWhereAllowed: the import route's larger cap is its
// own; other routes keep the default.
func TestLargeBodiesOnlyWhereAllowed(t *testing.T) {
	in, _ := apptest.MustStart(t)
	h := in.Server.Handler()
	ed := signIn(t, in, "ed@x.example", staff.Editor)
	big := strings.Repeat("x", 2<<20)
	r := httptest.NewRequest("POST", "/console/content/items/q-otp-who-can-ask", strings.NewReader("note="+big))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	r.AddCookie(ed)
	if res := do(t, h, r); res.StatusCode != 413 {
		t.Errorf("2 MB form to another route = %d, want 413", res.StatusCode)
	}
}
