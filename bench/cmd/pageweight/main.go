// Command pageweight measures what a kiosk downloads to show a quiz
// question: it binds a browser-like client to a kiosk station, starts the
// kiosk round, loads the first question page and every stylesheet, script
// and image it references, and prints the bytes transferred (as sent, no
// compression) and every host other than the server that a page names.
//
//	go run ./bench/cmd/pageweight
package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"regexp"
	"strings"

	"github.com/notalone/notalone/bench/internal/benchapp"
	"github.com/notalone/notalone/internal/event"
)

var refs = regexp.MustCompile(`(?:src|href|action)="([^"]+)"`)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "pageweight:", err)
		os.Exit(1)
	}
}

func run() error {
	in, stop, err := benchapp.Start("pageweight", "", "")
	if err != nil {
		return err
	}
	defer stop()
	ctx := context.Background()
	st, err := in.DB.CreateStation(ctx, event.DefaultID, event.Kiosk, "Kiosk 1")
	if err != nil {
		return err
	}
	key, err := in.DB.Secret(ctx, "station-binding", 32)
	if err != nil {
		return err
	}
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar}
	if _, err := c.PostForm(in.URL+"/station/setup", url.Values{"token": {event.NewSigner(key).SetupToken(st.ID)}}); err != nil {
		return err
	}
	res, err := c.PostForm(in.URL+"/practise/kiosk/start", url.Values{})
	if err != nil {
		return err
	}
	page, _ := io.ReadAll(res.Body)
	res.Body.Close()
	total := len(page)
	fmt.Printf("%-60s %7d bytes\n", res.Request.URL.Path, len(page))
	base, _ := url.Parse(in.URL)
	foreign := 0
	seen := map[string]bool{}
	for _, m := range refs.FindAllStringSubmatch(string(page), -1) {
		u, err := base.Parse(m[1])
		if err != nil {
			continue
		}
		if u.Host != base.Host && u.Scheme != "tel" {
			foreign++
			fmt.Printf("OTHER HOST: %s\n", u)
			continue
		}
		if !strings.HasPrefix(u.Path, "/static/") || seen[u.Path] {
			continue
		}
		seen[u.Path] = true
		r, err := c.Get(u.String())
		if err != nil {
			return err
		}
		b, _ := io.ReadAll(r.Body)
		r.Body.Close()
		total += len(b)
		fmt.Printf("%-60s %7d bytes\n", u.Path, len(b))
	}
	fmt.Printf("kiosk question page: %d bytes in total (%.1f KB), %d references to other hosts (target: <= 150 KB, 0)\n", total, float64(total)/1024, foreign)
	return nil
}
