package api

import (
	"context"
	"net/http"
	"slices"
	"strconv"

	"github.com/notalone/notalone/internal/content"
	"github.com/notalone/notalone/internal/errs"
	"github.com/notalone/notalone/internal/event"
	"github.com/notalone/notalone/internal/quiz"
	"github.com/notalone/notalone/internal/staff"
	"github.com/notalone/notalone/internal/store"
	"github.com/notalone/notalone/internal/web"
)

// AdminContentStore is what the content part of the admin API needs: the
// same drafts, versions and publishing as the console's editor.
type AdminContentStore interface {
	SaveItemDraft(ctx context.Context, it quiz.Item, author, note string) (store.ContentVersion, error)
	ItemVersions(ctx context.Context, id string) ([]store.ContentVersion, error)
	PublishItemVersion(ctx context.Context, id string, version int, author string) error
	SaveQuizDraft(ctx context.Context, q quiz.Quiz, author, note string) (store.ContentVersion, error)
	QuizVersions(ctx context.Context, id string) ([]store.ContentVersion, error)
	PublishQuizVersion(ctx context.Context, id string, version int, author string) error
	CreateStaff(ctx context.Context, email, name, passwordHash string, roles []staff.Role) (staff.Account, error)
	SetStaffDisabled(ctx context.Context, id string, disabled bool, actor string) error
}

type versionJSON struct {
	Version     int     `json:"version"`
	Author      string  `json:"author"`
	Note        string  `json:"note"`
	CreatedAt   string  `json:"created_at"`
	PublishedAt *string `json:"published_at,omitempty"`
}

func versionsJSON(vs []store.ContentVersion) []versionJSON {
	out := []versionJSON{}
	for _, v := range vs {
		j := versionJSON{Version: v.Version, Author: v.Author, Note: v.Note, CreatedAt: v.CreatedAt.Format("2006-01-02T15:04:05Z07:00")}
		if v.PublishedAt != nil {
			s := v.PublishedAt.Format("2006-01-02T15:04:05Z07:00")
			j.PublishedAt = &s
		}
		out = append(out, j)
	}
	return out
}

func (h *Handlers) adminItems(w http.ResponseWriter, r *http.Request) error {
	out := struct {
		Items []*quiz.Item `json:"items"`
	}{Items: h.Play.Bank().AllItems()}
	writeJSON(w, http.StatusOK, out)
	return nil
}

// AdminItems serves GET /api/v1/admin/items: every published item, with
// its answers (editors only).
func (h *Handlers) AdminItems() http.Handler { return h.handle(h.adminItems) }

func (h *Handlers) adminItem(w http.ResponseWriter, r *http.Request) error {
	it := h.Play.Bank().Item(r.PathValue("item"))
	if it == nil {
		return errs.E(errs.NotFound, "error.item_not_found")
	}
	vs, err := h.Content.ItemVersions(r.Context(), it.ID)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, struct {
		Published *quiz.Item    `json:"published"`
		Versions  []versionJSON `json:"versions"`
	}{it, versionsJSON(vs)})
	return nil
}

// AdminItem serves GET /api/v1/admin/items/{item}.
func (h *Handlers) AdminItem() http.Handler { return h.handle(h.adminItem) }

// contentProblems turns validation problems into one API error naming the
// first field; the message lists them all.
func contentProblems(ps content.Problems) error {
	return &errs.Error{Code: errs.Invalid, Key: "error.content_invalid", Field: ps[0].Field, Err: ps}
}

func (h *Handlers) adminItemDraft(w http.ResponseWriter, r *http.Request) error {
	var req struct {
		Item quiz.Item `json:"item"`
		Note string    `json:"note"`
	}
	if err := decodeJSON(r, &req); err != nil {
		return err
	}
	req.Item.ID = r.PathValue("item")
	if ps := content.CheckItem(&req.Item); len(ps) > 0 {
		return contentProblems(ps)
	}
	v, err := h.Content.SaveItemDraft(r.Context(), req.Item, web.AccountFrom(r.Context()).Email, req.Note)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, versionsJSON([]store.ContentVersion{v})[0])
	return nil
}

// AdminItemDraft serves POST /api/v1/admin/items/{item}/drafts.
func (h *Handlers) AdminItemDraft() http.Handler { return h.handle(h.adminItemDraft) }

