// Package quiz holds quiz items of every type, quizzes, attempts and
// scoring. It knows nothing of HTTP or SQL.
package quiz

import (
	"github.com/notalone/notalone/internal/i18n"
	"github.com/notalone/notalone/internal/taxonomy"
)

// Text is a bilingual text.
type Text = i18n.Text

// Type is the kind of an item.
type Type string

// The item types.
const (
	Single     Type = "single"
	Multi      Type = "multi"
	ScamOrSafe Type = "scam-or-safe"
	SpotFlags  Type = "spot-flags"
	Scenario   Type = "scenario"
)

// Types lists every type.
var Types = []Type{Single, Multi, ScamOrSafe, SpotFlags, Scenario}

// Item is one question, simulation or conversation.
type Item struct {
	ID          string   `yaml:"id" json:"id"`
	Type        Type     `yaml:"type" json:"type"`
	Topics      []string `yaml:"topics" json:"topics"`
	RedFlags    []string `yaml:"red_flags" json:"red_flags"`
	Ages        []string `yaml:"ages" json:"ages"`
	Difficulty  int      `yaml:"difficulty" json:"difficulty"`
	Prompt      Text     `yaml:"prompt" json:"prompt"`
	Explanation Text     `yaml:"explanation" json:"explanation"`
	Tip         Text     `yaml:"tip" json:"tip"`
	Source      string   `yaml:"source,omitempty" json:"source,omitempty"`

	Options  []Option  `yaml:"options,omitempty" json:"options,omitempty"`   // single, multi
	Message  *Message  `yaml:"message,omitempty" json:"message,omitempty"`   // scam-or-safe, spot-flags
	Verdict  string    `yaml:"verdict,omitempty" json:"verdict,omitempty"`   // scam-or-safe: "scam" or "safe"
	Reasons  []Option  `yaml:"reasons,omitempty" json:"reasons,omitempty"`   // scam-or-safe
	Flags    []Flag    `yaml:"flags,omitempty" json:"flags,omitempty"`       // spot-flags
	Scenario *Dialogue `yaml:"scenario,omitempty" json:"scenario,omitempty"` // scenario
}

// Option is a choice in a single, multi or scam-or-safe item.
type Option struct {
	ID       string `yaml:"id" json:"id"`
	Text     Text   `yaml:"text" json:"text"`
	Correct  bool   `yaml:"correct" json:"correct"`
	Feedback Text   `yaml:"feedback" json:"feedback"`
}

// Channels a simulated message can come through.
var Channels = []string{"sms", "chat", "email", "social", "web", "call", "payment"}

// Message is a simulated message, drawn to look like the real thing.
type Message struct {
	Channel  string    `yaml:"channel" json:"channel"`
	Sender   Text      `yaml:"sender" json:"sender"`
	Time     string    `yaml:"time,omitempty" json:"time,omitempty"`
	Subject  Text      `yaml:"subject,omitempty" json:"subject,omitempty"`
	Address  string    `yaml:"address,omitempty" json:"address,omitempty"`
	Amount   string    `yaml:"amount,omitempty" json:"amount,omitempty"`
	Segments []Segment `yaml:"segments" json:"segments"`
}

// Segment is one tappable piece of a message.
type Segment struct {
	ID   string `yaml:"id" json:"id"`
	From string `yaml:"from,omitempty" json:"from,omitempty"` // "them" (default) or "me"
	Text Text   `yaml:"text" json:"text"`
}

// Flag marks a segment as a red flag.
type Flag struct {
	Segment     string `yaml:"segment" json:"segment"`
	Code        string `yaml:"code" json:"code"`
	Explanation Text   `yaml:"explanation" json:"explanation"`
}

// Dialogue is a branching conversation.
type Dialogue struct {
	Channel string `yaml:"channel" json:"channel"`
	Contact Text   `yaml:"contact" json:"contact"`
	Start   string `yaml:"start" json:"start"`
	Steps   []Step `yaml:"steps" json:"steps"`
}

// Step is one turn: what the contact says, and the player's choices.
type Step struct {
	ID       string   `yaml:"id" json:"id"`
	Messages []Text   `yaml:"messages" json:"messages"`
	Choices  []Choice `yaml:"choices" json:"choices"`
}

// Choice is one reply in a scenario.
type Choice struct {
	ID          string `yaml:"id" json:"id"`
	Text        Text   `yaml:"text" json:"text"`
	Safe        bool   `yaml:"safe" json:"safe"`
	Consequence Text   `yaml:"consequence" json:"consequence"`
	Next        string `yaml:"next" json:"next"`
}

// Step returns the scenario step with id.
func (d *Dialogue) Step(id string) (*Step, bool) {
	for i := range d.Steps {
		if d.Steps[i].ID == id {
			return &d.Steps[i], true
		}
	}
	return nil, false
}

// Quiz is a set of items: a fixed list, or a pool an attempt draws from.
type Quiz struct {
	ID          string   `yaml:"id" json:"id"`
	Title       Text     `yaml:"title" json:"title"`
	Description Text     `yaml:"description" json:"description"`
	Ages        []string `yaml:"ages" json:"ages"`
	Items       []string `yaml:"items,omitempty" json:"items,omitempty"`
	Pool        []string `yaml:"pool,omitempty" json:"pool,omitempty"`
	Draw        int      `yaml:"draw,omitempty" json:"draw,omitempty"`
}

// ItemCount is how many items one attempt plays.
func (q *Quiz) ItemCount() int {
	if len(q.Pool) > 0 {
		return q.Draw
	}
	return len(q.Items)
}

// Ages are the audience bands.
var Ages = taxonomy.Audiences
