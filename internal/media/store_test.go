package media

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"image/color"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"testing/iotest"
	"time"

	"github.com/notalone/notalone/internal/errs"
)

// allKinds lets every kind in.
var allKinds = []Kind{MP4, WebM, PDF, JPEG, PNG, WebP, WebVTT}

// newStore returns a store in a fresh directory that does not exist yet.
func newStore(t *testing.T) *Store {
	t.Helper()
	return &Store{Dir: filepath.Join(t.TempDir(), "media")}
}

// files lists every file under the store's directory, temporary ones
// included.
func files(t *testing.T, s *Store) []string {
	t.Helper()
	var out []string
	err := filepath.WalkDir(s.Dir, func(path string, d fs.DirEntry, err error) error {
		if errors.Is(err, fs.ErrNotExist) {
			return nil
		}
		if err != nil {
			return err
		}
		if !d.IsDir() {
			rel, _ := filepath.Rel(s.Dir, path)
			out = append(out, rel)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// wantErr fails unless err is an *errs.Error with the code and key.
func wantErr(t *testing.T, what string, err error, code errs.Code, key string) {
	t.Helper()
	var e *errs.Error
	if !errors.As(err, &e) {
		t.Errorf("%s: error %v, want *errs.Error %s %s", what, err, code, key)
		return
	}
	if e.Code != code || e.Key != key {
		t.Errorf("%s: error %s %s (%v), want %s %s", what, e.Code, e.Key, err, code, key)
	}
}

func TestPutEachKind(t *testing.T) {
	tests := []struct {
		name string
		data []byte
		kind Kind
		ext  string
		mime string
	}{
		{"mp4 isom", mp4File("isom", 5000), MP4, "mp4", "video/mp4"},
		{"mp4 mp42", mp4File("mp42", 10), MP4, "mp4", "video/mp4"},
		{"mp4 M4V", mp4File("M4V ", 10), MP4, "mp4", "video/mp4"},
		{"webm", webmFile(3000, false), WebM, "webm", "video/webm"},
		{"webm live", webmFile(3000, true), WebM, "webm", "video/webm"},
		{"pdf", pdfFile(4000), PDF, "pdf", "application/pdf"},
		{"jpeg", jpegFile(t, halves(64, 32)), JPEG, "jpg", "image/jpeg"},
		{"png", pngFile(t, halves(64, 32)), PNG, "png", "image/png"},
		{"webp", webpFile(8, 8, color.NRGBA{10, 20, 30, 255}), WebP, "webp", "image/webp"},
		{"vtt", []byte(vttFile), WebVTT, "vtt", "text/vtt; charset=utf-8"},
		{"vtt bom crlf", []byte("\xEF\xBB\xBFWEBVTT\r\n\r\n00:00.000 --> 00:01.000\r\nhi\r\n"), WebVTT, "vtt", "text/vtt; charset=utf-8"},
		{"vtt header text", []byte("WEBVTT - Phụ đề tiếng Việt\n\n"), WebVTT, "vtt", "text/vtt; charset=utf-8"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newStore(t)
			// One byte at a time, so that every check sees the file in
			// the most pieces it can be cut into.
			f, err := s.Put(iotest.OneByteReader(bytes.NewReader(tt.data)), 1<<20, allKinds...)
			if err != nil {
				t.Fatalf("Put: %v", err)
			}
			sum := sha256.Sum256(tt.data)
			want := File{Hash: hex.EncodeToString(sum[:]), Kind: tt.kind, MIME: tt.mime, Size: int64(len(tt.data)), Ext: tt.ext}
			if f != want {
				t.Fatalf("Put = %+v, want %+v", f, want)
			}
			name := filepath.Join(f.Hash[:2], f.Hash+"."+tt.ext)
			if got := files(t, s); len(got) != 1 || got[0] != name {
				t.Fatalf("files = %q, want [%q]", got, name)
			}
			r, err := s.Open(f.Hash, f.Ext)
			if err != nil {
				t.Fatalf("Open: %v", err)
			}
			defer r.Close()
			got, _ := io.ReadAll(r)
			if !bytes.Equal(got, tt.data) {
				t.Errorf("stored %d bytes differ from the %d put", len(got), len(tt.data))
			}
		})
	}
}

func TestPutRefused(t *testing.T) {
	zip := append([]byte("PK\x03\x04\x14\x00\x00\x00\x08\x00"), bytes.Repeat([]byte{1}, 600)...)
	mp4 := mp4File("isom", 100)
	tests := []struct {
		name string
		data []byte
		key  string
	}{
		{"empty", nil, "error.media_type"},
		{"exe renamed", append([]byte("MZ\x90\x00\x03\x00\x00\x00"), bytes.Repeat([]byte{0}, 2000)...), "error.media_type"},
		{"html", []byte("<!DOCTYPE html><html><script>alert(1)</script></html>"), "error.media_type"},
		{"svg", []byte(`<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><script>alert(1)</script></svg>`), "error.media_type"},
		{"svg with xml prolog", []byte(`<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"/>`), "error.media_type"},
		{"zip", zip, "error.media_type"},
		{"gif", []byte("GIF89a\x01\x00\x01\x00\x00\x00\x00;"), "error.media_type"},
		{"quicktime", mp4File("qt  ", 100), "error.media_type"},
		{"heic", mp4File("heic", 100), "error.media_type"},
		{"matroska", append(webmHeader("matroska"), webmFile(10, false)[len(webmHeader("webm")):]...), "error.media_type"},
		{"pdf without version", []byte("%PDF-x\n%%EOF\n"), "error.media_type"},
		{"vtt lookalike", []byte("WEBVTTX\n\n"), "error.media_type"},
		{"vtt alone", []byte("WEBVTT"), "error.media_type"},
		{"vtt not utf-8", []byte("WEBVTT\n\n00:00.000 --> 00:01.000\nXin ch\xE0o\n"), "error.media_type"},
		{"vtt ends mid-character", []byte("WEBVTT\n\nch\xC3"), "error.media_type"},
		{"riff wave", []byte("RIFF\x24\x00\x00\x00WAVEfmt \x10\x00\x00\x00"), "error.media_type"},
		{"mp4 garbage box", append(append([]byte{}, mp4...), 0, 0, 0, 3, 'x', 'x', 'x', 'x'), "error.media_type"},
		{"mp4 binary box type", append(append([]byte{}, mp4...), 0, 0, 0, 8, 0, 1, 2, 3), "error.media_type"},
		{"webp trailing data", append(webpFile(4, 4, color.NRGBA{A: 255}), "<html>"...), "error.media_type"},
		{"mp4 without moov", append(box("ftyp", []byte("isom\x00\x00\x02\x00isom")), box("mdat", make([]byte, 50))...), "error.media_incomplete"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newStore(t)
			_, err := s.Put(bytes.NewReader(tt.data), 1<<20, allKinds...)
			wantErr(t, "Put", err, errs.Invalid, tt.key)
			if got := files(t, s); len(got) != 0 {
				t.Errorf("left behind %q", got)
			}
		})
	}
}

func TestPutKindNotAllowed(t *testing.T) {
	s := newStore(t)
	_, err := s.Put(bytes.NewReader(pdfFile(100)), 1<<20, MP4, WebM)
	wantErr(t, "Put(pdf, MP4, WebM)", err, errs.Invalid, "error.media_type")
	_, err = s.Put(bytes.NewReader(pdfFile(100)), 1<<20)
	wantErr(t, "Put(pdf) with no kinds", err, errs.Internal, "")
	if got := files(t, s); len(got) != 0 {
		t.Errorf("left behind %q", got)
	}
}

func TestPutTooLarge(t *testing.T) {
	tests := []struct {
		name string
		data []byte
		max  int64
	}{
		{"video", mp4File("isom", 10000), 5000},
		{"video by one byte", mp4File("isom", 10000), int64(len(mp4File("isom", 10000))) - 1},
		{"smaller than the sniffed head", pdfFile(2000), 100},
		{"captions over their own cap", []byte("WEBVTT\n\n" + strings.Repeat("x", MaxCaptionSize)), 100 << 20},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newStore(t)
			_, err := s.Put(bytes.NewReader(tt.data), tt.max, allKinds...)
			wantErr(t, "Put", err, errs.TooLarge, "error.media_too_large")
			if got := files(t, s); len(got) != 0 {
				t.Errorf("left behind %q", got)
			}
		})
	}
	// Exactly at the limit is fine.
	s := newStore(t)
	data := mp4File("isom", 10000)
	if _, err := s.Put(bytes.NewReader(data), int64(len(data)), MP4); err != nil {
		t.Errorf("Put at exactly max: %v", err)
	}
}

