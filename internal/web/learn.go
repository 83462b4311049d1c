package web

import (
	"cmp"
	"context"
	"fmt"
	"html/template"
	"net/http"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/notalone/notalone/internal/errs"
	"github.com/notalone/notalone/internal/i18n"
	"github.com/notalone/notalone/internal/media"
	"github.com/notalone/notalone/internal/quiz"
	"github.com/notalone/notalone/internal/store"
	"github.com/notalone/notalone/internal/taxonomy"
)

// The Learn door: the media library (videos, stories, publications), its
// item pages and its files. Filters are a plain GET form, so a filtered
// list is a link a teacher can share, and it works without JavaScript.

// maxLearnQuery caps a search, in characters: a title or a phrase is
// enough, and the store folds and trims it to 8 words anyway.
const maxLearnQuery = 100

// mediaWriteTime is how long one media response may take to write. The
// server's write timeout suits pages; a video streams for as long as it
// plays (and a player on event Wi-Fi reads slowly), so a file response gets
// longer before the connection is cut and the player has to ask again.
const mediaWriteTime = 15 * time.Minute

// mediaCard is a library item as the list and the results page show it.
type mediaCard struct {
	ID, URL, Kind, Title, Summary, Image, Meta string
	// Lang is set when the title and summary are in another language than
	// the page (the item has none in the page's language), for lang="".
	Lang string
}

// textIn is t in lang, or in the other language when lang's is empty (a
// draft made in the console may have one language only), with the language
// it is in.
func textIn(t i18n.Text, lang i18n.Lang) (string, i18n.Lang) {
	if s := t.In(lang); s != "" {
		return s, lang
	}
	if lang == i18n.EN {
		return t.VI, i18n.VI
	}
	return t.EN, i18n.EN
}

// mediaURL is where a stored file is served; "" stays "" (no file).
func mediaURL(name string) string {
	if name == "" {
		return ""
	}
	return "/media/" + name
}

// duration writes a length as a player does: 2:05, or 1:02:05.
func duration(seconds int) string {
	if seconds >= 3600 {
		return fmt.Sprintf("%d:%02d:%02d", seconds/3600, seconds/60%60, seconds%60)
	}
	return fmt.Sprintf("%d:%02d", seconds/60, seconds%60)
}

func (h *Handlers) mediaCard(it media.Item, l i18n.Localizer) mediaCard {
	c := mediaCard{ID: it.ID, URL: "/learn/" + it.ID, Kind: it.Kind}
	var in i18n.Lang
	c.Title, in = textIn(it.Title, l.Lang)
	c.Summary, _ = textIn(it.Summary, in)
	if in != l.Lang {
		c.Lang = string(in)
	}
	switch it.Kind {
	case media.KindVideo:
		c.Image = mediaURL(it.Poster)
		c.Meta = l.T("learn.meta.video", "duration", duration(it.DurationSeconds))
	case media.KindStory:
		if len(it.Photos) > 0 {
			c.Image = mediaURL(it.Photos[0])
		}
		c.Meta = l.T("learn.meta.story")
	case media.KindPublication:
		c.Image = mediaURL(it.Cover)
		c.Meta = l.N("learn.meta.publication", int64(it.Pages))
	}
	return c
}

type learnPage struct {
	Layout
	Query                           string
	MaxQuery                        int
	Kinds, Topics, Audiences, Langs []choiceVM
	Filtered                        bool
	Count                           string
	Items                           []mediaCard
}

// learnFilter reads the filter form. A value that is not one of the
// choices (an old link, a hand-edited URL) means "any" rather than an
// error page: the visitor still gets the library.
func learnFilter(r *http.Request) store.MediaFilter {
	q := r.URL.Query()
	pick := func(name string, allowed []string) string {
		if v := q.Get(name); slices.Contains(allowed, v) {
			return v
		}
		return ""
	}
	f := store.MediaFilter{
		Kind:     pick("kind", media.ItemKinds),
		Topic:    pick("topic", taxonomy.Topics),
		Audience: pick("audience", taxonomy.Audiences),
		Lang:     pick("language", []string{string(i18n.VI), string(i18n.EN)}),
		Query:    strings.TrimSpace(q.Get("q")),
	}
	f.Query = strings.ToValidUTF8(f.Query, "")
	if utf8.RuneCountInString(f.Query) > maxLearnQuery {
		f.Query = string([]rune(f.Query)[:maxLearnQuery])
	}
	return f
}

