// Package server puts the parts together over HTTP: every URL in routes.go,
// and the middleware every request passes through (security headers, body
// limits, cross-origin protection, logs, metrics, panics).
package server

import (
	"context"
	"log/slog"
	"net/http"
	"net/netip"
	"net/url"
	"strings"

	"github.com/notalone/notalone/internal/api"
	"github.com/notalone/notalone/internal/client"
	"github.com/notalone/notalone/internal/errs"
	"github.com/notalone/notalone/internal/metrics"
	"github.com/notalone/notalone/internal/ratelimit"
	"github.com/notalone/notalone/internal/staff"
	"github.com/notalone/notalone/internal/web"
)

// Deps are what the server is built from.
type Deps struct {
	Web     *web.Handlers
	API     *api.Handlers
	Metrics *metrics.Registry
	Log     *slog.Logger
	Proxies client.Proxies
	// PublicWrites limits state-changing public requests per client;
	// Logins limits sign-in attempts per client (accounts have their own
	// back-off).
	PublicWrites, Logins *ratelimit.Limiter
	// Redemptions limits voucher scans per client: a desk scans one
	// visitor every few seconds; guessing codes needs millions.
	Redemptions *ratelimit.Limiter
	// Reports limits help requests per client and AllReports for the
	// whole instance; StatusChecks limits status checks per client.
	Reports, AllReports, StatusChecks *ratelimit.Limiter
	// Auth resolves staff sessions.
	Auth *staff.Auth
	// Ready reports whether the server can serve (the database answers).
	Ready func(context.Context) error
	// MetricsOnMain serves /metrics on the main listener (when no separate
	// metrics address is configured).
	MetricsOnMain bool
}

// Server is the HTTP face of one instance.
type Server struct {
	Deps
	mux    *http.ServeMux
	routes []Route
}

// Route is one registered URL pattern.
type Route struct {
	Pattern string // "GET /api/v1/device"
	// Staff routes need a signed-in staff member holding one of Roles
	// (any role when Roles is empty). Pending routes also accept a
	// session whose second factor is still to come (signing in).
	Staff   bool
	Roles   []staff.Role
	Pending bool
}

// New registers every route.
func New(d Deps) *Server {
	s := &Server{Deps: d, mux: http.NewServeMux()}
	s.registerRoutes()
	return s
}

// Routes lists every registered pattern.
func (s *Server) Routes() []Route { return s.routes }

// handle registers one route.
func (s *Server) handle(pattern string, h http.Handler) {
	s.routes = append(s.routes, Route{Pattern: pattern})
	s.mux.Handle(pattern, h)
}

// staffRoute registers a console route for staff holding one of roles
// (any staff member when none are given): the roles sit next to the route.
func (s *Server) staffRoute(pattern string, h http.Handler, roles ...staff.Role) {
	rt := Route{Pattern: pattern, Staff: true, Roles: roles}
	s.routes = append(s.routes, rt)
	s.mux.Handle(pattern, s.staffOnly(rt, h))
}

// pendingRoute registers a page of the sign-in itself: it needs a session
// but not yet the second factor.
func (s *Server) pendingRoute(pattern string, h http.Handler) {
	rt := Route{Pattern: pattern, Staff: true, Pending: true}
	s.routes = append(s.routes, rt)
	s.mux.Handle(pattern, s.staffOnly(rt, h))
}

