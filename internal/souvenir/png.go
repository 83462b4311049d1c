package souvenir

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	"image/draw"
	"image/png"
	"math"

	"golang.org/x/image/font"
	"golang.org/x/image/font/opentype"
	"golang.org/x/image/math/fixed"
	"golang.org/x/image/vector"
)

// PNG renders c as a 1080×1350 portrait PNG to share.
func PNG(c Card) ([]byte, error) {
	c, err := c.clean()
	if err != nil {
		return nil, fmt.Errorf("souvenir png: %w", err)
	}
	fs, err := fonts()
	if err != nil {
		return nil, fmt.Errorf("souvenir png: %w", err)
	}
	faces := newFaces(fs)
	sh, err := layout(c, pngHeight, faces, fs)
	if err != nil {
		return nil, fmt.Errorf("souvenir png: %w", err)
	}
	img := image.NewRGBA(image.Rect(0, 0, designWidth, pngHeight))
	if err := drawSheet(img, sh, faces); err != nil {
		return nil, fmt.Errorf("souvenir png: %w", err)
	}
	var buf bytes.Buffer
	// BestSpeed: the picture is flat colour and compresses well anyway, and
	// the default level costs several times the encoding time. Paletted:
	// a third of the bytes to compress, no filters to try, and a file a
	// third the size, for the same picture.
	enc := png.Encoder{CompressionLevel: png.BestSpeed}
	if err := enc.Encode(&buf, quantise(img, palette())); err != nil {
		return nil, fmt.Errorf("souvenir png: encode: %w", err)
	}
	return buf.Bytes(), nil
}

// faces measures and draws text for the PNG, one font face per font and
// size. It belongs to one render: faces are not safe for concurrent use.
type faces struct {
	fs *fontSet
	m  map[faceKey]font.Face
}

// faceKey is a font at a size.
type faceKey struct {
	bold bool
	size float64
}

// newFaces returns an empty set of faces of fs's fonts.
func newFaces(fs *fontSet) *faces { return &faces{fs: fs, m: make(map[faceKey]font.Face)} }

// face returns the face for a font at a size in pixels.
func (f *faces) face(bold bool, size float64) font.Face {
	k := faceKey{bold, size}
	if fc, ok := f.m[k]; ok {
		return fc
	}
	// DPI 72 makes the size in points a size in pixels. No hinting, so that
	// widths scale with the size (the layout relies on it).
	fc, err := opentype.NewFace(f.fs.font(bold), &opentype.FaceOptions{Size: size, DPI: 72, Hinting: font.HintingNone})
	if err != nil {
		// NewFace fails only on a size or DPI of zero or less, which the
		// layout never asks for.
		panic(err)
	}
	f.m[k] = fc
	return fc
}

// width implements measurer with font.MeasureString, as the text will be
// drawn (kerning included).
func (f *faces) width(bold bool, size float64, s string) float64 {
	return float64(font.MeasureString(f.face(bold, size), s)) / 64
}

// drawSheet paints sh onto img, which is sh.w×sh.h pixels.
func drawSheet(img *image.RGBA, sh *sheet, f *faces) error {
	var z vector.Rasterizer
	for _, s := range sh.shapes {
		fillPath(img, &z, s.p, image.NewUniform(s.color))
	}

	// QR code: whole pixels per module so that edges are crisp, centred in
	// its white square.
	q := sh.qr
	n := len(q.bm)
	if n == 0 {
		return fmt.Errorf("empty QR code")
	}
	box := image.Rect(int(math.Round(q.x)), int(math.Round(q.y)), int(math.Round(q.x+q.size)), int(math.Round(q.y+q.size)))
	draw.Draw(img, box, image.NewUniform(white), image.Point{}, draw.Src)
	mod := box.Dx() / n
	if mod < 2 {
		return fmt.Errorf("QR code too dense: %d modules in %d pixels", n, box.Dx())
	}
	off := box.Min.Add(image.Pt((box.Dx()-mod*n)/2, (box.Dy()-mod*n)/2))
	dark := image.NewUniform(black)
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
			r := image.Rect(x*mod, y*mod, run*mod, (y+1)*mod).Add(off)
			draw.Draw(img, r, dark, image.Point{}, draw.Src)
			x = run
		}
	}

	for _, t := range sh.texts {
		d := font.Drawer{
			Dst:  img,
			Src:  image.NewUniform(t.color),
			Face: f.face(t.bold, t.size),
			Dot:  fixed.Point26_6{X: fixed.Int26_6(math.Round(t.x * 64)), Y: fixed.Int26_6(math.Round(t.y * 64))},
		}
		d.DrawString(t.s)
	}
	return nil
}

