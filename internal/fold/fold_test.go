package fold

import (
	"slices"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"
)

func TestString(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"empty", "", ""},
		{"vietnamese", "Lừa Đảo", "lua dao"},
		{"capitals", "ĐỨC", "duc"},
		{"already folded", "lua dao", "lua dao"},
		{"lower d stroke", "đừng nói với ai", "dung noi voi ai"},
		{"every tone", "a à á ả ã ạ ă ằ ắ ẳ ẵ ặ â ầ ấ ẩ ẫ ậ", "a a a a a a a a a a a a a a a a a a"},
		{"vowels", "Ê Ô Ơ Ư ê ô ơ ư Ý ỳ ỷ ỹ ỵ", "e o o u e o o u y y y y y"},
		{"decomposed input", "L\u01b0\u0300a \u0110a\u0309o", "lua dao"},
		{"nfc and nfd agree", "Tr\u1ea7n", "tran"},
		{"punctuation", "Đừng nói với ai!!! (bí mật)...", "dung noi voi ai bi mat"},
		{"emoji", "giúp😢em🙏🏻với", "giup em voi"},
		{"keycap emoji", "gọi 1\ufe0f\u20e31\ufe0f\u20e31\ufe0f\u20e3", "goi 111"},
		{"zero width", "mật\u200bkhẩu\u200cOTP\u200d\ufeff", "mat khau otp"},
		{"bidi overrides", "\u202eabc\u202c \u2066xyz\u2069 \u200fq", "abc xyz q"},
		{"whitespace runs", " \t\n lừa \u00a0\u3000 đảo \r\n", "lua dao"},
		{"digits", "Gọi 111 hoặc 113", "goi 111 hoac 113"},
		{"full width", "ＯＴＰ １２３", "otp 123"},
		{"math bold", "𝐎𝐓𝐏 𝐦𝐚̃", "otp ma"},
		{"ligature", "ﬁle", "file"},
		{"german and greek", "STRAẞE ΣΟΦΙΑ", "straße σοφια"},
		{"turkish dotted I", "İstanbul", "istanbul"},
		{"apostrophe", "don't", "don t"},
		{"url", "https://vietcombank-xacminh.example/otp?x=1", "https vietcombank xacminh example otp x 1"},
		{"only symbols", "!!! 😢 ...", ""},
		{"invalid utf8", "l\xffừa\xc3 đ\xe1\xbao", "l ua d o"},
		{"nul and controls", "a\x00b\x1bc", "a b c"},
		{"lone combining mark", "\u0301a\u0301", "a"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := String(tt.in); got != tt.want {
				t.Errorf("String(%q) = %q, want %q", tt.in, got, tt.want)
			}
			if got := String(tt.want); got != tt.want {
				t.Errorf("String(%q) = %q, want it unchanged", tt.want, got)
			}
		})
	}
}

