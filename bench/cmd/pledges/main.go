// Command pledges measures durable pledges per second: -c clients each post
// pledges through the real HTTP stack (JSON API, name checks, the commit —
// synchronous=FULL on SQLite — before each response) for -d.
//
//	go run ./bench/cmd/pledges                   # SQLite in a temp dir
//	go run ./bench/cmd/pledges -db postgres://…   # PostgreSQL (a throwaway database!)
//
// Each request comes from its own client address (X-Forwarded-For through
// a trusted proxy), as a busy event's many phones would, so the per-client
// limit on public writes does not throttle the run.
package main

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/notalone/notalone/bench/internal/benchapp"
)

func main() {
	dsn := flag.String("db", "", "database (default: SQLite in a temp dir); a postgres:// URL must name a throwaway database")
	clients := flag.Int("c", 64, "concurrent clients")
	duration := flag.Duration("d", 10*time.Second, "how long to post")
	flag.Parse()
	if err := run(*dsn, *clients, *duration); err != nil {
		fmt.Fprintln(os.Stderr, "pledges:", err)
		os.Exit(1)
	}
}

var names = []string{"Phúc", "Bích", "Đức", "Nguyễn Thị Bích Ngọc", "Minh", "Lan", ""}

func run(dsn string, clients int, duration time.Duration) error {
	in, stop, err := benchapp.Start("pledges", dsn, "127.0.0.1")
	if err != nil {
		return err
	}
	defer stop()
	ctx := context.Background()
	hc := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: clients, MaxConnsPerHost: clients}}

	var seq atomic.Int64
	lats := make([][]time.Duration, clients)
	var firstErr atomic.Pointer[error]
	var wg sync.WaitGroup
	start := time.Now()
	end := start.Add(duration)
	for c := range clients {
		wg.Go(func() {
			for time.Now().Before(end) {
				n := seq.Add(1)
				body := fmt.Sprintf(`{"name":%q,"show_name":true,"options":["tell-adult","keep-otp-secret"],"lang":"vi","age_band":"kids","province":"ha-noi"}`, names[n%int64(len(names))])
				req, _ := http.NewRequest("POST", in.URL+"/api/v1/pledges", bytes.NewBufferString(body))
				req.Header.Set("Content-Type", "application/json")
				req.Header.Set("Idempotency-Key", fmt.Sprintf("bench-%d", n))
				req.Header.Set("X-Forwarded-For", fmt.Sprintf("10.%d.%d.%d", n/65536%256, n/256%256, n%256))
				t0 := time.Now()
				res, err := hc.Do(req)
				if err != nil {
					firstErr.CompareAndSwap(nil, &err)
					return
				}
				io.Copy(io.Discard, res.Body)
				res.Body.Close()
				if res.StatusCode != http.StatusCreated {
					err := fmt.Errorf("POST /api/v1/pledges = %d", res.StatusCode)
					firstErr.CompareAndSwap(nil, &err)
					return
				}
				lats[c] = append(lats[c], time.Since(t0))
			}
		})
	}
	wg.Wait()
	elapsed := time.Since(start)
	if e := firstErr.Load(); e != nil {
		return *e
	}
	all := slices.Concat(lats...)
	slices.Sort(all)
	st, err := in.DB.PledgeStats(ctx, "")
	if err != nil {
		return err
	}
	if st.Total != len(all) {
		return fmt.Errorf("%d pledges acknowledged but %d stored", len(all), st.Total)
	}
	pct := func(p float64) time.Duration {
		return all[min(len(all)-1, int(p*float64(len(all))))].Round(10 * time.Microsecond)
	}
	engine := "sqlite (synchronous=FULL per group commit)"
	if dsn != "" {
		engine = "postgres"
	}
	fmt.Printf("engine=%s clients=%d pledges=%d (all stored) throughput=%.0f/s p50=%s p99=%s max=%s\n",
		engine, clients, len(all), float64(len(all))/elapsed.Seconds(), pct(0.5), pct(0.99), all[len(all)-1].Round(10*time.Microsecond))
	return nil
}
