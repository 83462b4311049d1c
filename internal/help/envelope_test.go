package help

import (
	"bytes"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/notalone/notalone/internal/errs"
)

// keyPair is one parsed responder key pair for tests.
type keyPair struct {
	priv      PrivateKey
	pub       PublicKey
	rawPriv   []byte
	rawPub    []byte
	privPEM   []byte
	publicPEM []byte
}

func mustKeyPair(tb testing.TB) keyPair {
	tb.Helper()
	rawPriv, rawPub, err := NewKeyPair()
	if err != nil {
		tb.Fatalf("NewKeyPair() error: %v", err)
	}
	priv, err := ParsePrivateKey(rawPriv)
	if err != nil {
		tb.Fatalf("ParsePrivateKey() error: %v", err)
	}
	pub, err := ParsePublicKey(rawPub)
	if err != nil {
		tb.Fatalf("ParsePublicKey() error: %v", err)
	}
	return keyPair{priv: priv, pub: pub, rawPriv: rawPriv, rawPub: rawPub,
		privPEM: EncodePrivateKey(rawPriv), publicPEM: EncodePublicKey(rawPub)}
}

func mustSeal(tb testing.TB, pub PublicKey, info string, pt []byte) []byte {
	tb.Helper()
	sealed, err := Seal(pub, info, pt)
	if err != nil {
		tb.Fatalf("Seal(%q) error: %v", info, err)
	}
	return sealed
}

// wantOpenError checks that err is an Internal errs.Error wrapping target.
func wantOpenError(t *testing.T, what string, got []byte, err, target error) {
	t.Helper()
	if err == nil {
		t.Fatalf("%s = %q, want an error", what, got)
	}
	if got != nil {
		t.Errorf("%s returned %d bytes with its error", what, len(got))
	}
	if !errors.Is(err, target) {
		t.Errorf("%s error = %v, want %v", what, err, target)
	}
	if c := errs.CodeOf(err); c != errs.Internal {
		t.Errorf("%s error code = %q, want %q", what, c, errs.Internal)
	}
}

func TestKeyPair(t *testing.T) {
	k := mustKeyPair(t)
	if len(k.rawPriv) != 32 || len(k.rawPub) != 32 {
		t.Fatalf("NewKeyPair() = %d, %d bytes, want 32, 32", len(k.rawPriv), len(k.rawPub))
	}
	if k.priv.ID != k.pub.ID || len(k.pub.ID) != 16 {
		t.Errorf("key IDs = %q (private), %q (public), want the same 16 hex digits", k.priv.ID, k.pub.ID)
	}
	if got := k.priv.PublicKey(); got.ID != k.pub.ID {
		t.Errorf("PrivateKey.PublicKey().ID = %q, want %q", got.ID, k.pub.ID)
	}
	other := mustKeyPair(t)
	if other.pub.ID == k.pub.ID {
		t.Errorf("two new key pairs share the ID %q", k.pub.ID)
	}
	for _, s := range []string{fmt.Sprint(k.priv), fmt.Sprintf("%+v", k.priv), fmt.Sprintf("%#v", k.priv), fmt.Sprintf("%v", []PrivateKey{k.priv})} {
		if !strings.Contains(s, k.priv.ID) || len(s) > 64 {
			t.Errorf("a private key prints as %q, want only its ID", s)
		}
	}
	for _, b := range [][]byte{nil, {}, make([]byte, 31), make([]byte, 33)} {
		if _, err := ParsePublicKey(b); !errors.Is(err, ErrBadKey) {
			t.Errorf("ParsePublicKey(%d bytes) error = %v, want %v", len(b), err, ErrBadKey)
		}
		if _, err := ParsePrivateKey(b); !errors.Is(err, ErrBadKey) {
			t.Errorf("ParsePrivateKey(%d bytes) error = %v, want %v", len(b), err, ErrBadKey)
		}
	}
}

