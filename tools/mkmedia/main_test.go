package main

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"image"
	_ "image/jpeg"
	_ "image/png"
	"io/fs"
	"math"
	"os"
	slashpath "path"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"github.com/goccy/go-yaml"
	"golang.org/x/text/unicode/norm"

	"github.com/notalone/notalone/internal/i18n"
	"github.com/notalone/notalone/internal/media"
	"github.com/notalone/notalone/internal/taxonomy"
)

// The tests run in tools/mkmedia; the repository root is two levels up.
const repoRoot = "../.."

var dir = filepath.Join(repoRoot, mediaDir)

// Limits the library's content must keep.
const (
	maxVideo      = 2 << 20  // each video
	maxTotal      = 12 << 20 // everything in content/media
	maxImage      = 1 << 20  // a poster, cover or illustration
	maxPDF        = 2 << 20
	minStoryWords = 250
	maxStoryWords = 450
)

// provinces are the 34 of shared/CONTENT.md (since 1 July 2025).
var provinces = []string{
	"Hà Nội", "Huế", "Hải Phòng", "Đà Nẵng", "Thành phố Hồ Chí Minh", "Cần Thơ",
	"Lai Châu", "Điện Biên", "Sơn La", "Lạng Sơn", "Quảng Ninh", "Thanh Hóa", "Nghệ An", "Hà Tĩnh",
	"Cao Bằng", "Tuyên Quang", "Lào Cai", "Thái Nguyên", "Phú Thọ", "Bắc Ninh", "Hưng Yên", "Ninh Bình",
	"Quảng Trị", "Quảng Ngãi", "Gia Lai", "Khánh Hòa", "Lâm Đồng", "Đắk Lắk", "Đồng Nai", "Tây Ninh",
	"Vĩnh Long", "Đồng Tháp", "Cà Mau", "An Giang",
}

// loadManifest reads media.yaml as the library's pack loader does: into
// media.Item, strictly.
func loadManifest(t *testing.T) []media.Item {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, "media.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	if !utf8.Valid(b) || !norm.NFC.IsNormal(b) {
		t.Fatal("media.yaml must be UTF-8 in Unicode NFC")
	}
	var m struct {
		Items []media.Item `yaml:"items"`
	}
	if err := yaml.UnmarshalWithOptions(b, &m, yaml.Strict(), yaml.DisallowUnknownField()); err != nil {
		t.Fatalf("media.yaml: %s", yaml.FormatError(err, false, false))
	}
	if len(m.Items) == 0 {
		t.Fatal("media.yaml has no items")
	}
	return m.Items
}

// readMedia reads a file the manifest names, refusing paths that leave
// content/media.
func readMedia(t *testing.T, p string) []byte {
	t.Helper()
	if p == "" || slashpath.IsAbs(p) || slashpath.Clean(p) != p || strings.HasPrefix(p, "../") || strings.Contains(p, "\\") {
		t.Fatalf("path %q: want a clean path inside content/media", p)
	}
	b, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(p)))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// put runs a file through the media store, as an upload would go: its kind
// is sniffed from its content and must be want, and the kind's
// completeness check must pass.
func put(t *testing.T, name string, data []byte, max int64, want media.Kind) {
	t.Helper()
	head := data[:min(len(data), 1024)]
	k, ok := media.Sniff(head)
	if !ok || k != want {
		t.Errorf("%s: sniffed as %v (%v), want %v", name, k, ok, want)
		return
	}
	s := &media.Store{Dir: t.TempDir()}
	f, err := s.Put(bytes.NewReader(data), max, want)
	if err != nil {
		t.Errorf("%s: media store refuses it: %v", name, err)
		return
	}
	if f.Size != int64(len(data)) || f.Kind != want {
		t.Errorf("%s: stored as %+v", name, f)
	}
}

