package api

import (
	"context"
	"crypto/sha256"
	"html/template"
	"net/http"
	"slices"
	"strings"
	"sync"

	"github.com/notalone/notalone/internal/errs"
	"github.com/notalone/notalone/internal/i18n"
	"github.com/notalone/notalone/internal/media"
	"github.com/notalone/notalone/internal/store"
	"github.com/notalone/notalone/internal/taxonomy"
)

// The library, read-only: published items with the addresses of their
// files. Texts come in both languages ({vi, en}) whatever the request's
// language, so an app can switch without asking again; ?lang= filters the
// items that exist in a language.

// MediaStore is the library as the API reads it.
type MediaStore interface {
	MediaItems(ctx context.Context, f store.MediaFilter) ([]media.Item, error)
	MediaItem(ctx context.Context, id string) (media.Item, error)
}

// maxMediaQuery caps a search, in bytes; media.QueryWords keeps 8 words.
const maxMediaQuery = 200

type ambassadorView struct {
	Name     string `json:"name,omitempty"`
	Age      int    `json:"age,omitempty"`
	Province string `json:"province,omitempty"`
}

type mediaView struct {
	ID       string    `json:"id"`
	Kind     string    `json:"kind"`
	Title    i18n.Text `json:"title"`
	Summary  i18n.Text `json:"summary"`
	Topics   []string  `json:"topics"`
	Audience []string  `json:"audience"`
	Langs    []string  `json:"langs"`
	// Video.
	FileURL         string            `json:"file_url,omitempty"`
	PosterURL       string            `json:"poster_url,omitempty"`
	Captions        map[string]string `json:"captions,omitempty"`
	DurationSeconds int               `json:"duration_seconds,omitempty"`
	// Story.
	Ambassador *ambassadorView `json:"ambassador,omitempty"`
	PhotoURLs  []string        `json:"photo_urls,omitempty"`
	BodyHTML   *i18n.Text      `json:"body_html,omitempty"`
	// Publication.
	Files    map[string]string `json:"files,omitempty"`
	CoverURL string            `json:"cover_url,omitempty"`
	Pages    int               `json:"pages,omitempty"`
}

// fileURL is where a stored file is served, absolute with the public
// address: an app may keep it or hand it to a player.
func (h *Handlers) fileURL(name string) string {
	if name == "" {
		return ""
	}
	return h.PublicURL + "/media/" + name
}

func (h *Handlers) perLang(files media.PerLang) map[string]string {
	if len(files) == 0 {
		return nil
	}
	out := make(map[string]string, len(files))
	for lang, name := range files {
		out[lang] = h.fileURL(name)
	}
	return out
}

func (h *Handlers) mediaView(it media.Item) mediaView {
	v := mediaView{ID: it.ID, Kind: it.Kind, Title: it.Title, Summary: it.Summary,
		Topics: nonNil(it.Topics), Audience: nonNil(it.Audience), Langs: nonNil(it.Langs),
		FileURL: h.fileURL(it.File), PosterURL: h.fileURL(it.Poster), Captions: h.perLang(it.Captions), DurationSeconds: it.DurationSeconds,
		Files: h.perLang(it.Files), CoverURL: h.fileURL(it.Cover), Pages: it.Pages}
	if a := it.Ambassador; a != nil {
		v.Ambassador = &ambassadorView{Name: a.Name, Age: a.Age, Province: a.Province}
	}
	for _, p := range it.Photos {
		v.PhotoURLs = append(v.PhotoURLs, h.fileURL(p))
	}
	return v
}

// nonNil makes an empty list [] in JSON rather than null.
func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// mediaFilter reads the list's query: each filter must be one of its
// codes (a typo is an error rather than an empty list); q is plain text.
func mediaFilter(r *http.Request) (store.MediaFilter, error) {
	q := r.URL.Query()
	f := store.MediaFilter{Kind: q.Get("kind"), Topic: q.Get("topic"), Audience: q.Get("audience"), Lang: q.Get("lang"), Query: q.Get("q")}
	for _, c := range []struct {
		field, value string
		allowed      []string
	}{
		{"kind", f.Kind, media.ItemKinds},
		{"topic", f.Topic, taxonomy.Topics},
		{"audience", f.Audience, taxonomy.Audiences},
		{"lang", f.Lang, []string{string(i18n.VI), string(i18n.EN)}},
	} {
		if c.value != "" && !slices.Contains(c.allowed, c.value) {
			return f, errs.Field(c.field, "error.api_filter")
		}
	}
	if len(f.Query) > maxMediaQuery {
		return f, errs.Field("q", "error.api_query_too_long")
	}
	return f, nil
}

func (h *Handlers) mediaList(w http.ResponseWriter, r *http.Request) error {
	f, err := mediaFilter(r)
	if err != nil {
		return err
	}
	items, err := h.Library.MediaItems(r.Context(), f)
	if err != nil {
		return err
	}
	out := struct {
		Items []mediaView `json:"items"`
	}{Items: make([]mediaView, len(items))}
	for i, it := range items {
		out.Items[i] = h.mediaView(it)
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

// MediaList serves GET /api/v1/media: the library, filtered by kind,
// topic, audience and language, searched with or without diacritics.
func (h *Handlers) MediaList() http.Handler { return h.handle(h.mediaList) }

func (h *Handlers) mediaItem(w http.ResponseWriter, r *http.Request) error {
	// Ids are lower-case letters, digits and dashes (the packs' and the
	// console's rule): anything else is missing without asking the database.
	id := r.PathValue("id")
	if len(id) > 100 || strings.Trim(id, "abcdefghijklmnopqrstuvwxyz0123456789-") != "" {
		return errs.E(errs.NotFound, "error.media_item_not_found")
	}
	it, err := h.Library.MediaItem(r.Context(), id)
	if err != nil {
		return err
	}
	v := h.mediaView(it)
	if it.Kind == media.KindStory {
		v.BodyHTML = &i18n.Text{VI: string(storyHTML(it.Body.VI)), EN: string(storyHTML(it.Body.EN))}
	}
	writeJSON(w, http.StatusOK, v)
	return nil
}

// MediaItem serves GET /api/v1/media/{id}: one item, a story with its
// text as sanitised HTML.
func (h *Handlers) MediaItem() http.Handler { return h.handle(h.mediaItem) }

// storyHTML renders a story once per text and keeps the result: some
// Markdown takes a good part of a second to render (media.MaxStorySize),
// and an API is easy to call in a loop. The cache is bounded by the
// stories in the library; past maxStoryCache texts (edits pile up) it
// starts again.
func storyHTML(src string) template.HTML {
	if src == "" {
		return ""
	}
	key := sha256.Sum256([]byte(src))
	stories.mu.Lock()
	html, ok := stories.html[key]
	stories.mu.Unlock()
	if ok {
		return html
	}
	html = media.RenderMarkdown(src)
	stories.mu.Lock()
	if stories.html == nil || len(stories.html) >= maxStoryCache {
		stories.html = map[[sha256.Size]byte]template.HTML{}
	}
	stories.html[key] = html
	stories.mu.Unlock()
	return html
}

const maxStoryCache = 500

var stories struct {
	mu   sync.Mutex
	html map[[sha256.Size]byte]template.HTML
}
