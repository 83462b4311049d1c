package content

// Content packs as one .zip with exactly the layout of content/
// (hotlines.yaml, quizzes.yaml, pledge.yaml, items/*.yaml): how content moves between an
// event laptop and the central server. An exported pack is read back by
// LoadZip with every check of the packs built into the binary, and is just
// as readable and editable by people.

import (
	"archive/zip"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"path"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"testing/fstest"
	"unicode/utf8"

	"github.com/goccy/go-yaml"
	"github.com/notalone/notalone/internal/pledge"
	"github.com/notalone/notalone/internal/quiz"
)

const (
	// MaxPackBytes caps the total uncompressed size of an imported pack.
	// The shipped packs are under 0.5 MB; the cap stops a small zip from
	// expanding into gigabytes in memory (a zip bomb).
	MaxPackBytes = 20 << 20
	// MaxPackFiles caps the number of entries in an imported pack.
	MaxPackFiles = 500
)

// archiveFile is the File of problems about the archive as a whole.
const archiveFile = "archive"

// hotlinesOut is Hotlines as written: an empty "also" is left out.
type hotlinesOut struct {
	Hotlines  []hotlineOut `yaml:"hotlines"`
	Resources []Resource   `yaml:"resources,omitempty"`
}

// hotlineOut has Hotline's fields (a conversion proves it) with "also"
// optional.
type hotlineOut struct {
	ID          string `yaml:"id"`
	Number      string `yaml:"number"`
	Name        Text   `yaml:"name"`
	Description Text   `yaml:"description"`
	Also        Text   `yaml:"also,omitempty"`
	Source      string `yaml:"source"`
}

// ExportBank exports every item and quiz of a bank, with the hotlines and
// the pledge options, and says how many items and quizzes it holds: the
// export the console and the API both serve.
func ExportBank(bank *quiz.Bank, hotlines Hotlines, options []pledge.Option) (data []byte, items, quizzes int, err error) {
	var its []quiz.Item
	for _, it := range bank.AllItems() {
		its = append(its, *it)
	}
	var qs []quiz.Quiz
	for _, q := range bank.Quizzes() {
		qs = append(qs, *q)
	}
	data, err = Export(its, qs, hotlines, options)
	return data, len(its), len(qs), err
}

// Export writes items, quizzes, hotlines and pledge options as a .zip with the layout of
// content/: hotlines.yaml, quizzes.yaml (quizzes in the order given),
// pledge.yaml and one items/<topic>.yaml per first topic, items sorted by id. The same
// content always gives the same bytes. Every file is checked to read back
// exactly as written before it goes into the archive.
func Export(items []quiz.Item, quizzes []quiz.Quiz, hotlines Hotlines, options []pledge.Option) ([]byte, error) {
	h := hotlinesOut{Resources: hotlines.Resources}
	for _, x := range hotlines.Hotlines {
		h.Hotlines = append(h.Hotlines, hotlineOut(x))
	}
	files := map[string]any{
		"hotlines.yaml": &h,
		"quizzes.yaml":  &quizzesFile{Quizzes: quizzes},
		"pledge.yaml":   &pledgeFile{Options: options},
	}
	headers := map[string]string{
		"hotlines.yaml": "Hotlines and places to turn, shown on every \"Get help\" page.",
		"quizzes.yaml":  "Quizzes: a fixed list of items, or a pool each attempt draws from.",
		"pledge.yaml":   "Pledge options: the actions a visitor can pledge, in the order shown.",
	}
	groups := map[string][]quiz.Item{}
	for _, it := range items {
		name := "items/" + itemFileKey(it) + ".yaml"
		groups[name] = append(groups[name], it)
	}
	for name, g := range groups {
		slices.SortStableFunc(g, func(a, b quiz.Item) int { return strings.Compare(a.ID, b.ID) })
		files[name] = &itemsFile{Items: g}
		headers[name] = fmt.Sprintf("Quiz items whose first topic is %s.", strings.TrimSuffix(path.Base(name), ".yaml"))
	}
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, name := range exportOrder(files) {
		data, err := encodePack(files[name])
		if err != nil {
			return nil, fmt.Errorf("export %s: %w", name, err)
		}
		w, err := zw.CreateHeader(&zip.FileHeader{Name: name, Method: zip.Deflate})
		if err != nil {
			return nil, fmt.Errorf("export %s: %w", name, err)
		}
		if _, err := io.WriteString(w, "# Exported by Not Alone. "+headers[name]+"\n"); err != nil {
			return nil, fmt.Errorf("export %s: %w", name, err)
		}
		if _, err := w.Write(data); err != nil {
			return nil, fmt.Errorf("export %s: %w", name, err)
		}
	}
	if err := zw.Close(); err != nil {
		return nil, fmt.Errorf("export: %w", err)
	}
	return buf.Bytes(), nil
}

