package staff

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/notalone/notalone/internal/errs"
)

func TestCheckPassword(t *testing.T) {
	tests := []struct {
		pw, email string
		ok        bool
	}{
		{"correct horse battery", "a@x.example", true},
		{"Trăng rằm tháng tám 2026!", "a@x.example", true},
		{"short1!", "a@x.example", false},
		{"password1234", "a@x.example", false},
		{"Password!!2026", "a@x.example", false},
		{"matkhau123456", "a@x.example", false},
		{"iloveyouiloveyou", "a@x.example", false},
		{"aaaaaaaaaaaaaa", "a@x.example", false},
		{"123456789012", "a@x.example", false},
		{"qwertyuiopasdf", "a@x.example", false},
		{"abcdefghijklmn", "a@x.example", false},
		{"minh.anh forever 99", "minh.anh@x.example", false},
		{strings.Repeat("x y", 100), "a@x.example", false},
	}
	for _, tt := range tests {
		err := CheckPassword(tt.pw, tt.email)
		if (err == nil) != tt.ok {
			t.Errorf("CheckPassword(%q) = %v, want ok=%v", tt.pw, err, tt.ok)
		}
	}
}

// cheap are argon2 parameters for tests only.
var cheap = Argon2{Time: 1, Memory: 64, Threads: 1}

func TestArgon2(t *testing.T) {
	h, err := cheap.Hash("correct horse battery")
	if err != nil || !strings.HasPrefix(h, "$argon2id$v=19$m=64,t=1,p=1$") {
		t.Fatalf("Hash = %q, %v", h, err)
	}
	if ok, err := cheap.Verify(h, "correct horse battery"); !ok || err != nil {
		t.Errorf("Verify(right) = %v, %v", ok, err)
	}
	if ok, _ := cheap.Verify(h, "correct horse batterz"); ok {
		t.Errorf("Verify(wrong) = true")
	}
	h2, _ := cheap.Hash("correct horse battery")
	if h2 == h {
		t.Errorf("two hashes of one password are equal: no salt")
	}
	if _, err := cheap.Verify("$2a$10$bcrypt", "x"); err == nil {
		t.Errorf("Verify of a non-argon2 hash gave no error")
	}
}

// TestTOTP uses RFC 6238's SHA-1 test vectors (truncated to 6 digits).
func TestTOTP(t *testing.T) {
	secret := []byte("12345678901234567890")
	for _, tt := range []struct {
		unix int64
		code string
	}{{59, "287082"}, {1111111109, "081804"}, {1111111111, "050471"}, {1234567890, "005924"}, {2000000000, "279037"}} {
		if got := TOTPCode(secret, time.Unix(tt.unix, 0)); got != tt.code {
			t.Errorf("TOTPCode(%d) = %s, want %s", tt.unix, got, tt.code)
		}
	}
	now := time.Unix(1111111111, 0)
	step, ok := CheckTOTP(secret, "050471", now, 0)
	if !ok {
		t.Fatal("current code refused")
	}
	if _, ok := CheckTOTP(secret, "050471", now, step); ok {
		t.Errorf("a code was accepted twice")
	}
	if _, ok := CheckTOTP(secret, TOTPCode(secret, now.Add(-30*time.Second)), now, 0); !ok {
		t.Errorf("the previous step's code was refused (clock drift)")
	}
	if _, ok := CheckTOTP(secret, TOTPCode(secret, now.Add(-90*time.Second)), now, 0); ok {
		t.Errorf("a code three steps old was accepted")
	}
	for _, bad := range []string{"", "12345", "abcdef", "1234567"} {
		if _, ok := CheckTOTP(secret, bad, now, 0); ok {
			t.Errorf("CheckTOTP(%q) accepted", bad)
		}
	}
	uri := TOTPURI(secret, "Not Alone", "an@x.example")
	if !strings.HasPrefix(uri, "otpauth://totp/Not%20Alone:an@x.example?") || !strings.Contains(uri, "secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ") {
		t.Errorf("TOTPURI = %s", uri)
	}
	codes := NewRecoveryCodes(10)
	if len(codes) != 10 || len(codes[0]) != 9 || codes[0] == codes[1] {
		t.Errorf("recovery codes = %v", codes)
	}
	if HashRecoveryCode(" "+strings.ToUpper(codes[0])+" ") != HashRecoveryCode(codes[0]) {
		t.Errorf("recovery codes are not read leniently")
	}
}

// fakeStore keeps one account in memory.
type fakeStore struct {
	mu       sync.Mutex
	creds    map[string]*Credentials
	sessions map[string]Session
	audit    []string
	recovery map[string]bool
}

