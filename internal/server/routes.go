package server

import (
	"net/http"

	"github.com/notalone/notalone/internal/staff"
)

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

	// Staff console. Roles are declared here, next to each route.
	s.handle("GET /console/login", s.Web.LoginForm())
	s.handle("POST /console/login", s.loginLimit(s.Web.Login()))
	s.pendingRoute("GET /console/login/code", s.Web.CodeForm())
	s.pendingRoute("POST /console/login/code", s.loginLimit(s.Web.Code()))
	s.pendingRoute("GET /console/totp", s.Web.TOTPForm())
	s.pendingRoute("POST /console/totp", s.loginLimit(s.Web.TOTP()))
	s.handle("POST /console/logout", s.Web.Logout())
	s.staffRoute("GET /console", s.Web.ConsoleHome())
	s.staffRoute("GET /console/account", s.Web.AccountPage())
	s.staffRoute("POST /console/account/password", s.Web.ChangePassword())
	s.staffRoute("POST /console/account/logout-everywhere", s.Web.LogoutEverywhere())
	s.staffRoute("GET /console/events", s.Web.Events(), staff.Admin, staff.Editor)
	s.staffRoute("POST /console/events", s.Web.CreateEvent(), staff.Admin, staff.Editor)
	s.staffRoute("GET /console/events/{event}", s.Web.Event(), staff.Admin, staff.Editor)
	s.staffRoute("POST /console/events/{event}/stations", s.Web.AddStation(), staff.Admin, staff.Editor)
	s.staffRoute("POST /console/events/{event}/settings", s.Web.EventSettings(), staff.Admin, staff.Editor)
	s.staffRoute("POST /console/stations/{station}/revoke", s.Web.RevokeStation(), staff.Admin, staff.Editor)
	s.staffRoute("GET /console/content", s.Web.ContentList(), staff.Editor)
	s.staffRoute("GET /console/content/items/{item}", s.Web.ItemEdit(), staff.Editor)
	s.staffRoute("POST /console/content/items/{item}", s.Web.ItemSave(), staff.Editor)
	s.staffRoute("GET /console/content/items/{item}/versions/{version}/preview", s.Web.ItemPreview(), staff.Editor)
	s.staffRoute("POST /console/content/items/{item}/versions/{version}/publish", s.Web.ItemPublish(), staff.Editor)
	s.staffRoute("POST /console/content/items/{item}/versions/{version}/restore", s.Web.ItemRestore(), staff.Editor)
	s.staffRoute("GET /console/users", s.Web.UserList(), staff.Admin)
	s.staffRoute("POST /console/users", s.Web.AddUser(), staff.Admin)
	s.staffRoute("POST /console/users/{user}/{action}", s.Web.UserAction(), staff.Admin)
	s.staffRoute("POST /console/users/{user}/tokens", s.Web.IssueToken(), staff.Admin)
	s.staffRoute("POST /console/users/{user}/tokens/{token}/revoke", s.Web.RevokeToken(), staff.Admin)
	s.staffRoute("GET /console/content/quizzes/{quiz}", s.Web.QuizEdit(), staff.Editor)
	s.staffRoute("POST /console/content/quizzes/{quiz}", s.Web.QuizSave(), staff.Editor)
	s.staffRoute("GET /console/content/quizzes/{quiz}/versions/{version}/preview", s.Web.QuizPreview(), staff.Editor)
	s.staffRoute("POST /console/content/quizzes/{quiz}/versions/{version}/publish", s.Web.QuizPublish(), staff.Editor)
	s.staffRoute("POST /console/content/quizzes/{quiz}/versions/{version}/restore", s.Web.QuizRestore(), staff.Editor)
	s.staffRoute("GET /console/audit", s.Web.Audit(), staff.Admin)
	s.staffRoute("GET /console/audit.csv", s.Web.AuditCSV(), staff.Admin)
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
	// Admin API: the console's operations for scripts (session cookie, or
	// "Authorization: Bearer <token>"), with the same roles.
	s.staffRoute("GET /api/v1/admin/events", s.API.AdminEvents(), staff.Admin, staff.Editor, staff.Analyst)
	s.staffRoute("POST /api/v1/admin/events", s.API.AdminCreateEvent(), staff.Admin, staff.Editor)
	s.staffRoute("GET /api/v1/admin/events/{event}/stations", s.API.AdminStations(), staff.Admin, staff.Editor)
	s.staffRoute("POST /api/v1/admin/events/{event}/stations", s.API.AdminCreateStation(), staff.Admin, staff.Editor)
	s.staffRoute("POST /api/v1/admin/stations/{station}/revoke", s.API.AdminRevokeStation(), staff.Admin, staff.Editor)
	s.staffRoute("GET /api/v1/admin/audit", s.API.AdminAudit(), staff.Admin)
	s.staffRoute("GET /api/v1/admin/staff", s.API.AdminStaff(), staff.Admin)
	s.staffRoute("POST /api/v1/admin/staff", s.API.AdminCreateStaff(), staff.Admin)
	s.staffRoute("POST /api/v1/admin/staff/{user}/disable", s.API.AdminDisableStaff(), staff.Admin)
	s.staffRoute("GET /api/v1/admin/items", s.API.AdminItems(), staff.Editor)
	s.staffRoute("GET /api/v1/admin/items/{item}", s.API.AdminItem(), staff.Editor)
	s.staffRoute("POST /api/v1/admin/items/{item}/drafts", s.API.AdminItemDraft(), staff.Editor)
	s.staffRoute("POST /api/v1/admin/items/{item}/versions/{version}/publish", s.API.AdminItemPublish(), staff.Editor)
	s.staffRoute("POST /api/v1/admin/quizzes/{quiz}/drafts", s.API.AdminQuizDraft(), staff.Editor)
	s.staffRoute("POST /api/v1/admin/quizzes/{quiz}/versions/{version}/publish", s.API.AdminQuizPublish(), staff.Editor)
	s.handle("/api/", http.HandlerFunc(s.API.NotFound))

	// Operations.
	s.handle("GET /healthz", http.HandlerFunc(health))
	s.handle("GET /readyz", http.HandlerFunc(s.ready))
	if s.MetricsOnMain {
		s.handle("GET /metrics", s.MetricsHandler())
	}
}
