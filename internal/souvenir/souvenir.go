// Package souvenir renders a pledge's souvenir — a shareable PNG and a
// printable PDF card — and makes the PNG a baked, signed Open Badges 2.0
// badge. Everything here is a pure function of its inputs.
//
// Both renderings come from one layout (see layout), computed in design
// pixels on a page 1080 wide, so the PNG and the card look alike; the card
// is taller for its A6 shape and uses the extra room for the actions. Text
// is set in Noto Sans (fonts/, SIL Open Font License), which covers every
// Vietnamese letter with its tone marks.
package souvenir

import (
	_ "embed"
	"errors"
	"fmt"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"golang.org/x/image/font"
	"golang.org/x/image/font/opentype"
	"golang.org/x/image/math/fixed"
	"golang.org/x/text/unicode/norm"
)

// Card is what a souvenir shows. Texts arrive already translated (the caller
// owns i18n).
type Card struct {
	Name      string   // as the visitor gave it (NFC, ≤40 runes); may be empty
	Heading   string   // e.g. "Lời cam kết của mình" / "My pledge"
	Actions   []string // the chosen actions, translated
	Date      string   // formatted, e.g. "27/11/2026"
	Event     string   // event name; may be empty (online)
	Campaign  string   // "Không Một Mình – Cùng nhau an toàn trực tuyến"
	VerifyURL string   // encoded in the QR code and printed small under it
	ScanHint  string   // e.g. "Quét để xác minh" / "Scan to verify"
}

// Limits a Card must keep to. The layout is tested at these limits: within
// them everything fits, shrinking the type where needed.
const (
	maxNameRunes     = 40
	maxHeadingRunes  = 60
	maxActions       = 12
	maxActionRunes   = 120
	maxDateRunes     = 40
	maxEventRunes    = 120
	maxCampaignRunes = 80
	maxHintRunes     = 60
	maxURLBytes      = 300 // keeps the QR code's modules large enough to scan
)

// clean returns c with every text in NFC and with control characters
// (a pasted newline, a tab) turned into spaces, or an error naming the
// first text that breaks a limit. The name stays as given otherwise.
func (c Card) clean() (Card, error) {
	var err error
	fix := func(field, s string, limit int) string {
		if !utf8.ValidString(s) {
			err = errors.Join(err, fmt.Errorf("%s is not valid UTF-8", field))
			return ""
		}
		s = norm.NFC.String(s)
		s = strings.Map(func(r rune) rune {
			if unicode.IsControl(r) {
				return ' '
			}
			return r
		}, s)
		s = strings.TrimSpace(s)
		if n := utf8.RuneCountInString(s); n > limit {
			err = errors.Join(err, fmt.Errorf("%s has %d characters, at most %d fit", field, n, limit))
		}
		return s
	}
	out := Card{
		Name:     fix("name", c.Name, maxNameRunes),
		Heading:  fix("heading", c.Heading, maxHeadingRunes),
		Date:     fix("date", c.Date, maxDateRunes),
		Event:    fix("event", c.Event, maxEventRunes),
		Campaign: fix("campaign", c.Campaign, maxCampaignRunes),
		ScanHint: fix("scan hint", c.ScanHint, maxHintRunes),
	}
	out.VerifyURL = strings.TrimSpace(c.VerifyURL)
	switch {
	case !utf8.ValidString(out.VerifyURL):
		err = errors.Join(err, errors.New("verify URL is not valid UTF-8"))
	case out.VerifyURL == "":
		err = errors.Join(err, errors.New("verify URL is empty"))
	case len(out.VerifyURL) > maxURLBytes:
		err = errors.Join(err, fmt.Errorf("verify URL has %d bytes, at most %d fit", len(out.VerifyURL), maxURLBytes))
	}
	if n := len(c.Actions); n < 1 || n > maxActions {
		err = errors.Join(err, fmt.Errorf("%d actions, want 1 to %d", n, maxActions))
	}
	for i, a := range c.Actions {
		a = fix(fmt.Sprintf("action %d", i+1), a, maxActionRunes)
		if a == "" {
			err = errors.Join(err, fmt.Errorf("action %d is empty", i+1))
		}
		out.Actions = append(out.Actions, a)
	}
	return out, err
}

// The fonts are embedded as strings, which are immutable, so no render can
// change what another one sees.
var (
	//go:embed fonts/NotoSans-Regular.ttf
	notoRegular string
	//go:embed fonts/NotoSans-Bold.ttf
	notoBold string
)

// fontSet is the parsed regular and bold fonts. sfnt fonts are safe for
// concurrent use (each face brings its own buffer).
type fontSet struct {
	regular, bold *opentype.Font
	// ascent and descent per em, for the space a line of text takes.
	ascent, descent float64
}

// font returns the regular or the bold font.
func (f *fontSet) font(bold bool) *opentype.Font {
	if bold {
		return f.bold
	}
	return f.regular
}

// fonts parses the embedded fonts once per process: parsing costs more than
// drawing a card, and the result never changes.
var fonts = sync.OnceValues(func() (*fontSet, error) {
	reg, err := opentype.Parse([]byte(notoRegular))
	if err != nil {
		return nil, fmt.Errorf("parse NotoSans-Regular: %w", err)
	}
	bold, err := opentype.Parse([]byte(notoBold))
	if err != nil {
		return nil, fmt.Errorf("parse NotoSans-Bold: %w", err)
	}
	const em = 1000
	m, err := bold.Metrics(nil, fixed.I(em), font.HintingNone)
	if err != nil {
		return nil, fmt.Errorf("font metrics: %w", err)
	}
	return &fontSet{
		regular: reg,
		bold:    bold,
		ascent:  float64(m.Ascent) / 64 / em,
		descent: float64(m.Descent) / 64 / em,
	}, nil
})
