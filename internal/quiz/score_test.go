package quiz

import (
	"strings"
	"testing"

	"github.com/notalone/notalone/internal/errs"
)

func txt(s string) Text { return Text{VI: s + " (vi)", EN: s} }

func opt(id string, correct bool) Option {
	return Option{ID: id, Text: txt(id), Correct: correct, Feedback: txt("fb " + id)}
}

var (
	single = &Item{ID: "s", Type: Single, Options: []Option{opt("a", false), opt("b", true), opt("c", false)}}
	multi  = &Item{ID: "m", Type: Multi, Options: []Option{opt("a", true), opt("b", false), opt("c", true), opt("d", false)}}
	sos    = &Item{ID: "x", Type: ScamOrSafe, Verdict: "safe", Reasons: []Option{opt("r1", true), opt("r2", false)}}
	flags  = &Item{ID: "f", Type: SpotFlags,
		Message: &Message{Channel: "sms", Segments: []Segment{{ID: "s1"}, {ID: "s2"}, {ID: "s3"}, {ID: "s4"}, {ID: "s5"}}},
		Flags:   []Flag{{Segment: "s2", Code: "urgency"}, {Segment: "s4", Code: "suspicious-link"}, {Segment: "s5", Code: "threat"}}}
	scen = &Item{ID: "c", Type: Scenario, Scenario: &Dialogue{Start: "n1", Steps: []Step{
		{ID: "n1", Choices: []Choice{{ID: "c1", Safe: false, Next: "n2"}, {ID: "c2", Safe: true}}},
		{ID: "n2", Choices: []Choice{{ID: "c1", Safe: true}, {ID: "c2", Safe: false}}},
	}}}
)

func TestScore(t *testing.T) {
	tests := []struct {
		name         string
		item         *Item
		step         string
		r            Response
		score, max   int
		correct      bool
		falseTaps    int
		next         string
		wantFeedback int
	}{
		{"single right", single, "", Response{Choice: "b"}, 1, 1, true, 0, "", 1},
		{"single wrong", single, "", Response{Choice: "a"}, 0, 1, false, 0, "", 1},
		{"multi all right", multi, "", Response{Choices: []string{"a", "c"}}, 4, 4, true, 0, "", 2},
		{"multi one missed", multi, "", Response{Choices: []string{"a"}}, 3, 4, false, 0, "", 1},
		{"multi one wrong added", multi, "", Response{Choices: []string{"a", "c", "b"}}, 3, 4, false, 0, "", 3},
		{"multi nothing chosen", multi, "", Response{Choices: []string{}}, 2, 4, false, 0, "", 0},
		{"multi everything", multi, "", Response{Choices: []string{"a", "b", "c", "d"}}, 2, 4, false, 0, "", 4},
		{"scam-or-safe both right", sos, "", Response{Verdict: "safe", Reason: "r1"}, 2, 2, true, 0, "", 1},
		{"scam-or-safe verdict only", sos, "", Response{Verdict: "safe", Reason: "r2"}, 1, 2, false, 0, "", 1},
		{"scam-or-safe reason only", sos, "", Response{Verdict: "scam", Reason: "r1"}, 1, 2, false, 0, "", 1},
		{"flags all found", flags, "", Response{Segments: []string{"s2", "s4", "s5"}}, 3, 3, true, 0, "", 0},
		{"flags partial", flags, "", Response{Segments: []string{"s2", "s4"}}, 2, 3, false, 0, "", 0},
		{"flags with a false tap", flags, "", Response{Segments: []string{"s2", "s4", "s1"}}, 1, 3, false, 1, "", 0},
		{"flags tap everything", flags, "", Response{Segments: []string{"s1", "s2", "s3", "s4", "s5"}}, 1, 3, false, 2, "", 0},
		{"flags none", flags, "", Response{Segments: []string{}}, 0, 3, false, 0, "", 0},
		{"flags only false taps", flags, "", Response{Segments: []string{"s1", "s3"}}, 0, 3, false, 2, "", 0},
		{"scenario unsafe continues", scen, "n1", Response{Choice: "c1"}, 0, 1, false, 0, "n2", 1},
		{"scenario safe ends", scen, "n1", Response{Choice: "c2"}, 1, 1, true, 0, "", 1},
		{"scenario second step safe", scen, "n2", Response{Choice: "c1"}, 1, 1, true, 0, "", 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, err := tt.item.Score(tt.step, tt.r)
			if err != nil {
				t.Fatalf("Score(%+v) = %v", tt.r, err)
			}
			next := ""
			if res.Next != nil {
				next = res.Next.ID
			}
			if res.Score != tt.score || res.MaxScore != tt.max || res.Correct != tt.correct || res.FalseTaps != tt.falseTaps || next != tt.next {
				t.Errorf("Score(%+v) = %d/%d correct=%v falseTaps=%d next=%q, want %d/%d %v %d %q",
					tt.r, res.Score, res.MaxScore, res.Correct, res.FalseTaps, next, tt.score, tt.max, tt.correct, tt.falseTaps, tt.next)
			}
			if len(res.Feedback) != tt.wantFeedback {
				t.Errorf("feedback count = %d, want %d", len(res.Feedback), tt.wantFeedback)
			}
			if tt.item == flags && len(res.Flags) != 3 {
				t.Errorf("flags reported = %d, want every flag", len(res.Flags))
			}
		})
	}
}

