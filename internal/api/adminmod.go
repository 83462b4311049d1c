package api

import (
	"context"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strconv"
	"time"

	"github.com/notalone/notalone/internal/content"
	"github.com/notalone/notalone/internal/errs"
	"github.com/notalone/notalone/internal/pledge"
	"github.com/notalone/notalone/internal/quiz"
	"github.com/notalone/notalone/internal/store"
	"github.com/notalone/notalone/internal/web"
)

// AdminLiveStore is what the moderation and overview part of the admin API
// needs.
type AdminLiveStore interface {
	ModerationQueue(ctx context.Context, state string, limit int) ([]store.ModerationItem, error)
	Decide(ctx context.Context, kind, objectID, state, actor string) error
	EventStats(ctx context.Context, eventID string) (store.EventStats, error)
}

type moderationJSON struct {
	Kind      string     `json:"kind"`
	ObjectID  string     `json:"object_id"`
	Reason    string     `json:"reason"`
	EventID   string     `json:"event_id"`
	FlaggedAt time.Time  `json:"flagged_at"`
	State     string     `json:"state"`
	DecidedBy string     `json:"decided_by,omitempty"`
	DecidedAt *time.Time `json:"decided_at,omitempty"`
}

func (h *Handlers) adminModeration(w http.ResponseWriter, r *http.Request) error {
	state := r.URL.Query().Get("state")
	if state == "" {
		state = "pending"
	}
	list, err := h.Live.ModerationQueue(r.Context(), state, 500)
	if err != nil {
		return err
	}
	out := struct {
		Items []moderationJSON `json:"items"`
	}{Items: []moderationJSON{}}
	for _, m := range list {
		out.Items = append(out.Items, moderationJSON{Kind: m.Kind, ObjectID: m.ObjectID, Reason: m.Reason, EventID: m.EventID,
			FlaggedAt: m.FlaggedAt, State: m.State, DecidedBy: m.DecidedBy, DecidedAt: m.DecidedAt})
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

// AdminModeration serves GET /api/v1/admin/moderation?state=pending|approved|hidden.
func (h *Handlers) AdminModeration() http.Handler { return h.handle(h.adminModeration) }

func (h *Handlers) adminDecide(w http.ResponseWriter, r *http.Request) error {
	var req struct {
		State string `json:"state"`
	}
	if err := decodeJSON(r, &req); err != nil {
		return err
	}
	if req.State != "approved" && req.State != "hidden" {
		return errs.Field("state", "error.moderation_state")
	}
	ctx := r.Context()
	if err := h.Live.Decide(ctx, r.PathValue("kind"), r.PathValue("id"), req.State, web.AccountFrom(ctx).Email); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// AdminDecide serves POST /api/v1/admin/moderation/{kind}/{id}: approve or
// hide, audited.
func (h *Handlers) AdminDecide() http.Handler { return h.handle(h.adminDecide) }

func (h *Handlers) adminEventStats(w http.ResponseWriter, r *http.Request) error {
	s, err := h.Live.EventStats(r.Context(), r.PathValue("event"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, struct {
		EventID          string  `json:"event_id"`
		AttemptsStarted  int64   `json:"attempts_started"`
		AttemptsFinished int64   `json:"attempts_finished"`
		AverageScore     float64 `json:"average_score_percent"`
		Answers          int64   `json:"answers"`
	}{s.EventID, s.AttemptsStarted, s.AttemptsFinished, s.AveragePercent, s.Answers})
	return nil
}

// AdminEventStats serves GET /api/v1/admin/events/{event}/stats.
func (h *Handlers) AdminEventStats() http.Handler { return h.handle(h.adminEventStats) }

// AdminPackStore is what moving content packs through the API needs.
type AdminPackStore interface {
	ImportPack(ctx context.Context, items []quiz.Item, quizzes []quiz.Quiz, options []pledge.Option, author string) (store.ImportReport, error)
	Bank(ctx context.Context) (*quiz.Bank, error)
	PledgeOptions(ctx context.Context) ([]pledge.Option, error)
}

func (h *Handlers) adminPackExport(w http.ResponseWriter, r *http.Request) error {
	// The database, not this instance's bank: the source every instance
	// reloads from.
	ctx := r.Context()
	bank, err := h.Packs.Bank(ctx)
	if err != nil {
		return err
	}
	options, err := h.Packs.PledgeOptions(ctx)
	if err != nil {
		return err
	}
	data, items, quizzes, err := content.ExportBank(bank, h.Hotlines, options)
	if err != nil {
		return err
	}
	if err := h.Admin.Audit(ctx, web.AccountFrom(ctx).Email, "content.export", "content-pack", fmt.Sprintf("%d items, %d quizzes (api)", items, quizzes)); err != nil {
		return err
	}
	w.Header().Set("Content-Type", "application/zip")
	w.Header().Set("Content-Disposition", `attachment; filename="notalone-content-`+time.Now().UTC().Format("2006-01-02")+`.zip"`)
	w.Header().Set("Content-Length", strconv.Itoa(len(data)))
	w.Write(data)
	return nil
}

// AdminPackExport serves GET /api/v1/admin/content/pack.
func (h *Handlers) AdminPackExport() http.Handler { return h.handle(h.adminPackExport) }

func (h *Handlers) adminPackImport(w http.ResponseWriter, r *http.Request) error {
	if mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); mt != "application/zip" {
		return errs.E(errs.Invalid, "error.pack_content_type")
	}
	data, err := io.ReadAll(r.Body)
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return &errs.Error{Code: errs.TooLarge, Err: err}
		}
		return &errs.Error{Code: errs.Invalid, Key: "error.pack_content_type", Err: err}
	}
	pack, err := content.LoadZip(data, content.MaxPackBytes)
	if err != nil {
		if ps, ok := content.AsProblems(err); ok {
			return &errs.Error{Code: errs.Invalid, Key: "error.content_invalid", Err: ps}
		}
		return err
	}
	ctx := r.Context()
	rep, err := h.Packs.ImportPack(ctx, pack.Items, pack.Quizzes, pack.PledgeOptions, web.AccountFrom(ctx).Email)
	if err != nil {
		return err
	}
	if err := h.ContentPublished(ctx); err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, struct {
		ItemsAdded       int `json:"items_added"`
		ItemsChanged     int `json:"items_changed"`
		ItemsUnchanged   int `json:"items_unchanged"`
		QuizzesAdded     int `json:"quizzes_added"`
		QuizzesChanged   int `json:"quizzes_changed"`
		QuizzesUnchanged int `json:"quizzes_unchanged"`
	}{rep.ItemsAdded, rep.ItemsChanged, rep.ItemsUnchanged, rep.QuizzesAdded, rep.QuizzesChanged, rep.QuizzesUnchanged})
	return nil
}

// AdminPackImport serves POST /api/v1/admin/content/pack: a .zip pack as
// the body; any problem refuses all of it.
func (h *Handlers) AdminPackImport() http.Handler { return h.handle(h.adminPackImport) }