func TestManifest(t *testing.T) {
	items := loadManifest(t)
	ids := map[string]bool{}
	kinds := map[string]int{}
	fromProvince := map[string]string{}
	referenced := map[string]bool{}
	idPattern := regexp.MustCompile(`^[a-z0-9]+(-[a-z0-9]+)*$`)
	markup := regexp.MustCompile(`<[a-zA-Z/!?]|&[a-zA-Z#][a-zA-Z0-9]*;`)
	for _, it := range items {
		t.Run(it.ID, func(t *testing.T) {
			if !idPattern.MatchString(it.ID) || ids[it.ID] {
				t.Errorf("id %q: want unique lower-case letters, digits and dashes", it.ID)
			}
			ids[it.ID] = true
			kinds[it.Kind]++
			if len(it.Topics) == 0 {
				t.Error("no topics")
			}
			for _, tp := range it.Topics {
				if !taxonomy.IsTopic(tp) {
					t.Errorf("topic %q is not in internal/taxonomy", tp)
				}
			}
			if len(it.Audience) == 0 {
				t.Error("no audience")
			}
			for _, a := range it.Audience {
				if !slices.Contains(taxonomy.Audiences, a) {
					t.Errorf("audience %q: want kids, teens or adults", a)
				}
			}
			if !slices.Equal(it.Langs, []string{"vi", "en"}) {
				t.Errorf("langs %v: want [vi, en]", it.Langs)
			}
			for field, tx := range map[string]i18n.Text{"title": it.Title, "summary": it.Summary} {
				for _, s := range []string{tx.VI, tx.EN} {
					if strings.TrimSpace(s) == "" || markup.MatchString(s) || utf8.RuneCountInString(s) > 300 {
						t.Errorf("%s %q: want plain text, present, at most 300 characters", field, s)
					}
				}
				if tx.VI == tx.EN {
					t.Errorf("%s: Vietnamese and English are the same", field)
				}
			}
			set := setFields(it)
			allowed := map[string][]string{
				media.KindVideo:       {"file", "poster", "captions", "duration_seconds"},
				media.KindStory:       {"body", "ambassador", "photos"},
				media.KindPublication: {"files", "cover", "pages"},
			}[it.Kind]
			if allowed == nil {
				t.Fatalf("kind %q: want video, story or publication", it.Kind)
			}
			if !slices.Equal(set, allowed) {
				t.Errorf("a %s has fields %v, want exactly %v", it.Kind, set, allowed)
			}
			for _, p := range itemPaths(it) {
				referenced[p] = true
			}
			switch it.Kind {
			case "video":
				checkVideo(t, it)
			case "story":
				checkStory(t, it)
				if other, ok := fromProvince[it.Ambassador.Province]; ok {
					t.Errorf("%s and %s are both from %s: give each ambassador a different province", other, it.ID, it.Ambassador.Province)
				}
				fromProvince[it.Ambassador.Province] = it.ID
			case "publication":
				checkPublication(t, it)
			}
		})
	}
	if kinds["video"] < 3 || kinds["story"] < 6 || kinds["publication"] < 4 {
		t.Errorf("have %v; want at least 3 videos, 6 stories and 4 publications", kinds)
	}

	// Every file here is listed, and nothing else lives here.
	var total int64
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		total += info.Size()
		rel, _ := filepath.Rel(dir, p)
		rel = filepath.ToSlash(rel)
		switch {
		case rel == "media.yaml" || rel == "make.sh" || rel == "README.md" || strings.HasPrefix(rel, "src/"):
		case !referenced[rel]:
			t.Errorf("%s is not listed in media.yaml", rel)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if total > maxTotal {
		t.Errorf("content/media holds %d bytes, more than %d", total, maxTotal)
	}
	t.Logf("content/media: %d items, %.1f MB", len(items), float64(total)/(1<<20))
}

// setFields lists the kind-specific fields an item sets, in a fixed order.
func setFields(it media.Item) []string {
	var out []string
	add := func(name string, set bool) {
		if set {
			out = append(out, name)
		}
	}
	add("file", it.File != "")
	add("poster", it.Poster != "")
	add("captions", len(it.Captions) > 0)
	add("duration_seconds", it.DurationSeconds != 0)
	add("body", !it.Body.IsZero())
	add("ambassador", it.Ambassador != nil)
	add("photos", len(it.Photos) > 0)
	add("files", len(it.Files) > 0)
	add("cover", it.Cover != "")
	add("pages", it.Pages != 0)
	return out
}

// itemPaths lists every file an item refers to.
func itemPaths(it media.Item) []string {
	var out []string
	for _, p := range []string{it.File, it.Poster, it.Body.VI, it.Body.EN, it.Cover} {
		if p != "" {
			out = append(out, p)
		}
	}
	for _, m := range []media.PerLang{it.Captions, it.Files} {
		for _, l := range langs {
			if p := m[string(l)]; p != "" {
				out = append(out, p)
			}
		}
	}
	return append(out, it.Photos...)
}

// perLang checks that a per-language map has exactly vi and en.
func perLang(t *testing.T, field string, m media.PerLang) {
	t.Helper()
	if len(m) != 2 || m["vi"] == "" || m["en"] == "" {
		t.Errorf("%s %v: want a file for vi and one for en", field, m)
	}
}

func checkVideo(t *testing.T, it media.Item) {
	b := readMedia(t, it.File)
	if len(b) >= maxVideo {
		t.Errorf("%s: %d bytes, want under 2 MB", it.File, len(b))
	}
	put(t, it.File, b, maxVideo, media.MP4)
	mv, err := parseMP4(b)
	if err != nil {
		t.Fatalf("%s: %v", it.File, err)
	}
	if !mv.faststart {
		t.Errorf("%s: moov is not before mdat (want -movflags +faststart)", it.File)
	}
	if math.Abs(mv.seconds-float64(it.DurationSeconds)) > 1 {
		t.Errorf("%s lasts %.2f s; duration_seconds says %d", it.File, mv.seconds, it.DurationSeconds)
	}
	if mv.seconds < 20 || mv.seconds > 75 {
		t.Errorf("%s lasts %.2f s; want a short video", it.File, mv.seconds)
	}
	if mv.width == 0 || mv.width > 1280 || mv.height > 720 {
		t.Errorf("%s: H.264 video of %d×%d; want H.264 at 720p or smaller", it.File, mv.width, mv.height)
	}
	if mv.audio {
		t.Logf("%s is narrated (README.md: a narration needs a native speaker's review)", it.File)
	}

	p := readMedia(t, it.Poster)
	put(t, it.Poster, p, maxImage, media.JPEG)
	if cfg, _, err := image.DecodeConfig(bytes.NewReader(p)); err != nil || cfg.Width != mv.width || cfg.Height != mv.height {
		t.Errorf("%s: %v %+v; want the video's size", it.Poster, err, cfg)
	}

	perLang(t, "captions", it.Captions)
	var cues [2][]cue
	for i, l := range langs {
		name := it.Captions[string(l)]
		v := readMedia(t, name)
		if !bytes.HasPrefix(v, []byte("WEBVTT\n")) {
			t.Errorf("%s does not start with WEBVTT", name)
		}
		put(t, name, v, media.MaxCaptionSize, media.WebVTT)
		if !norm.NFC.IsNormal(v) {
			t.Errorf("%s is not Unicode NFC", name)
		}
		cs, err := parseVTT(string(v))
		if err != nil {
			t.Errorf("%s: %v", name, err)
		}
		cues[i] = cs
		if n := len(cs); n == 0 || cs[n-1].end > mv.seconds+0.05 {
			t.Errorf("%s: %d cues; the last must end by %.2f s", name, n, mv.seconds)
		}
	}
	if len(cues[0]) != len(cues[1]) {
		t.Fatalf("%d Vietnamese cues, %d English", len(cues[0]), len(cues[1]))
	}
	for i := range cues[0] {
		vi, en := cues[0][i], cues[1][i]
		if vi.start != en.start || vi.end != en.end || vi.text == en.text {
			t.Errorf("cue %d: %v / %v: want the same times, translated", i+1, vi, en)
		}
	}
}

type cue struct {
	start, end float64
	text       string
}

var cueTiming = regexp.MustCompile(`^(\d\d):(\d\d):(\d\d)\.(\d\d\d) --> (\d\d):(\d\d):(\d\d)\.(\d\d\d)$`)

// parseVTT reads the cues of a WebVTT file: each must have text, and they
// must follow each other without overlapping.
func parseVTT(s string) ([]cue, error) {
	blocks := strings.Split(strings.TrimSpace(s), "\n\n")
	var out []cue
	for _, b := range blocks[1:] {
		lines := strings.Split(b, "\n")
		if len(lines) > 0 && !strings.Contains(lines[0], "-->") {
			lines = lines[1:] // the cue identifier
		}
		if len(lines) < 2 {
			return nil, fmt.Errorf("cue %q: want a timing line and text", b)
		}
		m := cueTiming.FindStringSubmatch(lines[0])
		if m == nil {
			return nil, fmt.Errorf("timing %q", lines[0])
		}
		sec := func(h, mi, se, ms string) float64 {
			a, _ := strconv.Atoi(h)
			b, _ := strconv.Atoi(mi)
			c, _ := strconv.Atoi(se)
			d, _ := strconv.Atoi(ms)
			return float64(a*3600+b*60+c) + float64(d)/1000
		}
		c := cue{sec(m[1], m[2], m[3], m[4]), sec(m[5], m[6], m[7], m[8]), strings.Join(lines[1:], "\n")}
		if c.end <= c.start || (len(out) > 0 && c.start < out[len(out)-1].end) || strings.TrimSpace(c.text) == "" {
			return nil, fmt.Errorf("cue %v: empty, backwards or overlapping", c)
		}
		out = append(out, c)
	}
	return out, nil
}

// mp4Info is what the test needs from an MP4 file's boxes.
type mp4Info struct {
	faststart     bool // moov comes before mdat
	seconds       float64
	width, height int // of the H.264 (avc1) sample entry
	audio         bool
}

func parseMP4(b []byte) (mp4Info, error) {
	var info mp4Info
	var moov []byte
	for p := 0; p+8 <= len(b); {
		size := int(binary.BigEndian.Uint32(b[p:]))
		typ := string(b[p+4 : p+8])
		hdr := 8
		if size == 1 {
			size, hdr = int(binary.BigEndian.Uint64(b[p+8:])), 16
		}
		if size < hdr || p+size > len(b) {
			return info, fmt.Errorf("box %q at %d: bad size %d", typ, p, size)
		}
		switch typ {
		case "moov":
			moov = b[p+hdr : p+size]
		case "mdat":
			if moov == nil {
				return info, nil // not faststart: the caller reports it
			}
		}
		p += size
	}
	if moov == nil {
		return info, fmt.Errorf("no moov box")
	}
	info.faststart = true
	// mvhd is a child of moov: version, flags, then times, timescale and
	// duration, 32 or 64 bits wide by version.
	i := bytes.Index(moov, []byte("mvhd"))
	if i < 4 {
		return info, fmt.Errorf("no mvhd box")
	}
	v := moov[i+4:]
	if v[0] == 1 {
		info.seconds = float64(binary.BigEndian.Uint64(v[24:])) / float64(binary.BigEndian.Uint32(v[20:]))
	} else {
		info.seconds = float64(binary.BigEndian.Uint32(v[16:])) / float64(binary.BigEndian.Uint32(v[12:]))
	}
	// The avc1 sample entry: 6 reserved bytes, a data reference index, 16
	// bytes of pre-defined and reserved fields, then width and height.
	if i := bytes.Index(moov, []byte("avc1")); i >= 0 && i+32 <= len(moov) {
		info.width = int(binary.BigEndian.Uint16(moov[i+28:]))
		info.height = int(binary.BigEndian.Uint16(moov[i+30:]))
	}
	info.audio = bytes.Contains(moov, []byte("soun"))
	return info, nil
}

var imageMD = regexp.MustCompile(`!\[([^\]]*)\]\(([^)\s]+)\)`)
var imgTag = regexp.MustCompile(`<img [^>]*src="([^"]+)"[^>]*>`)

func checkStory(t *testing.T, it media.Item) {
	a := it.Ambassador
	if a.Name == "" || a.Age < 12 || a.Age > 17 || !slices.Contains(provinces, a.Province) {
		t.Errorf("ambassador %+v: want a name, an age of 12 to 17 and one of the 34 provinces", *a)
	}
	for _, p := range it.Photos {
		b := readMedia(t, p)
		put(t, p, b, maxImage, media.PNG)
		if _, _, w, h, err := media.CleanImage(bytes.NewReader(b), 4_000_000); err != nil || w < 600 || h < 400 {
			t.Errorf("%s: %v, %d×%d: want a picture of at least 600×400", p, err, w, h)
		}
	}
	for _, l := range langs {
		name := it.Body.In(l)
		src := string(readMedia(t, name))
		if !norm.NFC.IsNormalString(src) || len(src) > media.MaxStorySize {
			t.Errorf("%s: want Unicode NFC, at most %d bytes", name, media.MaxStorySize)
		}
		// Pictures: every one is a /media/ address of a listed photo, and
		// each survives rendering.
		var srcs []string
		for _, mm := range imageMD.FindAllStringSubmatch(src, -1) {
			if strings.TrimSpace(mm[1]) == "" {
				t.Errorf("%s: picture %s has no alt text", name, mm[2])
			}
			if !strings.HasPrefix(mm[2], "/media/") || !slices.Contains(it.Photos, strings.TrimPrefix(mm[2], "/media/")) {
				t.Errorf("%s: picture %s: want /media/ and a path listed in photos %v", name, mm[2], it.Photos)
			}
			srcs = append(srcs, mm[2])
		}
		if len(srcs) != len(it.Photos) {
			t.Errorf("%s shows %d pictures; photos lists %d", name, len(srcs), len(it.Photos))
		}
		html := string(media.RenderMarkdown(src))
		var got []string
		for _, mm := range imgTag.FindAllStringSubmatch(html, -1) {
			got = append(got, mm[1])
		}
		if !slices.Equal(got, srcs) {
			t.Errorf("%s: rendered pictures %v, want %v (lost by RenderMarkdown?)", name, got, srcs)
		}
		if !strings.Contains(html, "<p>") || !strings.Contains(html, "<li>") {
			t.Errorf("%s: want paragraphs and a list of what to do", name)
		}
		// Length, first person, the hotlines, and the fictional note.
		words := 0
		for _, ln := range strings.Split(src, "\n") {
			if strings.HasPrefix(ln, "![") {
				continue
			}
			for _, w := range strings.Fields(ln) {
				if strings.ContainsFunc(w, func(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) }) {
					words++
				}
			}
		}
		if words < minStoryWords || words > maxStoryWords {
			t.Errorf("%s: %d words, want %d to %d", name, words, minStoryWords, maxStoryWords)
		}
		intro := map[i18n.Lang]string{i18n.VI: "mình là " + a.Name, i18n.EN: "I'm " + a.Name}[l]
		fictional := map[i18n.Lang]string{i18n.VI: a.Name + " là nhân vật hư cấu", i18n.EN: a.Name + " is a fictional character"}[l]
		for _, want := range []string{intro, "**111**", "**113**", fictional, a.Province} {
			if !strings.Contains(src, want) {
				t.Errorf("%s: want %q in the story", name, want)
			}
		}
	}
}