func TestPutCutOff(t *testing.T) {
	whole := map[string][]byte{
		"mp4":  mp4File("isom", 20000),
		"webm": webmFile(20000, false),
		"pdf":  pdfFile(20000),
		"jpeg": jpegFile(t, halves(200, 100)),
		"png":  pngFile(t, halves(200, 100)),
		"webp": webpPadded(300, 300, color.NRGBA{1, 2, 3, 255}, 5000),
	}
	for name, data := range whole {
		for _, cut := range []int{len(data) / 2, len(data) - 1, len(data) - 7, 600} {
			if cut >= len(data) || (name == "pdf" && cut == len(data)-1) {
				// A PDF without its last line end is whole.
				continue
			}
			// A connection that drops: the reader says so.
			t.Run(name+" read error", func(t *testing.T) {
				s := newStore(t)
				r := io.MultiReader(bytes.NewReader(data[:cut]), iotest.ErrReader(io.ErrUnexpectedEOF))
				_, err := s.Put(r, 1<<20, allKinds...)
				wantErr(t, "Put", err, errs.Invalid, "error.media_incomplete")
				if got := files(t, s); len(got) != 0 {
					t.Errorf("left behind %q", got)
				}
			})
			// A body that just stops: only the file's structure tells.
			t.Run(name+" clean end", func(t *testing.T) {
				s := newStore(t)
				_, err := s.Put(bytes.NewReader(data[:cut]), 1<<20, allKinds...)
				wantErr(t, "Put", err, errs.Invalid, "error.media_incomplete")
				if got := files(t, s); len(got) != 0 {
					t.Errorf("left behind %q", got)
				}
			})
		}
	}
}