func TestSealOpen(t *testing.T) {
	k := mustKeyPair(t)
	tests := []struct {
		name, info string
		plaintext  []byte
	}{
		{"data key", "report:42:datakey", bytes.Repeat([]byte{7}, DataKeySize)},
		{"empty", "report:42:note", []byte{}},
		{"vietnamese", "report:42:description", []byte("Em bị đe doạ, xin giúp em.")},
		{"large", "report:42:evidence:1", bytes.Repeat([]byte("x"), 1<<16)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sealed := mustSeal(t, k.pub, tt.info, tt.plaintext)
			got, err := Open([]PrivateKey{k.priv}, tt.info, sealed)
			if err != nil {
				t.Fatalf("Open() error: %v", err)
			}
			if !bytes.Equal(got, tt.plaintext) {
				t.Errorf("Open(Seal(%q)) = %q, want %q", tt.info, got, tt.plaintext)
			}
			if id, err := SealedKeyID(sealed); err != nil || id != k.pub.ID {
				t.Errorf("SealedKeyID() = %q, %v, want %q", id, err, k.pub.ID)
			}
			again := mustSeal(t, k.pub, tt.info, tt.plaintext)
			if bytes.Equal(again, sealed) {
				t.Errorf("Seal twice gave the same bytes; want a fresh encapsulation each time")
			}
		})
	}
}

func TestSealRefuses(t *testing.T) {
	k := mustKeyPair(t)
	if _, err := Seal(PublicKey{}, "report:1:datakey", []byte("x")); !errors.Is(err, ErrBadKey) {
		t.Errorf("Seal(zero key) error = %v, want %v", err, ErrBadKey)
	}
	if _, err := Seal(k.pub, "", []byte("x")); err == nil {
		t.Errorf("Seal(empty info) succeeded, want an error")
	}
}

func TestOpenFails(t *testing.T) {
	k := mustKeyPair(t)
	other := mustKeyPair(t)
	const info = "report:42:datakey"
	sealed := mustSeal(t, k.pub, info, []byte("secret data key 0123456789abcdef"))
	otherVersion := bytes.Clone(sealed)
	otherVersion[0] = 2
	tests := []struct {
		name   string
		keys   []PrivateKey
		info   string
		sealed []byte
		want   error
	}{
		{"wrong info", []PrivateKey{k.priv}, "report:43:datakey", sealed, ErrDecrypt},
		{"another field", []PrivateKey{k.priv}, "report:42:description", sealed, ErrDecrypt},
		{"empty info", []PrivateKey{k.priv}, "", sealed, ErrDecrypt},
		{"unknown key", []PrivateKey{other.priv}, info, sealed, ErrUnknownKey},
		{"no keys", nil, info, sealed, ErrUnknownKey},
		{"zero key", []PrivateKey{{}}, info, sealed, ErrUnknownKey},
		{"key with a forged ID", []PrivateKey{{ID: k.pub.ID, k: other.priv.k}}, info, sealed, ErrUnknownKey},
		{"nil", []PrivateKey{k.priv}, info, nil, ErrMalformed},
		{"header only", []PrivateKey{k.priv}, info, sealed[:envelopeHeaderSize], ErrDecrypt},
		{"short header", []PrivateKey{k.priv}, info, sealed[:envelopeHeaderSize-1], ErrMalformed},
		{"unknown version", []PrivateKey{k.priv}, info, otherVersion, ErrMalformed},
		{"appended byte", []PrivateKey{k.priv}, info, append(bytes.Clone(sealed), 0), ErrDecrypt},
	}
	for n := 1; n < len(sealed)-envelopeHeaderSize; n++ {
		tests = append(tests, struct {
			name   string
			keys   []PrivateKey
			info   string
			sealed []byte
			want   error
		}{fmt.Sprintf("truncated by %d", n), []PrivateKey{k.priv}, info, sealed[:len(sealed)-n], ErrDecrypt})
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Open(tt.keys, tt.info, tt.sealed)
			wantOpenError(t, "Open()", got, err, tt.want)
		})
	}
}

