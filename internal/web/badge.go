package web

import (
	"encoding/json"
	"net/http"

	"github.com/notalone/notalone/internal/errs"
	"github.com/notalone/notalone/internal/souvenir"
)

// Open Badges 2.0 documents, at stable URLs under the public address. A
// souvenir's PNG carries its signed assertion; a verifier fetches the key
// named in it, checks the key's owner is this issuer, and checks the
// issuer's revocation list. Hosted assertions are served too, for
// verifiers that start from a URL.

func writeBadgeJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		http.Error(w, "badge document", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/ld+json")
	w.Header().Set("Cache-Control", "public, max-age=300")
	w.Header().Set("Access-Control-Allow-Origin", "*") // verifiers run in other sites' pages
	w.WriteHeader(status)
	w.Write(b)
}

// Issuer is the issuer's profile.
func (h *Handlers) badgeIssuer(w http.ResponseWriter, r *http.Request) {
	ps := h.Pledges
	l := h.Catalog.For("en")
	writeBadgeJSON(w, http.StatusOK, souvenir.Issuer{
		Context: souvenir.Context, Type: "Issuer", ID: ps.issuerURL(), Name: l.T("souvenir.campaign"), URL: ps.PublicURL, Email: ps.IssuerEmail,
		PublicKey: ps.keyURL(), RevocationList: ps.revocationsURL(),
	})
}

// BadgeIssuer serves GET /badges/issuer.
func (h *Handlers) BadgeIssuer() http.Handler { return http.HandlerFunc(h.badgeIssuer) }

func (h *Handlers) badgeClass(w http.ResponseWriter, r *http.Request) {
	ps := h.Pledges
	vi, en := h.Catalog.For("vi"), h.Catalog.For("en")
	c := souvenir.BadgeClass{
		Context: souvenir.Context, Type: "BadgeClass", ID: ps.badgeClassURL(),
		Name:        en.T("badge.name") + " / " + vi.T("badge.name"),
		Description: en.T("badge.description") + " / " + vi.T("badge.description"),
		Image:       ps.PublicURL + "/badges/pledge.svg", Issuer: ps.issuerURL(),
	}
	c.Criteria.Narrative = en.T("badge.criteria") + " / " + vi.T("badge.criteria")
	writeBadgeJSON(w, http.StatusOK, c)
}

// BadgeClass serves GET /badges/pledge.
func (h *Handlers) BadgeClass() http.Handler { return http.HandlerFunc(h.badgeClass) }

// BadgeImage serves GET /badges/pledge.svg: the campaign symbol, the
// badge's image.
func (h *Handlers) BadgeImage() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, err := staticFS.ReadFile("static/symbol.svg")
		if err != nil {
			http.Error(w, "badge image", http.StatusInternalServerError)
			return
		}
		w.Header().Set("Content-Type", "image/svg+xml")
		w.Header().Set("Cache-Control", "public, max-age=86400")
		w.Header().Set("Access-Control-Allow-Origin", "*")
		w.Write(b)
	})
}

func (h *Handlers) badgeKey(w http.ResponseWriter, r *http.Request) {
	ps := h.Pledges
	if r.PathValue("kid") != ps.KeyID {
		writeBadgeJSON(w, http.StatusNotFound, map[string]string{"error": "unknown key"})
		return
	}
	writeBadgeJSON(w, http.StatusOK, souvenir.CryptographicKey{
		Context: souvenir.Context, Type: "CryptographicKey", ID: ps.keyURL(), Owner: ps.issuerURL(),
		PublicKeyPem: souvenir.PublicKeyPEM(&ps.Signer.Key.PublicKey),
	})
}

// BadgeKey serves GET /badges/keys/{kid}: the public key badges are
// signed with.
func (h *Handlers) BadgeKey() http.Handler { return http.HandlerFunc(h.badgeKey) }

func (h *Handlers) badgeRevocations(w http.ResponseWriter, r *http.Request) {
	ps := h.Pledges
	revoked, err := ps.Store.RevokedPledges(r.Context())
	if err != nil {
		h.Log.Error("revocation list", "err", err)
		writeBadgeJSON(w, http.StatusInternalServerError, map[string]string{"error": "unavailable"})
		return
	}
	list := souvenir.RevocationList{Context: souvenir.Context, Type: "RevocationList", ID: ps.revocationsURL(), Issuer: ps.issuerURL(),
		RevokedAssertions: []souvenir.Revoked{}}
	for _, x := range revoked {
		list.RevokedAssertions = append(list.RevokedAssertions, souvenir.Revoked{ID: ps.assertionURL(x.ID), RevocationReason: "withdrawn by the campaign's moderators"})
	}
	w.Header().Set("Cache-Control", "no-cache")
	writeBadgeJSON(w, http.StatusOK, list)
}

// BadgeRevocations serves GET /badges/revocations: hidden pledges.
func (h *Handlers) BadgeRevocations() http.Handler { return http.HandlerFunc(h.badgeRevocations) }

// hostedAssertion is an assertion served at its URL, with its revocation
// state (a hosted verifier reads "revoked").
type hostedAssertion struct {
	souvenir.Assertion
	Revoked          bool   `json:"revoked,omitempty"`
	RevocationReason string `json:"revocationReason,omitempty"`
}

func (h *Handlers) badgeAssertion(w http.ResponseWriter, r *http.Request) {
	ps := h.Pledges
	p, err := ps.Store.Pledge(r.Context(), r.PathValue("id"))
	if err != nil {
		status := errs.Status(errs.CodeOf(err))
		writeBadgeJSON(w, status, map[string]string{"error": http.StatusText(status)})
		return
	}
	a := hostedAssertion{Assertion: ps.Assertion(p)}
	status := http.StatusOK
	if p.Hidden {
		// The Open Badges rule for a revoked hosted assertion: 410 with
		// "revoked": true.
		a = hostedAssertion{Assertion: souvenir.Assertion{Context: souvenir.Context, Type: "Assertion", ID: ps.assertionURL(p.ID)},
			Revoked: true, RevocationReason: "withdrawn by the campaign's moderators"}
		status = http.StatusGone
	}
	w.Header().Set("Cache-Control", "no-cache")
	writeBadgeJSON(w, status, a)
}

// BadgeAssertion serves GET /badges/assertions/{id}.
func (h *Handlers) BadgeAssertion() http.Handler { return http.HandlerFunc(h.badgeAssertion) }
