package web

import (
	"context"
	"encoding/base32"
	"encoding/csv"
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/notalone/notalone/internal/errs"
	"github.com/notalone/notalone/internal/event"
	"github.com/notalone/notalone/internal/pledge"
	"github.com/notalone/notalone/internal/staff"
	"github.com/notalone/notalone/internal/store"
)

// The staff console. Every page declares its roles where it is registered
// (server/routes.go); the server's staffOnly check has run before any
// handler here, and the account is in the request context.

// StaffCookie holds a staff session token.
const StaffCookie = "na_staff"

// ConsoleStore is what the console needs beyond signing in.
type ConsoleStore interface {
	event.Lookup
	CreateEvent(ctx context.Context, e event.Event) (event.Event, error)
	Events(ctx context.Context) ([]event.Event, error)
	CreateStation(ctx context.Context, eventID string, kind event.Kind, name string) (event.Station, error)
	Stations(ctx context.Context, eventID string) ([]event.Station, error)
	RevokeStation(ctx context.Context, id string) (event.Station, error)
	UpdateEventSettings(ctx context.Context, e event.Event) (event.Event, error)
	SetPassword(ctx context.Context, id, hash, keep string) error
	DeleteStaffSessions(ctx context.Context, staffID string) error
	CredentialsByID(ctx context.Context, id string) (staff.Credentials, error)
	Audit(ctx context.Context, actor, action, object, detail string) error
	AuditEntries(ctx context.Context, f store.AuditFilter) ([]store.AuditEntry, error)
	Souvenirs(ctx context.Context, eventID string) (pledge.Souvenirs, error)
	SetSouvenirs(ctx context.Context, eventID string, s pledge.Souvenirs, actor string) error
}

type accountKey struct{}

// WithAccount stores the signed-in account in ctx (the server does it).
func WithAccount(ctx context.Context, a staff.Account) context.Context {
	return context.WithValue(ctx, accountKey{}, a)
}

func account(ctx context.Context) staff.Account {
	a, _ := ctx.Value(accountKey{}).(staff.Account)
	return a
}

// AccountFrom returns the signed-in staff account of a request.
func AccountFrom(ctx context.Context) staff.Account { return account(ctx) }

// StaffToken returns the staff session token of r.
func StaffToken(r *http.Request) string {
	if c, err := r.Cookie(StaffCookie); err == nil {
		return c.Value
	}
	return ""
}

func (h *Handlers) setStaffCookie(w http.ResponseWriter, r *http.Request, token string) {
	c := &http.Cookie{Name: StaffCookie, Value: token, Path: "/", HttpOnly: true, SameSite: http.SameSiteLaxMode, Secure: isSecure(r)}
	if token == "" {
		c.MaxAge = -1
	}
	http.SetCookie(w, c)
}

// consolePage is the data every console page has.
type consolePage struct {
	Layout
	Account staff.Account
	Error   string
	Tiles   []Door
}

func (h *Handlers) consoleLayout(r *http.Request, title string) consolePage {
	p := consolePage{Layout: h.layout(r, title), Account: account(r.Context())}
	p.NoIndex = true
	return p
}

func (h *Handlers) loginForm(w http.ResponseWriter, r *http.Request) error {
	p := struct {
		consolePage
		Email, Next string
	}{consolePage: h.consoleLayout(r, "console.login_title"), Next: safeNext(r.URL.Query().Get("next"))}
	w.Header().Set("Cache-Control", "no-store")
	h.render(w, r, http.StatusOK, "console_login", p)
	return nil
}

// LoginForm serves GET /console/login.
func (h *Handlers) LoginForm() http.Handler { return h.handle(h.loginForm) }

// safeNext keeps a post-login redirect inside the console.
func safeNext(next string) string {
	if strings.HasPrefix(next, "/console") && !strings.HasPrefix(next, "//") && !strings.Contains(next, "\\") {
		return next
	}
	return "/console"
}

