package help

import (
	"fmt"
	"io/fs"
	"slices"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/goccy/go-yaml"
	shipped "github.com/notalone/notalone/content"
	"github.com/notalone/notalone/internal/content"
	"github.com/notalone/notalone/internal/fold"
	"github.com/notalone/notalone/internal/taxonomy"
	"golang.org/x/text/unicode/norm"
)

var guideHotlines = []string{"111", "113"}

func TestGuidesShippedLoad(t *testing.T) {
	g, err := LoadGuides(shipped.FS, guideHotlines)
	if err != nil {
		t.Fatalf("shipped guides: %v", err)
	}
	if len(g.Guides) != len(GuideIDs) || len(g.Platforms) != len(PlatformIDs) {
		t.Fatalf("loaded %d guides and %d platforms, want %d and %d", len(g.Guides), len(g.Platforms), len(GuideIDs), len(PlatformIDs))
	}
	// The triage decisions the hub relies on.
	want := map[string]struct {
		topic  string
		urgent bool
	}{
		"threatened-pictures": {"sextortion", true},
		"meet-or-photos":      {"grooming", true},
		"fake-police":         {"online-kidnapping", true},
		"bullied":             {"cyberbullying", false},
	}
	for id, w := range want {
		x, ok := g.Guide(id)
		if !ok {
			t.Errorf("Guide(%q) not found", id)
			continue
		}
		if x.Topic != w.topic || x.Urgent != w.urgent {
			t.Errorf("Guide(%q) = topic %q urgent %v, want %q %v", id, x.Topic, x.Urgent, w.topic, w.urgent)
		}
	}
	if x, _ := g.Guide("fake-police"); len(x.Call) == 0 || x.Call[0] != "113" {
		t.Errorf("fake-police calls %v, want 113 first: the child may be in danger now", x.Call)
	}
	if _, ok := g.Guide("no-such-guide"); ok {
		t.Error(`Guide("no-such-guide") found a guide`)
	}
	for _, id := range PlatformIDs {
		p, ok := g.Platform(id)
		if !ok {
			t.Errorf("Platform(%q) not found", id)
			continue
		}
		if !p.Review {
			t.Errorf("platform %s is not marked for review; its steps have not been checked on a device", id)
		}
	}
}

// guideEdit replaces old by new once inside one guide's or platform's block
// of a fixture; new "" with old "*" drops the whole block.
type guideEdit struct{ id, old, new string }

// guideFixture returns a valid guides.yaml (guides true) or platforms.yaml
// with edits applied; an edit that matches nothing fails the test, so a
// case cannot silently test the valid file.
func guideFixture(t *testing.T, guides bool, edits ...guideEdit) string {
	t.Helper()
	ids, head := PlatformIDs, "platforms:\n"
	if guides {
		ids, head = GuideIDs, "guides:\n"
	}
	used := make([]bool, len(edits))
	var b strings.Builder
	b.WriteString(head)
	for _, id := range ids {
		block := guidePlatformBlock(id)
		if guides {
			block = guideBlock(id)
		}
		for i, e := range edits {
			if e.id != id {
				continue
			}
			switch {
			case e.old == "*":
				block = ""
			case strings.Contains(block, e.old):
				block = strings.Replace(block, e.old, e.new, 1)
			default:
				continue
			}
			used[i] = true
		}
		b.WriteString(block)
	}
	for i, e := range edits {
		if !used[i] {
			t.Fatalf("edit %+v matches nothing in the fixture", e)
		}
	}
	return b.String()
}

func guideBlock(id string) string {
	return fmt.Sprintf(`  - id: %[1]s
    topic: getting-help
    urgent: false
    title: {vi: Tình huống %[1]s, en: Situation %[1]s}
    intro: {vi: Đây không phải lỗi của bạn., en: It is not your fault.}
    now:
      - {vi: Bước một, en: Step one}
      - {vi: Bước hai, en: Step two}
      - {vi: Bước ba, en: Step three}
    dont:
      - {vi: Đừng trả tiền, en: Do not pay}
      - {vi: Đừng đi một mình, en: Do not go alone}
    evidence:
      - {vi: Chụp màn hình, en: Take screenshots}
    call: ["111"]
    platforms: true
    source: "CONTENT.md: Facts to use"
`, id)
}

func guidePlatformBlock(id string) string {
	return fmt.Sprintf(`  - id: %[1]s
    name: App %[1]s
    review: true
    review_note: Check the menus on a phone.
    block:
      - {vi: Mở trang cá nhân, en: Open the profile}
      - {vi: Chọn Chặn, en: Choose Block}
    report:
      - {vi: Mở menu, en: Open the menu}
      - {vi: Chọn Báo cáo, en: Choose Report}
    private:
      - {vi: Mở Cài đặt, en: Open Settings}
      - {vi: Chọn chỉ bạn bè, en: Choose friends only}
`, id)
}