func TestScoreRefusesMalformedResponses(t *testing.T) {
	tests := []struct {
		name  string
		item  *Item
		step  string
		r     Response
		field string
	}{
		{"single without choice", single, "", Response{}, "response"},
		{"single unknown option", single, "", Response{Choice: "z"}, "response"},
		{"single with choices", single, "", Response{Choice: "a", Choices: []string{"a"}}, "response"},
		{"multi without list", multi, "", Response{}, "response"},
		{"multi duplicate", multi, "", Response{Choices: []string{"a", "a"}}, "response"},
		{"multi unknown", multi, "", Response{Choices: []string{"q"}}, "response"},
		{"multi with choice", multi, "", Response{Choice: "a", Choices: []string{"a"}}, "response"},
		{"scam-or-safe bad verdict", sos, "", Response{Verdict: "maybe", Reason: "r1"}, "response"},
		{"scam-or-safe no reason", sos, "", Response{Verdict: "safe"}, "response"},
		{"scam-or-safe unknown reason", sos, "", Response{Verdict: "safe", Reason: "r9"}, "response"},
		{"flags without list", flags, "", Response{}, "response"},
		{"flags unknown segment", flags, "", Response{Segments: []string{"s9"}}, "response"},
		{"flags duplicate", flags, "", Response{Segments: []string{"s2", "s2"}}, "response"},
		{"scenario unknown step", scen, "n9", Response{Choice: "c1"}, "step"},
		{"scenario unknown choice", scen, "n1", Response{Choice: "c9"}, "response"},
		{"scenario without choice", scen, "n1", Response{}, "response"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := tt.item.Score(tt.step, tt.r)
			if !errs.Is(err, errs.Invalid) || errs.As(err).Field != tt.field {
				t.Errorf("Score(%+v) = %v, want invalid on field %q", tt.r, err, tt.field)
			}
		})
	}
}

func TestSegmentTokensAreOpaque(t *testing.T) {
	tok := NewSegmentTokens([]byte("k"))
	seen := map[string]bool{}
	for _, s := range flags.Message.Segments {
		v := tok.Token(flags.ID, s.ID)
		if seen[v] || v == s.ID {
			t.Errorf("token for %s = %q: not unique or not opaque", s.ID, v)
		}
		seen[v] = true
	}
	ids, ok := tok.Resolve(flags, []string{tok.Token("f", "s4"), tok.Token("f", "s1")})
	if !ok || len(ids) != 2 || ids[0] != "s4" || ids[1] != "s1" {
		t.Errorf("Resolve = %v %v", ids, ok)
	}
	if _, ok := tok.Resolve(flags, []string{"s4"}); ok {
		t.Errorf("a raw segment id resolved")
	}
	if _, ok := tok.Resolve(flags, []string{tok.Token("other-item", "s4")}); ok {
		t.Errorf("another item's token resolved")
	}
	if other := NewSegmentTokens([]byte("k2")); other.Token("f", "s1") == tok.Token("f", "s1") {
		t.Errorf("tokens do not depend on the key")
	}
}

