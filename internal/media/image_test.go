package media

import (
	"bytes"
	"encoding/binary"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"testing"

	"github.com/notalone/notalone/internal/errs"
)

// byteOrder is a byte order that can also append: TIFF is written in
// either.
type byteOrder interface {
	binary.ByteOrder
	binary.AppendByteOrder
}

// ifdEntry is one 12-byte TIFF directory entry.
type ifdEntry struct {
	tag, typ uint16
	count    uint32
	value    [4]byte
}

// tiff builds a TIFF structure in byte order bo: IFD0 with entries, then
// extra bytes (values that do not fit an entry, other directories) placed
// right after IFD0, at offset 8+2+12*len(entries)+4.
func tiff(bo byteOrder, entries []ifdEntry, extra []byte) []byte {
	var b []byte
	if bo == binary.LittleEndian {
		b = append(b, "II*\x00"...)
	} else {
		b = append(b, "MM\x00*"...)
	}
	b = bo.AppendUint32(b, 8)
	b = bo.AppendUint16(b, uint16(len(entries)))
	for _, e := range entries {
		b = bo.AppendUint16(b, e.tag)
		b = bo.AppendUint16(b, e.typ)
		b = bo.AppendUint32(b, e.count)
		b = append(b, e.value[:]...)
	}
	b = bo.AppendUint32(b, 0) // no next directory
	return append(b, extra...)
}

func short(bo byteOrder, v uint16) (out [4]byte) {
	bo.PutUint16(out[:], v)
	return out
}

func long(bo byteOrder, v uint32) (out [4]byte) {
	bo.PutUint32(out[:], v)
	return out
}

// gpsLatitude is a rational only the GPS directory of the test photo holds.
const gpsLatitude = 0x0BADC0DE

// exifWithGPS is an EXIF body (TIFF) as a phone writes it: the camera's
// make, the orientation, and a pointer to a GPS directory with a latitude.
func exifWithGPS(bo byteOrder, orientation uint16) []byte {
	const n = 3
	extraAt := uint32(8 + 2 + 12*n + 4)
	makeAt := extraAt
	make := []byte("SecretCam\x00")
	gpsAt := makeAt + uint32(len(make))
	var gps []byte
	gps = bo.AppendUint16(gps, 2)
	gps = bo.AppendUint16(gps, 1) // GPSLatitudeRef
	gps = bo.AppendUint16(gps, 2) // ASCII
	gps = bo.AppendUint32(gps, 2)
	gps = append(gps, 'N', 0, 0, 0)
	ratAt := gpsAt + uint32(2+12*2+4)
	gps = bo.AppendUint16(gps, 2) // GPSLatitude
	gps = bo.AppendUint16(gps, 5) // RATIONAL
	gps = bo.AppendUint32(gps, 3)
	gps = bo.AppendUint32(gps, ratAt)
	gps = bo.AppendUint32(gps, 0)
	for _, v := range []uint32{gpsLatitude, 1, 1, 1, 4242, 100} {
		gps = bo.AppendUint32(gps, v)
	}
	entries := []ifdEntry{
		{0x010F, 2, uint32(len(make)), long(bo, makeAt)},
		{0x0112, 3, 1, short(bo, orientation)},
		{0x8825, 4, 1, long(bo, gpsAt)},
	}
	return tiff(bo, entries, append(make, gps...))
}

// withSegments inserts JPEG segments right after the start-of-image marker.
func withSegments(jpg []byte, segs ...[]byte) []byte {
	out := append([]byte{}, jpg[:2]...)
	for _, s := range segs {
		out = append(out, s...)
	}
	return append(out, jpg[2:]...)
}

// segment is a JPEG marker segment.
func segment(marker byte, body []byte) []byte {
	b := []byte{0xFF, marker}
	b = binary.BigEndian.AppendUint16(b, uint16(2+len(body)))
	return append(b, body...)
}

func app1Exif(tiff []byte) []byte { return segment(0xE1, append([]byte("Exif\x00\x00"), tiff...)) }

