package e2e

import (
	"bytes"
	"image"
	"image/color"
	"image/png"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/notalone/notalone/internal/event"
	"github.com/notalone/notalone/internal/i18n"
	"github.com/notalone/notalone/internal/media"
	"github.com/notalone/notalone/internal/testenv"
)

// Captions of the test video: one cue over its whole length in each
// language, so both have a cue at any time.
const (
	captionVI = "Đừng bấm vào đường link lạ."
	captionEN = "Don't tap a link you didn't expect."
)

// makeVideo encodes a six-second H.264 video (a teal picture, no sound)
// with ffmpeg: the smallest real file a browser plays and seeks in. A
// keyframe every second lets a seek land where it was asked to.
func makeVideo(t *testing.T, srv *server, ffmpeg string) []byte {
	t.Helper()
	out := filepath.Join(t.TempDir(), "video.mp4")
	cmd := exec.CommandContext(srv.ctx, ffmpeg, "-nostdin", "-loglevel", "error", "-f", "lavfi", "-i", "color=c=teal:s=320x240:d=6:r=24",
		"-c:v", "libx264", "-preset", "ultrafast", "-g", "24", "-pix_fmt", "yuv420p", "-movflags", "+faststart", out)
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("ffmpeg: %v\n%s", err, b)
	}
	b, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func solidPNG(t *testing.T, w, h int, c color.Color) []byte {
	t.Helper()
	m := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			m.Set(x, y, c)
		}
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, m); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// installLibrary stores a video with captions, a story and a publication
// on topic, as the pack loader would.
func installLibrary(t *testing.T, srv *server, ffmpeg, topic string) {
	t.Helper()
	st := srv.Server.Web.MediaFiles
	put := func(b []byte, k media.Kind) string {
		t.Helper()
		f, err := st.Put(bytes.NewReader(b), 50<<20, k)
		if err != nil {
			t.Fatalf("store %s: %v", k, err)
		}
		return f.Name()
	}
	video := put(makeVideo(t, srv, ffmpeg), media.MP4)
	poster := put(solidPNG(t, 320, 240, color.RGBA{15, 107, 102, 255}), media.PNG)
	cover := put(solidPNG(t, 210, 297, color.RGBA{244, 185, 66, 255}), media.PNG)
	capVI := put([]byte("WEBVTT\n\n00:00.000 --> 00:06.000\n"+captionVI+"\n"), media.WebVTT)
	capEN := put([]byte("WEBVTT\n\n00:00.000 --> 00:06.000\n"+captionEN+"\n"), media.WebVTT)
	pdf := put([]byte("%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n2 0 obj << /Type /Pages /Kids [] /Count 0 >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"), media.PDF)
	items := []media.Item{
		{ID: "e2e-video", Kind: media.KindVideo, Topics: []string{topic}, Audience: []string{"teens"}, Langs: []string{"vi", "en"},
			Title:   i18n.Text{VI: "Ba giây trước khi bấm link lừa đảo", EN: "Three seconds before you tap a scam link"},
			Summary: i18n.Text{VI: "Dừng lại, nhìn kỹ địa chỉ, hỏi người lớn.", EN: "Stop, read the address, ask an adult."},
			File:    video, Poster: poster, Captions: media.PerLang{"vi": capVI, "en": capEN}, DurationSeconds: 6},
		{ID: "e2e-story", Kind: media.KindStory, Topics: []string{topic}, Audience: []string{"kids", "teens"}, Langs: []string{"vi", "en"},
			Title:      i18n.Text{VI: "Minh và tin nhắn trúng thưởng", EN: "Minh and the prize message"},
			Summary:    i18n.Text{VI: "Minh suýt nhập mã OTP, rồi gọi cho chị gái.", EN: "Minh almost typed in the OTP code, then called his sister."},
			Body:       i18n.Text{VI: "## Hôm đó\n\nMình đã **dừng lại** và hỏi chị.", EN: "## That day\n\nI **stopped** and asked my sister."},
			Ambassador: &media.Ambassador{Name: "Minh", Age: 14, Province: "Cần Thơ"}},
		{ID: "e2e-guide", Kind: media.KindPublication, Topics: []string{topic}, Audience: []string{"adults"}, Langs: []string{"vi"},
			Title:   i18n.Text{VI: "Cẩm nang an toàn trên mạng", EN: "Online safety handbook"},
			Summary: i18n.Text{VI: "Cho thầy cô và phụ huynh.", EN: "For teachers and parents."},
			Files:   media.PerLang{"vi": pdf}, Cover: cover, Pages: 8},
	}
	if _, err := srv.DB.LoadMediaPacks(srv.ctx, items); err != nil {
		t.Fatal(err)
	}
}

