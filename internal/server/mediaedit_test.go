package server_test

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"html"
	"image/color"
	"image/png"
	"io"
	"io/fs"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/notalone/notalone/internal/app"
	"github.com/notalone/notalone/internal/apptest"
	"github.com/notalone/notalone/internal/i18n"
	"github.com/notalone/notalone/internal/media"
	"github.com/notalone/notalone/internal/staff"
	"github.com/notalone/notalone/internal/store"
	"github.com/notalone/notalone/internal/web"
)

// upload is one file of a library editor's save.
type upload struct {
	field, filename string
	data            []byte
}

// mediaBody is a save of the library editor as a browser sends it.
func mediaBody(t *testing.T, fields url.Values, files ...upload) ([]byte, string) {
	t.Helper()
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	for k, vs := range fields {
		for _, v := range vs {
			if err := w.WriteField(k, v); err != nil {
				t.Fatal(err)
			}
		}
	}
	for _, f := range files {
		fw, err := w.CreateFormFile(f.field, f.filename)
		if err != nil {
			t.Fatal(err)
		}
		fw.Write(f.data)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes(), w.FormDataContentType()
}

func mediaSave(t *testing.T, h http.Handler, c *http.Cookie, path string, fields url.Values, files ...upload) (*http.Response, string) {
	t.Helper()
	b, ct := mediaBody(t, fields, files...)
	r := httptest.NewRequest("POST", path, bytes.NewReader(b))
	r.Header.Set("Content-Type", ct)
	r.AddCookie(c)
	res := do(t, h, r)
	return res, body(t, res)
}

// storedFiles lists every file under the media store, temporary ones
// included.
func storedFiles(t *testing.T, in *app.Instance) []string {
	t.Helper()
	var out []string
	err := filepath.WalkDir(in.Server.Web.MediaFiles.Dir, func(p string, d fs.DirEntry, err error) error {
		if errors.Is(err, fs.ErrNotExist) {
			return nil
		}
		if err == nil && !d.IsDir() {
			out = append(out, p)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func videoFields(id string) url.Values {
	return url.Values{"id": {id}, "kind": {"video"}, "title_vi": {"Cuộc gọi giả danh công an"}, "title_en": {"The fake police call"},
		"summary_vi": {"Nghe giọng nói, đừng nghe lời đe doạ."}, "summary_en": {"Listen to the voice, not the threat."},
		"topics": {"impersonation", "phishing"}, "audience": {"teens"}, "langs": {"vi", "en"}, "duration_seconds": {"42"}}
}

var (
	exeBytes = append([]byte("MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00This program cannot be run in DOS mode."), make([]byte, 4096)...)
	vttVI    = []byte("WEBVTT\n\n00:00.000 --> 00:02.000\nAlô, công an đây.\n")
	vttEN    = []byte("WEBVTT\n\n00:00.000 --> 00:02.000\nHello, this is the police.\n")
)

func catalog(t *testing.T) *i18n.Catalog {
	t.Helper()
	c, err := i18n.Load()
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// TestMediaUploadsRefused: a renamed program, a cut-off video, a caption
// file too large, a body cut off mid-way and a save over the limit are all
// refused with a message on the form, what the editor typed kept, and
// nothing left in the media store.
func TestMediaUploadsRefused(t *testing.T) {
	in, _ := apptest.MustStart(t)
	h := in.Server.Handler()
	ed := signIn(t, in, "ed@x.example", staff.Editor)
	l := catalog(t).For(i18n.VI)
	before := storedFiles(t, in)
	video := mp4Bytes(200_000)
	tests := []struct {
		name  string
		files []upload
		key   string
	}{
		{"renamed program", []upload{{"file", "phim.mp4", exeBytes}}, "error.media_type"},
		{"program as captions", []upload{{"captions_vi", "phu-de.vtt", exeBytes}}, "error.media_type"},
		{"cut-off video", []upload{{"file", "phim.mp4", video[:len(video)-5000]}}, "error.media_incomplete"},
		{"video without its movie header", []upload{{"file", "phim.mp4", video[:40]}}, "error.media_incomplete"},
		{"captions too large", []upload{{"captions_vi", "phu-de.vtt", append(slices.Clone(vttVI), bytes.Repeat([]byte("a\n"), media.MaxCaptionSize)...)}}, "error.media_too_large"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, page := mediaSave(t, h, ed, "/console/content/media", videoFields("t-refused"), tt.files...)
			if res.StatusCode != 400 {
				t.Errorf("status = %d, want 400 (problems on the form)", res.StatusCode)
			}
			if !strings.Contains(page, html.EscapeString(l.T(tt.key))) {
				t.Errorf("the form does not say %q", l.T(tt.key))
			}
			if !strings.Contains(page, `value="Cuộc gọi giả danh công an"`) || !strings.Contains(page, `value="42"`) {
				t.Errorf("the form lost what the editor typed")
			}
			if got := storedFiles(t, in); !slices.Equal(got, before) {
				t.Errorf("media store changed: %q, was %q", got, before)
			}
		})
	}

	t.Run("length not a number", func(t *testing.T) {
		fields := videoFields("t-refused")
		fields.Set("duration_seconds", "4 phút")
		res, page := mediaSave(t, h, ed, "/console/content/media", fields)
		if res.StatusCode != 400 || !strings.Contains(page, html.EscapeString(l.T("console.media_not_number", "max", 86400))) || !strings.Contains(page, `value="4 phút"`) {
			t.Errorf("bad length = %d, want 400 saying so, with what was typed", res.StatusCode)
		}
	})

	t.Run("body cut off mid-way", func(t *testing.T) {
		b, ct := mediaBody(t, videoFields("t-refused"), upload{"file", "phim.mp4", video})
		// What net/http reports when the connection drops before the end.
		r := httptest.NewRequest("POST", "/console/content/media", io.MultiReader(bytes.NewReader(b[:len(b)*2/3]), errReader{io.ErrUnexpectedEOF}))
		r.Header.Set("Content-Type", ct)
		r.AddCookie(ed)
		res := do(t, h, r)
		if page := body(t, res); res.StatusCode != 400 || !strings.Contains(page, html.EscapeString(l.T("error.media_incomplete"))) {
			t.Errorf("cut-off body = %d, want 400 saying %q", res.StatusCode, l.T("error.media_incomplete"))
		}
		if got := storedFiles(t, in); !slices.Equal(got, before) {
			t.Errorf("media store changed: %q, was %q", got, before)
		}
	})

	t.Run("save over the limit", func(t *testing.T) {
		b, ct := mediaBody(t, videoFields("t-refused"), upload{"file", "phim.mp4", video})
		r := httptest.NewRequest("POST", "/console/content/media/t-video-none", bytes.NewReader(b))
		r.ContentLength = web.MaxMediaUpload + 1
		r.Header.Set("Content-Type", ct)
		r.AddCookie(ed)
		if res := do(t, h, r); res.StatusCode != 404 {
			t.Errorf("save of an unknown item = %d, want 404", res.StatusCode)
		}
		r = httptest.NewRequest("POST", "/console/content/media", bytes.NewReader(b))
		r.ContentLength = web.MaxMediaUpload + 1
		r.Header.Set("Content-Type", ct)
		r.AddCookie(ed)
		if res := do(t, h, r); res.StatusCode != 413 {
			t.Errorf("save over %d bytes = %d, want 413", web.MaxMediaUpload, res.StatusCode)
		}
	})

	if drafts, err := in.DB.MediaDrafts(context.Background()); err != nil || len(drafts) != 0 {
		t.Errorf("drafts after refused saves: %v, %v", drafts, err)
	}
}

type errReader struct{ err error }

func (e errReader) Read([]byte) (int, error) { return 0, e.err }

var keepRE = regexp.MustCompile(`name="keep_([a-z_]+)" value="([0-9a-f]{64}\.[a-z0-9]+)"`)

// kept returns the stored files a form sent back keeps, by field.
func kept(page string) url.Values {
	v := url.Values{}
	for _, m := range keepRE.FindAllStringSubmatch(page, -1) {
		v.Add("keep_"+m[1], m[2])
	}
	return v
}

func with(a url.Values, more ...url.Values) url.Values {
	out := url.Values{}
	for _, v := range append([]url.Values{a}, more...) {
		for k, vs := range v {
			out[k] = append(out[k], vs...)
		}
	}
	return out
}

// TestMediaEditorDraftPreviewPublish: a new video whose poster is refused
// keeps its stored video; the fixed save is a draft that the public library
// does not show until it is published; later versions keep their files,
// and an earlier version can be restored.
func TestMediaEditorDraftPreviewPublish(t *testing.T) {
	in, _ := apptest.MustStart(t)
	h := in.Server.Handler()
	ed := signIn(t, in, "ed@x.example", staff.Editor)
	ctx := context.Background()
	send := func(method, path string) (*http.Response, string) {
		t.Helper()
		r := httptest.NewRequest(method, path, nil)
		r.AddCookie(ed)
		res := do(t, h, r)
		return res, body(t, res)
	}

	res, page := mediaSave(t, h, ed, "/console/content/media", videoFields("t-new-video"),
		upload{"file", "phim.mp4", mp4Bytes(50_000)}, upload{"poster", "anh.jpg", exeBytes})
	keep := kept(page)
	if res.StatusCode != 400 || keep.Get("keep_file") == "" || keep.Get("keep_poster") != "" {
		t.Fatalf("save with a bad poster = %d, kept %v: want 400 keeping the video only", res.StatusCode, keep)
	}
	res, _ = mediaSave(t, h, ed, "/console/content/media", with(videoFields("t-new-video"), keep),
		upload{"poster", "anh.png", pngBytes(t, color.RGBA{200, 30, 30, 255})}, upload{"captions_vi", "vi.vtt", vttVI}, upload{"captions_en", "en.vtt", vttEN})
	if loc := res.Header.Get("Location"); res.StatusCode != 303 || loc != "/console/content/media/t-new-video?saved=1" {
		t.Fatalf("save = %d %s, want 303 to the draft", res.StatusCode, loc)
	}
	_, v1, err := in.DB.MediaVersion(ctx, "t-new-video", 1)
	if err != nil || v1.File != keep.Get("keep_file") || v1.Poster == "" || v1.Captions["en"] == "" || v1.DurationSeconds != 42 ||
		!slices.Equal(v1.Topics, []string{"phishing", "impersonation"}) {
		t.Fatalf("draft = %+v, %v", v1, err)
	}
	if res, _ := mediaSave(t, h, ed, "/console/content/media", with(videoFields("t-new-video"), keep)); res.StatusCode != 400 {
		t.Errorf("a second new item with the same id = %d, want 400", res.StatusCode)
	}

	if _, page := send("GET", "/console/content/media"); !strings.Contains(page, `href="/console/content/media/t-new-video"`) {
		t.Errorf("the library list does not show the new draft")
	}
	res, page = send("GET", "/console/content/media/t-new-video")
	if res.StatusCode != 200 || !strings.Contains(page, "The fake police call") || kept(page).Get("keep_poster") != v1.Poster {
		t.Errorf("edit page = %d, its form does not hold the draft", res.StatusCode)
	}
	res, page = send("GET", "/console/content/media/t-new-video/versions/1/preview")
	if res.StatusCode != 200 || !strings.Contains(page, "<video") || !strings.Contains(page, "/media/"+v1.File) || !strings.Contains(page, "Cuộc gọi giả danh công an") {
		t.Errorf("preview = %d, want the item's page with its video", res.StatusCode)
	}
	if res, _ := send("GET", "/learn/t-new-video"); res.StatusCode != 404 {
		t.Errorf("an unpublished draft is public: %d", res.StatusCode)
	}

	if res, _ := send("POST", "/console/content/media/t-new-video/versions/1/publish"); res.StatusCode != 303 ||
		res.Header.Get("Location") != "/console/content/media/t-new-video?published=1" {
		t.Fatalf("publish = %d %s", res.StatusCode, res.Header.Get("Location"))
	}
	items, err := in.DB.MediaItems(ctx, store.MediaFilter{Kind: media.KindVideo, Query: "cong an"})
	if err != nil || !slices.ContainsFunc(items, func(it media.Item) bool { return it.ID == "t-new-video" }) {
		t.Fatalf("published item not in the library: %v, %v", items, err)
	}
	if res, _ := send("GET", "/learn/t-new-video"); res.StatusCode != 200 {
		t.Errorf("published item page = %d", res.StatusCode)
	}

	// A new version from the form as the edit page gives it: files kept.
	_, page = send("GET", "/console/content/media/t-new-video")
	fields := with(videoFields(""), kept(page))
	fields.Set("title_en", "The fake police call (new)")
	fields.Del("topics")
	fields.Add("topics", "impersonation")
	if res, _ := mediaSave(t, h, ed, "/console/content/media/t-new-video", fields); res.StatusCode != 303 {
		t.Fatalf("second save = %d", res.StatusCode)
	}
	_, v2, _ := in.DB.MediaVersion(ctx, "t-new-video", 2)
	if v2.Title.EN != "The fake police call (new)" || v2.File != v1.File || v2.Poster != v1.Poster || v2.Captions["vi"] != v1.Captions["vi"] {
		t.Errorf("version 2 = %+v, want the new title and version 1's files", v2)
	}
	if res, _ := send("POST", "/console/content/media/t-new-video/versions/1/restore"); res.StatusCode != 303 ||
		res.Header.Get("Location") != "/console/content/media/t-new-video?saved=3" {
		t.Errorf("restore = %d %s", res.StatusCode, res.Header.Get("Location"))
	}
	if _, v3, _ := in.DB.MediaVersion(ctx, "t-new-video", 3); v3.Title.EN != "The fake police call" {
		t.Errorf("restored version = %+v", v3)
	}
}

// pngWithEXIF is a PNG photo carrying what a phone may write into one: an
// eXIf chunk with a GPS position, and the place as text.
func pngWithEXIF(t *testing.T) (photo, gps []byte) {
	t.Helper()
	gps = binary.BigEndian.AppendUint32(nil, 0x0BADC0DE)
	// A TIFF header, one directory entry pointing at the GPS directory,
	// and the latitude as its first rational.
	exif := []byte("MM\x00*\x00\x00\x00\x08\x00\x01\x88\x25\x00\x04\x00\x00\x00\x01\x00\x00\x00\x1a\x00\x00\x00\x00")
	exif = append(exif, "\x00\x01\x00\x02\x00\x05\x00\x00\x00\x03\x00\x00\x00\x2c\x00\x00\x00\x00"...)
	exif = append(append(exif, gps...), "\x00\x00\x00\x01GPSLatitude 21.0285N"...)
	chunk := func(typ string, data []byte) []byte {
		b := binary.BigEndian.AppendUint32(nil, uint32(len(data)))
		b = append(append(b, typ...), data...)
		return binary.BigEndian.AppendUint32(b, crc32.ChecksumIEEE(append([]byte(typ), data...)))
	}
	plain := pngBytes(t, color.RGBA{30, 120, 200, 255})
	ihdrEnd := 8 + 8 + 13 + 4 // signature, then IHDR: length, type, data, CRC
	photo = slices.Concat(plain[:ihdrEnd], chunk("eXIf", exif), chunk("tEXt", []byte("Location\x00Ha Noi 21.0285 N 105.8542 E")), plain[ihdrEnd:])
	if _, err := png.Decode(bytes.NewReader(photo)); err != nil {
		t.Fatalf("the test photo is not a PNG: %v", err)
	}
	return photo, gps
}

// TestMediaEditorStoryPhotoAndPreview: a story's photo is stored without
// its metadata, and the story's Markdown is previewed rendered and
// sanitised before anything is saved.
func TestMediaEditorStoryPhotoAndPreview(t *testing.T) {
	in, _ := apptest.MustStart(t)
	h := in.Server.Handler()
	ed := signIn(t, in, "ed@x.example", staff.Editor)
	photo, gps := pngWithEXIF(t)
	fields := url.Values{"id": {"t-story-minh"}, "kind": {"story"}, "title_vi": {"Minh và nhóm chat lớp"}, "title_en": {"Minh and the class chat"},
		"summary_vi": {"Minh đã nói với cô giáo."}, "summary_en": {"Minh told his teacher."}, "topics": {"cyberbullying"}, "langs": {"vi", "en"},
		"body_vi": {"Hôm đó **mình** đã kể với cô.\r\n\r\n<script>alert(1)</script>\r\n\r\n[bấm](javascript:alert(1))"},
		"body_en": {"That day *I* told my teacher."}, "ambassador_name": {"Minh"}, "ambassador_age": {"14"}, "action": {"preview"}}
	res, page := mediaSave(t, h, ed, "/console/content/media", fields, upload{"photos", "IMG_0001.png", photo})
	if res.StatusCode != 200 || !strings.Contains(page, "<strong>mình</strong>") || !strings.Contains(page, "<em>I</em>") {
		t.Fatalf("preview = %d, want the rendered story", res.StatusCode)
	}
	if strings.Contains(page, "<script>alert") || strings.Contains(page, `href="javascript:`) {
		t.Errorf("the preview lets a script through")
	}
	if drafts, _ := in.DB.MediaDrafts(context.Background()); len(drafts) != 0 {
		t.Errorf("a preview saved a draft")
	}
	keep := kept(page)
	if len(keep["keep_photos"]) != 1 {
		t.Fatalf("the form does not keep the uploaded photo: %v", keep)
	}
	fields.Del("action")
	if res, _ := mediaSave(t, h, ed, "/console/content/media", with(fields, keep)); res.StatusCode != 303 {
		t.Fatalf("save = %d", res.StatusCode)
	}
	_, it, err := in.DB.MediaVersion(context.Background(), "t-story-minh", 1)
	if err != nil || len(it.Photos) != 1 || it.Ambassador == nil || it.Ambassador.Age != 14 || strings.Contains(it.Body.VI, "\r") {
		t.Fatalf("draft = %+v, %v", it, err)
	}
	hash, ext, _ := media.ParseName(it.Photos[0])
	f, err := in.Server.Web.MediaFiles.Open(hash, ext)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	stored, _ := io.ReadAll(f)
	for _, leak := range [][]byte{[]byte("eXIf"), []byte("tEXt"), []byte("MM\x00*"), gps, []byte("GPS"), []byte("21.0285")} {
		if bytes.Contains(stored, leak) {
			t.Errorf("the stored photo still holds %q", leak)
		}
	}
	if _, err := png.Decode(bytes.NewReader(stored)); err != nil {
		t.Errorf("the stored photo is not a PNG: %v", err)
	}
	if fi, err := os.Stat(f.Name()); err != nil || fi.Size() == int64(len(photo)) {
		t.Errorf("the photo was stored as sent")
	}
}

// TestKioskAttractLoop: an event's chosen videos play on its kiosks'
// attract screen, muted with captions; elsewhere the still screen stays.
func TestKioskAttractLoop(t *testing.T) {
	in, _ := apptest.MustStart(t)
	h := in.Server.Handler()
	lib := learnLibrary(t, in)
	kiosk := kioskEvent(t, in, 1)
	ed := signIn(t, in, "ed@x.example", staff.Editor)
	r := httptest.NewRequest("GET", "/console/events/fair", nil)
	r.AddCookie(ed)
	if page := body(t, do(t, h, r)); !strings.Contains(page, `name="attract_videos" value="t-video-tin-nhan"`) {
		t.Fatalf("the event settings do not offer the library's video")
	}
	settings := url.Values{"name": {"Ngày hội An toàn"}, "timezone": {"Asia/Ho_Chi_Minh"}, "kiosk_idle_seconds": {"90"}, "kiosk_quiz": {"kiosk"},
		"attract_videos": {"t-video-tin-nhan", "t-story-lan", "no-such-video"}}
	r = form("/console/events/fair/settings", settings)
	r.AddCookie(ed)
	if res := do(t, h, r); res.StatusCode != 303 {
		t.Fatalf("event settings = %d", res.StatusCode)
	}
	e, err := in.DB.Event(context.Background(), "fair")
	if err != nil || !slices.Equal(e.AttractVideos, []string{"t-video-tin-nhan"}) {
		t.Fatalf("attract videos = %q, %v: want the published video only", e.AttractVideos, err)
	}

	r = httptest.NewRequest("GET", "/kiosk", nil)
	r.AddCookie(kiosk)
	page := body(t, do(t, h, r))
	for _, want := range []string{"<video", " muted", " playsinline", " autoplay", " loop", `src="/media/` + lib.mp4.Name() + `"`,
		`<track kind="captions" src="/media/` + lib.vttVI.Name() + `" srclang="vi"`, `href="/kiosk/home"`} {
		if !strings.Contains(page, want) {
			t.Errorf("the attract screen lacks %s", want)
		}
	}
	if page := body(t, do(t, h, httptest.NewRequest("GET", "/kiosk", nil))); strings.Contains(page, "<video") {
		t.Errorf("a device that is not a kiosk plays the loop")
	}
}

// onePagePDF is the smallest PDF a renderer draws: one blank page.
func onePagePDF() []byte {
	objs := []string{"<< /Type /Catalog /Pages 2 0 R >>", "<< /Type /Pages /Kids [3 0 R] /Count 1 >>", "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 300] >>"}
	b := []byte("%PDF-1.4\n")
	var offsets []int
	for i, o := range objs {
		offsets = append(offsets, len(b))
		b = fmt.Appendf(b, "%d 0 obj %s endobj\n", i+1, o)
	}
	xref := len(b)
	b = fmt.Appendf(b, "xref\n0 %d\n0000000000 65535 f \n", len(objs)+1)
	for _, o := range offsets {
		b = fmt.Appendf(b, "%010d 00000 n \n", o)
	}
	return fmt.Appendf(b, "trailer << /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n", len(objs)+1, xref)
}

// TestMediaEditorMakesPictures: where the server has ffmpeg and poppler, a
// video saved without a poster gets a frame of itself and a publication
// without a cover its first page. Elsewhere editors upload them.
func TestMediaEditorMakesPictures(t *testing.T) {
	ffmpeg, errF := exec.LookPath("ffmpeg")
	_, errP := exec.LookPath("pdftoppm")
	if errF != nil || errP != nil {
		t.Skip("ffmpeg or pdftoppm is not installed")
	}
	film := filepath.Join(t.TempDir(), "film.mp4")
	if out, err := exec.Command(ffmpeg, "-v", "error", "-f", "lavfi", "-i", "testsrc=duration=1:size=160x90:rate=10", "-pix_fmt", "yuv420p", film).CombinedOutput(); err != nil {
		t.Skipf("ffmpeg cannot make a test video: %v %s", err, out)
	}
	video, err := os.ReadFile(film)
	if err != nil {
		t.Fatal(err)
	}
	in, _ := apptest.MustStart(t)
	h := in.Server.Handler()
	ed := signIn(t, in, "ed@x.example", staff.Editor)
	ctx := context.Background()
	res, page := mediaSave(t, h, ed, "/console/content/media", videoFields("t-made-poster"),
		upload{"file", "film.mp4", video}, upload{"captions_vi", "vi.vtt", vttVI}, upload{"captions_en", "en.vtt", vttEN})
	if res.StatusCode != 303 {
		t.Fatalf("video without a poster = %d: %s", res.StatusCode, page)
	}
	if _, it, err := in.DB.MediaVersion(ctx, "t-made-poster", 1); err != nil || it.Poster == "" {
		t.Errorf("no poster made: %+v, %v", it, err)
	}
	fields := url.Values{"id": {"t-made-cover"}, "kind": {"publication"}, "title_vi": {"Sổ tay"}, "title_en": {"Handbook"},
		"summary_vi": {"Một trang."}, "summary_en": {"One page."}, "topics": {"privacy"}, "langs": {"vi"}, "pages": {"1"}}
	if res, page := mediaSave(t, h, ed, "/console/content/media", fields, upload{"pdf_vi", "so-tay.pdf", onePagePDF()}); res.StatusCode != 303 {
		t.Fatalf("publication without a cover = %d: %s", res.StatusCode, page)
	}
	if _, it, err := in.DB.MediaVersion(ctx, "t-made-cover", 1); err != nil || it.Cover == "" {
		t.Errorf("no cover made: %+v, %v", it, err)
	}
}
