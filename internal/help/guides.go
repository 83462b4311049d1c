// Package help holds the Get help hub's guides, help requests, their triage
// and the encryption that protects them.
package help

import (
	"fmt"
	"io/fs"
	"regexp"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/goccy/go-yaml"
	"github.com/notalone/notalone/internal/content"
	"github.com/notalone/notalone/internal/i18n"
	"github.com/notalone/notalone/internal/taxonomy"
	"golang.org/x/text/unicode/norm"
)

// The files LoadGuides reads, relative to the content root (content.FS).
const (
	GuidesFile    = "help/guides.yaml"
	PlatformsFile = "help/platforms.yaml"
)

// GuideIDs are the hub's situations, exactly: the hub links to each one, so
// guides.yaml must hold all of them and no others.
var GuideIDs = []string{
	"threatened-pictures", "meet-or-photos", "fake-police", "bullied",
	"scammed", "saw-harmful", "worried-friend",
}

// PlatformIDs are the apps whose block, report and privacy steps the hub
// shows, exactly.
var PlatformIDs = []string{
	"tiktok", "facebook", "messenger", "instagram", "zalo", "youtube", "discord", "roblox",
}

// Limits on a guide's and a platform's texts and step lists. A child reads
// them in a hurry, maybe on a small phone: they are short on purpose.
const (
	guideTitleMax    = 90
	guideIntroMax    = 300
	guideStepMax     = 200
	platformNameMax  = 40
	platformNoteMax  = 500
	guideSourceMax   = 300
	guideNowMin      = 3
	guideNowMax      = 6
	guideDontMin     = 2
	guideDontMax     = 5
	guideEvidenceMin = 1
	guideEvidenceMax = 4
	platformStepsMin = 2
	platformStepsMax = 5
)

// Guide is one "I need help now" situation: what to do right now, what not
// to do, how to keep evidence safely and whom to call.
type Guide struct {
	ID        string      `yaml:"id"`
	Topic     string      `yaml:"topic"`  // a taxonomy topic code
	Urgent    bool        `yaml:"urgent"` // a help request on this guide is triaged as urgent
	Title     i18n.Text   `yaml:"title"`  // the situation in a child's own words
	Intro     i18n.Text   `yaml:"intro"`  // reassurance: not your fault, not alone
	Now       []i18n.Text `yaml:"now"`
	Dont      []i18n.Text `yaml:"dont"`
	Evidence  []i18n.Text `yaml:"evidence"`
	Call      []string    `yaml:"call"`      // hotline numbers, in the order shown
	Platforms bool        `yaml:"platforms"` // show the apps' block, report and privacy steps
	Source    string      `yaml:"source"`
}

// Platform is how to block, report and make an account more private on one
// app. Review marks steps not yet checked on a real device; ReviewNote says
// what to check (for editors, English only).
type Platform struct {
	ID         string      `yaml:"id"`
	Name       string      `yaml:"name"` // as people say it, the same in both languages
	Review     bool        `yaml:"review"`
	ReviewNote string      `yaml:"review_note"`
	Block      []i18n.Text `yaml:"block"`
	Report     []i18n.Text `yaml:"report"`
	Private    []i18n.Text `yaml:"private"`
}

// Guides is the hub's content, validated, in file order (the display order).
type Guides struct {
	Guides    []Guide
	Platforms []Platform
}

// Guide returns the guide with id.
func (g *Guides) Guide(id string) (Guide, bool) {
	for _, x := range g.Guides {
		if x.ID == id {
			return x, true
		}
	}
	return Guide{}, false
}

// Platform returns the platform with id.
func (g *Guides) Platform(id string) (Platform, bool) {
	for _, x := range g.Platforms {
		if x.ID == id {
			return x, true
		}
	}
	return Platform{}, false
}

