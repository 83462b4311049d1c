package media

import (
	"bytes"
	"encoding/binary"
	"hash/crc32"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"testing"
)

// The fixtures are built here rather than committed: each is a few bytes
// of a real structure, and a test can cut or corrupt one at a known place.

// box is an MP4 box: a 32-bit size, a type and a body.
func box(typ string, body []byte) []byte {
	b := binary.BigEndian.AppendUint32(nil, uint32(8+len(body)))
	return append(append(b, typ...), body...)
}

// mp4File is an ftyp box of the given major brand, a moov box and an mdat
// box of n bytes.
func mp4File(brand string, n int) []byte {
	ftyp := box("ftyp", []byte(brand+"\x00\x00\x02\x00isomiso2avc1mp41"))
	moov := box("moov", box("mvhd", make([]byte, 100)))
	mdat := box("mdat", bytes.Repeat([]byte{0x42}, n))
	return append(append(ftyp, moov...), mdat...)
}

// ebml is an EBML element with a one-byte size (body under 127 bytes).
func ebml(id []byte, body []byte) []byte {
	b := append([]byte{}, id...)
	b = append(b, 0x80|byte(len(body)))
	return append(b, body...)
}

// webmHeader is an EBML header with the given DocType.
func webmHeader(docType string) []byte {
	var body []byte
	body = append(body, ebml([]byte{0x42, 0x86}, []byte{1})...)       // EBMLVersion
	body = append(body, ebml([]byte{0x42, 0xF7}, []byte{1})...)       // EBMLReadVersion
	body = append(body, ebml([]byte{0x42, 0xF2}, []byte{4})...)       // EBMLMaxIDLength
	body = append(body, ebml([]byte{0x42, 0xF3}, []byte{8})...)       // EBMLMaxSizeLength
	body = append(body, ebml([]byte{0x42, 0x82}, []byte(docType))...) // DocType
	body = append(body, ebml([]byte{0x42, 0x87}, []byte{4})...)       // DocTypeVersion
	body = append(body, ebml([]byte{0x42, 0x85}, []byte{2})...)       // DocTypeReadVersion
	return ebml([]byte{0x1A, 0x45, 0xDF, 0xA3}, body)
}

// webmFile is a WebM header and a Segment of n bytes with an 8-byte size,
// or of unknown size if unknown is set.
func webmFile(n int, unknown bool) []byte {
	b := webmHeader("webm")
	b = append(b, 0x18, 0x53, 0x80, 0x67)
	if unknown {
		b = append(b, 0x01, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF)
	} else {
		b = append(b, 0x01)
		b = append(b, binary.BigEndian.AppendUint64(nil, uint64(n))[1:]...)
	}
	return append(b, bytes.Repeat([]byte{0xEC}, n)...)
}

// pdfFile is a small PDF-shaped file of at least n bytes.
func pdfFile(n int) []byte {
	b := []byte("%PDF-1.7\n%\xE2\xE3\xCF\xD3\n1 0 obj << /Type /Catalog >> endobj\n")
	for len(b) < n {
		b = append(b, "% filler line to make the file longer\n"...)
	}
	return append(b, "trailer << /Root 1 0 R >>\n%%EOF\n"...)
}

// halves is a w×h picture, red on the left half and blue on the right.
func halves(w, h int) *image.RGBA {
	m := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			c := color.RGBA{255, 0, 0, 255}
			if x >= w/2 {
				c = color.RGBA{0, 0, 255, 255}
			}
			m.SetRGBA(x, y, c)
		}
	}
	return m
}

func jpegFile(tb testing.TB, m image.Image) []byte {
	tb.Helper()
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, m, &jpeg.Options{Quality: 95}); err != nil {
		tb.Fatal(err)
	}
	return buf.Bytes()
}

func pngFile(tb testing.TB, m image.Image) []byte {
	tb.Helper()
	var buf bytes.Buffer
	if err := png.Encode(&buf, m); err != nil {
		tb.Fatal(err)
	}
	return buf.Bytes()
}

// pngChunk is a PNG chunk with its CRC.
func pngChunk(typ string, data []byte) []byte {
	b := binary.BigEndian.AppendUint32(nil, uint32(len(data)))
	b = append(append(b, typ...), data...)
	return binary.BigEndian.AppendUint32(b, crc32.ChecksumIEEE(append([]byte(typ), data...)))
}

// pngBomb is a PNG header claiming w×h pixels, with no image data: enough
// for DecodeConfig, which is all CleanImage may read before refusing it.
func pngBomb(w, h uint32) []byte {
	ihdr := binary.BigEndian.AppendUint32(nil, w)
	ihdr = binary.BigEndian.AppendUint32(ihdr, h)
	ihdr = append(ihdr, 8, 6, 0, 0, 0) // 8-bit RGBA
	b := append([]byte(pngSignature), pngChunk("IHDR", ihdr)...)
	b = append(b, pngChunk("IDAT", []byte{0x78, 0x9C, 0x03, 0x00, 0x00, 0x00, 0x00, 0x01})...)
	return append(b, pngChunk("IEND", nil)...)
}

// bitWriter writes a VP8L bit stream, least significant bit first.
type bitWriter struct {
	b    []byte
	nbit uint
}

func (w *bitWriter) write(v uint32, n uint) {
	for i := uint(0); i < n; i++ {
		if w.nbit%8 == 0 {
			w.b = append(w.b, 0)
		}
		w.b[len(w.b)-1] |= byte(v>>i&1) << (w.nbit % 8)
		w.nbit++
	}
}

// webpFile is a lossless WebP of w×h pixels all of colour c. Every
// Huffman code has a single symbol, so the pixels take no bits at all,
// which also makes it the smallest possible decompression bomb.
func webpFile(w, h int, c color.NRGBA) []byte { return webpPadded(w, h, c, 0) }

// webpPadded is webpFile with pad zero bytes after the bit stream, inside
// its chunk, where decoders ignore them: a file long enough to cut.
func webpPadded(w, h int, c color.NRGBA, pad int) []byte {
	var bw bitWriter
	bw.write(0x2f, 8)
	bw.write(uint32(w-1), 14)
	bw.write(uint32(h-1), 14)
	bw.write(1, 1) // alpha is used
	bw.write(0, 3) // version
	bw.write(0, 1) // no transform
	bw.write(0, 1) // no colour cache
	bw.write(0, 1) // no meta prefix codes
	for _, sym := range []byte{c.G, c.R, c.B, c.A, 0} {
		bw.write(1, 1) // simple code
		bw.write(0, 1) // one symbol
		bw.write(1, 1) // of 8 bits
		bw.write(uint32(sym), 8)
	}
	data := append(bw.b, make([]byte, pad)...)
	n := len(data)
	if len(data)%2 == 1 {
		data = append(data, 0)
	}
	chunk := append([]byte("VP8L"), binary.LittleEndian.AppendUint32(nil, uint32(n))...)
	chunk = append(chunk, data...)
	riff := append([]byte("RIFF"), binary.LittleEndian.AppendUint32(nil, uint32(4+len(chunk)))...)
	riff = append(riff, "WEBP"...)
	return append(riff, chunk...)
}

const vttFile = "WEBVTT\n\n00:00.000 --> 00:02.000\nXin chào các bạn!\n\n00:02.000 --> 00:04.000\nEm không một mình.\n"