func (h *Handlers) login(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(r); err != nil {
		return err
	}
	email, next := r.PostForm.Get("email"), safeNext(r.PostForm.Get("next"))
	token, acct, err := h.Auth.Login(r.Context(), email, r.PostForm.Get("password"))
	if err != nil {
		if !errs.Is(err, errs.Unauthorized) {
			return err
		}
		p := struct {
			consolePage
			Email, Next string
		}{consolePage: h.consoleLayout(r, "console.login_title"), Email: email, Next: next}
		p.Error = p.L.T("error.login_failed")
		w.Header().Set("Cache-Control", "no-store")
		h.render(w, r, http.StatusUnauthorized, "console_login", p)
		return nil
	}
	h.setStaffCookie(w, r, token)
	switch {
	case !acct.NeedsSecondFactor():
		http.Redirect(w, r, next, http.StatusSeeOther)
	case acct.TOTPEnabled:
		http.Redirect(w, r, "/console/login/code?next="+url.QueryEscape(next), http.StatusSeeOther)
	default:
		http.Redirect(w, r, "/console/totp", http.StatusSeeOther)
	}
	return nil
}

// Login serves POST /console/login.
func (h *Handlers) Login() http.Handler { return h.handle(h.login) }

func (h *Handlers) codeForm(w http.ResponseWriter, r *http.Request) error {
	p := struct {
		consolePage
		Next string
	}{consolePage: h.consoleLayout(r, "console.code_title"), Next: safeNext(r.URL.Query().Get("next"))}
	w.Header().Set("Cache-Control", "no-store")
	h.render(w, r, http.StatusOK, "console_code", p)
	return nil
}

// CodeForm serves GET /console/login/code.
func (h *Handlers) CodeForm() http.Handler { return h.handle(h.codeForm) }

func (h *Handlers) code(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(r); err != nil {
		return err
	}
	next := safeNext(r.PostForm.Get("next"))
	token, err := h.Auth.SecondFactor(r.Context(), StaffToken(r), r.PostForm.Get("code"))
	if errs.Is(err, errs.Invalid) {
		p := struct {
			consolePage
			Next string
		}{consolePage: h.consoleLayout(r, "console.code_title"), Next: next}
		p.Error = p.L.T("error.code_wrong")
		h.render(w, r, http.StatusBadRequest, "console_code", p)
		return nil
	}
	if err != nil {
		return err
	}
	h.setStaffCookie(w, r, token)
	http.Redirect(w, r, next, http.StatusSeeOther)
	return nil
}

// Code serves POST /console/login/code.
func (h *Handlers) Code() http.Handler { return h.handle(h.code) }

type totpPage struct {
	consolePage
	Secret, SecretText string
	QR                 template.HTML
	RecoveryCodes      []string
}

func (h *Handlers) totpPage(r *http.Request, secret []byte) (totpPage, error) {
	p := totpPage{consolePage: h.consoleLayout(r, "console.totp_title")}
	p.Secret = base32.StdEncoding.EncodeToString(secret)
	p.SecretText = staff.TOTPSecretText(secret)
	qr, err := qrSVG(staff.TOTPURI(secret, "Not Alone", p.Account.Email))
	p.QR = qr
	return p, err
}

func (h *Handlers) totpForm(w http.ResponseWriter, r *http.Request) error {
	p, err := h.totpPage(r, staff.NewTOTPSecret())
	if err != nil {
		return err
	}
	w.Header().Set("Cache-Control", "no-store")
	h.render(w, r, http.StatusOK, "console_totp", p)
	return nil
}

// TOTPForm serves GET /console/totp: set up the second factor.
func (h *Handlers) TOTPForm() http.Handler { return h.handle(h.totpForm) }

func (h *Handlers) totp(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(r); err != nil {
		return err
	}
	secret, err := base32.StdEncoding.DecodeString(r.PostForm.Get("secret"))
	if err != nil {
		return errs.E(errs.Invalid, "error.form_malformed")
	}
	token, codes, err := h.Auth.EnrolTOTP(r.Context(), StaffToken(r), secret, r.PostForm.Get("code"))
	w.Header().Set("Cache-Control", "no-store")
	if errs.Is(err, errs.Invalid) {
		p, perr := h.totpPage(r, secret)
		if perr != nil {
			return perr
		}
		p.Error = p.L.T("error.code_wrong")
		h.render(w, r, http.StatusBadRequest, "console_totp", p)
		return nil
	}
	if err != nil {
		return err
	}
	h.setStaffCookie(w, r, token)
	p := totpPage{consolePage: h.consoleLayout(r, "console.totp_title"), RecoveryCodes: codes}
	h.render(w, r, http.StatusOK, "console_totp", p)
	return nil
}

