package server_test

import (
	"net/http/httptest"
	"testing"

	"github.com/notalone/notalone/internal/apptest"
)

func BenchmarkHome(b *testing.B) {
	s := apptest.Settings(b)
	s.LogLevel = "warn"
	in, _ := apptest.Start(b, s)
	h := in.Server.Handler()
	b.ReportAllocs()
	for b.Loop() {
		w := httptest.NewRecorder()
		h.ServeHTTP(w, httptest.NewRequest("GET", "/", nil))
	}
}
