// Package pledge holds pledges, the checks on visitors' names, and the
// rules for souvenir vouchers.
package pledge

import (
	_ "embed"
	"fmt"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"github.com/notalone/notalone/internal/errs"
	"golang.org/x/text/unicode/norm"
)

// MaxNameRunes is the longest name, counted in runes after NFC normalisation.
const MaxNameRunes = 40

// maxNameBytes is checked before any other work so that a pasted 10,000
// characters costs nothing. Forty Vietnamese letters typed decomposed (NFD)
// take at most 5 bytes each, so 400 leaves room for spaces around them.
const maxNameBytes = 400

// maxMarks is how many combining marks may follow one letter after NFC.
// Vietnamese needs two at most (and NFC composes them anyway); taller
// stacks ("zalgo" text) spill over the lines around the name.
const maxMarks = 2

// The message keys CleanName returns (see errs.Field).
const (
	keyTooLong     = "error.name_too_long"
	keyInvalidUTF8 = "error.name_invalid_utf8"
	keyCharacters  = "error.name_characters"
)

func nameError(key string, cause error) *errs.Error {
	e := errs.Field("name", key)
	e.Err = cause
	return e
}

// CleanName normalises a visitor's name (Unicode NFC, trims surrounding
// space, collapses runs of spaces to one) and refuses what cannot be shown
// safely. "" in → "" out, nil error (the name is optional); so is a name of
// white space only. A name with no letter or digit at all is refused.
//
// Allowed: Latin letters (every Vietnamese letter, precomposed or composed
// by NFC), up to two combining diacritics after a letter, ASCII digits,
// space, hyphen, apostrophe (’ becomes ') and full stop. Everything else is
// refused with error.name_characters: HTML, emoji, control, zero-width and
// bidi characters, and other scripts, because the wall and the souvenir are
// set in Noto Sans Latin and another script would print as empty boxes.
// A name longer than MaxNameRunes runes after NFC, or over 400 bytes before
// it, is refused with error.name_too_long; invalid UTF-8 with
// error.name_invalid_utf8. Refusals are *errs.Error with Field "name".
func CleanName(s string) (string, error) {
	if len(s) > maxNameBytes {
		return "", nameError(keyTooLong, nil)
	}
	if !utf8.ValidString(s) {
		return "", nameError(keyInvalidUTF8, nil)
	}
	s = strings.TrimFunc(norm.NFC.String(s), unicode.IsSpace)
	if s == "" {
		return "", nil
	}
	var b strings.Builder
	b.Grow(len(s))
	space, alnum := false, false
	marks := -1 // marks on the current letter; -1 when the last rune was not a letter
	n := 0
	for _, r := range s {
		switch {
		case unicode.Is(unicode.Zs, r): // also no-break and other wide spaces
			space, marks = true, -1
			continue
		case isNameLetter(r):
			marks, alnum = 0, true
		case isNameMark(r):
			if marks < 0 || marks >= maxMarks {
				return "", nameError(keyCharacters, fmt.Errorf("combining mark %U not after a letter", r))
			}
			marks++
		case '0' <= r && r <= '9':
			marks, alnum = -1, true
		case r == '\'' || r == '’':
			r, marks = '\'', -1
		case r == '-' || r == '.':
			marks = -1
		default:
			return "", nameError(keyCharacters, fmt.Errorf("rune %U not allowed", r))
		}
		if space {
			b.WriteByte(' ')
			n++
			space = false
		}
		b.WriteRune(r)
		n++
	}
	if !alnum {
		return "", nameError(keyCharacters, fmt.Errorf("no letter or digit"))
	}
	if n > MaxNameRunes {
		return "", nameError(keyTooLong, fmt.Errorf("%d runes", n))
	}
	return b.String(), nil
}

// isNameLetter reports whether r is a letter a name may use: Latin letters
// from Basic Latin, Latin-1, Latin Extended-A and -B and Latin Extended
// Additional (where the Vietnamese letters live). The other Latin blocks
// (small capitals, IPA, full-width, ligatures) are left out: no real name
// needs them and they are the look-alikes used to dodge the block list.
func isNameLetter(r rune) bool {
	switch {
	case 'a' <= r && r <= 'z', 'A' <= r && r <= 'Z':
		return true
	case r < 0xC0, 0x1C0 <= r && r <= 0x1C3: // ǀ ǁ ǂ ǃ look like | and !
		return false
	case r <= 0x24F, 0x1E00 <= r && r <= 0x1EFF:
		// A compatibility character (ǆ, ĳ, ſ, ŉ) stands for plain letters.
		return unicode.IsLetter(r) && norm.NFKC.IsNormalString(string(r))
	}
	return false
}

// isNameMark reports whether r is a combining diacritic a name may use
// after a letter: the Combining Diacritical Marks block, without the
// invisible combining grapheme joiner.
func isNameMark(r rune) bool {
	return 0x300 <= r && r <= 0x36F && r != 0x34F
}

