package web

import (
	"container/list"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"html/template"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"unicode/utf8"

	"github.com/notalone/notalone/internal/errs"
	"github.com/notalone/notalone/internal/event"
	"github.com/notalone/notalone/internal/i18n"
	"github.com/notalone/notalone/internal/pledge"
	"github.com/notalone/notalone/internal/souvenir"
	"github.com/notalone/notalone/internal/store"
	"github.com/notalone/notalone/internal/taxonomy"
)

// PledgeStore is the store pledges need.
type PledgeStore interface {
	CreatePledge(ctx context.Context, n store.NewPledge) (store.CreatedPledge, error)
	Pledge(ctx context.Context, id string) (pledge.Pledge, error)
	PledgeVoucher(ctx context.Context, pledgeID string) (pledge.Voucher, error)
	PledgeStats(ctx context.Context, eventID string) (store.PledgeStats, error)
	RecentPledges(ctx context.Context, eventID string, limit int, withHidden bool) ([]pledge.Pledge, error)
	RevokedPledges(ctx context.Context) ([]store.RevokedPledge, error)
	Event(ctx context.Context, id string) (event.Event, error)
}

// PledgeTopic is the broker topic of new pledges, for the walls. The
// message is a WallPledge.
const PledgeTopic = "pledge.created"

// WallPledge is a pledge as the wall shows it: no pledge id (that is the
// verification link), a name only when the visitor chose to show it and
// moderation allows.
type WallPledge struct {
	Key     string    `json:"key"` // stable, not the id
	Event   string    `json:"event"`
	Name    string    `json:"name,omitempty"`
	Options []string  `json:"options"`
	At      time.Time `json:"at"`
}

// wallKey names a pledge on the wall without revealing its id.
func wallKey(id string) string {
	sum := sha256.Sum256([]byte("wall:" + id))
	return hex.EncodeToString(sum[:8])
}

func wallPledge(p pledge.Pledge) WallPledge {
	return WallPledge{Key: wallKey(p.ID), Event: p.EventID, Name: p.WallName(), Options: p.Options, At: p.CreatedAt}
}

// Pledges makes pledges and their souvenirs: the pages and the API share
// it, so both follow the same rules.
type Pledges struct {
	Store   PledgeStore
	Publish func(ctx context.Context, topic string, data []byte) error
	Catalog *i18n.Catalog
	// PublicURL is where verification links and badge URLs point.
	PublicURL string
	// Signer signs badges; KeyID names its key in badge URLs.
	Signer souvenir.Signer
	KeyID  string
	// IssuerEmail is the badge issuer's contact (Open Badges requires one).
	IssuerEmail string
	Log         interface {
		Warn(msg string, args ...any)
	}
	// Notify, when set, is told the event of every pledge and redemption
	// (the staff overview follows it).
	Notify func(ctx context.Context, eventID string)

	options atomic.Pointer[pledge.Options]
	cache   souvenirCache
}

// SetOptions replaces the published options (at start and when an editor
// publishes a change).
func (ps *Pledges) SetOptions(list []pledge.Option) { ps.options.Store(pledge.NewOptions(list)) }

// Options returns the published options.
func (ps *Pledges) Options() *pledge.Options { return ps.options.Load() }

// maxIdempotencyKey bounds an Idempotency-Key (a UUID is 36 characters).
const maxIdempotencyKey = 128

