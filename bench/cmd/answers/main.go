// Command answers measures quiz answer submissions: -c clients each answer
// fresh attempts as fast as they can through the real HTTP stack (server on
// loopback, JSON API, the database commit before each response), then the
// same clients hit a bare net/http handler that decodes and encodes a
// similar JSON body, in the same run, for the ratio.
//
//	go run ./bench/cmd/answers                      # SQLite in a temp dir
//	go run ./bench/cmd/answers -db postgres://…      # PostgreSQL (a throwaway database!)
//
// Attempts are created before the clock starts (they are not answers);
// every item of an attempt is answered, each scenario step as its own
// answer, exactly as a player's device would.
package main

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"os"
	"runtime/pprof"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/notalone/notalone/bench/internal/benchapp"
)

type item struct {
	ID      string `json:"id"`
	Type    string `json:"type"`
	Options []struct {
		ID string `json:"id"`
	} `json:"options"`
	Reasons []struct {
		ID string `json:"id"`
	} `json:"reasons"`
	Message *struct {
		Segments []struct {
			ID string `json:"id"`
		} `json:"segments"`
	} `json:"message"`
	Scenario *struct {
		Start step `json:"start"`
	} `json:"scenario"`
}

type step struct {
	ID      string `json:"id"`
	Choices []struct {
		ID string `json:"id"`
	} `json:"choices"`
}

type attempt struct {
	ID    string `json:"id"`
	Items []item `json:"items"`
}

func main() {
	dsn := flag.String("db", "", "database (default: SQLite in a temp dir); a postgres:// URL must name a throwaway database")
	clients := flag.Int("c", 64, "concurrent clients")
	perClient := flag.Int("attempts", 60, "attempts each client answers")
	quizID := flag.String("quiz", "kiosk", "quiz to play")
	cpuProfile := flag.String("cpuprofile", "", "write a CPU profile of the answer phase to this file")
	flag.Parse()
	profile = *cpuProfile
	if err := run(*dsn, *clients, *perClient, *quizID); err != nil {
		fmt.Fprintln(os.Stderr, "answers:", err)
		os.Exit(1)
	}
}

func run(dsn string, clients, perClient int, quizID string) error {
	in, stop, err := benchapp.Start("answers", dsn, "127.0.0.1")
	if err != nil {
		return err
	}
	defer stop()
	hc := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: clients, MaxConnsPerHost: clients}}

	// Each client plays as its own device address, so the per-client limit
	// on starting attempts applies per client as in real life.
	var attempts [][]attempt = make([][]attempt, clients)
	for c := range clients {
		for range perClient {
			var a attempt
			if err := post(hc, in.URL+"/api/v1/attempts", c, fmt.Sprintf(`{"quiz_id":%q,"lang":"vi"}`, quizID), http.StatusCreated, &a); err != nil {
				return fmt.Errorf("start attempt: %w", err)
			}
			attempts[c] = append(attempts[c], a)
		}
	}
	engine := "sqlite"
	if dsn != "" {
		engine = "postgres"
	}
	stopProfile := startProfile()
	app := measure(clients, func(c int, lat *[]time.Duration) error {
		for _, a := range attempts[c] {
			for _, it := range a.Items {
				if err := answer(hc, in.URL, c, a.ID, it, lat); err != nil {
					return err
				}
			}
		}
		return nil
	})
	stopProfile()
	if app.err != nil {
		return app.err
	}

	bare := bareServer()
	defer bare.Close()
	per := app.n / clients
	base := measure(clients, func(c int, lat *[]time.Duration) error {
		for range per {
			t0 := time.Now()
			if err := post(hc, bare.URL, c, `{"item_id":"q-1","step":"","response":{"choice":"a"}}`, 200, nil); err != nil {
				return err
			}
			*lat = append(*lat, time.Since(t0))
		}
		return nil
	})
	if base.err != nil {
		return base.err
	}
	fmt.Printf("engine=%s clients=%d answers=%d throughput=%.0f/s p50=%s p99=%s max=%s\n",
		engine, clients, app.n, app.rate, app.p50, app.p99, app.max)
	fmt.Printf("bare net/http: requests=%d throughput=%.0f/s p50=%s p99=%s\n", base.n, base.rate, base.p50, base.p99)
	fmt.Printf("ratio app/bare=%.2f\n", app.rate/base.rate)
	return nil
}

var profile string

