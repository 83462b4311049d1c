package souvenir

import (
	"crypto/rsa"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"
)

// testKey is one key for the whole test binary: generating RSA keys is
// slow.
var testKey = sync.OnceValues(NewKey)

func key(t testing.TB) *rsa.PrivateKey {
	t.Helper()
	k, err := testKey()
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// testBadge is a complete set of Open Badges documents for one pledge, as
// the caller publishes them.
type testBadge struct {
	issuer    Issuer
	key       CryptographicKey
	revoked   RevocationList
	class     BadgeClass
	assertion Assertion
}

func newTestBadge(t testing.TB) testBadge {
	const site = "https://notalone.example"
	issuer := Issuer{
		Context: Context, Type: "Issuer", ID: site + "/badges/issuer",
		Name: "Không Một Mình", URL: site, Email: "hello@notalone.example",
		PublicKey: site + "/badges/key", RevocationList: site + "/badges/revoked",
	}
	return testBadge{
		issuer: issuer,
		key: CryptographicKey{
			Context: Context, Type: "CryptographicKey", ID: issuer.PublicKey,
			Owner: issuer.ID, PublicKeyPem: PublicKeyPEM(&key(t).PublicKey),
		},
		revoked: RevocationList{Context: Context, Type: "RevocationList", ID: issuer.RevocationList, Issuer: issuer.ID},
		class: BadgeClass{
			Context: Context, Type: "BadgeClass", ID: site + "/badges/pledge",
			Name:        "Lời cam kết an toàn trực tuyến",
			Description: "Cam kết những việc làm để cùng nhau an toàn trực tuyến.",
			Image:       site + "/badges/pledge.png",
			Criteria:    Criteria{Narrative: "Chọn ít nhất một việc làm và cam kết thực hiện."},
			Issuer:      issuer.ID,
		},
		assertion: Assertion{
			Context: Context, Type: "Assertion", ID: "urn:uuid:4f3c2a10-8b7e-4d2c-9a51-0c6d2e8f7b31",
			Recipient:    HashedRecipient(testURL, "muối-ngẫu-nhiên"),
			Badge:        site + "/badges/pledge",
			Verification: Verification{Type: "SignedBadge", Creator: issuer.PublicKey},
			IssuedOn:     "2026-11-27T09:30:00+07:00",
		},
	}
}

// requireFields checks that v's JSON has every field in fields (a dotted
// path reaches into an object), each non-empty.
func requireFields(t *testing.T, doc string, v any, fields []string) map[string]any {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	for _, f := range fields {
		var cur any = m
		for _, part := range strings.Split(f, ".") {
			obj, _ := cur.(map[string]any)
			cur = obj[part]
		}
		switch x := cur.(type) {
		case nil:
			t.Errorf("%s: required field %q missing in %s", doc, f, b)
		case string:
			if x == "" {
				t.Errorf("%s: required field %q empty", doc, f)
			}
		}
	}
	return m
}

// The fields Open Badges 2.0 requires ("in bold") of each document, and
// the ones signed-badge verification needs on top.
var requiredFields = map[string][]string{
	// Assertion, with its IdentityObject and VerificationObject; @context
	// because the assertion is a document on its own (the JWS payload).
	"Assertion": {"@context", "id", "type", "recipient", "recipient.type", "recipient.identity", "recipient.hashed",
		"badge", "verification", "verification.type", "issuedOn"},
	"BadgeClass": {"@context", "id", "type", "name", "description", "image", "criteria", "criteria.narrative", "issuer"},
	// "When used as a badge issuer, the following properties are required:
	// id, type, name, url, and email." publicKey and revocationList are
	// where a verifier of a signed badge finds the key and the revocations.
	"Issuer": {"@context", "id", "type", "name", "url", "email", "publicKey", "revocationList"},
	// The specification marks none of CryptographicKey's properties; the
	// verification steps use all four (the key's id from the assertion's
	// creator, owner back to the issuer, the PEM to check the signature).
	"CryptographicKey": {"@context", "id", "type", "owner", "publicKeyPem"},
	"RevocationList":   {"@context", "type", "id", "issuer", "revokedAssertions"},
}

func TestBadgeDocuments(t *testing.T) {
	b := newTestBadge(t)
	docs := map[string]any{
		"Assertion": b.assertion, "BadgeClass": b.class, "Issuer": b.issuer,
		"CryptographicKey": b.key, "RevocationList": b.revoked,
	}
	for name, v := range docs {
		m := requireFields(t, name, v, requiredFields[name])
		if m["@context"] != Context {
			t.Errorf("%s @context = %v", name, m["@context"])
		}
		if m["type"] != name {
			t.Errorf("%s type = %v", name, m["type"])
		}
	}
	// The links between the documents.
	if b.assertion.Badge != b.class.ID || b.class.Issuer != b.issuer.ID ||
		b.assertion.Verification.Creator != b.issuer.PublicKey || b.key.ID != b.issuer.PublicKey ||
		b.key.Owner != b.issuer.ID || b.revoked.ID != b.issuer.RevocationList || b.revoked.Issuer != b.issuer.ID {
		t.Error("the documents do not link up")
	}
	if _, err := time.Parse(time.RFC3339, b.assertion.IssuedOn); err != nil {
		t.Errorf("issuedOn: %v", err)
	}
	// An empty revocation list is [], not null.
	j, _ := json.Marshal(b.revoked)
	if !strings.Contains(string(j), `"revokedAssertions":[]`) {
		t.Errorf("empty revocation list: %s", j)
	}
	b.revoked.RevokedAssertions = []Revoked{{ID: b.assertion.ID, RevocationReason: "yêu cầu của người nhận"}}
	j, _ = json.Marshal(b.revoked)
	if !strings.Contains(string(j), `"revokedAssertions":[{"id":"urn:uuid:`) {
		t.Errorf("revocation list: %s", j)
	}
}

func TestHashedRecipient(t *testing.T) {
	r := HashedRecipient(testURL, "salt")
	sum := sha256.Sum256([]byte(testURL + "salt"))
	want := Recipient{Type: "url", Identity: "sha256$" + hex.EncodeToString(sum[:]), Hashed: true, Salt: "salt"}
	if r != want {
		t.Errorf("HashedRecipient = %+v, want %+v", r, want)
	}
	if HashedRecipient(testURL, "other") == r {
		t.Error("the salt does not change the hash")
	}
}

func TestSignVerify(t *testing.T) {
	b := newTestBadge(t)
	jws, err := Signer{key(t)}.Sign(b.assertion)
	if err != nil {
		t.Fatal(err)
	}
	// The public key travels as PEM in the CryptographicKey.
	pub, err := ParsePublicKeyPEM(b.key.PublicKeyPem)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(b.key.PublicKeyPem, "-----BEGIN PUBLIC KEY-----\n") {
		t.Errorf("PEM: %q", b.key.PublicKeyPem)
	}
	got, err := Verify(jws, pub)
	if err != nil {
		t.Fatalf("Verify: %v", err)
	}
	if !reflect.DeepEqual(got, b.assertion) {
		t.Errorf("Verify = %+v, want %+v", got, b.assertion)
	}
	header, _ := b64.DecodeString(strings.Split(jws, ".")[0])
	if string(header) != `{"alg":"RS256"}` {
		t.Errorf("header %s", header)
	}

	other, err := NewKey()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Verify(jws, &other.PublicKey); err == nil {
		t.Error("Verify with another key succeeded")
	}
	if _, err := (Signer{}).Sign(b.assertion); err == nil {
		t.Error("Sign without a key succeeded")
	}
}

// TestVerifyTampering changes every character of the JWS in turn: each
// change must make Verify fail.
func TestVerifyTampering(t *testing.T) {
	b := newTestBadge(t)
	jws, err := Signer{key(t)}.Sign(b.assertion)
	if err != nil {
		t.Fatal(err)
	}
	pub := &key(t).PublicKey
	for i := range len(jws) {
		if jws[i] == '.' {
			continue
		}
		c := byte('A')
		if jws[i] == 'A' {
			c = 'B'
		}
		bad := jws[:i] + string(c) + jws[i+1:]
		if _, err := Verify(bad, pub); err == nil {
			t.Fatalf("Verify accepted the JWS with byte %d changed", i)
		}
	}

	parts := strings.Split(jws, ".")
	enc := func(s string) string { return b64.EncodeToString([]byte(s)) }
	for name, bad := range map[string]string{
		"alg none":       enc(`{"alg":"none"}`) + "." + parts[1] + ".",
		"alg HS256":      enc(`{"alg":"HS256"}`) + "." + parts[1] + "." + parts[2],
		"crit":           enc(`{"alg":"RS256","crit":["x"]}`) + "." + parts[1] + "." + parts[2],
		"two parts":      parts[0] + "." + parts[1],
		"four parts":     jws + ".x",
		"padded":         jws + "=",
		"other payload":  parts[0] + "." + enc(`{"type":"Assertion","id":"x"}`) + "." + parts[2],
		"empty":          "",
		"not base64":     "!!." + parts[1] + "." + parts[2],
		"header garbage": enc("{") + "." + parts[1] + "." + parts[2],
	} {
		if _, err := Verify(bad, pub); err == nil || !strings.HasPrefix(err.Error(), "souvenir verify: ") {
			t.Errorf("%s: Verify error = %v", name, err)
		}
	}
	if _, err := Verify(jws, nil); err == nil {
		t.Error("Verify without a key succeeded")
	}
}

func TestParsePublicKeyPEM(t *testing.T) {
	for _, bad := range []string{"", "not pem", "-----BEGIN RSA PRIVATE KEY-----\nAAAA\n-----END RSA PRIVATE KEY-----\n",
		"-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n"} {
		if _, err := ParsePublicKeyPEM(bad); err == nil {
			t.Errorf("ParsePublicKeyPEM(%q) succeeded", bad)
		}
	}
	pub, err := ParsePublicKeyPEM(PublicKeyPEM(&key(t).PublicKey))
	if err != nil || !pub.Equal(&key(t).PublicKey) {
		t.Errorf("round trip: %v", err)
	}
}
