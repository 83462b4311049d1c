package content

import (
	"strings"
	"testing"

	"github.com/notalone/notalone/content"
	"github.com/notalone/notalone/internal/quiz"
	"github.com/notalone/notalone/internal/taxonomy"
)

const goodSingle = `items:
  - id: q-base
    type: single
    topics: [account-security]
    ages: [kids]
    difficulty: 1
    prompt: {vi: Câu hỏi?, en: A question?}
    explanation: {vi: Giải thích., en: Explanation.}
    tip: {vi: Mẹo., en: Tip.}
    options:
      - {id: a, text: {vi: Có, en: "Yes"}, correct: true, feedback: {vi: Đúng., en: Right.}}
      - {id: b, text: {vi: Không, en: "No"}, correct: false, feedback: {vi: Chưa đúng., en: Not quite.}}
`

const goodFlags = `items:
  - id: sf-x
    type: spot-flags
    topics: [phishing]
    red_flags: [urgency]
    ages: [teens]
    difficulty: 2
    prompt: {vi: Chạm vào chỗ đáng ngờ., en: Tap what looks suspicious.}
    explanation: {vi: Giải thích., en: Explanation.}
    tip: {vi: Mẹo., en: Tip.}
    message:
      channel: sms
      sender: {vi: EVN, en: EVN}
      segments:
        - {id: s1, text: {vi: Chào bạn., en: Hello.}}
        - {id: s2, text: {vi: Trả ngay!, en: Pay now!}}
        - {id: s3, text: {vi: Cảm ơn., en: Thanks.}}
    flags:
      - {segment: s2, code: urgency, explanation: {vi: Giục giã., en: Rushing you.}}
`

const goodScenario = `items:
  - id: sc-x
    type: scenario
    topics: [grooming]
    ages: [kids]
    difficulty: 1
    prompt: {vi: Bạn trả lời sao?, en: How do you reply?}
    explanation: {vi: Giải thích., en: Explanation.}
    tip: {vi: Mẹo., en: Tip.}
    scenario:
      channel: chat
      contact: {vi: Người lạ, en: Stranger}
      start: n1
      steps:
        - id: n1
          messages: [{vi: Chào!, en: Hi!}]
          choices:
            - {id: c1, text: {vi: Chào, en: Hi}, safe: false, consequence: {vi: Hậu quả., en: Consequence.}, next: n2}
            - {id: c2, text: {vi: Chặn, en: Block}, safe: true, consequence: {vi: Tốt., en: Good.}, next: ""}
        - id: n2
          messages: [{vi: Gửi ảnh đi., en: Send a photo.}]
          choices:
            - {id: c1, text: {vi: Không, en: "No"}, safe: true, consequence: {vi: Tốt., en: Good.}, next: ""}
            - {id: c2, text: {vi: Gửi, en: Send}, safe: false, consequence: {vi: Không nên., en: Don't.}, next: ""}
`