// startProfile profiles the CPU when -cpuprofile is given.
func startProfile() (stop func()) {
	if profile == "" {
		return func() {}
	}
	f, err := os.Create(profile)
	if err != nil {
		return func() {}
	}
	pprof.StartCPUProfile(f)
	return func() { pprof.StopCPUProfile(); f.Close() }
}

type result struct {
	n             int
	rate          float64
	p50, p99, max time.Duration
	err           error
}

func measure(clients int, work func(c int, lat *[]time.Duration) error) result {
	lats := make([][]time.Duration, clients)
	var wg sync.WaitGroup
	var firstErr atomic.Pointer[error]
	start := time.Now()
	for c := range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := work(c, &lats[c]); err != nil {
				firstErr.CompareAndSwap(nil, &err)
			}
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)
	if e := firstErr.Load(); e != nil {
		return result{err: *e}
	}
	all := slices.Concat(lats...)
	slices.Sort(all)
	if len(all) == 0 {
		return result{err: fmt.Errorf("no requests")}
	}
	pct := func(p float64) time.Duration {
		return all[min(len(all)-1, int(p*float64(len(all))))].Round(10 * time.Microsecond)
	}
	return result{n: len(all), rate: float64(len(all)) / elapsed.Seconds(), p50: pct(0.50), p99: pct(0.99), max: all[len(all)-1].Round(10 * time.Microsecond)}
}

// answer answers one item (every step of a scenario), timing each request.
func answer(hc *http.Client, base string, c int, attemptID string, it item, lat *[]time.Duration) error {
	var resp, stepID string
	switch it.Type {
	case "single":
		resp = fmt.Sprintf(`{"choice":%q}`, it.Options[rand.IntN(len(it.Options))].ID)
	case "multi":
		resp = fmt.Sprintf(`{"choices":[%q]}`, it.Options[0].ID)
	case "scam-or-safe":
		resp = fmt.Sprintf(`{"verdict":"scam","reason":%q}`, it.Reasons[0].ID)
	case "spot-flags":
		resp = fmt.Sprintf(`{"segments":[%q]}`, it.Message.Segments[rand.IntN(len(it.Message.Segments))].ID)
	case "scenario":
		st := it.Scenario.Start
		for st.ID != "" {
			body := fmt.Sprintf(`{"item_id":%q,"step":%q,"response":{"choice":%q}}`, it.ID, st.ID, st.Choices[rand.IntN(len(st.Choices))].ID)
			var out struct {
				Next *step `json:"next_step"`
			}
			t0 := time.Now()
			if err := post(hc, base+"/api/v1/attempts/"+attemptID+"/answers", c, body, 200, &out); err != nil {
				return err
			}
			*lat = append(*lat, time.Since(t0))
			st = step{}
			if out.Next != nil {
				st = *out.Next
			}
		}
		return nil
	}
	body := fmt.Sprintf(`{"item_id":%q,"step":%q,"response":%s}`, it.ID, stepID, resp)
	t0 := time.Now()
	if err := post(hc, base+"/api/v1/attempts/"+attemptID+"/answers", c, body, 200, nil); err != nil {
		return err
	}
	*lat = append(*lat, time.Since(t0))
	return nil
}

func post(hc *http.Client, url string, c int, body string, want int, out any) error {
	req, _ := http.NewRequest("POST", url, bytes.NewBufferString(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-Forwarded-For", fmt.Sprintf("10.%d.%d.%d", c/65536%256, c/256%256, c%256))
	res, err := hc.Do(req)
	if err != nil {
		return err
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	if res.StatusCode != want {
		return fmt.Errorf("POST %s = %d %s", url, res.StatusCode, b)
	}
	if out != nil {
		return json.Unmarshal(b, out)
	}
	return nil
}

type bare struct {
	URL string
	srv *http.Server
}

func (b *bare) Close() { b.srv.Close() }

// bareServer decodes a JSON answer and writes a JSON reply: the floor any
// JSON endpoint pays on this machine.
func bareServer() *bare {
	ln, _ := net.Listen("tcp", "127.0.0.1:0")
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var v map[string]any
		json.NewDecoder(r.Body).Decode(&v)
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(map[string]any{"correct": true, "score": 1, "max_score": 1, "feedback": []string{"ok"}})
	})}
	go srv.Serve(ln)
	return &bare{URL: "http://" + ln.Addr().String(), srv: srv}
}
