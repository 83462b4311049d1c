package media

import (
	"net/http"
	"os"
	"strings"
	"time"
)

// maxRanges is the most byte ranges a request may ask for at once. Video
// players and download managers ask for one; a list of thousands is a way
// to make the server write thousands of multipart headers, so such a
// request is served whole, as RFC 9110 (section 14.2) allows.
const maxRanges = 16

// Serve writes a stored file in answer to r, honouring Range, If-Range,
// If-None-Match and HEAD through [http.ServeContent] (206 with one range or
// multipart/byteranges, 416 with "Content-Range: bytes */size" for a range
// past the end, 304 for a matching ETag). etag is the file's hash. Because
// a stored file never changes, it may be cached for a year without
// revalidation; nosniff makes the browser keep to mime, the type the store
// checked, so a file can never run as a page. The caller opens f (with
// [Store.Open]) and closes it.
func Serve(w http.ResponseWriter, r *http.Request, f *os.File, mime string, modTime time.Time, etag string) {
	if mime == "" {
		mime = "application/octet-stream"
	}
	if !strings.HasPrefix(etag, `"`) {
		etag = `"` + etag + `"`
	}
	h := w.Header()
	h.Set("Content-Type", mime)
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Cache-Control", "public, max-age=31536000, immutable")
	h.Set("ETag", etag)
	h.Set("Accept-Ranges", "bytes")
	if rg := r.Header.Get("Range"); rg != "" && strings.Count(rg, ",") >= maxRanges {
		r = r.Clone(r.Context())
		r.Header.Del("Range")
	}
	http.ServeContent(w, r, "", modTime, f)
}
