package souvenir

import (
	"fmt"
	"math"
	"strconv"
	"strings"
)

// point is a position in the units of whatever is being drawn.
type point struct{ x, y float64 }

// opKind is one step of a path.
type opKind uint8

const (
	opMove  opKind = iota // p[0]
	opLine                // p[0]
	opCubic               // control p[0], p[1], end p[2]
	opClose
)

// op is one path step. Paths hold only moves, lines and cubic Béziers: the
// three things both golang.org/x/image/vector and fpdf draw, so one path
// serves the PNG and the PDF.
type op struct {
	kind opKind
	p    [3]point
}

// path is a closed outline (or several), filled with the non-zero rule.
type path []op

// transform returns p scaled by s and then moved by (dx, dy).
func (p path) transform(s, dx, dy float64) path {
	out := make(path, len(p))
	for i, o := range p {
		out[i].kind = o.kind
		for j, q := range o.p {
			out[i].p[j] = point{q.x*s + dx, q.y*s + dy}
		}
	}
	return out
}

// bounds returns the box around every point of p, control points included
// (a Bézier stays inside the hull of its control points).
func (p path) bounds() (minX, minY, maxX, maxY float64) {
	minX, minY = math.Inf(1), math.Inf(1)
	maxX, maxY = math.Inf(-1), math.Inf(-1)
	for _, o := range p {
		n := 1
		switch o.kind {
		case opClose:
			n = 0
		case opCubic:
			n = 3
		}
		for _, q := range o.p[:n] {
			minX, maxX = math.Min(minX, q.x), math.Max(maxX, q.x)
			minY, maxY = math.Min(minY, q.y), math.Max(maxY, q.y)
		}
	}
	return minX, minY, maxX, maxY
}

// kappa places the control points of a cubic Bézier quarter circle.
var kappa = 4 * (math.Sqrt2 - 1) / 3

// circlePath is a circle as four cubic Béziers.
func circlePath(cx, cy, r float64) path {
	k := kappa * r
	return path{
		{kind: opMove, p: [3]point{{cx + r, cy}}},
		{kind: opCubic, p: [3]point{{cx + r, cy + k}, {cx + k, cy + r}, {cx, cy + r}}},
		{kind: opCubic, p: [3]point{{cx - k, cy + r}, {cx - r, cy + k}, {cx - r, cy}}},
		{kind: opCubic, p: [3]point{{cx - r, cy - k}, {cx - k, cy - r}, {cx, cy - r}}},
		{kind: opCubic, p: [3]point{{cx + k, cy - r}, {cx + r, cy - k}, {cx + r, cy}}},
		{kind: opClose},
	}
}

// rectPath is an axis-aligned rectangle.
func rectPath(x, y, w, h float64) path {
	return polygon(point{x, y}, point{x + w, y}, point{x + w, y + h}, point{x, y + h})
}

// roundRectPath is a rectangle with corners of radius r.
func roundRectPath(x, y, w, h, r float64) path {
	r = math.Min(r, math.Min(w, h)/2)
	k := kappa * r
	return path{
		{kind: opMove, p: [3]point{{x + r, y}}},
		{kind: opLine, p: [3]point{{x + w - r, y}}},
		{kind: opCubic, p: [3]point{{x + w - r + k, y}, {x + w, y + r - k}, {x + w, y + r}}},
		{kind: opLine, p: [3]point{{x + w, y + h - r}}},
		{kind: opCubic, p: [3]point{{x + w, y + h - r + k}, {x + w - r + k, y + h}, {x + w - r, y + h}}},
		{kind: opLine, p: [3]point{{x + r, y + h}}},
		{kind: opCubic, p: [3]point{{x + r - k, y + h}, {x, y + h - r + k}, {x, y + h - r}}},
		{kind: opLine, p: [3]point{{x, y + r}}},
		{kind: opCubic, p: [3]point{{x, y + r - k}, {x + r - k, y}, {x + r, y}}},
		{kind: opClose},
	}
}

// polygon is a closed outline through pts.
func polygon(pts ...point) path {
	p := make(path, 0, len(pts)+1)
	for i, q := range pts {
		k := opLine
		if i == 0 {
			k = opMove
		}
		p = append(p, op{kind: k, p: [3]point{q}})
	}
	return append(p, op{kind: opClose})
}

// checkPath is a bold tick that fits in the unit circle around (0, 0), y
// pointing down: the bullet of each pledged action.
func checkPath() path {
	return polygon(
		point{-0.56, 0.02}, point{-0.37, -0.17}, point{-0.13, 0.07},
		point{0.38, -0.44}, point{0.57, -0.25}, point{-0.13, 0.45},
	)
}

