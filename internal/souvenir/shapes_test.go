package souvenir

import (
	"encoding/xml"
	"math"
	"os"
	"reflect"
	"strconv"
	"testing"
)

// TestSymbolMatchesSVG reads the campaign symbol the website serves and
// checks that the shapes drawn here are the same ones, colour by colour.
func TestSymbolMatchesSVG(t *testing.T) {
	b, err := os.ReadFile("../web/static/symbol.svg")
	if err != nil {
		t.Fatal(err)
	}
	var svg struct {
		ViewBox string `xml:"viewBox,attr"`
		Groups  []struct {
			Fill    string `xml:"fill,attr"`
			Circles []struct {
				CX string `xml:"cx,attr"`
				CY string `xml:"cy,attr"`
				R  string `xml:"r,attr"`
			} `xml:"circle"`
			Paths []struct {
				D string `xml:"d,attr"`
			} `xml:"path"`
		} `xml:"g"`
	}
	if err := xml.Unmarshal(b, &svg); err != nil {
		t.Fatal(err)
	}
	if svg.ViewBox != "0 0 64 64" {
		t.Errorf("viewBox %q, want 0 0 64 64", svg.ViewBox)
	}
	want := map[string]struct {
		circles [][3]float64
		paths   []string
	}{
		"#0F6B66": symbolTeal,
		"#E2582F": symbolOrange,
	}
	if len(svg.Groups) != len(want) {
		t.Fatalf("symbol.svg has %d groups, want %d", len(svg.Groups), len(want))
	}
	for _, g := range svg.Groups {
		w, ok := want[g.Fill]
		if !ok {
			t.Errorf("symbol.svg group with fill %q: not drawn here", g.Fill)
			continue
		}
		var gotCircles [][3]float64
		for _, c := range g.Circles {
			var v [3]float64
			for j, s := range []string{c.CX, c.CY, c.R} {
				if v[j], err = strconv.ParseFloat(s, 64); err != nil {
					t.Fatal(err)
				}
			}
			gotCircles = append(gotCircles, v)
		}
		var gotPaths []string
		for _, p := range g.Paths {
			gotPaths = append(gotPaths, p.D)
		}
		if !reflect.DeepEqual(gotCircles, w.circles) || !reflect.DeepEqual(gotPaths, w.paths) {
			t.Errorf("fill %s: symbol.svg has circles %v and paths %q; shapes.go has %v and %q", g.Fill, gotCircles, gotPaths, w.circles, w.paths)
		}
	}
	teal, orange := symbolShapes()
	for _, p := range []path{teal, orange} {
		minX, minY, maxX, maxY := p.bounds()
		if minX < 0 || minY < 0 || maxX > symbolSize || maxY > symbolSize {
			t.Errorf("symbol shape leaves the viewBox: %v %v %v %v", minX, minY, maxX, maxY)
		}
	}
}

// cubicAt evaluates a cubic Bézier from p0 at t.
func cubicAt(p0 point, o op, t float64) point {
	u := 1 - t
	a, b, c, d := u*u*u, 3*u*u*t, 3*u*t*t, t*t*t
	return point{
		a*p0.x + b*o.p[0].x + c*o.p[1].x + d*o.p[2].x,
		a*p0.y + b*o.p[0].y + c*o.p[1].y + d*o.p[2].y,
	}
}

func TestArcToCubics(t *testing.T) {
	tests := []struct {
		name         string
		d            string
		cx, cy, r    float64
		above, below bool // whether the arc passes above / below cy
	}{
		// The symbol's left shoulder: centre (10.5, 28), a small arc
		// turning anticlockwise on screen, over the top.
		{"symbol left", "M13.68 24.82A4.5 4.5 0 0 0 6 28", 10.5, 28, 4.5, true, false},
		{"symbol right", "M50.32 24.82A4.5 4.5 0 0 1 58 28", 53.5, 28, 4.5, true, false},
		{"half circle down", "M0 0A5 5 0 0 0 10 0", 5, 0, 5, false, true},
		{"half circle up", "M0 0A5 5 0 0 1 10 0", 5, 0, 5, true, false},
		{"large arc", "M0 0A5 5 0 1 0 5 5", 0, 5, 5, true, true}, // three quarters, round by the left
		{"relative", "m0 0a5 5 0 0 0 10 0", 5, 0, 5, false, true},
		{"radius too small", "M0 0A1 1 0 0 0 10 0", 5, 0, 5, false, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := parseSVGPath(tt.d)
			if err != nil {
				t.Fatal(err)
			}
			if p[0].kind != opMove {
				t.Fatalf("first op %v, want a move", p[0].kind)
			}
			var above, below bool
			cur := p[0].p[0]
			for _, o := range p[1:] {
				if o.kind != opCubic {
					t.Fatalf("op %v, want cubic", o.kind)
				}
				for i := 0; i <= 16; i++ {
					q := cubicAt(cur, o, float64(i)/16)
					if d := math.Hypot(q.x-tt.cx, q.y-tt.cy); math.Abs(d-tt.r) > 0.01*tt.r {
						t.Errorf("point %v is %.4f from the centre, want %.4f", q, d, tt.r)
					}
					above = above || q.y < tt.cy-0.5
					below = below || q.y > tt.cy+0.5
				}
				cur = o.p[2]
			}
			if above != tt.above || below != tt.below {
				t.Errorf("arc passes above=%v below=%v, want %v %v", above, below, tt.above, tt.below)
			}
		})
	}
}

func TestParseSVGPath(t *testing.T) {
	// S mirrors the previous control point; numbers after M are lines;
	// H and V; Z returns to the start.
	p, err := parseSVGPath("M0 0 10 0C10 5 15 10 20 10S30 15 30 20H0V5Z")
	if err != nil {
		t.Fatal(err)
	}
	want := path{
		{kind: opMove, p: [3]point{{0, 0}}},
		{kind: opLine, p: [3]point{{10, 0}}},
		{kind: opCubic, p: [3]point{{10, 5}, {15, 10}, {20, 10}}},
		{kind: opCubic, p: [3]point{{25, 10}, {30, 15}, {30, 20}}},
		{kind: opLine, p: [3]point{{0, 20}}},
		{kind: opLine, p: [3]point{{0, 5}}},
		{kind: opClose},
	}
	if !reflect.DeepEqual(p, want) {
		t.Errorf("got  %v\nwant %v", p, want)
	}
	for _, bad := range []string{"10 10", "M1", "M1 2Q3 4 5 6", "M1 2L3 x"} {
		if _, err := parseSVGPath(bad); err == nil {
			t.Errorf("parseSVGPath(%q) succeeded", bad)
		}
	}
}
