package souvenir

import (
	"bytes"
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"strings"
)

// Context is the JSON-LD context of every Open Badges 2.0 document.
const Context = "https://w3id.org/openbadges/v2"

// Recipient is an Open Badges IdentityObject: who the badge was awarded to.
type Recipient struct {
	Type     string `json:"type"`
	Identity string `json:"identity"`
	Hashed   bool   `json:"hashed"`
	Salt     string `json:"salt,omitempty"`
}

// Verification is an Open Badges VerificationObject. For a signed badge,
// Type is "SignedBadge" and Creator the id of the CryptographicKey.
type Verification struct {
	Type    string `json:"type"`
	Creator string `json:"creator,omitempty"`
}

// Assertion is an Open Badges 2.0 Assertion: one awarded badge. Every field
// is required by the specification.
type Assertion struct {
	Context      string       `json:"@context"`
	Type         string       `json:"type"` // "Assertion"
	ID           string       `json:"id"`
	Recipient    Recipient    `json:"recipient"`
	Badge        string       `json:"badge"` // the BadgeClass's id
	Verification Verification `json:"verification"`
	IssuedOn     string       `json:"issuedOn"` // ISO 8601 with a time zone, e.g. 2026-11-27T09:30:00Z
}

// Criteria says how a badge is earned.
type Criteria struct {
	Narrative string `json:"narrative"`
}

// BadgeClass is an Open Badges 2.0 BadgeClass: the achievement a badge
// stands for. Every field is required by the specification.
type BadgeClass struct {
	Context     string   `json:"@context"`
	Type        string   `json:"type"` // "BadgeClass"
	ID          string   `json:"id"`
	Name        string   `json:"name"`
	Description string   `json:"description"`
	Image       string   `json:"image"`
	Criteria    Criteria `json:"criteria"`
	Issuer      string   `json:"issuer"` // the Issuer's id
}

// Issuer is an Open Badges 2.0 issuer Profile. The specification requires
// id, type, name, url and email of an issuer; PublicKey and RevocationList
// are what a verifier of signed badges looks up.
type Issuer struct {
	Context        string `json:"@context"`
	Type           string `json:"type"` // "Issuer"
	ID             string `json:"id"`
	Name           string `json:"name"`
	URL            string `json:"url"`
	Email          string `json:"email"`
	PublicKey      string `json:"publicKey,omitempty"`      // the CryptographicKey's id
	RevocationList string `json:"revocationList,omitempty"` // the RevocationList's id
}

// CryptographicKey is an Open Badges 2.0 CryptographicKey: the public half
// of the key that signs the issuer's badges.
type CryptographicKey struct {
	Context      string `json:"@context"`
	Type         string `json:"type"` // "CryptographicKey"
	ID           string `json:"id"`
	Owner        string `json:"owner"` // the Issuer's id
	PublicKeyPem string `json:"publicKeyPem"`
}

// RevocationList is an Open Badges 2.0 RevocationList: the signed badges
// the issuer has withdrawn.
type RevocationList struct {
	Context           string    `json:"@context"`
	Type              string    `json:"type"` // "RevocationList"
	ID                string    `json:"id"`
	Issuer            string    `json:"issuer"`
	RevokedAssertions []Revoked `json:"revokedAssertions"`
}

// Revoked is one entry of a RevocationList.
type Revoked struct {
	ID               string `json:"id"`
	RevocationReason string `json:"revocationReason,omitempty"`
}

// MarshalJSON writes an empty list as [] (revokedAssertions is required).
func (l RevocationList) MarshalJSON() ([]byte, error) {
	type plain RevocationList // without this method
	if l.RevokedAssertions == nil {
		l.RevokedAssertions = []Revoked{}
	}
	return json.Marshal(plain(l))
}

// HashedRecipient returns a recipient identity "sha256$<hex of
// sha256(identity+salt)>" with the given salt, type "url" (the identity is
// the pledge's verification URL: only the souvenir's holder has it; no
// email needed).
func HashedRecipient(identity, salt string) Recipient {
	sum := sha256.Sum256([]byte(identity + salt))
	return Recipient{Type: "url", Identity: "sha256$" + hex.EncodeToString(sum[:]), Hashed: true, Salt: salt}
}

// Signer signs assertions with RS256.
type Signer struct{ Key *rsa.PrivateKey }

// NewKey returns a new 2048-bit RSA key for a Signer. It is the one
// function here that is not pure: it draws on crypto/rand.
func NewKey() (*rsa.PrivateKey, error) {
	k, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return nil, fmt.Errorf("souvenir key: %w", err)
	}
	return k, nil
}

