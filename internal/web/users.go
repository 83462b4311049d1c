package web

import (
	"context"
	"net/http"
	"slices"
	"strings"

	"github.com/notalone/notalone/internal/errs"
	"github.com/notalone/notalone/internal/event"
	"github.com/notalone/notalone/internal/staff"
	"github.com/notalone/notalone/internal/store"
)

// UserStore is what account administration needs.
type UserStore interface {
	StaffList(ctx context.Context) ([]staff.Account, error)
	CreateStaff(ctx context.Context, email, name, passwordHash string, roles []staff.Role) (staff.Account, error)
	SetStaffRoles(ctx context.Context, id string, roles []staff.Role, actor string) error
	SetStaffDisabled(ctx context.Context, id string, disabled bool, actor string) error
	SetPermission(ctx context.Context, id string, p staff.Permission, grant bool, actor string) error
	DisableTOTP(ctx context.Context, id, actor string) error
	CreateAPIToken(ctx context.Context, staffID, tokenHash, name, createdBy string) error
	APITokens(ctx context.Context, staffID string) ([]store.APIToken, error)
	RevokeAPIToken(ctx context.Context, staffID, id, actor string) error
	SetStaffEvents(ctx context.Context, id string, eventIDs []string, actor string) error
}

type userVM struct {
	staff.Account
	Tokens      []store.APIToken
	EventSet    map[string]bool
	Desk        bool
	Self        bool
	RoleChecked map[staff.Role]bool
	Override    bool
}

type usersPage struct {
	consolePage
	Users      []userVM
	Roles      []staff.Role
	Form       struct{ Email, Name string }
	FormRoles  map[staff.Role]bool
	Permission staff.Permission
	NewToken   string // shown once, right after it was issued
	Events     []event.Event
}

func (h *Handlers) usersPage(r *http.Request) (usersPage, error) {
	p := usersPage{consolePage: h.consoleLayout(r, "console.users"), Roles: staff.Roles, Permission: staff.ReferralOverride, FormRoles: map[staff.Role]bool{}}
	list, err := h.Users.StaffList(r.Context())
	if err != nil {
		return p, err
	}
	if p.Events, err = h.Console.Events(r.Context()); err != nil {
		return p, err
	}
	me := account(r.Context())
	for _, a := range list {
		vm := userVM{Account: a, Self: a.ID == me.ID, RoleChecked: map[staff.Role]bool{}, EventSet: map[string]bool{}, Override: slices.Contains(a.Permissions, staff.ReferralOverride)}
		for _, e := range a.Events {
			vm.EventSet[e] = true
		}
		vm.Desk = a.Has(staff.Desk)
		for _, role := range a.Roles {
			vm.RoleChecked[role] = true
		}
		if vm.Tokens, err = h.Users.APITokens(r.Context(), a.ID); err != nil {
			return p, err
		}
		p.Users = append(p.Users, vm)
	}
	return p, nil
}

func (h *Handlers) users(w http.ResponseWriter, r *http.Request) error {
	p, err := h.usersPage(r)
	if err != nil {
		return err
	}
	h.render(w, r, http.StatusOK, "console_users", p)
	return nil
}

// UserList serves GET /console/users.
func (h *Handlers) UserList() http.Handler { return h.handle(h.users) }

func formRoles(r *http.Request) ([]staff.Role, error) {
	var roles []staff.Role
	for _, v := range r.PostForm["role"] {
		role, err := staff.ParseRole(v)
		if err != nil {
			return nil, err
		}
		roles = append(roles, role)
	}
	return roles, nil
}