func TestCleanImageStripsEXIFAndGPS(t *testing.T) {
	for _, bo := range []byteOrder{binary.BigEndian, binary.LittleEndian} {
		t.Run(bo.String(), func(t *testing.T) {
			exif := exifWithGPS(bo, 6)
			xmp := segment(0xE1, []byte("http://ns.adobe.com/xap/1.0/\x00<x:xmpmeta><exif:GPSLatitude>21,1.5N</exif:GPSLatitude></x:xmpmeta>"))
			comment := segment(0xFE, []byte("taken at 21.0285 N 105.8542 E"))
			photo := withSegments(jpegFile(t, halves(40, 20)), segment(0xE0, []byte("JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00")), app1Exif(exif), xmp, comment)
			photo = append(photo, "hidden after the end"...)

			data, ext, w, h, err := CleanImage(bytes.NewReader(photo), 10_000)
			if err != nil {
				t.Fatalf("CleanImage: %v", err)
			}
			if ext != "jpg" || w != 20 || h != 40 {
				t.Errorf("CleanImage = %q %d×%d, want jpg 20×40 (turned upright)", ext, w, h)
			}
			lat := bo.AppendUint32(nil, gpsLatitude)
			for _, leak := range [][]byte{[]byte("Exif"), []byte("SecretCam"), []byte("MM\x00*"), []byte("II*\x00"), lat,
				[]byte("xmpmeta"), []byte("GPS"), []byte("21.0285"), []byte("hidden")} {
				if bytes.Contains(data, leak) {
					t.Errorf("the cleaned photo still holds %q", leak)
				}
			}
			m, err := jpeg.Decode(bytes.NewReader(data))
			if err != nil {
				t.Fatalf("decoding the cleaned photo: %v", err)
			}
			if b := m.Bounds(); b.Dx() != 20 || b.Dy() != 40 {
				t.Fatalf("cleaned photo is %v, want 20×40", b)
			}
			// Orientation 6: the camera's left edge (red) is the top.
			if !near(m.At(10, 5), color.RGBA{255, 0, 0, 255}) || !near(m.At(10, 35), color.RGBA{0, 0, 255, 255}) {
				t.Errorf("top %v, bottom %v: want red on top and blue below", m.At(10, 5), m.At(10, 35))
			}
		})
	}
}

// near reports whether c is within JPEG's error of want.
func near(c color.Color, want color.RGBA) bool {
	r, g, b, _ := c.RGBA()
	d := func(x uint32, y uint8) bool { return int(x>>8)-int(y) < 40 && int(y)-int(x>>8) < 40 }
	return d(r, want.R) && d(g, want.G) && d(b, want.B)
}

func TestCleanImageFormats(t *testing.T) {
	gray := image.NewGray(image.Rect(0, 0, 30, 10))
	transparent := image.NewNRGBA(image.Rect(0, 0, 30, 10))
	tests := []struct {
		name    string
		data    []byte
		ext     string
		w, h    int
		decoder func([]byte) (image.Image, error)
	}{
		{"jpeg", jpegFile(t, halves(30, 10)), "jpg", 30, 10, decodeJPEG},
		{"gray jpeg turned", withSegments(jpegFile(t, gray), app1Exif(exifWithGPS(binary.LittleEndian, 8))), "jpg", 10, 30, decodeJPEG},
		{"png stays png", pngFile(t, transparent), "png", 30, 10, decodePNG},
		{"png with text chunks", pngWithText(t), "png", 30, 10, decodePNG},
		{"opaque webp", webpFile(30, 10, color.NRGBA{200, 100, 50, 255}), "jpg", 30, 10, decodeJPEG},
		{"transparent webp", webpFile(30, 10, color.NRGBA{200, 100, 50, 128}), "png", 30, 10, decodePNG},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			data, ext, w, h, err := CleanImage(bytes.NewReader(tt.data), 1000)
			if err != nil {
				t.Fatalf("CleanImage: %v", err)
			}
			if ext != tt.ext || w != tt.w || h != tt.h {
				t.Errorf("CleanImage = %q %d×%d, want %q %d×%d", ext, w, h, tt.ext, tt.w, tt.h)
			}
			m, err := tt.decoder(data)
			if err != nil {
				t.Fatalf("decoding the result: %v", err)
			}
			if b := m.Bounds(); b.Dx() != tt.w || b.Dy() != tt.h {
				t.Errorf("result is %v", b)
			}
			if bytes.Contains(data, []byte("tEXt")) || bytes.Contains(data, []byte("secret")) {
				t.Errorf("result still holds the text chunk")
			}
		})
	}
}

