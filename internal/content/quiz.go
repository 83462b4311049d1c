package content

import (
	"fmt"
	"io/fs"
	"slices"
	"strings"

	"github.com/notalone/notalone/internal/quiz"
	"github.com/notalone/notalone/internal/taxonomy"
)

// Text limits, in characters.
const (
	maxPrompt      = 300
	maxExplanation = 600
	maxShort       = 300
)

type itemsFile struct {
	Items []quiz.Item `yaml:"items"`
}

type quizzesFile struct {
	Quizzes []quiz.Quiz `yaml:"quizzes"`
}

// loadItems parses and checks one items file; ids must be unique across
// files, which seen tracks.
func loadItems(fsys fs.FS, file string, seen map[string]bool, out *[]quiz.Item) Problems {
	var f itemsFile
	if ps := decode(fsys, file, &f); ps != nil {
		return ps
	}
	c := &checker{file: file}
	if len(f.Items) == 0 {
		c.add("", "items", "no items")
	}
	for i := range f.Items {
		it := &f.Items[i]
		c.id(it.ID, seen)
		c.item(it)
	}
	*out = append(*out, f.Items...)
	return c.problems
}

func (c *checker) codes(id, field string, codes []string, known func(string) bool, required bool) {
	if required && len(codes) == 0 {
		c.add(id, field, "at least one is needed")
	}
	for _, code := range codes {
		if !known(code) {
			c.add(id, field, "unknown code %q (see shared/CONTENT.md)", code)
		}
	}
	if len(slices.Compact(slices.Sorted(slices.Values(codes)))) != len(codes) {
		c.add(id, field, "a code is listed twice")
	}
}

func (c *checker) item(it *quiz.Item) {
	id := it.ID
	if !slices.Contains(quiz.Types, it.Type) {
		c.add(id, "type", "unknown type %q", it.Type)
		return
	}
	c.codes(id, "topics", it.Topics, taxonomy.IsTopic, true)
	c.codes(id, "red_flags", it.RedFlags, taxonomy.IsRedFlag, false)
	c.codes(id, "ages", it.Ages, func(a string) bool { return slices.Contains(quiz.Ages, a) }, true)
	if it.Difficulty < 1 || it.Difficulty > 3 {
		c.add(id, "difficulty", "must be 1, 2 or 3")
	}
	c.text(id, "prompt", it.Prompt, false, maxPrompt)
	c.text(id, "explanation", it.Explanation, false, maxExplanation)
	c.text(id, "tip", it.Tip, false, maxShort)
	has := map[string]bool{
		"options": len(it.Options) > 0, "message": it.Message != nil, "verdict": it.Verdict != "",
		"reasons": len(it.Reasons) > 0, "flags": len(it.Flags) > 0, "scenario": it.Scenario != nil,
	}
	allowed := map[quiz.Type][]string{
		quiz.Single:     {"options"},
		quiz.Multi:      {"options"},
		quiz.ScamOrSafe: {"message", "verdict", "reasons"},
		quiz.SpotFlags:  {"message", "flags"},
		quiz.Scenario:   {"scenario"},
	}[it.Type]
	for _, field := range []string{"options", "message", "verdict", "reasons", "flags", "scenario"} {
		if has[field] && !slices.Contains(allowed, field) {
			c.add(id, field, "not used by %s items", it.Type)
		}
	}
	switch it.Type {
	case quiz.Single, quiz.Multi:
		c.options(id, "options", it.Options, it.Type == quiz.Single)
	case quiz.ScamOrSafe:
		if it.Verdict != "scam" && it.Verdict != "safe" {
			c.add(id, "verdict", "must be scam or safe")
		}
		if it.Message != nil {
			c.message(id, it.Message)
		}
		c.options(id, "reasons", it.Reasons, true)
	case quiz.SpotFlags:
		if it.Message == nil {
			c.add(id, "message", "a spot-flags item needs a message")
			return
		}
		c.message(id, it.Message)
		c.flags(id, it)
	case quiz.Scenario:
		if it.Scenario == nil {
			c.add(id, "scenario", "a scenario item needs a scenario")
			return
		}
		c.scenario(id, it.Scenario)
	}
}

