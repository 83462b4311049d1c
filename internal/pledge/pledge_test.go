package pledge

import (
	"strings"
	"testing"

	"github.com/notalone/notalone/internal/i18n"
)

func testOptions() *Options {
	return NewOptions([]Option{
		{ID: "a", Text: i18n.Text{VI: "Việc A", EN: "Action A"}},
		{ID: "b", Text: i18n.Text{VI: "Việc B", EN: "Action B"}},
		{ID: "old", Text: i18n.Text{VI: "Việc cũ", EN: "Old action"}, Retired: true},
	})
}

func TestCheck(t *testing.T) {
	opts := testOptions()
	tests := []struct {
		name   string
		in     Input
		fields []string // fields with a problem, in order
	}{
		{"valid", Input{Name: " Bích  Ngọc ", ShowName: true, Options: []string{"b", "a", "b"}, Lang: "vi", AgeBand: "kids", Province: "ha-noi"}, nil},
		{"no options", Input{Lang: "vi"}, []string{"options"}},
		{"unknown option", Input{Options: []string{"a", "zzz"}, Lang: "vi"}, []string{"options"}},
		{"retired option", Input{Options: []string{"old"}, Lang: "vi"}, []string{"options"}},
		{"bad language", Input{Options: []string{"a"}, Lang: "fr"}, []string{"lang"}},
		{"bad age", Input{Options: []string{"a"}, Lang: "en", AgeBand: "toddler"}, []string{"age_band"}},
		{"old province", Input{Options: []string{"a"}, Lang: "en", Province: "ha-tay"}, []string{"province"}},
		{"everything wrong", Input{Name: "<b>", Lang: "x", AgeBand: "x", Province: "x"}, []string{"name", "options", "lang", "age_band", "province"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, problems := Check(tt.in, opts)
			var fields []string
			for _, p := range problems {
				fields = append(fields, p.Field)
			}
			if strings.Join(fields, ",") != strings.Join(tt.fields, ",") {
				t.Fatalf("Check(%+v) problems on %q, want %q", tt.in, fields, tt.fields)
			}
			if tt.fields == nil && (got.Name != "Bích Ngọc" || strings.Join(got.Options, ",") != "a,b") {
				t.Errorf("Check = %+v: want the name normalised and options de-duplicated in list order", got)
			}
		})
	}
	// No name: nothing to show on the wall.
	if got, _ := Check(Input{ShowName: true, Options: []string{"a"}, Lang: "vi"}, opts); got.ShowName {
		t.Error("show_name kept without a name")
	}
}

func TestProvinces(t *testing.T) {
	if len(Provinces) != 34 {
		t.Errorf("%d provinces and cities, want 34 (since 1 July 2025)", len(Provinces))
	}
	seen := map[string]bool{}
	for _, p := range Provinces {
		if seen[p.Code] || p.Name.VI == "" || p.Name.EN == "" {
			t.Errorf("province %+v is a duplicate or unnamed", p)
		}
		seen[p.Code] = true
	}
}

func TestIDs(t *testing.T) {
	seen := map[string]bool{}
	for range 1000 {
		id := NewID()
		if !ValidID(id) || seen[id] {
			t.Fatalf("NewID() = %q: invalid or repeated", id)
		}
		seen[id] = true
	}
	for _, bad := range []string{"", "short", "../../../../etc/passwd/xxxxx", strings.Repeat("A", 26), strings.Repeat("a", 27), strings.Repeat("1", 26)} {
		if ValidID(bad) {
			t.Errorf("ValidID(%q) = true", bad)
		}
	}
}

func TestVoucherCodes(t *testing.T) {
	code := NewVoucherCode()
	if len(code) != VoucherCodeLen {
		t.Fatalf("NewVoucherCode() = %q", code)
	}
	for _, typed := range []string{code, strings.ToLower(code), FormatVoucherCode(code), " " + strings.ToLower(FormatVoucherCode(code)) + " "} {
		if got, err := ParseVoucherCode(typed); err != nil || got != code {
			t.Errorf("ParseVoucherCode(%q) = %q, %v; want %q", typed, got, err, code)
		}
	}
	// Read aloud or typed from paper: O is 0, I and L are 1.
	if got, _ := ParseVoucherCode("OILO-0000-0000-0000"); got != "0110000000000000" {
		t.Errorf("look-alikes: %q", got)
	}
	for _, bad := range []string{"", "ABC", strings.Repeat("A", 17), "ABCD-EFGH-JKMN-PQRU", "ABCD-EFGH-JKMN-PQR!", strings.Repeat("A", 100)} {
		if _, err := ParseVoucherCode(bad); err == nil {
			t.Errorf("ParseVoucherCode(%q) accepted", bad)
		}
	}
}

func FuzzParseVoucherCode(f *testing.F) {
	f.Add("ABCD-EFGH-JKMN-PQRS")
	f.Add("oilo 0000 0000 0000")
	f.Add("\xff\xfe")
	f.Fuzz(func(t *testing.T, s string) {
		code, err := ParseVoucherCode(s)
		if err != nil {
			return
		}
		if len(code) != VoucherCodeLen || strings.Trim(code, crockford) != "" {
			t.Fatalf("ParseVoucherCode(%q) = %q", s, code)
		}
		if again, err := ParseVoucherCode(FormatVoucherCode(code)); err != nil || again != code {
			t.Fatalf("round trip of %q: %q, %v", code, again, err)
		}
	})
}

func FuzzCheck(f *testing.F) {
	f.Add("Phúc", "a,b", "vi", "kids", "ha-noi")
	f.Add("<script>", "zzz", "xx", "", "")
	f.Fuzz(func(t *testing.T, name, options, lang, age, province string) {
		in, problems := Check(Input{Name: name, Options: strings.Split(options, ","), Lang: lang, AgeBand: age, Province: province}, testOptions())
		if len(problems) > 0 {
			return
		}
		if strings.ContainsAny(in.Name, "<>&\"") || len(in.Options) == 0 {
			t.Fatalf("Check accepted %+v", in)
		}
	})
}
