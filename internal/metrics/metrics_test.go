package metrics

import (
	"strings"
	"testing"
	"time"
)

func TestExposition(t *testing.T) {
	r := New()
	r.ObserveRequest("GET", "GET /help", 200, 3*time.Millisecond)
	r.ObserveRequest("GET", "GET /help", 200, 2*time.Second)
	r.ObserveRequest("POST", "", 404, time.Millisecond)
	r.Count("notalone_things_total", "Things.", "kind", "a")
	r.Gauges(func() []Gauge {
		return []Gauge{{Name: "notalone_g", Help: "A gauge.", Labels: map[string]string{"pool": "write"}, Value: 3}}
	})
	var b strings.Builder
	r.WriteTo(&b)
	out := b.String()
	for _, want := range []string{
		`notalone_http_requests_total{method="GET",route="GET /help",status="200"} 2`,
		`notalone_http_requests_total{method="POST",route="unmatched",status="404"} 1`,
		`notalone_http_request_duration_seconds_bucket{route="GET /help",le="0.0025"} 0`,
		`notalone_http_request_duration_seconds_bucket{route="GET /help",le="0.005"} 1`,
		`notalone_http_request_duration_seconds_bucket{route="GET /help",le="2.5"} 2`,
		`notalone_http_request_duration_seconds_bucket{route="GET /help",le="+Inf"} 2`,
		`notalone_http_request_duration_seconds_count{route="GET /help"} 2`,
		"# TYPE notalone_things_total counter",
		`notalone_things_total{kind="a"} 1`,
		"# TYPE notalone_g gauge",
		`notalone_g{pool="write"} 3`,
	} {
		if !strings.Contains(out, want+"\n") {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
}
