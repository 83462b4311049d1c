// Package metrics keeps the few figures operations need and writes them in
// the Prometheus text format. It is small on purpose: see
// docs/dependencies.md for why we do not pull in the Prometheus client.
package metrics

import (
	"fmt"
	"io"
	"math"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Buckets are the latency histogram's upper bounds in seconds.
var Buckets = []float64{0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5}

type histogram struct {
	counts []uint64 // per bucket, not cumulative; +Inf last
	sum    float64
	total  uint64
}

// Registry collects HTTP request figures and asks gauges for their values
// at scrape time.
type Registry struct {
	mu       sync.Mutex
	requests map[[3]string]uint64 // method, route, status → count
	latency  map[string]*histogram
	counters map[string]map[string]uint64 // name → label value → count
	help     map[string]string
	gauges   []func() []Gauge
}

// Gauge is one sampled value.
type Gauge struct {
	Name   string
	Help   string
	Labels map[string]string
	Value  float64
}

// New returns an empty registry.
func New() *Registry {
	return &Registry{
		requests: map[[3]string]uint64{},
		latency:  map[string]*histogram{},
		counters: map[string]map[string]uint64{},
		help:     map[string]string{},
	}
}

// ObserveRequest records one HTTP request by route pattern (never by raw
// path, which would carry ids and unbounded cardinality).
func (r *Registry) ObserveRequest(method, route string, status int, d time.Duration) {
	if route == "" {
		route = "unmatched"
	}
	secs := d.Seconds()
	r.mu.Lock()
	defer r.mu.Unlock()
	r.requests[[3]string{method, route, strconv.Itoa(status)}]++
	h := r.latency[route]
	if h == nil {
		h = &histogram{counts: make([]uint64, len(Buckets)+1)}
		r.latency[route] = h
	}
	i := sort.SearchFloat64s(Buckets, secs)
	h.counts[i]++
	h.sum += secs
	h.total++
}

// Count adds one to a labelled counter; label values must come from a
// small fixed set.
func (r *Registry) Count(name, help, label, value string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.counters[name] == nil {
		r.counters[name] = map[string]uint64{}
		r.help[name] = help + "\x00" + label
	}
	r.counters[name][value]++
}

// Gauges registers a function sampled at every scrape.
func (r *Registry) Gauges(f func() []Gauge) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.gauges = append(r.gauges, f)
}

// WriteTo writes every metric in the Prometheus text exposition format.
func (r *Registry) WriteTo(w io.Writer) (int64, error) {
	var b strings.Builder
	r.mu.Lock()
	b.WriteString("# HELP notalone_http_requests_total HTTP requests by method, route pattern and status.\n# TYPE notalone_http_requests_total counter\n")
	keys := make([][3]string, 0, len(r.requests))
	for k := range r.requests {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool { return strings.Join(keys[i][:], "\x00") < strings.Join(keys[j][:], "\x00") })
	for _, k := range keys {
		fmt.Fprintf(&b, "notalone_http_requests_total{method=%s,route=%s,status=%s} %d\n", quote(k[0]), quote(k[1]), quote(k[2]), r.requests[k])
	}
	b.WriteString("# HELP notalone_http_request_duration_seconds HTTP request latency by route pattern.\n# TYPE notalone_http_request_duration_seconds histogram\n")
	routes := make([]string, 0, len(r.latency))
	for k := range r.latency {
		routes = append(routes, k)
	}
	sort.Strings(routes)
	for _, route := range routes {
		h := r.latency[route]
		var cum uint64
		for i, ub := range Buckets {
			cum += h.counts[i]
			fmt.Fprintf(&b, "notalone_http_request_duration_seconds_bucket{route=%s,le=%s} %d\n", quote(route), quote(formatFloat(ub)), cum)
		}
		fmt.Fprintf(&b, "notalone_http_request_duration_seconds_bucket{route=%s,le=\"+Inf\"} %d\n", quote(route), h.total)
		fmt.Fprintf(&b, "notalone_http_request_duration_seconds_sum{route=%s} %s\n", quote(route), formatFloat(h.sum))
		fmt.Fprintf(&b, "notalone_http_request_duration_seconds_count{route=%s} %d\n", quote(route), h.total)
	}
	names := make([]string, 0, len(r.counters))
	for k := range r.counters {
		names = append(names, k)
	}
	sort.Strings(names)
	for _, name := range names {
		help, label, _ := strings.Cut(r.help[name], "\x00")
		fmt.Fprintf(&b, "# HELP %s %s\n# TYPE %s counter\n", name, help, name)
		vals := make([]string, 0, len(r.counters[name]))
		for v := range r.counters[name] {
			vals = append(vals, v)
		}
		sort.Strings(vals)
		for _, v := range vals {
			fmt.Fprintf(&b, "%s{%s=%s} %d\n", name, label, quote(v), r.counters[name][v])
		}
	}
	gaugeFuncs := append([]func() []Gauge(nil), r.gauges...)
	r.mu.Unlock()

	seen := map[string]bool{}
	for _, f := range gaugeFuncs {
		for _, g := range f() {
			if !seen[g.Name] {
				seen[g.Name] = true
				fmt.Fprintf(&b, "# HELP %s %s\n# TYPE %s gauge\n", g.Name, g.Help, g.Name)
			}
			b.WriteString(g.Name)
			if len(g.Labels) > 0 {
				lk := make([]string, 0, len(g.Labels))
				for k := range g.Labels {
					lk = append(lk, k)
				}
				sort.Strings(lk)
				parts := make([]string, len(lk))
				for i, k := range lk {
					parts[i] = k + "=" + quote(g.Labels[k])
				}
				b.WriteString("{" + strings.Join(parts, ",") + "}")
			}
			b.WriteString(" " + formatFloat(g.Value) + "\n")
		}
	}
	n, err := io.WriteString(w, b.String())
	return int64(n), err
}

func quote(s string) string { return strconv.Quote(s) }

func formatFloat(f float64) string {
	if math.IsInf(f, 1) {
		return "+Inf"
	}
	return strconv.FormatFloat(f, 'g', -1, 64)
}