func (h *Handlers) adminPublish(kind string) func(http.ResponseWriter, *http.Request) error {
	return func(w http.ResponseWriter, r *http.Request) error {
		n, err := strconv.Atoi(r.PathValue("version"))
		if err != nil || n < 1 {
			return errs.E(errs.NotFound, "error.version_not_found")
		}
		ctx := r.Context()
		actor := web.AccountFrom(ctx).Email
		if kind == "item" {
			err = h.Content.PublishItemVersion(ctx, r.PathValue("item"), n, actor)
		} else {
			err = h.Content.PublishQuizVersion(ctx, r.PathValue("quiz"), n, actor)
		}
		if err != nil {
			return err
		}
		if err := h.ContentPublished(ctx); err != nil {
			return err
		}
		w.WriteHeader(http.StatusNoContent)
		return nil
	}
}

// AdminItemPublish serves POST /api/v1/admin/items/{item}/versions/{version}/publish.
func (h *Handlers) AdminItemPublish() http.Handler { return h.handle(h.adminPublish("item")) }

// AdminQuizPublish serves POST /api/v1/admin/quizzes/{quiz}/versions/{version}/publish.
func (h *Handlers) AdminQuizPublish() http.Handler { return h.handle(h.adminPublish("quiz")) }

func (h *Handlers) adminQuizDraft(w http.ResponseWriter, r *http.Request) error {
	var req struct {
		Quiz quiz.Quiz `json:"quiz"`
		Note string    `json:"note"`
	}
	if err := decodeJSON(r, &req); err != nil {
		return err
	}
	req.Quiz.ID = r.PathValue("quiz")
	bank := h.Play.Bank()
	if ps := content.CheckQuiz(req.Quiz, func(id string) bool { return bank.Item(id) != nil }); len(ps) > 0 {
		return contentProblems(ps)
	}
	v, err := h.Content.SaveQuizDraft(r.Context(), req.Quiz, web.AccountFrom(r.Context()).Email, req.Note)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, versionsJSON([]store.ContentVersion{v})[0])
	return nil
}

// AdminQuizDraft serves POST /api/v1/admin/quizzes/{quiz}/drafts.
func (h *Handlers) AdminQuizDraft() http.Handler { return h.handle(h.adminQuizDraft) }

func (h *Handlers) adminCreateStaff(w http.ResponseWriter, r *http.Request) error {
	var req struct {
		Email    string   `json:"email"`
		Name     string   `json:"name"`
		Roles    []string `json:"roles"`
		Password string   `json:"password"`
	}
	if err := decodeJSON(r, &req); err != nil {
		return err
	}
	na, err := staff.PrepareAccount(req.Email, req.Name, req.Roles, req.Password)
	if err != nil {
		return err
	}
	hash, err := h.Hasher.Hash(na.Password)
	if err != nil {
		return err
	}
	a, err := h.Content.CreateStaff(r.Context(), na.Email, na.Name, hash, na.Roles)
	if err != nil {
		return err
	}
	if err := h.Admin.Audit(r.Context(), web.AccountFrom(r.Context()).Email, "staff.add", "staff:"+a.ID, "api"); err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, struct {
		ID    string `json:"id"`
		Email string `json:"email"`
	}{a.ID, a.Email})
	return nil
}

// AdminCreateStaff serves POST /api/v1/admin/staff.
func (h *Handlers) AdminCreateStaff() http.Handler { return h.handle(h.adminCreateStaff) }