var (
	pageObj     = regexp.MustCompile(`/Type\s*/Page[^s]`)
	startXref   = regexp.MustCompile(`startxref\s+(\d+)\s+%%EOF\s*$`)
	xrefSection = regexp.MustCompile(`^xref\s+0 (\d+)\s+`)
)

// checkPDF reads a PDF's cross-reference table, checks that each object it
// lists is where it says, and returns the number of pages.
func checkPDF(b []byte) (pages int, err error) {
	if !bytes.HasPrefix(b, []byte("%PDF-1.")) {
		return 0, fmt.Errorf("no %%PDF-1.x header")
	}
	m := startXref.FindSubmatch(b)
	if m == nil {
		return 0, fmt.Errorf("no startxref at the end")
	}
	off, _ := strconv.Atoi(string(m[1]))
	if off >= len(b) {
		return 0, fmt.Errorf("startxref %d is past the end", off)
	}
	x := xrefSection.FindSubmatch(b[off:])
	if x == nil {
		return 0, fmt.Errorf("no xref table at %d", off)
	}
	n, _ := strconv.Atoi(string(x[1]))
	rows := b[off+len(x[0]):]
	for i := 0; i < n; i++ {
		if len(rows) < 20*(i+1) {
			return 0, fmt.Errorf("xref table cut short")
		}
		row := rows[20*i : 20*i+20]
		if row[17] != 'n' {
			continue
		}
		o, err := strconv.Atoi(string(row[:10]))
		if err != nil || o >= len(b) || !bytes.HasPrefix(b[o:], []byte(fmt.Sprintf("%d 0 obj", i))) {
			return 0, fmt.Errorf("xref: object %d is not at %s", i, row[:10])
		}
	}
	if !bytes.Contains(b, []byte("/FontFile2")) {
		return 0, fmt.Errorf("fonts are not embedded")
	}
	return len(pageObj.FindAll(b, -1)), nil
}

