package media

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"image"
	"image/draw"
	"image/jpeg"
	"image/png"
	"io"

	"golang.org/x/image/webp"

	"github.com/notalone/notalone/internal/errs"
)

// jpegQuality is the quality cleaned photos are encoded at: no visible loss
// for photos on a phone screen, at about a third of the size of 95.
const jpegQuality = 85

// Image is a cleaned picture in the store, with its size for the width and
// height attributes that keep a page from jumping as it loads.
type Image struct {
	File
	Width, Height int
}

// PutImage reads a photo or poster of at most max bytes, cleans it with
// [CleanImage] and stores the result, so that no picture reaches the store
// with the EXIF, GPS or other metadata a phone writes into it. Its errors
// are those of CleanImage and [Store.Put].
func (s *Store) PutImage(r io.Reader, max int64, maxPixels int) (Image, error) {
	const op = "media put image"
	data, err := io.ReadAll(io.LimitReader(r, max+1))
	if err != nil {
		return Image{}, failure(errs.Invalid, "error.media_incomplete", op, err)
	}
	if int64(len(data)) > max {
		return Image{}, failure(errs.TooLarge, "error.media_too_large", op, fmt.Errorf("more than %d bytes", max))
	}
	clean, _, w, h, err := CleanImage(bytes.NewReader(data), maxPixels)
	if err != nil {
		return Image{}, err
	}
	f, err := s.Put(bytes.NewReader(clean), int64(len(clean)), JPEG, PNG)
	if err != nil {
		return Image{}, err
	}
	return Image{File: f, Width: w, Height: h}, nil
}

// CleanImage decodes a JPEG, PNG or WebP picture and encodes it again, so
// that nothing but pixels survives: no EXIF (camera, GPS position, time),
// no XMP, no comments, no text chunks, and no bytes hidden after the image.
// Before it decodes anything it reads the size from the header and refuses
// a picture of more than maxPixels pixels (TooLarge, error.image_too_large),
// so that a small file that unpacks to gigabytes cannot exhaust memory.
// A JPEG's EXIF orientation is applied to the pixels first, so that a photo
// taken with the phone held upright is not shown sideways once the tag is
// gone. Photos (JPEG, and WebP without transparency) come back as JPEG of
// quality 85; PNG, and WebP with transparency, as PNG. ext is "jpg" or
// "png"; width and height are those of the result.
func CleanImage(r io.Reader, maxPixels int) (data []byte, ext string, width, height int, err error) {
	const op = "media clean image"
	src, err := io.ReadAll(r)
	if err != nil {
		return nil, "", 0, 0, failure(errs.Invalid, "error.media_incomplete", op, err)
	}
	kind, ok := Sniff(src[:min(len(src), sniffLen)])
	if !ok || (kind != JPEG && kind != PNG && kind != WebP) {
		return nil, "", 0, 0, failure(errs.Invalid, "error.media_type", op, fmt.Errorf("not a JPEG, PNG or WebP picture"))
	}
	var decodeConfig func(io.Reader) (image.Config, error)
	var decode func(io.Reader) (image.Image, error)
	switch kind {
	case JPEG:
		decodeConfig, decode = jpeg.DecodeConfig, jpeg.Decode
	case PNG:
		decodeConfig, decode = png.DecodeConfig, png.Decode
	default:
		decodeConfig, decode = webp.DecodeConfig, webp.Decode
	}
	cfg, err := decodeConfig(bytes.NewReader(src))
	if err != nil {
		return nil, "", 0, 0, failure(errs.Invalid, "error.image_unreadable", op, err)
	}
	if cfg.Width <= 0 || cfg.Height <= 0 || int64(cfg.Width)*int64(cfg.Height) > int64(maxPixels) {
		return nil, "", 0, 0, failure(errs.TooLarge, "error.image_too_large", op,
			fmt.Errorf("%d×%d pixels, more than %d", cfg.Width, cfg.Height, maxPixels))
	}
	img, err := decode(bytes.NewReader(src))
	if err != nil {
		return nil, "", 0, 0, failure(errs.Invalid, "error.image_unreadable", op, err)
	}
	if kind == JPEG {
		img = orient(img, exifOrientation(src))
	}

	var out bytes.Buffer
	ext = "jpg"
	if o, ok := img.(interface{ Opaque() bool }); kind == PNG || (kind == WebP && ok && !o.Opaque()) {
		ext = "png"
		err = (&png.Encoder{CompressionLevel: png.DefaultCompression}).Encode(&out, img)
	} else {
		err = jpeg.Encode(&out, img, &jpeg.Options{Quality: jpegQuality})
	}
	if err != nil {
		return nil, "", 0, 0, errs.Wrap(errs.Internal, err, "%s: encode", op)
	}
	b := img.Bounds()
	return out.Bytes(), ext, b.Dx(), b.Dy(), nil
}

