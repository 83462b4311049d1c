package server_test

import (
	"bytes"
	"context"
	"encoding/binary"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/notalone/notalone/internal/app"
	"github.com/notalone/notalone/internal/apptest"
	"github.com/notalone/notalone/internal/event"
	"github.com/notalone/notalone/internal/i18n"
	"github.com/notalone/notalone/internal/media"
	"github.com/notalone/notalone/internal/quiz"
)

// library is what learnLibrary stored: the files by role, the items' ids.
type library struct {
	mp4, poster, cover, vttVI, vttEN, pdfVI, pdfEN media.File
	pdfBytes                                       []byte
}

// The fixtures are a few bytes of each real structure (the store checks
// them): tests of the pages and of serving need files, not content.

func mp4Bytes(n int) []byte {
	box := func(typ string, body []byte) []byte {
		b := binary.BigEndian.AppendUint32(nil, uint32(8+len(body)))
		return append(append(b, typ...), body...)
	}
	b := box("ftyp", []byte("isom\x00\x00\x02\x00isomiso2avc1mp41"))
	b = append(b, box("moov", box("mvhd", make([]byte, 100)))...)
	return append(b, box("mdat", bytes.Repeat([]byte{0x42}, n))...)
}

func pdfBytes(n int, lang string) []byte {
	b := []byte("%PDF-1.7\n%\xE2\xE3\xCF\xD3\n1 0 obj << /Type /Catalog /Lang (" + lang + ") >> endobj\n")
	for i := 0; len(b) < n; i++ {
		b = fmt.Appendf(b, "%% filler line %04d to make the file longer\n", i)
	}
	return append(b, "trailer << /Root 1 0 R >>\n%%EOF\n"...)
}

