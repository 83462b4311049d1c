package pledge

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base32"
	"encoding/hex"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/notalone/notalone/internal/errs"
	"github.com/notalone/notalone/internal/i18n"
	"github.com/notalone/notalone/internal/taxonomy"
)

// Option is one action a visitor can pledge. Retired options are no longer
// offered, but pledges that chose them still show them.
type Option struct {
	ID      string    `yaml:"id" json:"id"`
	Text    i18n.Text `yaml:"text" json:"text"`
	Retired bool      `yaml:"retired,omitempty" json:"retired,omitempty"`
}

// Options is the published list of options, in the order shown. It is
// immutable once built: a content change builds a new one.
type Options struct {
	list []Option
	byID map[string]Option
}

// NewOptions indexes list (already validated by the content pack).
func NewOptions(list []Option) *Options {
	o := &Options{list: slices.Clone(list), byID: make(map[string]Option, len(list))}
	for _, x := range list {
		o.byID[x.ID] = x
	}
	return o
}

// Offered lists the options a visitor can choose now.
func (o *Options) Offered() []Option {
	out := make([]Option, 0, len(o.list))
	for _, x := range o.list {
		if !x.Retired {
			out = append(out, x)
		}
	}
	return out
}

// All lists every option, retired ones included (the editor's list).
func (o *Options) All() []Option { return slices.Clone(o.list) }

// Get returns an option by id, retired or not.
func (o *Options) Get(id string) (Option, bool) {
	x, ok := o.byID[id]
	return x, ok
}

// Texts returns the texts of ids in lang, in the order the options are
// listed (so every souvenir reads the same way); unknown ids are skipped.
func (o *Options) Texts(ids []string, lang i18n.Lang) []string {
	var out []string
	for _, x := range o.list {
		if slices.Contains(ids, x.ID) {
			out = append(out, x.Text.In(lang))
		}
	}
	return out
}

// Province is one of the 34 provinces and cities (since 1 July 2025).
type Province struct {
	Code string
	Name i18n.Text
}

// Provinces lists the 34 provinces and cities, cities first, as the
// content guide gives them. Codes are stable: they are what is stored.
var Provinces = []Province{
	{"ha-noi", i18n.Text{VI: "Hà Nội", EN: "Hà Nội"}},
	{"hue", i18n.Text{VI: "Huế", EN: "Huế"}},
	{"hai-phong", i18n.Text{VI: "Hải Phòng", EN: "Hải Phòng"}},
	{"da-nang", i18n.Text{VI: "Đà Nẵng", EN: "Đà Nẵng"}},
	{"ho-chi-minh", i18n.Text{VI: "Thành phố Hồ Chí Minh", EN: "Ho Chi Minh City"}},
	{"can-tho", i18n.Text{VI: "Cần Thơ", EN: "Cần Thơ"}},
	{"lai-chau", i18n.Text{VI: "Lai Châu", EN: "Lai Châu"}},
	{"dien-bien", i18n.Text{VI: "Điện Biên", EN: "Điện Biên"}},
	{"son-la", i18n.Text{VI: "Sơn La", EN: "Sơn La"}},
	{"lang-son", i18n.Text{VI: "Lạng Sơn", EN: "Lạng Sơn"}},
	{"quang-ninh", i18n.Text{VI: "Quảng Ninh", EN: "Quảng Ninh"}},
	{"thanh-hoa", i18n.Text{VI: "Thanh Hóa", EN: "Thanh Hóa"}},
	{"nghe-an", i18n.Text{VI: "Nghệ An", EN: "Nghệ An"}},
	{"ha-tinh", i18n.Text{VI: "Hà Tĩnh", EN: "Hà Tĩnh"}},
	{"cao-bang", i18n.Text{VI: "Cao Bằng", EN: "Cao Bằng"}},
	{"tuyen-quang", i18n.Text{VI: "Tuyên Quang", EN: "Tuyên Quang"}},
	{"lao-cai", i18n.Text{VI: "Lào Cai", EN: "Lào Cai"}},
	{"thai-nguyen", i18n.Text{VI: "Thái Nguyên", EN: "Thái Nguyên"}},
	{"phu-tho", i18n.Text{VI: "Phú Thọ", EN: "Phú Thọ"}},
	{"bac-ninh", i18n.Text{VI: "Bắc Ninh", EN: "Bắc Ninh"}},
	{"hung-yen", i18n.Text{VI: "Hưng Yên", EN: "Hưng Yên"}},
	{"ninh-binh", i18n.Text{VI: "Ninh Bình", EN: "Ninh Bình"}},
	{"quang-tri", i18n.Text{VI: "Quảng Trị", EN: "Quảng Trị"}},
	{"quang-ngai", i18n.Text{VI: "Quảng Ngãi", EN: "Quảng Ngãi"}},
	{"gia-lai", i18n.Text{VI: "Gia Lai", EN: "Gia Lai"}},
	{"khanh-hoa", i18n.Text{VI: "Khánh Hòa", EN: "Khánh Hòa"}},
	{"lam-dong", i18n.Text{VI: "Lâm Đồng", EN: "Lâm Đồng"}},
	{"dak-lak", i18n.Text{VI: "Đắk Lắk", EN: "Đắk Lắk"}},
	{"dong-nai", i18n.Text{VI: "Đồng Nai", EN: "Đồng Nai"}},
	{"tay-ninh", i18n.Text{VI: "Tây Ninh", EN: "Tây Ninh"}},
	{"vinh-long", i18n.Text{VI: "Vĩnh Long", EN: "Vĩnh Long"}},
	{"dong-thap", i18n.Text{VI: "Đồng Tháp", EN: "Đồng Tháp"}},
	{"ca-mau", i18n.Text{VI: "Cà Mau", EN: "Cà Mau"}},
	{"an-giang", i18n.Text{VI: "An Giang", EN: "An Giang"}},
}

