package media

import (
	"bytes"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// stored puts data in a fresh store and returns the store and the file.
func stored(tb testing.TB, data []byte) (*Store, File) {
	tb.Helper()
	dir, err := os.MkdirTemp("", "media")
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { os.RemoveAll(dir) })
	s := &Store{Dir: dir}
	f, err := s.Put(bytes.NewReader(data), 64<<20, MP4, PDF)
	if err != nil {
		tb.Fatal(err)
	}
	return s, f
}

// serve answers one request for f with Serve, as the media handler will.
func serve(t *testing.T, s *Store, f File, method string, header map[string]string) *httptest.ResponseRecorder {
	t.Helper()
	file, err := s.Open(f.Hash, f.Ext)
	if err != nil {
		t.Fatal(err)
	}
	defer file.Close()
	r := httptest.NewRequest(method, "/media/"+f.Name(), nil)
	for k, v := range header {
		r.Header.Set(k, v)
	}
	w := httptest.NewRecorder()
	Serve(w, r, file, f.MIME, time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC), f.Hash)
	return w
}

func TestServe(t *testing.T) {
	data := pdfFile(10_000)
	s, f := stored(t, data)
	size := len(data)
	etag := `"` + f.Hash + `"`
	many := func(n int) string {
		parts := make([]string, n)
		for i := range parts {
			parts[i] = fmt.Sprintf("%d-%d", i%size, i%size)
		}
		return "bytes=" + strings.Join(parts, ",")
	}
	tests := []struct {
		name   string
		method string
		header map[string]string
		status int
		body   []byte   // nil: not checked
		crange string   // Content-Range, if any
		parts  [][]byte // the parts of a multipart/byteranges answer
	}{
		{name: "whole", status: 200, body: data},
		{name: "first 100", header: map[string]string{"Range": "bytes=0-99"}, status: 206, body: data[:100], crange: fmt.Sprintf("bytes 0-99/%d", size)},
		{name: "suffix", header: map[string]string{"Range": "bytes=-100"}, status: 206, body: data[size-100:], crange: fmt.Sprintf("bytes %d-%d/%d", size-100, size-1, size)},
		{name: "open-ended", header: map[string]string{"Range": "bytes=100-"}, status: 206, body: data[100:], crange: fmt.Sprintf("bytes 100-%d/%d", size-1, size)},
		{name: "past the end clipped", header: map[string]string{"Range": fmt.Sprintf("bytes=%d-99999999", size-10)}, status: 206, body: data[size-10:]},
		{name: "two ranges", header: map[string]string{"Range": "bytes=0-1,5-6"}, status: 206, parts: [][]byte{data[0:2], data[5:7]}},
		{name: "out of range", header: map[string]string{"Range": "bytes=99999999-"}, status: 416, crange: fmt.Sprintf("bytes */%d", size)},
		{name: "not a number", header: map[string]string{"Range": "bytes=abc"}},
		{name: "backwards", header: map[string]string{"Range": "bytes=5-1"}},
		{name: "other unit", header: map[string]string{"Range": "items=0-1"}},
		{name: "empty set", header: map[string]string{"Range": "bytes="}},
		{name: "negative", header: map[string]string{"Range": "bytes=-0"}},
		{name: "huge numbers", header: map[string]string{"Range": "bytes=0-99999999999999999999999999"}},
		{name: "ten thousand ranges", header: map[string]string{"Range": many(10_000)}, status: 200, body: data},
		{name: "more than maxRanges", header: map[string]string{"Range": many(maxRanges + 1)}, status: 200, body: data},
		{name: "overlapping whole file twice", header: map[string]string{"Range": "bytes=0-,0-"}},
		{name: "not modified", header: map[string]string{"If-None-Match": etag}, status: 304},
		{name: "not modified weak", header: map[string]string{"If-None-Match": "W/" + etag}, status: 304},
		{name: "not modified any", header: map[string]string{"If-None-Match": "*"}, status: 304},
		{name: "other etag", header: map[string]string{"If-None-Match": `"other"`}, status: 200, body: data},
		{name: "if-range matches", header: map[string]string{"Range": "bytes=0-9", "If-Range": etag}, status: 206, body: data[:10]},
		{name: "if-range differs", header: map[string]string{"Range": "bytes=0-9", "If-Range": `"other"`}, status: 200, body: data},
		{name: "head", method: "HEAD", status: 200, body: []byte{}},
		{name: "head range", method: "HEAD", header: map[string]string{"Range": "bytes=0-9"}, status: 206, body: []byte{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			method := tt.method
			if method == "" {
				method = "GET"
			}
			w := serve(t, s, f, method, tt.header)
			res := w.Result()
			body := w.Body.Bytes()
			if tt.status == 0 {
				// Malformed: whatever the standard library answers, as
				// long as it is an answer and a bounded one.
				t.Logf("%s → %d, %d bytes", tt.header["Range"][:min(40, len(tt.header["Range"]))], res.StatusCode, len(body))
				if res.StatusCode != 200 && res.StatusCode != 206 && res.StatusCode != 416 {
					t.Errorf("status %d, want 200, 206 or 416", res.StatusCode)
				}
			} else if res.StatusCode != tt.status {
				t.Fatalf("status %d, want %d", res.StatusCode, tt.status)
			}
			if len(body) > 2*size+4096 {
				t.Errorf("body of %d bytes for a file of %d", len(body), size)
			}
			if tt.body != nil && !bytes.Equal(body, tt.body) {
				t.Errorf("body %d bytes %.20q…, want %d bytes %.20q…", len(body), body, len(tt.body), tt.body)
			}
			if got := res.Header.Get("Content-Range"); got != tt.crange && tt.crange != "" {
				t.Errorf("Content-Range %q, want %q", got, tt.crange)
			}
			if res.StatusCode == 200 || res.StatusCode == 206 || res.StatusCode == 304 {
				for k, want := range map[string]string{
					"X-Content-Type-Options": "nosniff",
					"Cache-Control":          "public, max-age=31536000, immutable",
					"ETag":                   etag,
				} {
					if got := res.Header.Get(k); got != want {
						t.Errorf("%s: %q, want %q", k, got, want)
					}
				}
			}
			if res.StatusCode == 200 || (res.StatusCode == 206 && tt.parts == nil) {
				if got := res.Header.Get("Content-Type"); got != "application/pdf" {
					t.Errorf("Content-Type %q", got)
				}
				if got := res.Header.Get("Accept-Ranges"); got != "bytes" {
					t.Errorf("Accept-Ranges %q", got)
				}
			}
			if tt.parts != nil {
				checkParts(t, res.Header.Get("Content-Type"), body, tt.parts)
			}
		})
	}
}

