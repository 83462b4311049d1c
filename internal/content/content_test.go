package content

import (
	"fmt"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/notalone/notalone/content"
)

func TestShippedPacksAreValid(t *testing.T) {
	b, err := Load(content.FS)
	if err != nil {
		t.Fatalf("shipped packs: %v", err)
	}
	numbers := map[string]bool{}
	for _, h := range b.Hotlines.Hotlines {
		numbers[h.Number] = true
	}
	for _, n := range []string{"111", "113"} {
		if !numbers[n] {
			t.Errorf("hotline %s is missing", n)
		}
	}
}

const goodHotline = `hotlines:
  - id: child-protection-111
    number: "111"
    name: {vi: Tổng đài 111, en: Hotline 111}
    description: {vi: Miễn phí, en: Free}
    source: Decree 56/2017/ND-CP
`

// goodPledge is a valid pledge.yaml with the fewest options allowed.
var goodPledge = func() string {
	var b strings.Builder
	b.WriteString("options:\n")
	for i := range minPledgeOptions {
		fmt.Fprintf(&b, "  - id: act-%d\n    text: {vi: Việc số %d, en: Action %d}\n", i, i, i)
	}
	return b.String()
}()

// packs builds a bundle of files on top of a minimal valid one.
func packs(files map[string]string) fstest.MapFS {
	fsys := fstest.MapFS{
		"hotlines.yaml":   {Data: []byte(goodHotline)},
		"quizzes.yaml":    {Data: []byte("quizzes: []\n")},
		"pledge.yaml":     {Data: []byte(goodPledge)},
		"items/base.yaml": {Data: []byte(goodSingle)},
	}
	for name, data := range files {
		fsys[name] = &fstest.MapFile{Data: []byte(data)}
	}
	return fsys
}

func TestProblemsAreLocated(t *testing.T) {
	tests := []struct {
		name, yaml string
		want       string // substring of the reported problem
	}{
		{"valid", goodHotline, ""},
		{"html in a text", strings.Replace(goodHotline, "en: Free", "en: <b>Free</b>", 1), "hotlines.yaml: child-protection-111: description.en: contains HTML"},
		{"entity in a text", strings.Replace(goodHotline, "en: Free", "en: Free&nbsp;now", 1), "description.en: contains HTML"},
		{"missing english", strings.Replace(goodHotline, ", en: Free", "", 1), "description.en: missing text"},
		{"untranslated", strings.Replace(goodHotline, "en: Free", "en: Miễn phí", 1), "description: Vietnamese and English are identical"},
		{"not NFC", strings.Replace(goodHotline, "vi: Miễn phí", "vi: Mie\u0302\u0303n phí", 1), "description.vi: is not Unicode NFC"},
		{"bad number", strings.Replace(goodHotline, `"111"`, `"1-1-1"`, 1), "child-protection-111: number: must be digits only"},
		{"no source", strings.Replace(goodHotline, "    source: Decree 56/2017/ND-CP\n", "", 1), "source: every fact needs a source"},
		{"bad id", strings.Replace(goodHotline, "child-protection-111", "Child_111", 1), "Child_111: id: must be lower-case"},
		{"unknown field", goodHotline + "    colour: red\n", "unknown field"},
		{"not yaml", "hotlines: [", "hotlines.yaml"},
		{"control character", strings.Replace(goodHotline, "en: Free", "en: \"Free\\u0007\"", 1), "contains a control character"},
		{"duplicate id", goodHotline + strings.TrimPrefix(goodHotline, "hotlines:\n"), "used twice"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Load(packs(map[string]string{"hotlines.yaml": tt.yaml}))
			if tt.want == "" {
				if err != nil {
					t.Fatalf("Load = %v, want no error", err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Load = %v, want a problem containing %q", err, tt.want)
			}
		})
	}
}

func TestUnknownAndMissingPacks(t *testing.T) {
	fsys := packs(map[string]string{"quizz.yaml": "x: 1"})
	delete(fsys, "hotlines.yaml")
	_, err := Load(fsys)
	ps, ok := AsProblems(err)
	if !ok || len(ps) != 2 {
		t.Fatalf("Load = %v, want 2 problems (unknown pack, missing hotlines)", err)
	}
	if !strings.Contains(err.Error(), "quizz.yaml: unknown pack") || !strings.Contains(err.Error(), "hotlines.yaml: missing pack") {
		t.Errorf("problems = %v", err)
	}
}

func FuzzLoadHotlines(f *testing.F) {
	f.Add([]byte(goodHotline))
	f.Add([]byte("hotlines: []\nresources: [{id: x}]"))
	f.Fuzz(func(t *testing.T, data []byte) {
		b, err := Load(packs(map[string]string{"hotlines.yaml": string(data)}))
		if err == nil {
			// Whatever is accepted is complete and bilingual.
			for _, h := range b.Hotlines.Hotlines {
				if h.Name.VI == "" || h.Name.EN == "" || markup.MatchString(h.Description.EN) {
					t.Errorf("accepted an invalid hotline %+v", h)
				}
			}
		}
	})
}

func TestPledgeProblems(t *testing.T) {
	retireOne := strings.Replace(goodPledge, "  - id: act-0\n", "  - id: act-0\n    retired: true\n", 1)
	tests := []struct {
		name, yaml, want string
	}{
		{"valid", goodPledge, ""},
		{"too few offered", retireOne, "pledge.yaml: options: at least 10 options must be offered"},
		{"duplicate id", strings.Replace(goodPledge, "id: act-1\n", "id: act-0\n", 1), "pledge.yaml: act-0: id: used twice"},
		{"untranslated", strings.Replace(goodPledge, "en: Action 3", "en: Việc số 3", 1), "pledge.yaml: act-3: text: Vietnamese and English are identical"},
		{"html", strings.Replace(goodPledge, "en: Action 4", "en: <i>Action 4</i>", 1), "pledge.yaml: act-4: text.en: contains HTML"},
		{"too long", strings.Replace(goodPledge, "en: Action 5", "en: "+strings.Repeat("a", MaxPledgeOptionRunes+1), 1), "pledge.yaml: act-5: text.en: longer than"},
		{"unknown field", strings.Replace(goodPledge, "  - id: act-6\n", "  - id: act-6\n    colour: red\n", 1), "pledge.yaml"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b, err := Load(packs(map[string]string{"pledge.yaml": tt.yaml}))
			if tt.want == "" {
				if err != nil || len(b.PledgeOptions) != minPledgeOptions {
					t.Fatalf("Load = %v with %d options, want %d and no error", err, len(b.PledgeOptions), minPledgeOptions)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Load = %v, want a problem containing %q", err, tt.want)
			}
		})
	}
}
