package help

import (
	"bytes"
	"crypto/ecdh"
	"crypto/hpke"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/pem"
	"errors"
	"fmt"

	"github.com/notalone/notalone/internal/errs"
	"golang.org/x/crypto/chacha20poly1305"
)

// The envelope: how a child's help request is kept at rest.
//
// What it protects against. Someone who obtains the data directory, a
// database dump, a backup, or the evidence files — a stolen disk, a leaked
// backup, a curious operator, a compromised intake instance after the
// fact — must not be able to read what a child wrote, how to reach them,
// or their screenshots. So an instance that takes requests holds only the
// responders' public key: it can seal but never open, and a request it has
// stored is unreadable even to that instance. The private key lives with
// the responders (a key file outside the data directory, never in a
// backup); only the responders' console loads it.
//
// How. Each case gets a random 32-byte data key. The case's fields
// (description, contact details, each evidence file) are sealed with it
// (SealField: XChaCha20-Poly1305), and the data key itself is sealed to the
// responders' public key (Seal: HPKE, RFC 9180, with DHKEM(X25519),
// HKDF-SHA256 and ChaCha20-Poly1305). Every ciphertext is bound to a
// context string naming what it is ("report:<id>:description"), so a
// ciphertext copied into another field or another case does not open, and
// every tampered, truncated or misplaced ciphertext is an error, never
// garbage.
//
// Crypto-shredding. Purging a closed case deletes its sealed data key; its
// field and file ciphertexts are then noise, wherever copies of them
// remain. A database backup taken before the purge still holds the sealed
// data key, so it stays readable with the private key that sealed it until
// that key is retired: rotate (NewKeyPair, Reseal every live sealed data
// key to the new public key, then destroy the old private key) and every
// older backup is shredded with it. Rotate after purges on a schedule that
// matches how long backups are kept.
//
// What it does not protect against. An attacker who controls an intake
// instance while requests arrive sees them in plaintext (they pass through
// its memory) and could substitute its own public key; the key ID stored in
// every ciphertext makes a substituted key visible to the responders, who
// cannot open it. Whoever holds a responder private key reads everything
// sealed to it. Metadata stays in clear: the case row, its timestamps,
// topic and triage priority, and the length of each ciphertext.

// Format versions: the first byte of every sealed blob. A new algorithm is
// a new version; old versions keep opening until nothing uses them.
const (
	envelopeV1 = 1 // HPKE DHKEM(X25519), HKDF-SHA256, ChaCha20-Poly1305
	fieldV1    = 1 // XChaCha20-Poly1305 with a random 24-byte nonce
)

// keyIDSize is the length of a key ID in a sealed header: the first bytes
// of SHA-256 of the public key, enough to pick among a handful of keys and
// to spot a substituted one.
const keyIDSize = 8

const (
	envelopeHeaderSize = 1 + keyIDSize
	fieldHeaderSize    = 1 + chacha20poly1305.NonceSizeX
	// DataKeySize is the length of a case's data key.
	DataKeySize = chacha20poly1305.KeySize
)

// Key file block types.
const (
	privatePEMType = "NOTALONE RESPONDER PRIVATE KEY"
	publicPEMType  = "NOTALONE RESPONDER PUBLIC KEY"
	keyIDHeader    = "Key-ID"
)

// The errors a sealed blob or a key can fail with, inside an errs.Error of
// code Internal: none of them is the visitor's doing, and each means data
// or configuration to look at, so callers test them with errors.Is.
var (
	// ErrMalformed: the blob is too short or of an unknown format version.
	ErrMalformed = errors.New("sealed data is malformed")
	// ErrUnknownKey: the blob was sealed to a key that is not loaded.
	ErrUnknownKey = errors.New("sealed to a key that is not loaded")
	// ErrDecrypt: the blob does not open: tampered with, truncated, or
	// opened with another context string than it was sealed with.
	ErrDecrypt = errors.New("sealed data does not open: tampered with, truncated or for another context")
	// ErrBadKey: a key or key file is not a responder key.
	ErrBadKey = errors.New("not a responder key")
)