// options checks 2–6 options with unique ids; exactly one correct when
// single, at least one otherwise.
func (c *checker) options(id, field string, opts []quiz.Option, single bool) {
	if len(opts) < 2 || len(opts) > 6 {
		c.add(id, field, "needs 2 to 6, has %d", len(opts))
	}
	ids := map[string]bool{}
	correct := 0
	for i, o := range opts {
		f := fmt.Sprintf("%s[%d]", field, i)
		if o.ID == "" || ids[o.ID] {
			c.add(id, f+".id", "missing or repeated id %q", o.ID)
		}
		ids[o.ID] = true
		c.text(id, f+".text", o.Text, false, maxShort)
		c.text(id, f+".feedback", o.Feedback, false, maxShort)
		if o.Correct {
			correct++
		}
	}
	switch {
	case single && correct != 1:
		c.add(id, field, "exactly one must be correct, %d are", correct)
	case !single && correct == 0:
		c.add(id, field, "at least one must be correct")
	}
}

func (c *checker) message(id string, m *quiz.Message) {
	if !slices.Contains(quiz.Channels, m.Channel) {
		c.add(id, "message.channel", "must be one of %s", strings.Join(quiz.Channels, ", "))
	}
	c.name(id, "message.sender", m.Sender, false, 80)
	c.text(id, "message.subject", m.Subject, true, 150)
	if m.Address != "" && (m.Channel != "web" || markup.MatchString(m.Address)) {
		c.add(id, "message.address", "only web messages have an address bar, in plain text")
	}
	for _, s := range []string{m.Time, m.Address, m.Amount} {
		if strings.ContainsFunc(s, isControl) || markup.MatchString(s) || len(s) > 200 {
			c.add(id, "message", "time, address and amount are short plain text")
		}
	}
	if len(m.Segments) < 1 || len(m.Segments) > 12 {
		c.add(id, "message.segments", "needs 1 to 12 segments, has %d", len(m.Segments))
	}
	ids := map[string]bool{}
	for i, s := range m.Segments {
		f := fmt.Sprintf("message.segments[%d]", i)
		if s.ID == "" || ids[s.ID] {
			c.add(id, f+".id", "missing or repeated id %q", s.ID)
		}
		ids[s.ID] = true
		if s.From != "" && s.From != "them" && s.From != "me" {
			c.add(id, f+".from", "must be them or me")
		}
		c.text(id, f+".text", s.Text, false, maxShort)
	}
}

func (c *checker) flags(id string, it *quiz.Item) {
	segs := map[string]bool{}
	for _, s := range it.Message.Segments {
		segs[s.ID] = true
	}
	flagged := map[string]bool{}
	if len(it.Flags) == 0 {
		c.add(id, "flags", "at least one flag is needed")
	}
	for i, f := range it.Flags {
		field := fmt.Sprintf("flags[%d]", i)
		if !segs[f.Segment] {
			c.add(id, field+".segment", "no segment %q in the message", f.Segment)
		}
		if flagged[f.Segment] {
			c.add(id, field+".segment", "segment %q is flagged twice; give it one code", f.Segment)
		}
		flagged[f.Segment] = true
		if !taxonomy.IsRedFlag(f.Code) {
			c.add(id, field+".code", "unknown red flag %q", f.Code)
		}
		c.text(id, field+".explanation", f.Explanation, false, maxShort)
	}
	if plain := len(it.Message.Segments) - len(flagged); plain < 2 {
		c.add(id, "message.segments", "needs at least 2 segments that are not flags, has %d", plain)
	}
}

