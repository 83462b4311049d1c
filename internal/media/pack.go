package media

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/goccy/go-yaml"
	"golang.org/x/text/unicode/norm"

	"github.com/notalone/notalone/internal/taxonomy"
)

// ManifestFile is the library's pack, relative to the content root.
const ManifestFile = "media/media.yaml"

// Limits on a pack's files.
const (
	maxPackVideo = 50 << 20
	maxPackFile  = 20 << 20
	maxPixels    = 40_000_000
)

// LoadPack reads the library's manifest from fsys, checks every item,
// stores every file it names in st (by content hash, types checked by
// content, pictures cleaned) and returns the items with stored names in
// place of paths and story texts in place of their Markdown files. Any
// problem refuses the whole pack.
func LoadPack(fsys fs.FS, st *Store) ([]Item, error) {
	raw, err := fs.ReadFile(fsys, ManifestFile)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil // an installation without a library pack
	}
	if err != nil {
		return nil, fmt.Errorf("media pack: %w", err)
	}
	var m struct {
		Items []Item `yaml:"items"`
	}
	if err := yaml.UnmarshalWithOptions(raw, &m, yaml.Strict(), yaml.DisallowUnknownField()); err != nil {
		return nil, fmt.Errorf("media pack %s: %s", ManifestFile, yaml.FormatError(err, false, false))
	}
	dir := path.Dir(ManifestFile)
	var problems []string
	bad := func(id, format string, args ...any) {
		problems = append(problems, fmt.Sprintf("%s: %s: %s", ManifestFile, id, fmt.Sprintf(format, args...)))
	}
	put := func(id, rel string, max int64, kinds ...Kind) string {
		if rel == "" {
			return ""
		}
		if strings.Contains(rel, "..") || path.IsAbs(rel) {
			bad(id, "unsafe path %q", rel)
			return ""
		}
		b, err := fs.ReadFile(fsys, path.Join(dir, rel))
		if err != nil {
			bad(id, "%v", err)
			return ""
		}
		if slices.Contains(kinds, JPEG) {
			img, err := st.PutImage(bytes.NewReader(b), max, maxPixels)
			if err != nil {
				bad(id, "%s: %v", rel, err)
				return ""
			}
			return img.Name()
		}
		f, err := st.Put(bytes.NewReader(b), max, kinds...)
		if err != nil {
			bad(id, "%s: %v", rel, err)
			return ""
		}
		return f.Name()
	}
	seen := map[string]bool{}
	for i := range m.Items {
		it := &m.Items[i]
		switch {
		case it.ID == "" || seen[it.ID] || strings.Trim(it.ID, "abcdefghijklmnopqrstuvwxyz0123456789-") != "":
			bad(it.ID, "id must be unique lower-case letters, digits and dashes")
		case !slices.Contains(ItemKinds, it.Kind):
			bad(it.ID, "kind %q: want one of %s", it.Kind, strings.Join(ItemKinds, ", "))
		}
		seen[it.ID] = true
		for _, tp := range it.Topics {
			if !taxonomy.IsTopic(tp) {
				bad(it.ID, "unknown topic %q", tp)
			}
		}
		if len(it.Topics) == 0 {
			bad(it.ID, "at least one topic")
		}
		for _, a := range it.Audience {
			if !slices.Contains(taxonomy.Audiences, a) {
				bad(it.ID, "unknown audience %q", a)
			}
		}
		if len(it.Langs) == 0 {
			bad(it.ID, "at least one language")
		}
		for _, t := range []struct {
			name string
			s    string
		}{{"title.vi", it.Title.VI}, {"title.en", it.Title.EN}, {"summary.vi", it.Summary.VI}, {"summary.en", it.Summary.EN}} {
			if strings.TrimSpace(t.s) == "" || !utf8.ValidString(t.s) || !norm.NFC.IsNormalString(t.s) || strings.ContainsAny(t.s, "<>") {
				bad(it.ID, "%s: missing, not NFC, or with markup", t.name)
			}
		}
		switch it.Kind {
		case KindVideo:
			if it.File == "" || it.Poster == "" || it.Captions["vi"] == "" || it.Captions["en"] == "" || it.DurationSeconds <= 0 {
				bad(it.ID, "a video needs file, poster, captions vi and en, duration_seconds")
			}
			it.File = put(it.ID, it.File, maxPackVideo, MP4, WebM)
			it.Poster = put(it.ID, it.Poster, maxPackFile, JPEG, PNG, WebP)
			caps := PerLang{}
			for lang, rel := range it.Captions {
				caps[lang] = put(it.ID, rel, MaxCaptionSize, WebVTT)
			}
			it.Captions = caps
		case KindStory:
			if it.Body.VI == "" && it.Body.EN == "" {
				bad(it.ID, "a story needs body files")
			}
			for _, b := range []*string{&it.Body.VI, &it.Body.EN} {
				if *b == "" {
					continue
				}
				text, err := fs.ReadFile(fsys, path.Join(dir, *b))
				switch {
				case err != nil:
					bad(it.ID, "%v", err)
				case len(text) > MaxStorySize || !utf8.Valid(text):
					bad(it.ID, "%s: not UTF-8 or longer than %d bytes", *b, MaxStorySize)
				default:
					*b = norm.NFC.String(string(text))
				}
			}
			// Photos are stored by hash: a story's Markdown names them by
			// their pack path ("files/x.jpg" or "/media/files/x.jpg"),
			// rewritten here to where they are served.
			var photos []string
			for _, p := range it.Photos {
				name := put(it.ID, p, maxPackFile, JPEG, PNG, WebP)
				photos = append(photos, name)
				for _, b := range []*string{&it.Body.VI, &it.Body.EN} {
					*b = strings.NewReplacer("(/media/"+p+")", "(/media/"+name+")", "("+p+")", "(/media/"+name+")").Replace(*b)
				}
			}
			it.Photos = photos
		case KindPublication:
			if len(it.Files) == 0 || it.Cover == "" || it.Pages <= 0 {
				bad(it.ID, "a publication needs files per language, cover and pages")
			}
			files := PerLang{}
			for lang, rel := range it.Files {
				files[lang] = put(it.ID, rel, maxPackFile, PDF)
			}
			it.Files = files
			it.Cover = put(it.ID, it.Cover, maxPackFile, JPEG, PNG, WebP)
		}
	}
	if len(problems) > 0 {
		return nil, fmt.Errorf("%s", strings.Join(problems, "\n"))
	}
	return m.Items, nil
}
