package pledge

import (
	"errors"
	"os"
	"strings"
	"testing"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/notalone/notalone/internal/errs"
	"golang.org/x/text/unicode/norm"
)

// ordinaryNames reads testdata/names.txt: ordinary names that must never be flagged.
func ordinaryNames(t testing.TB) []string {
	t.Helper()
	b, err := os.ReadFile("testdata/names.txt")
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, line := range strings.Split(string(b), "\n") {
		if line = strings.TrimSpace(line); line != "" && line[0] != '#' {
			out = append(out, line)
		}
	}
	return out
}

// unaccented is how a name is typed on a keyboard without Vietnamese input:
// Phúc → Phuc, Đức → Duc. Written independently of fold on purpose.
func unaccented(s string) string {
	var b strings.Builder
	for _, r := range norm.NFD.String(s) {
		switch {
		case unicode.Is(unicode.Mn, r):
		case r == 'đ':
			b.WriteRune('d')
		case r == 'Đ':
			b.WriteRune('D')
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

func TestNamesFile(t *testing.T) {
	ns := ordinaryNames(t)
	if len(ns) < 80+12 {
		t.Fatalf("names.txt has %d names, want at least 92", len(ns))
	}
	seen := map[string]bool{}
	for _, n := range ns {
		if seen[n] {
			t.Errorf("names.txt: %q twice", n)
		}
		seen[n] = true
		// Every ordinary name passes CleanName unchanged.
		if got, err := CleanName(n); err != nil || got != n {
			t.Errorf("CleanName(%q) = %q, %v; want it unchanged", n, got, err)
		}
	}
}

func TestOrdinaryNamesNotFlagged(t *testing.T) {
	for _, n := range ordinaryNames(t) {
		for _, v := range []string{n, unaccented(n), strings.ToUpper(n), strings.ToLower(unaccented(n))} {
			if flagged, entry := FlagName(v); flagged {
				t.Errorf("FlagName(%q) flagged by %q", v, entry)
			}
		}
	}
}

// Words and names next to an entry that must not match it.
func TestNearMissesNotFlagged(t *testing.T) {
	for _, s := range []string{
		"lon", "Lơn", "các", "Cắc", "buổi", "buoi", "Bùi", "dụ dỗ", "Du", "Dư", "Đam", "Đàm Đức", "dam duc",
		"Hiệp", "Diễm", "Dần", "nùng", "Nung", "chích", "cứu", "Đèo", "đeo", "Phó", "Đài", "Ngữ", "Ngự",
		"Phuc", "Phúc Khang", "phuckhang", "Bich", "bích", "Duc", "Dung", "Dong",
		"lol", "Cu Tí", "Chim", "Niger", "as", "kil", "classic", "Scunthorpe", "Hitchcock",
		"assassin", "Dick", "Dickens", "Sussex", "Nguyen Van Anh", "vc", "cm", "d", "v l o", "ốc bơ",
		"Minh 10", "Lan!", "Hà 2010", "Tú Tú", "tư vấn", "Bill",
		// a one-word entry spelt by two syllables: only foreign ones join across spaces
		"Pé Đô", "An Al", "Ra Pê", "Ki Ll", "Pho Rn",
		// I and l read both ways only in mixed case: all capitals are plain
		"VI", "NGUYỄN VI", "Ian", "Isaac", "Phil", "LILY", "Vi",
	} {
		if flagged, entry := FlagName(s); flagged {
			t.Errorf("FlagName(%q) flagged by %q", s, entry)
		}
	}
}

func TestEvasionsFlagged(t *testing.T) {
	for _, s := range []string{
		// English: case, separators, repeats
		"fuck", "FUCK", "Fuck", "f u c k", "f.u.c.k", "f-u-c-k", "f_u_c_k", "fu ck", "fu.ck", "fu-ck",
		"po.rn", "pe-do", "ji zz", "f*ck", "fuuuuuck", "ffuucckk",
		"phuck", "fuk", "motherfucker", "MoThErFuCkEr", "what the fuck", "fuckyou", "fuck you",
		// English: leet and symbols
		"m0therfuck3r", "sh1t", "$hit", "5h1t", "bullsh!t", "b1tch", "b!tch", "sonofabitch", "@ss", "a$$hole",
		"a s s h o l e", "pu$$y", "d1ckhead", "c0ck", "n1gger", "n!gga", "f@ggot", "h1tl3r", "p0rn", "s3x",
		// English: compatibility forms, homoglyphs, invisible characters
		"ｆｕｃｋ", "𝐟𝐮𝐜𝐤", "ⓕⓤⓒⓚ", "fυck", "fuсk", "nаzі", "ѕех", "ᴘᴏʀɴ", "ＳＥＸ", "f\u200buck", "fu\u00adck",
		"sh\u202eit", "ΝΑΖΙ",
		// English: hate and self-harm
		"Heil Hitler", "adolfhitler", "KYS", "k y s", "kill yourself", "kill your self", "killyourself", "1488",
		"ku klux klan", "suicide",
		// Vietnamese: accents, case, repeats
		"lồn", "LỒN", "Lồn", "lồnnnn", "llồn", "cặc", "CẶC", "buồi", "đụ", "ĐỤ", "đụụụ", "Ðụ", "đĩ", "con đĩ",
		"đéo", "dâm", "hiếp dâm", "ngu", "NGUUU", "đồ ngu",
		// Vietnamese: decomposed input and look-alikes inside accented words
		"lo\u0302\u0300n", "lо\u0302\u0300n", "1ồn", "ca\u0306\u0323c", "Iồn", "SHlT", "NlGGA",
		// Vietnamese: separators
		"l ồ n", "l-ồ-n", "đ-ị-t", "đ.ị.t m.ẹ", "d i t", "c.ặ.c",
		// Vietnamese without diacritics, where unambiguous
		"địt", "dit", "djt", "đ1t", "ditme", "địt mẹ", "ditconme", "du ma", "đụ má", "dume", "vai lon", "vãi lồn",
		"oc cho", "óc chó", "occho", "me may", "mẹ mày", "thang cho", "thằng chó", "loz", "vloz", "lozzz",
		// Vietnamese teen abbreviations as whole words
		"vl", "VL", "V.L", "v l", "vcl", "vkl", "dm", "đm", "Đ.M", "dmmm", "dcm", "đkm", "clm", "cmm", "cc", "cl",
		// inside a longer name
		"Lan vl", "Phúc đụ má", "Nguyễn Văn Lồn", "Minh óc chó", "Tuấn dcm", "Anh fuck",
		// violence and self-harm
		"tự tử", "chết đi", "giết", "giet",
	} {
		if flagged, _ := FlagName(s); !flagged {
			t.Errorf("FlagName(%q) not flagged", s)
		}
	}
}

func TestFlagNameEntry(t *testing.T) {
	for s, want := range map[string]string{
		"f u c k":   "fuck",
		"lồnnnn":    "lồn",
		"Anh dcm":   "đcm",
		"ditconme":  "địtconmẹ",
		"1ồn":       "lồn",
		"kill urs3": "kill",
	} {
		if flagged, entry := FlagName(s); !flagged || entry != want {
			t.Errorf("FlagName(%q) = %v, %q; want true, %q", s, flagged, entry, want)
		}
	}
}

func TestBlocklist(t *testing.T) {
	m, err := parseBlocklist(blocklistText)
	if err != nil {
		t.Fatal(err)
	}
	if n := len(m.entries); n < 150 {
		t.Errorf("block list has %d entries, want at least 150", n)
	}
	// No two entries fold alike (parseBlocklist refuses that too), and no
	// exact: entry is made useless by a word: or squash: entry with the
	// same unaccented form.
	loose := map[string]string{}
	for _, e := range m.entries {
		if e.mode == modeExact {
			continue
		}
		w, _ := fold(e.text, false, false)
		k := joinWords(w)
		if prev, ok := loose[k]; ok {
			t.Errorf("%q and %q fold to the same %q", prev, e.text, k)
		}
		loose[k] = e.text
	}
	exact := map[string]string{}
	for _, e := range m.entries {
		if e.mode != modeExact {
			continue
		}
		w, _ := fold(e.text, true, false)
		k := joinWords(w)
		if prev, ok := exact[k]; ok {
			t.Errorf("%q and %q fold to the same %q", prev, e.text, k)
		}
		exact[k] = e.text
		lw, _ := fold(e.text, false, false)
		if prev, ok := loose[joinWords(lw)]; ok {
			t.Errorf("exact:%s is redundant with %q", e.text, prev)
		}
	}
	for _, bad := range []string{"fuck", "word:", "squash:fuck", "regex:x", "word:!!"} {
		if _, err := parseBlocklist(bad); err == nil {
			t.Errorf("parseBlocklist(%q) accepted", bad)
		}
	}
	if _, err := parseBlocklist("word:x\nword:X"); err == nil {
		t.Error("duplicate entries accepted")
	}
}

// Substring matching is for long entries that no ordinary name contains,
// even across its words ("Phúc Khang" → "phuckhang" holds "phuck").
func TestSquashEntriesAvoidNames(t *testing.T) {
	m := blocklist()
	ns := ordinaryNames(t)
	for _, i := range m.squash {
		e := m.entries[i]
		w, _ := fold(e.text, false, false)
		k := joinWords(w)
		if utf8.RuneCountInString(k) < minSquash {
			t.Errorf("squash:%s has fewer than %d letters", e.text, minSquash)
		}
		for _, n := range ns {
			nw, _ := fold(n, false, false)
			if strings.Contains(joinWords(nw), k) {
				t.Errorf("squash:%s is inside the name %q", e.text, n)
			}
		}
	}
}

func TestCleanName(t *testing.T) {
	const vn40 = "Nguyễn Thịnh Ánh Dương Phượng Quỳnh Hằng" // 40 runes in NFC
	for _, c := range []struct {
		name, in, want, key string
	}{
		{"empty", "", "", ""},
		{"only white space", " \t ", "", ""},
		{"typical", "Nguyễn Văn Phúc", "Nguyễn Văn Phúc", ""},
		{"English", "Mary-Jane O'Neil Jr.", "Mary-Jane O'Neil Jr.", ""},
		{"digits", "Lan 2", "Lan 2", ""},
		{"trimmed and collapsed", "  Trần   Thị \u00a0 Bích \n", "Trần Thị Bích", ""},
		{"typographic apostrophe", "O’Neil", "O'Neil", ""},
		{"NFD composed to NFC", "Nguye\u0302\u0303n Thi\u0323 Thu\u0309y", "Nguyễn Thị Thủy", ""},
		{"đ in NFD stays", "\u0110u\u031b\u0301c", "Đức", ""},
		{"40 Vietnamese runes", vn40, vn40, ""},
		{"40 runes typed in NFD", norm.NFD.String(vn40), vn40, ""},
		{"41 Vietnamese runes", vn40 + "ệ", "", keyTooLong},
		{"10,000 characters", strings.Repeat("a", 10000), "", keyTooLong},
		{"just over 400 bytes", strings.Repeat(" ", 390) + "Lan" + strings.Repeat(" ", 8), "", keyTooLong},
		{"invalid UTF-8", "Lan\xff", "", keyInvalidUTF8},
		{"truncated UTF-8", "Ph\xc3", "", keyInvalidUTF8},
		{"HTML", "<b>Lan</b>", "", keyCharacters},
		{"script", "<script>alert(1)</script>", "", keyCharacters},
		{"ampersand", "Lan & Minh", "", keyCharacters},
		{"quote", `Lan "Bé"`, "", keyCharacters},
		{"emoji", "Lan 🌸", "", keyCharacters},
		{"emoji with joiner", "👩‍👧", "", keyCharacters},
		{"zero-width space", "Lan\u200bAnh", "", keyCharacters},
		{"zero-width joiner", "Lan\u200dAnh", "", keyCharacters},
		{"word joiner", "Lan\u2060", "", keyCharacters},
		{"BOM", "\ufeffLan", "", keyCharacters},
		{"RTL override", "Lan\u202eanh", "", keyCharacters},
		{"RTL isolate", "\u2067Lan\u2069", "", keyCharacters},
		{"LRM", "Lan\u200e", "", keyCharacters},
		{"NUL", "Lan\x00", "", keyCharacters},
		{"tab inside", "Lan\tAnh", "", keyCharacters},
		{"newline inside", "Lan\nAnh", "", keyCharacters},
		{"Cyrillic", "Пётр", "", keyCharacters},
		{"Cyrillic look-alike", "Lаn", "", keyCharacters},
		{"Greek", "Αλέξης", "", keyCharacters},
		{"Han", "阮文", "", keyCharacters},
		{"full-width", "Ｌａｎ", "", keyCharacters},
		{"small capitals", "ʟᴀɴ", "", keyCharacters},
		{"maths bold", "𝐋𝐚𝐧", "", keyCharacters},
		{"ligature", "ﬁona", "", keyCharacters},
		{"click letter like !", "Lanǃ", "", keyCharacters},
		{"at sign", "lan@example.com", "", keyCharacters},
		{"dollar", "Lan$", "", keyCharacters},
		{"leading combining mark", "\u0301Lan", "", keyCharacters},
		{"mark after space", "Lan \u0301", "", keyCharacters},
		{"zalgo", "La\u0300\u0301\u0302\u0303n", "", keyCharacters},
		{"combining grapheme joiner", "La\u034fn", "", keyCharacters},
		{"punctuation only", "- . '", "", keyCharacters},
		{"hyphens only", "---", "", keyCharacters},
	} {
		t.Run(c.name, func(t *testing.T) {
			got, err := CleanName(c.in)
			if c.key == "" {
				if err != nil || got != c.want {
					t.Fatalf("CleanName(%q) = %q, %v; want %q", c.in, got, err, c.want)
				}
				return
			}
			var e *errs.Error
			if !errors.As(err, &e) || e.Field != "name" || e.Key != c.key || e.Code != errs.Invalid || got != "" {
				t.Fatalf("CleanName(%q) = %q, %v; want refusal %s", c.in, got, err, c.key)
			}
		})
	}
	if n := utf8.RuneCountInString(vn40); n != 40 || len(norm.NFD.String(vn40)) <= len(vn40) {
		t.Fatalf("test setup: vn40 has %d runes", n)
	}
}

// validName checks the promises CleanName makes about what it returns.
func validName(t *testing.T, in, out string) {
	t.Helper()
	if !norm.NFC.IsNormalString(out) {
		t.Fatalf("CleanName(%q) = %q, not NFC", in, out)
	}
	if n := utf8.RuneCountInString(out); n > MaxNameRunes {
		t.Fatalf("CleanName(%q) = %q, %d runes", in, out, n)
	}
	if out == "" {
		return
	}
	if out != strings.TrimSpace(out) || strings.Contains(out, "  ") {
		t.Fatalf("CleanName(%q) = %q, untrimmed or double space", in, out)
	}
	for _, r := range out {
		if !(isNameLetter(r) || isNameMark(r) || '0' <= r && r <= '9' || strings.ContainsRune(" -'.", r)) {
			t.Fatalf("CleanName(%q) = %q, holds %U", in, out, r)
		}
	}
	if again, err := CleanName(out); err != nil || again != out {
		t.Fatalf("CleanName(%q) = %q, but CleanName(%q) = %q, %v", in, out, out, again, err)
	}
}

func FuzzCleanName(f *testing.F) {
	for _, s := range []string{"", "Nguyễn Văn Phúc", "Nguye\u0302\u0303n", "  Lan  Anh ", "<b>x</b>", "Lan\u200b",
		"Lan 🌸", "\xff", "O’Neil", "La\u0300\u0301", strings.Repeat("ệ", 41), "a\u0301\u0323"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		out, err := CleanName(s)
		if err != nil {
			var e *errs.Error
			if out != "" || !errors.As(err, &e) || e.Field != "name" ||
				(e.Key != keyTooLong && e.Key != keyInvalidUTF8 && e.Key != keyCharacters) {
				t.Fatalf("CleanName(%q) = %q, %v", s, out, err)
			}
			if len(s) > maxNameBytes && e.Key != keyTooLong {
				t.Fatalf("CleanName(%d bytes) = %v, want %s", len(s), err, keyTooLong)
			}
			return
		}
		validName(t, s, out)
	})
}

func FuzzFlagName(f *testing.F) {
	for _, s := range []string{"", "Phúc", "f u c k", "lồnnnn", "1ồn", "ｆｕｃｋ", "sh!t!", "đ-ị-t m-ẹ", "\u0301", "1 1 1"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		flagged, entry := FlagName(s)
		again, entry2 := FlagName(s)
		if flagged != again || entry != entry2 {
			t.Fatalf("FlagName(%q) = %v %q, then %v %q", s, flagged, entry, again, entry2)
		}
		if flagged != (entry != "") {
			t.Fatalf("FlagName(%q) = %v, %q", s, flagged, entry)
		}
	})
}

// FlagName may see raw text: its cost must grow linearly with the length
// (a quadratic join once made 200 KB of "1 1 1" take ten seconds).
func TestFlagNameLongInput(t *testing.T) {
	start := time.Now()
	for _, s := range []string{
		strings.Repeat("1 ", 100000), strings.Repeat("aa ", 70000), strings.Repeat("a", 200000),
		strings.Repeat("fu.ck ", 40000), strings.Repeat("lo\u0302\u0300n", 40000),
	} {
		if flagged, _ := FlagName(s); !flagged && strings.HasPrefix(s, "f") {
			t.Errorf("FlagName(%.20q...) not flagged", s)
		}
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("FlagName on 1 MB took %v", d)
	}
}

func BenchmarkFlagName(b *testing.B) {
	in := []string{"Nguyễn Thị Mỹ Dung", "Phúc Khang", "f.u.c.k", "Lê Đức Anh vl"}
	FlagName("")
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		FlagName(in[i%len(in)])
	}
}