func decodeJPEG(b []byte) (image.Image, error) { return jpeg.Decode(bytes.NewReader(b)) }
func decodePNG(b []byte) (image.Image, error)  { return png.Decode(bytes.NewReader(b)) }

// pngWithText is a PNG with a tEXt chunk before its image data.
func pngWithText(t *testing.T) []byte {
	b := pngFile(t, halves(30, 10))
	ihdrEnd := len(pngSignature) + 8 + 13 + 4
	out := append([]byte{}, b[:ihdrEnd]...)
	out = append(out, pngChunk("tEXt", []byte("Comment\x00secret location"))...)
	return append(out, b[ihdrEnd:]...)
}

func TestCleanImageRefuses(t *testing.T) {
	tests := []struct {
		name string
		data []byte
		code errs.Code
		key  string
	}{
		{"png bomb", pngBomb(100_000, 100_000), errs.TooLarge, "error.image_too_large"},
		{"png over the limit by a row", pngBomb(100, 101), errs.TooLarge, "error.image_too_large"},
		{"webp bomb", webpFile(16384, 16384, color.NRGBA{A: 255}), errs.TooLarge, "error.image_too_large"},
		{"jpeg over the limit", jpegFile(t, halves(200, 100)), errs.TooLarge, "error.image_too_large"},
		{"pdf", pdfFile(100), errs.Invalid, "error.media_type"},
		{"svg", []byte(`<svg xmlns="http://www.w3.org/2000/svg"/>`), errs.Invalid, "error.media_type"},
		{"gif", []byte("GIF89a\x01\x00\x01\x00\x00\x00\x00;"), errs.Invalid, "error.media_type"},
		{"truncated jpeg", jpegFile(t, halves(50, 50))[:300], errs.Invalid, "error.image_unreadable"},
		{"broken png", pngBomb(10, 10), errs.Invalid, "error.image_unreadable"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, _, _, _, err := CleanImage(bytes.NewReader(tt.data), 10_000)
			wantErr(t, "CleanImage", err, tt.code, tt.key)
		})
	}
}

func TestPutImage(t *testing.T) {
	s := newStore(t)
	photo := withSegments(jpegFile(t, halves(40, 20)), app1Exif(exifWithGPS(binary.BigEndian, 6)))
	img, err := s.PutImage(bytes.NewReader(photo), 1<<20, 10_000)
	if err != nil {
		t.Fatalf("PutImage: %v", err)
	}
	if img.Kind != JPEG || img.Width != 20 || img.Height != 40 {
		t.Errorf("PutImage = %+v, want a 20×40 JPEG", img)
	}
	r, err := s.Open(img.Hash, img.Ext)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	var buf bytes.Buffer
	buf.ReadFrom(r)
	if bytes.Contains(buf.Bytes(), []byte("SecretCam")) {
		t.Errorf("the stored photo holds its EXIF")
	}
	_, err = s.PutImage(bytes.NewReader(photo), 100, 10_000)
	wantErr(t, "PutImage over max", err, errs.TooLarge, "error.media_too_large")
	_, err = s.PutImage(bytes.NewReader(pdfFile(100)), 1<<20, 10_000)
	wantErr(t, "PutImage of a PDF", err, errs.Invalid, "error.media_type")
}