func TestWords(t *testing.T) {
	tests := []struct {
		in   string
		want []string
	}{
		{"", nil},
		{"!!!", nil},
		{"Đừng nói với AI!", []string{"dung", "noi", "voi", "ai"}},
		{"  một  ", []string{"mot"}},
	}
	for _, tt := range tests {
		if got := Words(tt.in); !slices.Equal(got, tt.want) {
			t.Errorf("Words(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// TestEveryRune checks the invariants on each code point alone and
// between two letters, so no table corner escapes the fuzzer.
func TestEveryRune(t *testing.T) {
	for r := rune(0); r <= unicode.MaxRune; r++ {
		if 0xd800 <= r && r <= 0xdfff {
			continue
		}
		in := "a" + string(r) + "b"
		checkInvariants(t, in)
	}
}

func TestNoAllocWhenFolded(t *testing.T) {
	s := "dung noi voi ai"
	if n := testing.AllocsPerRun(100, func() { _ = String(s) }); n != 0 {
		t.Errorf("String(%q) allocates %v times, want 0", s, n)
	}
}

func FuzzString(f *testing.F) {
	for _, s := range []string{
		"", "Lừa Đảo", "ĐỨC", "lua dao", "giúp😢em", "mật\u200bkhẩu", "\u202eabc",
		"l\xffừa", "L\u01b0\u0300a", "ＯＴＰ", "𝐎𝐓𝐏", "ǅ", "İ", "ﷺ", "\u0301", "  a  b  ",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		checkInvariants(t, s)
	})
}

// checkInvariants verifies what callers rely on: idempotence, valid UTF-8,
// no upper case, no combining marks, single inner spaces, none at the ends.
func checkInvariants(t *testing.T, s string) {
	t.Helper()
	got := String(s)
	if again := String(got); again != got {
		t.Fatalf("String(%q) = %q, but String(%q) = %q: not idempotent", s, got, got, again)
	}
	if !utf8.ValidString(got) {
		t.Fatalf("String(%q) = %q: not valid UTF-8", s, got)
	}
	if strings.Contains(got, "  ") || strings.HasPrefix(got, " ") || strings.HasSuffix(got, " ") {
		t.Fatalf("String(%q) = %q: stray spaces", s, got)
	}
	for _, r := range got {
		switch {
		case unicode.ToLower(r) != r:
			t.Fatalf("String(%q) = %q: contains upper-case %U", s, got, r)
		case unicode.In(r, unicode.Mn, unicode.Me):
			t.Fatalf("String(%q) = %q: contains combining mark %U", s, got, r)
		case r == 'đ' || r == 'Đ':
			t.Fatalf("String(%q) = %q: contains %q", s, got, r)
		case r != ' ' && !unicode.IsLetter(r) && !unicode.IsDigit(r) && !unicode.Is(unicode.Mc, r):
			t.Fatalf("String(%q) = %q: contains separator %U", s, got, r)
		}
	}
}

// description is a realistic 2,000-character help request.
func description() string {
	const para = "Em có một người bạn quen trên Facebook, anh ấy nói là công an và bảo em đừng nói với ai. " +
		"Anh ấy bắt em cài ứng dụng gọi video và thuê phòng khách sạn một mình, nếu không sẽ bị bắt! 😢 "
	r := []rune(strings.Repeat(para, 2000/utf8.RuneCountInString(para)+1))
	return string(r[:2000])
}

func BenchmarkString(b *testing.B) {
	for _, bc := range []struct{ name, in string }{
		{"vietnamese-2000", description()},
		{"ascii-2000", strings.Repeat("Dont tell anyone, OK? ", 100)[:2000]},
		{"folded", "dung noi voi ai"},
		{"short", "Lừa Đảo"},
	} {
		b.Run(bc.name, func(b *testing.B) {
			b.SetBytes(int64(len(bc.in)))
			b.ReportAllocs()
			for b.Loop() {
				_ = String(bc.in)
			}
		})
	}
}

// TestTables checks the fast tables against the general path, which
// decomposes each character with x/text's NFKD tables; on a mismatch it
// prints the right constants.
func TestTables(t *testing.T) {
	for c := 0; c < utf8.RuneSelf; c++ {
		var w writer
		w.part(rune(c))
		want := byte(' ')
		if w.b.Len() == 1 {
			want = w.b.String()[0]
		}
		if asciiFold[c] != want {
			t.Errorf("asciiFold[%#x] = %q, want %q", c, asciiFold[c], want)
		}
	}
	for _, tb := range []struct {
		name      string
		table     string
		from, end rune
	}{
		{"latin1Fold", latin1Fold, 0xc0, 0x250},
		{"latinExtFold", latinExtFold, 0x1e00, 0x1f00},
	} {
		var want strings.Builder
		for r := tb.from; r < tb.end; r++ {
			var w writer
			w.b.WriteByte('x')
			w.char(string(r), r)
			got := w.b.String()
			switch {
			case got == "x" && w.space:
				want.WriteByte(' ')
			case len(got) == 2 && !w.space && got[1] < utf8.RuneSelf:
				want.WriteByte(got[1])
			default:
				want.WriteByte(0)
			}
		}
		if tb.table != want.String() {
			t.Errorf("%s = %q, want %q", tb.name, tb.table, want.String())
		}
	}
}