func (h *Handlers) learn(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	f := learnFilter(r)
	// Every item, for the choices: a topic or an audience no item has
	// would only lead to an empty list.
	all, err := h.Library.MediaItems(ctx, store.MediaFilter{})
	if err != nil {
		return err
	}
	items := all
	p := learnPage{Layout: h.layout(r, "learn.title"), Query: f.Query, MaxQuery: maxLearnQuery}
	if f != (store.MediaFilter{}) {
		p.Filtered = true
		if items, err = h.Library.MediaItems(ctx, f); err != nil {
			return err
		}
	}
	l := p.L
	kinds, topics := map[string]bool{f.Kind: true}, map[string]bool{f.Topic: true}
	for _, it := range all {
		kinds[it.Kind] = true
		for _, t := range it.Topics {
			topics[t] = true
		}
	}
	for _, k := range media.ItemKinds {
		if kinds[k] {
			p.Kinds = append(p.Kinds, choiceVM{Value: k, Label: l.T("learn.kind." + k), Selected: k == f.Kind})
		}
	}
	for _, t := range taxonomy.Topics {
		if topics[t] {
			p.Topics = append(p.Topics, choiceVM{Value: t, Label: l.T("topic." + t), Selected: t == f.Topic})
		}
	}
	for _, a := range taxonomy.Audiences {
		p.Audiences = append(p.Audiences, choiceVM{Value: a, Label: l.T("pledge.age." + a), Selected: a == f.Audience})
	}
	for _, lang := range i18n.Langs {
		// Each language by its own name, as the language switch shows it.
		p.Langs = append(p.Langs, choiceVM{Value: string(lang), Label: langNames[lang], Selected: string(lang) == f.Lang})
	}
	for _, it := range items {
		p.Items = append(p.Items, h.mediaCard(it, l))
	}
	p.Count = l.N("learn.count", int64(len(p.Items)))
	h.render(w, r, http.StatusOK, "learn", p)
	return nil
}

// Learn serves GET /learn: the library, filtered by kind, topic, audience
// and language, and searched (with or without Vietnamese diacritics).
func (h *Handlers) Learn() http.Handler { return h.handle(h.learn) }

type trackVM struct {
	Src, Lang, Label string
	Default          bool
}

type videoVM struct {
	Src, Type, Poster string
	Tracks            []trackVM
}

type storyVM struct {
	TellerLine string
	// Body is the story; KioskBody the same without links (a kiosk has
	// no outbound links).
	Body, KioskBody template.HTML
	// Lang is set when the text is in another language than the page.
	Lang, OnlyNote string
}

type publicationFileVM struct {
	URL, Lang, DownloadName, Download, Preview string
}

type publicationVM struct {
	Cover string
	Files []publicationFileVM
	// QR links a kiosk visitor's phone to this page, shown on a kiosk
	// instead of Files: a kiosk offers no download (it would stay on the
	// kiosk) and no PDF viewer (it would leave the page whose idle reset
	// clears the kiosk for the next visitor).
	QR template.HTML
}

type topicLink struct{ URL, Name string }

type learnItemPage struct {
	Layout
	Item        mediaCard
	Video       *videoVM
	Story       *storyVM
	Publication *publicationVM
	Topics      []topicLink
	Practise    []quizCard
}

func (h *Handlers) learnItem(w http.ResponseWriter, r *http.Request) error {
	id := r.PathValue("id")
	if len(id) > 100 {
		return errs.E(errs.NotFound, "error.media_item_not_found")
	}
	it, err := h.Library.MediaItem(r.Context(), id)
	if err != nil {
		return err
	}
	p, err := h.learnItemPage(r, it)
	if err != nil {
		return err
	}
	h.render(w, r, http.StatusOK, "learn_item", p)
	return nil
}

