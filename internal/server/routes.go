package server

import "net/http"

// registerRoutes is every URL of the site, in one place.
func (s *Server) registerRoutes() {
	// Pages.
	s.handle("GET /{$}", s.Web.Home())
	s.handle("GET /help", s.Web.Help())
	s.handle("GET /station", s.Web.Station())
	s.handle("GET /station/setup", s.Web.SetupForm())
	s.handle("POST /station/setup", s.publicWrite(s.Web.Setup()))
	s.handle("POST /station/leave", s.Web.Leave())
	s.handle("GET /practise", s.Web.Practise())
	s.handle("GET /practise/{quiz}", s.Web.QuizDetail())
	s.handle("POST /practise/{quiz}/start", s.publicWrite(s.Web.Start()))
	s.handle("GET /play/{attempt}/{n}", s.Web.PlayItem())
	s.handle("POST /play/{attempt}/{n}", s.Web.Answer())
	s.handle("POST /play/{attempt}/finish", s.Web.Finish())
	s.handle("GET /play/{attempt}/results", s.Web.Results())
	s.handle("GET /kiosk", s.Web.Kiosk())
	s.handle("GET /kiosk/home", s.Web.KioskHome())
	s.handle("POST /kiosk/reset", s.Web.KioskReset())
	s.handle("GET /static/{file}", s.Web.Assets)
	s.handle("/", http.HandlerFunc(s.Web.NotFound))

	// JSON API.
	s.handle("GET /api/openapi.json", s.API.OpenAPI())
	s.handle("GET /api/v1/device", s.API.Device())
	s.handle("GET /api/v1/quizzes", s.API.Quizzes())
	s.handle("GET /api/v1/quizzes/{id}", s.API.Quiz())
	s.handle("POST /api/v1/attempts", s.publicWrite(s.API.StartAttempt()))
	s.handle("POST /api/v1/attempts/{id}/answers", s.API.Answer())
	s.handle("POST /api/v1/attempts/{id}/finish", s.API.Finish())
	s.handle("POST /api/v1/csp-reports", s.publicWrite(s.API.CSPReport()))
	s.handle("/api/", http.HandlerFunc(s.API.NotFound))

	// Operations.
	s.handle("GET /healthz", http.HandlerFunc(health))
	s.handle("GET /readyz", http.HandlerFunc(s.ready))
	if s.MetricsOnMain {
		s.handle("GET /metrics", s.MetricsHandler())
	}
}
