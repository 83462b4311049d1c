package web

import (
	"context"
	"net/http"
	"net/url"
	"time"

	"github.com/notalone/notalone/internal/pledge"
	"github.com/notalone/notalone/internal/store"
)

// ModerationStore is the moderation queue: objects visitors made (pledge
// names first) flagged for an editor, who approves or hides them.
type ModerationStore interface {
	ModerationQueue(ctx context.Context, state string, limit int) ([]store.ModerationItem, error)
	Decide(ctx context.Context, kind, objectID, state, actor string) error
	RecentPledges(ctx context.Context, eventID string, limit int, withHidden bool) ([]pledge.Pledge, error)
}

// How many pending and decided items the page lists.
const (
	moderationPendingShown = 200
	moderationDecidedShown = 50
	moderationPledgesShown = 50
)

type moderationRow struct {
	store.ModerationItem
	// URL is the item's address under /console/moderation; its decisions
	// are URL + "/approve" and URL + "/hide".
	URL       string
	StateName string
}

type moderationPage struct {
	consolePage
	Pending, Decided []moderationRow
	Pledges          []pledgeRow
}

// pledgeRow is a recent pledge an editor may hide.
type pledgeRow struct {
	Name, Label, Event, State, HideURL string
	At                                 time.Time
	Hidden                             bool
}

func (h *Handlers) moderation(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	pending, err := h.Moderation.ModerationQueue(ctx, store.ModerationPending, moderationPendingShown)
	if err != nil {
		return err
	}
	decided, err := h.Moderation.ModerationQueue(ctx, store.ModerationDecided, moderationDecidedShown)
	if err != nil {
		return err
	}
	p := moderationPage{consolePage: h.consoleLayout(r, "console.moderation")}
	row := func(it store.ModerationItem) moderationRow {
		return moderationRow{ModerationItem: it, URL: "/console/moderation/" + url.PathEscape(it.Kind) + "/" + url.PathEscape(it.ObjectID),
			StateName: p.L.T("console.moderation_state_" + it.State)}
	}
	for _, it := range pending {
		p.Pending = append(p.Pending, row(it))
	}
	for _, it := range decided {
		p.Decided = append(p.Decided, row(it))
	}
	recent, err := h.Moderation.RecentPledges(ctx, "", moderationPledgesShown, true)
	if err != nil {
		return err
	}
	for _, pl := range recent {
		pr := pledgeRow{Name: pl.Name, Label: pl.Name, Event: pl.EventID, At: pl.CreatedAt, Hidden: pl.Hidden,
			HideURL: "/console/moderation/pledge/" + pl.ID + "/hide"}
		switch {
		case pl.Hidden:
			pr.State = p.L.T("console.moderation_state_hidden")
		case pl.NameHeld:
			pr.State = p.L.T("console.moderation_state_pending")
		case pl.ShowName && pl.Name != "":
			pr.State = p.L.T("console.pledge_on_wall")
		default:
			pr.State = p.L.T("console.pledge_no_name_shown")
		}
		if pr.Label == "" {
			pr.Label = pl.CreatedAt.Format("2006-01-02 15:04:05")
		}
		p.Pledges = append(p.Pledges, pr)
	}
	// What visitors wrote may be personal: keep it out of caches.
	w.Header().Set("Cache-Control", "no-store")
	h.render(w, r, http.StatusOK, "console_moderation", p)
	return nil
}

// ModerationList serves GET /console/moderation: the items waiting for
// review, oldest first, and the latest decisions with who made them and
// when.
func (h *Handlers) ModerationList() http.Handler { return h.handle(h.moderation) }

func (h *Handlers) decide(state string) http.Handler {
	return h.handle(func(w http.ResponseWriter, r *http.Request) error {
		ctx := r.Context()
		if err := h.Moderation.Decide(ctx, r.PathValue("kind"), r.PathValue("id"), state, account(ctx).Email); err != nil {
			return err
		}
		http.Redirect(w, r, "/console/moderation", http.StatusSeeOther)
		return nil
	})
}

// ModerationApprove serves POST /console/moderation/{kind}/{id}/approve.
func (h *Handlers) ModerationApprove() http.Handler { return h.decide(store.ModerationApproved) }

// ModerationHide serves POST /console/moderation/{kind}/{id}/hide.
func (h *Handlers) ModerationHide() http.Handler { return h.decide(store.ModerationHidden) }