// TestOpenEveryFlip flips every bit of every byte of a small sealed blob,
// header included: each must fail to open.
func TestOpenEveryFlip(t *testing.T) {
	k := mustKeyPair(t)
	const info = "report:7:datakey"
	sealed := mustSeal(t, k.pub, info, []byte("ab"))
	keys := []PrivateKey{k.priv}
	for i := range sealed {
		for bit := range 8 {
			b := bytes.Clone(sealed)
			b[i] ^= 1 << bit
			if got, err := Open(keys, info, b); err == nil {
				t.Errorf("Open() with byte %d bit %d flipped = %q, want an error", i, bit, got)
			}
		}
	}
}

func TestReseal(t *testing.T) {
	old := mustKeyPair(t)
	next := mustKeyPair(t)
	const info = "report:9:datakey"
	dataKey, err := NewDataKey()
	if err != nil {
		t.Fatal(err)
	}
	sealed := mustSeal(t, old.pub, info, dataKey)

	// During the rotation the key file lists both keys.
	both := []PrivateKey{next.priv, old.priv}
	resealed, err := Reseal(both, next.pub, info, sealed)
	if err != nil {
		t.Fatalf("Reseal() error: %v", err)
	}
	if id, _ := SealedKeyID(resealed); id != next.pub.ID {
		t.Errorf("SealedKeyID(Reseal()) = %q, want the new key %q", id, next.pub.ID)
	}
	// After it, the old private key is destroyed.
	got, err := Open([]PrivateKey{next.priv}, info, resealed)
	if err != nil || !bytes.Equal(got, dataKey) {
		t.Errorf("Open(new key only, Reseal()) = %x, %v, want %x", got, err, dataKey)
	}
	got, err = Open([]PrivateKey{next.priv}, info, sealed)
	wantOpenError(t, "Open(new key only, old blob)", got, err, ErrUnknownKey)

	// Running the rotation again leaves resealed blobs alone.
	again, err := Reseal([]PrivateKey{next.priv}, next.pub, info, resealed)
	if err != nil || !bytes.Equal(again, resealed) {
		t.Errorf("Reseal(already resealed) = %v, want it unchanged", err)
	}
	// Reseal checks the context too: no moving a key to another case.
	got, err = Reseal(both, next.pub, "report:10:datakey", sealed)
	wantOpenError(t, "Reseal(other info)", got, err, ErrDecrypt)
	got, err = Reseal([]PrivateKey{next.priv}, next.pub, info, sealed)
	wantOpenError(t, "Reseal(without the old key)", got, err, ErrUnknownKey)
}

func TestField(t *testing.T) {
	dataKey, err := NewDataKey()
	if err != nil {
		t.Fatal(err)
	}
	if len(dataKey) != DataKeySize {
		t.Fatalf("NewDataKey() = %d bytes, want %d", len(dataKey), DataKeySize)
	}
	if other, _ := NewDataKey(); bytes.Equal(other, dataKey) {
		t.Fatalf("NewDataKey() twice gave the same key")
	}
	tests := []struct {
		name, info string
		plaintext  []byte
	}{
		{"description", "report:1:description", []byte("Có người bảo em đừng nói với ai.")},
		{"contact", "report:1:contact", []byte("zalo: 0900 000 000")},
		{"empty", "report:1:note", nil},
		{"evidence", "report:1:evidence:1", bytes.Repeat([]byte{0x89, 'P', 'N', 'G'}, 1<<14)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sealed, err := SealField(dataKey, tt.info, tt.plaintext)
			if err != nil {
				t.Fatalf("SealField() error: %v", err)
			}
			got, err := OpenField(dataKey, tt.info, sealed)
			if err != nil {
				t.Fatalf("OpenField() error: %v", err)
			}
			if !bytes.Equal(got, tt.plaintext) {
				t.Errorf("OpenField(SealField(%q)) = %q, want %q", tt.info, got, tt.plaintext)
			}
		})
	}
}