func TestPutSameContentTwice(t *testing.T) {
	s := newStore(t)
	data := pdfFile(3000)
	var wg sync.WaitGroup
	got := make([]File, 4)
	for i := range got {
		wg.Go(func() {
			f, err := s.Put(bytes.NewReader(data), 1<<20, PDF)
			if err != nil {
				t.Errorf("Put %d: %v", i, err)
			}
			got[i] = f
		})
	}
	wg.Wait()
	for _, f := range got[1:] {
		if f != got[0] {
			t.Errorf("Put = %+v, want %+v", f, got[0])
		}
	}
	if fs := files(t, s); len(fs) != 1 {
		t.Errorf("files = %q, want one", fs)
	}
}

func TestOpenRefusesOtherPaths(t *testing.T) {
	s := newStore(t)
	f, err := s.Put(bytes.NewReader(pdfFile(100)), 1<<20, PDF)
	if err != nil {
		t.Fatal(err)
	}
	// A secret beside the store, which no name may reach.
	if err := os.WriteFile(filepath.Join(filepath.Dir(s.Dir), "secret.pdf"), []byte("secret"), 0o600); err != nil {
		t.Fatal(err)
	}
	h := f.Hash
	tests := []struct{ hash, ext string }{
		{"../secret", "pdf"},
		{"../../etc/passwd", "pdf"},
		{h[:2] + "/../../secret", "pdf"},
		{"%2e%2e%2fsecret", "pdf"},
		{"..%2F" + h[5:], "pdf"},
		{"/etc/passwd", "pdf"},
		{filepath.Join(filepath.Dir(s.Dir), "secret"), "pdf"},
		{h[:63] + "\x00", "pdf"},
		{h + "\x00", "pdf"},
		{h, "pdf\x00"},
		{strings.ToUpper(h), "pdf"},
		{h[:63], "pdf"},
		{h + "0", "pdf"},
		{h, "../secret.pdf"},
		{h, "pdf/../../secret"},
		{h, "exe"},
		{h, "html"},
		{h, "svg"},
		{h, "PDF"},
		{h, ""},
		{"", ""},
	}
	for _, tt := range tests {
		r, err := s.Open(tt.hash, tt.ext)
		if err == nil {
			r.Close()
			t.Errorf("Open(%q, %q) opened a file", tt.hash, tt.ext)
			continue
		}
		wantErr(t, "Open("+tt.hash+", "+tt.ext+")", err, errs.NotFound, "error.media_not_found")
		wantErr(t, "Delete("+tt.hash+", "+tt.ext+")", s.Delete(tt.hash, tt.ext), errs.NotFound, "error.media_not_found")
	}
	if _, _, ok := ParseName("../" + h + ".pdf"); ok {
		t.Errorf("ParseName accepted a path")
	}
	if gh, ge, ok := ParseName(f.Name()); !ok || gh != h || ge != "pdf" {
		t.Errorf("ParseName(%q) = %q, %q, %v", f.Name(), gh, ge, ok)
	}
}

