// Command load is a small closed-loop HTTP load generator for the
// benchmarks in bench/: -c workers each send one request at a time over a
// kept-alive connection for -d, then it prints what it saw.
//
//	go run ./bench/cmd/load -url http://127.0.0.1:8080/ -c 64 -d 5s
//	go run ./bench/cmd/load -url http://127.0.0.1:8080/api/v1/answers \
//	    -method POST -body '{"choice":2}' -header 'Content-Type: application/json' -json
//
// A body starting with @ is read from that file (-body @answer.json). The
// text output is one line of key=value pairs; -json prints one JSON object
// (see Result). Requests still in flight when -d ends are cancelled and not
// counted. The exit status is 1 when no request succeeded, so a script
// notices a server that was not there.
//
// Only ever point it at a server on this machine (loopback).
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/textproto"
	"net/url"
	"os"
	"slices"
	"strings"
	"sync"
	"time"
)

// headerFlags collects repeated -header "Name: value" flags.
type headerFlags []string

func (h *headerFlags) String() string { return strings.Join(*h, ", ") }

func (h *headerFlags) Set(v string) error {
	name, value, ok := strings.Cut(v, ":")
	if !ok || strings.TrimSpace(name) == "" {
		return fmt.Errorf("want \"Name: value\", got %q", v)
	}
	*h = append(*h, strings.TrimSpace(name)+": "+strings.TrimSpace(value))
	return nil
}

// Config is one load run.
type Config struct {
	URL         string
	Method      string
	Body        []byte
	Header      http.Header
	Concurrency int
	Duration    time.Duration
	Warmup      time.Duration // sent first, not counted
	Timeout     time.Duration // per request
}

// Result is what a run measured. Latencies are in milliseconds.
type Result struct {
	URL         string        `json:"url"`
	Method      string        `json:"method"`
	Concurrency int           `json:"concurrency"`
	Seconds     float64       `json:"seconds"`
	Requests    int64         `json:"requests"` // completed, any status
	Errors      int64         `json:"errors"`   // transport errors and timeouts
	Non2xx      int64         `json:"non_2xx"`
	Statuses    map[int]int64 `json:"statuses"`
	Bytes       int64         `json:"bytes"` // response bodies
	RPS         float64       `json:"rps"`   // completed requests per second
	// ClientCPU is the CPU this generator used while measuring, in CPU
	// seconds per second (1 = one core busy): near GOMAXPROCS means the
	// generator, not the server, may have been the bottleneck.
	ClientCPU  float64        `json:"client_cpu"`
	Latency    LatencySummary `json:"latency_ms"`
	FirstError string         `json:"first_error,omitempty"`
}

// LatencySummary are percentiles of completed requests, in milliseconds.
type LatencySummary struct {
	Mean float64 `json:"mean"`
	P50  float64 `json:"p50"`
	P90  float64 `json:"p90"`
	P99  float64 `json:"p99"`
	Max  float64 `json:"max"`
}

// worker is one connection's view; merged at the end, so the hot loop
// shares nothing.
type worker struct {
	latencies []time.Duration
	errors    int64
	statuses  map[int]int64
	bytes     int64
	firstErr  error
}

func main() {
	var (
		cfg     Config
		body    string
		headers headerFlags
		asJSON  bool
	)
	flag.StringVar(&cfg.URL, "url", "", "URL to load (required); use a loopback address")
	flag.StringVar(&cfg.Method, "method", http.MethodGet, "HTTP method")
	flag.StringVar(&body, "body", "", "request body; @file reads it from a file")
	flag.Var(&headers, "header", "request header \"Name: value\" (repeatable)")
	flag.IntVar(&cfg.Concurrency, "c", 64, "concurrent connections, each sending one request at a time")
	flag.DurationVar(&cfg.Duration, "d", 5*time.Second, "how long to measure")
	flag.DurationVar(&cfg.Warmup, "warmup", 0, "load sent before measuring, not counted")
	flag.DurationVar(&cfg.Timeout, "timeout", 10*time.Second, "per-request timeout (counted as an error)")
	flag.BoolVar(&asJSON, "json", false, "print one JSON object instead of a line")
	flag.Usage = func() {
		fmt.Fprintf(flag.CommandLine.Output(), "usage: load -url URL [flags]\n\n")
		flag.PrintDefaults()
	}
	flag.Parse()

	if err := cfg.setup(body, headers); err != nil {
		fmt.Fprintln(os.Stderr, "load:", err)
		os.Exit(2)
	}
	res := Run(context.Background(), cfg)
	if asJSON {
		enc := json.NewEncoder(os.Stdout)
		enc.Encode(res)
	} else {
		fmt.Println(res.Line())
	}
	if res.Requests-res.Non2xx == 0 {
		if res.FirstError != "" {
			fmt.Fprintln(os.Stderr, "load: no successful request; first error:", res.FirstError)
		} else {
			fmt.Fprintln(os.Stderr, "load: no successful request")
		}
		os.Exit(1)
	}
}