// fillPath fills p on img. Axis-aligned rectangles on whole pixels, most of
// the page's area, are filled directly; other shapes go through z, sized to
// the shape's bounding box.
func fillPath(img *image.RGBA, z *vector.Rasterizer, p path, src *image.Uniform) {
	minX, minY, maxX, maxY := p.bounds()
	r := image.Rect(int(math.Floor(minX)), int(math.Floor(minY)), int(math.Ceil(maxX)), int(math.Ceil(maxY))).Intersect(img.Rect)
	if r.Empty() {
		return
	}
	if isPixelRect(p) {
		op := draw.Over
		if _, _, _, a := src.RGBA(); a == 0xFFFF {
			op = draw.Src // the same result, many times faster
		}
		draw.Draw(img, r, src, image.Point{}, op)
		return
	}
	z.Reset(r.Dx(), r.Dy())
	z.DrawOp = draw.Over
	dx, dy := float32(r.Min.X), float32(r.Min.Y)
	for _, o := range p {
		switch o.kind {
		case opMove:
			z.MoveTo(float32(o.p[0].x)-dx, float32(o.p[0].y)-dy)
		case opLine:
			z.LineTo(float32(o.p[0].x)-dx, float32(o.p[0].y)-dy)
		case opCubic:
			z.CubeTo(float32(o.p[0].x)-dx, float32(o.p[0].y)-dy,
				float32(o.p[1].x)-dx, float32(o.p[1].y)-dy,
				float32(o.p[2].x)-dx, float32(o.p[2].y)-dy)
		case opClose:
			z.ClosePath()
		}
	}
	z.Draw(img, r, src, image.Point{})
}

// isPixelRect reports whether p is a rectangle made by rectPath whose
// corners are whole pixels.
func isPixelRect(p path) bool {
	if len(p) != 5 || p[0].kind != opMove || p[4].kind != opClose {
		return false
	}
	for i, o := range p[:4] {
		q, next := o.p[0], p[(i+1)%4].p[0]
		if q.x != math.Round(q.x) || q.y != math.Round(q.y) {
			return false
		}
		if i > 0 && o.kind != opLine || q.x != next.x && q.y != next.y {
			return false
		}
	}
	return true
}

// edgePairs are the colours that meet at anti-aliased edges: text and
// shapes (first) on their backgrounds (second). Everything else on the
// page is whole-pixel rectangles of one colour.
var edgePairs = [][2]color.RGBA{
	{ink, cream}, {muted, cream}, {teal, cream}, {orange, cream}, // text, ticks, divider, QR frame
	{white, teal},   // campaign name, the symbol's disc
	{teal, white},   // the symbol on its disc
	{orange, white}, // the symbol's child, the ticks' marks
}

// blendSteps is how many colours lie between the two of an edge pair: 32
// levels of coverage, more than the eye tells apart on an edge.
const blendSteps = 31

// palette returns the souvenir's colours and, for each edge pair, the
// blends between them: at most 256, so the PNG can be paletted.
func palette() color.Palette {
	pal := color.Palette{cream, teal, orange, white, ink, muted, black}
	for _, p := range edgePairs {
		for i := 1; i <= blendSteps; i++ {
			a := float64(i) / (blendSteps + 1)
			mix := func(f, b uint8) uint8 { return uint8(math.Round(a*float64(f) + (1-a)*float64(b))) }
			pal = append(pal, color.RGBA{mix(p[0].R, p[1].R), mix(p[0].G, p[1].G), mix(p[0].B, p[1].B), 0xFF})
		}
	}
	return pal
}

// quantise maps the opaque img onto pal, each pixel to the nearest colour.
// Most pixels repeat their left neighbour, and the rest (edges) repeat
// colours seen before, so a small cache makes it fast.
func quantise(img *image.RGBA, pal color.Palette) *image.Paletted {
	out := image.NewPaletted(img.Rect, pal)
	nearest := func(r, g, b uint8) uint8 {
		best, bestD := 0, math.MaxInt
		for i, c := range pal {
			c := c.(color.RGBA)
			dr, dg, db := int(r)-int(c.R), int(g)-int(c.G), int(b)-int(c.B)
			if d := dr*dr + dg*dg + db*db; d < bestD {
				best, bestD = i, d
			}
		}
		return uint8(best)
	}
	const cacheBits = 12
	var cache [1 << cacheBits]uint64 // index<<32 | 1<<24 | rgb; 0 is empty
	prev, prevIdx := uint32(0), uint8(0)
	for y := img.Rect.Min.Y; y < img.Rect.Max.Y; y++ {
		src := img.Pix[img.PixOffset(img.Rect.Min.X, y):][:4*img.Rect.Dx()]
		dst := out.Pix[out.PixOffset(out.Rect.Min.X, y):][:out.Rect.Dx()]
		for x := range dst {
			p := src[4*x : 4*x+3 : 4*x+3]
			key := 1<<24 | uint32(p[0])<<16 | uint32(p[1])<<8 | uint32(p[2])
			if key != prev {
				e := &cache[(key*2654435761)>>(32-cacheBits)]
				if uint32(*e) != key {
					*e = uint64(nearest(p[0], p[1], p[2]))<<32 | uint64(key)
				}
				prev, prevIdx = key, uint8(*e>>32)
			}
			dst[x] = prevIdx
		}
	}
	return out
}