// exportOrder lists the top-level packs first, then the item
// files by name.
func exportOrder(files map[string]any) []string {
	names := sortedKeys(files)
	slices.SortStableFunc(names, func(a, b string) int {
		return strings.Count(a, "/") - strings.Count(b, "/")
	})
	return names
}

var fileKeyPattern = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{0,62}$`)

// itemFileKey names the file an item goes in: its first topic.
func itemFileKey(it quiz.Item) string {
	if len(it.Topics) > 0 && fileKeyPattern.MatchString(it.Topics[0]) {
		return it.Topics[0]
	}
	return "other"
}

// encodePack writes v (a pointer to a pack file's struct) as YAML, then
// reads it back strictly and writes it again: the two must be identical,
// or the export would change content on the way.
func encodePack(v any) ([]byte, error) {
	data, err := yaml.MarshalWithOptions(v, packEncoding...)
	if err != nil {
		return nil, err
	}
	back := reflect.New(reflect.TypeOf(v).Elem()).Interface()
	if err := yaml.UnmarshalWithOptions(data, back, yaml.Strict(), yaml.DisallowUnknownField()); err != nil {
		return nil, fmt.Errorf("the written YAML does not read back: %w", err)
	}
	again, err := yaml.MarshalWithOptions(back, packEncoding...)
	if err != nil {
		return nil, err
	}
	if !bytes.Equal(data, again) {
		return nil, errors.New("the written YAML does not read back as written")
	}
	return data, nil
}

// packEncoding writes block YAML indented like content/, every string
// through yamlString.
var packEncoding = []yaml.EncodeOption{
	yaml.IndentSequence(true),
	yaml.CustomMarshaler[string](yamlString),
	yaml.CustomMarshaler[quiz.Type](func(t quiz.Type) ([]byte, error) { return yamlString(string(t)) }),
}

// plainPunct is the punctuation a plain (unquoted) YAML string may hold
// after its first letter and still read back unchanged.
const plainPunct = `.,;!?()'’‘“”…–—/%+₫-`

// plainString matches texts safe to write without quotes: a letter first,
// then letters, marks, digits, harmless punctuation and single spaces.
var plainString = regexp.MustCompile(`^\p{L}[\p{L}\p{M}\p{N}` + plainPunct + `]*(?: [\p{L}\p{M}\p{N}` + plainPunct + `]+)*$`)

// yamlKeywords read as booleans or null when unquoted (YAML 1.1 and 1.2).
var yamlKeywords = map[string]bool{"y": true, "n": true, "yes": true, "no": true, "on": true, "off": true,
	"true": true, "false": true, "null": true}

// yamlString writes s plainly when that is safe, else double-quoted with
// JSON escapes (valid YAML, and exact for every string).
func yamlString(s string) ([]byte, error) {
	if plainString.MatchString(s) && !yamlKeywords[strings.ToLower(s)] {
		return []byte(s), nil
	}
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(s); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(b.Bytes(), []byte("\n")), nil
}

// LoadZip reads a pack exported by Export (or zipped by hand from a
// content/ folder, also inside one top folder) and validates it like Load.
// It refuses anything that is not a zip, entries outside the layout or
// with unsafe paths ("..", absolute), more than MaxPackFiles entries, and
// more than maxBytes uncompressed (MaxPackBytes when maxBytes <= 0). Every
// problem found is reported together, as Problems.
func LoadZip(data []byte, maxBytes int64) (*Bundle, error) {
	if maxBytes <= 0 {
		maxBytes = MaxPackBytes
	}
	fsys, problems := unzip(data, maxBytes)
	if fsys == nil {
		return nil, problems
	}
	b, err := Load(fsys)
	if err != nil {
		ps, ok := AsProblems(err)
		if !ok {
			return nil, err
		}
		problems = append(problems, ps...)
	}
	if len(problems) > 0 {
		return nil, problems
	}
	return b, nil
}