func pngBytes(t *testing.T, c color.Color) []byte {
	t.Helper()
	m := image.NewRGBA(image.Rect(0, 0, 16, 9))
	for i := range 16 * 9 {
		m.Set(i%16, i/16, c)
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, m); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// learnLibrary stores the files of three items (a video, a story, a
// publication) and loads the items as a pack would.
func learnLibrary(t *testing.T, in *app.Instance) library {
	t.Helper()
	st := in.Server.Web.MediaFiles
	put := func(b []byte, k media.Kind) media.File {
		t.Helper()
		f, err := st.Put(bytes.NewReader(b), 1<<20, k)
		if err != nil {
			t.Fatalf("put %s: %v", k, err)
		}
		return f
	}
	var lib library
	lib.mp4 = put(mp4Bytes(3000), media.MP4)
	lib.poster = put(pngBytes(t, color.RGBA{15, 107, 102, 255}), media.PNG)
	lib.cover = put(pngBytes(t, color.RGBA{226, 88, 47, 255}), media.PNG)
	lib.vttVI = put([]byte("WEBVTT\n\n00:00.000 --> 00:05.000\nĐừng bấm vào đường link lạ.\n"), media.WebVTT)
	lib.vttEN = put([]byte("WEBVTT\n\n00:00.000 --> 00:05.000\nDon't tap links you didn't expect.\n"), media.WebVTT)
	lib.pdfBytes = pdfBytes(4096, "vi")
	lib.pdfVI = put(lib.pdfBytes, media.PDF)
	lib.pdfEN = put(pdfBytes(3000, "en"), media.PDF)
	items := []media.Item{
		{ID: "t-video-tin-nhan", Kind: media.KindVideo, Topics: []string{"phishing"}, Audience: []string{"teens"}, Langs: []string{"vi", "en"},
			Title:   i18n.Text{VI: "Nhận ra tin nhắn lừa đảo", EN: "Spot a scam message"},
			Summary: i18n.Text{VI: "Ba dấu hiệu của một đường link giả.", EN: "Three signs of a fake link."},
			File:    lib.mp4.Name(), Poster: lib.poster.Name(), Captions: media.PerLang{"vi": lib.vttVI.Name(), "en": lib.vttEN.Name()}, DurationSeconds: 95},
		{ID: "t-story-lan", Kind: media.KindStory, Topics: []string{"cyberbullying"}, Audience: []string{"kids", "teens"}, Langs: []string{"vi"},
			Title:      i18n.Text{VI: "Chuyện của Lan ở nhóm lớp", EN: "Lan and the class group chat"},
			Summary:    i18n.Text{VI: "Khi cả nhóm quay lưng, Lan đã kể với cô giáo.", EN: "When the group turned on her, Lan told her teacher."},
			Body:       i18n.Text{VI: "Hôm đó **mình** đã kể với cô.\n\n[Trang 111](https://example.com/111)\n\n<script>alert(1)</script>\n\n[bấm](javascript:alert(1))"},
			Ambassador: &media.Ambassador{Name: "Lan", Age: 15, Province: "Đà Nẵng"}},
		{ID: "t-guide-parents", Kind: media.KindPublication, Topics: []string{"privacy", "grooming"}, Audience: []string{"adults"}, Langs: []string{"vi", "en"},
			Title:   i18n.Text{VI: "Cẩm nang cho cha mẹ", EN: "A handbook for parents"},
			Summary: i18n.Text{VI: "Nói chuyện với con về an toàn trên mạng.", EN: "Talking with your child about staying safe online."},
			Files:   media.PerLang{"vi": lib.pdfVI.Name(), "en": lib.pdfEN.Name()}, Cover: lib.cover.Name(), Pages: 12},
	}
	if _, err := in.DB.LoadMediaPacks(context.Background(), items); err != nil {
		t.Fatal(err)
	}
	return lib
}

func get(t *testing.T, h http.Handler, path string, header ...string) (*http.Response, string) {
	t.Helper()
	r := httptest.NewRequest("GET", path, nil)
	for i := 0; i+1 < len(header); i += 2 {
		r.Header.Set(header[i], header[i+1])
	}
	res := do(t, h, r)
	return res, body(t, res)
}

func TestMediaFileRanges(t *testing.T) {
	in, _ := apptest.MustStart(t)
	h := in.Server.Handler()
	lib := learnLibrary(t, in)
	path := "/media/" + lib.pdfVI.Name()
	full := lib.pdfBytes
	n := len(full)
	etag := `"` + lib.pdfVI.Hash + `"`
	many := func(k int) string {
		parts := make([]string, k)
		for i := range parts {
			parts[i] = fmt.Sprintf("%d-%d", i*10, i*10+1)
		}
		return "bytes=" + strings.Join(parts, ",")
	}
	tests := []struct {
		name, rng, ifRange string
		// status is the one wanted; alt another acceptable one (a
		// malformed header may be served whole or refused).
		status, alt  int
		contentRange string
		body         []byte
		parts        [][2]int // multipart: the ranges, inclusive
	}{
		{name: "no range", status: 200, body: full},
		{name: "first bytes", rng: "bytes=0-99", status: 206, contentRange: fmt.Sprintf("bytes 0-99/%d", n), body: full[:100]},
		{name: "open end", rng: "bytes=4000-", status: 206, contentRange: fmt.Sprintf("bytes 4000-%d/%d", n-1, n), body: full[4000:]},
		{name: "suffix", rng: "bytes=-100", status: 206, contentRange: fmt.Sprintf("bytes %d-%d/%d", n-100, n-1, n), body: full[n-100:]},
		{name: "end past the size is cut", rng: fmt.Sprintf("bytes=%d-999999", n-10), status: 206, contentRange: fmt.Sprintf("bytes %d-%d/%d", n-10, n-1, n), body: full[n-10:]},
		{name: "suffix longer than the file", rng: "bytes=-999999", status: 206, contentRange: fmt.Sprintf("bytes 0-%d/%d", n-1, n), body: full},
		{name: "two ranges", rng: "bytes=0-9,100-119", status: 206, parts: [][2]int{{0, 9}, {100, 119}}},
		{name: "start at the size", rng: fmt.Sprintf("bytes=%d-", n), status: 416, contentRange: fmt.Sprintf("bytes */%d", n)},
		{name: "start past the size", rng: "bytes=999999-1000000", status: 416, contentRange: fmt.Sprintf("bytes */%d", n)},
		{name: "empty suffix", rng: "bytes=-0", status: 416, alt: 206},
		{name: "garbage", rng: "bytes=abc", status: 416, alt: 200},
		{name: "other unit", rng: "items=0-10", status: 416, alt: 200},
		{name: "backwards", rng: "bytes=10-5", status: 416, alt: 200},
		{name: "negative", rng: "bytes=-5-10", status: 416, alt: 200},
		{name: "no equals", rng: "bytes 0-10", status: 416, alt: 200},
		{name: "overflowing number", rng: "bytes=0-99999999999999999999999", status: 416, alt: 206},
		{name: "huge start", rng: "bytes=9223372036854775807-", status: 416},
		{name: "empty list", rng: "bytes=,,,", status: 416, alt: 200},
		{name: "a thousand ranges are served whole", rng: many(1000), status: 200, body: full},
		{name: "many overlapping ranges are served whole", rng: "bytes=" + strings.Repeat("0-,", 40) + "0-", status: 200, body: full},
		{name: "if-range with the etag", rng: "bytes=0-9", ifRange: etag, status: 206, body: full[:10]},
		{name: "if-range with another etag", rng: "bytes=0-9", ifRange: `"other"`, status: 200, body: full},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := httptest.NewRequest("GET", path, nil)
			if tt.rng != "" {
				r.Header.Set("Range", tt.rng)
			}
			if tt.ifRange != "" {
				r.Header.Set("If-Range", tt.ifRange)
			}
			res := do(t, h, r)
			b := []byte(body(t, res))
			if res.StatusCode != tt.status && (tt.alt == 0 || res.StatusCode != tt.alt) {
				t.Fatalf("Range %q: status %d, want %d", tt.rng, res.StatusCode, tt.status)
			}
			if res.StatusCode != tt.status {
				return // the acceptable alternative: nothing more to check
			}
			if tt.contentRange != "" {
				if got := res.Header.Get("Content-Range"); got != tt.contentRange {
					t.Errorf("Range %q: Content-Range %q, want %q", tt.rng, got, tt.contentRange)
				}
			}
			if tt.body != nil && !bytes.Equal(b, tt.body) {
				t.Errorf("Range %q: %d bytes back, want %d", tt.rng, len(b), len(tt.body))
			}
			if tt.status == 200 || tt.status == 206 && tt.parts == nil {
				if got := res.Header.Get("Content-Type"); got != "application/pdf" {
					t.Errorf("Range %q: Content-Type %q", tt.rng, got)
				}
			}
			if tt.parts != nil {
				mt, params, err := mime.ParseMediaType(res.Header.Get("Content-Type"))
				if err != nil || mt != "multipart/byteranges" {
					t.Fatalf("Range %q: Content-Type %q, want multipart/byteranges", tt.rng, res.Header.Get("Content-Type"))
				}
				mr := multipart.NewReader(bytes.NewReader(b), params["boundary"])
				for i, want := range tt.parts {
					p, err := mr.NextPart()
					if err != nil {
						t.Fatalf("part %d: %v", i, err)
					}
					got, _ := io.ReadAll(p)
					if cr := fmt.Sprintf("bytes %d-%d/%d", want[0], want[1], n); p.Header.Get("Content-Range") != cr || p.Header.Get("Content-Type") != "application/pdf" {
						t.Errorf("part %d: %q %q, want %q application/pdf", i, p.Header.Get("Content-Range"), p.Header.Get("Content-Type"), cr)
					}
					if !bytes.Equal(got, full[want[0]:want[1]+1]) {
						t.Errorf("part %d: wrong bytes", i)
					}
				}
				if _, err := mr.NextPart(); err != io.EOF {
					t.Errorf("more parts than asked for: %v", err)
				}
			}
			if res.StatusCode == 416 && strings.Contains(string(b), "%PDF") {
				t.Errorf("Range %q: a 416 carried the file", tt.rng)
			}
		})
	}

	// Caching and type headers, on every kind of file.
	for _, f := range []media.File{lib.pdfVI, lib.mp4, lib.poster, lib.vttVI} {
		res, _ := get(t, h, "/media/"+f.Name())
		want := map[string]string{
			"Content-Type":           f.MIME,
			"X-Content-Type-Options": "nosniff",
			"Cache-Control":          "public, max-age=31536000, immutable",
			"ETag":                   `"` + f.Hash + `"`,
			"Accept-Ranges":          "bytes",
			"Content-Length":         fmt.Sprint(f.Size),
		}
		for k, v := range want {
			if got := res.Header.Get(k); got != v {
				t.Errorf("%s: %s = %q, want %q", f.Name(), k, got, v)
			}
		}
		if res.StatusCode != 200 || res.Header.Get("Vary") != "" {
			t.Errorf("%s: status %d, Vary %q (a file is the same for everyone)", f.Name(), res.StatusCode, res.Header.Get("Vary"))
		}
		if cd := res.Header.Get("Content-Disposition"); strings.HasPrefix(cd, "attachment") {
			t.Errorf("%s: Content-Disposition %q: a publication opens in the browser", f.Name(), cd)
		}
	}
	if res, _ := get(t, h, path, "If-None-Match", etag); res.StatusCode != http.StatusNotModified {
		t.Errorf("If-None-Match with the ETag: %d, want 304", res.StatusCode)
	}
	if res, _ := get(t, h, path, "If-None-Match", `"something-else"`); res.StatusCode != 200 {
		t.Errorf("If-None-Match with another ETag: %d, want 200", res.StatusCode)
	}
	head := do(t, h, httptest.NewRequest("HEAD", path, nil))
	if b := body(t, head); head.StatusCode != 200 || b != "" || head.Header.Get("Content-Length") != fmt.Sprint(n) {
		t.Errorf("HEAD: %d, %d bytes, Content-Length %q", head.StatusCode, len(b), head.Header.Get("Content-Length"))
	}
}

