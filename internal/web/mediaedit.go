package web

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"html/template"
	"io"
	"net/http"
	"net/url"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"

	"github.com/notalone/notalone/internal/errs"
	"github.com/notalone/notalone/internal/event"
	"github.com/notalone/notalone/internal/i18n"
	"github.com/notalone/notalone/internal/media"
	"github.com/notalone/notalone/internal/store"
	"github.com/notalone/notalone/internal/taxonomy"
)

// The library editor: videos, stories and publications with their files,
// through the same drafts, versions, preview and publishing as quiz items.
// A save is one multipart form whose files are stored as they arrive (the
// type checked by content, pictures re-encoded without their metadata), and
// the draft keeps their stored names. A refused or cut-off file leaves
// nothing behind; the files that were stored come back with the form as
// hidden fields, so fixing a typo never means sending a 50 MB video again.

// MaxMediaUpload caps one save of the library editor, form included: a
// video with its poster and captions, or a story's photos, with the texts.
// The save routes raise the server's body limit to it (server/routes.go).
const MaxMediaUpload = 64 << 20

const (
	maxVideoUpload = 50 << 20
	maxPDFUpload   = 20 << 20
	maxImageUpload = 10 << 20
	maxImagePixels = 40_000_000
	// maxMediaText caps a save's text fields together: two stories and
	// the short fields.
	maxMediaText  = 3 * media.MaxStorySize
	maxMediaParts = 100
	maxPhotos     = 12
	maxMediaTitle = 120
	maxMediaLead  = 400
	// pictureTime bounds making a poster or cover with an outside tool.
	pictureTime = 30 * time.Second
)

// keepPrefix names the hidden field that carries a slot's stored file
// from one form to the next.
const keepPrefix = "keep_"

// fileSlot is one file input of the editor.
type fileSlot struct {
	field, kind string       // form field; the item kind it belongs to
	lang        string       // captions and PDFs: their language
	kinds       []media.Kind // types accepted, decided by the content
	max         int64
	picture     bool // cleaned by PutImage, which stores JPEG or PNG
	accept      string
}

const pictureAccept = "image/jpeg,image/png,image/webp"

var pictureKinds = []media.Kind{media.JPEG, media.PNG}

var mediaSlots = []fileSlot{
	{field: "file", kind: media.KindVideo, kinds: []media.Kind{media.MP4, media.WebM}, max: maxVideoUpload, accept: "video/mp4,video/webm"},
	{field: "poster", kind: media.KindVideo, kinds: pictureKinds, max: maxImageUpload, picture: true, accept: pictureAccept},
	{field: "captions_vi", kind: media.KindVideo, lang: "vi", kinds: []media.Kind{media.WebVTT}, max: media.MaxCaptionSize, accept: ".vtt,text/vtt"},
	{field: "captions_en", kind: media.KindVideo, lang: "en", kinds: []media.Kind{media.WebVTT}, max: media.MaxCaptionSize, accept: ".vtt,text/vtt"},
	{field: "photos", kind: media.KindStory, kinds: pictureKinds, max: maxImageUpload, picture: true, accept: pictureAccept},
	{field: "pdf_vi", kind: media.KindPublication, lang: "vi", kinds: []media.Kind{media.PDF}, max: maxPDFUpload, accept: "application/pdf"},
	{field: "pdf_en", kind: media.KindPublication, lang: "en", kinds: []media.Kind{media.PDF}, max: maxPDFUpload, accept: "application/pdf"},
	{field: "cover", kind: media.KindPublication, kinds: pictureKinds, max: maxImageUpload, picture: true, accept: pictureAccept},
}

func slotOf(field string) (fileSlot, bool) {
	i := slices.IndexFunc(mediaSlots, func(s fileSlot) bool { return s.field == field })
	if i < 0 {
		return fileSlot{}, false
	}
	return mediaSlots[i], true
}