func TestGuidesProblemsAreLocated(t *testing.T) {
	long := strings.Repeat("a", guideTitleMax+1)
	tests := []struct {
		name      string
		guides    []guideEdit // edits to a valid guides.yaml
		platforms []guideEdit // edits to a valid platforms.yaml
		raw       map[string]string
		want      string // substring of the reported problems; "" means valid
	}{
		{name: "valid"},
		{name: "missing english step", guides: []guideEdit{{"bullied", "{vi: Bước ba, en: Step three}", "{vi: Bước ba}"}},
			want: "help/guides.yaml: bullied: now[2].en: missing text"},
		{name: "missing vietnamese title", guides: []guideEdit{{"scammed", "title: {vi: Tình huống scammed, ", "title: {"}},
			want: "help/guides.yaml: scammed: title.vi: missing text"},
		{name: "html", guides: []guideEdit{{"scammed", "en: It is not your fault.", "en: It is <b>not</b> your fault."}},
			want: "help/guides.yaml: scammed: intro.en: contains HTML"},
		{name: "entity", guides: []guideEdit{{"scammed", "en: Do not pay", "en: Do&nbsp;not pay"}},
			want: "help/guides.yaml: scammed: dont[0].en: contains HTML"},
		{name: "not NFC", guides: []guideEdit{{"fake-police", "vi: Tình huống", "vi: Ti\u0300nh huống"}},
			want: "help/guides.yaml: fake-police: title.vi: is not Unicode NFC"},
		{name: "control character", guides: []guideEdit{{"saw-harmful", "{vi: Chụp màn hình, en: Take screenshots}", `{vi: Chụp màn hình, en: "Take\u0007 screenshots"}`}},
			want: "help/guides.yaml: saw-harmful: evidence[0].en: contains a control character"},
		{name: "title too long", guides: []guideEdit{{"bullied", "en: Situation bullied", "en: " + long}},
			want: fmt.Sprintf("help/guides.yaml: bullied: title.en: longer than %d characters", guideTitleMax)},
		{name: "step too long", guides: []guideEdit{{"bullied", "en: Step one", "en: " + strings.Repeat("b", guideStepMax+1)}},
			want: fmt.Sprintf("help/guides.yaml: bullied: now[0].en: longer than %d characters", guideStepMax)},
		{name: "untranslated", guides: []guideEdit{{"worried-friend", "en: It is not your fault.", "en: Đây không phải lỗi của bạn."}},
			want: "help/guides.yaml: worried-friend: intro: Vietnamese and English are identical"},
		{name: "unknown topic", guides: []guideEdit{{"bullied", "topic: getting-help", "topic: bullying"}},
			want: `help/guides.yaml: bullied: topic: unknown topic code "bullying"`},
		{name: "red flag as topic", guides: []guideEdit{{"bullied", "topic: getting-help", "topic: secrecy"}},
			want: `help/guides.yaml: bullied: topic: unknown topic code "secrecy"`},
		{name: "too few steps", guides: []guideEdit{{"scammed", "      - {vi: Bước ba, en: Step three}\n", ""}},
			want: "help/guides.yaml: scammed: now: 2 step(s); 3 to 6 are needed"},
		{name: "too many don'ts", guides: []guideEdit{{"scammed", "    evidence:", strings.Repeat("      - {vi: Đừng, en: Do not}\n", 4) + "    evidence:"}},
			want: "help/guides.yaml: scammed: dont: 6 step(s); 2 to 5 are needed"},
		{name: "no evidence", guides: []guideEdit{{"scammed", "    evidence:\n      - {vi: Chụp màn hình, en: Take screenshots}\n", ""}},
			want: "help/guides.yaml: scammed: evidence: 0 step(s); 1 to 4 are needed"},
		{name: "unknown number", guides: []guideEdit{{"bullied", `call: ["111"]`, `call: ["111", "115"]`}},
			want: `help/guides.yaml: bullied: call[1]: "115" is not a number of the hotlines pack`},
		{name: "number twice", guides: []guideEdit{{"bullied", `call: ["111"]`, `call: ["111", "113", "111"]`}},
			want: "help/guides.yaml: bullied: call[2]: 111 is listed twice"},
		{name: "nothing to call", guides: []guideEdit{{"bullied", `call: ["111"]`, `call: []`}},
			want: "help/guides.yaml: bullied: call: at least one number to call is needed"},
		{name: "no source", guides: []guideEdit{{"meet-or-photos", "    source: \"CONTENT.md: Facts to use\"\n", ""}},
			want: "help/guides.yaml: meet-or-photos: source: every guide needs a source"},
		{name: "missing guide", guides: []guideEdit{{"saw-harmful", "*", ""}},
			want: "help/guides.yaml: saw-harmful: missing guide"},
		{name: "unknown guide", guides: []guideEdit{{"worried-friend", "id: worried-friend", "id: help-me"}},
			want: "help/guides.yaml: help-me: id: not one of the hub's guides"},
		{name: "renamed guide leaves a gap", guides: []guideEdit{{"worried-friend", "id: worried-friend", "id: help-me"}},
			want: "help/guides.yaml: worried-friend: missing guide"},
		{name: "duplicate id", guides: []guideEdit{{"bullied", "id: bullied", "id: scammed"}},
			want: "help/guides.yaml: scammed: id: used twice"},
		{name: "bad id", guides: []guideEdit{{"bullied", "id: bullied", "id: Bullied_1"}},
			want: "help/guides.yaml: Bullied_1: id: must be lower-case letters, digits and dashes"},
		{name: "unknown field", guides: []guideEdit{{"bullied", "    platforms: true\n", "    platforms: true\n    colour: red\n"}},
			want: "unknown field"},
		{name: "misspelt field", guides: []guideEdit{{"bullied", "    dont:", "    donts:"}},
			want: "unknown field"},
		{name: "not yaml", raw: map[string]string{GuidesFile: "guides: ["}, want: "help/guides.yaml: "},
		{name: "no guides file", raw: map[string]string{GuidesFile: ""}, want: "help/guides.yaml: open help/guides.yaml: file does not exist"},

		{name: "platform missing english", platforms: []guideEdit{{"zalo", "{vi: Mở trang cá nhân, en: Open the profile}", "{vi: Mở trang cá nhân}"}},
			want: "help/platforms.yaml: zalo: block[0].en: missing text"},
		{name: "platform untranslated", platforms: []guideEdit{{"zalo", "en: Choose Block", "en: Chọn Chặn"}},
			want: "help/platforms.yaml: zalo: block[1]: Vietnamese and English are identical"},
		{name: "platform too few steps", platforms: []guideEdit{{"roblox", "      - {vi: Chọn Báo cáo, en: Choose Report}\n", ""}},
			want: "help/platforms.yaml: roblox: report: 1 step(s); 2 to 5 are needed"},
		{name: "platform without privacy steps", platforms: []guideEdit{{"youtube", "    private:\n      - {vi: Mở Cài đặt, en: Open Settings}\n      - {vi: Chọn chỉ bạn bè, en: Choose friends only}\n", ""}},
			want: "help/platforms.yaml: youtube: private: 0 step(s); 2 to 5 are needed"},
		{name: "review without a note", platforms: []guideEdit{{"discord", "    review_note: Check the menus on a phone.\n", ""}},
			want: "help/platforms.yaml: discord: review_note: say what must be checked on a real device"},
		{name: "platform html name", platforms: []guideEdit{{"tiktok", "name: App tiktok", "name: <i>TikTok</i>"}},
			want: "help/platforms.yaml: tiktok: name: contains HTML"},
		{name: "platform without name", platforms: []guideEdit{{"tiktok", "    name: App tiktok\n", ""}},
			want: "help/platforms.yaml: tiktok: name: missing text"},
		{name: "missing platform", platforms: []guideEdit{{"youtube", "*", ""}},
			want: "help/platforms.yaml: youtube: missing platform"},
		{name: "unknown platform", platforms: []guideEdit{{"roblox", "id: roblox", "id: minecraft"}},
			want: "help/platforms.yaml: minecraft: id: not one of the hub's platforms"},
		{name: "platform unknown field", platforms: []guideEdit{{"facebook", "    review: true\n", "    review: true\n    url: https://example.com\n"}},
			want: "unknown field"},
		{name: "no platforms file", raw: map[string]string{PlatformsFile: ""}, want: "help/platforms.yaml: open help/platforms.yaml: file does not exist"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fsys := fstest.MapFS{
				GuidesFile:    {Data: []byte(guideFixture(t, true, tt.guides...))},
				PlatformsFile: {Data: []byte(guideFixture(t, false, tt.platforms...))},
			}
			for name, data := range tt.raw {
				if data == "" {
					delete(fsys, name)
				} else {
					fsys[name] = &fstest.MapFile{Data: []byte(data)}
				}
			}
			g, err := LoadGuides(fsys, guideHotlines)
			if tt.want == "" {
				if err != nil {
					t.Fatalf("LoadGuides: %v", err)
				}
				if len(g.Guides) != len(GuideIDs) || len(g.Platforms) != len(PlatformIDs) {
					t.Fatalf("loaded %d guides and %d platforms", len(g.Guides), len(g.Platforms))
				}
				return
			}
			if err == nil {
				t.Fatalf("LoadGuides accepted the file, want a problem %q", tt.want)
			}
			if g != nil {
				t.Errorf("LoadGuides returned guides with an error")
			}
			if _, ok := content.AsProblems(err); !ok {
				t.Errorf("LoadGuides error is %T, want content.Problems", err)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("LoadGuides = %q, want a problem containing %q", err, tt.want)
			}
		})
	}
}

