package souvenir

import (
	"errors"
	"image/color"
	"math"
	"strings"
	"unicode/utf8"

	"github.com/skip2/go-qrcode"
)

// Campaign colours, and the neutrals that go with them. Text colours keep at
// least 4.5:1 contrast with their background; orange (3.5:1 on cream) is
// used only for large bold text and for shapes.
var (
	teal   = color.RGBA{0x0F, 0x6B, 0x66, 0xFF}
	orange = color.RGBA{0xE2, 0x58, 0x2F, 0xFF}
	cream  = color.RGBA{0xFF, 0xF8, 0xEE, 0xFF}
	white  = color.RGBA{0xFF, 0xFF, 0xFF, 0xFF}
	ink    = color.RGBA{0x1B, 0x2A, 0x29, 0xFF} // body text: 14:1 on cream
	muted  = color.RGBA{0x45, 0x57, 0x56, 0xFF} // the small URL: 7:1 on cream
	black  = color.RGBA{0x00, 0x00, 0x00, 0xFF} // QR modules
)

// designWidth is the width of the page the layout works on, in design
// pixels: the PNG's own pixels, and 1/designWidth of the card's width.
const designWidth = 1080

// pngHeight is the PNG's height: 4:5, the portrait shape social apps show
// whole. The card's height follows from A6 (see PDF).
const pngHeight = 1350

// measurer tells how wide a text is at a font size, both in design pixels.
// The PNG measures with its font faces, the PDF with fpdf's own widths, so
// each layout fits the text as that renderer will set it.
type measurer interface {
	width(bold bool, size float64, s string) float64
}

// textLine is one line of text, ready to draw.
type textLine struct {
	x, y  float64 // left end of the baseline
	size  float64 // font size (em) in design pixels
	bold  bool
	color color.RGBA
	s     string
	w     float64 // width as measured
}

// shape is a filled path.
type shape struct {
	p     path
	color color.RGBA
}

// qrBox is where the QR code goes: a white square of side size whose
// modules (quiet zone included) are bm.
type qrBox struct {
	x, y, size float64
	bm         [][]bool
}

// sheet is a laid-out souvenir: shapes first, in order, then the QR code,
// then the text.
type sheet struct {
	w, h   float64
	shapes []shape
	qr     qrBox
	texts  []textLine
	// margin is the space kept clear at the left and right edges; every
	// text line lies within it.
	margin float64
}

// Layout constants, in design pixels.
const (
	margin      = 72.0
	bandHeight  = 200.0 // the teal band with the symbol and campaign name
	stripe      = 12.0  // the orange stripe under it
	footBand    = 28.0  // the teal band at the bottom
	qrSide      = 288.0
	qrFrame     = 8.0
	lineSpacing = 1.28 // line height per em
)

// layouter lays text out with one measurer. It remembers each word's width
// at unit size, since shrinking text to fit measures the same words again
// at every size (widths scale with the size: the fonts are not hinted).
type layouter struct {
	m       measurer
	fs      *fontSet
	unitW   map[wordKey]float64
	spaceW  [2]float64 // regular, bold
	refSize float64
}

// wordKey is a word in a font.
type wordKey struct {
	bold bool
	s    string
}

// newLayouter returns a layouter that measures with m.
func newLayouter(m measurer, fs *fontSet) *layouter {
	l := &layouter{m: m, fs: fs, unitW: make(map[wordKey]float64), refSize: 256}
	l.spaceW[0] = l.unit(false, " ")
	l.spaceW[1] = l.unit(true, " ")
	return l
}

// unit returns the width of s at size 1.
func (l *layouter) unit(bold bool, s string) float64 {
	k := wordKey{bold, s}
	w, ok := l.unitW[k]
	if !ok {
		w = l.m.width(bold, l.refSize, s) / l.refSize
		l.unitW[k] = w
	}
	return w
}

// b2i indexes spaceW.
func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

// fitSlack keeps wrapped lines a little narrower than allowed: a line's
// width is estimated from its words, which ignores kerning at the spaces.
const fitSlack = 0.985

