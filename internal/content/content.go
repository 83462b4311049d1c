// Package content reads, validates and reports on the content packs under
// content/: human-edited YAML files, one kind of content per file, every
// visible text in Vietnamese and English, plain text only (our templates
// draw it; a pack never carries HTML).
package content

import (
	"errors"
	"fmt"
	"io/fs"
	"regexp"
	"sort"
	"strings"
	"unicode/utf8"

	"github.com/goccy/go-yaml"
	"github.com/notalone/notalone/internal/i18n"
	"github.com/notalone/notalone/internal/pledge"
	"github.com/notalone/notalone/internal/quiz"
	"golang.org/x/text/unicode/norm"
)

// Problem is one validation error, located precisely enough to fix.
type Problem struct {
	File    string
	ID      string // the item's stable id, when the problem is inside one
	Field   string
	Message string
}

func (p Problem) String() string {
	var b strings.Builder
	b.WriteString(p.File)
	if p.ID != "" {
		b.WriteString(": " + p.ID)
	}
	if p.Field != "" {
		b.WriteString(": " + p.Field)
	}
	b.WriteString(": " + p.Message)
	return b.String()
}

// Problems is a list of problems that is also an error.
type Problems []Problem

func (ps Problems) Error() string {
	lines := make([]string, len(ps))
	for i, p := range ps {
		lines[i] = p.String()
	}
	return strings.Join(lines, "\n")
}

// Text is one visible text in both languages.
type Text = i18n.Text

// Bundle is every pack, validated.
type Bundle struct {
	Hotlines      Hotlines
	Items         []quiz.Item
	Quizzes       []quiz.Quiz
	PledgeOptions []pledge.Option
}

// checker collects problems for one file.
type checker struct {
	file     string
	problems Problems
}

func (c *checker) add(id, field, format string, args ...any) {
	c.problems = append(c.problems, Problem{File: c.file, ID: id, Field: field, Message: fmt.Sprintf(format, args...)})
}

// markup finds anything a browser could read as HTML: a tag or an entity.
var markup = regexp.MustCompile(`<[a-zA-Z/!?]|&[a-zA-Z#][a-zA-Z0-9]*;`)

// text checks a bilingual text: present in both languages (unless
// optional), different (a copy is an untranslated text), NFC, no markup, no
// control characters, at most max runes.
func (c *checker) text(id, field string, t Text, optional bool, max int) {
	c.checkText(id, field, t, optional, max)
	if t.VI != "" && t.VI == t.EN {
		c.add(id, field, "Vietnamese and English are identical; translate one of them")
	}
}

// name checks a bilingual name (a sender, a contact, an account handle):
// like text, but it may read the same in both languages.
func (c *checker) name(id, field string, t Text, optional bool, max int) {
	c.checkText(id, field, t, optional, max)
}

func (c *checker) checkText(id, field string, t Text, optional bool, max int) {
	if optional && t.VI == "" && t.EN == "" {
		return
	}
	for _, side := range []struct{ lang, s string }{{"vi", t.VI}, {"en", t.EN}} {
		f := field + "." + side.lang
		switch {
		case strings.TrimSpace(side.s) == "":
			c.add(id, f, "missing text")
		case !utf8.ValidString(side.s):
			c.add(id, f, "not valid UTF-8")
		case markup.MatchString(side.s):
			c.add(id, f, "contains HTML; packs are plain text only")
		case strings.ContainsFunc(side.s, isControl):
			c.add(id, f, "contains a control character")
		case !norm.NFC.IsNormalString(side.s):
			c.add(id, f, "is not Unicode NFC (compose the diacritics)")
		case utf8.RuneCountInString(side.s) > max:
			c.add(id, f, "longer than %d characters", max)
		}
	}
}

func isControl(r rune) bool { return r < 0x20 && r != '\n' || r == 0x7f }

var idPattern = regexp.MustCompile(`^[a-z0-9][a-z0-9-]*[a-z0-9]$`)

// ids checks that id is well formed and unique in seen.
func (c *checker) id(id string, seen map[string]bool) {
	switch {
	case !idPattern.MatchString(id):
		c.add(id, "id", "must be lower-case letters, digits and dashes")
	case seen[id]:
		c.add(id, "id", "used twice")
	}
	seen[id] = true
}

// decode parses one YAML file strictly: unknown fields are errors, so a
// typo in a field name cannot silently drop a text.
func decode(fsys fs.FS, file string, v any) Problems {
	b, err := fs.ReadFile(fsys, file)
	if err != nil {
		return Problems{{File: file, Message: err.Error()}}
	}
	if !utf8.Valid(b) {
		return Problems{{File: file, Message: "not valid UTF-8"}}
	}
	if err := yaml.UnmarshalWithOptions(b, v, yaml.Strict(), yaml.DisallowUnknownField()); err != nil {
		return Problems{{File: file, Message: yaml.FormatError(err, false, false)}}
	}
	return nil
}

// Load reads and validates every pack in fsys: hotlines.yaml,
// quizzes.yaml and items/*.yaml. Any problem anywhere refuses the whole
// bundle, so nothing is ever half loaded.
func Load(fsys fs.FS) (*Bundle, error) {
	var all Problems
	b := &Bundle{}
	files, err := fs.Glob(fsys, "*.yaml")
	if err != nil {
		return nil, err
	}
	itemFiles, err := fs.Glob(fsys, "items/*.yaml")
	if err != nil {
		return nil, err
	}
	sort.Strings(itemFiles)
	seenItems := map[string]bool{}
	for _, f := range itemFiles {
		all = append(all, loadItems(fsys, f, seenItems, &b.Items)...)
	}
	byID := map[string]*quiz.Item{}
	for i := range b.Items {
		byID[b.Items[i].ID] = &b.Items[i]
	}
	known := map[string]func(string) Problems{
		"hotlines.yaml": func(f string) Problems { return loadHotlines(fsys, f, &b.Hotlines) },
		"quizzes.yaml":  func(f string) Problems { return loadQuizzes(fsys, f, byID, &b.Quizzes) },
		"pledge.yaml":   func(f string) Problems { return loadPledge(fsys, f, &b.PledgeOptions) },
	}
	sort.Strings(files)
	for _, f := range files {
		load, ok := known[f]
		if !ok {
			all = append(all, Problem{File: f, Message: "unknown pack; expected one of " + strings.Join(sortedKeys(known), ", ") + " or items/*.yaml"})
			continue
		}
		all = append(all, load(f)...)
		delete(known, f)
	}
	for f := range known {
		all = append(all, Problem{File: f, Message: "missing pack"})
	}
	if len(all) > 0 {
		return nil, all
	}
	return b, nil
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// AsProblems returns the problems inside err, if it carries any.
func AsProblems(err error) (Problems, bool) {
	var ps Problems
	ok := errors.As(err, &ps)
	return ps, ok
}