// checkParts reads a multipart/byteranges body.
func checkParts(t *testing.T, contentType string, body []byte, want [][]byte) {
	t.Helper()
	mt, params, err := mime.ParseMediaType(contentType)
	if err != nil || mt != "multipart/byteranges" {
		t.Fatalf("Content-Type %q, want multipart/byteranges", contentType)
	}
	mr := multipart.NewReader(bytes.NewReader(body), params["boundary"])
	for i, w := range want {
		p, err := mr.NextPart()
		if err != nil {
			t.Fatalf("part %d: %v", i, err)
		}
		if ct := p.Header.Get("Content-Type"); ct != "application/pdf" {
			t.Errorf("part %d Content-Type %q", i, ct)
		}
		got, _ := io.ReadAll(p)
		if !bytes.Equal(got, w) {
			t.Errorf("part %d = %q, want %q", i, got, w)
		}
	}
	if _, err := mr.NextPart(); err != io.EOF {
		t.Errorf("more parts than %d", len(want))
	}
}

func TestServeQuotedETagAndDefaultType(t *testing.T) {
	s, f := stored(t, pdfFile(100))
	file, err := s.Open(f.Hash, f.Ext)
	if err != nil {
		t.Fatal(err)
	}
	defer file.Close()
	w := httptest.NewRecorder()
	Serve(w, httptest.NewRequest("GET", "/", nil), file, "", time.Time{}, `"`+f.Hash+`"`)
	if got := w.Header().Get("ETag"); got != `"`+f.Hash+`"` {
		t.Errorf("ETag %q", got)
	}
	if got := w.Header().Get("Content-Type"); got != "application/octet-stream" {
		t.Errorf("Content-Type %q", got)
	}
}

// discard is a ResponseWriter that keeps only the status. Like the
// server's own, it takes a file body through ReadFrom, so the benchmark
// measures the handlers and not a copy buffer.
type discard struct {
	h      http.Header
	status int
}

func (d *discard) Header() http.Header         { return d.h }
func (d *discard) WriteHeader(s int)           { d.status = s }
func (d *discard) Write(p []byte) (int, error) { return len(p), nil }
func (d *discard) ReadFrom(r io.Reader) (int64, error) {
	return io.Copy(io.Discard, r)
}

// benchRanges serves a 2 MB video by 64 KB range requests, as a player
// seeking through it would, with handle answering each request.
func benchRanges(b *testing.B, handle func(w http.ResponseWriter, r *http.Request)) {
	const size, chunk = 2 << 20, 64 << 10
	ranges := make([]string, size/chunk)
	for i := range ranges {
		ranges[i] = fmt.Sprintf("bytes=%d-%d", i*chunk, (i+1)*chunk-1)
	}
	r := httptest.NewRequest("GET", "/media/x", nil)
	w := &discard{h: http.Header{}}
	b.SetBytes(chunk)
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		r.Header.Set("Range", ranges[i%len(ranges)])
		clear(w.h)
		w.status = 200
		handle(w, r)
		if w.status != http.StatusPartialContent {
			b.Fatalf("status %d", w.status)
		}
		i++
	}
}

// BenchmarkServeRanges is the media handler's path: open the file in the
// store, stat it, Serve.
func BenchmarkServeRanges(b *testing.B) {
	s, f := stored(b, mp4File("isom", 2<<20-200))
	benchRanges(b, func(w http.ResponseWriter, r *http.Request) {
		file, err := s.Open(f.Hash, f.Ext)
		if err != nil {
			b.Fatal(err)
		}
		defer file.Close()
		st, err := file.Stat()
		if err != nil {
			b.Fatal(err)
		}
		Serve(w, r, file, f.MIME, st.ModTime(), f.Hash)
	})
}

// BenchmarkServeFileRanges is the same requests answered by http.ServeFile
// on the same file, the baseline Serve is measured against.
func BenchmarkServeFileRanges(b *testing.B) {
	s, f := stored(b, mp4File("isom", 2<<20-200))
	path := filepath.Join(s.Dir, f.Hash[:2], f.Name())
	benchRanges(b, func(w http.ResponseWriter, r *http.Request) {
		http.ServeFile(w, r, path)
	})
}