var mediaBox = regexp.MustCompile(`/MediaBox \[0 0 ([0-9.]+) ([0-9.]+)\]`)

func checkPublication(t *testing.T, it media.Item) {
	if it.Pages < 2 || it.Pages > 8 {
		t.Errorf("pages %d: want 2 to 8", it.Pages)
	}
	perLang(t, "files", it.Files)
	for _, l := range langs {
		name := it.Files[string(l)]
		b := readMedia(t, name)
		put(t, name, b, maxPDF, media.PDF)
		n, err := checkPDF(b)
		if err != nil {
			t.Errorf("%s: %v", name, err)
		}
		if n != it.Pages {
			t.Errorf("%s has %d pages; pages says %d", name, n, it.Pages)
		}
		// Pocket size: A5 (420 × 595 pt) or smaller.
		for _, mm := range mediaBox.FindAllSubmatch(b, -1) {
			w, _ := strconv.ParseFloat(string(mm[1]), 64)
			h, _ := strconv.ParseFloat(string(mm[2]), 64)
			if w > 420 || h > 596 || w < 290 {
				t.Errorf("%s: a %.0f × %.0f pt page; want A6 or A5", name, w, h)
			}
		}
	}
	c := readMedia(t, it.Cover)
	put(t, it.Cover, c, maxImage, media.PNG)
	if cfg, _, err := image.DecodeConfig(bytes.NewReader(c)); err != nil || cfg.Width != coverW || cfg.Height != coverH {
		t.Errorf("%s: %v %+v; want %d×%d", it.Cover, err, cfg, coverW, coverH)
	}
}

