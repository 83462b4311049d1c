package help

import (
	"slices"
	"strings"
	"testing"
	"testing/fstest"
	"unicode/utf8"

	shipped "github.com/notalone/notalone/content"
)

// testPhrases is a phrase table in the shape content/help/phrases.yaml
// takes: Vietnamese with diacritics, English, several flags, urgent and
// not, one flag in two entries.
const testPhrases = `# Triage phrases for tests.
phrases:
  - flag: secrecy
    urgent: true
    vi: ["đừng nói với ai", "bí mật của hai đứa mình"]
    en: ["don't tell anyone", "our little secret"]
  - flag: isolation
    urgent: true
    vi: ["thuê phòng khách sạn một mình", "tắt điện thoại"]
    en: ["switch off your phone"]
  - flag: impersonation
    vi: ["công an", "cán bộ công an", "nhân viên ngân hàng"]
    en: ["police officer"]
  - flag: asks-credentials
    vi: ["mã OTP", "mật khẩu"]
    en: [password, OTP code]
  - flag: asks-images
    vi: ["gửi ảnh"]
    en: [send a photo]
  - flag: asks-images
    urgent: true
    vi: ["ảnh nóng"]
    en: [nudes]
  - flag: personal-info
    vi: ["nhà ở đâu"]
  - flag: app-install
    vi: ["cài ứng dụng"]
    en: [APK, install the app]
`

func mustPhrases(tb testing.TB, yaml string) *Phrases {
	tb.Helper()
	p, err := LoadPhrases(fstest.MapFS{"help/phrases.yaml": {Data: []byte(yaml)}}, "help/phrases.yaml")
	if err != nil {
		tb.Fatalf("LoadPhrases() error: %v", err)
	}
	return p
}

func TestLoadPhrases(t *testing.T) {
	p := mustPhrases(t, testPhrases)
	all := p.All()
	if len(all) != 23 {
		t.Errorf("LoadPhrases() loaded %d phrases, want 23", len(all))
	}
	want := []Phrase{
		{Flag: "secrecy", Urgent: true, Text: "dung noi voi ai", Lang: "vi"},
		{Flag: "secrecy", Urgent: true, Text: "don t tell anyone", Lang: "en"},
		{Flag: "asks-credentials", Text: "ma otp", Lang: "vi"},
		{Flag: "asks-credentials", Text: "otp code", Lang: "en"},
		{Flag: "asks-images", Urgent: true, Text: "anh nong", Lang: "vi"},
	}
	for _, w := range want {
		if !slices.Contains(all, w) {
			t.Errorf("LoadPhrases() has no %+v", w)
		}
	}
	all[0].Text = "changed"
	if p.All()[0].Text == "changed" {
		t.Errorf("All() returned the table itself, want a copy")
	}
}

func TestLoadPhrasesRefuses(t *testing.T) {
	tests := []struct {
		name, yaml string
		want       []string // substrings of the error
	}{
		{"unknown flag", "phrases:\n  - flag: scary\n    vi: [sợ]\n", []string{"phrases.yaml: phrases[0].flag (line 2)", `"scary" is not a red-flag code`}},
		{"missing flag", "phrases:\n  - vi: [sợ]\n", []string{"phrases[0].flag", `"" is not a red-flag code`}},
		{"unknown field", "phrases:\n  - flag: secrecy\n    vn: [bí mật]\n", []string{"phrases.yaml", "vn"}},
		{"misspelt top level", "phrase:\n  - flag: secrecy\n", []string{"phrase"}},
		{"no phrases", "phrases: []\n", []string{"no phrases"}},
		{"empty entry", "phrases:\n  - flag: secrecy\n", []string{"phrases[0] (line 2)", "secrecy has no phrases"}},
		{"empty after folding", "phrases:\n  - flag: secrecy\n    vi: [bí mật, \"!!! 🤫\"]\n", []string{"phrases[0].vi[1] (line 3)", `"!!! 🤫" has no letter or digit`}},
		{"empty string", "phrases:\n  - flag: secrecy\n    en: [\"\"]\n", []string{"phrases[0].en[0]", "no letter or digit"}},
		{"duplicate after folding", "phrases:\n  - flag: asks-credentials\n    vi: [Mật khẩu, mat khau]\n", []string{"phrases[0].vi[1]", `"mat khau" is the same as phrases[0].vi[0] (asks-credentials "Mật khẩu")`}},
		{"same phrase two flags", "phrases:\n  - flag: secrecy\n    vi: [bí mật]\n  - flag: isolation\n    en: [\"Bí-mật!\"]\n", []string{"phrases[1].en[0] (line 5)", "phrases[0].vi[0]", "under one flag"}},
		{"duplicate key", "phrases:\n  - flag: secrecy\n    flag: isolation\n    vi: [x]\n", []string{"phrases.yaml", "flag"}},
		{"wrong type", "phrases:\n  - flag: secrecy\n    vi: bí mật\n", []string{"phrases.yaml"}},
		{"not yaml", "phrases: [\n", []string{"phrases.yaml"}},
		{"invalid utf-8", "phrases:\n  - flag: secrecy\n    vi: [\"b\xff\"]\n", []string{"not valid UTF-8"}},
		{"every problem at once", "phrases:\n  - flag: scary\n    vi: [a]\n  - flag: secrecy\n    vi: [\"?\"]\n", []string{"phrases[0].flag", "phrases[1].vi[0]"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := LoadPhrases(fstest.MapFS{"help/phrases.yaml": {Data: []byte(tt.yaml)}}, "help/phrases.yaml")
			if err == nil {
				t.Fatalf("LoadPhrases(%q) = %d phrases, want an error", tt.yaml, len(p.All()))
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("LoadPhrases(%q) error = %q, want it to contain %q", tt.yaml, err, w)
				}
			}
		})
	}
	if _, err := LoadPhrases(fstest.MapFS{}, "help/phrases.yaml"); err == nil {
		t.Errorf("LoadPhrases(missing file) succeeded, want an error")
	}
}