func TestExifOrientation(t *testing.T) {
	le, be := binary.LittleEndian, binary.BigEndian
	jpg := jpegFile(t, halves(8, 8))
	orientationOnly := func(bo byteOrder, v uint16) []byte {
		return tiff(bo, []ifdEntry{{0x0112, 3, 1, short(bo, v)}}, nil)
	}
	tests := []struct {
		name string
		data []byte
		want int
	}{
		{"no exif", jpg, 1},
		{"not a jpeg", []byte("\x89PNG"), 1},
		{"empty", nil, 1},
		{"little endian 6", withSegments(jpg, app1Exif(orientationOnly(le, 6))), 6},
		{"big endian 8", withSegments(jpg, app1Exif(orientationOnly(be, 8))), 8},
		{"after other tags", withSegments(jpg, app1Exif(exifWithGPS(be, 3))), 3},
		{"after JFIF and fill bytes", withSegments(jpg, segment(0xE0, []byte("JFIF\x00")), []byte{0xFF, 0xFF}, app1Exif(orientationOnly(le, 5))), 5},
		{"XMP APP1 first", withSegments(jpg, segment(0xE1, []byte("http://ns.adobe.com/xap/1.0/\x00")), app1Exif(orientationOnly(le, 7))), 7},
		{"out of range", withSegments(jpg, app1Exif(orientationOnly(le, 9))), 1},
		{"zero", withSegments(jpg, app1Exif(orientationOnly(le, 0))), 1},
		{"wrong type", withSegments(jpg, app1Exif(tiff(le, []ifdEntry{{0x0112, 4, 1, long(le, 6)}}, nil))), 1},
		{"wrong count", withSegments(jpg, app1Exif(tiff(le, []ifdEntry{{0x0112, 3, 2, short(le, 6)}}, nil))), 1},
		{"bad byte order", withSegments(jpg, app1Exif([]byte("XX*\x00\x08\x00\x00\x00\x00\x00"))), 1},
		{"ifd offset past the end", withSegments(jpg, app1Exif([]byte("II*\x00\xFF\xFF\x00\x00"))), 1},
		{"entry count past the end", withSegments(jpg, app1Exif([]byte("II*\x00\x08\x00\x00\x00\xFF\x00"))), 1},
		{"segment length past the end", []byte("\xFF\xD8\xFF\xE1\xFF\xFFExif\x00\x00"), 1},
		{"segment length too small", []byte("\xFF\xD8\xFF\xE1\x00\x01"), 1},
		{"exif after the scan", append(append([]byte{}, jpg...), app1Exif(orientationOnly(le, 6))...), 1},
	}
	for _, tt := range tests {
		if got := exifOrientation(tt.data); got != tt.want {
			t.Errorf("exifOrientation(%s) = %d, want %d", tt.name, got, tt.want)
		}
	}
}

func FuzzExifOrientation(f *testing.F) {
	f.Add([]byte("\xFF\xD8" + string(app1Exif(tiff(binary.LittleEndian, []ifdEntry{{0x0112, 3, 1, [4]byte{6}}}, nil)))))
	f.Add([]byte("\xFF\xD8\xFF\xE1\x00\x10Exif\x00\x00MM\x00*\x00\x00\x00\x08"))
	f.Fuzz(func(t *testing.T, b []byte) {
		if o := exifOrientation(b); o < 1 || o > 8 {
			t.Errorf("exifOrientation(%q) = %d", b, o)
		}
	})
}

// rotateCW and flipH are the reference turns, written the slow and obvious
// way; each orientation is a composition of them (EXIF 2.3, tag 0x0112).
func rotateCW(m image.Image) *image.RGBA {
	b := m.Bounds()
	out := image.NewRGBA(image.Rect(0, 0, b.Dy(), b.Dx()))
	for y := 0; y < b.Dy(); y++ {
		for x := 0; x < b.Dx(); x++ {
			out.Set(b.Dy()-1-y, x, m.At(b.Min.X+x, b.Min.Y+y))
		}
	}
	return out
}

func flipH(m image.Image) *image.RGBA {
	b := m.Bounds()
	out := image.NewRGBA(image.Rect(0, 0, b.Dx(), b.Dy()))
	for y := 0; y < b.Dy(); y++ {
		for x := 0; x < b.Dx(); x++ {
			out.Set(b.Dx()-1-x, y, m.At(b.Min.X+x, b.Min.Y+y))
		}
	}
	return out
}