func TestDrawAndProgress(t *testing.T) {
	items := []Item{*single, *multi, *sos, *flags, *scen}
	bank := NewBank(items, []Quiz{
		{ID: "fixed", Items: []string{"s", "c"}},
		{ID: "drawn", Pool: []string{"s", "m", "x", "f", "c"}, Draw: 3},
	})
	if got := bank.Draw(bank.Quiz("fixed")); len(got) != 2 || got[0] != "s" || got[1] != "c" {
		t.Errorf("fixed draw = %v", got)
	}
	for range 20 {
		got := bank.Draw(bank.Quiz("drawn"))
		seen := map[string]bool{}
		for _, id := range got {
			if bank.Item(id) == nil || seen[id] {
				t.Fatalf("draw %v has an unknown or repeated item", got)
			}
			seen[id] = true
		}
		if len(got) != 3 {
			t.Fatalf("draw of 3 gave %v", got)
		}
	}
	a := Attempt{Items: []string{"s", "c"}}
	if p := a.Progress(bank); p.Index != 0 || p.Step != "" {
		t.Errorf("fresh progress = %+v", p)
	}
	a.Answers = append(a.Answers, Answer{ItemID: "s", Score: 1, MaxScore: 1})
	if p := a.Progress(bank); p.Index != 1 || p.Step != "n1" {
		t.Errorf("progress after item 1 = %+v, want scenario at n1", p)
	}
	a.Answers = append(a.Answers, Answer{ItemID: "c", Step: "n1", Response: Response{Choice: "c1"}, MaxScore: 1})
	if p := a.Progress(bank); p.Index != 1 || p.Step != "n2" {
		t.Errorf("progress mid-scenario = %+v, want n2", p)
	}
	a.Answers = append(a.Answers, Answer{ItemID: "c", Step: "n2", Response: Response{Choice: "c1"}, Score: 1, MaxScore: 1})
	if p := a.Progress(bank); p.Index != 2 {
		t.Errorf("progress at the end = %+v, want 2", p)
	}
	items[0].Topics, items[4].Topics = []string{"phishing"}, []string{"grooming", "privacy"}
	bank = NewBank(items, nil)
	s := a.Summarise(bank)
	if s.Score != 2 || s.MaxScore != 3 || len(s.Topics) != 3 || len(s.Missed) != 2 {
		t.Errorf("summary = %+v", s)
	}
}

func TestTexts(t *testing.T) {
	it := *scen
	it.Prompt = txt("prompt")
	it.Scenario = &Dialogue{Contact: txt("contact"), Steps: []Step{{ID: "n1", Messages: []Text{txt("hello")}, Choices: []Choice{{ID: "c1", Text: txt("reply"), Consequence: txt("so")}}}}}
	var paths []string
	for _, f := range it.Texts() {
		paths = append(paths, f.Path)
	}
	want := "prompt explanation tip scenario.contact scenario.steps.0.messages.0 scenario.steps.0.choices.0.text scenario.steps.0.choices.0.consequence"
	if strings.Join(paths, " ") != want {
		t.Errorf("Texts() paths = %v, want %s", paths, want)
	}
	if !it.SetText("scenario.steps.0.choices.0.text", Text{VI: "Mới", EN: "New"}) || it.Scenario.Steps[0].Choices[0].Text.EN != "New" {
		t.Errorf("SetText did not change the choice")
	}
	if it.SetText("options.9.text", Text{}) {
		t.Errorf("SetText found a path that does not exist")
	}
	if scen.Scenario.Steps[0].ID != "n1" || scen.Prompt.EN != "" {
		t.Errorf("SetText changed the original item")
	}
}
