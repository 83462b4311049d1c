package souvenir

import (
	"bytes"
	"fmt"
	"image/color"
	"time"

	"codeberg.org/go-pdf/fpdf"
)

// The card is A6 portrait. fpdf's own "A6" is 148.5 mm high, so the size
// is given in points.
const (
	mmToPt     = 72 / 25.4
	cardWidth  = 105 * mmToPt
	cardHeight = 148 * mmToPt
)

// pdfEpoch stands in for the creation date fpdf would otherwise take from
// the clock, which would make the same card a different file every time.
// The card prints its real date.
var pdfEpoch = time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)

// fontFamily is the name the card's fonts are registered under in fpdf.
const fontFamily = "noto"

// PDF renders c as a printable A6 portrait card. The fonts are embedded as
// subsets with a ToUnicode map, so the text can be searched and copied;
// the symbol and the QR code are vector drawings.
func PDF(c Card) ([]byte, error) {
	c, err := c.clean()
	if err != nil {
		return nil, fmt.Errorf("souvenir pdf: %w", err)
	}
	fs, err := fonts()
	if err != nil {
		return nil, fmt.Errorf("souvenir pdf: %w", err)
	}
	pdf := newDoc(c)
	if err := pdf.Error(); err != nil {
		return nil, fmt.Errorf("souvenir pdf: %w", err)
	}

	k := cardWidth / designWidth // points per design pixel
	sh, err := layout(c, cardHeight/k, pdfMeasure{pdf, k}, fs)
	if err != nil {
		return nil, fmt.Errorf("souvenir pdf: %w", err)
	}

	for _, s := range sh.shapes {
		setFill(pdf, s.color)
		tracePath(pdf, s.p, k)
		pdf.DrawPath("F")
	}

	// The QR code: a white square, then every run of dark modules as one
	// path, so that a rasteriser leaves no hairlines between them.
	q := sh.qr
	setFill(pdf, white)
	pdf.Rect(q.x*k, q.y*k, q.size*k, q.size*k, "F")
	mod := q.size / float64(len(q.bm))
	var runs path
	for y, row := range q.bm {
		for x := 0; x < len(row); {
			if !row[x] {
				x++
				continue
			}
			run := x
			for run < len(row) && row[run] {
				run++
			}
			runs = append(runs, rectPath(q.x+float64(x)*mod, q.y+float64(y)*mod, float64(run-x)*mod, mod)...)
			x = run
		}
	}
	setFill(pdf, black)
	tracePath(pdf, runs, k)
	pdf.DrawPath("F")

	for _, t := range sh.texts {
		pdf.SetFont(fontFamily, style(t.bold), t.size*k)
		pdf.SetTextColor(int(t.color.R), int(t.color.G), int(t.color.B))
		pdf.Text(t.x*k, t.y*k, t.s)
	}

	var buf bytes.Buffer
	if err := pdf.Output(&buf); err != nil {
		return nil, fmt.Errorf("souvenir pdf: %w", err)
	}
	return buf.Bytes(), nil
}

// newDoc starts the card's PDF: one A6 page, no margins, the fonts loaded.
func newDoc(c Card) *fpdf.Fpdf {
	pdf := fpdf.NewCustom(&fpdf.InitType{
		OrientationStr: "P",
		UnitStr:        "pt",
		Size:           fpdf.SizeType{Wd: cardWidth, Ht: cardHeight},
	})
	pdf.SetMargins(0, 0, 0)
	pdf.SetAutoPageBreak(false, 0)
	pdf.SetCreationDate(pdfEpoch)
	pdf.SetModificationDate(pdfEpoch)
	pdf.SetCatalogSort(true) // fpdf walks maps: sort them, for the same bytes every time
	pdf.SetTitle(c.Campaign, true)
	pdf.AddUTF8FontFromBytes(fontFamily, "", []byte(notoRegular))
	pdf.AddUTF8FontFromBytes(fontFamily, "B", []byte(notoBold))
	pdf.AddPage()
	return pdf
}

// pdfMeasure measures text with fpdf's widths for the card's fonts, in
// design pixels (k points each).
type pdfMeasure struct {
	pdf *fpdf.Fpdf
	k   float64
}

// width implements measurer.
func (m pdfMeasure) width(bold bool, size float64, s string) float64 {
	m.pdf.SetFont(fontFamily, style(bold), size*m.k)
	return m.pdf.GetStringWidth(s) / m.k
}

// style is fpdf's name for the regular or bold style.
func style(bold bool) string {
	if bold {
		return "B"
	}
	return ""
}

// setFill sets the colour of the next fill.
func setFill(pdf *fpdf.Fpdf, c color.RGBA) {
	pdf.SetFillColor(int(c.R), int(c.G), int(c.B))
}

// tracePath adds p, scaled by k, to pdf's current path.
func tracePath(pdf *fpdf.Fpdf, p path, k float64) {
	for _, o := range p {
		switch o.kind {
		case opMove:
			pdf.MoveTo(o.p[0].x*k, o.p[0].y*k)
		case opLine:
			pdf.LineTo(o.p[0].x*k, o.p[0].y*k)
		case opCubic:
			pdf.CurveBezierCubicTo(o.p[0].x*k, o.p[0].y*k, o.p[1].x*k, o.p[1].y*k, o.p[2].x*k, o.p[2].y*k)
		case opClose:
			pdf.ClosePath()
		}
	}
}
