// Command mkmedia makes the media library's starter files in
// content/media/files from sources in this repository: the videos (animated
// title cards of the quiz's key tips, with WebVTT captions in Vietnamese and
// English, encoded by ffmpeg), the ambassadors' story illustrations, and the
// pocket-guide PDFs, whose text comes from the quiz items, the help guides,
// the hotlines and the red-flag names of the i18n catalogues.
//
// Run it through content/media/make.sh, which checks the Debian tools it
// needs (ffmpeg; espeak-ng to narrate) and then the files. From the
// repository root:
//
//	go run ./tools/mkmedia [-only videos|stories|publications] [-narrate] [-out DIR]
//
// The sources are content/media/src/videos.yaml and
// content/media/src/publications.yaml; the stories' text is in
// content/media/stories. The same sources give the same bytes: PDFs carry a
// fixed date, and the videos are encoded without timestamps.
package main

import (
	"bytes"
	"encoding/binary"
	"encoding/xml"
	"errors"
	"flag"
	"fmt"
	"image"
	"image/color"
	"image/draw"
	"image/jpeg"
	"image/png"
	"io"
	"log"
	"maps"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"codeberg.org/go-pdf/fpdf"
	"github.com/goccy/go-yaml"
	"golang.org/x/image/font"
	"golang.org/x/image/font/opentype"
	"golang.org/x/image/math/fixed"
	"golang.org/x/image/vector"

	packs "github.com/notalone/notalone/content"
	"github.com/notalone/notalone/internal/content"
	"github.com/notalone/notalone/internal/help"
	"github.com/notalone/notalone/internal/i18n"
	"github.com/notalone/notalone/internal/quiz"
	"github.com/notalone/notalone/internal/souvenir"
)

// Paths relative to the repository root.
const (
	mediaDir   = "content/media"
	symbolFile = "internal/web/static/symbol.svg"
)

func main() {
	log.SetFlags(0)
	log.SetPrefix("mkmedia: ")
	root := flag.String("root", ".", "the repository root")
	only := flag.String("only", "all", "what to make: videos, stories, publications or all")
	narrate := flag.Bool("narrate", false, "narrate the videos with espeak-ng's Vietnamese voice (off: silent videos, as committed)")
	ffmpeg := flag.String("ffmpeg", "ffmpeg", "the ffmpeg program")
	espeak := flag.String("espeak", "espeak-ng", "the espeak-ng program (with -narrate)")
	out := flag.String("out", "", "write the files here instead of content/media/files (to try -narrate)")
	flag.Parse()

	m, err := newMaker(*root)
	if err != nil {
		log.Fatal(err)
	}
	if *out != "" {
		m.out = *out
		if err := os.MkdirAll(m.out, 0o755); err != nil {
			log.Fatal(err)
		}
	}
	m.ffmpeg, m.espeak, m.narrate = *ffmpeg, *espeak, *narrate
	steps := map[string]func() error{
		"videos":       m.videos,
		"stories":      m.stories,
		"publications": m.publications,
	}
	for _, name := range []string{"stories", "publications", "videos"} {
		if *only != "all" && *only != name {
			continue
		}
		if err := steps[name](); err != nil {
			log.Fatalf("%s: %v", name, err)
		}
	}
	if _, ok := steps[*only]; !ok && *only != "all" {
		log.Fatalf("-only %q: want videos, stories, publications or all", *only)
	}
}

// maker holds everything the files are made from.
type maker struct {
	root    string
	out     string // content/media/files
	items   map[string]*quiz.Item
	bundle  *content.Bundle
	guides  *help.Guides
	cat     *i18n.Catalog
	symbol  []shape // the campaign symbol, in its 64×64 viewBox
	regular *opentype.Font
	bold    *opentype.Font
	fontReg []byte
	fontB   []byte
	faces   map[faceKey]font.Face

	ffmpeg, espeak string
	narrate        bool
}

func newMaker(root string) (*maker, error) {
	b, err := content.Load(packs.FS)
	if err != nil {
		return nil, fmt.Errorf("content: %w", err)
	}
	var numbers []string
	for _, h := range b.Hotlines.Hotlines {
		numbers = append(numbers, h.Number)
	}
	g, err := help.LoadGuides(packs.FS, numbers)
	if err != nil {
		return nil, fmt.Errorf("help guides: %w", err)
	}
	cat, err := i18n.Load()
	if err != nil {
		return nil, err
	}
	svg, err := os.ReadFile(filepath.Join(root, symbolFile))
	if err != nil {
		return nil, err
	}
	sym, err := parseSymbol(svg)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", symbolFile, err)
	}
	reg, bold := souvenir.NotoSans()
	fr, err := opentype.Parse(reg)
	if err != nil {
		return nil, err
	}
	fb, err := opentype.Parse(bold)
	if err != nil {
		return nil, err
	}
	m := &maker{
		root: root, out: filepath.Join(root, mediaDir, "files"),
		items: map[string]*quiz.Item{}, bundle: b, guides: g, cat: cat, symbol: sym,
		regular: fr, bold: fb, fontReg: reg, fontB: bold, faces: map[faceKey]font.Face{},
	}
	for i := range b.Items {
		m.items[b.Items[i].ID] = &b.Items[i]
	}
	return m, os.MkdirAll(m.out, 0o755)
}

// readYAML decodes a source file strictly: an unknown field is an error.
func readYAML(path string, v any) error {
	b, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	if err := yaml.UnmarshalWithOptions(b, v, yaml.Strict(), yaml.DisallowUnknownField()); err != nil {
		return fmt.Errorf("%s: %s", path, yaml.FormatError(err, false, false))
	}
	return nil
}

// writeFile replaces path with data, through a temporary file, so that an
// interrupted run leaves the old file or the new one.
func writeFile(path string, data []byte) error {
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, data, 0o644); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}

// langs are the languages everything is made in, Vietnamese first.
var langs = []i18n.Lang{i18n.VI, i18n.EN}

// ---------------------------------------------------------------------------
// Colours (docs/design.md).

var (
	colTeal     = rgb(0x0F6B66)
	colTealDark = rgb(0x0B5450)
	colCoral    = rgb(0xE2582F) // decoration only, never text
	colHelp     = rgb(0xB8441F)
	colText     = rgb(0x1F2A2E)
	colMuted    = rgb(0x4A5A5E)
	colPage     = rgb(0xFFF8F0)
	colWhite    = rgb(0xFFFFFF)
	colWarm     = rgb(0xFFEFD6)
	colTint     = rgb(0xE6F3F0)
	colSun      = rgb(0xF4B942) // decoration only
	colHotline  = rgb(0x084440)
	colTrack    = rgb(0xE7DCCD)
)

func rgb(v uint32) color.RGBA {
	return color.RGBA{uint8(v >> 16), uint8(v >> 8), uint8(v), 0xFF}
}

// ---------------------------------------------------------------------------
// Shapes: paths of moves, lines and cubic Béziers, which both the rasteriser
// and fpdf draw, so one drawing serves the videos, the pictures and the PDFs.

type pt struct{ x, y float64 }

type seg struct {
	op byte // 'M', 'L', 'C', 'Z'
	p  [3]pt
}

type path []seg

type shape struct {
	p   path
	col color.RGBA
}

func (p path) transform(s, dx, dy float64) path {
	out := make(path, len(p))
	for i, g := range p {
		out[i].op = g.op
		for j, q := range g.p {
			out[i].p[j] = pt{q.x*s + dx, q.y*s + dy}
		}
	}
	return out
}

var kappa = 4 * (math.Sqrt2 - 1) / 3

func circle(cx, cy, r float64) path {
	return ellipse(cx, cy, r, r)
}

func ellipse(cx, cy, rx, ry float64) path {
	kx, ky := kappa*rx, kappa*ry
	return path{
		{op: 'M', p: [3]pt{{cx + rx, cy}}},
		{op: 'C', p: [3]pt{{cx + rx, cy + ky}, {cx + kx, cy + ry}, {cx, cy + ry}}},
		{op: 'C', p: [3]pt{{cx - kx, cy + ry}, {cx - rx, cy + ky}, {cx - rx, cy}}},
		{op: 'C', p: [3]pt{{cx - rx, cy - ky}, {cx - kx, cy - ry}, {cx, cy - ry}}},
		{op: 'C', p: [3]pt{{cx + kx, cy - ry}, {cx + rx, cy - ky}, {cx + rx, cy}}},
		{op: 'Z'},
	}
}

func rect(x, y, w, h float64) path {
	return polygon(pt{x, y}, pt{x + w, y}, pt{x + w, y + h}, pt{x, y + h})
}

func roundRect(x, y, w, h, r float64) path {
	r = math.Min(r, math.Min(w, h)/2)
	k := kappa * r
	return path{
		{op: 'M', p: [3]pt{{x + r, y}}},
		{op: 'L', p: [3]pt{{x + w - r, y}}},
		{op: 'C', p: [3]pt{{x + w - r + k, y}, {x + w, y + r - k}, {x + w, y + r}}},
		{op: 'L', p: [3]pt{{x + w, y + h - r}}},
		{op: 'C', p: [3]pt{{x + w, y + h - r + k}, {x + w - r + k, y + h}, {x + w - r, y + h}}},
		{op: 'L', p: [3]pt{{x + r, y + h}}},
		{op: 'C', p: [3]pt{{x + r - k, y + h}, {x, y + h - r + k}, {x, y + h - r}}},
		{op: 'L', p: [3]pt{{x, y + r}}},
		{op: 'C', p: [3]pt{{x, y + r - k}, {x + r - k, y}, {x + r, y}}},
		{op: 'Z'},
	}
}

func polygon(pts ...pt) path {
	p := make(path, 0, len(pts)+1)
	for i, q := range pts {
		op := byte('L')
		if i == 0 {
			op = 'M'
		}
		p = append(p, seg{op: op, p: [3]pt{q}})
	}
	return append(p, seg{op: 'Z'})
}

// band is a thick circular arc (a stroke the rasteriser can fill): from
// angle a0 to a1 (radians, y down), centred on radius r, thick t wide.
func band(cx, cy, r, t, a0, a1 float64) path {
	const n = 24
	var outer, inner []pt
	for i := 0; i <= n; i++ {
		a := a0 + (a1-a0)*float64(i)/n
		s, c := math.Sincos(a)
		outer = append(outer, pt{cx + (r+t/2)*c, cy + (r+t/2)*s})
		inner = append(inner, pt{cx + (r-t/2)*c, cy + (r-t/2)*s})
	}
	for i := len(inner) - 1; i >= 0; i-- {
		outer = append(outer, inner[i])
	}
	return polygon(outer...)
}

