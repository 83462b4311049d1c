package help

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"net/mail"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"

	"github.com/notalone/notalone/internal/errs"
	"github.com/notalone/notalone/internal/taxonomy"
)

// A help request ("report") as the child sends it. Everything is optional
// but the topic: a child may only want to say what kind of thing happened.

// Platforms a request can name: where it happened.
var Platforms = []string{"tiktok", "facebook", "messenger", "instagram", "zalo", "youtube", "discord", "roblox", "game", "sms-call", "other", "offline"}

// When it happened.
var Happened = []string{"now", "today", "this-week", "earlier"}

// Ways to reach the child: none is allowed (fully anonymous).
const (
	ContactNone  = "none"
	ContactPhone = "phone"
	ContactEmail = "email"
)

// Limits on what a request may hold.
const (
	MaxDescription   = 4000 // runes
	MaxContact       = 120  // runes
	MaxEvidenceFiles = 3
	MaxEvidenceBytes = 5 << 20 // per file, as uploaded
)

// Request is a help request as submitted, before it is stored.
type Request struct {
	Topic, Platform, Happened string
	DangerNow, AskedToMeet    bool
	Isolated                  bool
	Description               string
	ContactKind, Contact      string
	AgeBand                   string
	Consent                   bool
}

// Check validates a request and returns it cleaned (NFC, trimmed), or one
// error per field that is wrong, so a form can show them all and keep what
// the child typed.
func (r Request) Check() (Request, []*errs.Error) {
	var problems []*errs.Error
	bad := func(field, key string) { problems = append(problems, errs.Field(field, key)) }
	if !taxonomy.IsTopic(r.Topic) {
		bad("topic", "error.report_topic")
	}
	if r.Platform == "" {
		r.Platform = "other"
	}
	if !slices.Contains(Platforms, r.Platform) {
		bad("platform", "error.report_platform")
	}
	if r.Happened == "" {
		r.Happened = "earlier"
	}
	if !slices.Contains(Happened, r.Happened) {
		bad("happened", "error.report_happened")
	}
	if r.AgeBand != "" && !slices.Contains(taxonomy.Audiences, r.AgeBand) {
		bad("age_band", "error.report_age_band")
	}
	var ok bool
	if r.Description, ok = cleanText(r.Description, MaxDescription, true); !ok {
		bad("description", "error.report_description")
	}
	r.Contact, ok = cleanText(r.Contact, MaxContact, false)
	switch r.ContactKind {
	case "", ContactNone:
		r.ContactKind, r.Contact = ContactNone, ""
	case ContactPhone:
		if !ok || !validPhone(r.Contact) {
			bad("contact", "error.report_phone")
		}
	case ContactEmail:
		if a, err := mail.ParseAddress(r.Contact); !ok || err != nil || a.Address != r.Contact {
			bad("contact", "error.report_email")
		}
	default:
		bad("contact_kind", "error.report_contact_kind")
	}
	return r, problems
}

// cleanText normalises free text: valid UTF-8, NFC, trimmed, no control
// characters but newlines (and tabs where multiline), at most max runes.
func cleanText(s string, max int, multiline bool) (string, bool) {
	if len(s) > max*4 || !utf8.ValidString(s) {
		return "", false
	}
	s = strings.TrimSpace(norm.NFC.String(strings.ReplaceAll(s, "\r\n", "\n")))
	for _, r := range s {
		if r == '\n' || r == '\t' {
			if !multiline {
				return "", false
			}
			continue
		}
		if unicode.IsControl(r) || r == '\u202e' || r == '\u202d' {
			return "", false
		}
	}
	return s, utf8.RuneCountInString(s) <= max
}

// validPhone accepts what people type for a Vietnamese or international
// number: digits with spaces, dots, dashes, brackets and a leading +.
func validPhone(s string) bool {
	digits := 0
	for i, r := range s {
		switch {
		case r >= '0' && r <= '9':
			digits++
		case r == '+' && i == 0, r == ' ', r == '.', r == '-', r == '(', r == ')':
		default:
			return false
		}
	}
	return digits >= 8 && digits <= 15
}

// Statuses of a case, in the order a case usually moves.
const (
	StatusNew      = "new"
	StatusTriaged  = "triaged"
	StatusReferred = "referred"
	StatusClosed   = "closed"
)