// FlagName reports whether a cleaned name matches the block list, and which
// entry (for the moderator's "reason"; never shown to visitors). It also
// copes with raw text: look-alike letters from other scripts, symbols and
// invisible characters are folded before matching. See blocklist.txt for
// how each entry matches.
func FlagName(name string) (flagged bool, entry string) {
	m := blocklist()
	best, ambiguous := m.match(name, false, -1)
	if ambiguous { // "1" is i in "sh1t" but l in "1ồn": try the other reading
		best, _ = m.match(name, true, best)
	}
	if best < 0 {
		return false, ""
	}
	return true, m.entries[best].text
}

//go:embed blocklist.txt
var blocklistText string

// blocklist is parsed once; the matcher is never changed afterwards.
var blocklist = sync.OnceValue(func() *matcher {
	m, err := parseBlocklist(blocklistText)
	if err != nil {
		panic("pledge: blocklist.txt: " + err.Error())
	}
	return m
})

type matchMode uint8

const (
	modeWord matchMode = iota
	modeExact
	modeSquash
)

var modeNames = map[string]matchMode{"word": modeWord, "exact": modeExact, "squash": modeSquash}

// runs is a run-length encoded word: "fuuuck" is f u c k with counts 1 3 1 1.
type runs struct {
	r []rune
	n []int
}

func encodeRuns(s string) runs {
	var k runs
	for _, c := range s {
		if l := len(k.r); l > 0 && k.r[l-1] == c {
			k.n[l-1]++
			continue
		}
		k.r = append(k.r, c)
		k.n = append(k.n, 1)
	}
	return k
}

// covers reports whether text runs t, from index i on, spell e with every
// run at least as long as in e.
func (t runs) covers(i int, e runs) bool {
	if i+len(e.r) > len(t.r) {
		return false
	}
	for j, c := range e.r {
		if t.r[i+j] != c || t.n[i+j] < e.n[j] {
			return false
		}
	}
	return true
}

type blockEntry struct {
	text string // as written in blocklist.txt, the moderator's reason
	mode matchMode
	key  runs
	// How an entry may match several consecutive words joined: a phrase
	// across any separator; a long word across punctuation ("fu.ck"), and
	// across white space too if foreign.
	phrase, long, foreign bool
}

type matcher struct {
	entries []blockEntry
	word    map[string][]int // collapsed key → entries, loose fold
	exact   map[string][]int // collapsed key → entries, diacritics kept
	squash  []int
	maxKey  int // longest collapsed word/exact key, in runes
}

// minSquash is the fewest letters a substring entry may have.
const minSquash = 5

// minSpan is the fewest letters a one-word entry needs to match across
// words; shorter ones (dm, vl, ass) would turn up in initials and syllables.
const minSpan = 4

func parseBlocklist(text string) (*matcher, error) {
	m := &matcher{word: map[string][]int{}, exact: map[string][]int{}}
	seen := map[string]int{}
	for i, line := range strings.Split(text, "\n") {
		line = strings.TrimSpace(line)
		if line == "" || line[0] == '#' {
			continue
		}
		name, t, ok := strings.Cut(line, ":")
		md, known := modeNames[name]
		if !ok || !known || strings.TrimSpace(t) == "" {
			return nil, fmt.Errorf("line %d: want word:, exact: or squash: and a text, got %q", i+1, line)
		}
		words, _ := fold(t, md == modeExact, false)
		joined := joinWords(words)
		key := encodeRuns(joined)
		letters := utf8.RuneCountInString(joined)
		if letters == 0 {
			return nil, fmt.Errorf("line %d: %q has no letters", i+1, t)
		}
		if md == modeSquash && letters < minSquash {
			return nil, fmt.Errorf("line %d: squash entry %q has fewer than %d letters", i+1, t, minSquash)
		}
		dup := fmt.Sprint(md == modeExact, joined)
		if j, ok := seen[dup]; ok {
			return nil, fmt.Errorf("line %d: %q folds like %q", i+1, t, m.entries[j].text)
		}
		seen[dup] = len(m.entries)
		e := blockEntry{
			text: t, mode: md, key: key,
			phrase:  len(words) > 1,
			long:    letters >= minSpan,
			foreign: strings.ContainsAny(joined, "fjwz"),
		}
		idx := len(m.entries)
		m.entries = append(m.entries, e)
		switch md {
		case modeWord:
			m.word[string(key.r)] = append(m.word[string(key.r)], idx)
		case modeExact:
			m.exact[string(key.r)] = append(m.exact[string(key.r)], idx)
		case modeSquash:
			m.squash = append(m.squash, idx)
		}
		if md != modeSquash {
			m.maxKey = max(m.maxKey, len(key.r))
		}
	}
	return m, nil
}