func TestItemProblems(t *testing.T) {
	tests := []struct {
		name, file, yaml, want string
	}{
		{"valid single", "items/a.yaml", strings.Replace(goodSingle, "q-base", "q-other", 1), ""},
		{"valid flags", "items/a.yaml", goodFlags, ""},
		{"valid scenario", "items/a.yaml", goodScenario, ""},
		{"duplicate id across files", "items/a.yaml", strings.Replace(goodFlags, "sf-x", "q-base", 1), "q-base: id: used twice"},
		{"two correct in single", "items/b.yaml", strings.Replace(goodSingle, "correct: false", "correct: true", 1), "options: exactly one must be correct"},
		{"unknown topic", "items/b.yaml", strings.Replace(goodSingle, "account-security", "hacking", 1), `topics: unknown code "hacking"`},
		{"unknown type", "items/b.yaml", strings.Replace(goodSingle, "type: single", "type: essay", 1), `type: unknown type "essay"`},
		{"bad age", "items/b.yaml", strings.Replace(goodSingle, "ages: [kids]", "ages: [toddlers]", 1), "ages: unknown code"},
		{"flag on a missing segment", "items/b.yaml", strings.Replace(goodFlags, "segment: s2", "segment: s9", 1), `flags[0].segment: no segment "s9"`},
		{"unknown red flag", "items/b.yaml", strings.Replace(goodFlags, "code: urgency", "code: scary", 1), `unknown red flag "scary"`},
		{"too few plain segments", "items/b.yaml", strings.Replace(goodFlags, "        - {id: s3, text: {vi: Cảm ơn., en: Thanks.}}\n", "", 1), "at least 2 segments that are not flags"},
		{"html in a segment", "items/b.yaml", strings.Replace(goodFlags, "en: Pay now!", "en: <script>alert(1)</script>", 1), "message.segments[1].text.en: contains HTML"},
		{"bad channel", "items/b.yaml", strings.Replace(goodFlags, "channel: sms", "channel: fax", 1), "message.channel"},
		{"scenario unknown next", "items/b.yaml", strings.Replace(goodScenario, "next: n2", "next: n7", 1), `leads to unknown step "n7"`},
		{"scenario unreachable", "items/b.yaml", strings.Replace(goodScenario, "next: n2", `next: ""`, 1), `step "n2" can never be reached`},
		{"scenario loops", "items/b.yaml", strings.Replace(goodScenario, `{id: c1, text: {vi: Không, en: "No"}, safe: true, consequence: {vi: Tốt., en: Good.}, next: ""}`, `{id: c1, text: {vi: Không, en: "No"}, safe: true, consequence: {vi: Tốt., en: Good.}, next: n1}`, 1), "loops back"},
		{"options on a flags item", "items/b.yaml", strings.Replace(goodFlags, "    flags:", "    options: [{id: a, text: {vi: A, en: B}, correct: true, feedback: {vi: C, en: D}}]\n    flags:", 1), "options: not used by spot-flags items"},
		{"quiz with unknown item", "quizzes.yaml", "quizzes:\n  - {id: kids, title: {vi: Trẻ em, en: Kids}, description: {vi: Mô tả, en: About}, ages: [kids], items: [nope]}\n", `kids: items: no item "nope"`},
		{"quiz draws too many", "quizzes.yaml", "quizzes:\n  - {id: kiosk, title: {vi: Ki-ốt, en: Kiosk}, description: {vi: Mô tả, en: About}, ages: [kids], pool: [q-base], draw: 5}\n", "draw: must be between 1 and the pool size (1)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Load(packs(map[string]string{tt.file: tt.yaml}))
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

// TestShippedBank checks the shipped items as a whole: every answer is
// valid (Load), and the bank meets the campaign's rules.
func TestShippedBank(t *testing.T) {
	b, err := Load(content.FS)
	if err != nil {
		t.Fatal(err)
	}
	var scamOrSafe, safe int
	for _, it := range b.Items {
		if it.Type == quiz.ScamOrSafe {
			scamOrSafe++
			if it.Verdict == "safe" {
				safe++
			}
		}
	}
	if scamOrSafe > 0 && safe*10 < scamOrSafe*3 {
		t.Errorf("%d of %d scam-or-safe items show a safe message, want at least 30%%", safe, scamOrSafe)
	}
	byType := map[quiz.Type]int{}
	topics := map[string]bool{}
	prompts := map[string]string{}
	for _, it := range b.Items {
		byType[it.Type]++
		for _, tp := range it.Topics {
			topics[tp] = true
		}
		if other, dup := prompts[it.Prompt.VI]; dup {
			t.Errorf("items %s and %s ask the same question", other, it.ID)
		}
		prompts[it.Prompt.VI] = it.ID
	}
	if len(b.Items) < 100 || byType[quiz.SpotFlags] < 25 || byType[quiz.Scenario] < 10 {
		t.Errorf("bank has %d items (%d spot-flags, %d scenarios), want at least 100, 25 and 10", len(b.Items), byType[quiz.SpotFlags], byType[quiz.Scenario])
	}
	for _, tp := range taxonomy.Topics {
		if !topics[tp] {
			t.Errorf("no item covers the topic %s", tp)
		}
	}
	quizzes := map[string]quiz.Quiz{}
	for _, q := range b.Quizzes {
		quizzes[q.ID] = q
	}
	for _, id := range []string{"kids", "teens", "parents-teachers", "scam-spotter", "kiosk"} {
		if _, ok := quizzes[id]; !ok {
			t.Errorf("quiz %s is missing", id)
		}
	}
	if len(b.Quizzes) < 6 {
		t.Errorf("%d quizzes, want at least 6", len(b.Quizzes))
	}
	if k := quizzes["kiosk"]; k.Draw != 5 || len(k.Pool) <= 5 {
		t.Errorf("the kiosk round draws %d from %d, want 5 from a larger pool", k.Draw, len(k.Pool))
	}
}

func FuzzLoadItems(f *testing.F) {
	f.Add([]byte(goodSingle))
	f.Add([]byte(goodFlags))
	f.Add([]byte(goodScenario))
	f.Fuzz(func(t *testing.T, data []byte) {
		b, err := Load(packs(map[string]string{"items/f.yaml": string(data)}))
		if err != nil {
			return
		}
		// Whatever is accepted can be scored without panicking.
		for _, it := range b.Items {
			it.Score("", quiz.Response{Choice: "a"})
			if it.Scenario != nil {
				it.Score(it.Scenario.Start, quiz.Response{Choice: "c1"})
			}
		}
	})
}
