// Command library measures the media library:
//
//	go run ./bench/cmd/library
//
// First range serving: -rc clients fetch a 2 MB video in 64 KB range
// requests, as a player seeking through it does, from the app's
// /media/{name} route and from a bare net/http handler calling
// http.ServeFile on the same file, in the same process, in -rounds
// alternating rounds of -r; it prints the MB/s of each (best and median)
// and their ratio. Then the library page: -c clients load GET /learn for
// -d; it prints requests/s and the latency percentiles.
//
// The video is a real MP4 structure (ftyp, moov, a 2 MB mdat), stored
// through the media store as an upload would be; the library holds the
// shipped items and -items more that use it.
package main

import (
	"bytes"
	"context"
	"encoding/binary"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/notalone/notalone/bench/internal/benchapp"
	"github.com/notalone/notalone/internal/app"
	"github.com/notalone/notalone/internal/i18n"
	"github.com/notalone/notalone/internal/media"
	"github.com/notalone/notalone/internal/store"
)

const (
	videoSize = 2 << 20
	chunk     = 64 << 10
)

func main() {
	clients := flag.Int("c", 64, "concurrent clients (page load)")
	rangeClients := flag.Int("rc", 8, "concurrent clients (range requests)")
	rounds := flag.Int("rounds", 5, "alternating rounds of range requests per server")
	round := flag.Duration("r", 2*time.Second, "length of one round of range requests")
	duration := flag.Duration("d", 10*time.Second, "how long to load the library page")
	items := flag.Int("items", 24, "library items to add to the shipped ones")
	flag.Parse()
	if err := run(*clients, *rangeClients, *rounds, *round, *duration, *items); err != nil {
		fmt.Fprintln(os.Stderr, "library:", err)
		os.Exit(1)
	}
}

// mp4 is a minimal MP4 file of about size bytes: ftyp, moov, then mdat.
func mp4(size int) []byte {
	box := func(typ string, body []byte) []byte {
		b := binary.BigEndian.AppendUint32(nil, uint32(8+len(body)))
		return append(append(b, typ...), body...)
	}
	b := box("ftyp", []byte("isom\x00\x00\x02\x00isomiso2avc1mp41"))
	b = append(b, box("moov", box("mvhd", make([]byte, 100)))...)
	payload := make([]byte, size-len(b)-8)
	for i := range payload {
		payload[i] = byte(i * 7)
	}
	return append(b, box("mdat", payload)...)
}

func run(clients, rangeClients, rounds int, round, duration time.Duration, extra int) error {
	in, stop, err := benchapp.Start("library", "", "")
	if err != nil {
		return err
	}
	defer stop()
	ctx := context.Background()

	files := in.Server.Web.MediaFiles
	video, err := files.Put(bytes.NewReader(mp4(videoSize)), videoSize, media.MP4)
	if err != nil {
		return err
	}
	if err := addItems(ctx, in, video.Name(), extra); err != nil {
		return err
	}
	all, err := in.DB.MediaItems(ctx, store.MediaFilter{})
	if err != nil {
		return err
	}

	// The plain server: http.ServeFile on the same file, same process.
	path := filepath.Join(files.Dir, video.Hash[:2], video.Name())
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	plain := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { http.ServeFile(w, r, path) })}
	go plain.Serve(ln)
	defer plain.Close()

	appURL := in.URL + "/media/" + video.Name()
	plainURL := "http://" + ln.Addr().String() + "/" + video.Name()
	var appMBs, plainMBs []float64
	for range rounds {
		for _, target := range []struct {
			url string
			out *[]float64
		}{{plainURL, &plainMBs}, {appURL, &appMBs}} {
			mbs, err := ranges(target.url, rangeClients, round)
			if err != nil {
				return err
			}
			*target.out = append(*target.out, mbs)
		}
	}
	best, med := slices.Max(appMBs), median(appMBs)
	pBest, pMed := slices.Max(plainMBs), median(plainMBs)
	fmt.Printf("ranges: 2 MB video in 64 KB ranges, %d clients, %d rounds of %s: app best %.0f MB/s (median %.0f), http.ServeFile best %.0f MB/s (median %.0f); ratio best %.2f, medians %.2f\n",
		rangeClients, rounds, round, best, med, pBest, pMed, best/pBest, med/pMed)

	reqs, lats, err := load(in.URL+"/learn", clients, duration)
	if err != nil {
		return err
	}
	slices.Sort(lats)
	pct := func(p float64) time.Duration {
		return lats[min(len(lats)-1, int(p*float64(len(lats))))].Round(10 * time.Microsecond)
	}
	fmt.Printf("learn: GET /learn (%d items), %d clients, %s: %.0f requests/s, p50 %s, p99 %s, max %s\n",
		len(all), clients, duration, float64(reqs)/duration.Seconds(), pct(0.5), pct(0.99), lats[len(lats)-1].Round(10*time.Microsecond))
	return nil
}