// Make checks and stores a pledge made from device d. Field problems come
// back as a list (the form shows them all); err is anything else. key is
// the idempotency key ("" for none); attemptID the finished quiz the
// pledge follows, if any.
func (ps *Pledges) Make(ctx context.Context, in pledge.Input, key, attemptID string, d event.Device) (store.CreatedPledge, []*errs.Error, error) {
	if len(key) > maxIdempotencyKey || strings.ContainsFunc(key, func(r rune) bool { return r < 0x21 || r > 0x7e }) {
		return store.CreatedPledge{}, []*errs.Error{errs.Field("idempotency_key", "error.idempotency_key")}, nil
	}
	if len(attemptID) > 64 {
		attemptID = ""
	}
	in, problems := pledge.Check(in, ps.Options())
	if len(problems) > 0 {
		return store.CreatedPledge{}, problems, nil
	}
	lang, _ := i18n.Parse(in.Lang)
	p := pledge.Pledge{
		ID: pledge.NewID(), EventID: d.Event.ID, AttemptID: attemptID, Lang: lang,
		Name: in.Name, ShowName: in.ShowName, Options: in.Options, AgeBand: in.AgeBand, Province: in.Province,
		BadgeSalt: pledge.NewSalt(),
	}
	n := store.NewPledge{Pledge: p}
	if d.Station != nil {
		n.Pledge.StationID = d.Station.ID
		// Only a kiosk of an event hands out souvenirs: a pledge made
		// anywhere else never gets a voucher.
		if d.Station.Kind == event.Kiosk {
			n.VoucherCode = pledge.NewVoucherCode()
		}
	}
	if key != "" {
		// Scoped to the device, so one device's key never finds another's
		// pledge.
		sum := sha256.Sum256([]byte(d.Event.ID + "\x00" + n.Pledge.StationID + "\x00" + key))
		n.IdempotencyKey = hex.EncodeToString(sum[:])
		n.RequestHash = pledge.RequestHash(in)
	}
	if flagged, entry := pledge.FlagName(in.Name); flagged {
		n.Flag = entry
	}
	created, err := ps.Store.CreatePledge(ctx, n)
	if err != nil {
		return store.CreatedPledge{}, nil, err
	}
	if !created.Replayed {
		ps.announce(ctx, created.Pledge)
		ps.notify(ctx, created.Pledge.EventID)
	}
	return created, nil, nil
}

func (ps *Pledges) notify(ctx context.Context, eventID string) {
	if ps.Notify != nil {
		ps.Notify(ctx, eventID)
	}
}

// Redeem redeems a voucher at an event's desk and tells the overview.
func (ps *Pledges) Redeem(ctx context.Context, vouchers DeskStore, r store.Redeem) (pledge.Redemption, error) {
	res, err := vouchers.RedeemVoucher(ctx, r)
	if err == nil && res.Outcome == pledge.Redeemed {
		ps.notify(ctx, r.EventID)
	}
	return res, err
}

// announce tells every instance's walls about a new pledge, after commit.
func (ps *Pledges) announce(ctx context.Context, p pledge.Pledge) {
	b, err := json.Marshal(wallPledge(p))
	if err == nil {
		err = ps.Publish(context.WithoutCancel(ctx), PledgeTopic, b)
	}
	if err != nil {
		ps.Log.Warn("pledge announce failed", "err", err)
	}
}

// VerifyURL is a pledge's verification page.
func (ps *Pledges) VerifyURL(id string) string { return ps.PublicURL + "/p/" + id }

// Badge URLs: stable, under the public address.
func (ps *Pledges) issuerURL() string             { return ps.PublicURL + "/badges/issuer" }
func (ps *Pledges) badgeClassURL() string         { return ps.PublicURL + "/badges/pledge" }
func (ps *Pledges) keyURL() string                { return ps.PublicURL + "/badges/keys/" + ps.KeyID }
func (ps *Pledges) revocationsURL() string        { return ps.PublicURL + "/badges/revocations" }
func (ps *Pledges) assertionURL(id string) string { return ps.PublicURL + "/badges/assertions/" + id }

// Assertion is a pledge's Open Badges assertion. The recipient is the
// hashed verification link: only the souvenir's holder has it, and no
// email is needed.
func (ps *Pledges) Assertion(p pledge.Pledge) souvenir.Assertion {
	return souvenir.Assertion{
		Context: souvenir.Context, Type: "Assertion", ID: ps.assertionURL(p.ID),
		Recipient:    souvenir.HashedRecipient(ps.VerifyURL(p.ID), p.BadgeSalt),
		Badge:        ps.badgeClassURL(),
		Verification: souvenir.Verification{Type: "SignedBadge", Creator: ps.keyURL()},
		IssuedOn:     p.CreatedAt.UTC().Format(time.RFC3339),
	}
}

// card is what a pledge's souvenir shows, in the pledge's language.
func (ps *Pledges) card(ctx context.Context, p pledge.Pledge) (souvenir.Card, error) {
	l := ps.Catalog.For(p.Lang)
	e, err := ps.Store.Event(ctx, p.EventID)
	if err != nil {
		return souvenir.Card{}, err
	}
	return souvenir.Card{
		Name: p.CardName(), Heading: l.T("souvenir.heading"), Actions: ps.Options().Texts(p.Options, p.Lang),
		Date: l.Date(inZone(p.CreatedAt, e.Timezone)), Event: eventLabel(e), Campaign: l.T("souvenir.campaign"),
		VerifyURL: ps.VerifyURL(p.ID), ScanHint: l.T("souvenir.scan"),
	}, nil
}