// line is a straight stroke of width w with square ends.
func line(a, b pt, w float64) path {
	dx, dy := b.x-a.x, b.y-a.y
	l := math.Hypot(dx, dy)
	nx, ny := -dy/l*w/2, dx/l*w/2
	return polygon(pt{a.x + nx, a.y + ny}, pt{b.x + nx, b.y + ny}, pt{b.x - nx, b.y - ny}, pt{a.x - nx, a.y - ny})
}

// ---------------------------------------------------------------------------
// The campaign symbol, read from internal/web/static/symbol.svg so that it
// is always the current drawing. The SVG uses circles and paths with plain
// fills in groups (docs/design.md); the path data uses M L H V C S A Z.

func parseSymbol(b []byte) ([]shape, error) {
	var doc struct {
		Groups []struct {
			Fill    string `xml:"fill,attr"`
			Circles []struct {
				CX float64 `xml:"cx,attr"`
				CY float64 `xml:"cy,attr"`
				R  float64 `xml:"r,attr"`
			} `xml:"circle"`
			Paths []struct {
				D string `xml:"d,attr"`
			} `xml:"path"`
		} `xml:"g"`
	}
	if err := xml.Unmarshal(b, &doc); err != nil {
		return nil, err
	}
	var out []shape
	for _, g := range doc.Groups {
		v, err := strconv.ParseUint(strings.TrimPrefix(g.Fill, "#"), 16, 32)
		if err != nil || len(g.Fill) != 7 {
			return nil, fmt.Errorf("fill %q: want #RRGGBB", g.Fill)
		}
		col := rgb(uint32(v))
		for _, c := range g.Circles {
			out = append(out, shape{circle(c.CX, c.CY, c.R), col})
		}
		for _, p := range g.Paths {
			q, err := parseSVGPath(p.D)
			if err != nil {
				return nil, err
			}
			out = append(out, shape{q, col})
		}
	}
	if len(out) == 0 {
		return nil, errors.New("no shapes")
	}
	return out, nil
}

// parseSVGPath turns SVG path data into a path, arcs as cubic Béziers.
func parseSVGPath(d string) (path, error) {
	var toks []string
	for i := 0; i < len(d); {
		c := d[i]
		switch {
		case c == ' ' || c == ',' || c == '\n' || c == '\t' || c == '\r':
			i++
		case strings.IndexByte("MmLlHhVvCcSsAaZz", c) >= 0:
			toks = append(toks, string(c))
			i++
		default:
			j, dot := i, false
			if d[j] == '-' || d[j] == '+' {
				j++
			}
			for j < len(d) && (d[j] >= '0' && d[j] <= '9' || d[j] == '.' && !dot) {
				dot = dot || d[j] == '.'
				j++
			}
			if j == i {
				return nil, fmt.Errorf("svg path: unexpected %q", c)
			}
			toks = append(toks, d[i:j])
			i = j
		}
	}
	var (
		p          path
		cur, start pt
		lastC2     pt
		lastCubic  bool
		cmd        byte
	)
	i := 0
	nums := func(n int) ([]float64, error) {
		v := make([]float64, n)
		for k := range v {
			if i >= len(toks) {
				return nil, fmt.Errorf("svg path: %c needs %d numbers", cmd, n)
			}
			x, err := strconv.ParseFloat(toks[i], 64)
			if err != nil {
				return nil, fmt.Errorf("svg path: %c needs %d numbers", cmd, n)
			}
			v[k] = x
			i++
		}
		return v, nil
	}
	for i < len(toks) {
		if t := toks[i]; len(t) == 1 && strings.Contains("MmLlHhVvCcSsAaZz", t) {
			cmd = t[0]
			i++
		} else if cmd == 0 {
			return nil, errors.New("svg path: number before a command")
		}
		off := pt{}
		if cmd >= 'a' {
			off = cur
		}
		cubic := false
		switch cmd | 0x20 {
		case 'm':
			v, err := nums(2)
			if err != nil {
				return nil, err
			}
			cur = pt{off.x + v[0], off.y + v[1]}
			start = cur
			p = append(p, seg{op: 'M', p: [3]pt{cur}})
			cmd = 'L' | cmd&0x20 // later pairs are line-tos
		case 'l':
			v, err := nums(2)
			if err != nil {
				return nil, err
			}
			cur = pt{off.x + v[0], off.y + v[1]}
			p = append(p, seg{op: 'L', p: [3]pt{cur}})
		case 'h':
			v, err := nums(1)
			if err != nil {
				return nil, err
			}
			cur = pt{off.x + v[0], cur.y}
			p = append(p, seg{op: 'L', p: [3]pt{cur}})
		case 'v':
			v, err := nums(1)
			if err != nil {
				return nil, err
			}
			cur = pt{cur.x, off.y + v[0]}
			p = append(p, seg{op: 'L', p: [3]pt{cur}})
		case 'c', 's':
			var c1 pt
			var rest []float64
			if cmd|0x20 == 'c' {
				v, err := nums(6)
				if err != nil {
					return nil, err
				}
				c1, rest = pt{off.x + v[0], off.y + v[1]}, v[2:]
			} else {
				v, err := nums(4)
				if err != nil {
					return nil, err
				}
				c1, rest = cur, v
				if lastCubic {
					c1 = pt{2*cur.x - lastC2.x, 2*cur.y - lastC2.y}
				}
			}
			c2 := pt{off.x + rest[0], off.y + rest[1]}
			end := pt{off.x + rest[2], off.y + rest[3]}
			p = append(p, seg{op: 'C', p: [3]pt{c1, c2, end}})
			cur, lastC2, cubic = end, c2, true
		case 'a':
			v, err := nums(7)
			if err != nil {
				return nil, err
			}
			end := pt{off.x + v[5], off.y + v[6]}
			p = append(p, arc(cur, v[0], v[1], v[2], v[3] != 0, v[4] != 0, end)...)
			cur = end
		case 'z':
			p = append(p, seg{op: 'Z'})
			cur = start
		}
		lastCubic = cubic
	}
	return p, nil
}

// arc converts an SVG elliptical arc into cubic Béziers of at most 90°
// each (SVG 1.1, appendix F.6.5).
func arc(p0 pt, rx, ry, rotDeg float64, large, sweep bool, p1 pt) path {
	if p0 == p1 {
		return nil
	}
	rx, ry = math.Abs(rx), math.Abs(ry)
	if rx == 0 || ry == 0 {
		return path{{op: 'L', p: [3]pt{p1}}}
	}
	sin, cos := math.Sincos(rotDeg * math.Pi / 180)
	dx, dy := (p0.x-p1.x)/2, (p0.y-p1.y)/2
	x1, y1 := cos*dx+sin*dy, -sin*dx+cos*dy
	if l := x1*x1/(rx*rx) + y1*y1/(ry*ry); l > 1 {
		rx, ry = rx*math.Sqrt(l), ry*math.Sqrt(l)
	}
	num := rx*rx*ry*ry - rx*rx*y1*y1 - ry*ry*x1*x1
	den := rx*rx*y1*y1 + ry*ry*x1*x1
	co := math.Sqrt(math.Max(0, num/den))
	if large == sweep {
		co = -co
	}
	cx1, cy1 := co*rx*y1/ry, -co*ry*x1/rx
	cx := cos*cx1 - sin*cy1 + (p0.x+p1.x)/2
	cy := sin*cx1 + cos*cy1 + (p0.y+p1.y)/2
	angle := func(ux, uy, vx, vy float64) float64 { return math.Atan2(ux*vy-uy*vx, ux*vx+uy*vy) }
	ux, uy := (x1-cx1)/rx, (y1-cy1)/ry
	vx, vy := (-x1-cx1)/rx, (-y1-cy1)/ry
	theta, delta := angle(1, 0, ux, uy), angle(ux, uy, vx, vy)
	if !sweep && delta > 0 {
		delta -= 2 * math.Pi
	} else if sweep && delta < 0 {
		delta += 2 * math.Pi
	}
	n := max(1, int(math.Ceil(math.Abs(delta)/(math.Pi/2)-1e-9)))
	step := delta / float64(n)
	t := 4.0 / 3.0 * math.Tan(step/4)
	at := func(a float64) (pt, pt) {
		sa, ca := math.Sincos(a)
		px, py, tx, ty := rx*ca, ry*sa, -rx*sa, ry*ca
		return pt{cos*px - sin*py + cx, sin*px + cos*py + cy}, pt{cos*tx - sin*ty, sin*tx + cos*ty}
	}
	var out path
	for k, a := 0, theta; k < n; k, a = k+1, a+step {
		pa, da := at(a)
		pb, db := at(a + step)
		if k == n-1 {
			pb = p1
		}
		out = append(out, seg{op: 'C', p: [3]pt{{pa.x + t*da.x, pa.y + t*da.y}, {pb.x - t*db.x, pb.y - t*db.y}, pb}})
	}
	return out
}

// symbolAt returns the symbol scaled to size (its 64-unit box) at (x, y).
func (m *maker) symbolAt(x, y, size float64) []shape {
	out := make([]shape, len(m.symbol))
	for i, s := range m.symbol {
		out[i] = shape{s.p.transform(size/64, x, y), s.col}
	}
	return out
}

// ---------------------------------------------------------------------------
// Raster drawing: shapes filled with anti-aliasing, text set in Noto Sans.

// fill draws p onto img in col.
func fill(img *image.RGBA, p path, col color.Color) {
	b := img.Bounds()
	z := vector.NewRasterizer(b.Dx(), b.Dy())
	z.DrawOp = draw.Over
	for _, g := range p {
		switch g.op {
		case 'M':
			z.MoveTo(float32(g.p[0].x), float32(g.p[0].y))
		case 'L':
			z.LineTo(float32(g.p[0].x), float32(g.p[0].y))
		case 'C':
			z.CubeTo(float32(g.p[0].x), float32(g.p[0].y), float32(g.p[1].x), float32(g.p[1].y), float32(g.p[2].x), float32(g.p[2].y))
		case 'Z':
			z.ClosePath()
		}
	}
	z.Draw(img, b, image.NewUniform(col), image.Point{})
}

