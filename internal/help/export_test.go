package help

import (
	"archive/zip"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"image"
	"image/color"
	"image/png"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"golang.org/x/text/unicode/norm"

	"github.com/notalone/notalone/internal/errs"
	"github.com/notalone/notalone/internal/testenv"
)

// Texts of the export fixture that must never show in an encrypted export.
const (
	exportDescription = "Có người dọa phát tán ảnh của mình"
	exportCanary      = "dọa phát tán"
	exportContact     = "0912 345 678"
	exportPassword    = "mưa rơi trên phố cổ 2026"
)

// tinyPNG is a 1×1 PNG.
func tinyPNG(tb testing.TB) []byte {
	tb.Helper()
	img := image.NewRGBA(image.Rect(0, 0, 1, 1))
	img.Set(0, 0, color.RGBA{200, 30, 30, 255})
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		tb.Fatal(err)
	}
	return buf.Bytes()
}

// exportFixture is a case as a responder's console holds it, with
// Vietnamese text, a note, a referral and one evidence image (and a second
// file that is not exported).
func exportFixture(tb testing.TB) (Case, []ExportFile, time.Time) {
	tb.Helper()
	t0 := time.Date(2026, 11, 20, 8, 30, 0, 0, time.UTC)
	closed := t0.Add(72 * time.Hour)
	img := tinyPNG(tb)
	c := Case{
		ID: "0123456789abcdef0123456789abcdef", Receipt: "K7Q2M-9XW4P",
		EventID: "ev-hanoi-2026", StationID: "st-3", Source: "event",
		Request: Request{
			Topic: "sextortion", Platform: "facebook", Happened: "this-week",
			DangerNow: true, Isolated: true,
			Description: exportDescription,
			ContactKind: ContactPhone, Contact: exportContact,
			AgeBand: "teens", Consent: true,
		},
		Priority: Urgent, Flags: []string{"sextortion-threat", "secrecy"},
		Status: StatusClosed, CloseReason: "referred-out",
		AssignedTo: "Nguyễn Thị Hoa", PublicMessage: "Chúng mình đã nhận được và đang giúp em.",
		CreatedAt: t0, UpdatedAt: t0.Add(time.Hour), ClosedAt: &closed,
		ReviewDue: true,
		Files:     []File{{N: 1, MIME: "image/png", Size: len(img)}, {N: 2, MIME: "image/jpeg", Size: 12345}},
		Notes:     []Note{{N: 1, Author: "Hoa", Body: "Đã gọi lại cho em, em an toàn.", CreatedAt: t0.Add(30 * time.Minute)}},
		Referrals: []Referral{{N: 1, Partner: "police-cyber", Shared: "Mô tả và ảnh chụp màn hình", Consent: true,
			By: "Hoa", At: t0.Add(2 * time.Hour)}},
	}
	return c, []ExportFile{{N: 1, MIME: "image/png", Data: img}}, t0.Add(48 * time.Hour)
}

func mustBuildExport(tb testing.TB) (Case, []ExportFile, []byte) {
	tb.Helper()
	c, files, at := exportFixture(tb)
	pkg, err := BuildExport(c, files, "police-cyber", "Nguyễn Thị Hoa", at)
	if err != nil {
		tb.Fatalf("BuildExport() error: %v", err)
	}
	return c, files, pkg
}

// zipFiles reads every entry of a ZIP archive.
func zipFiles(tb testing.TB, pkg []byte) (names []string, files map[string][]byte) {
	tb.Helper()
	zr, err := zip.NewReader(bytes.NewReader(pkg), int64(len(pkg)))
	if err != nil {
		tb.Fatalf("the package is not a ZIP archive: %v", err)
	}
	files = map[string][]byte{}
	for _, f := range zr.File {
		rc, err := f.Open()
		if err != nil {
			tb.Fatalf("open %s: %v", f.Name, err)
		}
		b, err := io.ReadAll(rc)
		rc.Close()
		if err != nil {
			tb.Fatalf("read %s: %v", f.Name, err)
		}
		names = append(names, f.Name)
		files[f.Name] = b
	}
	return names, files
}