// addItems adds n videos that use the stored file, as a pack would.
func addItems(ctx context.Context, in *app.Instance, file string, n int) error {
	var items []media.Item
	for i := range n {
		items = append(items, media.Item{ID: fmt.Sprintf("bench-%02d", i), Kind: media.KindVideo, Topics: []string{"phishing"}, Audience: []string{"teens"},
			Langs: []string{"vi", "en"}, Title: i18n.Text{VI: fmt.Sprintf("Video lừa đảo số %d", i), EN: fmt.Sprintf("Scam video %d", i)},
			Summary: i18n.Text{VI: "Ba dấu hiệu của một đường link giả.", EN: "Three signs of a fake link."}, File: file, DurationSeconds: 60 + i})
	}
	_, err := in.DB.LoadMediaPacks(ctx, items)
	return err
}

// ranges fetches url in 64 KB ranges from clients goroutines for d and
// returns the MB/s received.
func ranges(url string, clients int, d time.Duration) (float64, error) {
	hc := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: clients, DisableCompression: true}}
	defer hc.CloseIdleConnections()
	var total atomic.Int64
	var firstErr atomic.Pointer[error]
	var wg sync.WaitGroup
	buf := make([][]byte, clients)
	end := time.Now().Add(d)
	start := time.Now()
	for c := range clients {
		buf[c] = make([]byte, chunk)
		wg.Go(func() {
			for off := (c * chunk * 5) % videoSize; time.Now().Before(end); off = (off + chunk) % videoSize {
				req, _ := http.NewRequest("GET", url, nil)
				req.Header.Set("Range", fmt.Sprintf("bytes=%d-%d", off, min(off+chunk, videoSize)-1))
				res, err := hc.Do(req)
				if err != nil {
					firstErr.CompareAndSwap(nil, &err)
					return
				}
				n, err := io.ReadFull(res.Body, buf[c][:min(chunk, videoSize-off)])
				res.Body.Close()
				if err != nil || res.StatusCode != http.StatusPartialContent {
					err := fmt.Errorf("GET %s range at %d = %d, %d bytes, %v", url, off, res.StatusCode, n, err)
					firstErr.CompareAndSwap(nil, &err)
					return
				}
				total.Add(int64(n))
			}
		})
	}
	wg.Wait()
	if e := firstErr.Load(); e != nil {
		return 0, *e
	}
	return float64(total.Load()) / (1 << 20) / time.Since(start).Seconds(), nil
}

// load sends GET url from clients goroutines for d; every answer must be
// 200.
func load(url string, clients int, d time.Duration) (int, []time.Duration, error) {
	hc := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: clients, MaxConnsPerHost: clients}}
	defer hc.CloseIdleConnections()
	lats := make([][]time.Duration, clients)
	var firstErr atomic.Pointer[error]
	var wg sync.WaitGroup
	end := time.Now().Add(d)
	for c := range clients {
		wg.Go(func() {
			for time.Now().Before(end) {
				t0 := time.Now()
				res, err := hc.Get(url)
				if err != nil {
					firstErr.CompareAndSwap(nil, &err)
					return
				}
				io.Copy(io.Discard, res.Body)
				res.Body.Close()
				if res.StatusCode != http.StatusOK {
					err := fmt.Errorf("GET %s = %d", url, res.StatusCode)
					firstErr.CompareAndSwap(nil, &err)
					return
				}
				lats[c] = append(lats[c], time.Since(t0))
			}
		})
	}
	wg.Wait()
	if e := firstErr.Load(); e != nil {
		return 0, nil, *e
	}
	all := slices.Concat(lats...)
	return len(all), all, nil
}

func median(xs []float64) float64 {
	s := slices.Clone(xs)
	slices.Sort(s)
	return s[len(s)/2]
}