func fillAll(img *image.RGBA, shapes []shape) {
	for _, s := range shapes {
		fill(img, s.p, s.col)
	}
}

type faceKey struct {
	bold bool
	size float64
}

// face returns Noto Sans at size pixels.
func (m *maker) face(bold bool, size float64) font.Face {
	k := faceKey{bold, size}
	if f, ok := m.faces[k]; ok {
		return f
	}
	fnt := m.regular
	if bold {
		fnt = m.bold
	}
	f, err := opentype.NewFace(fnt, &opentype.FaceOptions{Size: size, DPI: 72, Hinting: font.HintingNone})
	if err != nil {
		panic(err) // the embedded font is known to be good
	}
	m.faces[k] = f
	return f
}

func (m *maker) measure(bold bool, size float64, s string) float64 {
	return float64(font.MeasureString(m.face(bold, size), s)) / 64
}

// text draws s with its baseline at (x, y).
func (m *maker) text(img *image.RGBA, bold bool, size float64, col color.Color, x, y float64, s string) {
	d := font.Drawer{Dst: img, Src: image.NewUniform(col), Face: m.face(bold, size),
		Dot: fixed.Point26_6{X: fixed.Int26_6(x * 64), Y: fixed.Int26_6(y * 64)}}
	d.DrawString(s)
}

// wrap breaks s into lines no wider than maxW, at spaces, as measured by
// width. A word wider than maxW gets a line of its own.
func wrap(s string, maxW float64, width func(string) float64) []string {
	var lines []string
	for _, para := range strings.Split(s, "\n") {
		cur := ""
		for _, w := range strings.Fields(para) {
			try := w
			if cur != "" {
				try = cur + " " + w
			}
			if cur != "" && width(try) > maxW {
				lines = append(lines, cur)
				cur = w
				continue
			}
			cur = try
		}
		lines = append(lines, cur)
	}
	return lines
}

// balance breaks s into two lines of about the same width, preferring a
// break after punctuation: "Threatened online?" / "You are not alone".
func balance(s string, maxW float64, width func(string) float64) []string {
	words := strings.Fields(s)
	best, bestW := 1, math.Inf(1)
	for i := 1; i < len(words); i++ {
		a, b := strings.Join(words[:i], " "), strings.Join(words[i:], " ")
		w := math.Max(width(a), width(b))
		if w > maxW {
			continue
		}
		if strings.ContainsAny(a[len(a)-1:], ",.?!:;") {
			w *= 0.8
		}
		if w < bestW {
			best, bestW = i, w
		}
	}
	return []string{strings.Join(words[:best], " "), strings.Join(words[best:], " ")}
}

// twoLines prepares a title for wrapping: one with a colon breaks after it
// ("Spotting scams:" / "a pocket guide"), and one that needs two lines gets
// two of about the same width.
func twoLines(s string, maxW float64, width func(string) float64) string {
	if strings.Contains(s, ": ") {
		return strings.Replace(s, ": ", ":\n", 1)
	}
	if len(wrap(s, maxW, width)) == 2 {
		return strings.Join(balance(s, maxW, width), "\n")
	}
	return s
}

func encodePNG(img image.Image) ([]byte, error) {
	var buf bytes.Buffer
	err := (&png.Encoder{CompressionLevel: png.BestCompression}).Encode(&buf, img)
	return buf.Bytes(), err
}

// ---------------------------------------------------------------------------
// Videos.

// VideoSource is content/media/src/videos.yaml.
type VideoSource struct {
	Videos []Video `yaml:"videos"`
}

// Video is one video's script.
type Video struct {
	ID    string `yaml:"id"`
	Cards []Card `yaml:"cards"`
}

// Card is one title card.
type Card struct {
	Kind     string    `yaml:"kind"` // "", title or end
	Label    i18n.Text `yaml:"label"`
	Text     i18n.Text `yaml:"text"`
	Hotlines []string  `yaml:"hotlines"`
	Source   string    `yaml:"source"`
}

// The video format: 720p, 24 frames a second. The cards are flat colour
// and text, so H.264 at this quality keeps each video well under 2 MB.
const (
	vidW, vidH = 1280, 720
	fps        = 24
	fadeSec    = 0.4 // the cross-fade into the next card
)

// cardSeconds is how long a card stays on screen: time to read its
// Vietnamese text (2 s, then 15 characters a second), at least 4 s and
// at most 8 s, so that a video of eight cards lasts about a minute.
func cardSeconds(c Card) float64 {
	switch c.Kind {
	case "title":
		return 4
	case "end":
		return 6
	}
	n := utf8.RuneCountInString(c.Label.VI) + utf8.RuneCountInString(c.Text.VI)
	return math.Round(math.Min(8, math.Max(4, 2+float64(n)/15))*2) / 2
}

func (m *maker) videos() error {
	var src VideoSource
	if err := readYAML(filepath.Join(m.root, mediaDir, "src", "videos.yaml"), &src); err != nil {
		return err
	}
	for _, v := range src.Videos {
		if err := m.video(v); err != nil {
			return fmt.Errorf("%s: %w", v.ID, err)
		}
	}
	return nil
}

// sprite is a pre-drawn element of a card that animates in: it fades in
// and rises into place, starting delay seconds into the card.
type sprite struct {
	img   *image.RGBA
	at    image.Point
	delay float64
}

// cardFrames is a card drawn once: its background and its sprites.
type cardFrames struct {
	bg      *image.RGBA
	sprites []sprite
	start   float64 // seconds into the video
	dur     float64
	caption [2]string // vi, en
}

const riseSec, risePx = 0.5, 28.0

// frame draws the card t seconds after it started.
func (c *cardFrames) frame(dst *image.RGBA, t float64) {
	copy(dst.Pix, c.bg.Pix)
	for _, s := range c.sprites {
		u := (t - s.delay) / riseSec
		if u <= 0 {
			continue
		}
		e := 1.0
		if u < 1 {
			e = 1 - (1-u)*(1-u)*(1-u) // ease out
		}
		off := image.Pt(0, int(math.Round(risePx*(1-e))))
		r := s.img.Bounds().Add(s.at).Add(off)
		draw.DrawMask(dst, r, s.img, image.Point{}, image.NewUniform(color.Alpha{uint8(math.Round(255 * e))}), image.Point{}, draw.Over)
	}
}

func (m *maker) video(v Video) error {
	cards, total, err := m.layoutVideo(v)
	if err != nil {
		return err
	}
	var narration []byte
	if m.narrate {
		if narration, total, err = m.narration(v, cards); err != nil {
			return err
		}
	}
	poster, err := posterJPEG(cards)
	if err != nil {
		return err
	}
	if err := writeFile(filepath.Join(m.out, v.ID+".jpg"), poster); err != nil {
		return err
	}
	for l, vtt := range webVTT(cards) {
		if err := writeFile(filepath.Join(m.out, v.ID+"."+string(l)+".vtt"), vtt); err != nil {
			return err
		}
	}
	return m.encode(v.ID, cards, total, narration)
}

// layoutVideo draws a video's cards and times them.
func (m *maker) layoutVideo(v Video) ([]*cardFrames, float64, error) {
	if len(v.Cards) == 0 {
		return nil, 0, errors.New("no cards")
	}
	cards := make([]*cardFrames, len(v.Cards))
	t := 0.0
	for i, c := range v.Cards {
		cf, err := m.layoutCard(c)
		if err != nil {
			return nil, 0, fmt.Errorf("card %d: %w", i+1, err)
		}
		cf.start, cf.dur = t, cardSeconds(c)
		cards[i] = cf
		t += cf.dur
	}
	return cards, t, nil
}

// posterJPEG is the first card, fully shown.
func posterJPEG(cards []*cardFrames) ([]byte, error) {
	img := image.NewRGBA(image.Rect(0, 0, vidW, vidH))
	cards[0].frame(img, 99)
	var buf bytes.Buffer
	err := jpeg.Encode(&buf, img, &jpeg.Options{Quality: 85})
	return buf.Bytes(), err
}

// webVTT is the captions in each language: one cue a card.
func webVTT(cards []*cardFrames) map[i18n.Lang][]byte {
	out := map[i18n.Lang][]byte{}
	for li, l := range langs {
		var b strings.Builder
		b.WriteString("WEBVTT\n")
		for i, c := range cards {
			fmt.Fprintf(&b, "\n%d\n%s --> %s\n%s\n", i+1, vttTime(c.start), vttTime(c.start+c.dur), c.caption[li])
		}
		out[l] = []byte(b.String())
	}
	return out
}

func vttTime(s float64) string {
	ms := int64(math.Round(s * 1000))
	return fmt.Sprintf("%02d:%02d:%02d.%03d", ms/3600000, ms/60000%60, ms/1000%60, ms%1000)
}

