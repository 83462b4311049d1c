// Package fold makes text comparable the way Vietnamese readers search:
// lower case, diacritics removed, đ→d.
//
// People type Vietnamese with full diacritics, with none ("lua dao" for
// "lừa đảo"), in capitals, or with emoji between the words; a search box
// and the help-request triage must find the same thing in all of them.
// String is that one comparison key. It is computed in Go and stored next
// to the original text (an indexed column on SQLite and PostgreSQL alike),
// so both databases compare exactly the same bytes and neither needs an
// accent-insensitive collation or extension.
//
// The output depends on the Unicode tables of the Go release and of
// golang.org/x/text; a stored column should be recomputed when either is
// upgraded across a Unicode version.
package fold

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// String returns the search key of s: every character decomposed (Unicode
// compatibility decomposition, NFKD, so that full-width and "fancy font"
// letters such as "ＯＴＰ" or "𝐎𝐓𝐏" fold like plain ones), combining marks
// dropped, đ and Đ mapped to d, lower-cased, and every run of characters
// that are neither letters nor digits (spaces, punctuation, symbols,
// emoji, zero-width and bidirectional controls, invalid UTF-8) replaced by
// one space, with no space at either end.
//
// So String("Lừa Đảo!!") == "lua dao". It is deterministic, idempotent
// (String(String(s)) == String(s)), never panics, and does not allocate
// when s is already folded.
//
// Spacing combining marks (Unicode category Mc, found in Indic scripts)
// are kept inside words rather than splitting them, and Hangul syllables
// stay composed; neither affects Vietnamese or English.
func String(s string) string {
	if isFolded(s) {
		return s
	}
	var w writer
	w.b.Grow(len(s))
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			w.ascii(asciiFold[c])
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if f := latinFold(r); f != 0 {
			w.ascii(f)
		} else if r == utf8.RuneError && size == 1 {
			w.space = true // invalid UTF-8 separates, like any symbol
		} else {
			w.char(s[i:i+size], r)
		}
		i += size
	}
	return w.b.String()
}

// Words returns the words of s after folding: String(s) split at its
// spaces. It returns nil when s has no letter or digit.
func Words(s string) []string {
	return strings.Fields(String(s))
}

// writer accumulates one folded string.
type writer struct {
	b     strings.Builder
	space bool // a separator is pending: written before the next word character, if any came before
}

// ascii writes an already folded byte, where ' ' means a separator.
func (w *writer) ascii(c byte) {
	if c == ' ' {
		w.space = true
		return
	}
	if w.space && w.b.Len() > 0 {
		w.b.WriteByte(' ')
	}
	w.space = false
	w.b.WriteByte(c)
}

// char folds one character (the UTF-8 encoding enc of r) that is outside
// the fast tables: decomposes it and folds each part.
func (w *writer) char(enc string, r rune) {
	d := norm.NFKD.PropertiesString(enc).Decomposition()
	if d == nil {
		w.part(r)
		return
	}
	for len(d) > 0 {
		if d[0] < utf8.RuneSelf {
			w.ascii(asciiFold[d[0]])
			d = d[1:]
			continue
		}
		p, size := utf8.DecodeRune(d)
		d = d[size:]
		if f := latinFold(p); f != 0 {
			w.ascii(f)
		} else {
			w.part(p)
		}
	}
}

// part folds one fully decomposed rune: drops it if it is a combining
// mark, lower-cases it, and writes it or a separator.
func (w *writer) part(r rune) {
	if 0x300 <= r && r <= 0x36f || unicode.In(r, unicode.Mn, unicode.Me) {
		return
	}
	if l := unicode.ToLower(r); l != r {
		if f := latinFold(l); f != 0 {
			w.ascii(f)
			return
		}
		r = l
	}
	if r == 'đ' {
		w.ascii('d')
		return
	}
	if !unicode.IsLetter(r) && !unicode.IsDigit(r) && !unicode.Is(unicode.Mc, r) {
		w.space = true
		return
	}
	if w.space && w.b.Len() > 0 {
		w.b.WriteByte(' ')
	}
	w.space = false
	w.b.WriteRune(r)
}