// The HPKE suite, fixed by envelopeV1.
func kem() hpke.KEM   { return hpke.DHKEM(ecdh.X25519()) }
func kdf() hpke.KDF   { return hpke.HKDFSHA256() }
func aead() hpke.AEAD { return hpke.ChaCha20Poly1305() }

// A PublicKey is the responders' public key, what an intake instance holds
// to seal help requests it can never read back.
type PublicKey struct {
	ID string // hex of the first 8 bytes of SHA-256 of the key: names the key in every ciphertext sealed to it
	k  hpke.PublicKey
}

// A PrivateKey is a responder private key: it opens what was sealed to
// its public key. It prints as its ID only, so it cannot leak into a log.
type PrivateKey struct {
	ID string // the ID of its public key
	k  hpke.PrivateKey
}

// String shows the key's ID, never the key.
func (k PrivateKey) String() string { return "help.PrivateKey(" + k.ID + ")" }

// GoString shows the key's ID, never the key, for %#v.
func (k PrivateKey) GoString() string { return k.String() }

// PublicKey returns the public half of k, so the rotation command can
// write the public key file from the private one.
func (k PrivateKey) PublicKey() PublicKey {
	if k.k == nil {
		return PublicKey{}
	}
	pub := k.k.PublicKey()
	return PublicKey{ID: keyID(pub.Bytes()), k: pub}
}

// NewKeyPair makes a responder key pair (X25519, for HPKE with HKDF-SHA256
// and ChaCha20-Poly1305) and returns its raw bytes, for EncodePrivateKey and
// EncodePublicKey. It is the first step of a rotation.
func NewKeyPair() (priv []byte, pub []byte, err error) {
	k, err := kem().GenerateKey()
	if err != nil {
		return nil, nil, errs.Wrap(errs.Internal, err, "new key pair")
	}
	priv, err = k.Bytes()
	if err != nil {
		return nil, nil, errs.Wrap(errs.Internal, err, "new key pair")
	}
	return priv, k.PublicKey().Bytes(), nil
}

// keyID names a public key by a short hash of its bytes.
func keyID(pub []byte) string {
	id := rawKeyID(pub)
	return hex.EncodeToString(id[:])
}

// rawKeyID is the key ID as stored in a sealed header. Seal and Open
// compute it from the key itself rather than trusting the ID field.
func rawKeyID(pub []byte) [keyIDSize]byte {
	sum := sha256.Sum256(pub)
	return [keyIDSize]byte(sum[:keyIDSize])
}

// ParsePublicKey reads the raw bytes of a responder public key.
func ParsePublicKey(b []byte) (PublicKey, error) {
	k, err := kem().NewPublicKey(b)
	if err != nil {
		return PublicKey{}, errs.Wrap(errs.Internal, fmt.Errorf("%w: %w", ErrBadKey, err), "parse public key")
	}
	return PublicKey{ID: keyID(k.Bytes()), k: k}, nil
}

// ParsePrivateKey reads the raw bytes of a responder private key.
func ParsePrivateKey(b []byte) (PrivateKey, error) {
	k, err := kem().NewPrivateKey(b)
	if err != nil {
		return PrivateKey{}, errs.Wrap(errs.Internal, fmt.Errorf("%w: %w", ErrBadKey, err), "parse private key")
	}
	return PrivateKey{ID: keyID(k.PublicKey().Bytes()), k: k}, nil
}

// hpkeInfo is the HPKE info string: a domain label, the blob's header (so
// its version and key ID cannot be altered) and the caller's context.
func hpkeInfo(header []byte, info string) []byte {
	b := make([]byte, 0, 32+len(header)+len(info))
	b = append(b, "notalone help envelope v1\x00"...)
	b = append(b, header...)
	return append(b, info...)
}