// layoutCard draws a card's background and sprites, and writes its captions.
func (m *maker) layoutCard(c Card) (*cardFrames, error) {
	bg := image.NewRGBA(image.Rect(0, 0, vidW, vidH))
	cf := &cardFrames{bg: bg}
	back := colPage
	if c.Kind != "" {
		back = colWarm
	}
	draw.Draw(bg, bg.Bounds(), image.NewUniform(back), image.Point{}, draw.Src)
	// The progress track along the bottom; the bar is drawn per frame.
	draw.Draw(bg, image.Rect(0, vidH-10, vidW, vidH), image.NewUniform(colTrack), image.Point{}, draw.Src)

	var spr []sprite
	delay := 0.25
	add := func(img *image.RGBA, x, y int) {
		spr = append(spr, sprite{img: img, at: image.Pt(x, y), delay: delay})
		delay += 0.15
	}
	// textLines sets lines of text, centred or from x, one sprite a line.
	textLines := func(lines []string, bold bool, size float64, col color.Color, x, top int, centre bool) int {
		lh := int(math.Round(size * 1.32))
		for _, ln := range lines {
			w := int(math.Ceil(m.measure(bold, size, ln))) + 4
			// Room above the baseline for stacked Vietnamese diacritics.
			img := image.NewRGBA(image.Rect(0, 0, w, int(math.Ceil(size*1.65))))
			m.text(img, bold, size, col, 2, math.Round(size*1.2), ln)
			px := x
			if centre {
				px = (vidW - w) / 2
			}
			add(img, px, top-int(math.Round(size*0.15)))
			top += lh
		}
		return top
	}
	vi, en := c.Label.VI, c.Label.EN
	captions := func(a, b string) [2]string {
		return [2]string{strings.TrimSpace(vi + "\n" + a), strings.TrimSpace(en + "\n" + b)}
	}

	switch c.Kind {
	case "title":
		// Symbol, label and title, centred on the card.
		const sym = 220.0
		size := 72.0
		lines := wrap(c.Text.VI, 1100, func(s string) float64 { return m.measure(true, size, s) })
		if len(lines) > 2 {
			size = 58
			lines = wrap(c.Text.VI, 1100, func(s string) float64 { return m.measure(true, size, s) })
		}
		if len(lines) == 2 {
			lines = balance(c.Text.VI, 1100, func(s string) float64 { return m.measure(true, size, s) })
		}
		h := sym + 40 + float64(len(lines))*math.Round(size*1.32)
		if c.Label.VI != "" {
			h += math.Round(30*1.32) + 6
		}
		top := int((vidH - 10 - h) / 2)
		symImg := image.NewRGBA(image.Rect(0, 0, int(sym)+2, int(sym)+2))
		fillAll(symImg, m.symbolAt(1, 1, sym))
		add(symImg, int(vidW-sym)/2, top)
		top += int(sym) + 40
		if c.Label.VI != "" {
			top = textLines([]string{strings.ToUpper(c.Label.VI)}, true, 30, colTeal, 0, top, true) + 6
		}
		textLines(lines, true, size, colTealDark, 0, top, true)
		cf.caption = captions(c.Text.VI, c.Text.EN)
	case "end":
		textTop := textLines(wrap(c.Text.VI, 1100, func(s string) float64 { return m.measure(true, 48, s) }), true, 48, colText, 0, 80, true)
		// One box per hotline, side by side, between the text and the
		// campaign line.
		n := len(c.Hotlines)
		const boxW, boxH, gap = 500, 250, 48
		x0 := (vidW - (n*boxW + (n-1)*gap)) / 2
		top := (textTop+vidH-130)/2 - boxH/2
		var capVI, capEN []string
		for i, num := range c.Hotlines {
			h, ok := m.hotline(num)
			if !ok {
				return nil, fmt.Errorf("hotline %q is not in content/hotlines.yaml", num)
			}
			box := image.NewRGBA(image.Rect(0, 0, boxW, boxH))
			fill(box, roundRect(0, 0, boxW, boxH, 28), colTint)
			nw := m.measure(true, 130, num)
			m.text(box, true, 130, colHotline, (boxW-nw)/2, 146, num)
			nameLines := wrap(h.Name.VI, boxW-40, func(s string) float64 { return m.measure(true, 28, s) })
			for j, ln := range nameLines {
				w := m.measure(true, 28, ln)
				m.text(box, true, 28, colHotline, (boxW-w)/2, 200+float64(j)*36, ln)
			}
			add(box, x0+i*(boxW+gap), top)
			capVI = append(capVI, num+": "+h.Name.VI)
			capEN = append(capEN, num+": "+h.Name.EN)
		}
		// The campaign line and symbol, at the bottom.
		slogan := "Không Một Mình – Cùng nhau an toàn trực tuyến"
		const sz = 30.0
		w := m.measure(true, sz, slogan)
		foot := image.NewRGBA(image.Rect(0, 0, int(w)+80, 64))
		fillAll(foot, m.symbolAt(0, 4, 56))
		m.text(foot, true, sz, colTealDark, 72, 44, slogan)
		add(foot, (vidW-foot.Bounds().Dx())/2, vidH-120)
		cf.caption = [2]string{
			c.Text.VI + "\n" + strings.Join(capVI, "\n") + "\n" + slogan,
			c.Text.EN + "\n" + strings.Join(capEN, "\n") + "\nNot Alone – Together we are safe online",
		}
	case "":
		// Brand in the corner, a coral accent and the text, left-aligned.
		fillAll(bg, m.symbolAt(56, 40, 60))
		m.text(bg, true, 28, colTealDark, 130, 81, "Không Một Mình")
		const x, maxW = 120, 1060.0
		size := 60.0
		var label, lines []string
		for {
			label = nil
			if c.Label.VI != "" {
				label = wrap(c.Label.VI, maxW, func(s string) float64 { return m.measure(true, size*0.68, s) })
			}
			lines = wrap(c.Text.VI, maxW, func(s string) float64 { return m.measure(true, size, s) })
			if len(lines) <= 3 || size <= 44 {
				break
			}
			size -= 4
		}
		lh, llh := math.Round(size*1.32), math.Round(size*0.68*1.32)
		h := float64(len(lines))*lh + float64(len(label))*llh
		if len(label) > 0 {
			h += 18
		}
		top := int(150 + (vidH-150-60-h)/2)
		fill(bg, roundRect(x-36, float64(top)+4, 10, h-8, 5), colCoral)
		if len(label) > 0 {
			top = textLines(label, true, size*0.68, colTeal, x, top, false) + 18
		}
		textLines(lines, true, size, colText, x, top, false)
		if len(lines) > 4 {
			return nil, fmt.Errorf("%q is too long for a card", c.Text.VI)
		}
		cf.caption = captions(c.Text.VI, c.Text.EN)
	default:
		return nil, fmt.Errorf("kind %q: want title, end or none", c.Kind)
	}
	cf.sprites = spr
	return cf, nil
}

func (m *maker) hotline(number string) (content.Hotline, bool) {
	for _, h := range m.bundle.Hotlines.Hotlines {
		if h.Number == number {
			return h, true
		}
	}
	return content.Hotline{}, false
}

// encode draws every frame and pipes it to ffmpeg, which writes H.264 in an
// MP4 with the index first (faststart), so that playback starts before the
// whole file has arrived.
func (m *maker) encode(id string, cards []*cardFrames, total float64, narration []byte) error {
	out := filepath.Join(m.out, id+".mp4")
	tmp := filepath.Join(m.out, id+".tmp.mp4")
	args := []string{"-hide_banner", "-loglevel", "error", "-y",
		"-f", "rawvideo", "-pix_fmt", "rgba", "-s", fmt.Sprintf("%dx%d", vidW, vidH), "-framerate", strconv.Itoa(fps), "-i", "pipe:0"}
	var wav string
	if narration != nil {
		wav = filepath.Join(os.TempDir(), "mkmedia-"+id+".wav")
		if err := os.WriteFile(wav, narration, 0o600); err != nil {
			return err
		}
		defer os.Remove(wav)
		args = append(args, "-i", wav)
	}
	args = append(args,
		"-c:v", "libx264", "-preset", "medium", "-tune", "stillimage", "-crf", "30",
		"-pix_fmt", "yuv420p", "-profile:v", "main", "-level", "3.1", "-g", strconv.Itoa(fps*10),
		"-threads", "2", "-x264-params", "log-level=error")
	if narration != nil {
		args = append(args, "-c:a", "aac", "-b:a", "48k", "-ac", "1", "-shortest")
	} else {
		args = append(args, "-an")
	}
	args = append(args, "-map_metadata", "-1", "-fflags", "+bitexact", "-flags:v", "+bitexact", "-flags:a", "+bitexact",
		"-movflags", "+faststart", "-f", "mp4", tmp)
	log.Printf("%s %s", m.ffmpeg, strings.Join(args, " "))
	cmd := exec.Command(m.ffmpeg, args...)
	cmd.Stderr = os.Stderr
	stdin, err := cmd.StdinPipe()
	if err != nil {
		return err
	}
	if err := cmd.Start(); err != nil {
		return err
	}
	werr := writeFrames(stdin, cards, total)
	stdin.Close()
	if err := cmd.Wait(); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("ffmpeg: %w", err)
	}
	if werr != nil {
		os.Remove(tmp)
		return werr
	}
	return os.Rename(tmp, out)
}

// writeFrames writes every frame of the video as raw RGBA.
func writeFrames(w io.Writer, cards []*cardFrames, total float64) error {
	cur := image.NewRGBA(image.Rect(0, 0, vidW, vidH))
	next := image.NewRGBA(cur.Rect)
	n := int(math.Round(total * fps))
	ci := 0
	for f := 0; f < n; f++ {
		t := (float64(f) + 0.5) / fps
		for ci < len(cards)-1 && t >= cards[ci].start+cards[ci].dur {
			ci++
		}
		c := cards[ci]
		c.frame(cur, t-c.start)
		// Cross-fade into the next card's first frame.
		if left := c.start + c.dur - t; ci < len(cards)-1 && left < fadeSec {
			cards[ci+1].frame(next, 0)
			k := int(math.Round(256 * (1 - left/fadeSec)))
			for i, a := range cur.Pix {
				cur.Pix[i] = uint8((int(a)*(256-k) + int(next.Pix[i])*k) >> 8)
			}
		}
		// The progress bar.
		draw.Draw(cur, image.Rect(0, vidH-10, int(math.Round(vidW*t/total)), vidH), image.NewUniform(colTeal), image.Point{}, draw.Src)
		if _, err := w.Write(cur.Pix); err != nil {
			return err
		}
	}
	return nil
}

// narration speaks each card's Vietnamese text with espeak-ng, lengthening
// a card whose speech does not fit, and returns one WAV for the whole video
// and its new length. The committed videos are silent (see README.md).
func (m *maker) narration(v Video, cards []*cardFrames) ([]byte, float64, error) {
	var clips [][]int16
	rate := 0
	for i, c := range v.Cards {
		say := strings.TrimSpace(c.Label.VI + ". " + c.Text.VI)
		if c.Kind == "end" {
			say = c.Text.VI + " " + strings.Join(c.Hotlines, ", ")
		}
		out, err := exec.Command(m.espeak, "-v", "vi", "-s", "140", "--stdout", spokenVI.Replace(say)).Output()
		if err != nil {
			return nil, 0, fmt.Errorf("espeak-ng: %w", err)
		}
		r, samples, err := readWAV(out)
		if err != nil {
			return nil, 0, fmt.Errorf("espeak-ng output: %w", err)
		}
		if rate != 0 && r != rate {
			return nil, 0, errors.New("espeak-ng changed its sample rate")
		}
		rate = r
		clips = append(clips, samples)
		if need := float64(len(samples))/float64(r) + 0.9; need > cards[i].dur {
			cards[i].dur = math.Ceil(need*2) / 2
		}
	}
	t := 0.0
	for _, c := range cards {
		c.start = t
		t += c.dur
	}
	buf := make([]int16, int(t*float64(rate)))
	for i, s := range clips {
		copy(buf[int((cards[i].start+0.4)*float64(rate)):], s)
	}
	return wavBytes(rate, buf), t, nil
}

