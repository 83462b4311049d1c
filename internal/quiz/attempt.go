package quiz

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base32"
	"slices"
	"sort"
	"time"

	"github.com/notalone/notalone/internal/i18n"
)

// Attempt is one play of a quiz on one device. It holds no personal data.
type Attempt struct {
	ID           string
	QuizID       string
	Lang         i18n.Lang
	EventID      string
	StationID    string // empty when not played on a station
	Items        []string
	StartedAt    time.Time
	LastActiveAt time.Time
	FinishedAt   *time.Time
	Score        int
	MaxScore     int
	Answers      []Answer // in the order given
}

// Finished reports whether the attempt was finished.
func (a *Attempt) Finished() bool { return a.FinishedAt != nil }

// Answer is one acknowledged answer: for an item, or one scenario step.
type Answer struct {
	AttemptID  string
	ItemID     string
	Step       string // scenario step; empty for other types
	Seq        int    // 1 for the attempt's first answer, and so on
	Response   Response
	Correct    bool
	Score      int
	MaxScore   int
	TimeTaken  time.Duration
	AnsweredAt time.Time
}

// answersFor returns the answers to one item in order.
func (a *Attempt) answersFor(itemID string) []Answer {
	var out []Answer
	for _, an := range a.Answers {
		if an.ItemID == itemID {
			out = append(out, an)
		}
	}
	return out
}

// Position is where a player is in an attempt.
type Position struct {
	Index int    // the item to show (len(Items) when every item is done)
	Step  string // the scenario step to answer, if that item is a scenario
}

// Progress works out the first item not yet done: an item is done when
// answered, a scenario when its conversation has ended.
func (a *Attempt) Progress(bank *Bank) Position {
	for i, id := range a.Items {
		step, done := a.nextStep(bank.Item(id))
		if !done {
			return Position{Index: i, Step: step}
		}
	}
	return Position{Index: len(a.Items)}
}

// nextStep returns the step a scenario waits for (empty for other types),
// or done when the item needs nothing more.
func (a *Attempt) nextStep(it *Item) (step string, done bool) {
	if it == nil {
		return "", true
	}
	answers := a.answersFor(it.ID)
	if it.Type != Scenario {
		return "", len(answers) > 0
	}
	if len(answers) == 0 {
		return it.Scenario.Start, false
	}
	last := answers[len(answers)-1]
	s, ok := it.Scenario.Step(last.Step)
	if !ok {
		return "", true
	}
	for _, c := range s.Choices {
		if c.ID == last.Response.Choice {
			return c.Next, c.Next == ""
		}
	}
	return "", true
}

// TopicScore is the score on one topic.
type TopicScore struct {
	Topic    string
	Score    int
	MaxScore int
}

// Summary is the result of a finished attempt.
type Summary struct {
	Score    int
	MaxScore int
	Topics   []TopicScore
	// FlagsFound and FlagsTotal count red flags over spot-flags items.
	FlagsFound, FlagsTotal int
	// Missed are topics with points lost, for "learn more" links.
	Missed []string
}

// Summarise totals the answers by topic. An item counts for each of its
// topics; unanswered items do not count.
func (a *Attempt) Summarise(bank *Bank) Summary {
	var s Summary
	byTopic := map[string]*TopicScore{}
	for _, an := range a.Answers {
		s.Score += an.Score
		s.MaxScore += an.MaxScore
		it := bank.Item(an.ItemID)
		if it == nil {
			continue
		}
		for _, t := range it.Topics {
			ts := byTopic[t]
			if ts == nil {
				ts = &TopicScore{Topic: t}
				byTopic[t] = ts
			}
			ts.Score += an.Score
			ts.MaxScore += an.MaxScore
		}
		if it.Type == SpotFlags {
			s.FlagsTotal += len(it.Flags)
			for _, f := range it.Flags {
				if slices.Contains(an.Response.Segments, f.Segment) {
					s.FlagsFound++
				}
			}
		}
	}
	for _, ts := range byTopic {
		s.Topics = append(s.Topics, *ts)
		if ts.Score < ts.MaxScore {
			s.Missed = append(s.Missed, ts.Topic)
		}
	}
	sort.Slice(s.Topics, func(i, j int) bool { return s.Topics[i].Topic < s.Topics[j].Topic })
	sort.Strings(s.Missed)
	return s
}

// SegmentTokens hides segment ids behind opaque tokens, so the page and
// the API never reveal which segments are flags (ids like "flag1" would).
type SegmentTokens struct{ key []byte }

// NewSegmentTokens returns tokens under a server-held key.
func NewSegmentTokens(key []byte) *SegmentTokens { return &SegmentTokens{key: key} }

var tokenEncoding = base32.StdEncoding.WithPadding(base32.NoPadding)

// Token is the opaque id of segment segID of item itemID.
func (t *SegmentTokens) Token(itemID, segID string) string {
	m := hmac.New(sha256.New, t.key)
	m.Write([]byte(itemID + "\x00" + segID))
	return "g" + tokenEncoding.EncodeToString(m.Sum(nil))[:12]
}

// Resolve maps opaque tokens back to the item's segment ids; ok is false
// when one is not a segment of the item.
func (t *SegmentTokens) Resolve(it *Item, tokens []string) ([]string, bool) {
	if it.Message == nil {
		return nil, false
	}
	ids := make(map[string]string, len(it.Message.Segments))
	for _, s := range it.Message.Segments {
		ids[t.Token(it.ID, s.ID)] = s.ID
	}
	out := make([]string, 0, len(tokens))
	for _, tok := range tokens {
		id, ok := ids[tok]
		if !ok {
			return nil, false
		}
		out = append(out, id)
	}
	return out, true
}