// The campaign symbol, copied from internal/web/static/symbol.svg (64×64
// viewBox); TestSymbolMatchesSVG fails when the two drift apart.
var (
	symbolTeal = struct {
		circles [][3]float64 // cx, cy, r
		paths   []string     // SVG path data
	}{
		circles: [][3]float64{{10.5, 15, 5.5}, {53.5, 15, 5.5}},
		paths: []string{
			"M31 7.5 13.68 24.82A4.5 4.5 0 0 0 6 28V39C6 50 17 57 31 61.5V51.5C21.5 47.5 15 45 15 39V33.4L31 17.4Z",
			"M33 7.5 50.32 24.82A4.5 4.5 0 0 1 58 28V39C58 50 47 57 33 61.5V51.5C42.5 47.5 49 45 49 39V33.4L33 17.4Z",
		},
	}
	symbolOrange = struct {
		circles [][3]float64
		paths   []string
	}{
		circles: [][3]float64{{32, 28.5, 5.2}},
		paths: []string{
			"M23 45C23 39.5 27 36.5 32 36.5S41 39.5 41 45C38.5 46.8 35.3 48 32 48.8 28.7 48 25.5 46.8 23 45Z",
		},
	}
)

// symbolSize is the side of the symbol's viewBox.
const symbolSize = 64

// symbolShapes is the symbol as two paths in viewBox units: the teal people
// and the orange child. It is a pure function of the constants above; the
// SVG data is known to parse, so an error is a programming error.
func symbolShapes() (teal, orange path) {
	build := func(circles [][3]float64, paths []string) path {
		var p path
		for _, c := range circles {
			p = append(p, circlePath(c[0], c[1], c[2])...)
		}
		for _, d := range paths {
			q, err := parseSVGPath(d)
			if err != nil {
				panic(err)
			}
			p = append(p, q...)
		}
		return p
	}
	return build(symbolTeal.circles, symbolTeal.paths), build(symbolOrange.circles, symbolOrange.paths)
}

// parseSVGPath turns SVG path data into a path. It knows the commands the
// symbol uses and their relative forms — M L H V C S A Z — with implicit
// repetition, which is all that a hand-written icon needs; arcs become
// cubic Béziers.
func parseSVGPath(d string) (path, error) {
	toks, err := svgTokens(d)
	if err != nil {
		return nil, err
	}
	var (
		p          path
		cur, start point
		lastCtrl   point // second control point of the last cubic, for S
		lastCubic  bool
		cmd        byte
		i          int
	)
	num := func() (float64, error) {
		if i >= len(toks) || toks[i].cmd != 0 {
			return 0, fmt.Errorf("svg path: command %c: missing number", cmd)
		}
		i++
		return toks[i-1].num, nil
	}
	nums := func(n int) ([]float64, error) {
		v := make([]float64, n)
		for k := range v {
			x, err := num()
			if err != nil {
				return nil, err
			}
			v[k] = x
		}
		return v, nil
	}
	for i < len(toks) {
		if toks[i].cmd != 0 {
			cmd = toks[i].cmd
			i++
		} else if cmd == 0 {
			return nil, fmt.Errorf("svg path: number before any command")
		}
		rel := cmd >= 'a'
		off := point{}
		if rel {
			off = cur
		}
		wasCubic := false
		switch cmd | 0x20 { // lower case
		case 'm':
			v, err := nums(2)
			if err != nil {
				return nil, err
			}
			cur = point{off.x + v[0], off.y + v[1]}
			start = cur
			p = append(p, op{kind: opMove, p: [3]point{cur}})
			// Numbers after a moveto are implicit linetos.
			if rel {
				cmd = 'l'
			} else {
				cmd = 'L'
			}
		case 'l':
			v, err := nums(2)
			if err != nil {
				return nil, err
			}
			cur = point{off.x + v[0], off.y + v[1]}
			p = append(p, op{kind: opLine, p: [3]point{cur}})
		case 'h':
			v, err := num()
			if err != nil {
				return nil, err
			}
			cur = point{off.x + v, cur.y}
			p = append(p, op{kind: opLine, p: [3]point{cur}})
		case 'v':
			v, err := num()
			if err != nil {
				return nil, err
			}
			cur = point{cur.x, off.y + v}
			p = append(p, op{kind: opLine, p: [3]point{cur}})
		case 'c', 's':
			var c1 point
			var rest []float64
			if cmd|0x20 == 'c' {
				v, err := nums(6)
				if err != nil {
					return nil, err
				}
				c1, rest = point{off.x + v[0], off.y + v[1]}, v[2:]
			} else {
				v, err := nums(4)
				if err != nil {
					return nil, err
				}
				// The first control point mirrors the last one.
				c1, rest = cur, v
				if lastCubic {
					c1 = point{2*cur.x - lastCtrl.x, 2*cur.y - lastCtrl.y}
				}
			}
			c2 := point{off.x + rest[0], off.y + rest[1]}
			end := point{off.x + rest[2], off.y + rest[3]}
			p = append(p, op{kind: opCubic, p: [3]point{c1, c2, end}})
			cur, lastCtrl, wasCubic = end, c2, true
		case 'a':
			v, err := nums(7)
			if err != nil {
				return nil, err
			}
			end := point{off.x + v[5], off.y + v[6]}
			p = append(p, arcToCubics(cur, v[0], v[1], v[2], v[3] != 0, v[4] != 0, end)...)
			cur = end
		case 'z':
			p = append(p, op{kind: opClose})
			cur = start
		default:
			return nil, fmt.Errorf("svg path: unsupported command %c", cmd)
		}
		lastCubic = wasCubic
	}
	return p, nil
}