func (h *Handlers) adminDisableStaff(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	id := r.PathValue("user")
	me := web.AccountFrom(ctx)
	if id == me.ID {
		return errs.E(errs.Forbidden, "error.staff_self")
	}
	if err := h.Content.SetStaffDisabled(ctx, id, true, me.Email); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// AdminDisableStaff serves POST /api/v1/admin/staff/{user}/disable.
func (h *Handlers) AdminDisableStaff() http.Handler { return h.handle(h.adminDisableStaff) }

// AdminAccountStore is what changing accounts through the API needs.
type AdminAccountStore interface {
	SetStaffRoles(ctx context.Context, id string, roles []staff.Role, actor string) error
	SetPermission(ctx context.Context, id string, p staff.Permission, grant bool, actor string) error
	SetStaffEvents(ctx context.Context, id string, eventIDs []string, actor string) error
	UpdateEventSettings(ctx context.Context, e event.Event) (event.Event, error)
}

func (h *Handlers) adminSetRoles(w http.ResponseWriter, r *http.Request) error {
	var req struct {
		Roles []string `json:"roles"`
	}
	if err := decodeJSON(r, &req); err != nil {
		return err
	}
	ctx := r.Context()
	me, id := web.AccountFrom(ctx), r.PathValue("user")
	var roles []staff.Role
	for _, s := range req.Roles {
		role, err := staff.ParseRole(s)
		if err != nil {
			return err
		}
		roles = append(roles, role)
	}
	if id == me.ID && !slices.Contains(roles, staff.Admin) {
		return errs.E(errs.Forbidden, "error.staff_self")
	}
	if err := h.Accounts.SetStaffRoles(ctx, id, roles, me.Email); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// AdminSetRoles serves PUT /api/v1/admin/staff/{user}/roles.
func (h *Handlers) AdminSetRoles() http.Handler { return h.handle(h.adminSetRoles) }

func (h *Handlers) adminSetPermission(w http.ResponseWriter, r *http.Request) error {
	var req struct {
		Permission string `json:"permission"`
		Granted    bool   `json:"granted"`
	}
	if err := decodeJSON(r, &req); err != nil {
		return err
	}
	if !slices.Contains(staff.Permissions, staff.Permission(req.Permission)) {
		return errs.Field("permission", "error.permission_unknown")
	}
	ctx := r.Context()
	if err := h.Accounts.SetPermission(ctx, r.PathValue("user"), staff.Permission(req.Permission), req.Granted, web.AccountFrom(ctx).Email); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// AdminSetPermission serves PUT /api/v1/admin/staff/{user}/permissions.
func (h *Handlers) AdminSetPermission() http.Handler { return h.handle(h.adminSetPermission) }

func (h *Handlers) adminSetStaffEvents(w http.ResponseWriter, r *http.Request) error {
	var req struct {
		Events []string `json:"events"`
	}
	if err := decodeJSON(r, &req); err != nil {
		return err
	}
	ctx := r.Context()
	if err := h.Accounts.SetStaffEvents(ctx, r.PathValue("user"), req.Events, web.AccountFrom(ctx).Email); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// AdminSetStaffEvents serves PUT /api/v1/admin/staff/{user}/events.
func (h *Handlers) AdminSetStaffEvents() http.Handler { return h.handle(h.adminSetStaffEvents) }

func (h *Handlers) adminEventSettings(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	e, err := h.Admin.Event(ctx, r.PathValue("event"))
	if err != nil {
		return err
	}
	// Fields left out keep their values.
	req := struct {
		Name             *string `json:"name"`
		Place            *string `json:"place"`
		StartsOn         *string `json:"starts_on"`
		EndsOn           *string `json:"ends_on"`
		Timezone         *string `json:"timezone"`
		KioskIdleSeconds *int    `json:"kiosk_idle_seconds"`
		KioskQuiz        *string `json:"kiosk_quiz"`
	}{}
	if err := decodeJSON(r, &req); err != nil {
		return err
	}
	for _, f := range []struct {
		from *string
		to   *string
	}{{req.Name, &e.Name}, {req.Place, &e.Place}, {req.StartsOn, &e.StartsOn}, {req.EndsOn, &e.EndsOn}, {req.Timezone, &e.Timezone}, {req.KioskQuiz, &e.KioskQuiz}} {
		if f.from != nil {
			*f.to = *f.from
		}
	}
	if req.KioskIdleSeconds != nil {
		e.KioskIdleSeconds = *req.KioskIdleSeconds
		if e.KioskIdleSeconds == 0 {
			e.KioskIdleSeconds = -1 // 0 would mean "the default": refuse it like any other bad value
		}
	}
	if h.Play.Bank().Quiz(e.KioskQuiz) == nil {
		return errs.Field("kiosk_quiz", "error.quiz_not_found")
	}
	updated, err := h.Accounts.UpdateEventSettings(ctx, e)
	if err != nil {
		return err
	}
	if err := h.Admin.Audit(ctx, web.AccountFrom(ctx).Email, "event.settings", "event:"+e.ID, "api"); err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, toEventJSON(updated))
	return nil
}

// AdminEventSettings serves PATCH /api/v1/admin/events/{event}.
func (h *Handlers) AdminEventSettings() http.Handler { return h.handle(h.adminEventSettings) }