// TestSources checks that the sources and the manifest agree: a video and
// a publication for each script, with the pages, the paper and the
// duration the sources give.
func TestSources(t *testing.T) {
	byFile := map[string]media.Item{}
	for _, it := range loadManifest(t) {
		for _, p := range itemPaths(it) {
			byFile[p] = it
		}
	}
	var vs VideoSource
	if err := readYAML(filepath.Join(dir, "src", "videos.yaml"), &vs); err != nil {
		t.Fatal(err)
	}
	for _, v := range vs.Videos {
		it, ok := byFile["files/"+v.ID+".mp4"]
		if !ok {
			t.Errorf("video %s is not in media.yaml", v.ID)
			continue
		}
		total := 0.0
		for _, c := range v.Cards {
			total += cardSeconds(c)
		}
		if math.Abs(total-float64(it.DurationSeconds)) > 1 {
			t.Errorf("video %s: the cards last %.1f s; duration_seconds says %d", v.ID, total, it.DurationSeconds)
		}
	}
	var ps PublicationSource
	if err := readYAML(filepath.Join(dir, "src", "publications.yaml"), &ps); err != nil {
		t.Fatal(err)
	}
	for _, p := range ps.Publications {
		it, ok := byFile["files/"+p.ID+".vi.pdf"]
		if !ok {
			t.Errorf("publication %s is not in media.yaml", p.ID)
			continue
		}
		if it.Pages != 1+len(p.Pages) || it.Title != p.Title || it.Cover != "files/"+p.ID+".png" {
			t.Errorf("publication %s: media.yaml says %d pages, %q, cover %s; the source makes %d, %q, files/%[1]s.png",
				p.ID, it.Pages, it.Title, it.Cover, 1+len(p.Pages), p.Title)
		}
	}
}