func TestOpenFieldFails(t *testing.T) {
	dataKey, _ := NewDataKey()
	otherKey, _ := NewDataKey()
	const info = "report:1:description"
	sealed, err := SealField(dataKey, info, []byte("hi"))
	if err != nil {
		t.Fatal(err)
	}
	otherVersion := bytes.Clone(sealed)
	otherVersion[0] = 9
	tests := []struct {
		name   string
		key    []byte
		info   string
		sealed []byte
		want   error
	}{
		{"wrong info", dataKey, "report:1:contact", sealed, ErrDecrypt},
		{"other case", dataKey, "report:2:description", sealed, ErrDecrypt},
		{"wrong key", otherKey, info, sealed, ErrDecrypt},
		{"truncated", dataKey, info, sealed[:len(sealed)-1], ErrDecrypt},
		{"too short", dataKey, info, sealed[:fieldHeaderSize], ErrMalformed},
		{"nil", dataKey, info, nil, ErrMalformed},
		{"unknown version", dataKey, info, otherVersion, ErrMalformed},
		{"appended", dataKey, info, append(bytes.Clone(sealed), 0), ErrDecrypt},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := OpenField(tt.key, tt.info, tt.sealed)
			wantOpenError(t, "OpenField()", got, err, tt.want)
		})
	}
	for i := range sealed {
		for bit := range 8 {
			b := bytes.Clone(sealed)
			b[i] ^= 1 << bit
			if got, err := OpenField(dataKey, info, b); err == nil {
				t.Errorf("OpenField() with byte %d bit %d flipped = %q, want an error", i, bit, got)
			}
		}
	}
	for _, k := range [][]byte{nil, dataKey[:16], append(bytes.Clone(dataKey), 0)} {
		if _, err := SealField(k, info, []byte("x")); err == nil {
			t.Errorf("SealField(%d-byte key) succeeded, want an error", len(k))
		}
		if _, err := OpenField(k, info, sealed); err == nil {
			t.Errorf("OpenField(%d-byte key) succeeded, want an error", len(k))
		}
	}
	if _, err := SealField(dataKey, "", []byte("x")); err == nil {
		t.Errorf("SealField(empty info) succeeded, want an error")
	}
}

// TestCanary checks that no plaintext is visible in what is stored: the
// sealed data key, the sealed fields, nor any key file but the private one.
func TestCanary(t *testing.T) {
	const canary = "CANARY-Nguyễn-0900000000-CANARY"
	k := mustKeyPair(t)
	dataKey, _ := NewDataKey()
	sealedKey := mustSeal(t, k.pub, "report:5:datakey", dataKey)
	direct := mustSeal(t, k.pub, "report:5:note", []byte(canary))
	field, err := SealField(dataKey, "report:5:description", []byte(strings.Repeat(canary, 4)))
	if err != nil {
		t.Fatal(err)
	}
	for name, stored := range map[string][]byte{"sealed data key": sealedKey, "sealed note": direct, "sealed field": field, "public key file": k.publicPEM} {
		for _, secret := range [][]byte{[]byte(canary), []byte("CANARY"), dataKey, k.rawPriv} {
			if bytes.Contains(stored, secret) {
				t.Errorf("the %s contains %q", name, secret)
			}
		}
	}
}

