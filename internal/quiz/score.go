package quiz

import (
	"slices"

	"github.com/notalone/notalone/internal/errs"
)

// Response is a player's answer; which fields count depends on the type.
type Response struct {
	Choice   string   `json:"choice,omitempty"`   // single; scenario
	Choices  []string `json:"choices,omitempty"`  // multi
	Verdict  string   `json:"verdict,omitempty"`  // scam-or-safe: "scam" or "safe"
	Reason   string   `json:"reason,omitempty"`   // scam-or-safe
	Segments []string `json:"segments,omitempty"` // spot-flags: segment ids as the pack names them
}

// Result is the outcome of one answer.
type Result struct {
	Correct  bool
	Score    int
	MaxScore int
	// Feedback is what to show for the player's choices, in order.
	Feedback []Text
	// Flags are every red flag of a spot-flags item, with whether the
	// player found it; FalseTaps counts segments tapped that are not flags.
	Flags     []FlagResult
	FalseTaps int
	// Next is the following scenario step, nil when the conversation ended.
	Next *Step
}

// FlagResult is one red flag after checking.
type FlagResult struct {
	Flag
	Found bool
}

func invalid(key string) error { return errs.Field("response", key) }

// Score checks a response to item (at step, for scenarios). A response of
// the wrong shape for the type is an Invalid error naming the problem.
func (it *Item) Score(step string, r Response) (Result, error) {
	switch it.Type {
	case Single:
		return it.scoreSingle(r)
	case Multi:
		return it.scoreMulti(r)
	case ScamOrSafe:
		return it.scoreScamOrSafe(r)
	case SpotFlags:
		return it.scoreSpotFlags(r)
	case Scenario:
		return it.scoreScenario(step, r)
	}
	return Result{}, errs.E(errs.Internal, "")
}

func findOption(opts []Option, id string) (*Option, bool) {
	for i := range opts {
		if opts[i].ID == id {
			return &opts[i], true
		}
	}
	return nil, false
}

func (it *Item) scoreSingle(r Response) (Result, error) {
	if r.Choice == "" || len(r.Choices) > 0 || r.Verdict != "" || len(r.Segments) > 0 {
		return Result{}, invalid("error.response_choice")
	}
	o, ok := findOption(it.Options, r.Choice)
	if !ok {
		return Result{}, invalid("error.response_unknown_option")
	}
	res := Result{MaxScore: 1, Feedback: []Text{o.Feedback}, Correct: o.Correct}
	if o.Correct {
		res.Score = 1
	}
	return res, nil
}

// scoreMulti gives one point per option judged right: chosen when correct,
// left alone when wrong.
func (it *Item) scoreMulti(r Response) (Result, error) {
	if r.Choice != "" || r.Choices == nil || r.Verdict != "" || len(r.Segments) > 0 {
		return Result{}, invalid("error.response_choices")
	}
	chosen := map[string]bool{}
	for _, id := range r.Choices {
		if _, ok := findOption(it.Options, id); !ok {
			return Result{}, invalid("error.response_unknown_option")
		}
		if chosen[id] {
			return Result{}, invalid("error.response_duplicate")
		}
		chosen[id] = true
	}
	res := Result{MaxScore: len(it.Options)}
	for _, o := range it.Options {
		if chosen[o.ID] == o.Correct {
			res.Score++
		}
		if chosen[o.ID] {
			res.Feedback = append(res.Feedback, o.Feedback)
		}
	}
	res.Correct = res.Score == res.MaxScore
	return res, nil
}

func (it *Item) scoreScamOrSafe(r Response) (Result, error) {
	if (r.Verdict != "scam" && r.Verdict != "safe") || r.Reason == "" || r.Choice != "" || len(r.Choices) > 0 || len(r.Segments) > 0 {
		return Result{}, invalid("error.response_verdict")
	}
	o, ok := findOption(it.Reasons, r.Reason)
	if !ok {
		return Result{}, invalid("error.response_unknown_option")
	}
	res := Result{MaxScore: 2, Feedback: []Text{o.Feedback}}
	if r.Verdict == it.Verdict {
		res.Score++
	}
	if o.Correct {
		res.Score++
	}
	res.Correct = res.Score == 2
	return res, nil
}

// scoreSpotFlags counts flags found minus false taps (never below zero),
// so tapping everything scores no better than tapping nothing.
func (it *Item) scoreSpotFlags(r Response) (Result, error) {
	if r.Segments == nil || r.Choice != "" || len(r.Choices) > 0 || r.Verdict != "" {
		return Result{}, invalid("error.response_segments")
	}
	tapped := map[string]bool{}
	for _, id := range r.Segments {
		if !slices.ContainsFunc(it.Message.Segments, func(s Segment) bool { return s.ID == id }) {
			return Result{}, invalid("error.response_unknown_segment")
		}
		if tapped[id] {
			return Result{}, invalid("error.response_duplicate")
		}
		tapped[id] = true
	}
	res := Result{MaxScore: len(it.Flags)}
	flagged := map[string]bool{}
	found := 0
	for _, f := range it.Flags {
		flagged[f.Segment] = true
		res.Flags = append(res.Flags, FlagResult{Flag: f, Found: tapped[f.Segment]})
		if tapped[f.Segment] {
			found++
		}
	}
	for id := range tapped {
		if !flagged[id] {
			res.FalseTaps++
		}
	}
	res.Score = max(0, found-res.FalseTaps)
	res.Correct = found == len(it.Flags) && res.FalseTaps == 0
	return res, nil
}

func (it *Item) scoreScenario(step string, r Response) (Result, error) {
	if r.Choice == "" || len(r.Choices) > 0 || r.Verdict != "" || len(r.Segments) > 0 {
		return Result{}, invalid("error.response_choice")
	}
	s, ok := it.Scenario.Step(step)
	if !ok {
		return Result{}, errs.Field("step", "error.response_unknown_step")
	}
	var c *Choice
	for i := range s.Choices {
		if s.Choices[i].ID == r.Choice {
			c = &s.Choices[i]
		}
	}
	if c == nil {
		return Result{}, invalid("error.response_unknown_option")
	}
	res := Result{MaxScore: 1, Correct: c.Safe, Feedback: []Text{c.Consequence}}
	if c.Safe {
		res.Score = 1
	}
	if c.Next != "" {
		res.Next, _ = it.Scenario.Step(c.Next)
	}
	return res, nil
}