// latinFold returns the folded ASCII byte of a Latin letter with
// diacritics (' ' for a separator), or 0 when r is outside the fast
// tables or does not fold to one ASCII byte. The tables are checked
// against the general path by TestTables.
func latinFold(r rune) byte {
	switch {
	case 0xc0 <= r && r < 0xc0+rune(len(latin1Fold)):
		return latin1Fold[r-0xc0]
	case 0x1e00 <= r && r < 0x1e00+rune(len(latinExtFold)):
		return latinExtFold[r-0x1e00]
	}
	return 0
}

// asciiFold maps every ASCII byte to its folded form: a lower-case
// letter, a digit, or ' ' for a separator.
const asciiFold = "" +
	"                                " + // controls
	"                0123456789      " + // space, punctuation, digits
	" abcdefghijklmnopqrstuvwxyz     " + // @, capitals
	" abcdefghijklmnopqrstuvwxyz     " // `, small letters, DEL

// latin1Fold covers U+00C0–U+024F (Latin-1 Supplement letters, Latin
// Extended-A and -B), latinExtFold U+1E00–U+1EFF (Latin Extended
// Additional, where most precomposed Vietnamese letters live); "\x00"
// sends a character to the general path.
const (
	latin1Fold = "" +
		"aaaaaa\x00ceeeeiiii\x00nooooo \x00uuuuy\x00\x00" + // U+00C0–U+00DF
		"aaaaaa\x00ceeeeiiii\x00nooooo \x00uuuuy\x00y" + // U+00E0–U+00FF
		"aaaaaaccccccccddddeeeeeeeeeegggg" + // U+0100–U+011F
		"gggghh\x00\x00iiiiiiiii\x00\x00\x00jjkk\x00llllll\x00" + // U+0120–U+013F
		"\x00\x00\x00nnnnnn\x00\x00\x00oooooo\x00\x00rrrrrrssssss" + // U+0140–U+015F
		"sstttt\x00\x00uuuuuuuuuuuuwwyyyzzzzzzs" + // U+0160–U+017F
		"\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00" + // U+0180–U+019F
		"oo\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00uu\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00" + // U+01A0–U+01BF
		"\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00aaiioouuuuuuuuuu\x00aa" + // U+01C0–U+01DF
		"aa\x00\x00\x00\x00ggkkoooo\x00\x00j\x00\x00\x00gg\x00\x00nnaa\x00\x00\x00\x00" + // U+01E0–U+01FF
		"aaaaeeeeiiiioooorrrruuuusstt\x00\x00hh" + // U+0200–U+021F
		"\x00\x00\x00\x00\x00\x00aaeeooooooooyy\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00" + // U+0220–U+023F
		"\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00" // U+0240–U+024F
	latinExtFold = "" +
		"aabbbbbbccddddddddddeeeeeeeeeeff" + // U+1E00–U+1E1F
		"gghhhhhhhhhhiiiikkkkkkllllllllmm" + // U+1E20–U+1E3F
		"mmmmnnnnnnnnoooooooopppprrrrrrrr" + // U+1E40–U+1E5F
		"ssssssssssttttttttuuuuuuuuuuvvvv" + // U+1E60–U+1E7F
		"wwwwwwwwwwxxxxyyzzzzzzhtwy\x00s\x00\x00\x00\x00" + // U+1E80–U+1E9F
		"aaaaaaaaaaaaaaaaaaaaaaaaeeeeeeee" + // U+1EA0–U+1EBF
		"eeeeeeeeiiiioooooooooooooooooooo" + // U+1EC0–U+1EDF
		"oooouuuuuuuuuuuuuuyyyyyyyy\x00\x00\x00\x00\x00\x00" // U+1EE0–U+1EFF
)

// isFolded reports whether s is plain ASCII that String would return
// unchanged: lower-case letters and digits in words separated by single
// spaces. It lets already-folded text (stored keys, typed searches) pass
// without an allocation.
func isFolded(s string) bool {
	if s == "" {
		return true
	}
	if s[0] == ' ' || s[len(s)-1] == ' ' {
		return false
	}
	prevSpace := false
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case 'a' <= c && c <= 'z' || '0' <= c && c <= '9':
			prevSpace = false
		case c == ' ':
			if prevSpace {
				return false
			}
			prevSpace = true
		default:
			return false
		}
	}
	return true
}
