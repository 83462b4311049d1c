package media

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"io"
	"unicode/utf8"
)

// checker follows a file's bytes while the store writes them and says at
// the end whether the file is whole. A body cut off by a dropped connection
// often arrives as a clean end of stream (a chunked upload, a proxy), so the
// store cannot rely on a read error alone. Write fails as soon as the
// structure cannot be valid, so that a garbage "video" is refused before it
// fills the disk.
type checker interface {
	io.Writer
	finish() error
}

// badFile is a checker's verdict: the message key to show and what was
// wrong, for the log.
type badFile struct {
	key string // error.media_type or error.media_incomplete
	msg string
}

func (e *badFile) Error() string { return e.msg }

func malformed(format string, args ...any) error {
	return &badFile{key: "error.media_type", msg: fmt.Sprintf(format, args...)}
}

func incomplete(format string, args ...any) error {
	return &badFile{key: "error.media_incomplete", msg: fmt.Sprintf(format, args...)}
}

// newChecker returns the completeness check for a file of kind k that
// starts with head.
func newChecker(k Kind, head []byte) checker {
	switch k {
	case MP4:
		c := &mp4Check{}
		c.walker.parse = c.parse
		return c
	case WebM:
		c := &webmCheck{}
		c.walker.parse = c.parse
		return c
	case WebP:
		// The RIFF header holds the size of the rest of the file.
		return &riffCheck{want: int64(binary.LittleEndian.Uint32(head[4:8])) + 8}
	case JPEG:
		return newTailCheck("jpeg: no end-of-image marker", "\xFF\xD9")
	case PNG:
		return newTailCheck("png: no IEND chunk", "\x00\x00\x00\x00IEND\xAE\x42\x60\x82")
	case PDF:
		// Readers look for %%EOF in the last 1024 bytes.
		return newTailCheck("pdf: no %%EOF marker", "%%EOF")
	case WebVTT:
		return &utf8Check{}
	}
	panic("media: no checker for kind " + k.String())
}

// walker follows a sequence of top-level units (MP4 boxes, EBML elements),
// each a short header giving the size of a body it then skips. It keeps
// only the header being read, so a file of any size costs a few bytes.
type walker struct {
	// parse looks at the header bytes read so far. It returns hdrLen 0 to
	// ask for another byte; otherwise the header is complete and is hdrLen
	// bytes long, followed by bodyLen bytes, or by the rest of the file if
	// bodyLen is negative.
	parse func(hdr []byte) (hdrLen int, bodyLen int64, err error)
	hdr   [16]byte
	n     int
	skip  int64
	toEOF bool
	err   error
}

func (w *walker) Write(p []byte) (int, error) {
	for i := 0; i < len(p); {
		if w.err != nil {
			return i, w.err
		}
		if w.toEOF {
			return len(p), nil
		}
		if w.skip > 0 {
			k := min(w.skip, int64(len(p)-i))
			w.skip -= k
			i += int(k)
			continue
		}
		if w.n == len(w.hdr) {
			w.err = malformed("unit header longer than %d bytes", len(w.hdr))
			continue
		}
		w.hdr[w.n] = p[i]
		w.n++
		i++
		hl, bl, err := w.parse(w.hdr[:w.n])
		switch {
		case err != nil:
			w.err = err
		case hl == 0:
		case bl < 0:
			w.n, w.toEOF = 0, true
		default:
			w.n, w.skip = 0, bl
		}
	}
	return len(p), w.err
}

func (w *walker) finish() error {
	switch {
	case w.err != nil:
		return w.err
	case w.toEOF:
		return nil
	case w.n > 0:
		return incomplete("ends inside a header")
	case w.skip > 0:
		return incomplete("ends %d bytes early", w.skip)
	}
	return nil
}

// mp4Check walks the top-level boxes of an MP4 file: their sizes must add
// up to the file's size exactly, and a movie header (moov) must be among
// them, without which nothing plays.
type mp4Check struct {
	walker
	moov bool
}

func (c *mp4Check) parse(hdr []byte) (int, int64, error) {
	if len(hdr) < 8 {
		return 0, 0, nil
	}
	for _, b := range hdr[4:8] {
		if b < 0x20 || b > 0x7E {
			return 0, 0, malformed("mp4: box type %q is not a name", hdr[4:8])
		}
	}
	if string(hdr[4:8]) == "moov" {
		c.moov = true
	}
	switch size := binary.BigEndian.Uint32(hdr); {
	case size == 0: // the last box, to the end of the file
		return 8, -1, nil
	case size == 1: // a 64-bit size follows the type
		if len(hdr) < 16 {
			return 0, 0, nil
		}
		large := binary.BigEndian.Uint64(hdr[8:16])
		if large < 16 || large > 1<<62 {
			return 0, 0, malformed("mp4: box size %d", large)
		}
		return 16, int64(large - 16), nil
	case size < 8:
		return 0, 0, malformed("mp4: box size %d", size)
	default:
		return 8, int64(size - 8), nil
	}
}

