package server

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"runtime/debug"
	"time"

	"github.com/notalone/notalone/internal/client"
	"github.com/notalone/notalone/internal/errs"
	"github.com/notalone/notalone/internal/i18n"
)

// DefaultBodyLimit caps every request body unless a route asks for more.
const DefaultBodyLimit = 1 << 20

// ContentSecurityPolicy allows only our own scripts, styles and images: no
// inline code, no other hosts (kiosks are offline, and children's pages
// must not load third parties).
const ContentSecurityPolicy = "default-src 'self'; base-uri 'none'; object-src 'none'; " +
	"frame-ancestors 'none'; form-action 'self'; report-uri /api/v1/csp-reports"

// PermissionsPolicy denies powerful features; the one page that needs the
// camera (the souvenir desk) overrides it.
const PermissionsPolicy = "camera=(), microphone=(), geolocation=(), payment=(), usb=(), interest-cohort=()"

func securityHeaders(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Security-Policy", ContentSecurityPolicy)
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "no-referrer")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Permissions-Policy", PermissionsPolicy)
		h.Set("Cross-Origin-Opener-Policy", "same-origin")
		h.Set("Cross-Origin-Resource-Policy", "same-origin")
		next.ServeHTTP(w, r)
	})
}

// requestContext works out the client (through trusted proxies only) and
// the language, and remembers a language chosen with ?lang=.
func (s *Server) requestContext(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		info := s.Proxies.Of(r)
		lang, chosen := i18n.FromRequest(r)
		if chosen {
			http.SetCookie(w, &http.Cookie{Name: i18n.CookieName, Value: string(lang), Path: "/",
				MaxAge: 365 * 24 * 3600, HttpOnly: true, SameSite: http.SameSiteLaxMode, Secure: info.Secure})
		}
		w.Header().Add("Vary", "Cookie, Accept-Language")
		ctx := i18n.WithLang(client.With(r.Context(), info), lang)
		next.ServeHTTP(w, r.WithContext(ctx))
	})
}

// statusRecorder remembers the status and size of a response.
type statusRecorder struct {
	http.ResponseWriter
	status int
	bytes  int
}

func (s *statusRecorder) WriteHeader(code int) {
	if s.status == 0 {
		s.status = code
	}
	s.ResponseWriter.WriteHeader(code)
}

func (s *statusRecorder) Write(b []byte) (int, error) {
	if s.status == 0 {
		s.status = http.StatusOK
	}
	n, err := s.ResponseWriter.Write(b)
	s.bytes += n
	return n, err
}

// Unwrap lets http.ResponseController reach Flush and deadlines (SSE).
func (s *statusRecorder) Unwrap() http.ResponseWriter { return s.ResponseWriter }

// ReadFrom keeps sendfile for file responses (a video's ranges): io.Copy
// looks for io.ReaderFrom on the writer it is given, and without this the
// server's own would be hidden behind the recorder, every byte copied
// through a buffer.
func (s *statusRecorder) ReadFrom(src io.Reader) (int64, error) {
	if s.status == 0 {
		s.status = http.StatusOK
	}
	n, err := io.Copy(s.ResponseWriter, src)
	s.bytes += int(n)
	return n, err
}

// Hijack is for WebSocket upgrades.
func (s *statusRecorder) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	hj, ok := s.ResponseWriter.(http.Hijacker)
	if !ok {
		return nil, nil, errors.New("hijack not supported")
	}
	return hj.Hijack()
}

// observe logs and counts every request by its route pattern. It never
// logs the query string, body, cookies or the client address.
func (s *Server) observe(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		rec := &statusRecorder{ResponseWriter: w}
		next.ServeHTTP(rec, r)
		if rec.status == 0 {
			rec.status = http.StatusOK
		}
		d := time.Since(start)
		route := r.Pattern // set by the ServeMux on this same request
		s.Metrics.ObserveRequest(r.Method, route, rec.status, d)
		s.Log.LogAttrs(r.Context(), slog.LevelInfo, "request", slog.String("method", r.Method), slog.String("route", route),
			slog.Int("status", rec.status), slog.Int("bytes", rec.bytes), slog.Float64("duration_ms", float64(d.Microseconds())/1000))
	})
}

// recoverPanics turns a panic into a logged error and a friendly page.
func (s *Server) recoverPanics(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			v := recover()
			if v == nil {
				return
			}
			if v == http.ErrAbortHandler {
				panic(v)
			}
			s.Log.Error("panic", "route", r.Pattern, "panic", fmt.Sprint(v), "stack", string(debug.Stack()))
			s.fail(w, r, errs.E(errs.Internal, ""))
		}()
		next.ServeHTTP(w, r)
	})
}

// limitBody caps request bodies at n; a route that needs more says so
// where it is registered (allowBody). Handlers turn the resulting
// *http.MaxBytesError into 413.
func limitBody(next http.Handler, n int64) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		r.Body = &cappedBody{ReadCloser: capBody(w, r, r.Body, n), raw: r.Body}
		next.ServeHTTP(w, r)
	})
}

// capBody limits body to n bytes, and refuses before reading anything
// when the client says up front that it will send more.
func capBody(w http.ResponseWriter, r *http.Request, body io.ReadCloser, n int64) io.ReadCloser {
	if r.ContentLength > n {
		n = 0
	}
	return http.MaxBytesReader(w, body, n)
}

// cappedBody is a body under the default cap that keeps the raw body, so
// one route can replace the cap with its own.
type cappedBody struct {
	io.ReadCloser
	raw io.ReadCloser
}

// uploadTime is how long a route with a raised body cap may take to
// receive its body: a 10 MB upload on a busy event Wi-Fi can take longer
// than the server's read timeout.
const uploadTime = 5 * time.Minute

// allowBody gives one route a body cap of n instead of DefaultBodyLimit,
// and more time to receive it. Register it inside staffRoute, so only an
// authorised request ever gets the larger cap.
func allowBody(n int64, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if cb, ok := r.Body.(*cappedBody); ok {
			r.Body = capBody(w, r, cb.raw, n)
			rc := http.NewResponseController(w)
			// Not every ResponseWriter has deadlines (tests); then the
			// server's own timeouts stand.
			rc.SetReadDeadline(time.Now().Add(uploadTime))
			rc.SetWriteDeadline(time.Now().Add(uploadTime + time.Minute))
		}
		next.ServeHTTP(w, r)
	})
}

// crossOrigin refuses state-changing requests a browser sent from another
// site (Go's CrossOriginProtection reads Sec-Fetch-Site and Origin).
func (s *Server) crossOrigin(next http.Handler) http.Handler {
	cop := http.NewCrossOriginProtection()
	cop.SetDenyHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.fail(w, r, errs.E(errs.Forbidden, "error.cross_origin"))
	}))
	return cop.Handler(next)
}