// LoadGuides reads and validates help/guides.yaml and help/platforms.yaml
// from fsys. hotlineNumbers are the numbers of the hotlines pack: a guide may
// only offer those. Every problem in both files is reported at once, as
// content.Problems ("help/guides.yaml: bullied: now[2].en: missing text"),
// and any problem refuses both files.
func LoadGuides(fsys fs.FS, hotlineNumbers []string) (*Guides, error) {
	var gf struct {
		Guides []Guide `yaml:"guides"`
	}
	var pf struct {
		Platforms []Platform `yaml:"platforms"`
	}
	var all content.Problems
	if ps := guideDecode(fsys, GuidesFile, &gf); ps != nil {
		all = append(all, ps...)
	} else {
		all = append(all, guidesValidate(gf.Guides, hotlineNumbers)...)
	}
	if ps := guideDecode(fsys, PlatformsFile, &pf); ps != nil {
		all = append(all, ps...)
	} else {
		all = append(all, platformsValidate(pf.Platforms)...)
	}
	if len(all) > 0 {
		return nil, all
	}
	return &Guides{Guides: gf.Guides, Platforms: pf.Platforms}, nil
}

// CheckGuides validates a full set of guides (as a pack holds them, or
// with one edited in the console).
func CheckGuides(guides []Guide, hotlineNumbers []string) content.Problems {
	return guidesValidate(guides, hotlineNumbers)
}

// CheckPlatforms validates a full set of app step lists.
func CheckPlatforms(platforms []Platform) content.Problems { return platformsValidate(platforms) }

func guidesValidate(guides []Guide, hotlineNumbers []string) content.Problems {
	c := &guideChecker{file: GuidesFile}
	seen := map[string]bool{}
	for _, g := range guides {
		if c.id(g.ID, seen) && !slices.Contains(GuideIDs, g.ID) {
			c.add(g.ID, "id", "not one of the hub's guides (%s)", strings.Join(GuideIDs, ", "))
		}
		if !taxonomy.IsTopic(g.Topic) {
			c.add(g.ID, "topic", "unknown topic code %q; use one from shared/CONTENT.md", g.Topic)
		}
		c.text(g.ID, "title", g.Title, guideTitleMax)
		c.text(g.ID, "intro", g.Intro, guideIntroMax)
		c.steps(g.ID, "now", g.Now, guideNowMin, guideNowMax)
		c.steps(g.ID, "dont", g.Dont, guideDontMin, guideDontMax)
		c.steps(g.ID, "evidence", g.Evidence, guideEvidenceMin, guideEvidenceMax)
		if len(g.Call) == 0 {
			c.add(g.ID, "call", "at least one number to call is needed")
		}
		for i, n := range g.Call {
			field := fmt.Sprintf("call[%d]", i)
			switch {
			case !slices.Contains(hotlineNumbers, n):
				c.add(g.ID, field, "%q is not a number of the hotlines pack (%s)", n, strings.Join(hotlineNumbers, ", "))
			case slices.Index(g.Call, n) < i:
				c.add(g.ID, field, "%s is listed twice", n)
			}
		}
		c.source(g.ID, "source", g.Source, "every guide needs a source", guideSourceMax)
	}
	for _, id := range GuideIDs {
		if !seen[id] {
			c.add(id, "", "missing guide")
		}
	}
	return c.problems
}

func platformsValidate(platforms []Platform) content.Problems {
	c := &guideChecker{file: PlatformsFile}
	seen := map[string]bool{}
	for _, p := range platforms {
		if c.id(p.ID, seen) && !slices.Contains(PlatformIDs, p.ID) {
			c.add(p.ID, "id", "not one of the hub's platforms (%s)", strings.Join(PlatformIDs, ", "))
		}
		c.plain(p.ID, "name", p.Name, platformNameMax)
		if p.Review || p.ReviewNote != "" {
			c.source(p.ID, "review_note", p.ReviewNote, "say what must be checked on a real device", platformNoteMax)
		}
		c.steps(p.ID, "block", p.Block, platformStepsMin, platformStepsMax)
		c.steps(p.ID, "report", p.Report, platformStepsMin, platformStepsMax)
		c.steps(p.ID, "private", p.Private, platformStepsMin, platformStepsMax)
	}
	for _, id := range PlatformIDs {
		if !seen[id] {
			c.add(id, "", "missing platform")
		}
	}
	return c.problems
}

