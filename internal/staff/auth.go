package staff

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"runtime"
	"slices"
	"sync"
	"time"

	"github.com/notalone/notalone/internal/errs"
)

// Store is what signing in needs from the database.
type Store interface {
	CredentialsByEmail(ctx context.Context, email string) (Credentials, error)
	CredentialsByID(ctx context.Context, id string) (Credentials, error)
	// CountLoginFailure counts a sign-in attempt as failed (until
	// ResetLoginFailures) and locks the account with back-off after too
	// many; allowed is false when the account was locked already.
	CountLoginFailure(ctx context.Context, id string, now time.Time, lockFor func(failures int) time.Duration) (allowed bool, err error)
	ResetLoginFailures(ctx context.Context, id string) error
	CreateSession(ctx context.Context, s Session) error
	Session(ctx context.Context, tokenHash string) (Session, error)
	TouchSession(ctx context.Context, tokenHash string, at time.Time) error
	DeleteSession(ctx context.Context, tokenHash string) error
	DeleteStaffSessions(ctx context.Context, staffID string) error
	UseTOTPStep(ctx context.Context, id string, step int64) (bool, error)
	UseRecoveryCode(ctx context.Context, id, hash string) (bool, error)
	EnableTOTP(ctx context.Context, id string, secret []byte, step int64, recoveryHashes []string) error
	APITokenStaff(ctx context.Context, tokenHash string) (string, error)
	Audit(ctx context.Context, actor, action, object, detail string) error
}

// Auth signs staff in and out.
type Auth struct {
	Store  Store
	Hasher Hasher
	Now    func() time.Time
	// IdleTimeout ends a session nobody used for this long; MaxAge ends
	// every session this long after sign-in.
	IdleTimeout, MaxAge time.Duration
	// dummyHash is made on the first sign-in, not at start: argon2id
	// takes 64 MiB and a fifth of a second, which a kiosk laptop starting
	// up should not pay for a console nobody may open.
	dummyHash func() (string, error)
	// hashSlots bounds password checks running at once: each argon2id
	// check takes 64 MiB, so a burst of sign-ins must queue, not pile up.
	hashSlots chan struct{}
}

// NewAuth prepares an Auth; the dummy hash makes a sign-in with an unknown
// email cost the same as one with a wrong password.
func NewAuth(s Store, h Hasher) *Auth {
	return &Auth{Store: s, Hasher: h, Now: time.Now, IdleTimeout: 30 * time.Minute, MaxAge: 12 * time.Hour,
		dummyHash: sync.OnceValues(func() (string, error) { return h.Hash("not a real password, only timing") }),
		hashSlots: make(chan struct{}, max(2, runtime.GOMAXPROCS(0)))}
}

// Lockout: after this many failures in a row, an account waits before
// the next try, twice as long each time, up to maxLock.
const (
	freeFailures = 5
	maxLock      = time.Hour
)

// verify checks a password in one of the hashing slots, waiting a few
// seconds at most for one; when the server is that busy the sign-in is
// refused as rate limited (try again) rather than queued without end.
func (a *Auth) verify(ctx context.Context, hash, password string) (bool, error) {
	wait := time.NewTimer(5 * time.Second)
	defer wait.Stop()
	select {
	case a.hashSlots <- struct{}{}:
	case <-wait.C:
		return false, errs.E(errs.RateLimited, "error.login_rate")
	case <-ctx.Done():
		return false, ctx.Err()
	}
	defer func() { <-a.hashSlots }()
	return a.Hasher.Verify(hash, password)
}

// lockFor is how long an account waits after failures in a row: free for
// the first few, then 1, 2, 4 … minutes up to maxLock.
func lockFor(failures int) time.Duration {
	if failures < freeFailures {
		return 0
	}
	return min(maxLock, time.Minute<<min(failures-freeFailures, 10))
}

// errLogin is the one answer to every failed sign-in: a wrong password,
// an unknown or disabled account and a locked one look the same.
func errLogin() error { return errs.E(errs.Unauthorized, "error.login_failed") }