// spokenVI spells out what espeak-ng would otherwise misread: it reads 111
// as "one hundred and eleven" and a web address as English, while people
// say hotlines digit by digit.
var spokenVI = strings.NewReplacer(
	"111", "một một một", "113", "một một ba", "5656", "năm sáu năm sáu",
	"tinnhiemmang.vn", "tín nhiệm mạng chấm vê en", " · ", ", ",
)

// readWAV reads 16-bit mono PCM, as espeak-ng writes it.
func readWAV(b []byte) (rate int, samples []int16, err error) {
	if len(b) < 12 || string(b[:4]) != "RIFF" || string(b[8:12]) != "WAVE" {
		return 0, nil, errors.New("not a WAV file")
	}
	for p := 12; p+8 <= len(b); {
		id, n := string(b[p:p+4]), int(binary.LittleEndian.Uint32(b[p+4:p+8]))
		body := b[p+8 : min(len(b), p+8+n)]
		switch id {
		case "fmt ":
			if len(body) < 16 || binary.LittleEndian.Uint16(body[0:2]) != 1 || binary.LittleEndian.Uint16(body[2:4]) != 1 || binary.LittleEndian.Uint16(body[14:16]) != 16 {
				return 0, nil, errors.New("want 16-bit mono PCM")
			}
			rate = int(binary.LittleEndian.Uint32(body[4:8]))
		case "data":
			// espeak-ng writing to a pipe cannot seek back to fill in the
			// size, so the data runs to the end of the file.
			if n == 0 || n > len(b)-p-8 {
				body = b[p+8:]
			}
			samples = make([]int16, len(body)/2)
			for i := range samples {
				samples[i] = int16(binary.LittleEndian.Uint16(body[2*i:]))
			}
			if rate == 0 {
				return 0, nil, errors.New("data before fmt")
			}
			return rate, samples, nil
		}
		p += 8 + n + n%2
	}
	return 0, nil, errors.New("no data")
}

func wavBytes(rate int, s []int16) []byte {
	b := make([]byte, 44+2*len(s))
	copy(b, "RIFF")
	binary.LittleEndian.PutUint32(b[4:], uint32(36+2*len(s)))
	copy(b[8:], "WAVEfmt ")
	binary.LittleEndian.PutUint32(b[16:], 16)
	binary.LittleEndian.PutUint16(b[20:], 1)
	binary.LittleEndian.PutUint16(b[22:], 1)
	binary.LittleEndian.PutUint32(b[24:], uint32(rate))
	binary.LittleEndian.PutUint32(b[28:], uint32(rate*2))
	binary.LittleEndian.PutUint16(b[32:], 2)
	binary.LittleEndian.PutUint16(b[34:], 16)
	copy(b[36:], "data")
	binary.LittleEndian.PutUint32(b[40:], uint32(2*len(s)))
	for i, v := range s {
		binary.LittleEndian.PutUint16(b[44+2*i:], uint16(v))
	}
	return b
}

// ---------------------------------------------------------------------------
// Story illustrations: a friendly, invented young person (no real face:
// two dots and a smile) with the thing the story is about, and the
// campaign symbol. One PNG per story, files/story-<name>.png.

// look is how one ambassador is drawn.
type look struct {
	bg, skin, hair, shirt color.RGBA
	hairStyle             string // short, long, bun, ponytail
	prop                  string // what the story is about
}

// looks are the six ambassadors (content/media/stories/<name>.*.md).
var looks = map[string]look{
	"bao-ngoc":   {bg: colWarm, skin: rgb(0xE9B48A), hair: rgb(0x2B1B14), shirt: colTeal, hairStyle: "long", prop: "gift"},
	"quang-huy":  {bg: colTint, skin: rgb(0xD49A6A), hair: rgb(0x1E1A17), shirt: rgb(0xF4B942), hairStyle: "short", prop: "chat"},
	"thao-vy":    {bg: rgb(0xFCEBE4), skin: rgb(0xF0C39C), hair: rgb(0x3A2318), shirt: rgb(0x16324F), hairStyle: "ponytail", prop: "call"},
	"khanh-linh": {bg: colTint, skin: rgb(0xC98D5E), hair: rgb(0x231510), shirt: colCoral, hairStyle: "bun", prop: "lock"},
	"duc-anh":    {bg: colWarm, skin: rgb(0xE2A878), hair: rgb(0x17120F), shirt: rgb(0x0B5D59), hairStyle: "short", prop: "key"},
	"hoai-an":    {bg: rgb(0xFCEBE4), skin: rgb(0xDDA47A), hair: rgb(0x2E1D15), shirt: rgb(0x8A4B08), hairStyle: "long", prop: "stop"},
}

const picW, picH = 960, 640

func (m *maker) stories() error {
	for _, name := range slices.Sorted(maps.Keys(looks)) {
		b, err := m.illustrationPNG(name)
		if err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
		if err := writeFile(filepath.Join(m.out, "story-"+name+".png"), b); err != nil {
			return err
		}
	}
	return nil
}

// illustrationPNG draws the named ambassador's picture.
func (m *maker) illustrationPNG(name string) ([]byte, error) {
	lk, ok := looks[name]
	if !ok {
		return nil, fmt.Errorf("no look for %q", name)
	}
	img, err := m.illustration(lk)
	if err != nil {
		return nil, err
	}
	return encodePNG(paletted(img))
}

// paletted reduces a flat illustration to 256 colours (the anti-aliased
// edges included), which makes the PNG several times smaller.
func paletted(img *image.RGBA) image.Image {
	counts := map[color.RGBA]int{}
	for i := 0; i < len(img.Pix); i += 4 {
		counts[color.RGBA{img.Pix[i], img.Pix[i+1], img.Pix[i+2], img.Pix[i+3]}]++
	}
	if len(counts) <= 256 {
		pal := make(color.Palette, 0, len(counts))
		for _, c := range sortedColours(counts) {
			pal = append(pal, c)
		}
		out := image.NewPaletted(img.Bounds(), pal)
		draw.Draw(out, out.Bounds(), img, image.Point{}, draw.Src)
		return out
	}
	// The most common colours, then the rest mapped to the nearest.
	cs := sortedColours(counts)
	pal := make(color.Palette, 0, 256)
	for _, c := range cs[:256] {
		pal = append(pal, c)
	}
	out := image.NewPaletted(img.Bounds(), pal)
	draw.Draw(out, out.Bounds(), img, image.Point{}, draw.Src)
	return out
}

// sortedColours orders colours by how often they occur, then by value, so
// that the palette is the same on every run.
func sortedColours(counts map[color.RGBA]int) []color.Color {
	type cc struct {
		c color.RGBA
		n int
	}
	list := make([]cc, 0, len(counts))
	for c, n := range counts {
		list = append(list, cc{c, n})
	}
	sort.Slice(list, func(i, j int) bool {
		a, b := list[i], list[j]
		if a.n != b.n {
			return a.n > b.n
		}
		av := uint32(a.c.R)<<24 | uint32(a.c.G)<<16 | uint32(a.c.B)<<8 | uint32(a.c.A)
		bv := uint32(b.c.R)<<24 | uint32(b.c.G)<<16 | uint32(b.c.B)<<8 | uint32(b.c.A)
		return av < bv
	})
	out := make([]color.Color, len(list))
	for i, x := range list {
		out[i] = x.c
	}
	return out
}

func darker(c color.RGBA, f float64) color.RGBA {
	return color.RGBA{uint8(float64(c.R) * f), uint8(float64(c.G) * f), uint8(float64(c.B) * f), 0xFF}
}

func (m *maker) illustration(lk look) (*image.RGBA, error) {
	img := image.NewRGBA(image.Rect(0, 0, picW, picH))
	draw.Draw(img, img.Bounds(), image.NewUniform(lk.bg), image.Point{}, draw.Src)
	// Soft decoration: a large pale circle and the sun stripe.
	fill(img, circle(330, 380, 250), color.NRGBA{0xFF, 0xFF, 0xFF, 0x80})
	fill(img, rect(0, picH-26, picW, 10), colSun)

	// The young person, at the left.
	cx, cy := 330.0, 270.0 // head centre
	const r = 92.0
	if lk.hairStyle == "long" || lk.hairStyle == "bun" {
		fill(img, roundRect(cx-r-8, cy-40, 2*r+16, 230, 70), lk.hair)
	}
	if lk.hairStyle == "ponytail" {
		fill(img, ellipse(cx+r+8, cy+10, 34, 80), lk.hair)
	}
	// Body and neck.
	fill(img, roundRect(cx-150, cy+130, 300, 300, 120), lk.shirt)
	fill(img, rect(cx-28, cy+70, 56, 80), darker(lk.skin, 0.92))
	// Head.
	fill(img, circle(cx, cy, r), lk.skin)
	// Hair on top.
	switch lk.hairStyle {
	case "short":
		fill(img, band(cx, cy-6, r-6, 44, math.Pi*1.02, math.Pi*1.98), lk.hair)
		fill(img, ellipse(cx-10, cy-r+12, 70, 30), lk.hair)
	case "long", "ponytail":
		fill(img, band(cx, cy-4, r-10, 48, math.Pi*0.98, math.Pi*2.02), lk.hair)
		fill(img, ellipse(cx+20, cy-r+22, 64, 28), lk.hair)
	case "bun":
		fill(img, circle(cx, cy-r-18, 40), lk.hair)
		fill(img, band(cx, cy-4, r-10, 48, math.Pi*0.98, math.Pi*2.02), lk.hair)
	}
	// A simple, friendly face: two dots and a smile, rosy cheeks.
	eye := darker(lk.hair, 1)
	fill(img, circle(cx-32, cy+6, 9), eye)
	fill(img, circle(cx+32, cy+6, 9), eye)
	fill(img, band(cx, cy+18, 30, 8, math.Pi*0.2, math.Pi*0.8), eye)
	fill(img, circle(cx-56, cy+34, 14), color.NRGBA{0xE2, 0x58, 0x2F, 0x40})
	fill(img, circle(cx+56, cy+34, 14), color.NRGBA{0xE2, 0x58, 0x2F, 0x40})

	// The thing the story is about, at the right.
	if err := m.prop(img, lk); err != nil {
		return nil, err
	}
	// The campaign symbol on a white disc, top right.
	fill(img, circle(picW-80, 80, 52), colWhite)
	fillAll(img, m.symbolAt(picW-80-36, 80-36, 72))
	return img, nil
}