// guideChecker collects the problems of one file, located as
// internal/content locates them.
type guideChecker struct {
	file     string
	problems content.Problems
}

func (c *guideChecker) add(id, field, format string, args ...any) {
	c.problems = append(c.problems, content.Problem{File: c.file, ID: id, Field: field, Message: fmt.Sprintf(format, args...)})
}

var guideIDPattern = regexp.MustCompile(`^[a-z0-9][a-z0-9-]*[a-z0-9]$`)

// id checks that id is well formed and not seen before, and reports whether
// it was both.
func (c *guideChecker) id(id string, seen map[string]bool) bool {
	ok := false
	switch {
	case !guideIDPattern.MatchString(id):
		c.add(id, "id", "must be lower-case letters, digits and dashes")
	case seen[id]:
		c.add(id, "id", "used twice")
	default:
		ok = true
	}
	seen[id] = true
	return ok
}

// steps checks a list of bilingual steps: between lo and hi of them, each
// a text of at most guideStepMax characters, located as field[i].
func (c *guideChecker) steps(id, field string, steps []i18n.Text, lo, hi int) {
	if n := len(steps); n < lo || n > hi {
		c.add(id, field, "%d step(s); %d to %d are needed", n, lo, hi)
	}
	for i, s := range steps {
		c.text(id, fmt.Sprintf("%s[%d]", field, i), s, guideStepMax)
	}
}

// text checks a bilingual text: both languages present, each plain, and
// not the same (an identical pair is an untranslated text).
func (c *guideChecker) text(id, field string, t i18n.Text, limit int) {
	c.plain(id, field+".vi", t.VI, limit)
	c.plain(id, field+".en", t.EN, limit)
	if t.VI != "" && t.VI == t.EN {
		c.add(id, field, "Vietnamese and English are identical; translate one of them")
	}
}

// guideMarkup finds anything a browser could read as HTML: a tag or an
// entity (the rule of internal/content).
var guideMarkup = regexp.MustCompile(`<[a-zA-Z/!?]|&[a-zA-Z#][a-zA-Z0-9]*;`)

// plain checks one visible string: present, valid UTF-8, no markup, no
// control characters, Unicode NFC, at most limit characters.
func (c *guideChecker) plain(id, field, s string, limit int) {
	switch {
	case strings.TrimSpace(s) == "":
		c.add(id, field, "missing text")
	case !utf8.ValidString(s):
		c.add(id, field, "not valid UTF-8")
	case guideMarkup.MatchString(s):
		c.add(id, field, "contains HTML; packs are plain text only")
	case strings.ContainsFunc(s, guideIsControl):
		c.add(id, field, "contains a control character")
	case !norm.NFC.IsNormalString(s):
		c.add(id, field, "is not Unicode NFC (compose the diacritics)")
	case utf8.RuneCountInString(s) > limit:
		c.add(id, field, "longer than %d characters", limit)
	}
}

// source checks a note for editors (a source, a review note): required,
// one line of plain text. missing is the message when it is empty.
func (c *guideChecker) source(id, field, s, missing string, limit int) {
	if strings.TrimSpace(s) == "" {
		c.add(id, field, "%s", missing)
		return
	}
	c.plain(id, field, s, limit)
}

func guideIsControl(r rune) bool { return r < 0x20 && r != '\n' || r == 0x7f }

// guideDecode parses one YAML file strictly, as internal/content does:
// unknown fields are errors, so a typo in a field name cannot silently drop
// a text.
func guideDecode(fsys fs.FS, file string, v any) content.Problems {
	b, err := fs.ReadFile(fsys, file)
	if err != nil {
		return content.Problems{{File: file, Message: err.Error()}}
	}
	if !utf8.Valid(b) {
		return content.Problems{{File: file, Message: "not valid UTF-8"}}
	}
	if err := yaml.UnmarshalWithOptions(b, v, yaml.Strict(), yaml.DisallowUnknownField()); err != nil {
		return content.Problems{{File: file, Message: yaml.FormatError(err, false, false)}}
	}
	return nil
}