// TOTP serves POST /console/totp.
func (h *Handlers) TOTP() http.Handler { return h.handle(h.totp) }

func (h *Handlers) consoleHome(w http.ResponseWriter, r *http.Request) error {
	p := h.consoleLayout(r, "console.title")
	if p.Account.HasAny(staff.Admin, staff.Editor) {
		p.Tiles = append(p.Tiles, Door{URL: "/console/events", Title: p.L.T("console.events"), Text: p.L.T("console.events_text")})
	}
	if p.Account.HasAny(staff.Admin, staff.Editor, staff.Analyst) {
		p.Tiles = append(p.Tiles, Door{URL: "/console/overview", Title: p.L.T("console.overviews"), Text: p.L.T("console.overviews_text")})
	}
	if p.Account.Has(staff.Editor) {
		p.Tiles = append(p.Tiles, Door{URL: "/console/content", Title: p.L.T("console.content"), Text: p.L.T("console.content_text")})
		p.Tiles = append(p.Tiles, Door{URL: "/console/content/media", Title: p.L.T("console.library"), Text: p.L.T("console.library_text")})
		p.Tiles = append(p.Tiles, Door{URL: "/console/moderation", Title: p.L.T("console.moderation"), Text: p.L.T("console.moderation_text")})
	}
	if p.Account.Has(staff.Responder) {
		p.Tiles = append(p.Tiles, Door{URL: "/console/cases", Title: p.L.T("cases.title"), Text: p.L.T("console.cases_text")})
	}
	if p.Account.Has(staff.Desk) {
		p.Tiles = append(p.Tiles, Door{URL: "/console/desk", Title: p.L.T("desk.title"), Text: p.L.T("console.desk_text")})
	}
	if p.Account.Has(staff.Admin) {
		p.Tiles = append(p.Tiles, Door{URL: "/console/users", Title: p.L.T("console.users"), Text: p.L.T("console.users_text")})
		p.Tiles = append(p.Tiles, Door{URL: "/console/audit", Title: p.L.T("console.audit"), Text: p.L.T("console.audit_text")})
	}
	p.Tiles = append(p.Tiles, Door{URL: "/console/account", Title: p.L.T("console.account"), Text: p.L.T("console.account_text")})
	h.render(w, r, http.StatusOK, "console_home", p)
	return nil
}

// ConsoleHome serves GET /console.
func (h *Handlers) ConsoleHome() http.Handler { return h.handle(h.consoleHome) }

func (h *Handlers) logout(w http.ResponseWriter, r *http.Request) error {
	if t := StaffToken(r); t != "" {
		if err := h.Auth.Logout(r.Context(), t); err != nil {
			return err
		}
	}
	h.setStaffCookie(w, r, "")
	http.Redirect(w, r, "/console/login", http.StatusSeeOther)
	return nil
}

// Logout serves POST /console/logout.
func (h *Handlers) Logout() http.Handler { return h.handle(h.logout) }

func (h *Handlers) accountPage(w http.ResponseWriter, r *http.Request) error {
	h.render(w, r, http.StatusOK, "console_account", h.consoleLayout(r, "console.account"))
	return nil
}

// AccountPage serves GET /console/account.
func (h *Handlers) AccountPage() http.Handler { return h.handle(h.accountPage) }