// phone draws a phone (or, wide, a tablet) with a light screen, and the
// hand that holds it; it returns the screen's rectangle.
func phone(img *image.RGBA, x, y, w, h float64, skin color.RGBA) (sx, sy, sw, sh float64) {
	fill(img, roundRect(x, y, w, h, 28), rgb(0x1B2B33))
	fill(img, roundRect(x+12, y+34, w-24, h-68, 10), colWhite)
	fill(img, ellipse(x+w/2, y+h+8, 54, 34), skin)
	return x + 12, y + 34, w - 24, h - 68
}

// bubble draws a chat bubble with a tail.
func bubble(img *image.RGBA, x, y, w, h float64, col color.RGBA, tailLeft bool) {
	fill(img, roundRect(x, y, w, h, 22), col)
	if tailLeft {
		fill(img, polygon(pt{x + 18, y + h - 4}, pt{x - 6, y + h + 22}, pt{x + 46, y + h - 4}), col)
	} else {
		fill(img, polygon(pt{x + w - 46, y + h - 4}, pt{x + w + 6, y + h + 22}, pt{x + w - 18, y + h - 4}), col)
	}
}

// glyph draws one character centred on (cx, cy).
func (m *maker) glyph(img *image.RGBA, s string, size float64, col color.Color, cx, cy float64) {
	w := m.measure(true, size, s)
	m.text(img, true, size, col, cx-w/2, cy+size*0.36, s)
}

func (m *maker) prop(img *image.RGBA, lk look) error {
	const px, py = 600.0, 150.0
	switch lk.prop {
	case "gift": // a phone and a gift box with a question mark
		sx, sy, sw, _ := phone(img, px-40, py, 190, 330, lk.skin)
		fill(img, roundRect(sx+20, sy+20, sw-40, 60, 10), colTint)
		fill(img, roundRect(sx+20, sy+96, sw-40, 24, 8), colTrack)
		fill(img, roundRect(sx+20, sy+130, sw-80, 24, 8), colTrack)
		fill(img, rect(px+190, py+200, 150, 120), colCoral)
		fill(img, rect(px+178, py+170, 174, 40), darker(colCoral, 0.85))
		fill(img, rect(px+253, py+170, 24, 150), colSun)
		fill(img, circle(px+265, py+90, 46), colWhite)
		m.glyph(img, "?", 70, colTealDark, px+265, py+90)
	case "chat": // bubbles around, one with a heart: a kind message
		sx, sy, sw, _ := phone(img, px-40, py+40, 180, 300, lk.skin)
		fill(img, roundRect(sx+14, sy+20, sw-60, 22, 8), colTrack)
		fill(img, roundRect(sx+40, sy+56, sw-54, 22, 8), colTint)
		fill(img, roundRect(sx+14, sy+92, sw-80, 22, 8), colTrack)
		bubble(img, px+170, py-40, 170, 90, colWhite, true)
		for i := 0; i < 3; i++ {
			fill(img, circle(px+215+float64(i)*40, py+5, 10), colTrack)
		}
		bubble(img, px+180, py+110, 150, 100, colTeal, true)
		// A heart: two circles and a triangle.
		hx, hy := px+255, py+160
		fill(img, circle(hx-16, hy-8, 18), colWhite)
		fill(img, circle(hx+16, hy-8, 18), colWhite)
		fill(img, polygon(pt{hx - 33, hy - 2}, pt{hx + 33, hy - 2}, pt{hx, hy + 32}), colWhite)
	case "call": // a video call with a big red hang-up button, and a shield
		sx, sy, sw, sh := phone(img, px-40, py, 200, 340, lk.skin)
		fill(img, rect(sx, sy, sw, sh), rgb(0x24404A))
		fill(img, circle(sx+sw/2, sy+80, 40), rgb(0x6B7A7E))
		fill(img, roundRect(sx+sw/2-60, sy+126, 120, 60, 30), rgb(0x6B7A7E))
		fill(img, circle(sx+sw/2, sy+sh-42, 30), colHelp)
		fill(img, line(pt{sx + sw/2 - 14, sy + sh - 42}, pt{sx + sw/2 + 14, sy + sh - 42}, 9), colWhite)
		// The shield.
		shx, shy := px+270, py+120.0
		fill(img, path{
			{op: 'M', p: [3]pt{{shx, shy - 80}}},
			{op: 'L', p: [3]pt{{shx + 80, shy - 50}}},
			{op: 'C', p: [3]pt{{shx + 80, shy + 30}, {shx + 40, shy + 80}, {shx, shy + 100}}},
			{op: 'C', p: [3]pt{{shx - 40, shy + 80}, {shx - 80, shy + 30}, {shx - 80, shy - 50}}},
			{op: 'Z'},
		}, colTeal)
		fill(img, line(pt{shx - 34, shy + 6}, pt{shx - 8, shy + 34}, 16), colWhite)
		fill(img, line(pt{shx - 14, shy + 34}, pt{shx + 38, shy - 22}, 16), colWhite)
	case "lock": // a tablet, a padlock and a warning bubble
		sx, sy, sw, sh := phone(img, px-80, py+60, 300, 220, lk.skin)
		fill(img, roundRect(sx+20, sy+20, sw-40, sh-40, 12), colTint)
		fill(img, roundRect(sx+50, sy+50, 60, 50, 10), colSun)
		fill(img, roundRect(sx+130, sy+50, 60, 50, 10), rgb(0x9AD2C8))
		bubble(img, px+160, py-60, 130, 100, colHelp, true)
		m.glyph(img, "!", 72, colWhite, px+225, py-10)
		lx, ly := px+270, py+330.0
		fill(img, band(lx, ly-40, 34, 16, math.Pi, 2*math.Pi), rgb(0x6B7A7E))
		fill(img, rect(lx-42, ly-40, 16, 40), rgb(0x6B7A7E))
		fill(img, rect(lx+26, ly-40, 16, 40), rgb(0x6B7A7E))
		fill(img, roundRect(lx-56, ly-6, 112, 90, 14), colTeal)
		fill(img, circle(lx, ly+30, 12), colWhite)
		fill(img, rect(lx-5, ly+30, 10, 30), colWhite)
	case "key": // a phone showing a hidden code, and a key
		sx, sy, sw, _ := phone(img, px-40, py, 190, 330, lk.skin)
		fill(img, roundRect(sx+16, sy+60, sw-32, 70, 12), colTint)
		for i := 0; i < 6; i++ {
			m.glyph(img, "*", 44, colTealDark, sx+30+float64(i)*(sw-60)/5, sy+100)
		}
		kx, ky := px+250, py+240.0
		fill(img, circle(kx, ky, 52), colSun)
		fill(img, circle(kx, ky, 20), lk.bg)
		fill(img, rect(kx+40, ky-12, 110, 24), colSun)
		fill(img, rect(kx+110, ky+8, 20, 34), colSun)
		fill(img, rect(kx+80, ky+8, 16, 26), colSun)
	case "stop": // a raised hand saying stop, and a phone with a coin
		sx, sy, sw, _ := phone(img, px+40, py+40, 180, 300, lk.skin)
		fill(img, circle(sx+sw/2, sy+80, 46), colSun)
		m.glyph(img, "đ", 56, darker(colSun, 0.5), sx+sw/2, sy+74)
		bubble(img, sx+sw-10, py-50, 100, 100, colHelp, true)
		m.glyph(img, "!", 70, colWhite, sx+sw+40, py)
		// The raised hand: a palm and four fingers and a thumb.
		hx, hy := px-70, py+150.0
		fill(img, roundRect(hx-50, hy, 100, 110, 36), lk.skin)
		for i := 0; i < 4; i++ {
			fill(img, roundRect(hx-50+float64(i)*26, hy-70, 22, 96, 11), lk.skin)
		}
		fill(img, roundRect(hx+36, hy+26, 70, 26, 13), lk.skin)
		fill(img, roundRect(hx-30, hy+110, 60, 90, 20), lk.shirt)
	default:
		return fmt.Errorf("unknown prop %q", lk.prop)
	}
	return nil
}

// ---------------------------------------------------------------------------
// Publications.

// PublicationSource is content/media/src/publications.yaml.
type PublicationSource struct {
	Colophon     i18n.Text     `yaml:"colophon"`
	Publications []Publication `yaml:"publications"`
}

// Publication is one pocket guide.
type Publication struct {
	ID       string    `yaml:"id"`
	Size     string    `yaml:"size"` // A6 or A5
	Title    i18n.Text `yaml:"title"`
	Subtitle i18n.Text `yaml:"subtitle"`
	Pages    []Page    `yaml:"pages"`
}

// Page is one page after the cover.
type Page struct {
	Heading i18n.Text `yaml:"heading"`
	Intro   i18n.Text `yaml:"intro"`
	List    string    `yaml:"list"` // bullets (default), numbered or plain
	Start   int       `yaml:"start"`
	Blocks  []Block   `yaml:"blocks"`
}

// Block says where a piece of a page comes from (see publications.yaml).
type Block struct {
	Flag        string    `yaml:"flag"`
	From        string    `yaml:"from"`
	Tip         string    `yaml:"tip"`
	Explanation string    `yaml:"explanation"`
	Options     string    `yaml:"options"`
	Correct     *bool     `yaml:"correct"`
	IDs         []string  `yaml:"ids"`
	Guide       string    `yaml:"guide"`
	Part        string    `yaml:"part"`
	Pick        []int     `yaml:"pick"`
	Titled      bool      `yaml:"titled"`
	Hotline     string    `yaml:"hotline"`
	Resource    string    `yaml:"resource"`
	Text        i18n.Text `yaml:"text"`
	Title       i18n.Text `yaml:"title"`
	Subheading  i18n.Text `yaml:"subheading"`
}