// svgToken is a command letter or a number.
type svgToken struct {
	cmd byte
	num float64
}

// svgTokens splits SVG path data into commands and numbers.
func svgTokens(d string) ([]svgToken, error) {
	var toks []svgToken
	for i := 0; i < len(d); {
		c := d[i]
		switch {
		case c == ' ' || c == ',' || c == '\t' || c == '\n' || c == '\r':
			i++
		case strings.IndexByte("MmLlHhVvCcSsAaZz", c) >= 0:
			toks = append(toks, svgToken{cmd: c})
			i++
		default:
			// A number: sign, digits, one dot, exponent. "1.5.5" is two.
			j, dot := i, false
			if d[j] == '+' || d[j] == '-' {
				j++
			}
			for j < len(d) && (d[j] >= '0' && d[j] <= '9' || d[j] == '.' && !dot) {
				dot = dot || d[j] == '.'
				j++
			}
			if j < len(d) && (d[j] == 'e' || d[j] == 'E') {
				j++
				if j < len(d) && (d[j] == '+' || d[j] == '-') {
					j++
				}
				for j < len(d) && d[j] >= '0' && d[j] <= '9' {
					j++
				}
			}
			v, err := strconv.ParseFloat(d[i:j], 64)
			if err != nil {
				return nil, fmt.Errorf("svg path: bad number at %d: %q", i, d[i:min(j+1, len(d))])
			}
			toks = append(toks, svgToken{num: v})
			i = j
		}
	}
	return toks, nil
}

// arcToCubics converts an SVG elliptical arc from p0 to p1 into cubic
// Béziers of at most 90° each, following the endpoint-to-centre conversion
// of SVG 1.1 appendix F.6.5–F.6.6.
func arcToCubics(p0 point, rx, ry, rotDeg float64, large, sweep bool, p1 point) path {
	if p0 == p1 {
		return nil
	}
	rx, ry = math.Abs(rx), math.Abs(ry)
	if rx == 0 || ry == 0 {
		return path{{kind: opLine, p: [3]point{p1}}}
	}
	phi := rotDeg * math.Pi / 180
	sin, cos := math.Sincos(phi)
	// F.6.5.1: the midpoint in the ellipse's own axes.
	dx, dy := (p0.x-p1.x)/2, (p0.y-p1.y)/2
	x1 := cos*dx + sin*dy
	y1 := -sin*dx + cos*dy
	// F.6.6: scale radii up that are too small to reach.
	if l := x1*x1/(rx*rx) + y1*y1/(ry*ry); l > 1 {
		s := math.Sqrt(l)
		rx, ry = rx*s, ry*s
	}
	// F.6.5.2: the centre in the ellipse's axes.
	num := rx*rx*ry*ry - rx*rx*y1*y1 - ry*ry*x1*x1
	den := rx*rx*y1*y1 + ry*ry*x1*x1
	co := math.Sqrt(math.Max(0, num/den))
	if large == sweep {
		co = -co
	}
	cx1, cy1 := co*rx*y1/ry, -co*ry*x1/rx
	// F.6.5.3: the centre in user space.
	cx := cos*cx1 - sin*cy1 + (p0.x+p1.x)/2
	cy := sin*cx1 + cos*cy1 + (p0.y+p1.y)/2
	// F.6.5.5–6: start angle and sweep.
	angle := func(ux, uy, vx, vy float64) float64 {
		a := math.Atan2(ux*vy-uy*vx, ux*vx+uy*vy)
		return a
	}
	ux, uy := (x1-cx1)/rx, (y1-cy1)/ry
	vx, vy := (-x1-cx1)/rx, (-y1-cy1)/ry
	theta := angle(1, 0, ux, uy)
	delta := angle(ux, uy, vx, vy)
	if !sweep && delta > 0 {
		delta -= 2 * math.Pi
	} else if sweep && delta < 0 {
		delta += 2 * math.Pi
	}
	// Split into segments of at most 90° and approximate each with the
	// standard 4/3·tan(θ/4) control-point distance.
	n := int(math.Ceil(math.Abs(delta)/(math.Pi/2) - 1e-9))
	n = max(n, 1)
	step := delta / float64(n)
	t := 4.0 / 3.0 * math.Tan(step/4)
	onEllipse := func(a float64) (point, point) { // point and derivative
		sa, ca := math.Sincos(a)
		px, py := rx*ca, ry*sa
		tx, ty := -rx*sa, ry*ca
		return point{cos*px - sin*py + cx, sin*px + cos*py + cy},
			point{cos*tx - sin*ty, sin*tx + cos*ty}
	}
	out := make(path, 0, n)
	a := theta
	for k := 0; k < n; k++ {
		b := a + step
		pa, da := onEllipse(a)
		pb, db := onEllipse(b)
		if k == n-1 {
			pb = p1 // land exactly on the endpoint
		}
		out = append(out, op{kind: opCubic, p: [3]point{
			{pa.x + t*da.x, pa.y + t*da.y},
			{pb.x - t*db.x, pb.y - t*db.y},
			pb,
		}})
		a = b
	}
	return out
}
