package help

import (
	"fmt"
	"io/fs"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/goccy/go-yaml"
	"github.com/goccy/go-yaml/ast"
	"github.com/goccy/go-yaml/parser"
	"github.com/notalone/notalone/internal/fold"
	"github.com/notalone/notalone/internal/taxonomy"
)

// A Phrase is one red-flag phrase of the triage table, as matched: its
// text folded with fold.String, so one entry covers the text typed with
// or without diacritics, in any case, with any punctuation.
type Phrase struct {
	Flag   string // a red-flag code from internal/taxonomy
	Urgent bool   // finding it makes a request urgent
	Text   string // folded: lower-case words separated by single spaces
	Lang   string // "vi" or "en", the list it came from
}

// Phrases is the triage phrase table, loaded once and never changed, so
// it is safe for concurrent use. It is indexed by first word: Find does
// one map lookup per word of a description.
type Phrases struct {
	list    []Phrase
	flags   []string         // the distinct flags, in file order
	flagOf  []int            // for each phrase, its index in flags
	byFirst map[string][]int // first word → phrases starting with it, longest first
	// firstSig is a bit set of firstSignature over the first words: most
	// words of a description are ruled out by it without a map lookup.
	firstSig [1 << 14 / 64]uint64
}

// firstSignature summarises a word by its length and its first and last
// bytes, for Phrases.firstSig.
func firstSignature(w string) uint {
	return uint(len(w)&15)<<10 | uint(w[0]&31)<<5 | uint(w[len(w)-1]&31)
}

// phraseFile is the schema of content/help/phrases.yaml.
type phraseFile struct {
	Phrases []phraseEntry `yaml:"phrases"`
}

type phraseEntry struct {
	Flag   string   `yaml:"flag"`
	Urgent bool     `yaml:"urgent"`
	VI     []string `yaml:"vi"`
	EN     []string `yaml:"en"`
}

// LoadPhrases reads the phrase table at path in fsys:
//
//	phrases:
//	  - flag: secrecy        # a red-flag code (shared/CONTENT.md)
//	    urgent: true         # optional; finding one of these makes a request urgent
//	    vi: [đừng nói với ai, bí mật của hai đứa mình]
//	    en: [don't tell anyone]
//
// The YAML is read strictly (unknown fields are errors, so a misspelt
// field cannot silently drop phrases). Every problem is reported at once,
// located by entry, list, line and text: an unknown flag, an entry without
// phrases, a phrase with no letter or digit, and a phrase that folds to
// the same text as another one (a duplicate, or the same phrase under two
// flags) are refused.
func LoadPhrases(fsys fs.FS, path string) (*Phrases, error) {
	data, err := fs.ReadFile(fsys, path)
	if err != nil {
		return nil, fmt.Errorf("load phrases: %w", err)
	}
	if !utf8.Valid(data) {
		return nil, fmt.Errorf("load phrases: %s: not valid UTF-8", path)
	}
	var file phraseFile
	if err := yaml.UnmarshalWithOptions(data, &file, yaml.Strict(), yaml.DisallowUnknownField()); err != nil {
		return nil, fmt.Errorf("load phrases: %s: %s", path, yaml.FormatError(err, false, true))
	}
	doc, _ := parser.ParseBytes(data, 0) // only for line numbers in problems

	var problems []string
	problem := func(loc, format string, args ...any) {
		line := ""
		if n := lineOf(doc, "$."+loc); n > 0 {
			line = fmt.Sprintf(" (line %d)", n)
		}
		problems = append(problems, fmt.Sprintf("%s: %s%s: %s", path, loc, line, fmt.Sprintf(format, args...)))
	}
	if len(file.Phrases) == 0 {
		problem("phrases", "no phrases")
	}
	p := &Phrases{byFirst: map[string][]int{}}
	seen := map[string]string{} // folded text → where it was first listed
	for i, e := range file.Phrases {
		entry := fmt.Sprintf("phrases[%d]", i)
		if !taxonomy.IsRedFlag(e.Flag) {
			problem(entry+".flag", "%q is not a red-flag code; use one of %s", e.Flag, strings.Join(taxonomy.RedFlags, ", "))
			continue
		}
		if len(e.VI)+len(e.EN) == 0 {
			problem(entry, "flag %s has no phrases; list some under vi and en", e.Flag)
		}
		fi := slices.Index(p.flags, e.Flag)
		if fi < 0 {
			fi = len(p.flags)
			p.flags = append(p.flags, e.Flag)
		}
		for _, l := range []struct {
			lang  string
			texts []string
		}{{"vi", e.VI}, {"en", e.EN}} {
			for j, text := range l.texts {
				loc := fmt.Sprintf("%s.%s[%d]", entry, l.lang, j)
				folded := fold.String(text)
				if folded == "" {
					problem(loc, "%q has no letter or digit", text)
					continue
				}
				if first, ok := seen[folded]; ok {
					problem(loc, "%q is the same as %s once folded (%q); list each phrase once, under one flag", text, first, folded)
					continue
				}
				seen[folded] = fmt.Sprintf("%s (%s %q)", loc, e.Flag, text)
				p.list = append(p.list, Phrase{Flag: e.Flag, Urgent: e.Urgent, Text: folded, Lang: l.lang})
				p.flagOf = append(p.flagOf, fi)
			}
		}
	}
	if len(problems) > 0 {
		return nil, fmt.Errorf("load phrases:\n%s", strings.Join(problems, "\n"))
	}
	for i, ph := range p.list {
		first, _, _ := strings.Cut(ph.Text, " ")
		p.byFirst[first] = append(p.byFirst[first], i)
		sig := firstSignature(first)
		p.firstSig[sig/64] |= 1 << (sig % 64)
	}
	for _, idx := range p.byFirst {
		slices.SortStableFunc(idx, func(a, b int) int { return len(p.list[b].Text) - len(p.list[a].Text) })
	}
	return p, nil
}