func (f *fakeStore) CredentialsByEmail(_ context.Context, email string) (Credentials, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, c := range f.creds {
		if c.Email == email {
			return *c, nil
		}
	}
	return Credentials{}, errs.E(errs.NotFound, "")
}
func (f *fakeStore) CredentialsByID(_ context.Context, id string) (Credentials, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if c, ok := f.creds[id]; ok {
		return *c, nil
	}
	return Credentials{}, errs.E(errs.NotFound, "")
}
func (f *fakeStore) CountLoginFailure(_ context.Context, id string, now time.Time, lockFor func(int) time.Duration) (bool, error) {
	c := f.creds[id]
	if c.LockedUntil != nil && now.Before(*c.LockedUntil) {
		return false, nil
	}
	c.FailedLogins++
	if wait := lockFor(c.FailedLogins); wait > 0 {
		t := now.Add(wait)
		c.LockedUntil = &t
	}
	return true, nil
}
func (f *fakeStore) ResetLoginFailures(_ context.Context, id string) error {
	f.creds[id].FailedLogins, f.creds[id].LockedUntil = 0, nil
	return nil
}
func (f *fakeStore) CreateSession(_ context.Context, s Session) error {
	f.sessions[s.TokenHash] = s
	return nil
}
func (f *fakeStore) Session(_ context.Context, h string) (Session, error) {
	if s, ok := f.sessions[h]; ok {
		return s, nil
	}
	return Session{}, errs.E(errs.Unauthorized, "")
}
func (f *fakeStore) TouchSession(_ context.Context, h string, at time.Time) error {
	s := f.sessions[h]
	s.LastSeenAt = at
	f.sessions[h] = s
	return nil
}
func (f *fakeStore) DeleteSession(_ context.Context, h string) error {
	delete(f.sessions, h)
	return nil
}
func (f *fakeStore) DeleteStaffSessions(_ context.Context, id string) error {
	for h, s := range f.sessions {
		if s.StaffID == id {
			delete(f.sessions, h)
		}
	}
	return nil
}
func (f *fakeStore) UseTOTPStep(_ context.Context, id string, step int64) (bool, error) {
	if step <= f.creds[id].TOTPLastStep {
		return false, nil
	}
	f.creds[id].TOTPLastStep = step
	return true, nil
}
func (f *fakeStore) UseRecoveryCode(_ context.Context, _ string, h string) (bool, error) {
	if f.recovery[h] {
		delete(f.recovery, h)
		return true, nil
	}
	return false, nil
}
func (f *fakeStore) EnableTOTP(_ context.Context, id string, secret []byte, step int64, hashes []string) error {
	if f.creds[id].TOTPEnabled {
		return errs.E(errs.Conflict, "")
	}
	f.creds[id].TOTPSecret, f.creds[id].TOTPEnabled, f.creds[id].TOTPLastStep = secret, true, step
	for _, h := range hashes {
		f.recovery[h] = true
	}
	return nil
}
func (f *fakeStore) APITokenStaff(context.Context, string) (string, error) {
	return "", errs.E(errs.Unauthorized, "")
}
func (f *fakeStore) Audit(_ context.Context, actor, action, object, _ string) error {
	f.audit = append(f.audit, actor+" "+action+" "+object)
	return nil
}

// countingHasher counts Verify calls: login must verify on every path.
type countingHasher struct {
	Hasher
	verifies int
}

func (c *countingHasher) Verify(hash, pw string) (bool, error) {
	c.verifies++
	return c.Hasher.Verify(hash, pw)
}

func newAuth(t *testing.T, roles ...Role) (*Auth, *fakeStore, *countingHasher, *time.Time) {
	t.Helper()
	h := &countingHasher{Hasher: cheap}
	hash, _ := cheap.Hash("correct horse battery")
	fs := &fakeStore{creds: map[string]*Credentials{"s1": {Account: Account{ID: "s1", Email: "an@x.example", Roles: roles}, PasswordHash: hash}},
		sessions: map[string]Session{}, recovery: map[string]bool{}}
	a := NewAuth(fs, h)
	now := time.Date(2026, 11, 27, 8, 0, 0, 0, time.UTC)
	a.Now = func() time.Time { return now }
	return a, fs, h, &now
}

func TestLoginSameAnswerSameWork(t *testing.T) {
	a, _, h, _ := newAuth(t, Editor)
	ctx := context.Background()
	_, _, errUnknown := a.Login(ctx, "nobody@x.example", "correct horse battery")
	unknownVerifies := h.verifies
	_, _, errWrong := a.Login(ctx, "an@x.example", "wrong horse battery")
	if h.verifies != 2 || unknownVerifies != 1 {
		t.Errorf("hasher called %d times (unknown email: %d), want once per attempt", h.verifies, unknownVerifies)
	}
	if errUnknown == nil || errUnknown.Error() != errWrong.Error() {
		t.Errorf("unknown email = %v, wrong password = %v: want the same answer", errUnknown, errWrong)
	}
	_, _, errBad := a.Login(ctx, "not an email", "x")
	if errBad == nil || errBad.Error() != errWrong.Error() || h.verifies != 3 {
		t.Errorf("malformed email = %v after %d verifies", errBad, h.verifies)
	}
}