// TokenHash is how a session token is stored.
func TokenHash(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

func newToken() string {
	b := make([]byte, 32)
	rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

// Login checks an email and password and starts a session. The session
// still needs the second factor when the account requires one.
func (a *Auth) Login(ctx context.Context, email, password string) (token string, acct Account, err error) {
	now := a.Now().UTC()
	addr, nerr := NormalizeEmail(email)
	var c Credentials
	if nerr == nil {
		c, err = a.Store.CredentialsByEmail(ctx, addr)
	}
	if nerr != nil || err != nil {
		if err != nil && !errs.Is(err, errs.NotFound) {
			return "", Account{}, err
		}
		dummy, err := a.dummyHash()
		if err != nil {
			return "", Account{}, err
		}
		if _, err := a.verify(ctx, dummy, password); err != nil {
			return "", Account{}, err
		}
		// The email typed is not recorded: it may be anyone's.
		a.Store.Audit(ctx, "anonymous", "login.fail", "unknown-account", "")
		return "", Account{}, errLogin()
	}
	// Count the attempt before checking the password, in one statement
	// that refuses a locked account: parallel guesses cannot slip past the
	// lock between the check and the count.
	allowed, cerr := a.Store.CountLoginFailure(ctx, c.ID, now, lockFor)
	if cerr != nil {
		return "", Account{}, cerr
	}
	ok, verr := a.verify(ctx, c.PasswordHash, password)
	switch {
	case verr != nil:
		return "", Account{}, verr
	case !allowed:
		a.Store.Audit(ctx, c.Email, "login.fail", "staff:"+c.ID, "locked")
		return "", Account{}, errLogin()
	case c.Disabled():
		a.Store.Audit(ctx, c.Email, "login.fail", "staff:"+c.ID, "account disabled")
		return "", Account{}, errLogin()
	case !ok:
		a.Store.Audit(ctx, c.Email, "login.fail", "staff:"+c.ID, "wrong password")
		return "", Account{}, errLogin()
	}
	if err := a.Store.ResetLoginFailures(ctx, c.ID); err != nil {
		return "", Account{}, err
	}
	token = newToken()
	s := Session{TokenHash: TokenHash(token), StaffID: c.ID, CreatedAt: now, LastSeenAt: now, ExpiresAt: now.Add(a.MaxAge)}
	if err := a.Store.CreateSession(ctx, s); err != nil {
		return "", Account{}, err
	}
	if err := a.Store.Audit(ctx, c.Email, "login.ok", "staff:"+c.ID, ""); err != nil {
		return "", Account{}, err
	}
	return token, c.Account, nil
}

// Authenticate returns the session and account of a token, ending it when
// it expired, was idle too long, or its account was disabled.
func (a *Auth) Authenticate(ctx context.Context, token string) (Session, Account, error) {
	if token == "" {
		return Session{}, Account{}, errs.E(errs.Unauthorized, "")
	}
	h := TokenHash(token)
	s, err := a.Store.Session(ctx, h)
	if err != nil {
		return Session{}, Account{}, err
	}
	now := a.Now().UTC()
	if now.After(s.ExpiresAt) || now.Sub(s.LastSeenAt) > a.IdleTimeout {
		a.Store.DeleteSession(ctx, h)
		return Session{}, Account{}, errs.E(errs.Unauthorized, "error.session_expired")
	}
	c, err := a.Store.CredentialsByID(ctx, s.StaffID)
	switch {
	case errs.Is(err, errs.NotFound) || err == nil && c.Disabled():
		a.Store.DeleteSession(ctx, h)
		return Session{}, Account{}, errs.E(errs.Unauthorized, "")
	case err != nil:
		return Session{}, Account{}, err // the database, not the visitor
	}
	// The session stores whether the factor was given; whether it is
	// needed follows the account's roles now (a new admin must give it).
	s.SecondFactor = s.SecondFactor || !c.NeedsSecondFactor()
	// Recording every request would make every page view a write.
	if now.Sub(s.LastSeenAt) > time.Minute {
		if err := a.Store.TouchSession(ctx, h, now); err != nil {
			return Session{}, Account{}, err
		}
	}
	return s, c.Account, nil
}

// SecondFactor checks a TOTP or recovery code for a signed-in session and,
// when it is right, replaces the session with a new one that has the
// second factor (a new token at every step up: no fixation).
func (a *Auth) SecondFactor(ctx context.Context, token, code string) (string, error) {
	s, acct, err := a.Authenticate(ctx, token)
	if err != nil {
		return "", err
	}
	c, err := a.Store.CredentialsByID(ctx, acct.ID)
	if err != nil {
		return "", err
	}
	ok := false
	how := "totp"
	if c.TOTPEnabled {
		if step, match := CheckTOTP(c.TOTPSecret, code, a.Now(), c.TOTPLastStep); match {
			if ok, err = a.Store.UseTOTPStep(ctx, c.ID, step); err != nil {
				return "", err
			}
		}
		if !ok {
			how = "recovery code"
			if ok, err = a.Store.UseRecoveryCode(ctx, c.ID, HashRecoveryCode(code)); err != nil {
				return "", err
			}
		}
	}
	if !ok {
		a.Store.Audit(ctx, c.Email, "login.second_factor_fail", "staff:"+c.ID, "")
		if _, err := a.Store.CountLoginFailure(ctx, c.ID, a.Now().UTC(), lockFor); err != nil {
			return "", err
		}
		if c.FailedLogins+1 >= freeFailures {
			a.Store.DeleteSession(ctx, s.TokenHash)
			return "", errLogin()
		}
		return "", errs.Field("code", "error.code_wrong")
	}
	if err := a.Store.ResetLoginFailures(ctx, c.ID); err != nil {
		return "", err
	}
	return a.stepUp(ctx, s, c.Email, how)
}

// EnrolTOTP turns on the second factor for a signed-in account once the
// first code from the authenticator app checks out against secret. It
// returns the new session token and the recovery codes, shown only now.
func (a *Auth) EnrolTOTP(ctx context.Context, token string, secret []byte, code string) (string, []string, error) {
	s, acct, err := a.Authenticate(ctx, token)
	if err != nil {
		return "", nil, err
	}
	if len(secret) < 16 {
		return "", nil, errs.Field("secret", "error.form_malformed")
	}
	// A second factor already set up is never replaced here: that would
	// let a password alone take over the account. (Lost phone: an admin
	// resets it.)
	if acct.TOTPEnabled {
		return "", nil, errs.E(errs.Conflict, "error.totp_enabled")
	}
	step, ok := CheckTOTP(secret, code, a.Now(), 0)
	if !ok {
		return "", nil, errs.Field("code", "error.code_wrong")
	}
	codes := NewRecoveryCodes(10)
	hashes := make([]string, len(codes))
	for i, c := range codes {
		hashes[i] = HashRecoveryCode(c)
	}
	if err := a.Store.EnableTOTP(ctx, acct.ID, secret, step, hashes); err != nil {
		return "", nil, err
	}
	a.Store.Audit(ctx, acct.Email, "totp.enable", "staff:"+acct.ID, "")
	token, err = a.stepUp(ctx, s, acct.Email, "totp enrolment")
	return token, codes, err
}

// stepUp swaps a session for a new one with the second factor given.
func (a *Auth) stepUp(ctx context.Context, s Session, email, how string) (string, error) {
	now := a.Now().UTC()
	token := newToken()
	n := Session{TokenHash: TokenHash(token), StaffID: s.StaffID, SecondFactor: true, CreatedAt: now, LastSeenAt: now, ExpiresAt: s.ExpiresAt}
	if err := a.Store.CreateSession(ctx, n); err != nil {
		return "", err
	}
	if err := a.Store.DeleteSession(ctx, s.TokenHash); err != nil {
		return "", err
	}
	if err := a.Store.Audit(ctx, email, "login.second_factor_ok", "staff:"+s.StaffID, how); err != nil {
		return "", err
	}
	return token, nil
}

// NewAPIToken returns a fresh token (shown once) and the hash to store.
func NewAPIToken() (token, hash string) {
	token = "na_" + newToken()
	return token, TokenHash(token)
}

// AuthenticateToken returns the account of a live API token. A token acts
// with its account's roles; disabling the account revokes its tokens.
func (a *Auth) AuthenticateToken(ctx context.Context, token string) (Account, error) {
	id, err := a.Store.APITokenStaff(ctx, TokenHash(token))
	if err != nil {
		return Account{}, err
	}
	c, err := a.Store.CredentialsByID(ctx, id)
	switch {
	case errs.Is(err, errs.NotFound) || err == nil && c.Disabled():
		return Account{}, errs.E(errs.Unauthorized, "")
	case err != nil:
		return Account{}, err
	}
	// A token never carries the responder role: requests for help are
	// seen only by a person who gave their second factor.
	c.Roles = slices.DeleteFunc(c.Roles, func(r Role) bool { return r == Responder })
	return c.Account, nil
}

// Logout ends one session.
func (a *Auth) Logout(ctx context.Context, token string) error {
	return a.Store.DeleteSession(ctx, TokenHash(token))
}