// Input is what a visitor sends: nothing else is asked.
type Input struct {
	Name     string
	ShowName bool
	Options  []string
	Lang     string
	AgeBand  string
	Province string
}

// Check validates in against the offered options and returns it cleaned
// (name normalised, options de-duplicated in list order), or one error per
// field that is wrong so a form can show them all at once.
func Check(in Input, opts *Options) (Input, []*errs.Error) {
	var problems []*errs.Error
	name, err := CleanName(in.Name)
	if err != nil {
		problems = append(problems, errs.As(err))
	}
	in.Name = name
	if in.Name == "" {
		in.ShowName = false
	}
	chosen := map[string]bool{}
	for _, id := range in.Options {
		if x, ok := opts.Get(id); !ok || x.Retired {
			problems = append(problems, errs.Field("options", "error.pledge_unknown_option"))
			chosen = nil
			break
		}
		chosen[id] = true
	}
	if chosen != nil {
		in.Options = in.Options[:0:0]
		for _, x := range opts.list {
			if chosen[x.ID] {
				in.Options = append(in.Options, x.ID)
			}
		}
		if len(in.Options) == 0 {
			problems = append(problems, errs.Field("options", "error.pledge_no_options"))
		}
	}
	if _, ok := i18n.Parse(in.Lang); !ok {
		problems = append(problems, errs.Field("lang", "error.pledge_lang"))
	}
	if in.AgeBand != "" && !slices.Contains(taxonomy.Audiences, in.AgeBand) {
		problems = append(problems, errs.Field("age_band", "error.pledge_age_band"))
	}
	if in.Province != "" && !slices.ContainsFunc(Provinces, func(p Province) bool { return p.Code == in.Province }) {
		problems = append(problems, errs.Field("province", "error.pledge_province"))
	}
	return in, problems
}

// RequestHash identifies what a request asked for, so a retry with the
// same idempotency key is told from a different pledge reusing it.
func RequestHash(in Input) string {
	h := sha256.New()
	for _, part := range append([]string{in.Name, strconv.FormatBool(in.ShowName), in.Lang, in.AgeBand, in.Province}, in.Options...) {
		h.Write([]byte(part))
		h.Write([]byte{0})
	}
	return hex.EncodeToString(h.Sum(nil))
}

// Pledge is one visitor's promise. AgeBand and Province are for anonymous
// counts only: never shown with the pledge.
type Pledge struct {
	ID        string
	EventID   string
	StationID string // empty unless made on a station
	AttemptID string // the finished quiz attempt it followed, if any
	Lang      i18n.Lang
	Name      string
	ShowName  bool
	Options   []string
	AgeBand   string
	Province  string
	// BadgeSalt salts the badge's hashed recipient.
	BadgeSalt string
	CreatedAt time.Time
	// Moderation: NameHeld while a flagged name waits for an editor (or
	// after an editor refused it); Hidden once staff hid the pledge.
	NameHeld bool
	Hidden   bool
}

// CardName is the name shown on the souvenir and the verification page:
// the name as given, unless moderation holds it.
func (p Pledge) CardName() string {
	if p.NameHeld {
		return ""
	}
	return p.Name
}

// WallName is the name shown on the pledge wall: only when the visitor
// chose to show it and moderation allows.
func (p Pledge) WallName() string {
	if !p.ShowName {
		return ""
	}
	return p.CardName()
}

var lowerBase32 = base32.NewEncoding("abcdefghijklmnopqrstuvwxyz234567").WithPadding(base32.NoPadding)

// NewID returns a random pledge id: 130 bits in 26 lower-case characters,
// so a verification link cannot be guessed from another.
func NewID() string {
	b := make([]byte, 17)
	rand.Read(b)
	return lowerBase32.EncodeToString(b)[:26]
}

// NewSalt returns a random salt for the badge's recipient hash.
func NewSalt() string {
	b := make([]byte, 16)
	rand.Read(b)
	return lowerBase32.EncodeToString(b)
}

// ValidID reports whether s looks like a pledge id (so a bad URL never
// reaches the database).
func ValidID(s string) bool {
	if len(s) != 26 {
		return false
	}
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= '2' && r <= '7') {
			return false
		}
	}
	return true
}

// crockford is Crockford's base32: no I, L, O or U, so a code read aloud
// or typed from paper is not mistaken.
const crockford = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"

