package souvenir

import (
	"bytes"
	"compress/zlib"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"unicode/utf8"
)

// Baking follows the Open Badges Baking Specification 1.0 for PNG: the
// signed assertion goes in an uncompressed iTXt chunk with the keyword
// "openbadges", of which a PNG holds at most one.

// pngMagic starts every PNG file.
const pngMagic = "\x89PNG\r\n\x1a\n"

// bakeKeyword is the iTXt keyword of a baked badge.
const bakeKeyword = "openbadges"

// chunk is one PNG chunk, located in the file it came from.
type chunk struct {
	typ        string
	data       []byte
	start, end int // the whole chunk: length, type, data, CRC
}

// chunks splits a PNG into its chunks, checking the signature, every
// length and CRC, and that the file ends with IEND.
func chunks(p []byte) ([]chunk, error) {
	if !bytes.HasPrefix(p, []byte(pngMagic)) {
		return nil, errors.New("not a PNG")
	}
	var out []chunk
	for i := len(pngMagic); i < len(p); {
		if len(p)-i < 12 {
			return nil, fmt.Errorf("truncated chunk at byte %d", i)
		}
		n := binary.BigEndian.Uint32(p[i:])
		if n > 1<<31-1 || uint64(len(p)-i-12) < uint64(n) {
			return nil, fmt.Errorf("chunk at byte %d: length %d past the end", i, n)
		}
		typ, data := p[i+4:i+8], p[i+8:i+8+int(n)]
		crc := binary.BigEndian.Uint32(p[i+8+int(n):])
		if crc32.Update(crc32.ChecksumIEEE(typ), crc32.IEEETable, data) != crc {
			return nil, fmt.Errorf("chunk %q at byte %d: bad CRC", typ, i)
		}
		c := chunk{typ: string(typ), data: data, start: i, end: i + 12 + int(n)}
		out = append(out, c)
		i = c.end
		if c.typ == "IEND" {
			if i != len(p) {
				return nil, fmt.Errorf("%d bytes after IEND", len(p)-i)
			}
			return out, nil
		}
	}
	return nil, errors.New("no IEND chunk")
}

// itxt is the content of an iTXt chunk.
type itxt struct {
	keyword    string
	compressed bool
	text       []byte // as stored: zlib data when compressed
}

// parseITXt reads an iTXt chunk's data: keyword, NUL, compression flag,
// compression method, language tag, NUL, translated keyword, NUL, text.
func parseITXt(d []byte) (itxt, error) {
	kw, rest, ok := bytes.Cut(d, []byte{0})
	if !ok || len(rest) < 2 {
		return itxt{}, errors.New("iTXt: truncated")
	}
	flag, method := rest[0], rest[1]
	_, rest, ok = bytes.Cut(rest[2:], []byte{0}) // language tag
	if !ok {
		return itxt{}, errors.New("iTXt: truncated language tag")
	}
	_, text, ok := bytes.Cut(rest, []byte{0}) // translated keyword
	if !ok {
		return itxt{}, errors.New("iTXt: truncated translated keyword")
	}
	if flag > 1 || flag == 1 && method != 0 {
		return itxt{}, fmt.Errorf("iTXt: compression flag %d, method %d", flag, method)
	}
	return itxt{keyword: string(kw), compressed: flag == 1, text: text}, nil
}

// isBadgeChunk reports whether c is an iTXt chunk with the keyword
// "openbadges".
func isBadgeChunk(c chunk) bool {
	return c.typ == "iTXt" && bytes.HasPrefix(c.data, []byte(bakeKeyword+"\x00"))
}

// Bake returns png with signature (a signed assertion, see Signer.Sign)
// stored as its Open Badges data: an uncompressed iTXt chunk with the
// keyword "openbadges" just before IEND. An existing openbadges chunk is
// replaced, so baking again leaves one.
func Bake(png []byte, signature string) ([]byte, error) {
	if signature == "" || !utf8.ValidString(signature) || bytes.IndexByte([]byte(signature), 0) >= 0 {
		return nil, errors.New("souvenir bake: signature must be non-empty UTF-8 text without NUL")
	}
	cs, err := chunks(png)
	if err != nil {
		return nil, fmt.Errorf("souvenir bake: %w", err)
	}
	var data bytes.Buffer
	data.WriteString(bakeKeyword)
	data.Write([]byte{0, 0, 0}) // NUL, not compressed, method 0
	data.Write([]byte{0, 0})    // empty language tag and translated keyword
	data.WriteString(signature)
	if data.Len() > 1<<31-1 {
		return nil, errors.New("souvenir bake: signature too long")
	}

	out := make([]byte, 0, len(png)+data.Len()+12)
	out = append(out, pngMagic...)
	for _, c := range cs {
		if isBadgeChunk(c) {
			continue
		}
		if c.typ == "IEND" {
			out = appendChunk(out, "iTXt", data.Bytes())
		}
		out = append(out, png[c.start:c.end]...)
	}
	return out, nil
}

// appendChunk appends a PNG chunk to b.
func appendChunk(b []byte, typ string, data []byte) []byte {
	b = binary.BigEndian.AppendUint32(b, uint32(len(data)))
	b = append(b, typ...)
	b = append(b, data...)
	crc := crc32.Update(crc32.ChecksumIEEE([]byte(typ)), crc32.IEEETable, data)
	return binary.BigEndian.AppendUint32(b, crc)
}

// maxBadgeText bounds what Extract inflates from a compressed chunk.
const maxBadgeText = 1 << 20

// Extract returns the Open Badges data baked into png: the text of its
// iTXt chunk with the keyword "openbadges". It fails when png is not a
// well-formed PNG or has no such chunk.
func Extract(png []byte) (string, error) {
	cs, err := chunks(png)
	if err != nil {
		return "", fmt.Errorf("souvenir extract: %w", err)
	}
	for _, c := range cs {
		if !isBadgeChunk(c) {
			continue
		}
		t, err := parseITXt(c.data)
		if err != nil {
			return "", fmt.Errorf("souvenir extract: %w", err)
		}
		text := t.text
		if t.compressed {
			// The baking specification forbids compression, but a reader
			// loses nothing by accepting it.
			zr, err := zlib.NewReader(bytes.NewReader(text))
			if err != nil {
				return "", fmt.Errorf("souvenir extract: %w", err)
			}
			text, err = io.ReadAll(io.LimitReader(zr, maxBadgeText+1))
			if err != nil {
				return "", fmt.Errorf("souvenir extract: %w", err)
			}
			if len(text) > maxBadgeText {
				return "", errors.New("souvenir extract: badge data too long")
			}
		}
		if len(text) == 0 || !utf8.Valid(text) {
			return "", errors.New("souvenir extract: openbadges text is empty or not UTF-8")
		}
		return string(text), nil
	}
	return "", errors.New("souvenir extract: no openbadges iTXt chunk")
}