// TestGuidesReportEveryProblem: one load names the problems of both files,
// so an editor fixes them in one go.
func TestGuidesReportEveryProblem(t *testing.T) {
	fsys := fstest.MapFS{
		GuidesFile: {Data: []byte(guideFixture(t, true,
			guideEdit{"bullied", "topic: getting-help", "topic: nope"},
			guideEdit{"scammed", `call: ["111"]`, `call: ["999"]`}))},
		PlatformsFile: {Data: []byte(guideFixture(t, false, guideEdit{"zalo", "en: Choose Block", "en: Chọn Chặn"}))},
	}
	_, err := LoadGuides(fsys, guideHotlines)
	ps, ok := content.AsProblems(err)
	if !ok {
		t.Fatalf("LoadGuides = %v, want content.Problems", err)
	}
	var got []string
	for _, p := range ps {
		got = append(got, p.File+": "+p.ID+": "+p.Field)
	}
	want := []string{
		"help/guides.yaml: bullied: topic",
		"help/guides.yaml: scammed: call[0]",
		"help/platforms.yaml: zalo: block[1]",
	}
	if !slices.Equal(got, want) {
		t.Errorf("problems at %q, want %q", got, want)
	}
}

// TestGuidesCallOnlyKnownHotlines: the numbers come from the hotlines pack,
// so a guide cannot offer a number the pack does not have.
func TestGuidesCallOnlyKnownHotlines(t *testing.T) {
	_, err := LoadGuides(shipped.FS, []string{"111"})
	if err == nil || !strings.Contains(err.Error(), `call[0]: "113" is not a number of the hotlines pack (111)`) {
		t.Errorf("LoadGuides with only 111 = %v, want fake-police's 113 refused", err)
	}
}