func TestLockoutAndBackOff(t *testing.T) {
	a, fs, _, now := newAuth(t, Editor)
	ctx := context.Background()
	for range freeFailures {
		a.Login(ctx, "an@x.example", "wrong horse battery")
	}
	if fs.creds["s1"].LockedUntil == nil {
		t.Fatal("no lock after repeated failures")
	}
	if _, _, err := a.Login(ctx, "an@x.example", "correct horse battery"); err == nil {
		t.Errorf("the right password got in during the lock")
	}
	*now = fs.creds["s1"].LockedUntil.Add(time.Second)
	if _, _, err := a.Login(ctx, "an@x.example", "correct horse battery"); err != nil {
		t.Errorf("after the lock: %v", err)
	}
	if fs.creds["s1"].FailedLogins != 0 {
		t.Errorf("a successful sign-in did not reset the failures")
	}
}

func TestSecondFactorAndSessions(t *testing.T) {
	a, fs, _, now := newAuth(t, Admin)
	ctx := context.Background()
	token, acct, err := a.Login(ctx, "an@x.example", "correct horse battery")
	if err != nil {
		t.Fatal(err)
	}
	s, _, _ := a.Authenticate(ctx, token)
	if s.SecondFactor || !acct.NeedsSecondFactor() {
		t.Fatalf("an admin's session has the second factor before giving it")
	}
	secret := NewTOTPSecret()
	if _, _, err := a.EnrolTOTP(ctx, token, secret, "000000"); !errs.Is(err, errs.Invalid) {
		t.Errorf("enrol with a wrong code = %v", err)
	}
	token2, codes, err := a.EnrolTOTP(ctx, token, secret, TOTPCode(secret, *now))
	if err != nil || len(codes) != 10 {
		t.Fatalf("enrol = %v, %d codes", err, len(codes))
	}
	if _, _, err := a.Authenticate(ctx, token); err == nil {
		t.Errorf("the old session survived the step up (fixation)")
	}
	if s, _, _ := a.Authenticate(ctx, token2); !s.SecondFactor {
		t.Errorf("the new session lacks the second factor")
	}
	// Next sign-in: TOTP, then a recovery code, each once.
	*now = now.Add(time.Minute)
	token3, _, _ := a.Login(ctx, "an@x.example", "correct horse battery")
	if _, err := a.SecondFactor(ctx, token3, TOTPCode(secret, now.Add(-time.Minute))); err == nil {
		t.Errorf("the code used at enrolment worked again")
	}
	token4, err := a.SecondFactor(ctx, token3, TOTPCode(secret, *now))
	if err != nil {
		t.Fatalf("second factor: %v", err)
	}
	token5, _, _ := a.Login(ctx, "an@x.example", "correct horse battery")
	if _, err := a.SecondFactor(ctx, token5, codes[0]); err != nil {
		t.Errorf("recovery code: %v", err)
	}
	token6, _, _ := a.Login(ctx, "an@x.example", "correct horse battery")
	if _, err := a.SecondFactor(ctx, token6, codes[0]); err == nil {
		t.Errorf("a recovery code worked twice")
	}
	// Idle and absolute expiry.
	*now = now.Add(a.IdleTimeout + time.Second)
	if _, _, err := a.Authenticate(ctx, token4); !errs.Is(err, errs.Unauthorized) {
		t.Errorf("an idle session still works: %v", err)
	}
	// Disabling ends sessions at once.
	token7, _, _ := a.Login(ctx, "an@x.example", "correct horse battery")
	d := *now
	fs.creds["s1"].DisabledAt = &d
	if _, _, err := a.Authenticate(ctx, token7); err == nil {
		t.Errorf("a disabled account's session still works")
	}
	if len(fs.audit) == 0 || !strings.Contains(strings.Join(fs.audit, "\n"), "login.second_factor_ok") {
		t.Errorf("audit = %v", fs.audit)
	}
}

func TestPrepareAccount(t *testing.T) {
	a, err := PrepareAccount(" Minh.Anh@X.example ", "", []string{"editor", " ", "desk"}, "correct horse battery staple")
	if err != nil || a.Email != "minh.anh@x.example" || a.Name != "minh.anh" || len(a.Roles) != 2 {
		t.Errorf("PrepareAccount = %+v, %v", a, err)
	}
	for _, tt := range []struct {
		email, name string
		roles       []string
		pw, field   string
	}{
		{"not an email", "", []string{"editor"}, "correct horse battery staple", "email"},
		{"a@x.example", "", nil, "correct horse battery staple", "role"},
		{"a@x.example", "", []string{"king"}, "correct horse battery staple", "role"},
		{"a@x.example", "", []string{"editor"}, "short", "password"},
		{"a@x.example", string(make([]byte, 0)) + "\x01", []string{"editor"}, "correct horse battery staple", "display_name"},
	} {
		if _, err := PrepareAccount(tt.email, tt.name, tt.roles, tt.pw); errs.As(err).Field != tt.field {
			t.Errorf("PrepareAccount(%q, %q, %v) = %v, want a problem with %s", tt.email, tt.name, tt.roles, err, tt.field)
		}
	}
}
