package web

import (
	"bytes"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"fmt"
	"io/fs"
	"mime"
	"net/http"
	"path"
	"strings"
	"time"
)

//go:embed static
var staticFS embed.FS

// Assets serves the embedded static files under content-hashed names
// (app.3f2a9c1d.css), so they can be cached for a year and a new release
// is never mixed with an old stylesheet.
type Assets struct {
	byName   map[string]string // app.css → /static/app.3f2a9c1d.css
	byHashed map[string]asset  // app.3f2a9c1d.css → file
}

type asset struct {
	body        []byte
	contentType string
	etag        string
}

// LoadAssets hashes every embedded static file.
func LoadAssets() (*Assets, error) {
	a := &Assets{byName: map[string]string{}, byHashed: map[string]asset{}}
	err := fs.WalkDir(staticFS, "static", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		body, err := staticFS.ReadFile(p)
		if err != nil {
			return err
		}
		sum := sha256.Sum256(body)
		hash := hex.EncodeToString(sum[:])[:12]
		name := strings.TrimPrefix(p, "static/")
		ext := path.Ext(name)
		hashed := strings.TrimSuffix(name, ext) + "." + hash + ext
		ct := mime.TypeByExtension(ext)
		if ct == "" {
			return fmt.Errorf("asset %s: unknown type", name)
		}
		a.byName[name] = "/static/" + hashed
		a.byHashed[hashed] = asset{body: body, contentType: ct, etag: `"` + hash + `"`}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("load assets: %w", err)
	}
	return a, nil
}

// URL returns the hashed URL of a static file; an unknown name is a bug in
// a template, caught when templates are tested.
func (a *Assets) URL(name string) (string, error) {
	u, ok := a.byName[name]
	if !ok {
		return "", fmt.Errorf("no asset %q", name)
	}
	return u, nil
}

// ServeHTTP serves GET /static/{file}.
func (a *Assets) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f, ok := a.byHashed[r.PathValue("file")]
	if !ok {
		http.NotFound(w, r)
		return
	}
	h := w.Header()
	h.Set("Content-Type", f.contentType)
	h.Set("Cache-Control", "public, max-age=31536000, immutable")
	h.Set("ETag", f.etag) // ServeContent answers If-None-Match from it
	http.ServeContent(w, r, "", time.Time{}, bytes.NewReader(f.body))
}