func (h *Handlers) changePassword(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(r); err != nil {
		return err
	}
	ctx := r.Context()
	a := account(ctx)
	c, err := h.Console.CredentialsByID(ctx, a.ID)
	if err != nil {
		return err
	}
	p := h.consoleLayout(r, "console.account")
	fail := func(key string) error {
		p.Error = p.L.T(key)
		h.render(w, r, http.StatusBadRequest, "console_account", p)
		return nil
	}
	if ok, err := h.Auth.Hasher.Verify(c.PasswordHash, r.PostForm.Get("current")); err != nil || !ok {
		return fail("error.password_current")
	}
	pw := r.PostForm.Get("new")
	if pw != r.PostForm.Get("again") {
		return fail("error.password_mismatch")
	}
	if err := staff.CheckPassword(pw, c.Email); err != nil {
		return fail(errs.As(err).MessageKey())
	}
	hash, err := h.Auth.Hasher.Hash(pw)
	if err != nil {
		return err
	}
	if err := h.Console.SetPassword(ctx, a.ID, hash, staff.TokenHash(StaffToken(r))); err != nil {
		return err
	}
	if err := h.Console.Audit(ctx, a.Email, "password.change", "staff:"+a.ID, ""); err != nil {
		return err
	}
	http.Redirect(w, r, "/console/account?changed=1", http.StatusSeeOther)
	return nil
}

// ChangePassword serves POST /console/account/password.
func (h *Handlers) ChangePassword() http.Handler { return h.handle(h.changePassword) }

func (h *Handlers) logoutEverywhere(w http.ResponseWriter, r *http.Request) error {
	a := account(r.Context())
	if err := h.Console.DeleteStaffSessions(r.Context(), a.ID); err != nil {
		return err
	}
	if err := h.Console.Audit(r.Context(), a.Email, "logout.everywhere", "staff:"+a.ID, ""); err != nil {
		return err
	}
	h.setStaffCookie(w, r, "")
	http.Redirect(w, r, "/console/login", http.StatusSeeOther)
	return nil
}

// LogoutEverywhere serves POST /console/account/logout-everywhere.
func (h *Handlers) LogoutEverywhere() http.Handler { return h.handle(h.logoutEverywhere) }

type eventsPage struct {
	consolePage
	Events []event.Event
	Form   event.Event
}

func (h *Handlers) events(w http.ResponseWriter, r *http.Request) error {
	list, err := h.Console.Events(r.Context())
	if err != nil {
		return err
	}
	h.render(w, r, http.StatusOK, "console_events", eventsPage{consolePage: h.consoleLayout(r, "console.events"), Events: list})
	return nil
}

func (h *Handlers) overviews(w http.ResponseWriter, r *http.Request) error {
	list, err := h.Console.Events(r.Context())
	if err != nil {
		return err
	}
	h.render(w, r, http.StatusOK, "console_overviews", eventsPage{consolePage: h.consoleLayout(r, "console.overviews"), Events: list})
	return nil
}

// Overviews serves GET /console/overview: every event's live figures, one
// link each (the way in for analysts, who do not manage events).
func (h *Handlers) Overviews() http.Handler { return h.handle(h.overviews) }

// Events serves GET /console/events.
func (h *Handlers) Events() http.Handler { return h.handle(h.events) }

func (h *Handlers) createEvent(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(r); err != nil {
		return err
	}
	f := r.PostForm
	e := event.Event{ID: f.Get("id"), Name: f.Get("name"), Place: f.Get("place"), StartsOn: f.Get("starts_on"), EndsOn: f.Get("ends_on"), Timezone: f.Get("timezone")}
	if v := f.Get("kiosk_idle_seconds"); v != "" {
		fmt.Sscan(v, &e.KioskIdleSeconds)
	}
	created, err := h.Console.CreateEvent(r.Context(), e)
	if errs.Is(err, errs.Invalid) || errs.Is(err, errs.Conflict) {
		list, lerr := h.Console.Events(r.Context())
		if lerr != nil {
			return lerr
		}
		p := eventsPage{consolePage: h.consoleLayout(r, "console.events"), Events: list, Form: e}
		p.Error = p.L.T(errs.As(err).MessageKey())
		h.render(w, r, errs.Status(errs.CodeOf(err)), "console_events", p)
		return nil
	}
	if err != nil {
		return err
	}
	a := account(r.Context())
	if err := h.Console.Audit(r.Context(), a.Email, "event.create", "event:"+created.ID, created.Name); err != nil {
		return err
	}
	http.Redirect(w, r, "/console/events/"+created.ID, http.StatusSeeOther)
	return nil
}

