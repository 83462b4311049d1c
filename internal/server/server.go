// Package server puts the parts together over HTTP: every URL in routes.go,
// and the middleware every request passes through (security headers, body
// limits, cross-origin protection, logs, metrics, panics).
package server

import (
	"context"
	"log/slog"
	"net/http"
	"strings"

	"github.com/notalone/notalone/internal/api"
	"github.com/notalone/notalone/internal/client"
	"github.com/notalone/notalone/internal/errs"
	"github.com/notalone/notalone/internal/metrics"
	"github.com/notalone/notalone/internal/ratelimit"
	"github.com/notalone/notalone/internal/web"
)

// Deps are what the server is built from.
type Deps struct {
	Web     *web.Handlers
	API     *api.Handlers
	Metrics *metrics.Registry
	Log     *slog.Logger
	Proxies client.Proxies
	// PublicWrites limits state-changing public requests per client.
	PublicWrites *ratelimit.Limiter
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
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if ok, _ := s.PublicWrites.Allow(client.From(r.Context()).Addr); !ok {
			s.fail(w, r, errs.E(errs.RateLimited, ""))
			return
		}
		h.ServeHTTP(w, r)
	})
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