// wrap breaks s into lines no wider than maxW at size; a word wider than a
// line (a URL, say) is broken between characters.
func (l *layouter) wrap(s string, bold bool, size, maxW float64) []string {
	maxW *= fitSlack
	space := l.spaceW[b2i(bold)] * size
	var lines []string
	var cur strings.Builder
	curW := 0.0
	flush := func() {
		if cur.Len() > 0 {
			lines = append(lines, cur.String())
			cur.Reset()
			curW = 0
		}
	}
	for _, word := range strings.Fields(s) {
		ww := l.unit(bold, word) * size
		if cur.Len() > 0 && curW+space+ww <= maxW {
			cur.WriteByte(' ')
			cur.WriteString(word)
			curW += space + ww
			continue
		}
		flush()
		if ww <= maxW {
			cur.WriteString(word)
			curW = ww
			continue
		}
		// Break the long word between characters; the last piece starts
		// the next line.
		for word != "" {
			n := l.fitRunes(word, bold, size, maxW)
			if n == len(word) {
				cur.WriteString(word)
				curW = l.unit(bold, word) * size
				break
			}
			lines = append(lines, word[:n])
			word = word[n:]
		}
	}
	flush()
	return lines
}

// fitRunes returns how many bytes of s (whole runes, at least one) fit in
// maxW at size.
func (l *layouter) fitRunes(s string, bold bool, size, maxW float64) int {
	n := 0
	for i, r := range s {
		end := i + utf8.RuneLen(r)
		if i > 0 && l.m.width(bold, size, s[:end]) > maxW {
			break
		}
		n = end
	}
	return n
}

// fit finds the largest whole size from hi down to lo at which s wraps into
// at most maxLines lines of maxW, and returns it with the lines. At lo it
// gives up and returns however many lines s takes.
func (l *layouter) fit(s string, bold bool, hi, lo, maxW float64, maxLines int) (float64, []string) {
	for size := hi; ; size-- {
		if size <= lo {
			return lo, l.wrap(s, bold, lo, maxW)
		}
		if lines := l.wrap(s, bold, size, maxW); len(lines) <= maxLines {
			return size, lines
		}
	}
}

// fitAtDash breaks a two-part text such as "Không Một Mình – Cùng nhau an
// toàn trực tuyến" after its dash, where a reader pauses, and returns the
// largest size from hi down to lo at which both parts fit on a line. It
// returns no lines when s has no dash or the parts do not fit.
func (l *layouter) fitAtDash(s string, bold bool, hi, lo, maxW float64) (float64, []string) {
	for _, dash := range []string{" – ", " — "} {
		a, b, ok := strings.Cut(s, dash)
		if !ok {
			continue
		}
		parts := []string{a + strings.TrimRight(dash, " "), b}
		for size := hi; size >= lo; size-- {
			if l.m.width(bold, size, parts[0]) <= maxW*fitSlack && l.m.width(bold, size, parts[1]) <= maxW*fitSlack {
				return size, parts
			}
		}
	}
	return 0, nil
}

// block adds lines of text whose first line box starts at top, each aligned
// in [x0, x1] (align: -1 left, 0 centre, 1 right), and returns the y below
// the last line.
func (l *layouter) block(sh *sheet, lines []string, bold bool, size float64, col color.RGBA, x0, x1, top float64, align int) float64 {
	lh := size * lineSpacing
	// Centre the font's ascent+descent in the line box.
	pad := (lh - (l.fs.ascent+l.fs.descent)*size) / 2
	for i, s := range lines {
		w := l.m.width(bold, size, s)
		x := x0
		switch align {
		case 0:
			x = x0 + (x1-x0-w)/2
		case 1:
			x = x1 - w
		}
		y := top + float64(i)*lh + pad + l.fs.ascent*size
		sh.texts = append(sh.texts, textLine{x: x, y: y, size: size, bold: bold, color: col, s: s, w: w})
	}
	return top + float64(len(lines))*lh
}