func TestOpenMissing(t *testing.T) {
	s := newStore(t)
	h := strings.Repeat("ab", 32)
	_, err := s.Open(h, "mp4")
	wantErr(t, "Open of a file never stored", err, errs.NotFound, "error.media_not_found")
	wantErr(t, "Delete of a file never stored", s.Delete(h, "mp4"), errs.NotFound, "error.media_not_found")
}

func TestDelete(t *testing.T) {
	s := newStore(t)
	f, err := s.Put(strings.NewReader(vttFile), 1<<20, WebVTT)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Delete(f.Hash, f.Ext); err != nil {
		t.Fatalf("Delete: %v", err)
	}
	if got := files(t, s); len(got) != 0 {
		t.Errorf("files after Delete = %q", got)
	}
	_, err = s.Open(f.Hash, f.Ext)
	wantErr(t, "Open after Delete", err, errs.NotFound, "error.media_not_found")
	wantErr(t, "Delete twice", s.Delete(f.Hash, f.Ext), errs.NotFound, "error.media_not_found")
}

func TestSweep(t *testing.T) {
	s := newStore(t)
	f, err := s.Put(strings.NewReader(vttFile), 1<<20, WebVTT)
	if err != nil {
		t.Fatal(err)
	}
	old := filepath.Join(s.Dir, tempPrefix+"1")
	fresh := filepath.Join(s.Dir, tempPrefix+"2")
	for _, p := range []string{old, fresh} {
		if err := os.WriteFile(p, []byte("partial"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	now := time.Now()
	if err := os.Chtimes(old, now.Add(-2*time.Hour), now.Add(-2*time.Hour)); err != nil {
		t.Fatal(err)
	}
	n, err := s.Sweep(now.Add(-time.Hour))
	if err != nil || n != 1 {
		t.Fatalf("Sweep = %d, %v, want 1, nil", n, err)
	}
	if _, err := os.Stat(old); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("the old temporary file is still there")
	}
	if _, err := os.Stat(fresh); err != nil {
		t.Errorf("the fresh temporary file is gone: %v", err)
	}
	if _, err := s.Open(f.Hash, f.Ext); err != nil {
		t.Errorf("a stored file is gone: %v", err)
	}
	if n, err := (&Store{Dir: filepath.Join(t.TempDir(), "none")}).Sweep(now); n != 0 || err != nil {
		t.Errorf("Sweep of a missing directory = %d, %v", n, err)
	}
}

func TestSniff(t *testing.T) {
	tests := []struct {
		head string
		want Kind
		ok   bool
	}{
		{"\x00\x00\x00\x18ftypisom\x00\x00\x02\x00isomiso2", MP4, true},
		{"\x00\x00\x00\x18ftypavc1\x00\x00\x00\x00avc1mp41", MP4, true},
		{"\x00\x00\x00\x14ftypqt  \x00\x00\x00\x00qt  ", 0, false},
		{"\x00\x00\x00\x07ftypisom\x00\x00\x02\x00", 0, false},
		{"\x00\x00\x00\x18ftypiso", 0, false},
		{"%PDF-1.4", PDF, true},
		{"%PDF-2.0\n", PDF, true},
		{" %PDF-1.4", 0, false},
		{"\xFF\xD8\xFF\xE0", JPEG, true},
		{"\xFF\xD8", 0, false},
		{pngSignature, PNG, true},
		{"RIFF\x00\x00\x00\x00WEBPVP8 ", WebP, true},
		{"RIFF\x00\x00\x00\x00WEBPVP8X", WebP, true},
		{"RIFF\x00\x00\x00\x00WEBPICCP", 0, false},
		{"RIFF\x00\x00\x00\x00AVI LIST", 0, false},
		{"WEBVTT\n", WebVTT, true},
		{"WEBVTT\t", WebVTT, true},
		{"\xEF\xBB\xBFWEBVTT ", WebVTT, true},
		{"webvtt\n", 0, false},
		{"\x1A\x45\xDF\xA3", 0, false},
		{string(webmHeader("webm")), WebM, true},
		{string(webmHeader("matroska")), 0, false},
		{string(webmHeader("webm")[:20]), 0, false},
		{"MZ\x90\x00", 0, false},
		{"#!/bin/sh\n", 0, false},
		{"", 0, false},
	}
	for _, tt := range tests {
		got, ok := Sniff([]byte(tt.head))
		if got != tt.want || ok != tt.ok {
			t.Errorf("Sniff(%q) = %v, %v, want %v, %v", tt.head, got, ok, tt.want, tt.ok)
		}
	}
	for k := MP4; k <= WebVTT; k++ {
		if got, ok := KindOfExt(k.Ext()); !ok || got != k {
			t.Errorf("KindOfExt(%q) = %v, %v, want %v", k.Ext(), got, ok, k)
		}
	}
}

func FuzzSniff(f *testing.F) {
	f.Add(webmHeader("webm"))
	f.Add(mp4File("isom", 0))
	f.Add([]byte("WEBVTT\n"))
	f.Fuzz(func(t *testing.T, head []byte) {
		k, ok := Sniff(head)
		if ok && k.Ext() == "" {
			t.Errorf("Sniff(%q) = %v with no extension", head, k)
		}
	})
}

// FuzzPut checks that no input makes Put panic, and that whatever it
// accepts is stored whole and whatever it refuses leaves nothing behind.
func FuzzPut(f *testing.F) {
	f.Add(mp4File("isom", 10))
	f.Add(webmFile(10, false))
	f.Add(webmFile(10, true))
	f.Add([]byte(vttFile))
	f.Add(webpFile(2, 2, color.NRGBA{A: 255}))
	f.Fuzz(func(t *testing.T, data []byte) {
		s := newStore(t)
		file, err := s.Put(bytes.NewReader(data), 1<<16, allKinds...)
		got := files(t, s)
		if err != nil {
			if len(got) != 0 {
				t.Errorf("refused (%v) but left %q", err, got)
			}
			return
		}
		if len(got) != 1 || file.Size != int64(len(data)) {
			t.Errorf("stored %+v as %q", file, got)
		}
	})
}
