package web

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"time"
)

// stream is an open Server-Sent Events response (the live overview, the
// pledge wall).
type stream struct {
	w  http.ResponseWriter
	rc *http.ResponseController
}

// startStream sends the headers, the reconnect delay and the first events
// (first), and reports whether the response can go on streaming. A writer
// that cannot flush or move its write deadline (httptest's recorder, a
// middleware wrapper without Unwrap) gets the first events and the end, so
// it never hangs; a browser behind one reconnects every streamRetry ms.
func startStream(w http.ResponseWriter, first func(io.Writer) error) (*stream, bool) {
	rc := http.NewResponseController(w)
	deadlineErr := rc.SetWriteDeadline(time.Now().Add(streamWriteWait))
	hd := w.Header()
	hd.Set("Content-Type", "text/event-stream")
	hd.Set("Cache-Control", "no-store")
	hd.Set("X-Accel-Buffering", "no") // nginx: pass events on at once
	w.WriteHeader(http.StatusOK)
	if _, err := fmt.Fprintf(w, "retry: %d\n\n", streamRetry); err != nil {
		return nil, false
	}
	if err := first(w); err != nil {
		return nil, false
	}
	if err := rc.Flush(); err != nil || errors.Is(deadlineErr, http.ErrNotSupported) {
		return nil, false
	}
	return &stream{w: w, rc: rc}, true
}

// send writes one chunk and flushes it, within streamWriteWait: a client
// that stops reading is let go instead of holding the handler.
func (s *stream) send(write func(io.Writer) error) bool {
	if err := s.rc.SetWriteDeadline(time.Now().Add(streamWriteWait)); err != nil {
		return false
	}
	return write(s.w) == nil && s.rc.Flush() == nil
}

// ping keeps proxies and browsers from closing a quiet stream.
func (s *stream) ping() bool {
	return s.send(func(w io.Writer) error { _, err := io.WriteString(w, ": ping\n\n"); return err })
}
