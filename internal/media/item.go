package media

import (
	"slices"
	"strings"

	"github.com/notalone/notalone/internal/fold"
	"github.com/notalone/notalone/internal/i18n"
)

// The kinds of library item.
const (
	KindVideo       = "video"
	KindStory       = "story"
	KindPublication = "publication"
)

// ItemKinds lists them, in the order the library shows them.
var ItemKinds = []string{KindVideo, KindStory, KindPublication}

// Ambassador is a young ambassador whose story it is; every field is
// optional.
type Ambassador struct {
	Name     string `yaml:"name,omitempty" json:"name,omitempty"`
	Age      int    `yaml:"age,omitempty" json:"age,omitempty"`
	Province string `yaml:"province,omitempty" json:"province,omitempty"`
}

// PerLang is a file per language ("vi", "en"), by stored name
// ("<hash>.<ext>") once loaded.
type PerLang map[string]string

// Item is one library item. Files are named by content hash once stored
// ("<hash>.<ext>", served at /media/<name>); a pack names them by path.
type Item struct {
	ID       string    `yaml:"id" json:"id"`
	Kind     string    `yaml:"kind" json:"kind"`
	Topics   []string  `yaml:"topics" json:"topics"`
	Audience []string  `yaml:"audience" json:"audience"`
	Langs    []string  `yaml:"langs" json:"langs"`
	Title    i18n.Text `yaml:"title" json:"title"`
	Summary  i18n.Text `yaml:"summary" json:"summary"`
	// Video: the file (MP4 or WebM), its poster, captions per language,
	// and its length.
	File            string  `yaml:"file,omitempty" json:"file,omitempty"`
	Poster          string  `yaml:"poster,omitempty" json:"poster,omitempty"`
	Captions        PerLang `yaml:"captions,omitempty" json:"captions,omitempty"`
	DurationSeconds int     `yaml:"duration_seconds,omitempty" json:"duration_seconds,omitempty"`
	// Story: Markdown per language (the text itself once loaded), the
	// ambassador, and photos.
	Body       i18n.Text   `yaml:"body,omitempty" json:"body,omitempty"`
	Ambassador *Ambassador `yaml:"ambassador,omitempty" json:"ambassador,omitempty"`
	Photos     []string    `yaml:"photos,omitempty" json:"photos,omitempty"`
	// Publication: a PDF per language, a cover image, the page count.
	Files PerLang `yaml:"files,omitempty" json:"files,omitempty"`
	Cover string  `yaml:"cover,omitempty" json:"cover,omitempty"`
	Pages int     `yaml:"pages,omitempty" json:"pages,omitempty"`
}

// SearchText is what search looks in: titles, summaries and story texts
// in both languages, folded (lower case, no diacritics, đ→d), so "lua dao"
// finds "lừa đảo" the same way on SQLite and PostgreSQL.
func (it Item) SearchText() string {
	parts := []string{it.Title.VI, it.Title.EN, it.Summary.VI, it.Summary.EN, it.Body.VI, it.Body.EN}
	if it.Ambassador != nil {
		parts = append(parts, it.Ambassador.Name, it.Ambassador.Province)
	}
	return fold.String(strings.Join(parts, " "))
}

// InLang reports whether the item exists in lang.
func (it Item) InLang(lang string) bool { return slices.Contains(it.Langs, lang) }

// QueryWords folds a visitor's search into words: only letters and digits
// survive folding, so SQL or full-text syntax in a query is plain text.
// At most 8 words of at most 40 characters.
func QueryWords(q string) []string {
	if len(q) > 400 {
		q = q[:400]
	}
	var out []string
	for _, w := range fold.Words(q) {
		if len(w) > 40 {
			w = w[:40]
		}
		if !slices.Contains(out, w) {
			out = append(out, w)
		}
		if len(out) == 8 {
			break
		}
	}
	return out
}
