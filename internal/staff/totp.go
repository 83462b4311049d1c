package staff

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha1"
	"crypto/sha256"
	"encoding/base32"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"net/url"
	"strings"
	"time"
)

// TOTP codes follow RFC 6238 with the parameters every authenticator app
// understands: SHA-1, 6 digits, 30-second steps. Implemented here (about
// forty lines) rather than pulled in as a dependency.
const (
	totpDigits = 6
	totpStep   = 30
)

var b32 = base32.StdEncoding.WithPadding(base32.NoPadding)

// NewTOTPSecret returns 160 random bits, the size RFC 4226 recommends.
func NewTOTPSecret() []byte {
	s := make([]byte, 20)
	rand.Read(s)
	return s
}

// TOTPSecretText is the secret as people type it into an app.
func TOTPSecretText(secret []byte) string { return b32.EncodeToString(secret) }

// TOTPURI is the otpauth:// address an authenticator app reads from a QR
// code.
func TOTPURI(secret []byte, issuer, account string) string {
	v := url.Values{"secret": {TOTPSecretText(secret)}, "issuer": {issuer}, "digits": {"6"}, "period": {"30"}, "algorithm": {"SHA1"}}
	return "otpauth://totp/" + url.PathEscape(issuer+":"+account) + "?" + v.Encode()
}

// hotp is RFC 4226's HMAC-based one-time password.
func hotp(secret []byte, counter uint64) string {
	var msg [8]byte
	binary.BigEndian.PutUint64(msg[:], counter)
	m := hmac.New(sha1.New, secret)
	m.Write(msg[:])
	sum := m.Sum(nil)
	off := sum[len(sum)-1] & 0x0f
	code := binary.BigEndian.Uint32(sum[off:off+4]) & 0x7fffffff
	return fmt.Sprintf("%0*d", totpDigits, code%1_000_000)
}

// TOTPCode is the code for the time step holding t.
func TOTPCode(secret []byte, t time.Time) string {
	return hotp(secret, uint64(t.Unix())/totpStep)
}

// CheckTOTP accepts the code of the current step or either neighbour
// (clocks drift) and returns the step it matched, so a caller can refuse a
// code used before. A step at or before lastStep is refused.
func CheckTOTP(secret []byte, code string, now time.Time, lastStep int64) (step int64, ok bool) {
	code = strings.ReplaceAll(strings.TrimSpace(code), " ", "")
	if len(code) != totpDigits {
		return 0, false
	}
	cur := now.Unix() / totpStep
	for _, s := range []int64{cur - 1, cur, cur + 1} {
		if s <= lastStep {
			continue
		}
		if hmac.Equal([]byte(hotp(secret, uint64(s))), []byte(code)) {
			return s, true
		}
	}
	return 0, false
}

// NewRecoveryCodes returns n one-time codes to keep on paper, in groups a
// person can type.
func NewRecoveryCodes(n int) []string {
	out := make([]string, n)
	for i := range out {
		b := make([]byte, 5)
		rand.Read(b)
		s := strings.ToLower(b32.EncodeToString(b)) // 8 characters, 40 bits
		out[i] = s[:4] + "-" + s[4:]
	}
	return out
}

// HashRecoveryCode is how a recovery code is stored: 40 random bits need no
// slow hash, only not to be stored in the clear.
func HashRecoveryCode(code string) string {
	c := strings.ToLower(strings.ReplaceAll(strings.TrimSpace(code), "-", ""))
	sum := sha256.Sum256([]byte("recovery\x00" + c))
	return hex.EncodeToString(sum[:])
}