// Statuses lists them.
var Statuses = []string{StatusNew, StatusTriaged, StatusReferred, StatusClosed}

// Partners a case can be referred to.
var Partners = []string{"police-cyber", "hotline-111", "platform-trust-safety"}

// crockford is Crockford's base32 (no I, L, O, U), easy to read aloud.
const crockford = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"

func randomCode(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	for i := range b {
		b[i] = crockford[b[i]&31]
	}
	return string(b)
}

// NewReceipt returns a receipt code (50 bits, e.g. "K7Q2M-9XW4P"): what
// the child writes down to ask about the request later. It is a lookup
// key; the secret is what proves it is theirs.
func NewReceipt() string {
	c := randomCode(10)
	return c[:5] + "-" + c[5:]
}

// NewSecret returns the reporter's secret (100 bits, four groups of five):
// shown once, only its hash is kept.
func NewSecret() string {
	c := randomCode(20)
	return c[:5] + "-" + c[5:10] + "-" + c[10:15] + "-" + c[15:]
}

// canonical upper-cases a typed code and drops spaces and dashes, reading
// O as 0 and I or L as 1.
func canonical(s string) string {
	var b strings.Builder
	for _, r := range strings.ToUpper(s) {
		switch r {
		case ' ', '-', '\t':
			continue
		case 'O':
			r = '0'
		case 'I', 'L':
			r = '1'
		}
		b.WriteRune(r)
	}
	return b.String()
}

// NormalReceipt puts a typed receipt code in its stored form, or "" when
// it cannot be one.
func NormalReceipt(s string) string {
	if len(s) > 40 {
		return ""
	}
	c := canonical(s)
	if len(c) != 10 || strings.Trim(c, crockford) != "" {
		return ""
	}
	return c[:5] + "-" + c[5:]
}

// HashSecret is what is stored of a secret.
func HashSecret(secret string) string {
	sum := sha256.Sum256([]byte("notalone report secret\x00" + canonical(secret)))
	return hex.EncodeToString(sum[:])
}

// SecretMatches compares a typed secret with a stored hash in constant time.
func SecretMatches(secret, hash string) bool {
	if len(secret) > 60 {
		return false
	}
	return subtle.ConstantTimeCompare([]byte(HashSecret(secret)), []byte(hash)) == 1
}

// NewCaseID returns a case id (128 bits, hex).
func NewCaseID() string {
	b := make([]byte, 16)
	rand.Read(b)
	return hex.EncodeToString(b)
}

// Case is a stored help request as responders see it, with the sealed
// parts opened (when the instance holds the private key).
type Case struct {
	ID, Receipt                string
	EventID, StationID, Source string
	Request                    Request
	Priority                   Priority
	Flags                      []string
	Status, CloseReason        string
	AssignedTo, PublicMessage  string
	CreatedAt, UpdatedAt       time.Time
	ClosedAt                   *time.Time
	ReviewDue                  bool
	Files                      []File
	Notes                      []Note
	Referrals                  []Referral
}

// File is an evidence image of a case (its bytes are fetched on reveal).
type File struct {
	N    int
	MIME string
	Size int
}

// Note is a responder's internal note.
type Note struct {
	N         int
	Author    string
	Body      string
	CreatedAt time.Time
}

// Referral records what was shared with whom, and on what grounds.
type Referral struct {
	N              int
	Partner        string
	Shared         string
	Consent        bool
	OverrideReason string
	By             string
	At             time.Time
}

// DescriptionInfo is the binding of a case's description. Each sealed
// field is bound to its case and field, so a ciphertext copied into
// another case or field does not open.
func DescriptionInfo(id string) string { return "report:" + id + ":description" }

// ContactInfo is the binding of a case's contact details.
func ContactInfo(id string) string { return "report:" + id + ":contact" }

// FileInfo is the binding of a case's evidence file n.
func FileInfo(id string, n int, preview bool) string {
	s := "report:" + id + ":file:" + strconv.Itoa(n)
	if preview {
		s += ":preview"
	}
	return s
}

// NoteInfo is the binding of a case's notes (a note is sealed before the
// store numbers it).
func NoteInfo(id string) string { return "report:" + id + ":note" }

// KeyInfo is the binding of a case's sealed data key.
func KeyInfo(id string) string { return "report:" + id + ":key" }