func TestFind(t *testing.T) {
	p := mustPhrases(t, testPhrases)
	tests := []struct {
		name, text string
		want       []Match
	}{
		{"empty", "", nil},
		{"nothing", "Em bị bạn cùng lớp trêu chọc.", nil},
		{"with diacritics", "Anh ấy bảo em đừng nói với ai.", []Match{{"secrecy", "dung noi voi ai", true}}},
		{"capitals and punctuation", "DUNG NOI VOI AI!!", []Match{{"secrecy", "dung noi voi ai", true}}},
		{"without diacritics", "dung noi voi ai", []Match{{"secrecy", "dung noi voi ai", true}}},
		{"decomposed and extra spaces", "đừng   no\u0301i\tvơ\u0301i\n ai", []Match{{"secrecy", "dung noi voi ai", true}}},
		{"english", "He said: DON'T tell anyone, it's our little secret", []Match{{"secrecy", "don t tell anyone", true}}},
		{"one-word phrase", "Nó gửi file .apk cho em", []Match{{"app-install", "apk", false}}},
		{"not inside a longer word", "apkmirror, myapk, happy", nil},
		{"phrase then more words", "nhà ở đâu đó", []Match{{"personal-info", "nha o dau", false}}},
		{"not the start of a phrase only", "đừng nói với", nil},
		{"not across a longer last word", "đừng nói với aiko", nil},
		{"at the very end", "gửi mã otp", []Match{{"asks-credentials", "ma otp", false}}},
		{"longest phrase at a place", "cán bộ công an gọi", []Match{{"impersonation", "can bo cong an", false}}},
		{"order of first appearance, each flag once",
			"Người đó xin mật khẩu, nói là công an, rồi lại xin mã OTP và bảo tắt điện thoại, đừng nói với ai.",
			[]Match{{"asks-credentials", "mat khau", false}, {"impersonation", "cong an", false}, {"isolation", "tat dien thoai", true}, {"secrecy", "dung noi voi ai", true}}},
		{"a later urgent phrase of the same flag", "Nó bảo gửi ảnh, rồi đòi ảnh nóng.", []Match{{"asks-images", "anh nong", true}}},
		{"urgent first stays", "nudes... then send a photo", []Match{{"asks-images", "nudes", true}}},
		{"emoji between words", "đừng😶nói🙊với🤫ai", []Match{{"secrecy", "dung noi voi ai", true}}},
		{"invalid utf-8", "đừng nói\xff với ai", []Match{{"secrecy", "dung noi voi ai", true}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := p.Find(tt.text); !slices.Equal(got, tt.want) {
				t.Errorf("Find(%q) = %+v, want %+v", tt.text, got, tt.want)
			}
		})
	}
	// A one-word phrase that is also the end of other words.
	ai := mustPhrases(t, "phrases:\n  - flag: unexpected-contact\n    vi: [ai]\n")
	for text, want := range map[string]bool{"hai": false, "Em có hai người bạn": false, "HAI!": false, "mai": false, "ai đó": true, "Ai?": true, "với ai": true, "hai ai": true} {
		if got := ai.Find(text); (got != nil) != want {
			t.Errorf("Find(%q) with phrase \"ai\" = %+v, want a match: %v", text, got, want)
		}
	}

	var none *Phrases
	if got := none.Find("đừng nói với ai"); got != nil {
		t.Errorf("nil Phrases Find() = %+v, want nil", got)
	}
}