// scenario checks that every step is reachable from the start, every next
// names a step, and no path loops.
func (c *checker) scenario(id string, d *quiz.Dialogue) {
	if d.Channel != "chat" && d.Channel != "call" && d.Channel != "social" {
		c.add(id, "scenario.channel", "must be chat, call or social")
	}
	c.name(id, "scenario.contact", d.Contact, false, 80)
	steps := map[string]*quiz.Step{}
	for i := range d.Steps {
		s := &d.Steps[i]
		f := fmt.Sprintf("scenario.steps[%d]", i)
		if s.ID == "" || steps[s.ID] != nil {
			c.add(id, f+".id", "missing or repeated id %q", s.ID)
		}
		steps[s.ID] = s
		if len(s.Messages) == 0 {
			c.add(id, f+".messages", "a step needs at least one message")
		}
		for j, m := range s.Messages {
			c.text(id, fmt.Sprintf("%s.messages[%d]", f, j), m, false, maxShort)
		}
		if len(s.Choices) < 2 || len(s.Choices) > 3 {
			c.add(id, f+".choices", "needs 2 or 3 choices, has %d", len(s.Choices))
		}
		choiceIDs := map[string]bool{}
		safe := 0
		for j, ch := range s.Choices {
			cf := fmt.Sprintf("%s.choices[%d]", f, j)
			if ch.ID == "" || choiceIDs[ch.ID] {
				c.add(id, cf+".id", "missing or repeated id %q", ch.ID)
			}
			choiceIDs[ch.ID] = true
			c.text(id, cf+".text", ch.Text, false, maxShort)
			c.text(id, cf+".consequence", ch.Consequence, false, maxExplanation)
			if ch.Safe {
				safe++
			}
		}
		if safe == 0 {
			c.add(id, f+".choices", "at least one choice must be safe")
		}
	}
	if steps[d.Start] == nil {
		c.add(id, "scenario.start", "no step %q", d.Start)
		return
	}
	reached := map[string]bool{}
	var walk func(sid string, depth int, path map[string]bool) int
	walk = func(sid string, depth int, path map[string]bool) int {
		if path[sid] {
			c.add(id, "scenario", "the conversation loops back to step %q", sid)
			return depth
		}
		reached[sid] = true
		path[sid] = true
		defer delete(path, sid)
		deepest := depth
		for _, ch := range steps[sid].Choices {
			if ch.Next == "" {
				continue
			}
			if steps[ch.Next] == nil {
				c.add(id, "scenario", "step %q choice %q leads to unknown step %q", sid, ch.ID, ch.Next)
				continue
			}
			deepest = max(deepest, walk(ch.Next, depth+1, path))
		}
		return deepest
	}
	if depth := walk(d.Start, 1, map[string]bool{}); depth < 2 || depth > 5 {
		c.add(id, "scenario", "the longest path has %d steps; use 2 to 5", depth)
	}
	for sid := range steps {
		if !reached[sid] {
			c.add(id, "scenario", "step %q can never be reached", sid)
		}
	}
}

// loadQuizzes checks quizzes against the items that exist.
func loadQuizzes(fsys fs.FS, file string, items map[string]*quiz.Item, out *[]quiz.Quiz) Problems {
	var f quizzesFile
	if ps := decode(fsys, file, &f); ps != nil {
		return ps
	}
	c := &checker{file: file}
	seen := map[string]bool{}
	for _, q := range f.Quizzes {
		c.id(q.ID, seen)
		c.quiz(q, func(id string) bool { return items[id] != nil })
	}
	*out = append(*out, f.Quizzes...)
	return c.problems
}

// CheckItem validates one item edited in the console with the same rules
// as a pack.
func CheckItem(it *quiz.Item) Problems {
	c := &checker{file: "console"}
	c.item(it)
	return c.problems
}

// CheckQuiz validates one quiz edited in the console against the items
// that exist.
func CheckQuiz(q quiz.Quiz, exists func(id string) bool) Problems {
	c := &checker{file: "console"}
	c.quiz(q, exists)
	return c.problems
}

// quiz checks a quiz's texts, bands and items.
func (c *checker) quiz(q quiz.Quiz, exists func(string) bool) {
	id := q.ID
	c.text(id, "title", q.Title, false, 80)
	c.text(id, "description", q.Description, false, maxShort)
	c.codes(id, "ages", q.Ages, func(a string) bool { return slices.Contains(quiz.Ages, a) }, true)
	switch {
	case len(q.Items) > 0 && len(q.Pool) > 0:
		c.add(id, "items", "give items or a pool, not both")
	case len(q.Items) > 0:
		if q.Draw != 0 {
			c.add(id, "draw", "draw is for pools only")
		}
	case len(q.Pool) > 0:
		if q.Draw < 1 || q.Draw > len(q.Pool) {
			c.add(id, "draw", "must be between 1 and the pool size (%d)", len(q.Pool))
		}
	default:
		c.add(id, "items", "a quiz needs items or a pool")
	}
	listed := map[string]bool{}
	for _, iid := range append(append([]string{}, q.Items...), q.Pool...) {
		if !exists(iid) {
			c.add(id, "items", "no item %q", iid)
		}
		if listed[iid] {
			c.add(id, "items", "item %q is listed twice", iid)
		}
		listed[iid] = true
	}
}