// files returns the stored names the item holds in the slot.
func (s fileSlot) files(it *media.Item) []string {
	var one string
	switch s.field {
	case "photos":
		return it.Photos
	case "file":
		one = it.File
	case "poster":
		one = it.Poster
	case "cover":
		one = it.Cover
	case "captions_vi", "captions_en":
		one = it.Captions[s.lang]
	default:
		one = it.Files[s.lang]
	}
	if one == "" {
		return nil
	}
	return []string{one}
}

// set puts names in the item's slot; a single slot takes the last.
func (s fileSlot) set(it *media.Item, names []string) {
	one := ""
	if len(names) > 0 {
		one = names[len(names)-1]
	}
	switch s.field {
	case "photos":
		it.Photos = names
	case "file":
		it.File = one
	case "poster":
		it.Poster = one
	case "cover":
		it.Cover = one
	case "captions_vi", "captions_en":
		it.Captions = withLang(it.Captions, s.lang, one)
	default:
		it.Files = withLang(it.Files, s.lang, one)
	}
}

func withLang(m media.PerLang, lang, name string) media.PerLang {
	if name == "" {
		delete(m, lang)
		if len(m) == 0 {
			return nil
		}
		return m
	}
	if m == nil {
		m = media.PerLang{}
	}
	m[lang] = name
	return m
}

// mediaUpload is what one save sent: its text fields, the files stored
// from it by field, and the files refused.
type mediaUpload struct {
	form    url.Values
	stored  map[string][]string
	refused []refusal
	// broken is set when the body itself failed (cut off, or larger than
	// MaxMediaUpload): whatever came after is lost.
	broken error
}

type refusal struct {
	field string
	err   error
}

// bodyReader remembers an error reading the request body, so that a file
// refused because the upload was cut off is told from a file that is
// itself incomplete.
type bodyReader struct {
	r   io.Reader
	err error
}

func (b *bodyReader) Read(p []byte) (int, error) {
	n, err := b.r.Read(p)
	if err != nil && err != io.EOF && b.err == nil {
		b.err = err
	}
	return n, err
}

// uploadBroken is the error shown for a body that failed part-way.
func uploadBroken(err error) error {
	if tooBig := (*http.MaxBytesError)(nil); errors.As(err, &tooBig) {
		return &errs.Error{Code: errs.TooLarge, Key: "console.media_upload_too_large", Err: err}
	}
	return &errs.Error{Code: errs.Invalid, Key: "error.media_incomplete", Err: err}
}

// readMediaUpload streams a save's multipart body: text fields into form
// values, each file straight into the media store (no temporary copy).
func (h *Handlers) readMediaUpload(r *http.Request) mediaUpload {
	up := mediaUpload{form: url.Values{}, stored: map[string][]string{}}
	mr, err := r.MultipartReader()
	if err != nil {
		up.broken = &errs.Error{Code: errs.Invalid, Key: "error.form_malformed", Err: err}
		return up
	}
	text := 0
	for parts := 0; ; parts++ {
		p, err := mr.NextPart()
		if err == io.EOF {
			return up
		}
		if err != nil {
			up.broken = uploadBroken(err)
			return up
		}
		if parts == maxMediaParts {
			up.broken = errs.E(errs.Invalid, "error.form_malformed")
			return up
		}
		slot, isFile := slotOf(p.FormName())
		if !isFile {
			b, err := io.ReadAll(io.LimitReader(p, int64(maxMediaText-text+1)))
			if err != nil {
				up.broken = uploadBroken(err)
				return up
			}
			if text += len(b); text > maxMediaText {
				up.broken = errs.E(errs.TooLarge, "console.media_text_too_long")
				return up
			}
			up.form.Add(p.FormName(), string(b))
			continue
		}
		if p.FileName() == "" {
			continue // a file input left empty
		}
		body := &bodyReader{r: p}
		name, err := h.storeUpload(body, slot)
		switch {
		case body.err != nil:
			up.broken = uploadBroken(body.err)
			return up
		case err != nil:
			up.refused = append(up.refused, refusal{field: slot.field, err: err})
		default:
			up.stored[slot.field] = append(up.stored[slot.field], name)
		}
	}
}