// eventLabel is the event's name on a souvenir: none for the online one.
func eventLabel(e event.Event) string {
	if e.ID == event.DefaultID {
		return ""
	}
	return e.Name
}

func inZone(t time.Time, tz string) time.Time {
	if loc, err := time.LoadLocation(tz); err == nil {
		return t.In(loc)
	}
	return t
}

// Souvenir kinds.
const (
	souvenirPNG = "png"
	souvenirPDF = "pdf"
)

// Souvenir returns a pledge's souvenir file: the PNG is a baked, signed
// badge. Renders are cached; a change of moderation state (a name held or
// approved) is part of the key, so it shows at once.
func (ps *Pledges) Souvenir(ctx context.Context, p pledge.Pledge, kind string) ([]byte, error) {
	if p.Hidden {
		return nil, errs.E(errs.NotFound, "error.pledge_hidden")
	}
	key := p.ID + "/" + kind + "/" + p.CardName()
	if b, ok := ps.cache.get(key); ok {
		return b, nil
	}
	c, err := ps.card(ctx, p)
	if err != nil {
		return nil, err
	}
	var b []byte
	if kind == souvenirPDF {
		b, err = souvenir.PDF(c)
	} else {
		b, err = souvenir.PNG(c)
		if err == nil {
			var sig string
			if sig, err = ps.Signer.Sign(ps.Assertion(p)); err == nil {
				b, err = souvenir.Bake(b, sig)
			}
		}
	}
	if err != nil {
		return nil, errs.Wrap(errs.Internal, err, "souvenir %s", kind)
	}
	ps.cache.put(key, b)
	return b, nil
}

// souvenirCacheBytes bounds the memory kept for rendered souvenirs
// (a PNG is about 100 KB, a PDF less): the latest few hundred visitors,
// who are the ones who download them.
const souvenirCacheBytes = 48 << 20

// souvenirCache is a least-recently-used cache of rendered souvenirs,
// per instance.
type souvenirCache struct {
	mu    sync.Mutex
	order list.List // of *cached, most recent first
	byKey map[string]*list.Element
	size  int
}

type cached struct {
	key  string
	body []byte
}

func (c *souvenirCache) get(key string) ([]byte, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	el, ok := c.byKey[key]
	if !ok {
		return nil, false
	}
	c.order.MoveToFront(el)
	return el.Value.(*cached).body, true
}

func (c *souvenirCache) put(key string, body []byte) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.byKey == nil {
		c.byKey = map[string]*list.Element{}
	}
	if _, ok := c.byKey[key]; ok {
		return
	}
	c.byKey[key] = c.order.PushFront(&cached{key: key, body: body})
	c.size += len(body)
	for c.size > souvenirCacheBytes && c.order.Len() > 1 {
		last := c.order.Back()
		v := last.Value.(*cached)
		c.order.Remove(last)
		delete(c.byKey, v.key)
		c.size -= len(v.body)
	}
}

// voucherShownFor is how long after a pledge its kiosk still shows the
// voucher: long enough to walk to the desk with the screen in view, short
// enough that the next visitor cannot go back to it.
const voucherShownFor = 10 * time.Minute

// VoucherQR is a voucher code's QR code as an SVG data URL: no request
// carries the code, so it never reaches a log.
func VoucherQR(code string) (string, error) {
	svg, err := qrSVG(code)
	if err != nil {
		return "", err
	}
	return "data:image/svg+xml;base64," + base64.StdEncoding.EncodeToString([]byte(svg)), nil
}

// Pledge pages.

type pledgeOptionVM struct {
	ID, Text string
	Checked  bool
}

type choiceVM struct {
	Value, Label string
	Selected     bool
}

type pledgeFormPage struct {
	Layout
	Options   []pledgeOptionVM
	Name      string
	ShowName  bool
	AgeBands  []choiceVM
	Provinces []choiceVM
	Key       string
	Attempt   string
	Errors    map[string]string
	ErrorList []string
	MaxName   int
	// Preview is the console's preview of an option: nothing to submit.
	Preview bool
}