// errNoFit is returned when the actions cannot be set even at the smallest
// size; the limits in clean keep it from happening.
var errNoFit = errors.New("the actions do not fit on the page")

// layout places everything a souvenir shows on a page designWidth wide and
// h high. c must be clean. It is shared by the PNG and the PDF, and tested
// on its own: every line it returns lies within the page's margins.
//
// When the actions do not fit, even in small type, the heading and the name
// are set smaller to make room: a long pledge matters more than a big name.
func layout(c Card, h float64, m measurer, fs *fontSet) (*sheet, error) {
	q, err := qrcode.New(c.VerifyURL, qrcode.Medium)
	if err != nil {
		return nil, err
	}
	l := newLayouter(m, fs)
	for _, squeeze := range []float64{1, 0.8, 0.6} {
		sh, err := layoutAt(c, h, l, q.Bitmap(), squeeze)
		if err != errNoFit {
			return sh, err
		}
	}
	return nil, errNoFit
}

// layoutAt is layout with the heading and name scaled by squeeze.
func layoutAt(c Card, h float64, l *layouter, qr [][]bool, squeeze float64) (*sheet, error) {
	const w = designWidth
	sq := func(size float64) float64 { return math.Round(size * squeeze) }
	sh := &sheet{w: w, h: h, margin: margin}
	add := func(p path, col color.RGBA) { sh.shapes = append(sh.shapes, shape{p, col}) }

	// Page, header band and stripe, footer band.
	add(rectPath(0, 0, w, h), cream)
	add(rectPath(0, 0, w, bandHeight), teal)
	add(rectPath(0, bandHeight, w, stripe), orange)
	add(rectPath(0, h-footBand, w, footBand), teal)

	// The symbol on a white disc, the campaign name beside it.
	const discR = 76.0
	dcx, dcy := margin+discR, bandHeight/2
	add(circlePath(dcx, dcy, discR), white)
	tealSym, orangeSym := symbolShapes()
	const symSide = 112.0
	s := symSide / symbolSize
	add(tealSym.transform(s, dcx-symSide/2, dcy-symSide/2), teal)
	add(orangeSym.transform(s, dcx-symSide/2, dcy-symSide/2), orange)
	if c.Campaign != "" {
		x0 := dcx + discR + 36
		size, lines := l.fitAtDash(c.Campaign, true, 44, 30, w-margin-x0)
		if lines == nil {
			size, lines = l.fit(c.Campaign, true, 44, 22, w-margin-x0, 2)
		}
		bh := float64(len(lines)) * size * lineSpacing
		l.block(sh, lines, true, size, white, x0, w-margin, (bandHeight-bh)/2, -1)
	}

	// Heading and name, centred.
	y := bandHeight + stripe + sq(44)
	if c.Heading != "" {
		size, lines := l.fit(c.Heading, true, sq(46), sq(28), w-2*margin, 1)
		y = l.block(sh, lines, true, size, orange, margin, w-margin, y, 0)
	}
	if c.Name != "" {
		size, lines := l.fit(c.Name, true, sq(76), sq(34), w-2*margin, 1)
		y = l.block(sh, lines, true, size, teal, margin, w-margin, y+4, 0)
	}
	const divW, divH = 140.0, 8.0
	add(roundRectPath((w-divW)/2, y+sq(22), divW, divH, divH/2), orange)
	actionsTop := y + sq(22) + divH + sq(30)

	// Footer, from the bottom up: the URL, then the QR code with the date,
	// the event and the scan hint beside it.
	urlSize, urlLines := l.fit(c.VerifyURL, false, 22, 14, w-2*margin, 1)
	urlTop := h - footBand - 20 - float64(len(urlLines))*urlSize*lineSpacing
	l.block(sh, urlLines, false, urlSize, muted, margin, w-margin, urlTop, 1)

	qx, qy := w-margin-qrSide, urlTop-10-qrSide
	add(roundRectPath(qx-qrFrame, qy-qrFrame, qrSide+2*qrFrame, qrSide+2*qrFrame, 20), teal)
	sh.qr = qrBox{x: qx, y: qy, size: qrSide, bm: qr}

	colX1 := qx - qrFrame - 40
	if err := footerColumn(l, sh, c, margin, colX1, qy, qy+qrSide); err != nil {
		return nil, err
	}

	if err := actions(l, sh, c.Actions, actionsTop, qy-qrFrame-36); err != nil {
		return nil, err
	}
	return sh, nil
}