// TestLearnLibrary is the Learn door: the library and its search, a video
// whose captions switch language and which seeks (range requests), a
// story, a publication, and "Practise what you learned" to a quiz, with
// axe on every page.
func TestLearnLibrary(t *testing.T) {
	ffmpeg := testenv.FFmpeg(t)
	srv := startServer(t)
	bank := srv.Server.Web.Play.Bank()
	topic := bank.Topics(bank.Quizzes()[0])[0]
	installLibrary(t, srv, ffmpeg, topic)

	tb := newTab(t, srv, "vi")
	tb.visit("/")
	tb.click(`a.door[href="/learn"]`)
	tb.audit()
	if n := eval[int](tb, `document.querySelectorAll('.media-card a[href^="/learn/e2e-"]').length`); n != 3 {
		t.Errorf("the library shows %d of the 3 items", n)
	}

	// Search without diacritics, with a filter, through the form.
	tb.do("search", chromedp.SendKeys(chromedp.CSS("#learn-q"), "lua dao"), chromedp.SetValue(chromedp.CSS("#learn-kind"), media.KindVideo))
	tb.click(`.learn-filters button[type="submit"]`)
	// The test's video, and no story or publication (the shipped library
	// may hold other videos about scams).
	got := eval[[]string](tb, `[...document.querySelectorAll('.media-card-title a')].map(a => a.getAttribute('href'))`)
	if !slices.Contains(got, "/learn/e2e-video") || slices.Contains(got, "/learn/e2e-story") || slices.Contains(got, "/learn/e2e-guide") {
		t.Errorf("search lua dao among videos = %v, want the video and no other kind", got)
	}
	tb.audit()
	tb.visit("/learn?q=zzqx")
	if n := eval[int](tb, `document.querySelectorAll('.learn-empty').length`); n != 1 {
		t.Error("a search that finds nothing shows no empty state")
	}
	tb.audit()

	// The video: metadata loads, captions switch language, seeking works.
	tb.visit("/learn?kind=video")
	tb.click(`a[href="/learn/e2e-video"]`)
	tb.audit()
	run(tb, "video metadata", chromedp.Poll[bool](`document.querySelector('video').readyState >= 1`, chromedp.WithPollingTimeout(10*time.Second)))
	if d := eval[float64](tb, `document.querySelector('video').duration`); math.Abs(d-6) > 0.5 {
		t.Errorf("video duration = %.2f s, want about 6", d)
	}
	if ok := eval[bool](tb, `(() => { const v = document.querySelector('video'); return v.controls && v.error === null })()`); !ok {
		t.Error("the video has no native controls or cannot be played")
	}
	// Seek to 1 s, where both languages have a cue, then read the cue
	// of the track that is showing.
	seek := func(to float64) float64 {
		t.Helper()
		return eval[float64](tb, `new Promise((resolve, reject) => {
			const v = document.querySelector('video');
			v.addEventListener('seeked', () => resolve(v.currentTime), {once: true});
			v.addEventListener('error', () => reject(new Error('video error ' + (v.error && v.error.code))), {once: true});
			v.currentTime = `+strconv.FormatFloat(to, 'f', -1, 64)+`;
		})`)
	}
	seek(1)
	cue := func(lang string) string {
		t.Helper()
		expr := `(() => { const tr = [...document.querySelector('video').textTracks].find(t => t.language === '` + lang + `');
			return tr && tr.mode !== 'disabled' && tr.activeCues && tr.activeCues.length > 0 ? tr.activeCues[0].text : ''; })()`
		run(tb, "a "+lang+" cue is active", chromedp.Poll[bool](expr+` !== ''`, chromedp.WithPollingTimeout(10*time.Second)))
		return eval[string](tb, expr)
	}
	if got := eval[[]string](tb, `[...document.querySelector('video').textTracks].map(t => t.language + ':' + t.kind + ':' + t.mode)`); strings.Join(got, " ") != "vi:captions:showing en:captions:disabled" {
		t.Errorf("text tracks = %v, want Vietnamese captions showing and English off", got)
	}
	if got := cue("vi"); got != captionVI {
		t.Errorf("Vietnamese caption = %q, want %q", got, captionVI)
	}
	// What a visitor does in the player's captions menu.
	tb.do("switch captions to English", chromedp.Evaluate[chromedp.Void](`(() => { for (const t of document.querySelector('video').textTracks) t.mode = t.language === 'en' ? 'showing' : 'disabled'; })()`))
	if got := cue("en"); got != captionEN {
		t.Errorf("English caption = %q, want %q", got, captionEN)
	}
	if at := seek(4); math.Abs(at-4) > 0.1 {
		t.Errorf("after seeking to 4 s the video is at %.3f s", at)
	}
	if end := eval[float64](tb, `(() => { const s = document.querySelector('video').seekable; return s.length ? s.end(s.length - 1) : 0 })()`); end < 5.5 {
		t.Errorf("the video is seekable up to %.2f s only", end)
	}
	// The player's seeking rests on range requests: ask for one as it does.
	if got := eval[string](tb, `fetch(document.querySelector('video source').src, {headers: {Range: 'bytes=0-99'}}).then(async r => r.status + ' ' + r.headers.get('Content-Range').split('/')[0] + ' ' + (await r.arrayBuffer()).byteLength)`); got != "206 bytes 0-99 100" {
		t.Errorf("a range request for the video = %q, want 206 of 100 bytes", got)
	}

	// "Practise what you learned" leads to a quiz on the same topic.
	tb.click(`.practise-links .quiz-title a`)
	qid := strings.TrimPrefix(tb.location(), srv.URL+"/practise/")
	if q := bank.Quiz(qid); q == nil || !slices.Contains(bank.Topics(q), topic) {
		t.Errorf("Practise what you learned went to %s, not a quiz on %s", tb.location(), topic)
	}
	tb.audit()

	// A story, in English.
	en := newTab(t, srv, "en")
	en.visit("/learn/e2e-story")
	if got := en.text(".story h2"); got != "That day" {
		t.Errorf("story heading = %q", got)
	}
	if got := en.text(".story-teller"); got != "Told by Minh, 14 years old, Cần Thơ" {
		t.Errorf("story teller = %q", got)
	}
	en.audit()

	// A publication: only in Vietnamese, read in the browser or downloaded.
	en.visit("/learn/e2e-guide")
	run(en, "cover loads", chromedp.Poll[bool](`document.querySelector('.publication-cover').naturalWidth > 0`, chromedp.WithPollingTimeout(5*time.Second)))
	links := eval[[]string](en, `[...document.querySelectorAll('.publication-files a')].map(a => a.textContent + '|' + (a.getAttribute('download') || ''))`)
	if strings.Join(links, " ") != "Download in Vietnamese (PDF)|e2e-guide-vi.pdf Read in Vietnamese in the browser|" {
		t.Errorf("publication links = %q", links)
	}
	if got := eval[string](en, `fetch(document.querySelector('.publication-files a').href).then(r => r.status + ' ' + r.headers.get('Content-Type') + ' ' + (r.headers.get('Content-Disposition') || 'inline'))`); got != "200 application/pdf inline" {
		t.Errorf("the publication's PDF = %q, want it served inline as application/pdf", got)
	}
	en.audit()
	en.visit("/learn?lang=en")
	en.audit()

	// On a kiosk: the Learn door, and a publication offered as a QR code
	// for the visitor's phone (a download or the PDF viewer would leave
	// the kiosk's pages and their idle reset).
	ev, err := srv.DB.CreateEvent(srv.ctx, event.Event{ID: "ngay-hoi", Name: "Ngày hội An toàn mạng"})
	if err != nil {
		t.Fatal(err)
	}
	st, err := srv.DB.CreateStation(srv.ctx, ev.ID, event.Kiosk, "Kiosk 1")
	if err != nil {
		t.Fatal(err)
	}
	kiosk := newTab(t, srv, "vi")
	kiosk.bind(srv, st)
	kiosk.visit("/kiosk/home")
	kiosk.click(`a.door[href="/learn"]`)
	kiosk.audit()
	kiosk.click(`a[href="/learn/e2e-guide"]`)
	if n := eval[int](kiosk, `document.querySelectorAll('.publication .qr svg').length + 10 * document.querySelectorAll('.publication-files a').length`); n != 1 {
		t.Errorf("the kiosk's publication page shows %d QR codes and %d file links, want a QR code only", n%10, n/10)
	}
	kiosk.audit()
}