func (c *mp4Check) finish() error {
	if err := c.walker.finish(); err != nil {
		return fmt.Errorf("mp4: %w", err)
	}
	if !c.moov {
		return incomplete("mp4: no moov box")
	}
	return nil
}

// webmCheck walks the top-level EBML elements of a WebM file (the EBML
// header, then the Segment): their sizes must add up to the file's size,
// unless the Segment's size is unknown, as a live recording writes it.
type webmCheck struct {
	walker
	segment bool
}

func (c *webmCheck) parse(hdr []byte) (int, int64, error) {
	id, n := ebmlID(hdr)
	if n == 0 {
		if hdr[0]&0xF0 == 0 {
			return 0, 0, malformed("webm: invalid element ID byte %#x", hdr[0])
		}
		return 0, 0, nil
	}
	if len(hdr) == n {
		return 0, 0, nil
	}
	if hdr[n] == 0 {
		return 0, 0, malformed("webm: invalid element size")
	}
	size, m, unknown := ebmlSize(hdr[n:])
	if m == 0 {
		return 0, 0, nil
	}
	if id == ebmlSegment {
		c.segment = true
	}
	switch {
	case unknown && id == ebmlSegment:
		return n + m, -1, nil
	case unknown:
		return 0, 0, malformed("webm: top-level element %#x of unknown size", id)
	case size > 1<<56:
		return 0, 0, malformed("webm: element size %d", size)
	}
	return n + m, int64(size), nil
}

func (c *webmCheck) finish() error {
	if err := c.walker.finish(); err != nil {
		return fmt.Errorf("webm: %w", err)
	}
	if !c.segment {
		return incomplete("webm: no segment")
	}
	return nil
}

// riffCheck counts a WebP file's bytes against the size its RIFF header
// declares.
type riffCheck struct {
	want, got int64
}

func (c *riffCheck) Write(p []byte) (int, error) {
	c.got += int64(len(p))
	if c.got > c.want {
		return len(p), malformed("webp: more than the %d bytes the RIFF header declares", c.want)
	}
	return len(p), nil
}

func (c *riffCheck) finish() error {
	if c.got < c.want {
		return incomplete("webp: %d of %d bytes", c.got, c.want)
	}
	return nil
}

// tailLen is how many trailing bytes a tailCheck keeps.
const tailLen = 1024

// tailCheck keeps a file's last bytes and looks for an end marker in them:
// JPEG, PNG and PDF files end with one, and a file cut short does not.
type tailCheck struct {
	buf    []byte
	marker string
	msg    string
}

func newTailCheck(msg, marker string) *tailCheck {
	return &tailCheck{buf: make([]byte, 0, 2*tailLen), marker: marker, msg: msg}
}

func (c *tailCheck) Write(p []byte) (int, error) {
	if len(p) >= tailLen {
		c.buf = append(c.buf[:0], p[len(p)-tailLen:]...)
		return len(p), nil
	}
	c.buf = append(c.buf, p...)
	if len(c.buf) > tailLen {
		c.buf = append(c.buf[:0], c.buf[len(c.buf)-tailLen:]...)
	}
	return len(p), nil
}

func (c *tailCheck) finish() error {
	if !bytes.Contains(c.buf, []byte(c.marker)) {
		return incomplete("%s", c.msg)
	}
	return nil
}

// utf8Check validates a stream as UTF-8, carrying a character split
// between two writes over to the next.
type utf8Check struct {
	carry [utf8.UTFMax]byte
	n     int
	off   int64
}

func (c *utf8Check) Write(p []byte) (int, error) {
	total := len(p)
	// Complete a character begun in the previous write.
	for c.n > 0 && len(p) > 0 {
		c.carry[c.n] = p[0]
		c.n++
		p = p[1:]
		if utf8.FullRune(c.carry[:c.n]) {
			if !utf8.Valid(c.carry[:c.n]) {
				return total, malformed("webvtt: invalid UTF-8 near byte %d", c.off)
			}
			c.off += int64(c.n)
			c.n = 0
		}
	}
	// Hold back a character cut off at the end of p.
	cut := len(p)
	for i := len(p) - 1; i >= 0 && i >= len(p)-utf8.UTFMax+1; i-- {
		if utf8.RuneStart(p[i]) {
			if !utf8.FullRune(p[i:]) {
				cut = i
			}
			break
		}
	}
	if !utf8.Valid(p[:cut]) {
		return total, malformed("webvtt: invalid UTF-8 after byte %d", c.off)
	}
	c.off += int64(cut)
	c.n = copy(c.carry[:], p[cut:])
	return total, nil
}

func (c *utf8Check) finish() error {
	if c.n > 0 {
		return malformed("webvtt: ends inside a UTF-8 character")
	}
	return nil
}