// lineOf returns the line of the YAML node at path, or 0.
func lineOf(f *ast.File, path string) int {
	if f == nil {
		return 0
	}
	pth, err := yaml.PathString(path)
	if err != nil {
		return 0
	}
	n, err := pth.FilterFile(f)
	if err != nil || n == nil || n.GetToken() == nil {
		return 0
	}
	return n.GetToken().Position.Line
}

// All returns a copy of every phrase, in file order, for a staff page
// that shows what triage looks for.
func (p *Phrases) All() []Phrase {
	if p == nil {
		return nil
	}
	return slices.Clone(p.list)
}

// A Match is a red flag found in a text: the flag, the folded phrase that
// matched, and whether that makes the request urgent.
type Match struct {
	Flag   string
	Phrase string
	Urgent bool
}

// Find returns the red flags whose phrases occur in text as whole words,
// after folding both: "đừng nói với ai" matches "DUNG NOI VOI AI!!" and
// "dung noi voi ai", but a phrase never matches inside a longer word ("ai"
// is not found in "hai"). Each flag is reported once, in order of first
// appearance, with its longest phrase at that place; if a later phrase of
// the same flag is urgent and the first was not, the match becomes that
// urgent one, so urgency is never hidden. A nil table finds nothing.
func (p *Phrases) Find(text string) []Match {
	if p == nil || len(p.list) == 0 {
		return nil
	}
	folded := fold.String(text)
	var atBuf [64]int // at[flag] = index in out + 1, 0 until the flag is found
	var at []int
	if len(p.flags) <= len(atBuf) {
		at = atBuf[:len(p.flags)]
	} else {
		at = make([]int, len(p.flags))
	}
	var out []Match
	for start := 0; start < len(folded); {
		end := strings.IndexByte(folded[start:], ' ')
		if end < 0 {
			end = len(folded)
		} else {
			end += start
		}
		word := folded[start:end]
		if sig := firstSignature(word); p.firstSig[sig/64]&(1<<(sig%64)) == 0 {
			start = end + 1
			continue
		}
		for _, i := range p.byFirst[word] {
			ph := &p.list[i]
			rest := folded[start:]
			if !strings.HasPrefix(rest, ph.Text) || len(rest) > len(ph.Text) && rest[len(ph.Text)] != ' ' {
				continue
			}
			m := Match{Flag: ph.Flag, Phrase: ph.Text, Urgent: ph.Urgent}
			switch f := p.flagOf[i]; {
			case at[f] == 0:
				out = append(out, m)
				at[f] = len(out)
			case m.Urgent && !out[at[f]-1].Urgent:
				out[at[f]-1] = m
			}
		}
		start = end + 1
	}
	return out
}

// Priority orders help requests for the responders.
type Priority int

// The priorities, lowest first.
const (
	Normal Priority = iota
	High
	Urgent
)

// String returns the priority's code: "normal", "high" or "urgent".
func (p Priority) String() string {
	switch p {
	case Normal:
		return "normal"
	case High:
		return "high"
	case Urgent:
		return "urgent"
	}
	return fmt.Sprintf("Priority(%d)", int(p))
}

// Answers are what a help request's form asks besides contact details.
type Answers struct {
	Topic       string // a topic code (internal/taxonomy)
	DangerNow   bool   // "are you in danger right now?"
	AskedToMeet bool   // someone wants to meet in person
	Isolated    bool   // told to go somewhere alone, cut off family, switch off the phone, or keep it secret
	Description string // the child's own words
}

// Triage computes a request's priority so that the responders see the
// most dangerous requests first, and returns the red flags found in the
// description as the reasons to show them.
//
// Urgent: the child is in danger now; the topic is sextortion, grooming or
// online kidnapping; someone asked to meet; the child was isolated or told
// to keep it secret; or the description has an urgent phrase. High: the
// description has any red-flag phrase, or the topic is cyberbullying
// (harassment). Otherwise Normal. The taxonomy has no self-harm topic
// yet; one must be added in shared/CONTENT.md before triage can use it.
func Triage(a Answers, p *Phrases) (Priority, []Match) {
	matches := p.Find(a.Description)
	urgent := a.DangerNow || a.AskedToMeet || a.Isolated
	high := len(matches) > 0
	switch a.Topic {
	case "sextortion", "grooming", "online-kidnapping":
		urgent = true
	case "cyberbullying":
		high = true
	}
	for _, m := range matches {
		urgent = urgent || m.Urgent
	}
	switch {
	case urgent:
		return Urgent, matches
	case high:
		return High, matches
	}
	return Normal, matches
}