// TestUpToDate makes the PDFs, illustrations, posters and captions again
// from the current content and compares them with the committed files, so
// that a changed quiz tip or help guide cannot leave a stale publication
// behind. (The videos themselves take a minute to encode: make.sh makes
// them.) If this fails after a content edit, run bash content/media/make.sh.
func TestUpToDate(t *testing.T) {
	if testing.Short() {
		t.Skip("makes every file again")
	}
	m, err := newMaker(repoRoot)
	if err != nil {
		t.Fatal(err)
	}
	same := func(name string, got []byte) {
		t.Helper()
		want, err := os.ReadFile(filepath.Join(dir, "files", name))
		if err != nil {
			t.Error(err)
			return
		}
		if !bytes.Equal(got, want) {
			t.Errorf("files/%s is out of date with its sources: run bash content/media/make.sh", name)
		}
	}
	var ps PublicationSource
	if err := readYAML(filepath.Join(dir, "src", "publications.yaml"), &ps); err != nil {
		t.Fatal(err)
	}
	for _, p := range ps.Publications {
		for _, l := range langs {
			b, err := m.publication(p, l, ps.Colophon.In(l))
			if err != nil {
				t.Fatalf("%s (%s): %v", p.ID, l, err)
			}
			same(p.ID+"."+string(l)+".pdf", b)
		}
		b, err := m.coverPNG(p)
		if err != nil {
			t.Fatal(err)
		}
		same(p.ID+".png", b)
	}
	for name := range looks {
		b, err := m.illustrationPNG(name)
		if err != nil {
			t.Fatal(err)
		}
		same("story-"+name+".png", b)
	}
	var vs VideoSource
	if err := readYAML(filepath.Join(dir, "src", "videos.yaml"), &vs); err != nil {
		t.Fatal(err)
	}
	for _, v := range vs.Videos {
		cards, _, err := m.layoutVideo(v)
		if err != nil {
			t.Fatal(err)
		}
		poster, err := posterJPEG(cards)
		if err != nil {
			t.Fatal(err)
		}
		same(v.ID+".jpg", poster)
		for l, vtt := range webVTT(cards) {
			same(v.ID+"."+string(l)+".vtt", vtt)
		}
	}
}