// exifOrientation returns the orientation (1 to 8) from a JPEG's EXIF
// segment, or 1 if there is none or it cannot be read. It reads only what
// it needs: the JPEG segments before the image data, the TIFF header in
// the APP1 "Exif" segment, and the entries of its first directory (IFD0),
// where tag 0x0112 lives.
func exifOrientation(jpg []byte) int {
	if len(jpg) < 2 || jpg[0] != 0xFF || jpg[1] != 0xD8 {
		return 1
	}
	for i := 2; i+4 <= len(jpg); {
		if jpg[i] != 0xFF {
			return 1
		}
		marker := jpg[i+1]
		switch {
		case marker == 0xFF: // fill byte
			i++
			continue
		case marker == 0xD9 || marker == 0xDA: // end of image, start of scan
			return 1
		case marker == 0x01 || (marker >= 0xD0 && marker <= 0xD7): // no length
			i += 2
			continue
		}
		length := int(binary.BigEndian.Uint16(jpg[i+2:]))
		if length < 2 || i+2+length > len(jpg) {
			return 1
		}
		seg := jpg[i+4 : i+2+length]
		if marker == 0xE1 && len(seg) >= 6 && string(seg[:6]) == "Exif\x00\x00" {
			return tiffOrientation(seg[6:])
		}
		i += 2 + length
	}
	return 1
}

// tiffOrientation reads the Orientation tag from the first directory of a
// TIFF structure (the body of an EXIF segment).
func tiffOrientation(t []byte) int {
	if len(t) < 8 {
		return 1
	}
	var bo binary.ByteOrder
	switch string(t[:4]) {
	case "II*\x00":
		bo = binary.LittleEndian
	case "MM\x00*":
		bo = binary.BigEndian
	default:
		return 1
	}
	ifd := int64(bo.Uint32(t[4:]))
	if ifd < 8 || ifd+2 > int64(len(t)) {
		return 1
	}
	count := int64(bo.Uint16(t[ifd:]))
	for k := int64(0); k < count; k++ {
		e := ifd + 2 + 12*k
		if e+12 > int64(len(t)) {
			return 1
		}
		tag, typ, n := bo.Uint16(t[e:]), bo.Uint16(t[e+2:]), bo.Uint32(t[e+4:])
		if tag != 0x0112 {
			continue
		}
		if typ != 3 || n != 1 { // one SHORT, stored in the value field
			return 1
		}
		if o := int(bo.Uint16(t[e+8:])); o >= 1 && o <= 8 {
			return o
		}
		return 1
	}
	return 1
}

// orient returns img turned as EXIF orientation o says it must be shown:
// 2 mirrors it, 3 turns it half a turn, 4 flips it upside down, 5 mirrors
// it across its main diagonal, 6 turns it a quarter turn clockwise, 7
// mirrors it across the other diagonal, 8 turns it a quarter turn
// anticlockwise. Any other value leaves it as it is.
func orient(img image.Image, o int) image.Image {
	if o < 2 || o > 8 {
		return img
	}
	var pix []byte
	var stride, bpp int
	b := img.Bounds()
	w, h := b.Dx(), b.Dy()
	dw, dh := w, h
	if o >= 5 {
		dw, dh = h, w
	}
	dr := image.Rect(0, 0, dw, dh)
	var dst image.Image
	var dpix []byte
	var dstride int
	switch m := img.(type) {
	case *image.Gray:
		pix, stride, bpp = m.Pix[m.PixOffset(b.Min.X, b.Min.Y):], m.Stride, 1
		d := image.NewGray(dr)
		dst, dpix, dstride = d, d.Pix, d.Stride
	case *image.CMYK:
		pix, stride, bpp = m.Pix[m.PixOffset(b.Min.X, b.Min.Y):], m.Stride, 4
		d := image.NewCMYK(dr)
		dst, dpix, dstride = d, d.Pix, d.Stride
	case *image.NRGBA:
		pix, stride, bpp = m.Pix[m.PixOffset(b.Min.X, b.Min.Y):], m.Stride, 4
		d := image.NewNRGBA(dr)
		dst, dpix, dstride = d, d.Pix, d.Stride
	default: // *image.YCbCr from most JPEGs, and anything else
		rgba, ok := img.(*image.RGBA)
		if !ok {
			rgba = image.NewRGBA(image.Rect(0, 0, w, h))
			draw.Draw(rgba, rgba.Rect, img, b.Min, draw.Src)
		}
		pix, stride, bpp = rgba.Pix[rgba.PixOffset(rgba.Rect.Min.X, rgba.Rect.Min.Y):], rgba.Stride, 4
		d := image.NewRGBA(dr)
		dst, dpix, dstride = d, d.Pix, d.Stride
	}
	for y := 0; y < dh; y++ {
		row := dpix[y*dstride:]
		for x := 0; x < dw; x++ {
			// (sx, sy) is the source pixel shown at (x, y).
			var sx, sy int
			switch o {
			case 2:
				sx, sy = w-1-x, y
			case 3:
				sx, sy = w-1-x, h-1-y
			case 4:
				sx, sy = x, h-1-y
			case 5:
				sx, sy = y, x
			case 6:
				sx, sy = y, h-1-x
			case 7:
				sx, sy = w-1-y, h-1-x
			case 8:
				sx, sy = w-1-y, x
			}
			copy(row[x*bpp:x*bpp+bpp], pix[sy*stride+sx*bpp:])
		}
	}
	return dst
}