// Seal encrypts plaintext (a case's data key, or any small secret) to the
// responders' public key, bound to info, a context string naming what and
// whose it is (e.g. "report:<id>:datakey"), so that it opens only with the
// same info. The result is a format version byte, the 8-byte key ID, then
// HPKE's single-shot ciphertext (encapsulated key and AEAD ciphertext).
func Seal(pub PublicKey, info string, plaintext []byte) ([]byte, error) {
	if pub.k == nil {
		return nil, errs.Wrap(errs.Internal, ErrBadKey, "seal: no public key")
	}
	if info == "" {
		return nil, errs.Wrap(errs.Internal, errors.New("empty context"), "seal")
	}
	header := make([]byte, envelopeHeaderSize, envelopeHeaderSize+32+len(plaintext)+16)
	header[0] = envelopeV1
	id := rawKeyID(pub.k.Bytes())
	copy(header[1:], id[:])
	ct, err := hpke.Seal(pub.k, kdf(), aead(), hpkeInfo(header, info), plaintext)
	if err != nil {
		return nil, errs.Wrap(errs.Internal, err, "seal")
	}
	return append(header, ct...), nil
}

// SealedKeyID returns the ID of the key a blob from Seal was sealed to,
// without opening it: a rotation finds what is left to reseal, and the
// responders see when a blob was sealed to a key they do not know.
func SealedKeyID(sealed []byte) (string, error) {
	if len(sealed) < envelopeHeaderSize {
		return "", errs.Wrap(errs.Internal, ErrMalformed, "read sealed key ID: %d bytes", len(sealed))
	}
	if sealed[0] != envelopeV1 {
		return "", errs.Wrap(errs.Internal, ErrMalformed, "read sealed key ID: format version %d", sealed[0])
	}
	return hex.EncodeToString(sealed[1:envelopeHeaderSize]), nil
}

// Open decrypts a blob from Seal with whichever of keys it was sealed to
// (the current responder key and, during a rotation, the old ones) and the
// same info it was sealed with. Anything else — tampering, truncation, a
// different info, a key not in keys — is an errs.Error of code Internal
// wrapping ErrMalformed, ErrUnknownKey or ErrDecrypt; it never returns
// unauthenticated bytes.
func Open(keys []PrivateKey, info string, sealed []byte) ([]byte, error) {
	id, err := SealedKeyID(sealed)
	if err != nil {
		return nil, err
	}
	for _, k := range keys {
		if k.k == nil || rawKeyID(k.k.PublicKey().Bytes()) != [keyIDSize]byte(sealed[1:envelopeHeaderSize]) {
			continue
		}
		pt, err := hpke.Open(k.k, kdf(), aead(), hpkeInfo(sealed[:envelopeHeaderSize], info), sealed[envelopeHeaderSize:])
		if err != nil {
			return nil, errs.Wrap(errs.Internal, ErrDecrypt, "open with key %s", id)
		}
		return pt, nil
	}
	return nil, errs.Wrap(errs.Internal, ErrUnknownKey, "open with key %s", id)
}

// Reseal opens a blob with keys and seals its plaintext again to newPub
// under the same info: the rotation step for every stored sealed data key.
// A blob already sealed to newPub is checked and returned unchanged, so a
// rotation that stopped half way can simply run again.
func Reseal(keys []PrivateKey, newPub PublicKey, info string, sealed []byte) ([]byte, error) {
	pt, err := Open(keys, info, sealed)
	if err != nil {
		return nil, fmt.Errorf("reseal: %w", err)
	}
	defer clear(pt)
	if newPub.k != nil && rawKeyID(newPub.k.Bytes()) == [keyIDSize]byte(sealed[1:envelopeHeaderSize]) {
		return sealed, nil
	}
	out, err := Seal(newPub, info, pt)
	if err != nil {
		return nil, fmt.Errorf("reseal: %w", err)
	}
	return out, nil
}

// NewDataKey returns a fresh random data key for one case; seal it with
// Seal and keep only the sealed form.
func NewDataKey() ([]byte, error) {
	k := make([]byte, DataKeySize)
	if _, err := rand.Read(k); err != nil {
		return nil, errs.Wrap(errs.Internal, err, "new data key")
	}
	return k, nil
}

