package media

import (
	"bytes"
	"encoding/binary"
)

// Kind is a type of file the library accepts. It is decided from a file's
// first bytes, never from its name or the Content-Type a browser sent, so
// that a renamed program or an HTML page cannot be stored as a video.
type Kind uint8

// The kinds of file the library stores. Markdown is not among them: stories
// are text in the database.
const (
	MP4    Kind = iota + 1 // ISO base media file with an ftyp brand browsers play (H.264 in practice)
	WebM                   // EBML with DocType "webm"
	PDF                    // a publication
	JPEG                   // a photo or a poster
	PNG                    // a picture with flat colour or transparency
	WebP                   // a photo or a poster
	WebVTT                 // captions for a video (vi, en)
)

// MaxCaptionSize caps a WebVTT file whatever the caller allows: the captions
// of a two-hour film are a few hundred kilobytes, and a caption file is read
// whole by the browser before the video plays.
const MaxCaptionSize = 1 << 20

// sniffLen is how many leading bytes decide a file's kind. Every signature
// we check, including a WebM file's EBML header, fits well inside it.
const sniffLen = 1024

// String returns the kind's short name, for logs.
func (k Kind) String() string {
	switch k {
	case MP4:
		return "mp4"
	case WebM:
		return "webm"
	case PDF:
		return "pdf"
	case JPEG:
		return "jpeg"
	case PNG:
		return "png"
	case WebP:
		return "webp"
	case WebVTT:
		return "webvtt"
	}
	return "unknown"
}

// Ext returns the file name extension (without the dot) the store gives
// files of this kind. It is one of a fixed list, which [Store.Open] checks.
func (k Kind) Ext() string {
	switch k {
	case MP4:
		return "mp4"
	case WebM:
		return "webm"
	case PDF:
		return "pdf"
	case JPEG:
		return "jpg"
	case PNG:
		return "png"
	case WebP:
		return "webp"
	case WebVTT:
		return "vtt"
	}
	return ""
}

// MIME returns the Content-Type to serve files of this kind with. Captions
// are declared UTF-8 because the store refuses any other encoding.
func (k Kind) MIME() string {
	switch k {
	case MP4:
		return "video/mp4"
	case WebM:
		return "video/webm"
	case PDF:
		return "application/pdf"
	case JPEG:
		return "image/jpeg"
	case PNG:
		return "image/png"
	case WebP:
		return "image/webp"
	case WebVTT:
		return "text/vtt; charset=utf-8"
	}
	return "application/octet-stream"
}

// KindOfExt returns the kind stored under ext, so that a handler serving
// /media/<hash>.<ext> knows the Content-Type without a database lookup.
func KindOfExt(ext string) (Kind, bool) {
	for k := MP4; k <= WebVTT; k++ {
		if k.Ext() == ext {
			return k, true
		}
	}
	return 0, false
}

// Sniff returns the kind of a file from its first bytes (at least the first
// 1024, or the whole file if it is shorter). It reports false for anything
// else: programs, HTML, SVG, archives, other video containers.
func Sniff(head []byte) (Kind, bool) {
	switch {
	case isMP4(head):
		return MP4, true
	case isWebM(head):
		return WebM, true
	case isPDF(head):
		return PDF, true
	case len(head) >= 3 && head[0] == 0xFF && head[1] == 0xD8 && head[2] == 0xFF:
		return JPEG, true
	case len(head) >= len(pngSignature) && string(head[:len(pngSignature)]) == pngSignature:
		return PNG, true
	case isWebP(head):
		return WebP, true
	case isWebVTT(head):
		return WebVTT, true
	}
	return 0, false
}

// pngSignature starts every PNG file.
const pngSignature = "\x89PNG\r\n\x1a\n"

// isMP4 reports whether head starts with an ftyp box whose major brand is
// one that browsers play as video/mp4. QuickTime ("qt  "), HEIF and 3GPP
// files have other brands and are refused.
func isMP4(head []byte) bool {
	if len(head) < 16 || string(head[4:8]) != "ftyp" {
		return false
	}
	size := binary.BigEndian.Uint32(head)
	if size < 16 || size%4 != 0 || size > 4096 {
		return false
	}
	switch string(head[8:12]) {
	case "isom", "iso2", "mp41", "mp42", "avc1", "M4V ":
		return true
	}
	return false
}