// footerColumn sets the date and event at the top of [top, bottom] and the
// scan hint, with an arrow to the QR code, at its bottom, shrinking the
// event and the hint until they do not meet.
func footerColumn(l *layouter, sh *sheet, c Card, x0, x1, top, bottom float64) error {
	colW := x1 - x0
	const arrowW = 44.0
	for scale := 1.0; ; scale -= 0.05 {
		dateSize, dateLines := l.fit(c.Date, true, math.Round(40*scale), 18, colW, 1)
		evSize, evLines := l.fit(c.Event, false, math.Round(32*scale), 16, colW, 3)
		hintSize, hintLines := l.fit(c.ScanHint, true, math.Round(32*scale), 16, colW-arrowW-12, 2)
		lh := func(n int, size float64) float64 { return float64(n) * size * lineSpacing }
		used := lh(len(dateLines), dateSize) + 6 + lh(len(evLines), evSize) + 18 + lh(len(hintLines), hintSize)
		if used > bottom-top && scale > 0.5 {
			continue
		}
		y := l.block(sh, dateLines, true, dateSize, teal, x0, x1, top, -1)
		l.block(sh, evLines, false, evSize, ink, x0, x1, y+6, -1)
		if len(hintLines) > 0 {
			hintTop := bottom - lh(len(hintLines), hintSize)
			l.block(sh, hintLines, true, hintSize, teal, x0, x1, hintTop, -1)
			last := sh.texts[len(sh.texts)-1]
			ax := last.x + last.w + 12
			ay := last.y - 0.34*hintSize // about the middle of the x-height
			sh.shapes = append(sh.shapes, shape{arrowPath(ax, ay, arrowW, 0.5*hintSize), orange})
		}
		if used > bottom-top {
			return errNoFit
		}
		return nil
	}
}

// arrowPath is a right-pointing arrow from x to x+length, centred on y,
// h high at its head.
func arrowPath(x, y, length, h float64) path {
	shaft := h * 0.3
	head := h * 0.9
	return polygon(
		point{x, y - shaft/2}, point{x + length - head, y - shaft/2}, point{x + length - head, y - h/2},
		point{x + length, y}, point{x + length - head, y + h/2}, point{x + length - head, y + shaft/2},
		point{x, y + shaft/2},
	)
}

// actions sets the actions, each with a tick, in [top, bottom] at the
// largest size at which all of them fit.
func actions(l *layouter, sh *sheet, acts []string, top, bottom float64) error {
	const hi, lo = 40.0, 13.0
	avail := bottom - top
	for size := hi; size >= lo; size-- {
		indent := 1.5 * size
		gap := 0.5 * size
		wrapped := make([][]string, len(acts))
		height := gap * float64(len(acts)-1)
		for i, a := range acts {
			wrapped[i] = l.wrap(a, false, size, sh.w-2*sh.margin-indent)
			height += float64(len(wrapped[i])) * size * lineSpacing
		}
		if height > avail {
			continue
		}
		y := top + (avail-height)/3 // nearer the name than the footer
		x0 := sh.margin + indent
		for _, lines := range wrapped {
			n := len(sh.texts)
			y = l.block(sh, lines, false, size, ink, x0, sh.w-sh.margin, y, -1) + gap
			first := sh.texts[n]
			cx, cy, r := sh.margin+0.55*size, first.y-0.36*size, 0.55*size
			sh.shapes = append(sh.shapes,
				shape{circlePath(cx, cy, r), orange},
				shape{checkPath().transform(r*0.95, cx, cy), white})
		}
		return nil
	}
	return errNoFit
}