// match returns the first entry (lowest index, below best if best ≥ 0)
// matching s folded with or without alt, and whether alt would fold s
// differently.
func (m *matcher) match(s string, alt bool, best int) (int, bool) {
	better := func(i int) {
		if best < 0 || i < best {
			best = i
		}
	}
	loose, ambiguous := fold(s, false, alt)
	exact, _ := fold(s, true, alt)
	m.matchWords(loose, m.word, better)
	m.matchWords(exact, m.exact, better)
	if len(m.squash) > 0 {
		all := encodeRuns(joinWords(loose))
		for _, i := range m.squash {
			k := m.entries[i].key
			for p := range all.r {
				if all.covers(p, k) {
					better(i)
					break
				}
			}
		}
	}
	return best, ambiguous
}

// matchWords looks up every word, and every run of consecutive words
// joined, in idx. A one-word entry matches words split by white space only
// if it is foreign: Vietnamese has no f, j, w or z, so no pair of syllables
// in a name spells "fu ck", while "Pé Đô" would spell pedo.
func (m *matcher) matchWords(words []foldedWord, idx map[string][]int, found func(int)) {
	var k runs
	var key []byte // k.r in UTF-8, for the map
	for i := range words {
		k.r, k.n, key = k.r[:0], k.n[:0], key[:0]
		spaced := false
		// Each word of a span adds at least one letter, and repeats of one
		// letter ("aa aa aa") do not lengthen the key: bound both.
		for j := i; j < len(words) && j-i < m.maxKey; j++ {
			spaced = spaced || j > i && words[j].spaced
			for _, c := range words[j].s {
				if l := len(k.r); l > 0 && k.r[l-1] == c {
					k.n[l-1]++
					continue
				}
				k.r, k.n, key = append(k.r, c), append(k.n, 1), utf8.AppendRune(key, c)
			}
			if len(k.r) > m.maxKey {
				break
			}
			for _, e := range idx[string(key)] {
				ent := &m.entries[e]
				ok := j == i || ent.phrase || ent.long && (!spaced || ent.foreign)
				if ok && k.covers(0, ent.key) {
					found(e)
				}
			}
		}
	}
}

// foldedWord is one folded word; spaced when white space, not only punctuation,
// separates it from the word before.
type foldedWord struct {
	s      string
	spaced bool
}

func joinWords(words []foldedWord) string {
	var b strings.Builder
	for _, w := range words {
		b.WriteString(w.s)
	}
	return b.String()
}

// fold turns s into the words that are matched: see blocklist.txt. With
// exact it keeps diacritics (composed, NFC) and đ; otherwise it drops them
// and maps đ to d.
//
// Three characters read two ways: "1" is i or l; a capital I among small
// letters may be an l ("Iồn" looks like lồn in a sans-serif font); a small
// l among capitals may be an I ("SHlT"). Without alt they are read as i, i
// and l; with alt as l, l and i. ambiguous reports that alt would differ.
func fold(s string, exact, alt bool) (words []foldedWord, ambiguous bool) {
	rs := []rune(norm.NFKD.String(s))
	out := make([]rune, 0, len(rs))
	near := func(i int, is func(rune) bool) bool {
		return i > 0 && is(rs[i-1]) || i+1 < len(rs) && is(rs[i+1])
	}
	for i, r := range rs {
		if r == '1' || r == 'I' && near(i, unicode.IsLower) || r == 'l' && near(i, unicode.IsUpper) {
			ambiguous = true
			switch {
			case alt && r == 'l':
				r = 'i'
			case alt:
				r = 'l'
			case r == '1':
				r = 'i'
			}
		}
		switch {
		case unicode.In(r, unicode.Mn, unicode.Me):
			if exact && r != 0x34F {
				out = append(out, r)
			}
			continue
		case unicode.Is(unicode.Cf, r), r == 0x115F, r == 0x1160: // zero-width, bidi, Hangul fillers: invisible
			continue
		case r == '!': // a letter inside a word ("sh!t"), punctuation at its end
			if i+1 < len(rs) && (unicode.IsLetter(rs[i+1]) || unicode.IsDigit(rs[i+1])) {
				out = append(out, 'i')
			} else {
				out = append(out, foldPunct)
			}
			continue
		case strings.ContainsRune(foldGlue, r):
			continue
		case unicode.IsSpace(r):
			out = append(out, ' ')
			continue
		}
		if t, ok := lookalike[r]; ok {
			out = append(out, []rune(t)...)
			continue
		}
		l := unicode.ToLower(r)
		switch t, ok := lookalike[l]; {
		case ok:
			out = append(out, []rune(t)...)
		case l == 'đ' || l == 'ð':
			if exact {
				out = append(out, 'đ')
			} else {
				out = append(out, 'd')
			}
		case unicode.IsLetter(l):
			out = append(out, l)
		default:
			out = append(out, foldPunct)
		}
	}
	folded := string(out)
	if exact {
		folded = norm.NFC.String(folded)
	}
	var fields []foldedWord
	spaced := true
	for _, part := range strings.SplitAfter(folded, " ") {
		for _, w := range strings.Split(strings.TrimSuffix(part, " "), string(foldPunct)) {
			if w != "" {
				fields = append(fields, foldedWord{w, spaced})
				spaced = false
			}
		}
		spaced = true
	}
	// Runs of single letters are one word spelt out: "f u c k", "đ-ị-t".
	for i := 0; i < len(fields); {
		w := fields[i]
		i++
		if utf8.RuneCountInString(w.s) == 1 {
			var b strings.Builder
			b.WriteString(w.s)
			for ; i < len(fields) && utf8.RuneCountInString(fields[i].s) == 1; i++ {
				b.WriteString(fields[i].s)
			}
			w.s = b.String()
		}
		words = append(words, w)
	}
	return words, ambiguous
}