func TestExportBuild(t *testing.T) {
	c, files, pkg := mustBuildExport(t)
	names, entries := zipFiles(t, pkg)
	if want := []string{"case.json", "summary.pdf", "evidence/1.png"}; !slices.Equal(names, want) {
		t.Fatalf("the package holds %q, want %q", names, want)
	}
	if !bytes.Equal(entries["evidence/1.png"], files[0].Data) {
		t.Errorf("evidence/1.png differs from the evidence given")
	}

	t.Run("case.json", func(t *testing.T) {
		var doc map[string]any
		dec := json.NewDecoder(bytes.NewReader(entries["case.json"]))
		dec.UseNumber()
		if err := dec.Decode(&doc); err != nil {
			t.Fatalf("case.json: %v", err)
		}
		var keys []string
		for k := range doc {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		wantKeys := []string{"assigned_to", "close_reason", "closed_at", "created_at", "event_id", "exported_at", "exported_by",
			"files", "flags", "format", "format_version", "id", "notes", "partner", "priority", "public_message", "receipt",
			"referrals", "request", "review_due", "source", "station_id", "status", "updated_at"}
		if !slices.Equal(keys, wantKeys) {
			t.Errorf("case.json fields = %q, want %q", keys, wantKeys)
		}
		want := map[string]any{
			"format": "notalone-case-export", "format_version": json.Number("1"),
			"partner": "police-cyber", "exported_by": "Nguyễn Thị Hoa", "exported_at": "2026-11-22T08:30:00Z",
			"id": c.ID, "receipt": c.Receipt, "event_id": c.EventID, "station_id": c.StationID, "source": c.Source,
			"priority": "urgent", "status": "closed", "close_reason": "referred-out", "assigned_to": c.AssignedTo,
			"public_message": c.PublicMessage, "created_at": "2026-11-20T08:30:00Z", "updated_at": "2026-11-20T09:30:00Z",
			"closed_at": "2026-11-23T08:30:00Z", "review_due": true,
		}
		for k, v := range want {
			if doc[k] != v {
				t.Errorf("case.json %s = %#v, want %#v", k, doc[k], v)
			}
		}
		if got, _ := json.Marshal(doc["flags"]); string(got) != `["sextortion-threat","secrecy"]` {
			t.Errorf("case.json flags = %s", got)
		}
		req, _ := doc["request"].(map[string]any)
		wantReq := map[string]any{
			"topic": "sextortion", "platform": "facebook", "happened": "this-week", "danger_now": true,
			"asked_to_meet": false, "isolated": true, "description": exportDescription, "contact_kind": "phone",
			"contact": exportContact, "age_band": "teens", "consent": true,
		}
		if len(req) != len(wantReq) {
			t.Errorf("case.json request has %d fields, want %d: %v", len(req), len(wantReq), req)
		}
		for k, v := range wantReq {
			if req[k] != v {
				t.Errorf("case.json request.%s = %#v, want %#v", k, req[k], v)
			}
		}
		for _, tc := range []struct{ field, want string }{
			{"files", `[{"mime":"image/png","n":1,"name":"evidence/1.png","sha256":"` + exportedFileSum(files[0].Data) +
				`","size":` + strconv.Itoa(len(files[0].Data)) + `},{"mime":"image/jpeg","n":2,"size":12345}]`},
			{"notes", `[{"author":"Hoa","body":"Đã gọi lại cho em, em an toàn.","created_at":"2026-11-20T09:00:00Z","n":1}]`},
			{"referrals", `[{"at":"2026-11-20T10:30:00Z","by":"Hoa","consent":true,"n":1,"override_reason":"","partner":"police-cyber","shared":"Mô tả và ảnh chụp màn hình"}]`},
		} {
			if got, _ := json.Marshal(doc[tc.field]); string(got) != tc.want {
				t.Errorf("case.json %s = %s\nwant %s", tc.field, got, tc.want)
			}
		}
	})

	t.Run("summary.pdf", func(t *testing.T) {
		pdf := entries["summary.pdf"]
		if !bytes.HasPrefix(pdf, []byte("%PDF-")) {
			t.Fatalf("summary.pdf starts with %q", pdf[:min(len(pdf), 8)])
		}
		_, pdftotext := testenv.Poppler(t)
		path := filepath.Join(t.TempDir(), "summary.pdf")
		if err := os.WriteFile(path, pdf, 0o600); err != nil {
			t.Fatal(err)
		}
		out, err := exec.Command(pdftotext, "-enc", "UTF-8", path, "-").Output()
		if err != nil {
			t.Fatalf("pdftotext: %v", err)
		}
		text := norm.NFC.String(string(out))
		for _, want := range []string{
			"Confidential — contains information about a child",
			exportDescription, exportContact, c.Receipt, "police-cyber",
			"Đã gọi lại cho em, em an toàn.", "Mô tả và ảnh chụp màn hình",
			"sextortion", "facebook", "this-week", "urgent", "sextortion-threat, secrecy",
			"evidence/1.png", "không kèm theo / not included", "20/11/2026 15:30 (UTC+7)", "Điện thoại / Phone", "1/1",
		} {
			if !strings.Contains(text, want) {
				t.Errorf("summary.pdf text lacks %q; it is:\n%s", want, text)
			}
		}
	})

	t.Run("same inputs, same bytes", func(t *testing.T) {
		_, _, again := mustBuildExport(t)
		if !bytes.Equal(again, pkg) {
			t.Errorf("BuildExport is not deterministic")
		}
	})
}

// exportedFileSum is the hex SHA-256 of b.
func exportedFileSum(b []byte) string {
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

func TestExportBuildRefuses(t *testing.T) {
	c, files, at := exportFixture(t)
	img := files[0].Data
	for _, tc := range []struct {
		name        string
		files       []ExportFile
		partner, by string
		at          time.Time
	}{
		{"evidence not of the case", []ExportFile{{N: 3, MIME: "image/png", Data: img}}, "police-cyber", "Hoa", at},
		{"evidence given twice", []ExportFile{files[0], files[0]}, "police-cyber", "Hoa", at},
		{"type differs from the case", []ExportFile{{N: 2, MIME: "image/png", Data: img}}, "police-cyber", "Hoa", at},
		{"bytes are not the type", []ExportFile{{N: 2, MIME: "image/jpeg", Data: img}}, "police-cyber", "Hoa", at},
		{"no partner", files, "", "Hoa", at},
		{"partner on two lines", files, "police\ncyber", "Hoa", at},
		{"no exporter", files, "police-cyber", " ", at},
		{"no time", files, "police-cyber", "Hoa", time.Time{}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			pkg, err := BuildExport(c, tc.files, tc.partner, tc.by, tc.at)
			if err == nil || pkg != nil {
				t.Fatalf("BuildExport() = %d bytes, %v; want an error", len(pkg), err)
			}
			if !strings.Contains(err.Error(), "build export") {
				t.Errorf("error %q does not name the operation", err)
			}
		})
	}
}

// flip returns a copy of b with bit 0 of byte i inverted.
func flip(b []byte, i int) []byte {
	out := bytes.Clone(b)
	out[i] ^= 1
	return out
}

// headerLen is the length of an export's header line, "\n" included.
func headerLen(tb testing.TB, data []byte) int {
	tb.Helper()
	i := bytes.IndexByte(data, '\n')
	if i < 0 {
		tb.Fatalf("no header line in %q", data[:min(len(data), 80)])
	}
	return i + 1
}

// wantNoLeak checks that an encrypted export shows nothing of the case.
func wantNoLeak(t *testing.T, c Case, enc []byte) {
	t.Helper()
	for _, s := range []string{exportCanary, exportDescription, exportContact, c.Receipt, c.ID, "police-cyber", "case.json", "%PDF"} {
		if bytes.Contains(enc, []byte(s)) {
			t.Errorf("the encrypted export contains %q", s)
		}
	}
}

// wantCase checks that pkg is the package, case.json and all.
func wantCase(t *testing.T, pkg, want []byte) {
	t.Helper()
	if !bytes.Equal(pkg, want) {
		t.Fatalf("OpenExport returned %d bytes, not the package (%d bytes)", len(pkg), len(want))
	}
	_, entries := zipFiles(t, pkg)
	if !bytes.Contains(entries["case.json"], []byte(exportCanary)) {
		t.Errorf("case.json of the opened package lacks the description")
	}
}

// wantExportError checks that OpenExport failed without output.
func wantExportError(t *testing.T, what string, pkg []byte, err error) {
	t.Helper()
	if err == nil || pkg != nil {
		t.Fatalf("%s: OpenExport() = %d bytes, %v; want an error and nothing", what, len(pkg), err)
	}
	if !strings.Contains(err.Error(), "export") {
		t.Errorf("%s: error %q does not name the operation", what, err)
	}
}

// TestExportPassphrase runs Argon2 (64 MiB, three passes) only a few times:
// header damage is caught before the key is derived, and only the salt
// and the body need it.
func TestExportPassphrase(t *testing.T) {
	c, _, pkg := mustBuildExport(t)

	for _, short := range []string{"", "short", "mười một kt", strings.Repeat("a", MinExportPassphrase-1)} {
		enc, err := EncryptExportPassphrase(pkg, short)
		var e *errs.Error
		if err == nil || enc != nil || !errors.As(err, &e) || e.Code != errs.Invalid || e.Field != "passphrase" || e.Key != "error.export_passphrase" {
			t.Errorf("EncryptExportPassphrase(%q) = %d bytes, %v; want an invalid passphrase error", short, len(enc), err)
		}
	}

	enc, err := EncryptExportPassphrase(pkg, exportPassword)
	if err != nil {
		t.Fatalf("EncryptExportPassphrase() error: %v", err)
	}
	h := headerLen(t, enc)
	header := string(enc[:h])
	const prefix = "NOTALONE-CASE-EXPORT 1 passphrase argon2id t=3 m=65536 p=2 salt="
	if !strings.HasPrefix(header, prefix) || len(header) != len(prefix)+24+1 {
		t.Fatalf("header = %q, want %q + 24 characters of base64", header, prefix)
	}
	wantNoLeak(t, c, enc)

	t.Run("round trip", func(t *testing.T) {
		// The passphrase as typed on another system: decomposed (NFD).
		got, err := OpenExport(enc, norm.NFD.String(exportPassword), nil)
		if err != nil {
			t.Fatalf("OpenExport() error: %v", err)
		}
		wantCase(t, got, pkg)
	})

	t.Run("wrong passphrase", func(t *testing.T) {
		got, err := OpenExport(enc, exportPassword+".", nil)
		wantExportError(t, "wrong passphrase", got, err)
		if !errors.Is(err, ErrDecrypt) {
			t.Errorf("error %v, want ErrDecrypt", err)
		}
		got, err = OpenExport(enc, "", nil)
		wantExportError(t, "no passphrase", got, err)
		if e := errs.As(err); e.Field != "passphrase" {
			t.Errorf("no passphrase: error %v, want one for the field passphrase", err)
		}
	})

	t.Run("damaged header", func(t *testing.T) {
		// Every byte but the salt's: refused before Argon2 runs.
		for i := range len(prefix) {
			got, err := OpenExport(flip(enc, i), exportPassword, nil)
			wantExportError(t, "flipped header byte "+strconv.Itoa(i), got, err)
		}
		got, err := OpenExport(flip(enc, h-1), exportPassword, nil)
		wantExportError(t, "flipped newline", got, err)
		// One salt byte: another valid salt, so a wrong key.
		i := len(prefix)
		d := bytes.Clone(enc)
		if d[i] = 'A'; enc[i] == 'A' {
			d[i] = 'B'
		}
		got, err = OpenExport(d, exportPassword, nil)
		wantExportError(t, "changed salt", got, err)
		if !errors.Is(err, ErrDecrypt) {
			t.Errorf("changed salt: error %v, want ErrDecrypt", err)
		}
	})

	t.Run("damaged body", func(t *testing.T) {
		for _, i := range []int{h + 5, len(enc) - 1} { // the nonce, the tag
			got, err := OpenExport(flip(enc, i), exportPassword, nil)
			wantExportError(t, "flipped body byte "+strconv.Itoa(i), got, err)
		}
		got, err := OpenExport(enc[:len(enc)-1], exportPassword, nil)
		wantExportError(t, "truncated", got, err)
	})
}

func TestExportKey(t *testing.T) {
	c, _, pkg := mustBuildExport(t)
	partner, other := mustKeyPair(t), mustKeyPair(t)
	pub, err := DecodePublicKey(partner.publicPEM)
	if err != nil {
		t.Fatalf("DecodePublicKey() error: %v", err)
	}
	priv, err := DecodePrivateKey(partner.privPEM)
	if err != nil {
		t.Fatalf("DecodePrivateKey() error: %v", err)
	}

	enc, err := EncryptExportKey(pkg, pub)
	if err != nil {
		t.Fatalf("EncryptExportKey() error: %v", err)
	}
	h := headerLen(t, enc)
	if want := "NOTALONE-CASE-EXPORT 1 key " + pub.ID + "\n"; string(enc[:h]) != want {
		t.Fatalf("header = %q, want %q", enc[:h], want)
	}
	wantNoLeak(t, c, enc)

	t.Run("round trip", func(t *testing.T) {
		got, err := OpenExport(enc, "", []PrivateKey{other.priv, priv})
		if err != nil {
			t.Fatalf("OpenExport() error: %v", err)
		}
		wantCase(t, got, pkg)
		// A passphrase given by mistake changes nothing.
		if got, err = OpenExport(enc, exportPassword, []PrivateKey{priv}); err != nil || !bytes.Equal(got, pkg) {
			t.Errorf("OpenExport() with a passphrase too = %d bytes, %v", len(got), err)
		}
	})

	t.Run("wrong key", func(t *testing.T) {
		got, err := OpenExport(enc, "", []PrivateKey{other.priv})
		wantExportError(t, "wrong key", got, err)
		if !errors.Is(err, ErrUnknownKey) {
			t.Errorf("wrong key: error %v, want ErrUnknownKey", err)
		}
		got, err = OpenExport(enc, exportPassword, nil)
		wantExportError(t, "no key", got, err)
	})

	t.Run("not sealed to a key", func(t *testing.T) {
		if got, err := EncryptExportKey(pkg, PublicKey{}); err == nil || got != nil {
			t.Errorf("EncryptExportKey(zero key) = %d bytes, %v; want an error", len(got), err)
		}
		if got, err := EncryptExportKey(nil, pub); err == nil || got != nil {
			t.Errorf("EncryptExportKey(empty package) = %d bytes, %v; want an error", len(got), err)
		}
	})

	t.Run("damaged", func(t *testing.T) {
		keys := []PrivateKey{priv}
		for i := range h {
			got, err := OpenExport(flip(enc, i), "", keys)
			wantExportError(t, "flipped header byte "+strconv.Itoa(i), got, err)
		}
		// The body's version, key ID and encapsulated key, a sample of
		// the ciphertext, and the tag.
		var at []int
		for i := h; i < h+envelopeHeaderSize+32+8; i++ {
			at = append(at, i)
		}
		for i := h + 64; i < len(enc); i += 997 {
			at = append(at, i)
		}
		for i := len(enc) - 16; i < len(enc); i++ {
			at = append(at, i)
		}
		for _, i := range at {
			got, err := OpenExport(flip(enc, i), "", keys)
			wantExportError(t, "flipped body byte "+strconv.Itoa(i), got, err)
		}
		for _, n := range []int{0, h - 1, h, h + 5, len(enc) - 1} {
			got, err := OpenExport(enc[:n], "", keys)
			wantExportError(t, "truncated to "+strconv.Itoa(n), got, err)
		}
		got, err := OpenExport(append(bytes.Clone(enc), 0), "", keys)
		wantExportError(t, "a byte appended", got, err)
	})

	t.Run("strict header", func(t *testing.T) {
		body := enc[h:]
		for _, header := range []string{
			"NOTALONE-CASE-EXPORT 1 key " + strings.ToUpper(pub.ID) + "\n",
			"NOTALONE-CASE-EXPORT 1 key " + pub.ID + " \n",
			"NOTALONE-CASE-EXPORT 1  key " + pub.ID + "\n",
			"NOTALONE-CASE-EXPORT 1 key " + pub.ID + "\r\n",
			"NOTALONE-CASE-EXPORT 2 key " + pub.ID + "\n",
			"NOTALONE-CASE-EXPORT 01 key " + pub.ID + "\n",
			"notalone-case-export 1 key " + pub.ID + "\n",
			"NOTALONE-CASE-EXPORT 1 pubkey " + pub.ID + "\n",
			"NOTALONE-CASE-EXPORT 1 key " + other.pub.ID + "\n",
			"NOTALONE-CASE-EXPORT 1 key " + pub.ID[:15] + "\n",
			"NOTALONE-CASE-EXPORT 1 key\n",
			"NOTALONE-CASE-EXPORT 1 passphrase argon2id t=3 m=65536 p=2 salt=AAAAAAAAAAAAAAAAAAAAAA==\n",
			"NOTALONE-CASE-EXPORT 1 passphrase argon2id t=1 m=65536 p=2 salt=AAAAAAAAAAAAAAAAAAAAAA==\n",
			"NOTALONE-CASE-EXPORT 1 passphrase argon2id t=3 m=65536 p=2 salt=AAAAAAAAAAAAAAAAAAAAAB==\n",
			"NOTALONE-CASE-EXPORT 1 passphrase argon2id t=3 m=65536 p=2 salt=AAAAAAAAAAAAAAAAAAAAAA\n",
			"NOTALONE-CASE-EXPORT 1 passphrase argon2i t=3 m=65536 p=2 salt=AAAAAAAAAAAAAAAAAAAAAA==\n",
			"NOTALONE-CASE-EXPORT 1 passphrase argon2id t=3 m=65536 p=2 salt=AAAAAAAAAAAAAAAAAAAAAA== x\n",
			"NOTALONE-CASE-EXPORT 1 key " + pub.ID + " " + strings.Repeat("x", exportMaxHeader) + "\n",
		} {
			// The sealed-with-a-passphrase headers meet a body from
			// EncryptExportKey: without a passphrase nothing is derived,
			// and the one valid header fails for want of it.
			got, err := OpenExport(append([]byte(header), body...), "", []PrivateKey{priv, other.priv})
			wantExportError(t, "header "+strings.TrimSpace(header), got, err)
		}
	})
}