func TestMediaFileRefusesBadNames(t *testing.T) {
	in, _ := apptest.MustStart(t)
	h := in.Server.Handler()
	lib := learnLibrary(t, in)
	hash := lib.pdfVI.Hash
	missing := strings.Repeat("ab", 32)
	for _, p := range []string{
		"/media/..%2f..%2fetc%2fpasswd",
		"/media/..%2F..%2F..%2Fetc%2Fpasswd",
		"/media/%2e%2e%2fetc%2fpasswd",
		"/media/..%5c..%5cwindows%5cwin.ini",
		"/media/notahash.mp4",
		"/media/" + hash,                              // no extension
		"/media/" + hash + ".html",                    // not one of the store's
		"/media/" + hash + ".exe",                     // not one of the store's
		"/media/" + hash + ".PDF",                     // extensions are lower case
		"/media/" + strings.ToUpper(hash) + ".pdf",    // so are hashes
		"/media/" + hash + ".png",                     // the file exists, but not as a picture
		"/media/" + hash + ".pdf.",                    // trailing dot
		"/media/" + hash + ".pdf%00",                  // NUL
		"/media/" + hash + "%00.pdf",                  // NUL
		"/media/" + missing + ".pdf",                  // well-formed, not stored
		"/media/" + hash[:63] + ".pdf",                // short
		"/media/" + hash + "0.pdf",                    // long
		"/media/" + hash[:2] + "%2f" + hash + ".pdf",  // the shard directory
		"/media/" + hash + ".pdf%2f..%2f..%2fsecrets", // suffix
		"/media/",
	} {
		res, b := get(t, h, p)
		if res.StatusCode != 404 {
			t.Errorf("GET %s: %d, want 404", p, res.StatusCode)
		}
		if strings.Contains(b, "%PDF") || strings.Contains(b, "root:") {
			t.Errorf("GET %s: served a file", p)
		}
	}
	// The right name still works after all that.
	if res, _ := get(t, h, "/media/"+lib.pdfVI.Name()); res.StatusCode != 200 {
		t.Errorf("the stored file: %d", res.StatusCode)
	}
}