// CreateEvent serves POST /console/events.
func (h *Handlers) CreateEvent() http.Handler { return h.handle(h.createEvent) }

type stationVM struct {
	event.Station
	KindName, SetupURL string
	QR                 template.HTML
}

type eventPage struct {
	consolePage
	Event     event.Event
	Stations  []stationVM
	Quizzes   []quizCard
	Souvenirs souvenirsForm
	// Videos are the library's videos to choose the attract loop from.
	Videos     []choiceVM
	MaxAttract int
}

func (h *Handlers) eventDetail(w http.ResponseWriter, r *http.Request, status int, errKey string) error {
	ctx := r.Context()
	e, err := h.Console.Event(ctx, r.PathValue("event"))
	if err != nil {
		return err
	}
	list, err := h.Console.Stations(ctx, e.ID)
	if err != nil {
		return err
	}
	p := eventPage{consolePage: h.consoleLayout(r, "console.events"), Event: e, MaxAttract: event.MaxAttractVideos}
	p.Title = e.Name
	for _, q := range h.Play.Bank().Quizzes() {
		c := h.card(q, p.L)
		c.URL = q.ID
		p.Quizzes = append(p.Quizzes, c)
	}
	if errKey != "" {
		p.Error = p.L.T(errKey)
	}
	sv, err := h.Console.Souvenirs(ctx, e.ID)
	if err != nil {
		return err
	}
	p.Souvenirs = newSouvenirsForm(sv)
	if p.Videos, err = h.attractChoices(ctx, e, p.L); err != nil {
		return err
	}
	for _, s := range list {
		vm := stationVM{Station: s, KindName: p.L.T("station.kind." + string(s.Kind))}
		if !s.Revoked() {
			vm.SetupURL = h.Devices.Signer.SetupLink(h.BaseURL, s.ID)
			if vm.QR, err = qrSVG(vm.SetupURL); err != nil {
				return err
			}
		}
		p.Stations = append(p.Stations, vm)
	}
	// Setup links are secrets: keep them out of caches.
	w.Header().Set("Cache-Control", "no-store")
	h.render(w, r, status, "console_event", p)
	return nil
}

func (h *Handlers) event(w http.ResponseWriter, r *http.Request) error {
	return h.eventDetail(w, r, http.StatusOK, "")
}

// Event serves GET /console/events/{event}: its stations and their setup
// QR codes, ready to print.
func (h *Handlers) Event() http.Handler { return h.handle(h.event) }

func (h *Handlers) addStation(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(r); err != nil {
		return err
	}
	ctx := r.Context()
	kind, err := event.ParseKind(r.PostForm.Get("kind"))
	if err == nil {
		var st event.Station
		st, err = h.Console.CreateStation(ctx, r.PathValue("event"), kind, r.PostForm.Get("name"))
		if err == nil {
			a := account(ctx)
			if err := h.Console.Audit(ctx, a.Email, "station.add", "station:"+st.ID, st.EventID+" "+string(st.Kind)+" "+st.Name); err != nil {
				return err
			}
			http.Redirect(w, r, "/console/events/"+st.EventID, http.StatusSeeOther)
			return nil
		}
	}
	if errs.Is(err, errs.Invalid) {
		return h.eventDetail(w, r, http.StatusBadRequest, errs.As(err).MessageKey())
	}
	return err
}

// AddStation serves POST /console/events/{event}/stations.
func (h *Handlers) AddStation() http.Handler { return h.handle(h.addStation) }

func (h *Handlers) revokeStation(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	st, err := h.Console.RevokeStation(ctx, r.PathValue("station"))
	if err != nil {
		return err
	}
	a := account(ctx)
	if err := h.Console.Audit(ctx, a.Email, "station.revoke", "station:"+st.ID, st.EventID); err != nil {
		return err
	}
	http.Redirect(w, r, "/console/events/"+st.EventID, http.StatusSeeOther)
	return nil
}

