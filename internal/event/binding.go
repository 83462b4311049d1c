package event

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// Signer signs station setup tokens and device bindings with a key shared
// by every instance. A binding names only a station: its event is looked up
// on use, and a revoked station's bindings and setup links stop working.
type Signer struct {
	key []byte
}

// NewSigner returns a Signer for key (at least 32 random bytes).
func NewSigner(key []byte) *Signer { return &Signer{key: key} }

// Purposes keep a setup token from being replayed as a binding cookie.
const (
	purposeSetup   = "setup"
	purposeBinding = "binding"
)

func (s *Signer) mac(purpose, payload string) string {
	m := hmac.New(sha256.New, s.key)
	m.Write([]byte(purpose))
	m.Write([]byte{0})
	m.Write([]byte(payload))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

// SetupToken is the secret part of a station's setup link.
func (s *Signer) SetupToken(stationID string) string {
	return stationID + "." + s.mac(purposeSetup, stationID)
}

// SetupLink is the address that binds a device to a station, on the
// server's address for devices (baseURL, without a trailing slash).
func (s *Signer) SetupLink(baseURL, stationID string) string {
	return baseURL + "/station/setup?token=" + url.QueryEscape(s.SetupToken(stationID))
}

// ParseSetupToken returns the station a setup token was made for.
func (s *Signer) ParseSetupToken(token string) (stationID string, ok bool) {
	id, sig, found := strings.Cut(token, ".")
	if !found || id == "" || !hmac.Equal([]byte(sig), []byte(s.mac(purposeSetup, id))) {
		return "", false
	}
	return id, true
}

// Binding is what a bound device's cookie proves.
type Binding struct {
	StationID string
	BoundAt   time.Time
}

// SignBinding encodes a binding for a cookie.
func (s *Signer) SignBinding(b Binding) string {
	payload := b.StationID + "." + strconv.FormatInt(b.BoundAt.Unix(), 10)
	return payload + "." + s.mac(purposeBinding, payload)
}

// ParseBinding verifies a cookie value; a forged or malformed one is
// rejected.
func (s *Signer) ParseBinding(v string) (Binding, bool) {
	i := strings.LastIndexByte(v, '.')
	if i < 0 {
		return Binding{}, false
	}
	payload, sig := v[:i], v[i+1:]
	if !hmac.Equal([]byte(sig), []byte(s.mac(purposeBinding, payload))) {
		return Binding{}, false
	}
	id, ts, ok := strings.Cut(payload, ".")
	sec, err := strconv.ParseInt(ts, 10, 64)
	if !ok || err != nil || id == "" {
		return Binding{}, false
	}
	return Binding{StationID: id, BoundAt: time.Unix(sec, 0).UTC()}, true
}