// jwsHeader is the protected header of every signature: RS256, as the Open
// Badges specification recommends, and nothing else (the payload is an
// Assertion, not a JWT claims set, so no "typ").
const jwsHeader = `{"alg":"RS256"}`

var b64 = base64.RawURLEncoding.Strict()

// Sign returns a as a compact JWS (RFC 7515) whose payload is the
// Assertion's JSON: the "signed" form of an Open Badges 2.0 badge.
func (s Signer) Sign(a Assertion) (string, error) {
	if s.Key == nil {
		return "", errors.New("souvenir sign: no key")
	}
	payload, err := json.Marshal(a)
	if err != nil {
		return "", fmt.Errorf("souvenir sign: %w", err)
	}
	input := b64.EncodeToString([]byte(jwsHeader)) + "." + b64.EncodeToString(payload)
	digest := sha256.Sum256([]byte(input))
	sig, err := rsa.SignPKCS1v15(rand.Reader, s.Key, crypto.SHA256, digest[:])
	if err != nil {
		return "", fmt.Errorf("souvenir sign: %w", err)
	}
	return input + "." + b64.EncodeToString(sig), nil
}

// Verify checks that jws is a compact JWS signed with RS256 by the key pub
// and returns the Assertion it carries. Any change to the header, the
// payload or the signature makes it fail. It does not check the assertion's
// revocation or the key's ownership: those need the issuer's documents.
func Verify(jws string, pub *rsa.PublicKey) (Assertion, error) {
	var a Assertion
	fail := func(format string, args ...any) (Assertion, error) {
		return Assertion{}, fmt.Errorf("souvenir verify: "+format, args...)
	}
	if pub == nil {
		return fail("no public key")
	}
	parts := strings.Split(jws, ".")
	if len(parts) != 3 {
		return fail("not a compact JWS: %d parts, want 3", len(parts))
	}
	header, err := b64.DecodeString(parts[0])
	if err != nil {
		return fail("header: %v", err)
	}
	var h map[string]any
	if err := json.Unmarshal(header, &h); err != nil {
		return fail("header: %v", err)
	}
	// Only RS256: trusting the header's alg is how "none" and HS256-with-
	// the-public-key forgeries get in.
	if alg, _ := h["alg"].(string); alg != "RS256" {
		return fail("algorithm %q, want RS256", h["alg"])
	}
	if _, ok := h["crit"]; ok {
		return fail("critical header extensions are not supported")
	}
	sig, err := b64.DecodeString(parts[2])
	if err != nil {
		return fail("signature: %v", err)
	}
	digest := sha256.Sum256([]byte(parts[0] + "." + parts[1]))
	if err := rsa.VerifyPKCS1v15(pub, crypto.SHA256, digest[:], sig); err != nil {
		return fail("bad signature")
	}
	payload, err := b64.DecodeString(parts[1])
	if err != nil {
		return fail("payload: %v", err)
	}
	dec := json.NewDecoder(bytes.NewReader(payload))
	if err := dec.Decode(&a); err != nil {
		return fail("payload: %v", err)
	}
	if a.Type != "Assertion" {
		return fail("payload type %q, want Assertion", a.Type)
	}
	return a, nil
}

// PublicKeyPEM returns pub as a PEM "PUBLIC KEY" block (PKIX), the form of
// a CryptographicKey's publicKeyPem.
func PublicKeyPEM(pub *rsa.PublicKey) string {
	der, err := x509.MarshalPKIXPublicKey(pub)
	if err != nil {
		// Only unsupported key types fail, and this is always RSA.
		panic(err)
	}
	return string(pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der}))
}

// ParsePublicKeyPEM reads an RSA public key written by PublicKeyPEM.
func ParsePublicKeyPEM(s string) (*rsa.PublicKey, error) {
	b, _ := pem.Decode([]byte(s))
	if b == nil || b.Type != "PUBLIC KEY" {
		return nil, errors.New("souvenir public key: no PEM PUBLIC KEY block")
	}
	k, err := x509.ParsePKIXPublicKey(b.Bytes)
	if err != nil {
		return nil, fmt.Errorf("souvenir public key: %w", err)
	}
	pub, ok := k.(*rsa.PublicKey)
	if !ok {
		return nil, fmt.Errorf("souvenir public key: %T, want RSA", k)
	}
	return pub, nil
}