// isPDF reports whether head starts with a PDF header such as "%PDF-1.7".
func isPDF(head []byte) bool {
	return len(head) >= 6 && string(head[:5]) == "%PDF-" && head[5] >= '1' && head[5] <= '9'
}

// isWebP reports whether head is a RIFF container of form WEBP whose first
// chunk is an image ("VP8 ", "VP8L" or "VP8X").
func isWebP(head []byte) bool {
	if len(head) < 16 || string(head[:4]) != "RIFF" || string(head[8:12]) != "WEBP" {
		return false
	}
	switch string(head[12:16]) {
	case "VP8 ", "VP8L", "VP8X":
		return true
	}
	return false
}

// isWebVTT reports whether head is the start of a WebVTT file: an optional
// byte order mark, "WEBVTT", then a space, a tab or a line end. The rest of
// the file is checked as it is stored (see utf8Check).
func isWebVTT(head []byte) bool {
	head = bytes.TrimPrefix(head, []byte("\xEF\xBB\xBF"))
	if !bytes.HasPrefix(head, []byte("WEBVTT")) || len(head) < 7 {
		return false
	}
	switch head[6] {
	case ' ', '\t', '\n', '\r':
		return true
	}
	return false
}

// EBML element IDs (with their length marker bits, as written).
const (
	ebmlHeaderID = 0x1A45DFA3
	ebmlDocType  = 0x4282
	ebmlSegment  = 0x18538067
)

// isWebM reports whether head starts with an EBML header whose DocType is
// "webm". Matroska ("matroska") files are refused: browsers play WebM.
func isWebM(head []byte) bool {
	id, n := ebmlID(head)
	if n == 0 || id != ebmlHeaderID {
		return false
	}
	size, m, unknown := ebmlSize(head[n:])
	if m == 0 || unknown || size > uint64(len(head)-n-m) {
		return false
	}
	body := head[n+m : n+m+int(size)]
	for len(body) > 0 {
		id, n := ebmlID(body)
		if n == 0 {
			return false
		}
		size, m, unknown := ebmlSize(body[n:])
		if m == 0 || unknown || size > uint64(len(body)-n-m) {
			return false
		}
		if id == ebmlDocType {
			return string(body[n+m:n+m+int(size)]) == "webm"
		}
		body = body[n+m+int(size):]
	}
	return false
}

// ebmlID reads an element ID (1 to 4 bytes, marker bits kept) from the
// start of b. n is 0 if b does not start with a whole valid ID.
func ebmlID(b []byte) (id uint32, n int) {
	if len(b) == 0 {
		return 0, 0
	}
	switch {
	case b[0]&0x80 != 0:
		n = 1
	case b[0]&0x40 != 0:
		n = 2
	case b[0]&0x20 != 0:
		n = 3
	case b[0]&0x10 != 0:
		n = 4
	default:
		return 0, 0
	}
	if len(b) < n {
		return 0, 0
	}
	for _, c := range b[:n] {
		id = id<<8 | uint32(c)
	}
	return id, n
}

// ebmlSize reads an element data size (a variable-length integer of 1 to 8
// bytes) from the start of b. n is 0 if b does not start with a whole valid
// size; unknown reports the reserved all-ones value a live stream writes
// for a Segment whose size it does not know yet.
func ebmlSize(b []byte) (size uint64, n int, unknown bool) {
	if len(b) == 0 || b[0] == 0 {
		return 0, 0, false
	}
	n = 1
	for mask := byte(0x80); b[0]&mask == 0; mask >>= 1 {
		n++
	}
	if len(b) < n {
		return 0, 0, false
	}
	size = uint64(b[0] & (0xFF >> n))
	for _, c := range b[1:n] {
		size = size<<8 | uint64(c)
	}
	return size, n, size == 1<<(7*n)-1
}
