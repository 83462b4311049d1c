package staff

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"fmt"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/crypto/argon2"

	"github.com/notalone/notalone/internal/errs"
)

// MinPasswordLength is the shortest password accepted.
const MinPasswordLength = 12

// commonWords are what people build weak long passwords from; a password
// that is one of them padded with digits or symbols is refused.
var commonWords = []string{
	"password", "passw0rd", "matkhau", "mat khau", "iloveyou", "anhyeuem", "emyeuanh", "yeuem", "qwerty",
	"qwertyuiop", "asdfghjkl", "zxcvbnm", "admin", "administrator", "welcome", "letmein", "abc", "abcdef",
	"notalone", "khongmotminh", "vietnam", "hanoi", "saigon", "football", "bongda", "dragon", "monkey",
	"sunshine", "princess", "master", "superman", "batman", "trustno1", "changeme", "secret", "baby",
}

// CheckPassword applies the password rules: at least 12 characters, not a
// common password or one padded with digits, not one character repeated, not
// a keyboard or number run, and not containing the account's email name.
func CheckPassword(pw, email string) error {
	if !utf8.ValidString(pw) || utf8.RuneCountInString(pw) < MinPasswordLength {
		return errs.Field("password", "error.password_short")
	}
	if utf8.RuneCountInString(pw) > 256 {
		return errs.Field("password", "error.password_long")
	}
	lower := strings.ToLower(pw)
	core := strings.TrimRightFunc(strings.TrimLeftFunc(lower, notLetter), notLetter)
	for _, w := range commonWords {
		if core == w || strings.ReplaceAll(core, w, "") == "" {
			return errs.Field("password", "error.password_common")
		}
	}
	if isRun(lower) {
		return errs.Field("password", "error.password_common")
	}
	if name, _, ok := strings.Cut(strings.ToLower(email), "@"); ok && len(name) >= 4 && strings.Contains(lower, name) {
		return errs.Field("password", "error.password_email")
	}
	return nil
}

func notLetter(r rune) bool { return !unicode.IsLetter(r) }

// isRun reports one repeated character, a digits-only string, or a stretch
// of a keyboard row or the alphabet.
func isRun(s string) bool {
	if strings.Count(s, string([]rune(s)[0])) == utf8.RuneCountInString(s) {
		return true
	}
	if strings.TrimFunc(s, unicode.IsDigit) == "" {
		return true
	}
	for _, row := range []string{"1234567890qwertyuiopasdfghjklzxcvbnm", "abcdefghijklmnopqrstuvwxyz", "0123456789"} {
		doubled := row + row
		if strings.Contains(doubled, s) {
			return true
		}
	}
	return false
}

// Hasher hashes and checks passwords. Login calls Verify on every path —
// also for an unknown email, against a dummy hash — so both cost the same.
type Hasher interface {
	Hash(pw string) (string, error)
	Verify(hash, pw string) (bool, error)
}

// Argon2 hashes with argon2id.
type Argon2 struct {
	Time    uint32
	Memory  uint32 // KiB
	Threads uint8
}

// DefaultArgon2 follows RFC 9106's second recommended option (64 MiB,
// three passes), which keeps a login under a tenth of a second here.
var DefaultArgon2 = Argon2{Time: 3, Memory: 64 * 1024, Threads: 2}

// Hash returns an encoded argon2id hash with a random salt.
func (a Argon2) Hash(pw string) (string, error) {
	salt := make([]byte, 16)
	if _, err := rand.Read(salt); err != nil {
		return "", err
	}
	key := argon2.IDKey([]byte(pw), salt, a.Time, a.Memory, a.Threads, 32)
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, a.Memory, a.Time, a.Threads,
		base64.RawStdEncoding.EncodeToString(salt), base64.RawStdEncoding.EncodeToString(key)), nil
}

// Verify checks pw against an encoded hash, with the hash's own parameters.
func (Argon2) Verify(hash, pw string) (bool, error) {
	parts := strings.Split(hash, "$")
	if len(parts) != 6 || parts[1] != "argon2id" {
		return false, fmt.Errorf("verify password: not an argon2id hash")
	}
	var m, t uint32
	var p uint8
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &m, &t, &p); err != nil {
		return false, fmt.Errorf("verify password: %w", err)
	}
	if v, err := strconv.Atoi(strings.TrimPrefix(parts[2], "v=")); err != nil || v != argon2.Version {
		return false, fmt.Errorf("verify password: unknown argon2 version")
	}
	salt, err1 := base64.RawStdEncoding.DecodeString(parts[4])
	want, err2 := base64.RawStdEncoding.DecodeString(parts[5])
	if err1 != nil || err2 != nil {
		return false, fmt.Errorf("verify password: bad encoding")
	}
	got := argon2.IDKey([]byte(pw), salt, t, m, p, uint32(len(want)))
	return subtle.ConstantTimeCompare(got, want) == 1, nil
}
