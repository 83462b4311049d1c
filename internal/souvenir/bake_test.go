package souvenir

import (
	"bytes"
	"compress/zlib"
	"image"
	"image/png"
	"reflect"
	"strings"
	"testing"
)

// smallPNG is a 2×2 PNG from image/png, with no text chunks.
func smallPNG(t testing.TB) []byte {
	var buf bytes.Buffer
	if err := png.Encode(&buf, image.NewGray(image.Rect(0, 0, 2, 2))); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// badgeChunks returns the openbadges iTXt chunks of p.
func badgeChunks(t *testing.T, p []byte) []chunk {
	t.Helper()
	cs, err := chunks(p)
	if err != nil {
		t.Fatal(err)
	}
	var out []chunk
	for _, c := range cs {
		if isBadgeChunk(c) {
			out = append(out, c)
		}
	}
	return out
}

// TestBakedSouvenir is the whole round trip: a souvenir PNG, a signed
// assertion baked into it, extracted again and verified.
func TestBakedSouvenir(t *testing.T) {
	b := newTestBadge(t)
	jws, err := Signer{key(t)}.Sign(b.assertion)
	if err != nil {
		t.Fatal(err)
	}
	img, err := PNG(viCard())
	if err != nil {
		t.Fatal(err)
	}
	baked, err := Bake(img, jws)
	if err != nil {
		t.Fatal(err)
	}
	got, err := Extract(baked)
	if err != nil {
		t.Fatal(err)
	}
	if got != jws {
		t.Fatalf("Extract = %q, want the JWS", got)
	}
	pub, err := ParsePublicKeyPEM(b.key.PublicKeyPem)
	if err != nil {
		t.Fatal(err)
	}
	a, err := Verify(got, pub)
	if err != nil {
		t.Fatal(err)
	}
	if a.ID != b.assertion.ID || a.Recipient != HashedRecipient(testURL, "muối-ngẫu-nhiên") {
		t.Errorf("verified assertion %+v", a)
	}

	// Still a PNG, the same picture.
	before, err := png.Decode(bytes.NewReader(img))
	if err != nil {
		t.Fatal(err)
	}
	after, err := png.Decode(bytes.NewReader(baked))
	if err != nil {
		t.Fatalf("baked PNG does not decode: %v", err)
	}
	if !reflect.DeepEqual(before, after) {
		t.Error("baking changed the picture")
	}

	// The chunk: uncompressed, no language, just before IEND.
	cs, err := chunks(baked)
	if err != nil {
		t.Fatal(err)
	}
	last := cs[len(cs)-2]
	if !isBadgeChunk(last) || cs[len(cs)-1].typ != "IEND" {
		t.Errorf("chunks end %s, %s; want iTXt, IEND", last.typ, cs[len(cs)-1].typ)
	}
	if want := "openbadges\x00\x00\x00\x00\x00" + jws; string(last.data) != want {
		t.Errorf("iTXt data %q…", last.data[:20])
	}
}

func TestBakeReplaces(t *testing.T) {
	p := smallPNG(t)
	once, err := Bake(p, "first")
	if err != nil {
		t.Fatal(err)
	}
	twice, err := Bake(once, "second")
	if err != nil {
		t.Fatal(err)
	}
	if n := len(badgeChunks(t, twice)); n != 1 {
		t.Errorf("baked twice: %d openbadges chunks, want 1", n)
	}
	if got, err := Extract(twice); err != nil || got != "second" {
		t.Errorf("Extract = %q, %v; want second", got, err)
	}
	again, err := Bake(twice, "second")
	if err != nil || !bytes.Equal(again, twice) {
		t.Errorf("baking the same signature again changed the file (%v)", err)
	}
	if len(twice) != len(p)+12+len("openbadges")+5+len("second") {
		t.Errorf("baked PNG is %d bytes, want the original plus one chunk", len(twice))
	}
	// Other text chunks stay.
	withText := insertChunk(p, "tEXt", []byte("Title\x00Souvenir"))
	baked, err := Bake(withText, "sig")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(baked, []byte("Title\x00Souvenir")) {
		t.Error("Bake dropped a tEXt chunk")
	}
}

// insertChunk adds a chunk just after IHDR.
func insertChunk(p []byte, typ string, data []byte) []byte {
	const ihdrEnd = 8 + 12 + 13
	out := append([]byte{}, p[:ihdrEnd]...)
	out = appendChunk(out, typ, data)
	return append(out, p[ihdrEnd:]...)
}

func TestExtractErrors(t *testing.T) {
	p := smallPNG(t)
	baked, err := Bake(p, "sig")
	if err != nil {
		t.Fatal(err)
	}
	flipped := append([]byte{}, baked...)
	flipped[len(flipped)-12-2] ^= 1 // the last byte of the text: the CRC no longer matches
	var compressed bytes.Buffer
	zw := zlib.NewWriter(&compressed)
	zw.Write([]byte("zipped"))
	zw.Close()

	for name, in := range map[string][]byte{
		"no chunk":        p,
		"not a PNG":       []byte("GIF89a"),
		"empty":           nil,
		"bad CRC":         flipped,
		"truncated":       baked[:len(baked)-5],
		"no IEND":         baked[:len(baked)-12],
		"trailing bytes":  append(append([]byte{}, baked...), 0),
		"tEXt only":       insertChunk(p, "tEXt", []byte("openbadges\x00https://example.org/a")),
		"other keyword":   insertChunk(p, "iTXt", []byte("Comment\x00\x00\x00\x00\x00hello")),
		"truncated iTXt":  insertChunk(p, "iTXt", []byte("openbadges\x00\x00")),
		"bad compression": insertChunk(p, "iTXt", []byte("openbadges\x00\x01\x00\x00\x00not zlib")),
		"empty text":      insertChunk(p, "iTXt", []byte("openbadges\x00\x00\x00\x00\x00")),
		"invalid UTF-8":   insertChunk(p, "iTXt", []byte("openbadges\x00\x00\x00\x00\x00\xff")),
	} {
		if got, err := Extract(in); err == nil || !strings.HasPrefix(err.Error(), "souvenir extract: ") {
			t.Errorf("%s: Extract = %q, %v; want an error", name, got, err)
		}
	}
	// A compressed chunk, which the baking specification forbids writing,
	// is still read.
	zipped := insertChunk(p, "iTXt", append([]byte("openbadges\x00\x01\x00en\x00\x00"), compressed.Bytes()...))
	if got, err := Extract(zipped); err != nil || got != "zipped" {
		t.Errorf("compressed chunk: Extract = %q, %v", got, err)
	}

	for name, sig := range map[string]string{"empty": "", "NUL": "a\x00b", "invalid UTF-8": "\xff"} {
		if _, err := Bake(p, sig); err == nil || !strings.HasPrefix(err.Error(), "souvenir bake: ") {
			t.Errorf("Bake %s signature: error = %v", name, err)
		}
	}
	if _, err := Bake([]byte("not a png"), "sig"); err == nil {
		t.Error("Bake of a non-PNG succeeded")
	}
}