func newFormKey() string { return pledge.NewSalt() }

// pledgeForm builds the form page, keeping what the visitor chose.
func (h *Handlers) pledgeForm(r *http.Request, in pledge.Input, key, attempt string, problems []*errs.Error) pledgeFormPage {
	p := pledgeFormPage{Layout: h.layout(r, "pledge.title"), Name: in.Name, ShowName: in.ShowName, Key: key, Attempt: attempt,
		MaxName: pledge.MaxNameRunes, Errors: map[string]string{}}
	p.NoIndex = true
	lang := p.L.Lang
	for _, o := range h.Pledges.Options().Offered() {
		p.Options = append(p.Options, pledgeOptionVM{ID: o.ID, Text: o.Text.In(lang), Checked: contains(in.Options, o.ID)})
	}
	for _, a := range taxonomy.Audiences {
		p.AgeBands = append(p.AgeBands, choiceVM{Value: a, Label: p.L.T("pledge.age." + a), Selected: in.AgeBand == a})
	}
	for _, pr := range pledge.Provinces {
		p.Provinces = append(p.Provinces, choiceVM{Value: pr.Code, Label: pr.Name.In(lang), Selected: in.Province == pr.Code})
	}
	for _, e := range problems {
		if _, seen := p.Errors[e.Field]; !seen {
			msg := p.L.T(e.MessageKey(), "max", pledge.MaxNameRunes)
			p.Errors[e.Field] = msg
			p.ErrorList = append(p.ErrorList, msg)
		}
	}
	return p
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func (h *Handlers) pledgeGet(w http.ResponseWriter, r *http.Request) error {
	lang := string(i18n.LangFrom(r.Context()))
	p := h.pledgeForm(r, pledge.Input{Lang: lang}, newFormKey(), r.URL.Query().Get("attempt"), nil)
	w.Header().Set("Cache-Control", "no-store")
	h.render(w, r, http.StatusOK, "pledge", p)
	return nil
}

// PledgeForm serves GET /pledge: choose actions, then confirm.
func (h *Handlers) PledgeForm() http.Handler { return h.handle(h.pledgeGet) }

// maxFormOptions bounds the options a form may send (there are a dozen).
const maxFormOptions = 50

func (h *Handlers) pledgePost(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(r); err != nil {
		return err
	}
	f := r.PostForm
	in := pledge.Input{
		Name: f.Get("name"), ShowName: f.Get("show_name") == "on", Options: f["options"],
		Lang: string(i18n.LangFrom(r.Context())), AgeBand: f.Get("age_band"), Province: f.Get("province"),
	}
	key, attempt := f.Get("key"), f.Get("attempt")
	d, err := h.device(r.Context(), r)
	if err != nil {
		return err
	}
	var problems []*errs.Error
	var created store.CreatedPledge
	if len(in.Options) > maxFormOptions {
		problems = []*errs.Error{errs.Field("options", "error.pledge_unknown_option")}
	} else {
		created, problems, err = h.Pledges.Make(r.Context(), in, key, attempt, d)
		if err != nil {
			return err
		}
	}
	if len(problems) > 0 {
		// Keep everything the visitor typed; a fresh key, since this
		// request made nothing.
		if !utf8.ValidString(in.Name) {
			in.Name = ""
		}
		w.Header().Set("Cache-Control", "no-store")
		h.render(w, r, http.StatusBadRequest, "pledge", h.pledgeForm(r, in, key, attempt, problems))
		return nil
	}
	http.Redirect(w, r, "/pledge/"+created.Pledge.ID, http.StatusSeeOther)
	return nil
}

// Pledge serves POST /pledge.
func (h *Handlers) Pledge() http.Handler { return h.handle(h.pledgePost) }

type souvenirPage struct {
	Layout
	VerifyURL, PNGURL, PDFURL string
	ImageAlt                  string
	QR                        template.HTML
	Voucher                   *voucherVM
}

type voucherVM struct {
	Code string
	QR   template.HTML
}

func (h *Handlers) souvenirPage(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	pl, err := h.Pledges.Store.Pledge(ctx, r.PathValue("id"))
	if err != nil {
		return err
	}
	if pl.Hidden {
		return errs.E(errs.NotFound, "error.pledge_hidden")
	}
	p := souvenirPage{Layout: h.layout(r, "souvenir.title"), VerifyURL: h.Pledges.VerifyURL(pl.ID),
		PNGURL: "/p/" + pl.ID + "/souvenir.png", PDFURL: "/p/" + pl.ID + "/souvenir.pdf"}
	p.NoIndex = true
	p.ImageAlt = p.L.T("souvenir.image_alt", "actions", strings.Join(h.Pledges.Options().Texts(pl.Options, p.L.Lang), "; "))
	if p.QR, err = qrSVG(p.VerifyURL); err != nil {
		return err
	}
	// The voucher shows only on the kiosk that made the pledge, and only
	// for a short while.
	if d, err := h.device(ctx, r); err == nil && d.Station != nil && d.Station.ID == pl.StationID && time.Since(pl.CreatedAt) < voucherShownFor {
		if v, err := h.Pledges.Store.PledgeVoucher(ctx, pl.ID); err == nil && v.RedeemedAt == nil {
			qr, err := qrSVG(v.Code)
			if err != nil {
				return err
			}
			p.Voucher = &voucherVM{Code: pledge.FormatVoucherCode(v.Code), QR: qr}
		}
	}
	w.Header().Set("Cache-Control", "no-store")
	h.render(w, r, http.StatusOK, "souvenir", p)
	return nil
}

// Souvenir serves GET /pledge/{id}: the souvenir just made, its QR code to
// take it to a phone, and the voucher on the kiosk that made it.
func (h *Handlers) Souvenir() http.Handler { return h.handle(h.souvenirPage) }

type verifyPage struct {
	Layout
	Name, Date, Event string
	Actions           []string
	PNGURL, PDFURL    string
}

func (h *Handlers) verify(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	pl, err := h.Pledges.Store.Pledge(ctx, r.PathValue("id"))
	if err != nil {
		return err
	}
	if pl.Hidden {
		return errs.E(errs.NotFound, "error.pledge_hidden")
	}
	e, err := h.Pledges.Store.Event(ctx, pl.EventID)
	if err != nil {
		return err
	}
	p := verifyPage{Layout: h.layout(r, "verify.title"), Name: pl.CardName(), Event: eventLabel(e),
		PNGURL: "/p/" + pl.ID + "/souvenir.png", PDFURL: "/p/" + pl.ID + "/souvenir.pdf"}
	p.NoIndex = true
	p.Date = p.L.Date(inZone(pl.CreatedAt, e.Timezone))
	p.Actions = h.Pledges.Options().Texts(pl.Options, p.L.Lang)
	w.Header().Set("X-Robots-Tag", "noindex")
	h.render(w, r, http.StatusOK, "verify", p)
	return nil
}

// Verify serves GET /p/{id}: the public proof of a pledge (never its age
// band or province).
func (h *Handlers) Verify() http.Handler { return h.handle(h.verify) }

func (h *Handlers) souvenirFile(kind string) http.Handler {
	return h.handle(func(w http.ResponseWriter, r *http.Request) error {
		pl, err := h.Pledges.Store.Pledge(r.Context(), r.PathValue("id"))
		if err != nil {
			return err
		}
		b, err := h.Pledges.Souvenir(r.Context(), pl, kind)
		if err != nil {
			return err
		}
		name := "khong-mot-minh-" + pl.ID[:8] + "." + kind
		ct := "image/png"
		if kind == souvenirPDF {
			ct = "application/pdf"
		}
		w.Header().Set("Content-Type", ct)
		w.Header().Set("X-Robots-Tag", "noindex")
		w.Header().Set("Cache-Control", "private, max-age=300")
		if r.URL.Query().Get("download") == "1" {
			w.Header().Set("Content-Disposition", `attachment; filename="`+name+`"`)
		}
		w.Write(b)
		return nil
	})
}

// SouvenirPNG serves GET /p/{id}/souvenir.png: the baked badge.
func (h *Handlers) SouvenirPNG() http.Handler { return h.souvenirFile(souvenirPNG) }

// SouvenirPDF serves GET /p/{id}/souvenir.pdf: the printable A6 card.
func (h *Handlers) SouvenirPDF() http.Handler { return h.souvenirFile(souvenirPDF) }