func TestTriage(t *testing.T) {
	p := mustPhrases(t, testPhrases)
	tests := []struct {
		name  string
		a     Answers
		want  Priority
		flags []string
	}{
		{"nothing", Answers{Topic: "phishing", Description: "Em nhận được tin nhắn lạ."}, Normal, nil},
		{"empty", Answers{}, Normal, nil},
		{"danger now", Answers{Topic: "phishing", DangerNow: true}, Urgent, nil},
		{"asked to meet", Answers{Topic: "romance", AskedToMeet: true}, Urgent, nil},
		{"isolated", Answers{Topic: "impersonation", Isolated: true}, Urgent, nil},
		{"sextortion topic", Answers{Topic: "sextortion"}, Urgent, nil},
		{"grooming topic", Answers{Topic: "grooming"}, Urgent, nil},
		{"online kidnapping topic", Answers{Topic: "online-kidnapping"}, Urgent, nil},
		{"cyberbullying topic", Answers{Topic: "cyberbullying"}, High, nil},
		{"red flag phrase", Answers{Topic: "phishing", Description: "Họ xin mật khẩu Zalo của em."}, High, []string{"asks-credentials"}},
		{"urgent phrase", Answers{Topic: "phishing", Description: "Họ là CONG AN và bảo em dung noi voi ai!"}, Urgent, []string{"impersonation", "secrecy"}},
		{"urgent phrase in english", Answers{Topic: "romance", Description: "he wants nudes"}, Urgent, []string{"asks-images"}},
		{"unknown topic", Answers{Topic: "nope"}, Normal, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, matches := Triage(tt.a, p)
			var flags []string
			for _, m := range matches {
				flags = append(flags, m.Flag)
			}
			if got != tt.want || !slices.Equal(flags, tt.flags) {
				t.Errorf("Triage(%+v) = %v, %q, want %v, %q", tt.a, got, flags, tt.want, tt.flags)
			}
		})
	}
	if got, _ := Triage(Answers{Topic: "grooming", Description: "đừng nói với ai"}, nil); got != Urgent {
		t.Errorf("Triage(without phrases) = %v, want %v", got, Urgent)
	}
}

func TestPriorityString(t *testing.T) {
	for p, want := range map[Priority]string{Normal: "normal", High: "high", Urgent: "urgent", 7: "Priority(7)"} {
		if got := p.String(); got != want {
			t.Errorf("Priority(%d).String() = %q, want %q", int(p), got, want)
		}
	}
	if !(Normal < High && High < Urgent) {
		t.Errorf("priorities are not ordered lowest first")
	}
}

// description2000 is a 2,000-character help request with a few red flags
// scattered through ordinary text.
func description2000() string {
	const para = "Em quen một người trên Facebook được vài tháng, anh ấy hay hỏi em học trường nào và tặng quà trong game. " +
		"Hôm qua anh ấy nói là công an, bảo em tắt điện thoại và đừng nói với ai, nếu không sẽ bị bắt. Em rất sợ. "
	r := []rune(strings.Repeat(para, 2000/utf8.RuneCountInString(para)+1))
	return string(r[:2000])
}

func BenchmarkFind(b *testing.B) {
	real, err := LoadPhrases(shipped.FS, "help/phrases.yaml")
	if err != nil {
		b.Fatal(err)
	}
	text := description2000()
	for _, bc := range []struct {
		name string
		p    *Phrases
	}{{"fixture", mustPhrases(b, testPhrases)}, {"shipped", real}} {
		b.Run(bc.name, func(b *testing.B) {
			b.SetBytes(int64(len(text)))
			b.ReportAllocs()
			for b.Loop() {
				bc.p.Find(text)
			}
		})
	}
}

func BenchmarkTriage(b *testing.B) {
	p := mustPhrases(b, testPhrases)
	a := Answers{Topic: "impersonation", Description: description2000()}
	b.ReportAllocs()
	for b.Loop() {
		Triage(a, p)
	}
}

// TestShippedPhrases loads the phrase table the binary ships, so a content
// change that the loader refuses fails here rather than at start.
func TestShippedPhrases(t *testing.T) {
	p, err := LoadPhrases(shipped.FS, "help/phrases.yaml")
	if err != nil {
		t.Fatalf("LoadPhrases(content.FS) error: %v", err)
	}
	all := p.All()
	flags := map[string]bool{}
	urgent := 0
	for _, ph := range all {
		flags[ph.Flag] = true
		if ph.Urgent {
			urgent++
		}
	}
	if len(all) == 0 || urgent == 0 {
		t.Errorf("shipped phrases: %d phrases, %d urgent, want some of each", len(all), urgent)
	}
	// The sketches of shared/CONTENT.md must triage as they should.
	for _, tt := range []struct {
		text string
		flag string
	}{
		{"Anh ấy bảo em đừng nói với ai", "secrecy"},
		{"DUNG NOI VOI AI!!", "secrecy"},
	} {
		found := false
		for _, m := range p.Find(tt.text) {
			found = found || m.Flag == tt.flag
		}
		if !found {
			t.Errorf("shipped phrases: Find(%q) = %+v, want flag %s", tt.text, p.Find(tt.text), tt.flag)
		}
	}
	t.Logf("shipped phrases: %d phrases, %d urgent, %d flags", len(all), urgent, len(flags))
}