// entry is a block resolved to text: what a page shows.
type entry struct {
	title, body i18n.Text
	sub         bool   // a subheading
	plain       bool   // a paragraph, not a list item
	wrong       bool   // an answer that is not the right thing to do
	hotline     string // the number, for a hotline's box
}

// resolve turns a block into the entries it stands for, from the content.
func (m *maker) resolve(b Block) ([]entry, error) {
	set := 0
	for _, s := range []string{b.Flag, b.Tip, b.Explanation, b.Options, b.Guide, b.Hotline, b.Resource} {
		if s != "" {
			set++
		}
	}
	if !b.Text.IsZero() {
		set++
	}
	if !b.Subheading.IsZero() {
		set++
	}
	if set != 1 {
		return nil, fmt.Errorf("block %+v: want exactly one of flag, tip, explanation, options, guide, hotline, resource, text, subheading", b)
	}
	item := func(id string) (*quiz.Item, error) {
		it, ok := m.items[id]
		if !ok {
			return nil, fmt.Errorf("no quiz item %q", id)
		}
		return it, nil
	}
	switch {
	case b.Flag != "":
		it, err := item(b.From)
		if err != nil {
			return nil, err
		}
		for _, f := range it.Flags {
			if f.Code == b.Flag {
				name := i18n.Text{VI: m.cat.For(i18n.VI).T("flag." + b.Flag), EN: m.cat.For(i18n.EN).T("flag." + b.Flag)}
				if name.VI == "flag."+b.Flag {
					return nil, fmt.Errorf("no catalogue name for flag %q", b.Flag)
				}
				return []entry{{title: name, body: f.Explanation}}, nil
			}
		}
		return nil, fmt.Errorf("item %q does not flag %q", b.From, b.Flag)
	case b.Tip != "":
		it, err := item(b.Tip)
		if err != nil {
			return nil, err
		}
		return []entry{{body: it.Tip}}, nil
	case b.Explanation != "":
		it, err := item(b.Explanation)
		if err != nil {
			return nil, err
		}
		return []entry{{body: it.Explanation, plain: true}}, nil
	case b.Options != "":
		it, err := item(b.Options)
		if err != nil {
			return nil, err
		}
		var out []entry
		for _, o := range it.Options {
			if b.Correct != nil && o.Correct != *b.Correct {
				continue
			}
			if len(b.IDs) > 0 && !slices.Contains(b.IDs, o.ID) {
				continue
			}
			fb := i18n.Text{VI: stripVerdict(o.Feedback.VI), EN: stripVerdict(o.Feedback.EN)}
			out = append(out, entry{title: o.Text, body: fb, wrong: !o.Correct})
		}
		if len(out) == 0 {
			return nil, fmt.Errorf("item %q: no options selected", b.Options)
		}
		return out, nil
	case b.Guide != "":
		g, ok := m.guides.Guide(b.Guide)
		if !ok {
			return nil, fmt.Errorf("no help guide %q", b.Guide)
		}
		if b.Part == "intro" {
			e := entry{body: g.Intro, plain: true}
			if b.Titled {
				e.title = g.Title
			}
			return []entry{e}, nil
		}
		var list []i18n.Text
		switch b.Part {
		case "now":
			list = g.Now
		case "dont":
			list = g.Dont
		case "evidence":
			list = g.Evidence
		default:
			return nil, fmt.Errorf("guide %q: part %q: want intro, now, dont or evidence", b.Guide, b.Part)
		}
		var out []entry
		for _, i := range b.Pick {
			if i < 0 || i >= len(list) {
				return nil, fmt.Errorf("guide %q: %s has no entry %d", b.Guide, b.Part, i)
			}
			out = append(out, entry{body: list[i]})
		}
		if len(out) == 0 {
			return nil, fmt.Errorf("guide %q: pick some entries of %s", b.Guide, b.Part)
		}
		return out, nil
	case b.Hotline != "":
		h, ok := m.hotline(b.Hotline)
		if !ok {
			return nil, fmt.Errorf("no hotline %q", b.Hotline)
		}
		body := h.Description
		if !h.Also.IsZero() {
			body = i18n.Text{VI: body.VI + " " + h.Also.VI, EN: body.EN + " " + h.Also.EN}
		}
		return []entry{{title: h.Name, body: body, hotline: h.Number}}, nil
	case b.Resource != "":
		for _, r := range m.bundle.Hotlines.Resources {
			if r.ID == b.Resource {
				return []entry{{title: r.Name, body: r.Description}}, nil
			}
		}
		return nil, fmt.Errorf("no resource %q", b.Resource)
	case !b.Subheading.IsZero():
		return []entry{{title: b.Subheading, sub: true}}, nil
	}
	return []entry{{title: b.Title, body: b.Text}}, nil
}

// verdicts open the quiz's feedback on a right answer ("Yes.", "Đúng.").
// A guide lists only what to do, so the verdict is dropped there.
var verdicts = []string{"Yes", "Right", "Exactly", "Spot on", "Chuẩn", "Đúng", "Đúng vậy", "Đúng rồi", "Chính xác"}

func stripVerdict(s string) string {
	for _, v := range verdicts {
		for _, p := range []string{". ", "! "} {
			if strings.HasPrefix(s, v+p) {
				return s[len(v+p):]
			}
		}
	}
	return s
}

// pdfEpoch stands in for the clock in the PDFs' dates, so that the same
// sources make the same bytes.
var pdfEpoch = time.Date(2025, 10, 6, 0, 0, 0, 0, time.UTC)

// paper is a page size in millimetres, and k how much larger than A6 its
// type is set.
type paper struct {
	w, h, k float64
}

var papers = map[string]paper{
	"A6": {105, 148, 1},
	"A5": {148, 210, 1.25},
}

const ptMM = 25.4 / 72 // millimetres per point

func (m *maker) publications() error {
	var src PublicationSource
	if err := readYAML(filepath.Join(m.root, mediaDir, "src", "publications.yaml"), &src); err != nil {
		return err
	}
	for _, p := range src.Publications {
		for _, l := range langs {
			b, err := m.publication(p, l, src.Colophon.In(l))
			if err != nil {
				return fmt.Errorf("%s (%s): %w", p.ID, l, err)
			}
			if err := writeFile(filepath.Join(m.out, p.ID+"."+string(l)+".pdf"), b); err != nil {
				return err
			}
		}
		b, err := m.coverPNG(p)
		if err != nil {
			return fmt.Errorf("%s: cover: %w", p.ID, err)
		}
		if err := writeFile(filepath.Join(m.out, p.ID+".png"), b); err != nil {
			return err
		}
	}
	return nil
}

// The cover picture of a publication in the library's listing: one for
// both languages (the library has one cover per item), drawn like the
// PDF's first page, with the Vietnamese title and the English one under it.
const coverW, coverH = 480, 678

func (m *maker) coverPNG(p Publication) ([]byte, error) {
	img := image.NewRGBA(image.Rect(0, 0, coverW, coverH))
	draw.Draw(img, img.Bounds(), image.NewUniform(colWarm), image.Point{}, draw.Src)
	panel := coverH - 150
	draw.Draw(img, image.Rect(0, panel, coverW, coverH), image.NewUniform(colWhite), image.Point{}, draw.Src)
	draw.Draw(img, image.Rect(0, panel-10, coverW, panel), image.NewUniform(colSun), image.Point{}, draw.Src)
	const sym = 150.0
	fillAll(img, m.symbolAt((coverW-sym)/2, 56, sym))

	centred := func(s string, bold bool, size float64, col color.Color, y float64) float64 {
		for _, ln := range wrap(s, coverW-60, func(t string) float64 { return m.measure(bold, size, t) }) {
			m.text(img, bold, size, col, (coverW-m.measure(bold, size, ln))/2, y+size, ln)
			y += math.Round(size * 1.3)
		}
		return y
	}
	title := twoLines(p.Title.VI, coverW-60, func(t string) float64 { return m.measure(true, 34, t) })
	size := 34.0
	for len(wrap(title, coverW-60, func(t string) float64 { return m.measure(true, size, t) })) > 4 {
		size -= 2
	}
	y := centred(title, true, size, colTealDark, 56+sym+30)
	y = centred(p.Title.EN, false, 20, colMuted, y+12)
	if y > float64(panel-20) {
		return nil, fmt.Errorf("the titles do not fit on the cover")
	}
	y = centred("Không Một Mình · Not Alone", true, 24, colTealDark, float64(panel+28))
	centred("#khongmotminh", false, 18, colMuted, y+4)
	return encodePNG(img)
}

// doc is a publication being set in one language.
type doc struct {
	*fpdf.Fpdf
	m     *maker
	pp    paper
	lang  i18n.Lang
	title string
}