// fieldAD is the associated data of a field: a domain label, the format
// version and the caller's context.
func fieldAD(version byte, info string) []byte {
	b := make([]byte, 0, 32+len(info))
	b = append(b, "notalone help field\x00"...)
	b = append(b, version, 0)
	return append(b, info...)
}

// SealField encrypts one field or file of a case with the case's data key,
// bound to info (e.g. "report:<id>:contact", "report:<id>:evidence:<n>") so
// it does not open in another field or case. The result is a format
// version byte, a random 24-byte nonce, then the XChaCha20-Poly1305
// ciphertext; random nonces of that size are safe for any number of fields
// under one key. The whole plaintext is in memory: callers bound its size.
func SealField(dataKey []byte, info string, plaintext []byte) ([]byte, error) {
	if info == "" {
		return nil, errs.Wrap(errs.Internal, errors.New("empty context"), "seal field")
	}
	a, err := chacha20poly1305.NewX(dataKey)
	if err != nil {
		return nil, errs.Wrap(errs.Internal, err, "seal field")
	}
	out := make([]byte, fieldHeaderSize, fieldHeaderSize+len(plaintext)+a.Overhead())
	out[0] = fieldV1
	if _, err := rand.Read(out[1:fieldHeaderSize]); err != nil {
		return nil, errs.Wrap(errs.Internal, err, "seal field")
	}
	return a.Seal(out, out[1:fieldHeaderSize], plaintext, fieldAD(fieldV1, info)), nil
}

// OpenField decrypts a blob from SealField with the case's data key and
// the same info. Tampering, truncation or another info is an errs.Error of
// code Internal wrapping ErrMalformed or ErrDecrypt.
func OpenField(dataKey []byte, info string, sealed []byte) ([]byte, error) {
	a, err := chacha20poly1305.NewX(dataKey)
	if err != nil {
		return nil, errs.Wrap(errs.Internal, err, "open field")
	}
	if len(sealed) < fieldHeaderSize+a.Overhead() {
		return nil, errs.Wrap(errs.Internal, ErrMalformed, "open field: %d bytes", len(sealed))
	}
	if sealed[0] != fieldV1 {
		return nil, errs.Wrap(errs.Internal, ErrMalformed, "open field: format version %d", sealed[0])
	}
	pt, err := a.Open(nil, sealed[1:fieldHeaderSize], sealed[fieldHeaderSize:], fieldAD(fieldV1, info))
	if err != nil {
		return nil, errs.Wrap(errs.Internal, ErrDecrypt, "open field")
	}
	return pt, nil
}

// EncodePrivateKey writes a private key file: one PEM block of type
// "NOTALONE RESPONDER PRIVATE KEY" with a Key-ID header, so an operator can
// tell keys apart and keep the file away from the server's data directory.
// priv is the raw key from NewKeyPair. A responders' key file may hold
// several blocks (the current key and the old ones during a rotation); see
// DecodePrivateKeys.
func EncodePrivateKey(priv []byte) []byte {
	var headers map[string]string
	if k, err := ParsePrivateKey(priv); err == nil {
		headers = map[string]string{keyIDHeader: k.ID}
	}
	return pem.EncodeToMemory(&pem.Block{Type: privatePEMType, Headers: headers, Bytes: priv})
}

// EncodePublicKey writes a public key file: one PEM block of type
// "NOTALONE RESPONDER PUBLIC KEY" with a Key-ID header, what an intake
// instance is configured with.
func EncodePublicKey(pub []byte) []byte {
	var headers map[string]string
	if k, err := ParsePublicKey(pub); err == nil {
		headers = map[string]string{keyIDHeader: k.ID}
	}
	return pem.EncodeToMemory(&pem.Block{Type: publicPEMType, Headers: headers, Bytes: pub})
}