func TestOrient(t *testing.T) {
	// Every pixel different, in an image that does not start at (0, 0).
	src := image.NewRGBA(image.Rect(3, 5, 3+7, 5+4))
	for y := 5; y < 9; y++ {
		for x := 3; x < 10; x++ {
			src.Set(x, y, color.RGBA{uint8(x * 20), uint8(y * 20), uint8(x*y + 1), 255})
		}
	}
	cw := func(m image.Image, n int) image.Image {
		for range n {
			m = rotateCW(m)
		}
		return m
	}
	want := map[int]image.Image{
		1: src,
		2: flipH(src),
		3: cw(src, 2),
		4: cw(flipH(src), 2),
		5: cw(flipH(src), 3),
		6: cw(src, 1),
		7: cw(flipH(src), 1),
		8: cw(src, 3),
	}
	for o := 1; o <= 8; o++ {
		for _, in := range []image.Image{src, toNRGBA(src), toGray(src), toCMYK(src), toYCbCr(src)} {
			got := orient(in, o)
			ref := want[o]
			if in != image.Image(src) {
				ref = convertLike(want[o], in)
			}
			if !sameImage(got, ref) {
				t.Errorf("orient(%T, %d) differs from the reference", in, o)
			}
		}
	}
}

func toNRGBA(m image.Image) image.Image { return convert(m, image.NewNRGBA(m.Bounds())) }
func toGray(m image.Image) image.Image  { return convert(m, image.NewGray(m.Bounds())) }
func toCMYK(m image.Image) image.Image  { return convert(m, image.NewCMYK(m.Bounds())) }

// toYCbCr is what the JPEG decoder returns, with no subsampling so that
// the comparison is exact.
func toYCbCr(m image.Image) image.Image {
	b := m.Bounds()
	out := image.NewYCbCr(b, image.YCbCrSubsampleRatio444)
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			r, g, bl, _ := m.At(x, y).RGBA()
			yy, cb, cr := color.RGBToYCbCr(uint8(r>>8), uint8(g>>8), uint8(bl>>8))
			out.Y[out.YOffset(x, y)], out.Cb[out.COffset(x, y)], out.Cr[out.COffset(x, y)] = yy, cb, cr
		}
	}
	return out
}

type settable interface {
	image.Image
	Set(x, y int, c color.Color)
}

func convert(m image.Image, out settable) image.Image {
	b := m.Bounds()
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			out.Set(x, y, m.At(x, y))
		}
	}
	return out
}

// convertLike converts want (from the RGBA reference) through the colour
// model of like, so that lossy models (gray, CMYK, YCbCr) compare exactly.
func convertLike(want, like image.Image) image.Image {
	b := want.Bounds()
	out := image.NewRGBA(b)
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			c := want.At(x, y)
			if _, ok := like.(*image.YCbCr); ok {
				r, g, bl, _ := c.RGBA()
				yy, cb, cr := color.RGBToYCbCr(uint8(r>>8), uint8(g>>8), uint8(bl>>8))
				r8, g8, b8 := color.YCbCrToRGB(yy, cb, cr)
				c = color.RGBA{r8, g8, b8, 255}
			} else {
				c = like.ColorModel().Convert(c)
			}
			out.Set(x, y, c)
		}
	}
	return out
}

func sameImage(a, b image.Image) bool {
	if a.Bounds().Size() != b.Bounds().Size() {
		return false
	}
	ab, bb := a.Bounds(), b.Bounds()
	for y := 0; y < ab.Dy(); y++ {
		for x := 0; x < ab.Dx(); x++ {
			r1, g1, b1, a1 := a.At(ab.Min.X+x, ab.Min.Y+y).RGBA()
			r2, g2, b2, a2 := b.At(bb.Min.X+x, bb.Min.Y+y).RGBA()
			// At 8 bits: some colour models (CMYK) keep more in RGBA().
			if r1>>8 != r2>>8 || g1>>8 != g2>>8 || b1>>8 != b2>>8 || a1>>8 != a2>>8 {
				return false
			}
		}
	}
	return true
}