// TestGuidePhraseFileParses checks help/phrases.yaml as data: the red-flag
// phrase table is loaded by the triage; here it only has to be sound.
func TestGuidePhraseFileParses(t *testing.T) {
	b, err := fs.ReadFile(shipped.FS, "help/phrases.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var f struct {
		Phrases []struct {
			Flag   string   `yaml:"flag"`
			Urgent bool     `yaml:"urgent"`
			VI     []string `yaml:"vi"`
			EN     []string `yaml:"en"`
		} `yaml:"phrases"`
	}
	if err := yaml.UnmarshalWithOptions(b, &f, yaml.Strict(), yaml.DisallowUnknownField()); err != nil {
		t.Fatal(yaml.FormatError(err, false, false))
	}
	seen := map[string]string{} // folded phrase → where
	total := 0
	urgentFlags := map[string]bool{}
	for i, e := range f.Phrases {
		where := fmt.Sprintf("phrases[%d] (%s)", i, e.Flag)
		if !taxonomy.IsRedFlag(e.Flag) {
			t.Errorf("%s: %q is not a red-flag code", where, e.Flag)
		}
		if len(e.VI) == 0 || len(e.EN) == 0 {
			t.Errorf("%s: needs phrases in both languages (vi %d, en %d)", where, len(e.VI), len(e.EN))
		}
		if e.Urgent {
			urgentFlags[e.Flag] = true
		}
		for _, p := range slices.Concat(e.VI, e.EN) {
			total++
			key := fold.String(p) // what matching compares
			w := strings.Fields(key)
			switch {
			case p != strings.TrimSpace(p) || p == "":
				t.Errorf("%s: %q: empty or padded with spaces", where, p)
			case !norm.NFC.IsNormalString(p):
				t.Errorf("%s: %q is not NFC", where, p)
			case len(strings.Fields(p)) > 6 || key == "":
				t.Errorf("%s: %q has %d words, want 1 to 6", where, p, len(strings.Fields(p)))
			case len(w) == 1 && len([]rune(key)) < 4:
				t.Errorf("%s: %q is a single short word: too ambiguous to match on its own", where, p)
			case seen[key] != "":
				t.Errorf("%s: %q matches exactly what %s already has", where, p, seen[key])
			}
			seen[key] = where
		}
	}
	if total < 120 {
		t.Errorf("%d phrases, want at least 120", total)
	}
	for _, flag := range []string{"secrecy", "isolation", "sextortion-threat", "asks-images", "meet-offline", "impersonation", "threat"} {
		if !urgentFlags[flag] {
			t.Errorf("no urgent phrases for %s", flag)
		}
	}
}