// staffOnly lets a request through only with a live staff session that
// has its second factor (unless the route is part of signing in) and one
// of the route's roles. Pages send the visitor to sign in; the API answers
// 401.
func (s *Server) staffOnly(rt Route, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if bearer, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer "); ok && isAPI(r) {
			acct, err := s.Auth.AuthenticateToken(r.Context(), strings.TrimSpace(bearer))
			switch {
			case err != nil:
				s.fail(w, r, errs.E(errs.Unauthorized, ""))
			case len(rt.Roles) > 0 && !acct.HasAny(rt.Roles...):
				s.fail(w, r, errs.E(errs.Forbidden, ""))
			default:
				next.ServeHTTP(w, r.WithContext(web.WithAccount(r.Context(), acct)))
			}
			return
		}
		sess, acct, err := s.Auth.Authenticate(r.Context(), web.StaffToken(r))
		if err != nil {
			if !errs.Is(err, errs.Unauthorized) {
				s.fail(w, r, err)
				return
			}
			if isAPI(r) {
				s.fail(w, r, errs.E(errs.Unauthorized, ""))
				return
			}
			http.Redirect(w, r, "/console/login?next="+url.QueryEscape(r.URL.Path), http.StatusSeeOther)
			return
		}
		if !sess.SecondFactor && !rt.Pending {
			if isAPI(r) {
				s.fail(w, r, errs.E(errs.Unauthorized, "error.second_factor_needed"))
				return
			}
			to := "/console/login/code"
			if !acct.TOTPEnabled {
				to = "/console/totp"
			}
			http.Redirect(w, r, to, http.StatusSeeOther)
			return
		}
		if len(rt.Roles) > 0 && !acct.HasAny(rt.Roles...) {
			s.fail(w, r, errs.E(errs.Forbidden, ""))
			return
		}
		// Console pages show who is signed in; never cache them.
		w.Header().Set("Cache-Control", "no-store")
		next.ServeHTTP(w, r.WithContext(web.WithAccount(r.Context(), acct)))
	})
}

// limited lets a request through while every limiter has a token for it
// (each keyed per client, or once for the whole instance when whole), and
// otherwise answers "too many requests" with the message key.
func (s *Server) limited(key string, h http.Handler, limits ...limit) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		addr := client.From(r.Context()).Addr
		for _, l := range limits {
			k := addr
			if l.whole {
				k = netip.Addr{} // one bucket for the instance
			}
			if ok, _ := l.Allow(k); !ok {
				s.fail(w, r, errs.E(errs.RateLimited, key))
				return
			}
		}
		h.ServeHTTP(w, r)
	})
}

// limit is a limiter and whether it counts the whole instance.
type limit struct {
	*ratelimit.Limiter
	whole bool
}

// loginLimit slows down password guessing from one client.
func (s *Server) loginLimit(h http.Handler) http.Handler {
	return s.limited("error.login_rate", h, limit{Limiter: s.Logins})
}

// redeemLimit rate-limits voucher redemption per client.
func (s *Server) redeemLimit(h http.Handler) http.Handler {
	return s.limited("error.redeem_rate", h, limit{Limiter: s.Redemptions})
}

// reportLimit rate-limits help requests per client and in total.
func (s *Server) reportLimit(h http.Handler) http.Handler {
	return s.limited("error.report_rate", h, limit{Limiter: s.Reports}, limit{Limiter: s.AllReports, whole: true})
}

// statusLimit rate-limits status checks per client: a wrong secret and an
// unknown receipt cost the same, and both count.
func (s *Server) statusLimit(h http.Handler) http.Handler {
	return s.limited("error.report_rate", h, limit{Limiter: s.StatusChecks})
}

// fail renders an error as JSON under /api and as a page elsewhere.
func (s *Server) fail(w http.ResponseWriter, r *http.Request, err error) {
	if isAPI(r) {
		s.API.Error(w, r, err)
		return
	}
	s.Web.Error(w, r, err)
}

func isAPI(r *http.Request) bool { return strings.HasPrefix(r.URL.Path, "/api/") }

// publicWrite rate-limits a state-changing public route per client.
func (s *Server) publicWrite(h http.Handler) http.Handler {
	return s.limited("", h, limit{Limiter: s.PublicWrites})
}

// Handler is the whole site with its middleware.
func (s *Server) Handler() http.Handler {
	var h http.Handler = s.mux
	h = s.crossOrigin(h)
	h = limitBody(h, DefaultBodyLimit)
	h = s.recoverPanics(h)
	h = securityHeaders(h)
	h = s.observe(h)
	h = s.requestContext(h)
	return h
}

// health answers GET /healthz: the process is alive.
func health(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.Write([]byte("ok\n"))
}

// ready answers GET /readyz: the database answers.
func (s *Server) ready(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	if err := s.Ready(r.Context()); err != nil {
		s.Log.Warn("not ready", "err", err)
		w.WriteHeader(http.StatusServiceUnavailable)
		w.Write([]byte("database unavailable\n"))
		return
	}
	w.Write([]byte("ready\n"))
}

// MetricsHandler serves the Prometheus text format.
func (s *Server) MetricsHandler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/plain; version=0.0.4; charset=utf-8")
		w.Header().Set("Cache-Control", "no-store")
		s.Metrics.WriteTo(w)
	})
}