// learnItemPage builds an item's page; the console's preview renders a
// draft with it. What differs on a kiosk is decided by the template from
// Layout.Kiosk, so a preview may set it after building.
func (h *Handlers) learnItemPage(r *http.Request, it media.Item) (learnItemPage, error) {
	p := learnItemPage{Layout: h.layout(r, "")}
	l := p.L
	p.Item = h.mediaCard(it, l)
	p.Title = p.Item.Title
	switch it.Kind {
	case media.KindVideo:
		p.Video = videoView(it, l.Lang)
	case media.KindStory:
		p.Story = storyView(it, l)
	case media.KindPublication:
		pub := &publicationVM{Cover: mediaURL(it.Cover)}
		qr, err := qrSVG(h.PublicURL + "/learn/" + it.ID)
		if err != nil {
			return p, err
		}
		pub.QR = qr
		for _, lang := range i18n.Langs {
			name := it.Files[string(lang)]
			if name == "" {
				continue
			}
			in := l.T("learn.lang." + string(lang))
			pub.Files = append(pub.Files, publicationFileVM{URL: mediaURL(name), Lang: string(lang),
				DownloadName: it.ID + "-" + string(lang) + ".pdf",
				Download:     l.T("learn.download", "lang", in), Preview: l.T("learn.preview", "lang", in)})
		}
		p.Publication = pub
	}
	for _, t := range it.Topics {
		p.Topics = append(p.Topics, topicLink{URL: "/learn?topic=" + t, Name: l.T("topic." + t)})
	}
	for _, q := range practiseFor(h.Play.Bank(), it, 3) {
		p.Practise = append(p.Practise, h.card(q, l))
	}
	return p, nil
}

// LearnItem serves GET /learn/{id}: a video with its captions, a story,
// or a publication to read or download, and quizzes on the same topics.
func (h *Handlers) LearnItem() http.Handler { return h.handle(h.learnItem) }

// videoView is a video's player: its file, poster and a caption track per
// language, the page's language on by default (a visitor who chose English
// reads English captions without looking for the CC button).
func videoView(it media.Item, lang i18n.Lang) *videoVM {
	v := &videoVM{Src: mediaURL(it.File), Poster: mediaURL(it.Poster)}
	if _, ext, ok := media.ParseName(it.File); ok {
		k, _ := media.KindOfExt(ext)
		v.Type = k.MIME()
	}
	def := lang
	if it.Captions[string(def)] == "" {
		def = i18n.VI
	}
	for _, l := range i18n.Langs {
		if name := it.Captions[string(l)]; name != "" {
			v.Tracks = append(v.Tracks, trackVM{Src: mediaURL(name), Lang: string(l), Label: langNames[l], Default: l == def})
		}
	}
	return v
}

// storyView renders a story in the page's language, or in the other one
// with a note when it has no text in the page's. Rendering per request is
// cheap for a story (MaxStorySize keeps it small).
func storyView(it media.Item, l i18n.Localizer) *storyVM {
	s := &storyVM{}
	body, in := textIn(it.Body, l.Lang)
	s.Body, s.KioskBody = media.RenderMarkdown(body), media.RenderMarkdownForKiosk(body)
	if in != l.Lang {
		s.Lang = string(in)
		s.OnlyNote = l.T("learn.only_" + string(in))
	}
	if a := it.Ambassador; a != nil {
		var who []string
		if a.Name != "" {
			who = append(who, a.Name)
		}
		if a.Age > 0 {
			who = append(who, l.N("learn.age", int64(a.Age)))
		}
		if a.Province != "" {
			who = append(who, a.Province)
		}
		if len(who) > 0 {
			s.TellerLine = l.T("learn.told_by", "who", strings.Join(who, ", "))
		}
	}
	return s
}