func (h *Handlers) addUser(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(r); err != nil {
		return err
	}
	ctx := r.Context()
	f := r.PostForm
	na, err := staff.PrepareAccount(f.Get("email"), f.Get("name"), f["role"], f.Get("password"))
	var a staff.Account
	if err == nil {
		var hash string
		if hash, err = h.Auth.Hasher.Hash(na.Password); err != nil {
			return err
		}
		a, err = h.Users.CreateStaff(ctx, na.Email, na.Name, hash, na.Roles)
	}
	if errs.Is(err, errs.Invalid) || errs.Is(err, errs.Conflict) {
		p, perr := h.usersPage(r)
		if perr != nil {
			return perr
		}
		p.Form.Email, p.Form.Name = f.Get("email"), f.Get("name")
		for _, role := range f["role"] {
			p.FormRoles[staff.Role(role)] = true
		}
		p.Error = p.L.T(errs.As(err).MessageKey())
		h.render(w, r, errs.Status(errs.CodeOf(err)), "console_users", p)
		return nil
	}
	if err != nil {
		return err
	}
	if err := h.Console.Audit(ctx, account(ctx).Email, "staff.add", "staff:"+a.ID, strings.Join(f["role"], ",")); err != nil {
		return err
	}
	http.Redirect(w, r, "/console/users", http.StatusSeeOther)
	return nil
}

// AddUser serves POST /console/users.
func (h *Handlers) AddUser() http.Handler { return h.handle(h.addUser) }

// userAction changes one account: roles, disabled, the override
// permission or the second factor. An admin cannot lock themselves out.
func (h *Handlers) userAction(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(r); err != nil {
		return err
	}
	ctx := r.Context()
	id, action := r.PathValue("user"), r.PathValue("action")
	me := account(ctx)
	if id == me.ID && action != "roles" && action != "events" {
		return errs.E(errs.Forbidden, "error.staff_self")
	}
	// Each change is audited by the store in its own transaction.
	var err error
	switch action {
	case "roles":
		var roles []staff.Role
		if roles, err = formRoles(r); err != nil {
			return err
		}
		if id == me.ID && !slices.Contains(roles, staff.Admin) {
			return errs.E(errs.Forbidden, "error.staff_self")
		}
		err = h.Users.SetStaffRoles(ctx, id, roles, me.Email)
	case "disable", "enable":
		err = h.Users.SetStaffDisabled(ctx, id, action == "disable", me.Email)
	case "grant-override", "revoke-override":
		err = h.Users.SetPermission(ctx, id, staff.ReferralOverride, action == "grant-override", me.Email)
	case "events":
		err = h.Users.SetStaffEvents(ctx, id, r.PostForm["event"], me.Email)
	case "reset-second-factor":
		err = h.Users.DisableTOTP(ctx, id, me.Email)
	default:
		return errs.E(errs.NotFound, "error.page_not_found")
	}
	if err != nil {
		return err
	}
	http.Redirect(w, r, "/console/users", http.StatusSeeOther)
	return nil
}

// UserAction serves POST /console/users/{user}/{action}.
func (h *Handlers) UserAction() http.Handler { return h.handle(h.userAction) }

func (h *Handlers) issueToken(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(r); err != nil {
		return err
	}
	ctx := r.Context()
	name := strings.TrimSpace(r.PostForm.Get("name"))
	if name == "" || len(name) > 80 {
		name = "API"
	}
	token, hash := staff.NewAPIToken()
	if err := h.Users.CreateAPIToken(ctx, r.PathValue("user"), hash, name, account(ctx).Email); err != nil {
		return err
	}
	p, err := h.usersPage(r)
	if err != nil {
		return err
	}
	p.NewToken = token
	w.Header().Set("Cache-Control", "no-store")
	h.render(w, r, http.StatusOK, "console_users", p)
	return nil
}

// IssueToken serves POST /console/users/{user}/tokens: the token is shown
// on this page once and never again.
func (h *Handlers) IssueToken() http.Handler { return h.handle(h.issueToken) }

func (h *Handlers) revokeToken(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	if err := h.Users.RevokeAPIToken(ctx, r.PathValue("user"), r.PathValue("token"), account(ctx).Email); err != nil {
		return err
	}
	http.Redirect(w, r, "/console/users", http.StatusSeeOther)
	return nil
}

// RevokeToken serves POST /console/users/{user}/tokens/{token}/revoke.
func (h *Handlers) RevokeToken() http.Handler { return h.handle(h.revokeToken) }