func TestSymbol(t *testing.T) {
	b, err := os.ReadFile(filepath.Join(repoRoot, symbolFile))
	if err != nil {
		t.Fatal(err)
	}
	s, err := parseSymbol(b)
	if err != nil {
		t.Fatal(err)
	}
	// docs/design.md: 6 shapes in 2 colours.
	cols := map[[3]uint8]bool{}
	for _, x := range s {
		cols[[3]uint8{x.col.R, x.col.G, x.col.B}] = true
	}
	if len(s) != 6 || len(cols) != 2 {
		t.Errorf("symbol: %d shapes in %d colours, want 6 in 2", len(s), len(cols))
	}
	// The arc in the adults' paths ends where the SVG says.
	p, err := parseSVGPath("M13.68 24.82A4.5 4.5 0 0 0 6 28")
	if err != nil {
		t.Fatal(err)
	}
	end := p[len(p)-1].p[2]
	if p[len(p)-1].op != 'C' || math.Abs(end.x-6) > 1e-9 || math.Abs(end.y-28) > 1e-9 {
		t.Errorf("arc ends at %+v, want (6, 28)", end)
	}
}

func TestWrapAndBalance(t *testing.T) {
	width := func(s string) float64 { return float64(utf8.RuneCountInString(s)) }
	if got := wrap("one two three four", 9, width); !slices.Equal(got, []string{"one two", "three", "four"}) {
		t.Errorf("wrap = %q", got)
	}
	if got := balance("Threatened online? You are not alone", 40, width); got[0] != "Threatened online?" {
		t.Errorf("balance = %q", got)
	}
	if got := stripVerdict("Yes. Gifts are a way in."); got != "Gifts are a way in." {
		t.Errorf("stripVerdict = %q", got)
	}
	if got := stripVerdict("Đúng vậy. Con cần thấy an toàn."); got != "Con cần thấy an toàn." {
		t.Errorf("stripVerdict = %q", got)
	}
}

// TestLoadPack loads content/media as the server does at start, with
// media.LoadPack: every file stored by hash with its type checked, the
// pictures cleaned, and the stories' picture addresses rewritten to the
// stored files.
func TestLoadPack(t *testing.T) {
	st := &media.Store{Dir: t.TempDir()}
	items, err := media.LoadPack(os.DirFS(filepath.Join(repoRoot, "content")), st)
	if err != nil {
		t.Fatal(err)
	}
	if len(items) != len(loadManifest(t)) {
		t.Fatalf("LoadPack returned %d items", len(items))
	}
	stored := regexp.MustCompile(`^[0-9a-f]{64}\.(mp4|jpg|png|vtt|pdf)$`)
	for _, it := range items {
		for _, p := range append(itemPaths(media.Item{File: it.File, Poster: it.Poster, Captions: it.Captions, Files: it.Files, Cover: it.Cover}), it.Photos...) {
			if !stored.MatchString(p) {
				t.Errorf("%s: %q is not a stored file name", it.ID, p)
			}
		}
		if it.Kind != media.KindStory {
			continue
		}
		for _, body := range []string{it.Body.VI, it.Body.EN} {
			html := string(media.RenderMarkdown(body))
			for _, name := range it.Photos {
				if !strings.Contains(html, `src="/media/`+name+`"`) {
					t.Errorf("%s: the rendered story does not show /media/%s", it.ID, name)
				}
			}
		}
	}
}