// practiseFor picks up to n quizzes that share topics with it: most shared
// topics first, then those for the item's audience, then in the bank's
// order.
func practiseFor(bank *quiz.Bank, it media.Item, n int) []*quiz.Quiz {
	type ranked struct {
		q                *quiz.Quiz
		shared, aud, pos int
	}
	var out []ranked
	for i, q := range bank.Quizzes() {
		shared := 0
		for _, t := range bank.Topics(q) {
			if slices.Contains(it.Topics, t) {
				shared++
			}
		}
		if shared == 0 {
			continue
		}
		aud := 0
		for _, a := range q.Ages {
			if slices.Contains(it.Audience, a) {
				aud = 1
			}
		}
		out = append(out, ranked{q: q, shared: shared, aud: aud, pos: i})
	}
	slices.SortStableFunc(out, func(a, b ranked) int {
		return cmp.Or(b.shared-a.shared, b.aud-a.aud, a.pos-b.pos)
	})
	qs := make([]*quiz.Quiz, 0, min(n, len(out)))
	for _, r := range out[:min(n, len(out))] {
		qs = append(qs, r.q)
	}
	return qs
}

// learnMore picks up to n library items on the topics a player missed,
// for the results page: one per missed topic first (so three misses give
// three subjects, not three videos on the first), preferring items in the
// page's language and for the quiz's ages. A library that cannot be read
// only costs the section, never the results.
func (h *Handlers) learnMore(ctx context.Context, missed, ages []string, l i18n.Localizer, n int) []mediaCard {
	if len(missed) == 0 || h.Library == nil {
		return nil
	}
	all, err := h.Library.MediaItems(ctx, store.MediaFilter{})
	if err != nil {
		h.Log.Warn("results: library unavailable", "err", err)
		return nil
	}
	score := func(it media.Item) int {
		s := 0
		if it.InLang(string(l.Lang)) {
			s += 2
		}
		if slices.ContainsFunc(ages, func(a string) bool { return slices.Contains(it.Audience, a) }) {
			s++
		}
		return s
	}
	var cands []media.Item
	for _, it := range all {
		if slices.ContainsFunc(missed, func(t string) bool { return slices.Contains(it.Topics, t) }) {
			cands = append(cands, it)
		}
	}
	slices.SortStableFunc(cands, func(a, b media.Item) int { return score(b) - score(a) })
	var picked []media.Item
	taken := func(it media.Item) bool {
		return slices.ContainsFunc(picked, func(p media.Item) bool { return p.ID == it.ID })
	}
	for _, t := range missed {
		if len(picked) == n {
			break
		}
		if i := slices.IndexFunc(cands, func(it media.Item) bool { return slices.Contains(it.Topics, t) && !taken(it) }); i >= 0 {
			picked = append(picked, cands[i])
		}
	}
	for _, it := range cands {
		if len(picked) == n {
			break
		}
		if !taken(it) {
			picked = append(picked, it)
		}
	}
	cards := make([]mediaCard, len(picked))
	for i, it := range picked {
		cards[i] = h.mediaCard(it, l)
	}
	return cards
}

// mediaFile serves a stored file by its name, <hash>.<ext>. The name is
// checked before it reaches the file system (media.ParseName), and the
// type comes from the extension the store gave it after checking the
// content, so no lookup is needed and nothing a visitor sends picks the
// Content-Type.
func (h *Handlers) mediaFile(w http.ResponseWriter, r *http.Request) error {
	hash, ext, ok := media.ParseName(r.PathValue("name"))
	if !ok {
		return errs.E(errs.NotFound, "error.media_not_found")
	}
	kind, _ := media.KindOfExt(ext) // ParseName checked it
	f, err := h.MediaFiles.Open(hash, ext)
	if err != nil {
		return err
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil {
		return errs.Wrap(errs.Internal, err, "media file")
	}
	// A file is the same for every visitor and language: Vary: Cookie
	// would make browsers fetch it again after a language switch.
	w.Header().Del("Vary")
	// Not every ResponseWriter has deadlines (tests); then the server's
	// own timeout stands.
	_ = http.NewResponseController(w).SetWriteDeadline(time.Now().Add(mediaWriteTime))
	// No Content-Disposition: a PDF opens in the browser's viewer
	// (inline); the page's download links carry a download attribute.
	media.Serve(w, r, f, kind.MIME(), info.ModTime(), hash)
	return nil
}

// MediaFile serves GET /media/{name}: a library file, with ranges (a
// player seeks), a year of caching, its ETag and nosniff.
func (h *Handlers) MediaFile() http.Handler { return h.handle(h.mediaFile) }