func (h *Handlers) storeUpload(r io.Reader, s fileSlot) (string, error) {
	if s.picture {
		img, err := h.MediaFiles.PutImage(r, s.max, maxImagePixels)
		if err != nil {
			return "", err
		}
		return img.Name(), nil
	}
	f, err := h.MediaFiles.Put(r, s.max, s.kinds...)
	if err != nil {
		return "", err
	}
	return f.Name(), nil
}

// isStored reports whether name is a file in the store of a type the slot
// takes: kept names come back from the browser, so they are checked again.
func (h *Handlers) isStored(name string, s fileSlot) bool {
	hash, ext, ok := media.ParseName(name)
	if !ok {
		return false
	}
	if k, _ := media.KindOfExt(ext); !slices.Contains(s.kinds, k) {
		return false
	}
	f, err := h.MediaFiles.Open(hash, ext)
	if err != nil {
		return false
	}
	f.Close()
	return true
}

// mediaText is a typed text as stored: Unix line ends, trimmed, NFC (a
// Vietnamese keyboard may send decomposed letters, which search and the
// packs' checks expect composed).
func mediaText(f url.Values, key string) string {
	return norm.NFC.String(strings.TrimSpace(strings.ReplaceAll(f.Get(key), "\r\n", "\n")))
}

// chosen keeps the values of a checkbox group that are among allowed, in
// allowed's order.
func chosen(values, allowed []string) []string {
	var out []string
	for _, a := range allowed {
		if slices.Contains(values, a) {
			out = append(out, a)
		}
	}
	return out
}

// numberFields are the editor's number inputs, by item kind, and
// numberMax their largest sensible values.
var (
	numberFields = map[string][]string{
		media.KindVideo:       {"duration_seconds"},
		media.KindStory:       {"ambassador_age"},
		media.KindPublication: {"pages"},
	}
	numberMax = map[string]int{"duration_seconds": 24 * 3600, "ambassador_age": 120, "pages": 5000}
)

// applyMediaForm copies a save's fields and files into it and returns the
// problems met: refused files and numbers that are not numbers.
func (h *Handlers) applyMediaForm(it *media.Item, up mediaUpload, l i18n.Localizer) []string {
	f := up.form
	var problems []string
	it.Title = i18n.Text{VI: mediaText(f, "title_vi"), EN: mediaText(f, "title_en")}
	it.Summary = i18n.Text{VI: mediaText(f, "summary_vi"), EN: mediaText(f, "summary_en")}
	it.Topics = chosen(f["topics"], taxonomy.Topics)
	it.Audience = chosen(f["audience"], taxonomy.Audiences)
	it.Langs = chosen(f["langs"], []string{string(i18n.VI), string(i18n.EN)})
	numbers := map[string]int{}
	for _, name := range numberFields[it.Kind] {
		s := strings.TrimSpace(f.Get(name))
		n, err := strconv.Atoi(s)
		if s != "" && (err != nil || n < 0 || n > numberMax[name]) {
			problems = append(problems, l.T("console.media_field."+name)+": "+l.T("console.media_not_number", "max", numberMax[name]))
			n = 0
		}
		numbers[name] = n
	}
	switch it.Kind {
	case media.KindVideo:
		it.DurationSeconds = numbers["duration_seconds"]
	case media.KindStory:
		it.Body = i18n.Text{VI: mediaText(f, "body_vi"), EN: mediaText(f, "body_en")}
		a := media.Ambassador{Name: mediaText(f, "ambassador_name"), Age: numbers["ambassador_age"], Province: mediaText(f, "ambassador_province")}
		it.Ambassador = nil
		if a != (media.Ambassador{}) {
			it.Ambassador = &a
		}
	case media.KindPublication:
		it.Pages = numbers["pages"]
	}
	for _, rf := range up.refused {
		problems = append(problems, l.T("console.media_field."+rf.field)+": "+l.T(errs.As(rf.err).MessageKey()))
	}
	// A file sent now replaces the one kept (photos add up); a kept name
	// that is not a stored file of the right type is dropped.
	removed := f["remove_photos"]
	for _, s := range mediaSlots {
		if s.kind != it.Kind {
			continue
		}
		var names []string
		for _, n := range f[keepPrefix+s.field] {
			if !slices.Contains(names, n) && !slices.Contains(removed, n) && h.isStored(n, s) {
				names = append(names, n)
			}
		}
		if sent := up.stored[s.field]; s.field == "photos" {
			for _, n := range sent {
				if !slices.Contains(names, n) {
					names = append(names, n)
				}
			}
		} else if len(sent) > 0 {
			names = sent
		}
		s.set(it, names)
	}
	return problems
}