// VoucherCodeLen is the number of symbols in a voucher code: 16 × 5 = 80
// random bits.
const VoucherCodeLen = 16

// NewVoucherCode returns a random voucher code, in its canonical form.
func NewVoucherCode() string {
	b := make([]byte, VoucherCodeLen)
	rand.Read(b)
	out := make([]byte, VoucherCodeLen)
	for i, c := range b {
		out[i] = crockford[c&31]
	}
	return string(out)
}

// ParseVoucherCode accepts a code as typed, scanned or read aloud: any
// case, with spaces or dashes, O for 0 and I or L for 1. It returns the
// canonical code or an error.
func ParseVoucherCode(s string) (string, error) {
	if len(s) > 64 {
		return "", errs.Field("code", "error.voucher_code")
	}
	var b strings.Builder
	for _, r := range strings.ToUpper(s) {
		switch {
		case r == ' ' || r == '-' || r == '\t':
			continue
		case r == 'O':
			r = '0'
		case r == 'I' || r == 'L':
			r = '1'
		}
		if !strings.ContainsRune(crockford, r) {
			return "", errs.Field("code", "error.voucher_code")
		}
		b.WriteRune(r)
	}
	if b.Len() != VoucherCodeLen {
		return "", errs.Field("code", "error.voucher_code")
	}
	return b.String(), nil
}

// FormatVoucherCode groups a canonical code in fours for people to read.
func FormatVoucherCode(code string) string {
	var parts []string
	for i := 0; i < len(code); i += 4 {
		parts = append(parts, code[i:min(i+4, len(code))])
	}
	return strings.Join(parts, "-")
}

// SouvenirItem is a physical souvenir at an event and how many are left.
type SouvenirItem struct {
	ID    string    `json:"id"`
	Name  i18n.Text `json:"name"`
	Stock int       `json:"stock"`
}

// MaxStock bounds one item's stock (a typo of extra zeros, not a plan).
const MaxStock = 100000

// VoucherRules say who gets a voucher at an event.
type VoucherRules struct {
	// NeedsQuiz: a voucher only for a pledge that follows a quiz finished
	// on the same kiosk, one per attempt.
	NeedsQuiz bool
	// PerStationHour caps the vouchers one kiosk issues in an hour.
	PerStationHour int
}

// DefaultVouchersPerStationHour allows one voucher a minute per kiosk:
// a quiz round and a pledge take longer than that.
const DefaultVouchersPerStationHour = 60

// Souvenirs is an event's souvenir set-up: its items and voucher rules.
type Souvenirs struct {
	Rules VoucherRules
	Items []SouvenirItem
}

// MaxSouvenirItems bounds the items of one event.
const MaxSouvenirItems = 20

// validItemID: lower-case letters, digits and dashes, as elsewhere.
func validItemID(s string) bool {
	if s == "" || len(s) > 40 {
		return false
	}
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-') {
			return false
		}
	}
	return true
}

// Check validates a souvenir set-up as an editor sent it.
func (s *Souvenirs) Check() error {
	if s.Rules.PerStationHour == 0 {
		s.Rules.PerStationHour = DefaultVouchersPerStationHour
	}
	if s.Rules.PerStationHour < 1 || s.Rules.PerStationHour > 3600 {
		return errs.Field("per_station_hour", "error.souvenir_rate")
	}
	if len(s.Items) > MaxSouvenirItems {
		return errs.Field("items", "error.souvenir_items")
	}
	seen := map[string]bool{}
	for i := range s.Items {
		it := &s.Items[i]
		it.Name.VI, it.Name.EN = strings.TrimSpace(it.Name.VI), strings.TrimSpace(it.Name.EN)
		switch {
		case !validItemID(it.ID) || seen[it.ID]:
			return errs.Field("items", "error.souvenir_item_id")
		case it.Name.VI == "" || it.Name.EN == "" || len([]rune(it.Name.VI)) > 60 || len([]rune(it.Name.EN)) > 60:
			return errs.Field("items", "error.souvenir_item_name")
		case it.Stock < 0 || it.Stock > MaxStock:
			return errs.Field("items", "error.souvenir_stock")
		}
		seen[it.ID] = true
	}
	return nil
}

// Voucher is a one-time claim on a physical souvenir.
type Voucher struct {
	Code       string
	PledgeID   string
	EventID    string
	StationID  string
	IssuedAt   time.Time
	RedeemedAt *time.Time
}

// Redemption outcomes, as the desk shows them.
const (
	Redeemed        = "redeemed"
	AlreadyRedeemed = "already_redeemed"
	UnknownCode     = "unknown"
	OutOfStock      = "out_of_stock"
	OtherEvent      = "other_event"
)

// Redemption is what happened when the desk scanned a code.
type Redemption struct {
	Outcome string
	Code    string
	EventID string
	// For Redeemed and AlreadyRedeemed: when, where (the desk station's
	// name, or the event's), by whom, and which item.
	RedeemedAt *time.Time
	Where      string
	By         string
	Item       string
	// Items is the event's stock after the scan.
	Items []SouvenirItem
}