func (h *Handlers) eventSettings(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(r); err != nil {
		return err
	}
	ctx := r.Context()
	e, err := h.Console.Event(ctx, r.PathValue("event"))
	if err != nil {
		return err
	}
	f := r.PostForm
	e.Name, e.Place, e.StartsOn, e.EndsOn, e.Timezone = f.Get("name"), f.Get("place"), f.Get("starts_on"), f.Get("ends_on"), f.Get("timezone")
	if _, err := fmt.Sscan(f.Get("kiosk_idle_seconds"), &e.KioskIdleSeconds); err != nil {
		e.KioskIdleSeconds = -1 // refused by Validate with its own message
	}
	e.KioskQuiz = f.Get("kiosk_quiz")
	if h.Play.Bank().Quiz(e.KioskQuiz) == nil {
		return h.eventDetail(w, r, http.StatusBadRequest, "error.quiz_not_found")
	}
	if e.AttractVideos, err = h.attractSelection(ctx, f["attract_videos"]); err != nil {
		return err
	}
	if _, err := h.Console.UpdateEventSettings(ctx, e); err != nil {
		if errs.Is(err, errs.Invalid) {
			return h.eventDetail(w, r, http.StatusBadRequest, errs.As(err).MessageKey())
		}
		return err
	}
	if err := h.Console.Audit(ctx, account(ctx).Email, "event.settings", "event:"+e.ID,
		fmt.Sprintf("kiosk idle %ds, kiosk quiz %s, attract videos %s", e.KioskIdleSeconds, e.KioskQuiz, strings.Join(e.AttractVideos, ","))); err != nil {
		return err
	}
	http.Redirect(w, r, "/console/events/"+e.ID, http.StatusSeeOther)
	return nil
}

// EventSettings serves POST /console/events/{event}/settings.
func (h *Handlers) EventSettings() http.Handler { return h.handle(h.eventSettings) }

// RevokeStation serves POST /console/stations/{station}/revoke.
func (h *Handlers) RevokeStation() http.Handler { return h.handle(h.revokeStation) }

type auditPage struct {
	consolePage
	Filter  store.AuditFilter
	Since   string
	Entries []store.AuditEntry
}

func auditFilter(r *http.Request) (store.AuditFilter, string) {
	q := r.URL.Query()
	f := store.AuditFilter{Actor: q.Get("actor"), Action: q.Get("action"), Object: q.Get("object"), Limit: 500}
	since := q.Get("since")
	if t, err := time.Parse("2006-01-02", since); err == nil {
		f.Since = t
	}
	return f, since
}

func (h *Handlers) audit(w http.ResponseWriter, r *http.Request) error {
	f, since := auditFilter(r)
	entries, err := h.Console.AuditEntries(r.Context(), f)
	if err != nil {
		return err
	}
	h.render(w, r, http.StatusOK, "console_audit", auditPage{consolePage: h.consoleLayout(r, "console.audit"), Filter: f, Since: since, Entries: entries})
	return nil
}

// Audit serves GET /console/audit.
func (h *Handlers) Audit() http.Handler { return h.handle(h.audit) }

func (h *Handlers) auditCSV(w http.ResponseWriter, r *http.Request) error {
	f, _ := auditFilter(r)
	f.Limit = 0
	entries, err := h.Console.AuditEntries(r.Context(), f)
	if err != nil {
		return err
	}
	a := account(r.Context())
	if err := h.Console.Audit(r.Context(), a.Email, "audit.export", "audit_log", fmt.Sprintf("%d entries", len(entries))); err != nil {
		return err
	}
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="notalone-audit.csv"`)
	w.Header().Set("Cache-Control", "no-store")
	cw := csv.NewWriter(w)
	cw.Write([]string{"seq", "at", "actor", "action", "object", "detail", "hash"})
	for _, e := range entries {
		cw.Write([]string{fmt.Sprint(e.Seq), e.At.Format(time.RFC3339Nano), csvSafe(e.Actor), csvSafe(e.Action), csvSafe(e.Object), csvSafe(e.Detail), e.Hash})
	}
	cw.Flush()
	return cw.Error()
}

// csvSafe stops a spreadsheet from reading a cell as a formula.
func csvSafe(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}

// AuditCSV serves GET /console/audit.csv.
func (h *Handlers) AuditCSV() http.Handler { return h.handle(h.auditCSV) }