func TestKeyFiles(t *testing.T) {
	k := mustKeyPair(t)
	old := mustKeyPair(t)
	if !bytes.HasPrefix(k.privPEM, []byte("-----BEGIN NOTALONE RESPONDER PRIVATE KEY-----\n")) ||
		!bytes.Contains(k.privPEM, []byte("Key-ID: "+k.pub.ID)) {
		t.Errorf("EncodePrivateKey() = %s, want a PEM block with a Key-ID header", k.privPEM)
	}
	if !bytes.HasPrefix(k.publicPEM, []byte("-----BEGIN NOTALONE RESPONDER PUBLIC KEY-----\n")) {
		t.Errorf("EncodePublicKey() = %s, want a PEM block", k.publicPEM)
	}

	priv, err := DecodePrivateKey(k.privPEM)
	if err != nil || priv.ID != k.pub.ID {
		t.Fatalf("DecodePrivateKey() = %v, %v, want key %s", priv, err, k.pub.ID)
	}
	pub, err := DecodePublicKey(k.publicPEM)
	if err != nil || pub.ID != k.pub.ID {
		t.Fatalf("DecodePublicKey() = %v, %v, want key %s", pub.ID, err, k.pub.ID)
	}
	// The decoded keys work together.
	sealed := mustSeal(t, pub, "report:1:datakey", []byte("k"))
	if got, err := Open([]PrivateKey{priv}, "report:1:datakey", sealed); err != nil || string(got) != "k" {
		t.Errorf("Open with decoded keys = %q, %v", got, err)
	}

	// The responders' key file during a rotation: new key then old.
	file := append(append(bytes.Clone(k.privPEM), '\n'), old.privPEM...)
	keys, err := DecodePrivateKeys(file)
	if err != nil || len(keys) != 2 || keys[0].ID != k.pub.ID || keys[1].ID != old.pub.ID {
		t.Errorf("DecodePrivateKeys(two keys) = %v, %v", keys, err)
	}
	if _, err := DecodePrivateKey(file); !errors.Is(err, ErrBadKey) {
		t.Errorf("DecodePrivateKey(two keys) error = %v, want %v", err, ErrBadKey)
	}

	wrongID := bytes.Replace(k.privPEM, []byte(k.pub.ID), []byte(old.pub.ID), 1)
	extraHeader := bytes.Replace(k.privPEM, []byte("Key-ID:"), []byte("Comment: x\nKey-ID:"), 1)
	garbage := []struct {
		name string
		data []byte
	}{
		{"empty", nil},
		{"blank", []byte(" \n\t\n")},
		{"raw bytes", k.rawPriv},
		{"text", []byte("not a key")},
		{"leading text", append([]byte("key:\n"), k.privPEM...)},
		{"trailing text", append(bytes.Clone(k.privPEM), "trailer\n"...)},
		{"public key as private", k.publicPEM},
		{"other PEM type", []byte("-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n")},
		{"cut off", k.privPEM[:len(k.privPEM)-10]},
		{"wrong length", EncodePrivateKey(k.rawPriv[:31])},
		{"bad base64", bytes.Replace(k.privPEM, []byte("\n\n"), []byte("\n\n!!"), 1)},
		{"mismatched Key-ID", wrongID},
		{"unknown header", extraHeader},
		{"duplicate key", append(bytes.Clone(k.privPEM), k.privPEM...)},
	}
	for _, g := range garbage {
		if _, err := DecodePrivateKeys(g.data); !errors.Is(err, ErrBadKey) {
			t.Errorf("DecodePrivateKeys(%s) error = %v, want %v", g.name, err, ErrBadKey)
		}
	}
	pubGarbage := []struct {
		name string
		data []byte
	}{
		{"empty", nil},
		{"private key as public", k.privPEM},
		{"two keys", append(bytes.Clone(k.publicPEM), old.publicPEM...)},
		{"wrong length", EncodePublicKey(k.rawPub[:16])},
		{"mismatched Key-ID", bytes.Replace(k.publicPEM, []byte(k.pub.ID), []byte(old.pub.ID), 1)},
		{"trailing text", append(bytes.Clone(k.publicPEM), 'x')},
	}
	for _, g := range pubGarbage {
		if _, err := DecodePublicKey(g.data); !errors.Is(err, ErrBadKey) {
			t.Errorf("DecodePublicKey(%s) error = %v, want %v", g.name, err, ErrBadKey)
		}
	}
}

func BenchmarkSeal(b *testing.B) {
	k := mustKeyPair(b)
	dataKey, _ := NewDataKey()
	for b.Loop() {
		mustSeal(b, k.pub, "report:1:datakey", dataKey)
	}
}

func BenchmarkOpen(b *testing.B) {
	k := mustKeyPair(b)
	dataKey, _ := NewDataKey()
	sealed := mustSeal(b, k.pub, "report:1:datakey", dataKey)
	keys := []PrivateKey{k.priv}
	for b.Loop() {
		if _, err := Open(keys, "report:1:datakey", sealed); err != nil {
			b.Fatal(err)
		}
	}
}