// The outside tools that can make a missing poster or cover. Neither is
// needed: without them an editor uploads the picture.
var (
	ffmpegPath   = sync.OnceValue(func() string { p, _ := exec.LookPath("ffmpeg"); return p })
	pdftoppmPath = sync.OnceValue(func() string { p, _ := exec.LookPath("pdftoppm"); return p })
)

// makePictures gives a video without a poster a frame of itself (ffmpeg's
// thumbnail filter picks a representative one, not a black first frame),
// and a publication without a cover its first page (poppler's pdftoppm),
// where the server has the tool.
func (h *Handlers) makePictures(ctx context.Context, it *media.Item) {
	switch {
	case it.Kind == media.KindVideo && it.Poster == "" && it.File != "" && ffmpegPath() != "":
		it.Poster = h.pictureFrom(ctx, it.File, ffmpegPath(), func(path string) []string {
			return []string{"-nostdin", "-v", "error", "-i", "file:" + path, "-vf", "thumbnail=50,scale='min(1280,iw)':-2",
				"-frames:v", "1", "-f", "image2pipe", "-c:v", "png", "pipe:1"}
		})
	case it.Kind == media.KindPublication && it.Cover == "" && len(it.Files) > 0 && pdftoppmPath() != "":
		pdf := it.Files["vi"]
		if pdf == "" {
			pdf = it.Files["en"]
		}
		it.Cover = h.pictureFrom(ctx, pdf, pdftoppmPath(), func(path string) []string {
			return []string{"-png", "-f", "1", "-l", "1", "-singlefile", "-scale-to", "1024", path}
		})
	}
}

// pictureFrom runs tool on a stored file and stores the PNG it writes to
// its output, cleaned like an upload. It returns "" when that fails: the
// editor is then asked for the picture.
func (h *Handlers) pictureFrom(ctx context.Context, name, tool string, args func(path string) []string) string {
	hash, ext, ok := media.ParseName(name)
	if !ok {
		return ""
	}
	f, err := h.MediaFiles.Open(hash, ext)
	if err != nil {
		return ""
	}
	f.Close()
	// Absolute, so that no path can be read as an option.
	path, err := filepath.Abs(f.Name())
	if err == nil {
		ctx, cancel := context.WithTimeout(ctx, pictureTime)
		defer cancel()
		var out []byte
		if out, err = exec.CommandContext(ctx, tool, args(path)...).Output(); err == nil {
			var img media.Image
			if img, err = h.MediaFiles.PutImage(bytes.NewReader(out), maxImageUpload, maxImagePixels); err == nil {
				return img.Name()
			}
		}
	}
	h.Log.Warn("library: could not make a picture", "tool", filepath.Base(tool), "file", name, "err", err)
	return ""
}