func (m *maker) publication(p Publication, l i18n.Lang, colophon string) ([]byte, error) {
	pp, ok := papers[p.Size]
	if !ok {
		return nil, fmt.Errorf("size %q: want A6 or A5", p.Size)
	}
	pdf := fpdf.NewCustom(&fpdf.InitType{UnitStr: "mm", Size: fpdf.SizeType{Wd: pp.w, Ht: pp.h}})
	pdf.SetMargins(0, 0, 0)
	pdf.SetAutoPageBreak(false, 0)
	pdf.SetCreationDate(pdfEpoch)
	pdf.SetModificationDate(pdfEpoch)
	pdf.SetCatalogSort(true)
	pdf.SetTitle(p.Title.In(l), true)
	pdf.SetSubject(p.Subtitle.In(l), true)
	pdf.SetAuthor("Không Một Mình – Not Alone", true)
	pdf.SetCreator("notalone tools/mkmedia", true)
	pdf.SetLang(map[i18n.Lang]string{i18n.VI: "vi-VN", i18n.EN: "en"}[l])
	pdf.SetDisplayMode("fullpage", "SinglePage")
	pdf.AddUTF8FontFromBytes("noto", "", m.fontReg)
	pdf.AddUTF8FontFromBytes("noto", "B", m.fontB)
	d := &doc{Fpdf: pdf, m: m, pp: pp, lang: l, title: p.Title.In(l)}

	d.cover(p)
	// Every page's text, and the largest type size at which every page
	// fits: one size for the whole publication.
	k := pp.k
	size := 10.5 * k
	pages := make([][][]entry, len(p.Pages))
	colophons := make([]string, len(p.Pages))
	colophons[len(p.Pages)-1] = colophon
	for i, pg := range p.Pages {
		for _, b := range pg.Blocks {
			e, err := m.resolve(b)
			if err != nil {
				return nil, fmt.Errorf("page %d: %w", i+2, err)
			}
			pages[i] = append(pages[i], e)
		}
		for size >= 7*k && !d.body(pg, pages[i], size, colophons[i], false) {
			size -= 0.25
		}
		if size < 7*k {
			return nil, fmt.Errorf("page %d: %q does not fit, even at %.1f pt", i+2, pg.Heading.In(l), 7*k)
		}
	}
	for i, pg := range p.Pages {
		d.page(pg, pages[i], size, i+2, 1+len(p.Pages), colophons[i])
	}
	if err := pdf.Error(); err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	if err := pdf.Output(&buf); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

func (d *doc) fillColor(c color.RGBA) { d.SetFillColor(int(c.R), int(c.G), int(c.B)) }
func (d *doc) textColor(c color.RGBA) { d.SetTextColor(int(c.R), int(c.G), int(c.B)) }

// shape fills a path (in millimetres).
func (d *doc) shape(p path, c color.RGBA) {
	d.fillColor(c)
	for _, g := range p {
		switch g.op {
		case 'M':
			d.MoveTo(g.p[0].x, g.p[0].y)
		case 'L':
			d.LineTo(g.p[0].x, g.p[0].y)
		case 'C':
			d.CurveBezierCubicTo(g.p[0].x, g.p[0].y, g.p[1].x, g.p[1].y, g.p[2].x, g.p[2].y)
		case 'Z':
			d.ClosePath()
		}
	}
	d.DrawPath("F")
}

func (d *doc) symbol(x, y, size float64) {
	for _, s := range d.m.symbolAt(x, y, size) {
		d.shape(s.p, s.col)
	}
}

// lines wraps s at size points to width w millimetres.
func (d *doc) lines(s string, bold bool, size, w float64) []string {
	d.SetFont("noto", style(bold), size)
	return wrap(s, w, func(t string) float64 { return d.GetStringWidth(t) })
}

func style(bold bool) string {
	if bold {
		return "B"
	}
	return ""
}

// para sets wrapped text from (x, y), the top of the first line, and
// returns the y under it; with draw false it only measures.
func (d *doc) para(s string, bold bool, size float64, col color.RGBA, x, y, w float64, centre, draw bool) float64 {
	lh := size * ptMM * 1.36
	for _, ln := range d.lines(s, bold, size, w) {
		if draw {
			d.SetFont("noto", style(bold), size)
			d.textColor(col)
			lx := x
			if centre {
				lx = x + (w-d.GetStringWidth(ln))/2
			}
			d.Text(lx, y+size*ptMM*1.02, ln)
		}
		y += lh
	}
	return y
}

func (d *doc) cover(p Publication) {
	d.AddPage()
	W, H, k := d.pp.w, d.pp.h, d.pp.k
	d.fillColor(colWarm)
	d.Rect(0, 0, W, H, "F")
	// The bottom panel with the campaign's name.
	panel := H - 36*k
	d.fillColor(colWhite)
	d.Rect(0, panel, W, H-panel, "F")
	d.fillColor(colSun)
	d.Rect(0, panel-2.2*k, W, 2.2*k, "F")

	sym := 38 * k
	d.symbol((W-sym)/2, 16*k, sym)
	y := 16*k + sym + 8*k
	d.SetFont("noto", "B", 17*k)
	title := twoLines(p.Title.In(d.lang), W-18*k, func(t string) float64 { return d.GetStringWidth(t) })
	size := 17.0 * k
	for len(d.lines(title, true, size, W-18*k)) > 4 && size > 12*k {
		size -= 0.5
	}
	y = d.para(title, true, size, colTealDark, 9*k, y, W-18*k, true, true)
	d.para(p.Subtitle.In(d.lang), false, 10*k, colText, 9*k, y+3*k, W-18*k, true, true)

	name, slogan := "Không Một Mình", "Cùng nhau an toàn trực tuyến"
	if d.lang == i18n.EN {
		name, slogan = "Not Alone", "Together we are safe online"
	}
	y = panel + 8*k
	y = d.para(name, true, 13*k, colTealDark, 0, y, W, true, true)
	y = d.para(slogan, false, 9*k, colText, 0, y+0.5*k, W, true, true)
	d.para("#khongmotminh", false, 8*k, colMuted, 0, y+1.5*k, W, true, true)
}

// page sets page n of total, its text at size points.
func (d *doc) page(pg Page, entries [][]entry, size float64, n, total int, colophon string) {
	k := d.pp.k
	d.AddPage()
	W, H := d.pp.w, d.pp.h
	// Running head: the symbol and the title; a rule; the page number.
	d.symbol(8*k, 5.5*k, 7*k)
	d.SetFont("noto", "", 6.5*k)
	d.textColor(colMuted)
	head := d.title
	for d.GetStringWidth(head) > W-26*k {
		r := []rune(head)
		head = strings.TrimSpace(string(r[:len(r)-2])) + "…"
	}
	d.Text(17*k, 10.5*k, head)
	d.fillColor(colTeal)
	d.Rect(8*k, 14.5*k, W-16*k, 0.5*k, "F")
	num := fmt.Sprintf("%d / %d", n, total)
	d.Text(W-8*k-d.GetStringWidth(num), H-5.5*k, num)
	d.SetFont("noto", "B", 6.5*k)
	d.textColor(colTealDark)
	d.Text(8*k, H-5.5*k, "#khongmotminh")
	d.body(pg, entries, size, colophon, true)
}

// body lays out a page's heading, intro and entries at type size s, and
// reports whether they fit; with draw it also draws them.
func (d *doc) body(pg Page, entries [][]entry, s float64, colophon string, draw bool) bool {
	k := d.pp.k
	W, H := d.pp.w, d.pp.h
	x0, x1 := 9*k, W-9*k
	bottom := H - 11*k
	if colophon != "" {
		// The colophon sits at the foot of the last page.
		ch := d.para(colophon, false, 6*k, colMuted, x0, 0, x1-x0, false, false)
		top := bottom - ch
		if draw {
			d.fillColor(colTrack)
			d.Rect(x0, top-2.5*k, x1-x0, 0.3*k, "F")
			d.para(colophon, false, 6*k, colMuted, x0, top, x1-x0, false, true)
		}
		bottom = top - 5*k
	}
	y := 20 * k
	y = d.para(pg.Heading.In(d.lang), true, s*1.45, colTealDark, x0, y, x1-x0, false, draw) + 1.5*k
	if !pg.Intro.IsZero() {
		y = d.para(pg.Intro.In(d.lang), false, s, colMuted, x0, y, x1-x0, false, draw) + 1*k
	}
	num := pg.Start
	if num == 0 {
		num = 1
	}
	indent := s * ptMM * 2.1
	if pg.List == "plain" {
		indent = 0
	}
	for _, es := range entries {
		for _, e := range es {
			y += s * ptMM * 0.55
			if e.sub {
				y = d.para(e.title.In(d.lang), true, s*1.08, colTeal, x0, y+s*ptMM*0.3, x1-x0, false, draw)
				continue
			}
			if e.hotline != "" {
				y = d.hotlineBox(e, s, x0, x1, y, draw)
				continue
			}
			bx := x0 + indent
			if e.plain {
				bx = x0
			}
			top := y
			if !e.title.IsZero() {
				y = d.para(e.title.In(d.lang), true, s, colText, bx, y, x1-bx, false, draw)
			}
			if !e.body.IsZero() {
				y = d.para(e.body.In(d.lang), false, s, colText, bx, y, x1-bx, false, draw)
			}
			if e.plain {
				continue
			}
			if draw {
				d.marker(pg.List, num, s, x0, top, e.wrong)
			}
			num++
		}
	}
	return y <= bottom
}

// marker draws a list item's bullet or number, beside the line at top.
func (d *doc) marker(list string, num int, s, x, top float64, wrong bool) {
	mid := top + s*ptMM*0.68
	switch {
	case list == "plain":
	case wrong:
		// A small terracotta cross: the words say "don't" too.
		r, c := s*ptMM*0.3, pt{x + s*ptMM*0.45, mid}
		d.shape(line(pt{c.x - r, c.y - r}, pt{c.x + r, c.y + r}, s*ptMM*0.16), colHelp)
		d.shape(line(pt{c.x - r, c.y + r}, pt{c.x + r, c.y - r}, s*ptMM*0.16), colHelp)
	case list == "numbered":
		r := s * ptMM * 0.72
		d.fillColor(colTeal)
		d.Circle(x+r, mid, r, "F")
		d.SetFont("noto", "B", s*0.9)
		d.textColor(colWhite)
		t := strconv.Itoa(num)
		d.Text(x+r-d.GetStringWidth(t)/2, mid+s*0.9*ptMM*0.36, t)
	default:
		d.fillColor(colTeal)
		d.Circle(x+s*ptMM*0.45, mid, s*ptMM*0.28, "F")
	}
}

// hotlineBox sets a hotline: its number large in a tinted box, its name
// and what it is for.
func (d *doc) hotlineBox(e entry, s, x0, x1, y float64, draw bool) float64 {
	k := d.pp.k
	pad := 2.5 * k
	numSize := s * 2.2
	d.SetFont("noto", "B", numSize)
	nw := d.GetStringWidth(e.hotline)
	tx := x0 + pad + nw + 3*k
	h := d.para(e.title.In(d.lang), true, s, colHotline, tx, 0, x1-pad-tx, false, false)
	h = d.para(e.body.In(d.lang), false, s*0.95, colText, tx, h, x1-pad-tx, false, false)
	h = math.Max(h, numSize*ptMM*1.2) + 2*pad
	if draw {
		d.fillColor(colTint)
		d.RoundedRect(x0, y, x1-x0, h, 2*k, "1234", "F")
		d.SetFont("noto", "B", numSize)
		d.textColor(colHotline)
		d.Text(x0+pad, y+pad+numSize*ptMM*0.95, e.hotline)
		ty := d.para(e.title.In(d.lang), true, s, colHotline, tx, y+pad, x1-pad-tx, false, true)
		d.para(e.body.In(d.lang), false, s*0.95, colText, tx, ty, x1-pad-tx, false, true)
	}
	return y + h
}
