// Package staff holds staff accounts, their roles and permissions, the
// password and second-factor rules, and sessions. It knows nothing of HTTP
// or SQL.
package staff

import (
	"net/mail"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/notalone/notalone/internal/errs"
)

// Role is a set of things a staff member may do.
type Role string

// The roles. An admin runs accounts, settings and events but never sees
// the content of a request for help unless they also hold responder.
const (
	Admin     Role = "admin"
	Editor    Role = "editor"
	Desk      Role = "desk"
	Responder Role = "responder"
	Analyst   Role = "analyst"
)

// Roles lists every role.
var Roles = []Role{Admin, Editor, Desk, Responder, Analyst}

// ParseRole validates a role name.
func ParseRole(s string) (Role, error) {
	r := Role(strings.TrimSpace(strings.ToLower(s)))
	if !slices.Contains(Roles, r) {
		return "", errs.Field("role", "error.staff_role")
	}
	return r, nil
}

// Permission is a right beside the roles, granted one by one and audited.
type Permission string

// ReferralOverride lets a responder refer a case without the reporter's
// consent, with a recorded reason (a child in danger).
const ReferralOverride Permission = "referral_override"

// Permissions lists every permission.
var Permissions = []Permission{ReferralOverride}

// Account is one staff member.
type Account struct {
	ID          string
	Email       string
	DisplayName string
	Roles       []Role
	Permissions []Permission
	// Events are where a desk member may redeem souvenirs.
	Events      []string
	TOTPEnabled bool
	DisabledAt  *time.Time
	CreatedAt   time.Time
}

// Has reports whether the account holds role.
func (a *Account) Has(role Role) bool { return slices.Contains(a.Roles, role) }

// HasAny reports whether the account holds one of roles.
func (a *Account) HasAny(roles ...Role) bool {
	return slices.ContainsFunc(roles, a.Has)
}

// Disabled reports whether the account was disabled.
func (a *Account) Disabled() bool { return a.DisabledAt != nil }

// NeedsSecondFactor reports whether the account must use TOTP: admins and
// responders always, others when they turned it on.
func (a *Account) NeedsSecondFactor() bool {
	return a.HasAny(Admin, Responder) || a.TOTPEnabled
}

// NormalizeEmail lower-cases and checks an email address.
func NormalizeEmail(s string) (string, error) {
	s = strings.ToLower(strings.TrimSpace(s))
	addr, err := mail.ParseAddress(s)
	if err != nil || addr.Address != s || len(s) > 254 {
		return "", errs.Field("email", "error.staff_email")
	}
	return s, nil
}

// ValidateDisplayName trims and checks a display name.
func ValidateDisplayName(s string) (string, error) {
	s = strings.TrimSpace(s)
	if s == "" || utf8.RuneCountInString(s) > 80 || strings.ContainsFunc(s, func(r rune) bool { return r < 0x20 }) {
		return "", errs.Field("display_name", "error.staff_name")
	}
	return s, nil
}

// Credentials are what signing in checks, beside the account.
type Credentials struct {
	Account
	PasswordHash string
	TOTPSecret   []byte
	TOTPLastStep int64
	FailedLogins int
	LockedUntil  *time.Time
}

// Session is one signed-in browser.
type Session struct {
	TokenHash    string
	StaffID      string
	SecondFactor bool // the second factor was given (or is not needed)
	CreatedAt    time.Time
	LastSeenAt   time.Time
	ExpiresAt    time.Time
}

// NewAccount is an account ready to be created: every field checked.
type NewAccount struct {
	Email, Name string
	Roles       []Role
	Password    string
}

// PrepareAccount checks what creating an account needs, the same way for
// the command line, the console and the API: a valid email, a display name
// (the part of the email before @ when none is given), at least one known
// role, and a password that passes CheckPassword.
func PrepareAccount(email, name string, roles []string, password string) (NewAccount, error) {
	var a NewAccount
	var err error
	if a.Email, err = NormalizeEmail(email); err != nil {
		return NewAccount{}, err
	}
	if strings.TrimSpace(name) == "" {
		name, _, _ = strings.Cut(a.Email, "@")
	}
	if a.Name, err = ValidateDisplayName(name); err != nil {
		return NewAccount{}, err
	}
	for _, s := range roles {
		if strings.TrimSpace(s) == "" {
			continue
		}
		r, err := ParseRole(s)
		if err != nil {
			return NewAccount{}, err
		}
		a.Roles = append(a.Roles, r)
	}
	if len(a.Roles) == 0 {
		return NewAccount{}, errs.Field("role", "error.staff_role")
	}
	if err := CheckPassword(password, a.Email); err != nil {
		return NewAccount{}, err
	}
	a.Password = password
	return a, nil
}