// cards returns the library item ids a /learn page links to, in order.
func cards(page string) []string {
	var ids []string
	for _, part := range strings.Split(page, `<h2 class="media-card-title"><a href="/learn/`)[1:] {
		id, _, _ := strings.Cut(part, `"`)
		ids = append(ids, id)
	}
	return ids
}

func TestLearnListFiltersAndSearch(t *testing.T) {
	in, _ := apptest.MustStart(t)
	h := in.Server.Handler()
	learnLibrary(t, in)
	mine := func(ids []string) []string {
		return slices.DeleteFunc(ids, func(id string) bool { return !strings.HasPrefix(id, "t-") })
	}
	tests := []struct {
		name, query string
		want        []string // of the test's items, in order
	}{
		{"everything", "", []string{"t-video-tin-nhan", "t-story-lan", "t-guide-parents"}},
		{"kind", "kind=story", []string{"t-story-lan"}},
		{"topic", "topic=privacy", []string{"t-guide-parents"}},
		{"second topic", "topic=grooming", []string{"t-guide-parents"}},
		{"audience", "audience=teens", []string{"t-video-tin-nhan", "t-story-lan"}},
		{"language", "language=en", []string{"t-video-tin-nhan", "t-guide-parents"}},
		{"together", "kind=video&topic=phishing&audience=teens&language=vi", []string{"t-video-tin-nhan"}},
		{"nothing fits", "kind=story&audience=adults", nil},
		{"unknown values mean any", "kind=podcast&topic=cooking&audience=aliens&language=fr", []string{"t-video-tin-nhan", "t-story-lan", "t-guide-parents"}},
		{"with diacritics", "q=" + url.QueryEscape("lừa đảo"), []string{"t-video-tin-nhan"}},
		{"without diacritics", "q=" + url.QueryEscape("lua dao"), []string{"t-video-tin-nhan"}},
		{"several words", "q=" + url.QueryEscape("tin nhan lừa"), []string{"t-video-tin-nhan"}},
		{"upper case", "q=" + url.QueryEscape("NHẬN RA"), []string{"t-video-tin-nhan"}},
		{"decomposed input", "q=" + url.QueryEscape("nha\u0302\u0323n ra"), []string{"t-video-tin-nhan"}},
		{"đ without its stroke", "q=" + url.QueryEscape("da nang"), []string{"t-story-lan"}},
		{"prefix", "q=" + url.QueryEscape("cẩm"), []string{"t-guide-parents"}},
		{"english", "q=handbook", []string{"t-guide-parents"}},
		{"story text", "q=" + url.QueryEscape("kể với cô"), []string{"t-story-lan"}},
		{"search and filter", "q=lan&kind=video", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, page := get(t, h, "/learn?"+tt.query)
			if res.StatusCode != 200 {
				t.Fatalf("/learn?%s: %d", tt.query, res.StatusCode)
			}
			if got := mine(cards(page)); !slices.Equal(got, tt.want) {
				t.Errorf("/learn?%s lists %v, want %v", tt.query, got, tt.want)
			}
		})
	}

	// What a visitor typed and chose comes back in the form.
	_, page := get(t, h, "/learn?lang=en&q="+url.QueryEscape("lừa")+"&kind=video&topic=phishing&audience=teens&language=vi")
	for _, want := range []string{`value="lừa"`, `<option value="video" selected>Videos</option>`, `<option value="phishing" selected>`,
		`<option value="teens" selected>13–17 years</option>`, `<option value="vi" lang="vi" selected>Tiếng Việt</option>`, `href="/learn">Clear filters</a>`} {
		if !strings.Contains(page, want) {
			t.Errorf("the filter form lacks %q", want)
		}
	}

	// Search syntax of SQL, FTS5 or tsquery is text: 200, an empty list,
	// never an error page.
	for _, q := range []string{
		`zzqx" OR 1=1 --`,
		`zzqx' OR '1'='1`,
		`zzqx*`,
		`zzqx NEAR(a b) AND ^c`,
		`"zzqx"*:* | !zzqx & (zzqx)`,
		`zzqx\'); DROP TABLE media_items; --`,
		`zzqx {a b} -c +d`,
		`zzqx % _ \`,
		"zzqx\x00",
		"zzqx\xff\xfe",
		strings.Repeat("zzqx ", 3000),
		`*`, `"`, `'`, `(`, `-`, `:`, `^`, `NEAR`, `AND`, `NOT`,
	} {
		res, page := get(t, h, "/learn?q="+url.QueryEscape(q))
		if res.StatusCode != 200 {
			t.Errorf("q=%.40q: %d, want 200", q, res.StatusCode)
			continue
		}
		if strings.HasPrefix(q, "zzqx") && (len(cards(page)) != 0 || !strings.Contains(page, "Chưa có nội dung nào khớp")) {
			t.Errorf("q=%.40q: %d items, want the empty state", q, len(cards(page)))
		}
	}
	if _, page := get(t, h, "/learn"); len(mine(cards(page))) != 3 {
		t.Error("the library lost items after the searches")
	}
	// The search box keeps at most 100 characters.
	_, page = get(t, h, "/learn?q="+strings.Repeat("a", 500))
	if !strings.Contains(page, `value="`+strings.Repeat("a", 100)+`"`) {
		t.Error("a long search is not cut to 100 characters")
	}

	// The cards: picture, title, summary, kind and length.
	_, page = get(t, h, "/learn?lang=en")
	for _, want := range []string{"Spot a scam message", "Three signs of a fake link.", "Video · 1:35", "Publication · 12 pages", "Story",
		`src="/media/`, `<p class="learn-count" id="learn-count">`} {
		if !strings.Contains(page, want) {
			t.Errorf("/learn in English lacks %q", want)
		}
	}
}