// DecodePrivateKey reads a private key file holding exactly one key.
func DecodePrivateKey(pemBytes []byte) (PrivateKey, error) {
	keys, err := DecodePrivateKeys(pemBytes)
	if err != nil {
		return PrivateKey{}, err
	}
	if len(keys) != 1 {
		return PrivateKey{}, errs.Wrap(errs.Internal, ErrBadKey, "decode private key: %d keys in the file, want 1", len(keys))
	}
	return keys[0], nil
}

// DecodePrivateKeys reads the responders' key file: one or more private
// key blocks (the current key first by convention, then older keys kept
// until a rotation has resealed everything), for Open and Reseal. Anything
// else in the file, a duplicate key or a Key-ID header that does not match
// its key is refused, so a damaged or mixed-up file fails at start.
func DecodePrivateKeys(pemBytes []byte) ([]PrivateKey, error) {
	blocks, err := decodeBlocks(pemBytes, privatePEMType)
	if err != nil {
		return nil, fmt.Errorf("decode private keys: %w", err)
	}
	keys := make([]PrivateKey, 0, len(blocks))
	seen := map[string]bool{}
	for i, b := range blocks {
		k, err := ParsePrivateKey(b.Bytes)
		if err != nil {
			return nil, fmt.Errorf("decode private keys: block %d: %w", i+1, err)
		}
		if err := checkKeyIDHeader(b, k.ID); err != nil {
			return nil, fmt.Errorf("decode private keys: block %d: %w", i+1, err)
		}
		if seen[k.ID] {
			return nil, errs.Wrap(errs.Internal, ErrBadKey, "decode private keys: block %d: key %s listed twice", i+1, k.ID)
		}
		seen[k.ID] = true
		keys = append(keys, k)
	}
	return keys, nil
}

// DecodePublicKey reads a public key file holding exactly one key.
func DecodePublicKey(pemBytes []byte) (PublicKey, error) {
	blocks, err := decodeBlocks(pemBytes, publicPEMType)
	if err != nil {
		return PublicKey{}, fmt.Errorf("decode public key: %w", err)
	}
	if len(blocks) != 1 {
		return PublicKey{}, errs.Wrap(errs.Internal, ErrBadKey, "decode public key: %d keys in the file, want 1", len(blocks))
	}
	k, err := ParsePublicKey(blocks[0].Bytes)
	if err != nil {
		return PublicKey{}, fmt.Errorf("decode public key: %w", err)
	}
	if err := checkKeyIDHeader(blocks[0], k.ID); err != nil {
		return PublicKey{}, fmt.Errorf("decode public key: %w", err)
	}
	return k, nil
}

// decodeBlocks reads a file made only of PEM blocks of type typ, with
// nothing but white space between and around them.
func decodeBlocks(data []byte, typ string) ([]*pem.Block, error) {
	var blocks []*pem.Block
	rest := bytes.TrimSpace(data)
	for len(rest) > 0 {
		if !bytes.HasPrefix(rest, []byte("-----BEGIN ")) {
			return nil, errs.Wrap(errs.Internal, ErrBadKey, "not a PEM key file")
		}
		b, r := pem.Decode(rest)
		if b == nil {
			return nil, errs.Wrap(errs.Internal, ErrBadKey, "damaged PEM block")
		}
		if b.Type != typ {
			return nil, errs.Wrap(errs.Internal, ErrBadKey, "block %d is a %q, want a %q", len(blocks)+1, b.Type, typ)
		}
		blocks = append(blocks, b)
		rest = bytes.TrimSpace(r)
	}
	if len(blocks) == 0 {
		return nil, errs.Wrap(errs.Internal, ErrBadKey, "empty key file")
	}
	return blocks, nil
}

// checkKeyIDHeader refuses a block whose headers are anything but a
// Key-ID that matches the key.
func checkKeyIDHeader(b *pem.Block, id string) error {
	for name, v := range b.Headers {
		if name != keyIDHeader {
			return errs.Wrap(errs.Internal, ErrBadKey, "unexpected header %q", name)
		}
		if v != id {
			return errs.Wrap(errs.Internal, ErrBadKey, "header Key-ID %s does not match the key %s", v, id)
		}
	}
	return nil
}