// foldPunct stands, inside fold, for a separator that is not white space.
const foldPunct = '\x00'

// foldGlue vanishes inside a word: the stars and underscores of "f*ck", "sh_t".
const foldGlue = "*_~^`'’"

// lookalike maps characters that read as Latin letters (after NFKD, so
// full-width and maths letters are already plain) to those letters: leet
// digits and symbols, Latin letters without a decomposition, small
// capitals, and Cyrillic and Greek homoglyphs. Upper-case forms are listed
// where their lower case looks different (Greek Ν is N, ν is v).
var lookalike = map[rune]string{
	// digits and symbols ("1" and "!" are handled in fold)
	'0': "o", '3': "e", '4': "a", '5': "s", '7': "t", '8': "b", '9': "g",
	'@': "a", '$': "s", '|': "l", '€': "e", '¢': "c", '£': "l",
	// Latin letters NFKD leaves alone
	'ø': "o", 'ł': "l", 'ß': "ss", 'æ': "ae", 'œ': "oe", 'ı': "i", 'ħ': "h",
	'ŧ': "t", 'ƒ': "f", 'ɑ': "a", 'ɛ': "e", 'ɩ': "i", 'ɡ': "g", 'ʋ': "u",
	// small capitals
	'ᴀ': "a", 'ʙ': "b", 'ᴄ': "c", 'ᴅ': "d", 'ᴇ': "e", 'ꜰ': "f", 'ɢ': "g",
	'ʜ': "h", 'ɪ': "i", 'ᴊ': "j", 'ᴋ': "k", 'ʟ': "l", 'ᴍ': "m", 'ɴ': "n",
	'ᴏ': "o", 'ᴘ': "p", 'ʀ': "r", 'ꜱ': "s", 'ᴛ': "t", 'ᴜ': "u", 'ᴠ': "v",
	'ᴡ': "w", 'ʏ': "y", 'ᴢ': "z",
	// Cyrillic upper case
	'А': "a", 'В': "b", 'Е': "e", 'К': "k", 'М': "m", 'Н': "h", 'О': "o",
	'Р': "p", 'С': "c", 'Т': "t", 'У': "y", 'Х': "x", 'Ѕ': "s", 'І': "i",
	'Ј': "j", 'Ԁ': "d", 'Ү': "y", 'Ԛ': "q", 'Ԝ': "w", 'Ӏ': "l",
	// Cyrillic lower case
	'а': "a", 'в': "b", 'г': "r", 'е': "e", 'и': "u", 'к': "k", 'м': "m",
	'н': "h", 'о': "o", 'п': "n", 'р': "p", 'с': "c", 'т': "t", 'у': "y",
	'ф': "f", 'х': "x", 'ш': "w", 'щ': "w", 'ъ': "b", 'ь': "b", 'ѕ': "s",
	'і': "i", 'ј': "j", 'ԁ': "d", 'һ': "h", 'ӏ': "l", 'ԛ': "q", 'ԝ': "w",
	'ү': "y", 'ѵ': "v",
	// Greek upper case
	'Α': "a", 'Β': "b", 'Ε': "e", 'Ζ': "z", 'Η': "h", 'Ι': "i", 'Κ': "k",
	'Μ': "m", 'Ν': "n", 'Ο': "o", 'Ρ': "p", 'Τ': "t", 'Υ': "y", 'Χ': "x",
	// Greek lower case
	'α': "a", 'β': "b", 'γ': "y", 'ε': "e", 'η': "n", 'ι': "i", 'κ': "k",
	'μ': "u", 'ν': "v", 'ο': "o", 'π': "n", 'ρ': "p", 'σ': "o", 'ς': "c",
	'τ': "t", 'υ': "u", 'χ': "x", 'ω': "w",
}