func TestLearnItemPages(t *testing.T) {
	in, _ := apptest.MustStart(t)
	h := in.Server.Handler()
	lib := learnLibrary(t, in)

	// A video: the native player, its poster, both caption tracks, the
	// page's language on by default.
	res, page := get(t, h, "/learn/t-video-tin-nhan")
	if res.StatusCode != 200 {
		t.Fatalf("video page: %d\n%s", res.StatusCode, page)
	}
	for _, want := range []string{
		`<video controls preload="metadata" poster="/media/` + lib.poster.Name() + `"`,
		`<source src="/media/` + lib.mp4.Name() + `" type="video/mp4">`,
		`<track kind="captions" src="/media/` + lib.vttVI.Name() + `" srclang="vi" label="Tiếng Việt" default>`,
		`<track kind="captions" src="/media/` + lib.vttEN.Name() + `" srclang="en" label="English">`,
		"<h1>Nhận ra tin nhắn lừa đảo</h1>",
	} {
		if !strings.Contains(page, want) {
			t.Errorf("video page lacks %s", want)
		}
	}
	_, page = get(t, h, "/learn/t-video-tin-nhan?lang=en")
	if !strings.Contains(page, `srclang="en" label="English" default>`) || strings.Contains(page, `label="Tiếng Việt" default`) {
		t.Error("in English, the English captions are not the default")
	}

	// A story: safe Markdown, who tells it; in English, a note that it is
	// only in Vietnamese, and the text marked as Vietnamese.
	_, page = get(t, h, "/learn/t-story-lan")
	for _, want := range []string{"<strong>mình</strong>", `href="https://example.com/111" rel="nofollow noopener"`, "Người kể: Lan, 15 tuổi, Đà Nẵng", `<div class="story">`} {
		if !strings.Contains(page, want) {
			t.Errorf("story page lacks %s", want)
		}
	}
	if strings.Contains(page, "alert(1)</script>") || strings.Contains(page, "javascript:") {
		t.Error("the story's script or javascript: link came through")
	}
	_, page = get(t, h, "/learn/t-story-lan?lang=en")
	for _, want := range []string{"This is only available in Vietnamese for now.", `<div class="story" lang="vi">`, "Told by Lan, 15 years old, Đà Nẵng", "<h1>Lan and the class group chat</h1>"} {
		if !strings.Contains(page, want) {
			t.Errorf("English story page lacks %s", want)
		}
	}

	// A publication: cover, pages, a download and a preview per language.
	_, page = get(t, h, "/learn/t-guide-parents?lang=en")
	for _, want := range []string{
		`src="/media/` + lib.cover.Name() + `"`, "12 pages",
		`href="/media/` + lib.pdfVI.Name() + `" download="t-guide-parents-vi.pdf"`, "Download in Vietnamese (PDF)",
		`href="/media/` + lib.pdfEN.Name() + `" download="t-guide-parents-en.pdf"`, "Download in English (PDF)",
		"Read in English in the browser",
	} {
		if !strings.Contains(page, want) {
			t.Errorf("publication page lacks %s", want)
		}
	}
	// On a kiosk: a QR code to read it on a phone, no file to download or
	// a PDF viewer that would leave the kiosk's pages.
	kiosk := kioskEvent(t, in, 1)
	r := httptest.NewRequest("GET", "/learn/t-guide-parents", nil)
	r.AddCookie(kiosk)
	kres := do(t, h, r)
	page = body(t, kres)
	if !strings.Contains(page, `<div class="qr" role="img"`) || strings.Contains(page, "download=") || strings.Contains(page, lib.pdfVI.Name()) {
		t.Error("a kiosk's publication page offers the file instead of a QR code")
	}

	// Topics and "Practise what you learned": quizzes on the same topics.
	bank := in.Server.Web.Play.Bank()
	for _, id := range []string{"t-video-tin-nhan", "t-story-lan", "t-guide-parents"} {
		it, err := in.DB.MediaItem(context.Background(), id)
		if err != nil {
			t.Fatal(err)
		}
		_, page := get(t, h, "/learn/"+id+"?lang=en")
		for _, tp := range it.Topics {
			if !strings.Contains(page, `href="/learn?topic=`+tp+`"`) {
				t.Errorf("%s: no link to the topic %s", id, tp)
			}
		}
		var linked []string
		for _, part := range strings.Split(page, `<h3 class="quiz-title"><a href="/practise/`)[1:] {
			q, _, _ := strings.Cut(part, `"`)
			linked = append(linked, q)
		}
		var possible int
		for _, q := range bank.Quizzes() {
			if slices.ContainsFunc(bank.Topics(q), func(t string) bool { return slices.Contains(it.Topics, t) }) {
				possible++
			}
		}
		if want := min(3, possible); len(linked) != want {
			t.Errorf("%s: %d quizzes to practise (%v), want %d", id, len(linked), linked, want)
		}
		if possible > 0 && !strings.Contains(page, "Practise what you learned") {
			t.Errorf("%s: no Practise what you learned section", id)
		}
		for _, qid := range linked {
			q := bank.Quiz(qid)
			if q == nil || !slices.ContainsFunc(bank.Topics(q), func(t string) bool { return slices.Contains(it.Topics, t) }) {
				t.Errorf("%s: links quiz %s, which shares no topic", id, qid)
			}
			if res, _ := get(t, h, "/practise/"+qid); res.StatusCode != 200 {
				t.Errorf("%s: the quiz link /practise/%s is %d", id, qid, res.StatusCode)
			}
		}
	}

	for _, p := range []string{"/learn/no-such-item", "/learn/" + strings.Repeat("x", 300), "/learn/%27%20OR%201%3D1"} {
		if res, b := get(t, h, p+"?lang=en"); res.StatusCode != 404 || !strings.Contains(b, "This item is not in the library.") {
			t.Errorf("GET %s: %d, want 404 with a message", p, res.StatusCode)
		}
	}
}