var mediaIDPattern = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{1,62}[a-z0-9]$`)

// checkMedia returns what keeps it from being saved, as the editor reads
// it: what the library's pages and the packs expect of an item.
func checkMedia(it media.Item, l i18n.Localizer) []string {
	var out []string
	bad := func(key string, kv ...any) { out = append(out, l.T(key, kv...)) }
	if len(it.Langs) == 0 {
		bad("console.media_need_lang")
	}
	for _, lang := range it.Langs {
		in := i18n.Lang(lang)
		if it.Title.In(in) == "" || it.Summary.In(in) == "" {
			bad("console.media_need_title", "lang", langNames[in])
		}
	}
	texts := []string{it.Title.VI, it.Title.EN, it.Summary.VI, it.Summary.EN}
	if a := it.Ambassador; a != nil {
		texts = append(texts, a.Name, a.Province)
	}
	if slices.ContainsFunc(texts, func(s string) bool { return strings.ContainsAny(s, "<>") }) {
		bad("console.media_no_markup")
	}
	if max(utf8.RuneCountInString(it.Title.VI), utf8.RuneCountInString(it.Title.EN)) > maxMediaTitle ||
		max(utf8.RuneCountInString(it.Summary.VI), utf8.RuneCountInString(it.Summary.EN)) > maxMediaLead {
		bad("console.media_too_long", "title", maxMediaTitle, "summary", maxMediaLead)
	}
	if len(it.Topics) == 0 {
		bad("console.media_need_topic")
	}
	switch it.Kind {
	case media.KindVideo:
		if it.File == "" || it.Poster == "" || it.Captions["vi"] == "" || it.Captions["en"] == "" || it.DurationSeconds <= 0 {
			bad("console.media_video_needs")
		}
	case media.KindStory:
		for _, lang := range it.Langs {
			if it.Body.In(i18n.Lang(lang)) == "" {
				bad("console.media_story_needs", "lang", langNames[i18n.Lang(lang)])
			}
		}
		if len(it.Body.VI) > media.MaxStorySize || len(it.Body.EN) > media.MaxStorySize {
			bad("console.media_story_too_long", "kb", media.MaxStorySize>>10)
		}
		if len(it.Photos) > maxPhotos {
			bad("console.media_too_many_photos", "n", maxPhotos)
		}
	case media.KindPublication:
		for _, lang := range it.Langs {
			if it.Files[lang] == "" {
				bad("console.media_pdf_needs", "lang", langNames[i18n.Lang(lang)])
			}
		}
		if it.Cover == "" || it.Pages <= 0 {
			bad("console.media_publication_needs")
		}
	}
	return out
}

// checkNewID checks the id of an item started in the console: the shape
// of other ids, and not taken by an item or a draft.
func (h *Handlers) checkNewID(ctx context.Context, id string, l i18n.Localizer) ([]string, error) {
	if !mediaIDPattern.MatchString(id) {
		return []string{l.T("console.media_bad_id")}, nil
	}
	versions, err := h.Library.MediaVersions(ctx, id)
	if err != nil {
		return nil, err
	}
	_, err = h.Library.MediaItem(ctx, id)
	switch {
	case err == nil || len(versions) > 0:
		return []string{l.T("console.media_id_taken")}, nil
	case errs.Is(err, errs.NotFound):
		return nil, nil
	}
	return nil, err
}

type mediaRow struct {
	ID, URL, Kind, Title, Topics string
	Draft                        bool
}

type mediaListPage struct {
	consolePage
	New   []choiceVM
	Items []mediaRow
}

func (h *Handlers) mediaList(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	if kind := r.URL.Query().Get("new"); kind != "" {
		if !slices.Contains(media.ItemKinds, kind) {
			return errs.E(errs.NotFound, "error.page_not_found")
		}
		it := media.Item{Kind: kind, Langs: []string{string(i18n.VI), string(i18n.EN)}}
		h.render(w, r, http.StatusOK, "console_media", h.mediaEditPage(r, it, nil, true))
		return nil
	}
	drafts, err := h.Library.MediaDrafts(ctx)
	if err != nil {
		return err
	}
	items, err := h.Library.MediaItems(ctx, store.MediaFilter{})
	if err != nil {
		return err
	}
	p := mediaListPage{consolePage: h.consoleLayout(r, "console.library")}
	l := p.L
	for _, k := range media.ItemKinds {
		p.New = append(p.New, choiceVM{Value: "/console/content/media?new=" + k, Label: l.T("console.media_new." + k)})
	}
	// Items started here and never published first: they are the work in
	// progress.
	for i, it := range slices.Concat(drafts, items) {
		title, _ := textIn(it.Title, l.Lang)
		var topics []string
		for _, t := range it.Topics {
			topics = append(topics, l.T("topic."+t))
		}
		p.Items = append(p.Items, mediaRow{ID: it.ID, URL: "/console/content/media/" + it.ID, Kind: l.T("console.media_kind." + it.Kind),
			Title: title, Topics: strings.Join(topics, ", "), Draft: i < len(drafts)})
	}
	h.render(w, r, http.StatusOK, "console_media_list", p)
	return nil
}

// MediaList serves GET /console/content/media: the library's items and
// drafts, and the way to start a new one (?new=video, story, publication).
func (h *Handlers) MediaList() http.Handler { return h.handle(h.mediaList) }

type fileFieldVM struct {
	Field, Label, Hint, Accept string
	// Current is the stored file the form keeps; URL shows it, Short
	// names it for a person (its hash is 64 digits).
	Current, URL, Short string
	Picture             bool
}

type photoVM struct {
	Name, URL, Markdown string
}

type storySourceVM struct {
	Lang, Label, Source string
	Preview             template.HTML
}

type mediaEditPage struct {
	consolePage
	New                      bool
	Action, KindName         string
	Item                     media.Item
	Topics, Audiences, Langs []choiceVM
	// Numbers are the number inputs as typed (a refused one included).
	Numbers map[string]string
	Files   []fileFieldVM
	Photos  []photoVM
	Stories []storySourceVM
	Upload  string // the size limits, for the form's hint
	// MaxBody is for upload.js, which checks the size of the files
	// before it sends them.
	MaxBody  int64
	Versions versionsView
	Problems []string
}

func (h *Handlers) mediaEditPage(r *http.Request, it media.Item, versions []store.ContentVersion, isNew bool) mediaEditPage {
	p := mediaEditPage{consolePage: h.consoleLayout(r, "console.library"), New: isNew, Item: it, MaxBody: MaxMediaUpload,
		Numbers: map[string]string{}}
	l := p.L
	p.KindName = l.T("console.media_kind." + it.Kind)
	p.Action = "/console/content/media/" + it.ID
	p.Title = it.ID
	if isNew {
		p.Action = "/console/content/media"
		p.Title = l.T("console.media_new." + it.Kind)
	}
	p.Upload = l.T("console.media_upload_hint", "mb", MaxMediaUpload>>20)
	for _, t := range taxonomy.Topics {
		p.Topics = append(p.Topics, choiceVM{Value: t, Label: l.T("topic." + t), Selected: slices.Contains(it.Topics, t)})
	}
	for _, a := range taxonomy.Audiences {
		p.Audiences = append(p.Audiences, choiceVM{Value: a, Label: l.T("pledge.age." + a), Selected: slices.Contains(it.Audience, a)})
	}
	for _, lang := range i18n.Langs {
		p.Langs = append(p.Langs, choiceVM{Value: string(lang), Label: langNames[lang], Selected: it.InLang(string(lang))})
	}
	for name, n := range map[string]int{"duration_seconds": it.DurationSeconds, "pages": it.Pages} {
		if n > 0 {
			p.Numbers[name] = strconv.Itoa(n)
		}
	}
	if a := it.Ambassador; a != nil && a.Age > 0 {
		p.Numbers["ambassador_age"] = strconv.Itoa(a.Age)
	}
	for _, s := range mediaSlots {
		if s.kind != it.Kind {
			continue
		}
		fv := fileFieldVM{Field: s.field, Label: l.T("console.media_field." + s.field), Hint: l.T("console.media_hint." + s.field),
			Accept: s.accept, Picture: s.picture}
		switch {
		case s.field == "poster" && ffmpegPath() != "", s.field == "cover" && pdftoppmPath() != "":
			fv.Hint += " " + l.T("console.media_hint.made")
		}
		if s.field == "photos" {
			for _, n := range it.Photos {
				p.Photos = append(p.Photos, photoVM{Name: n, URL: mediaURL(n), Markdown: "![](" + mediaURL(n) + ")"})
			}
		} else if cur := s.files(&it); len(cur) > 0 {
			fv.Current, fv.URL, fv.Short = cur[0], mediaURL(cur[0]), cur[0]
			if hash, ext, ok := media.ParseName(cur[0]); ok {
				fv.Short = hash[:8] + "… (" + strings.ToUpper(ext) + ")"
			}
		}
		p.Files = append(p.Files, fv)
	}
	if it.Kind == media.KindStory {
		for _, lang := range i18n.Langs {
			src := it.Body.In(lang)
			p.Stories = append(p.Stories, storySourceVM{Lang: string(lang), Label: langNames[lang], Source: src, Preview: media.RenderMarkdown(src)})
		}
	}
	if !isNew {
		var published any
		if pub, err := h.Library.MediaItem(r.Context(), it.ID); err == nil {
			published = pub
		}
		p.Versions = versionsView{L: l, Base: "/console/content/media/" + it.ID, Versions: versionList(versions, published)}
	}
	return p
}

// editableMedia is the version an editor starts from: the newest saved
// one, else the published item.
func (h *Handlers) editableMedia(ctx context.Context, id string) (media.Item, []store.ContentVersion, error) {
	versions, err := h.Library.MediaVersions(ctx, id)
	if err != nil {
		return media.Item{}, nil, err
	}
	if len(versions) > 0 {
		var it media.Item
		return it, versions, json.Unmarshal([]byte(versions[0].Data), &it)
	}
	it, err := h.Library.MediaItem(ctx, id)
	return it, nil, err
}

func (h *Handlers) mediaEdit(w http.ResponseWriter, r *http.Request) error {
	it, versions, err := h.editableMedia(r.Context(), r.PathValue("media"))
	if err != nil {
		return err
	}
	h.render(w, r, http.StatusOK, "console_media", h.mediaEditPage(r, it, versions, false))
	return nil
}

// MediaEdit serves GET /console/content/media/{media}.
func (h *Handlers) MediaEdit() http.Handler { return h.handle(h.mediaEdit) }

// mediaSave saves a new draft of an item (or of a new one, without id in
// the path), or shows the form again: with the problems, or with the
// story's preview when the editor asked for it.
func (h *Handlers) mediaSave(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	id := r.PathValue("media")
	isNew := id == ""
	var it media.Item
	var versions []store.ContentVersion
	if !isNew {
		var err error
		if it, versions, err = h.editableMedia(ctx, id); err != nil {
			return err
		}
	}
	up := h.readMediaUpload(r)
	if isNew {
		it = media.Item{ID: strings.TrimSpace(up.form.Get("id")), Kind: up.form.Get("kind")}
		if !slices.Contains(media.ItemKinds, it.Kind) {
			if up.broken != nil {
				return up.broken
			}
			return errs.Field("kind", "error.form_malformed")
		}
	}
	l := h.Catalog.For(i18n.LangFrom(ctx))
	problems := h.applyMediaForm(&it, up, l)
	if up.broken == nil {
		h.makePictures(ctx, &it)
		problems = append(problems, checkMedia(it, l)...)
		if isNew {
			taken, err := h.checkNewID(ctx, it.ID, l)
			if err != nil {
				return err
			}
			problems = append(problems, taken...)
		}
	}
	if up.broken == nil && len(problems) == 0 && up.form.Get("action") != "preview" {
		v, err := h.Library.SaveMediaDraft(ctx, it, account(ctx).Email, strings.TrimSpace(up.form.Get("note")))
		if err != nil {
			return err
		}
		http.Redirect(w, r, fmt.Sprintf("/console/content/media/%s?saved=%d", it.ID, v.Version), http.StatusSeeOther)
		return nil
	}
	p := h.mediaEditPage(r, it, versions, isNew)
	for _, name := range numberFields[it.Kind] {
		p.Numbers[name] = strings.TrimSpace(up.form.Get(name))
	}
	p.Problems = problems
	status := http.StatusOK
	switch {
	case up.broken != nil:
		e := errs.As(up.broken)
		p.Error, status = l.T(e.MessageKey()), errs.Status(e.Code)
	case len(problems) > 0:
		p.Error, status = l.T("console.item_problems"), http.StatusBadRequest
	}
	h.render(w, r, status, "console_media", p)
	return nil
}

// MediaSave serves POST /console/content/media/{media}: a new draft.
func (h *Handlers) MediaSave() http.Handler { return h.handle(h.mediaSave) }

// MediaCreate serves POST /console/content/media: the first draft of an
// item started in the console.
func (h *Handlers) MediaCreate() http.Handler { return h.handle(h.mediaSave) }

func (h *Handlers) mediaPreview(w http.ResponseWriter, r *http.Request) error {
	n, err := versionParam(r)
	if err != nil {
		return err
	}
	_, it, err := h.Library.MediaVersion(r.Context(), r.PathValue("media"), n)
	if err != nil {
		return err
	}
	p, err := h.learnItemPage(r, it)
	if err != nil {
		return err
	}
	p.NoIndex = true
	// As a kiosk shows it, without the idle reset (or as a phone, ?as=phone).
	p.Kiosk = r.URL.Query().Get("as") != "phone"
	p.IdleSeconds = 0
	h.render(w, r, http.StatusOK, "learn_item", p)
	return nil
}

// MediaPreview serves GET /console/content/media/{media}/versions/{version}/preview:
// the version as its public page.
func (h *Handlers) MediaPreview() http.Handler { return h.handle(h.mediaPreview) }

// MediaPublish serves POST /console/content/media/{media}/versions/{version}/publish.
func (h *Handlers) MediaPublish() http.Handler { return h.handle(h.publishVersion("media")) }

// MediaRestore serves POST /console/content/media/{media}/versions/{version}/restore.
func (h *Handlers) MediaRestore() http.Handler { return h.handle(h.restoreVersion("media")) }

// attractVideos are the published videos that the event of the requesting
// kiosk loops on its attract screen, in the event's order, captions on in
// lang. One that is gone or no longer a video is skipped: the attract
// screen never fails.
func (h *Handlers) attractVideos(r *http.Request, lang i18n.Lang) []*videoVM {
	ctx := r.Context()
	d, err := h.device(ctx, r)
	if err != nil {
		return nil
	}
	var out []*videoVM
	for _, id := range d.Event.AttractVideos {
		it, err := h.Library.MediaItem(ctx, id)
		if err != nil && !errs.Is(err, errs.NotFound) {
			h.Log.Warn("kiosk: attract video unavailable", "id", id, "err", err)
		}
		if err != nil || it.Kind != media.KindVideo || it.File == "" {
			continue
		}
		out = append(out, videoView(it, lang))
	}
	return out
}

// attractChoices are the library's videos as an event's settings offer
// them for the attract loop, those the event plays checked.
func (h *Handlers) attractChoices(ctx context.Context, e event.Event, l i18n.Localizer) ([]choiceVM, error) {
	videos, err := h.Library.MediaItems(ctx, store.MediaFilter{Kind: media.KindVideo})
	if err != nil {
		return nil, err
	}
	out := make([]choiceVM, len(videos))
	for i, it := range videos {
		title, _ := textIn(it.Title, l.Lang)
		out[i] = choiceVM{Value: it.ID, Label: title, Selected: slices.Contains(e.AttractVideos, it.ID)}
	}
	return out, nil
}

// attractSelection keeps the checked ids that are published videos, in the
// library's order.
func (h *Handlers) attractSelection(ctx context.Context, checked []string) ([]string, error) {
	videos, err := h.Library.MediaItems(ctx, store.MediaFilter{Kind: media.KindVideo})
	if err != nil {
		return nil, err
	}
	var out []string
	for _, it := range videos {
		if slices.Contains(checked, it.ID) {
			out = append(out, it.ID)
		}
	}
	return out, nil
}