// unzip reads the pack's files into memory. A nil fsys means the archive
// as a whole was refused.
func unzip(data []byte, maxBytes int64) (fstest.MapFS, Problems) {
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	// ErrInsecurePath still gives a reader; paths are checked below.
	if err != nil && !errors.Is(err, zip.ErrInsecurePath) {
		return nil, Problems{{File: archiveFile, Message: "not a zip archive"}}
	}
	if len(zr.File) > MaxPackFiles {
		return nil, Problems{{File: archiveFile, Message: fmt.Sprintf("has %d entries; a pack has at most %d", len(zr.File), MaxPackFiles)}}
	}
	var problems Problems
	var entries []zipEntry
	for _, f := range zr.File {
		name := f.Name
		if msg := unsafePath(name); msg != "" {
			problems = append(problems, Problem{File: name, Message: msg})
			continue
		}
		if isJunk(name) {
			continue
		}
		entries = append(entries, zipEntry{f, name})
	}
	// A pack zipped from its folder has every entry under one top folder.
	if root := commonRoot(entries); root != "" {
		for i := range entries {
			entries[i].name = strings.TrimPrefix(entries[i].name, root)
		}
	}
	fsys := fstest.MapFS{}
	var total int64
	for _, e := range entries {
		name, f := e.name, e.f
		if name == "" || name == "items/" {
			continue // the top folder or items/ itself
		}
		if !inLayout(name) {
			problems = append(problems, Problem{File: f.Name, Message: "not part of a content pack (hotlines.yaml, quizzes.yaml, pledge.yaml, items/*.yaml)"})
			continue
		}
		if !f.Mode().IsRegular() {
			problems = append(problems, Problem{File: f.Name, Message: "not a regular file"})
			continue
		}
		if _, dup := fsys[name]; dup {
			problems = append(problems, Problem{File: f.Name, Message: "appears twice in the archive"})
			continue
		}
		left := maxBytes - total
		if f.UncompressedSize64 > uint64(left) {
			return nil, Problems{{File: archiveFile, Message: fmt.Sprintf("larger than %d MB uncompressed", maxBytes>>20)}}
		}
		b, err := readEntry(f, left)
		if errors.Is(err, errTooLarge) {
			return nil, Problems{{File: archiveFile, Message: fmt.Sprintf("larger than %d MB uncompressed", maxBytes>>20)}}
		}
		if err != nil {
			problems = append(problems, Problem{File: f.Name, Message: "cannot be read: " + err.Error()})
			continue
		}
		total += int64(len(b))
		fsys[name] = &fstest.MapFile{Data: b, Mode: 0o444}
	}
	return fsys, problems
}

var errTooLarge = errors.New("too large")

// readEntry reads one entry, whatever its header claims, up to limit bytes.
func readEntry(f *zip.File, limit int64) ([]byte, error) {
	rc, err := f.Open()
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	b, err := io.ReadAll(io.LimitReader(rc, limit+1))
	if err != nil {
		return nil, err
	}
	if int64(len(b)) > limit {
		return nil, errTooLarge
	}
	return b, nil
}

// unsafePath says why an entry's name is refused, or "" when it is a
// clean relative path.
func unsafePath(name string) string {
	switch {
	case !utf8.ValidString(name) || strings.ContainsFunc(name, isControl):
		return "the name is not plain UTF-8 text"
	case strings.Contains(name, `\`):
		return `unsafe path: use "/" between folders`
	case strings.HasPrefix(name, "/") || len(name) >= 2 && name[1] == ':':
		return "unsafe path: absolute paths are not allowed"
	case slices.Contains(strings.Split(name, "/"), ".."):
		return `unsafe path: ".." is not allowed`
	case !fs.ValidPath(strings.TrimSuffix(name, "/")):
		return "not a valid path"
	}
	return ""
}

// isJunk recognises what file managers add to archives.
func isJunk(name string) bool {
	base := path.Base(strings.TrimSuffix(name, "/"))
	return strings.HasPrefix(name, "__MACOSX/") || base == ".DS_Store" || base == "Thumbs.db"
}

// zipEntry is an archive entry and its path inside the pack.
type zipEntry struct {
	f    *zip.File
	name string
}

// commonRoot returns "dir/" when every entry is inside the same top folder
// dir (other than items/), else "".
func commonRoot(entries []zipEntry) string {
	root := ""
	for _, e := range entries {
		top, _, nested := strings.Cut(e.name, "/")
		if !nested || top == "items" || root != "" && top != root {
			return ""
		}
		root = top
	}
	if root == "" {
		return ""
	}
	return root + "/"
}

// inLayout says whether name is a file a pack may hold: a top-level YAML
// file (Load reports unknown ones by name) or items/*.yaml.
func inLayout(name string) bool {
	dir, file := path.Split(name)
	if !strings.HasSuffix(file, ".yaml") || file == ".yaml" {
		return false
	}
	return dir == "" || dir == "items/"
}