func TestLearnDoorsAndResults(t *testing.T) {
	in, _ := apptest.MustStart(t)
	h := in.Server.Handler()
	learnLibrary(t, in)
	if _, page := get(t, h, "/"); !strings.Contains(page, `<a class="door" href="/learn">`) {
		t.Error("the home page has no Learn door")
	}
	r := httptest.NewRequest("GET", "/kiosk/home", nil)
	r.AddCookie(kioskEvent(t, in, 1))
	if page := body(t, do(t, h, r)); !strings.Contains(page, `<a class="door" href="/learn">`) {
		t.Error("the kiosk home has no Learn door")
	}

	// A quiz of two items: one on privacy, one on phishing.
	opts := []quiz.Option{{ID: "a", Text: quiz.Text{VI: "Đúng", EN: "Right"}, Correct: true}, {ID: "b", Text: quiz.Text{VI: "Sai", EN: "Wrong"}}}
	item := func(id, topic string) quiz.Item {
		return quiz.Item{ID: id, Type: quiz.Single, Topics: []string{topic}, Ages: []string{"adults"}, Difficulty: 1,
			Prompt: quiz.Text{VI: "Câu " + id, EN: "Question " + id}, Explanation: quiz.Text{VI: "Vì vậy", EN: "Because"},
			Tip: quiz.Text{VI: "Mẹo " + id, EN: "Tip " + id}, Options: opts}
	}
	in.Server.Web.Play.SetBank(quiz.NewBank([]quiz.Item{item("p1", "privacy"), item("p2", "phishing")},
		[]quiz.Quiz{{ID: "two", Title: quiz.Text{VI: "Hai câu", EN: "Two"}, Ages: []string{"adults"}, Items: []string{"p1", "p2"}}}))
	ctx := context.Background()
	online, err := in.DB.Event(ctx, event.DefaultID)
	if err != nil {
		t.Fatal(err)
	}
	results := func(choices ...string) string {
		t.Helper()
		play := in.Server.Web.Play
		a, err := play.Start(ctx, "two", "en", event.Device{Event: online})
		if err != nil {
			t.Fatal(err)
		}
		for i, c := range choices {
			if _, err := play.Answer(ctx, a.ID, a.Items[i], "", quiz.Response{Choice: c}); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := play.Finish(ctx, a.ID); err != nil {
			t.Fatal(err)
		}
		res, page := get(t, h, "/play/"+a.ID+"/results?lang=en")
		if res.StatusCode != 200 {
			t.Fatalf("results: %d", res.StatusCode)
		}
		return page
	}
	page := results("b", "a") // privacy missed, phishing right
	if !strings.Contains(page, "Learn more about what you missed") || !strings.Contains(page, `href="/learn/t-guide-parents"`) {
		t.Error("the results do not point to the item on the missed topic")
	}
	if strings.Contains(page, `href="/learn/t-video-tin-nhan"`) || strings.Contains(page, `href="/learn/t-story-lan"`) {
		t.Error("the results point to items on topics the player got right")
	}
	page = results("b", "b") // both missed: an item on each (the shipped library may offer others than the test's)
	covered := map[string]bool{}
	for _, m := range regexp.MustCompile(`href="/learn/([a-z0-9-]+)"`).FindAllStringSubmatch(page, -1) {
		if it, err := in.DB.MediaItem(ctx, m[1]); err == nil {
			for _, tp := range it.Topics {
				covered[tp] = true
			}
		}
	}
	if !covered["privacy"] || !covered["phishing"] {
		t.Errorf("with two topics missed, the results do not point to an item on each (topics linked: %v)", covered)
	}
	if page = results("a", "a"); strings.Contains(page, "Learn more about what you missed") {
		t.Error("nothing missed, yet the results offer items on missed topics")
	}
}