// setup checks the flags and fills Body and Header.
func (cfg *Config) setup(body string, headers []string) error {
	if cfg.URL == "" {
		return errors.New("-url is required")
	}
	u, err := url.Parse(cfg.URL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fmt.Errorf("-url %q: want an http:// or https:// URL", cfg.URL)
	}
	if cfg.Concurrency < 1 {
		return errors.New("-c must be at least 1")
	}
	if cfg.Duration <= 0 {
		return errors.New("-d must be positive")
	}
	cfg.Method = strings.ToUpper(cfg.Method)
	if name, ok := strings.CutPrefix(body, "@"); ok {
		if cfg.Body, err = os.ReadFile(name); err != nil {
			return fmt.Errorf("-body: %w", err)
		}
	} else if body != "" {
		cfg.Body = []byte(body)
	}
	cfg.Header = http.Header{}
	for _, h := range headers {
		name, value, _ := strings.Cut(h, ": ")
		cfg.Header.Add(textproto.CanonicalMIMEHeaderKey(name), value)
	}
	return nil
}

// Run sends load as cfg says and returns what it measured.
func Run(ctx context.Context, cfg Config) Result {
	tr := &http.Transport{
		Proxy:               nil, // never through a proxy: the target is local
		DialContext:         (&net.Dialer{Timeout: 5 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
		MaxIdleConns:        cfg.Concurrency,
		MaxIdleConnsPerHost: cfg.Concurrency,
		MaxConnsPerHost:     cfg.Concurrency,
		IdleConnTimeout:     90 * time.Second,
		DisableCompression:  true, // measure the server's bytes as sent
		ForceAttemptHTTP2:   false,
	}
	defer tr.CloseIdleConnections()
	client := &http.Client{
		Transport: tr,
		Timeout:   cfg.Timeout,
		// Measure the response asked for, not where it points.
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}

	if cfg.Warmup > 0 {
		wctx, cancel := context.WithTimeout(ctx, cfg.Warmup)
		runWorkers(wctx, client, cfg)
		cancel()
	}

	mctx, cancel := context.WithTimeout(ctx, cfg.Duration)
	defer cancel()
	start, cpu0 := time.Now(), cpuTime()
	workers := runWorkers(mctx, client, cfg)
	elapsed, cpu := time.Since(start), cpuTime()-cpu0
	res := summarize(cfg, workers, elapsed)
	if elapsed > 0 {
		res.ClientCPU = cpu.Seconds() / elapsed.Seconds()
	}
	return res
}

// runWorkers runs cfg.Concurrency closed loops until ctx ends.
func runWorkers(ctx context.Context, client *http.Client, cfg Config) []*worker {
	workers := make([]*worker, cfg.Concurrency)
	var wg sync.WaitGroup
	for i := range workers {
		w := &worker{statuses: map[int]int64{}, latencies: make([]time.Duration, 0, 4096)}
		workers[i] = w
		wg.Go(func() { w.loop(ctx, client, cfg) })
	}
	wg.Wait()
	return workers
}

func (w *worker) loop(ctx context.Context, client *http.Client, cfg Config) {
	for ctx.Err() == nil {
		req, err := newRequest(ctx, cfg)
		if err != nil {
			w.fail(err)
			return
		}
		t0 := time.Now()
		resp, err := client.Do(req)
		if err == nil {
			var n int64
			n, err = io.Copy(io.Discard, resp.Body) // drain, so the connection is reused
			resp.Body.Close()
			w.bytes += n
			if err == nil {
				w.latencies = append(w.latencies, time.Since(t0))
				w.statuses[resp.StatusCode]++
				continue
			}
		}
		if ctx.Err() != nil {
			return // cut off by the end of the run: not the server's fault
		}
		w.fail(err)
		// A refused or reset connection fails at once: pause, rather than
		// spin and starve the server of the CPU it shares with us.
		select {
		case <-ctx.Done():
		case <-time.After(errorPause):
		}
	}
}

// errorPause is how long a worker waits after a transport error.
const errorPause = 10 * time.Millisecond

func (w *worker) fail(err error) {
	w.errors++
	if w.firstErr == nil {
		w.firstErr = err
	}
}

func newRequest(ctx context.Context, cfg Config) (*http.Request, error) {
	var body io.Reader
	if cfg.Body != nil {
		body = bytes.NewReader(cfg.Body) // also sets ContentLength and GetBody
	}
	req, err := http.NewRequestWithContext(ctx, cfg.Method, cfg.URL, body)
	if err != nil {
		return nil, err
	}
	for k, v := range cfg.Header {
		req.Header[k] = v
	}
	if host := cfg.Header.Get("Host"); host != "" {
		req.Host = host
	}
	return req, nil
}

func summarize(cfg Config, workers []*worker, elapsed time.Duration) Result {
	res := Result{
		URL: cfg.URL, Method: cfg.Method, Concurrency: cfg.Concurrency,
		Seconds: elapsed.Seconds(), Statuses: map[int]int64{},
	}
	var all []time.Duration
	for _, w := range workers {
		all = append(all, w.latencies...)
		res.Errors += w.errors
		res.Bytes += w.bytes
		for code, n := range w.statuses {
			res.Statuses[code] += n
			if code < 200 || code > 299 {
				res.Non2xx += n
			}
		}
		if w.firstErr != nil && res.FirstError == "" {
			res.FirstError = w.firstErr.Error()
		}
	}
	res.Requests = int64(len(all))
	if elapsed > 0 {
		res.RPS = float64(res.Requests) / elapsed.Seconds()
	}
	if len(all) == 0 {
		return res
	}
	slices.Sort(all)
	var sum time.Duration
	for _, d := range all {
		sum += d
	}
	res.Latency = LatencySummary{
		Mean: ms(sum / time.Duration(len(all))),
		P50:  ms(percentile(all, 50)),
		P90:  ms(percentile(all, 90)),
		P99:  ms(percentile(all, 99)),
		Max:  ms(all[len(all)-1]),
	}
	return res
}

// percentile is the nearest-rank percentile of sorted durations.
func percentile(sorted []time.Duration, p float64) time.Duration {
	i := int(float64(len(sorted))*p/100+0.5) - 1
	return sorted[min(max(i, 0), len(sorted)-1)]
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

// Line is the one-line text form: stable key=value pairs a script can read
// with grep or awk.
func (r Result) Line() string {
	codes := make([]int, 0, len(r.Statuses))
	for c := range r.Statuses {
		codes = append(codes, c)
	}
	slices.Sort(codes)
	var st []string
	for _, c := range codes {
		st = append(st, fmt.Sprintf("%d:%d", c, r.Statuses[c]))
	}
	return fmt.Sprintf("requests=%d errors=%d non2xx=%d rps=%.1f p50=%.3fms p90=%.3fms p99=%.3fms max=%.3fms mean=%.3fms statuses=%s seconds=%.2f client_cpu=%.2f c=%d %s %s",
		r.Requests, r.Errors, r.Non2xx, r.RPS, r.Latency.P50, r.Latency.P90, r.Latency.P99, r.Latency.Max, r.Latency.Mean,
		strings.Join(st, ","), r.Seconds, r.ClientCPU, r.Concurrency, r.Method, r.URL)
}
