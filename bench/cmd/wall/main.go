// Command wall measures the pledge wall under load: -clients walls follow
// /wall/stream while pledges arrive at -rate per second for -d, and every
// wall must receive every pledge. It prints the delivery delay (from just
// before the pledge is posted to its arrival at a wall) over all walls.
//
//	go run ./bench/cmd/wall                    # 500 walls, 20 pledges/s, 30 s
package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/notalone/notalone/bench/internal/benchapp"
)

func main() {
	clients := flag.Int("clients", 500, "walls following the stream")
	rate := flag.Int("rate", 20, "pledges per second")
	duration := flag.Duration("d", 30*time.Second, "how long pledges arrive")
	flag.Parse()
	if err := run(*clients, *rate, *duration); err != nil {
		fmt.Fprintln(os.Stderr, "wall:", err)
		os.Exit(1)
	}
}

type entry struct {
	Name string `json:"name"`
}

func run(clients, rate int, duration time.Duration) error {
	in, stop, err := benchapp.Start("wall", "", "127.0.0.1")
	if err != nil {
		return err
	}
	defer stop()
	ctx := context.Background()

	total := rate * int(duration/time.Second)
	sent := make([]time.Time, total)
	var sentMu sync.RWMutex
	got := make([][]time.Duration, clients)
	streamCtx, stop := context.WithCancel(ctx)
	defer stop()
	var ready, done sync.WaitGroup
	hc := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: clients}}
	for c := range clients {
		ready.Add(1)
		done.Add(1)
		go func() {
			defer done.Done()
			req, _ := http.NewRequestWithContext(streamCtx, "GET", in.URL+"/wall/stream", nil)
			res, err := hc.Do(req)
			if err != nil {
				ready.Done()
				fmt.Fprintln(os.Stderr, "wall", c, err)
				return
			}
			defer res.Body.Close()
			sc := bufio.NewScanner(res.Body)
			sc.Buffer(make([]byte, 64<<10), 1<<20)
			first := true
			var name string
			for sc.Scan() {
				line := sc.Text()
				switch {
				case strings.HasPrefix(line, "event: "):
					name = strings.TrimPrefix(line, "event: ")
				case strings.HasPrefix(line, "data: ") && name == "stats" && first:
					first = false
					ready.Done()
				case strings.HasPrefix(line, "data: ") && name == "pledges":
					now := time.Now()
					var batch []entry
					json.Unmarshal([]byte(strings.TrimPrefix(line, "data: ")), &batch)
					for _, e := range batch {
						n, err := strconv.Atoi(strings.TrimPrefix(e.Name, "W"))
						if err != nil || n >= total {
							continue
						}
						sentMu.RLock()
						got[c] = append(got[c], now.Sub(sent[n]))
						sentMu.RUnlock()
					}
					if len(got[c]) == total {
						return
					}
				}
			}
		}()
	}
	ready.Wait()
	fmt.Printf("%d walls connected\n", clients)

	tick := time.NewTicker(time.Second / time.Duration(rate))
	defer tick.Stop()
	post := &http.Client{}
	start := time.Now()
	for n := range total {
		<-tick.C
		body := fmt.Sprintf(`{"name":"W%d","show_name":true,"options":["tell-adult"],"lang":"vi"}`, n)
		req, _ := http.NewRequest("POST", in.URL+"/api/v1/pledges", bytes.NewBufferString(body))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("X-Forwarded-For", fmt.Sprintf("10.1.%d.%d", n/256%256, n%256))
		sentMu.Lock()
		sent[n] = time.Now()
		sentMu.Unlock()
		res, err := post.Do(req)
		if err != nil {
			return err
		}
		io.Copy(io.Discard, res.Body)
		res.Body.Close()
		if res.StatusCode != http.StatusCreated {
			return fmt.Errorf("pledge %d = %d", n, res.StatusCode)
		}
	}
	posting := time.Since(start)
	// Wait for the last batches, then stop every stream.
	wait := make(chan struct{})
	go func() { done.Wait(); close(wait) }()
	select {
	case <-wait:
	case <-time.After(10 * time.Second):
		stop()
		<-wait
	}
	var all []time.Duration
	complete := 0
	for _, g := range got {
		all = append(all, g...)
		if len(g) == total {
			complete++
		}
	}
	slices.Sort(all)
	if len(all) == 0 {
		return fmt.Errorf("no deliveries")
	}
	pct := func(p float64) time.Duration {
		return all[min(len(all)-1, int(p*float64(len(all))))].Round(time.Millisecond)
	}
	fmt.Printf("walls=%d pledges=%d at %d/s (posted in %s) deliveries=%d/%d walls-with-every-pledge=%d p50=%s p99=%s max=%s\n",
		clients, total, rate, posting.Round(time.Millisecond), len(all), clients*total, complete, pct(0.5), pct(0.99), all[len(all)-1].Round(time.Millisecond))
	return nil
}
