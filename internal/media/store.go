package media

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/notalone/notalone/internal/errs"
)

// Store keeps files under Dir (<datadir>/media), each named by the SHA-256
// of its content: <Dir>/<first two hex digits>/<hash>.<ext>. A name never
// comes from a visitor, an identical upload is stored once, and a stored
// file never changes, so it can be cached for a year.
//
// Several instances may share Dir (on shared storage): a file appears by an
// atomic rename, and two instances storing the same content write the same
// bytes under the same name. Because identical uploads share one file, the
// caller must check that no library item still refers to a file before it
// deletes it.
type Store struct{ Dir string }

// File describes a stored file, as the database records it.
type File struct {
	Hash string // SHA-256 of the content, 64 lower-case hex digits
	Kind Kind
	MIME string // Content-Type to serve it with
	Size int64
	Ext  string // file name extension, without the dot
}

// Name returns the file's name in the store and in its URL: <hash>.<ext>.
func (f File) Name() string { return f.Hash + "." + f.Ext }

// tempPrefix starts the names of files being written, so that Sweep can
// find the ones a crash left behind.
const tempPrefix = ".put-"

// Put streams r into the store, at most max bytes, and returns the stored
// file. The kind is decided from the content (see [Sniff]) and must be one
// of allowed; captions are also capped at [MaxCaptionSize]. The content is
// written to a temporary file and hashed as it goes, and renamed into place
// only once it is complete (see each kind's end-of-file check) and valid:
// an upload that is cut off, too large or of the wrong kind leaves nothing
// behind. It returns an *errs.Error: Invalid with key error.media_type or
// error.media_incomplete, or TooLarge with key error.media_too_large.
func (s *Store) Put(r io.Reader, max int64, allowed ...Kind) (File, error) {
	const op = "media put"
	if len(allowed) == 0 || max <= 0 {
		return File{}, errs.Wrap(errs.Internal, errors.New("no kinds allowed or no size allowed"), op)
	}
	head := make([]byte, sniffLen)
	n, err := readHead(r, head)
	if err != nil {
		return File{}, failure(errs.Invalid, "error.media_incomplete", op, err)
	}
	head = head[:n]
	kind, ok := Sniff(head)
	if !ok {
		return File{}, failure(errs.Invalid, "error.media_type", op, fmt.Errorf("unknown content starting %q", head[:min(len(head), 16)]))
	}
	if !allows(allowed, kind) {
		return File{}, failure(errs.Invalid, "error.media_type", op, fmt.Errorf("%s is not allowed here", kind))
	}
	limit := max
	if kind == WebVTT {
		limit = min(limit, MaxCaptionSize)
	}
	if int64(len(head)) > limit {
		return File{}, failure(errs.TooLarge, "error.media_too_large", op, fmt.Errorf("more than %d bytes", limit))
	}

	if err := os.MkdirAll(s.Dir, 0o755); err != nil {
		return File{}, errs.Wrap(errs.Internal, err, op)
	}
	tmp, err := os.CreateTemp(s.Dir, tempPrefix+"*")
	if err != nil {
		return File{}, errs.Wrap(errs.Internal, err, op)
	}
	done := false
	defer func() {
		if !done {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()

	h := sha256.New()
	check := newChecker(kind, head)
	w := &sink{f: tmp, h: h, check: check}
	if _, err := w.Write(head); err != nil {
		return File{}, w.failure(op, err)
	}
	size, err := io.CopyBuffer(w, io.LimitReader(r, limit-int64(len(head))+1), make([]byte, 64<<10))
	size += int64(len(head))
	if err != nil {
		return File{}, w.failure(op, err)
	}
	if size > limit {
		return File{}, failure(errs.TooLarge, "error.media_too_large", op, fmt.Errorf("more than %d bytes", limit))
	}
	if err := check.finish(); err != nil {
		return File{}, w.failure(op, err)
	}

	f := File{Hash: hex.EncodeToString(h.Sum(nil)), Kind: kind, MIME: kind.MIME(), Size: size, Ext: kind.Ext()}
	// 0644: the server reads the files, and an operator may serve the
	// directory from a front proxy. Sync before the rename, so that a crash
	// never leaves a named file with missing content.
	if err := errors.Join(tmp.Chmod(0o644), tmp.Sync(), tmp.Close()); err != nil {
		return File{}, errs.Wrap(errs.Internal, err, op)
	}
	dir := filepath.Join(s.Dir, f.Hash[:2])
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return File{}, errs.Wrap(errs.Internal, err, op)
	}
	if err := os.Rename(tmp.Name(), filepath.Join(dir, f.Name())); err != nil {
		return File{}, errs.Wrap(errs.Internal, err, op)
	}
	done = true
	syncDir(dir)
	return f, nil
}

// sink writes a file being stored to its temporary file, its hash and its
// completeness check, and remembers which of them failed.
type sink struct {
	f        *os.File
	h        hash.Hash
	check    checker
	writeErr error
}

func (s *sink) Write(p []byte) (int, error) {
	if n, err := s.f.Write(p); err != nil {
		s.writeErr = err
		return n, err
	}
	s.h.Write(p)
	return s.check.Write(p)
}

// failure turns an error met while storing into the error Put returns: a
// failed disk write is ours, a bad structure is the file's, and any other
// error came from reading the upload, which was cut off.
func (s *sink) failure(op string, err error) error {
	var bad *badFile
	switch {
	case s.writeErr != nil:
		return errs.Wrap(errs.Internal, err, op)
	case errors.As(err, &bad):
		return failure(errs.Invalid, bad.key, op, err)
	}
	return failure(errs.Invalid, "error.media_incomplete", op, err)
}

// failure builds the *errs.Error for a refused file: a code and a message
// key for the visitor, and the cause, prefixed with the operation, for the
// log.
func failure(code errs.Code, key, op string, cause error) *errs.Error {
	return &errs.Error{Code: code, Key: key, Err: fmt.Errorf("%s: %w", op, cause)}
}

// readHead reads until buf is full or r ends, and returns how many bytes it
// read. Unlike io.ReadFull it tells a short file (no error) from a broken
// read, which an HTTP body cut off before its Content-Length reports as
// io.ErrUnexpectedEOF.
func readHead(r io.Reader, buf []byte) (int, error) {
	n := 0
	for n < len(buf) {
		k, err := r.Read(buf[n:])
		n += k
		if err == io.EOF {
			return n, nil
		}
		if err != nil {
			return n, err
		}
	}
	return n, nil
}

func allows(allowed []Kind, k Kind) bool {
	for _, a := range allowed {
		if a == k {
			return true
		}
	}
	return false
}

// syncDir makes a rename in dir durable. It is best effort: the file's
// content is already synced, and a lost rename only loses a new upload.
func syncDir(dir string) {
	if d, err := os.Open(dir); err == nil {
		d.Sync()
		d.Close()
	}
}

// Open opens a stored file for reading. hash and ext usually come from a
// URL, so both are checked before they reach the file system: the hash must
// be 64 lower-case hex digits and ext one of the store's extensions, so the
// path is built from nothing a visitor can steer ("..", "/", "%2e", NUL
// and the like are refused). A name that fails the check is reported like a
// missing file (NotFound, error.media_not_found), which is what a visitor
// probing paths should see.
//
// It opens the path with os.Open, not through an os.Root: with the name
// checked, a root would only guard against symbolic links inside Dir, which
// only someone who can already write Dir could plant, and it costs a third
// of a 64 KB range request (see BenchmarkServeRanges). Links inside Dir are
// followed, so an operator may move shard directories to another disk.
func (s *Store) Open(hash, ext string) (*os.File, error) {
	const op = "media open"
	rel, err := relPath(hash, ext)
	if err != nil {
		return nil, failure(errs.NotFound, "error.media_not_found", op, err)
	}
	f, err := os.Open(filepath.Join(s.Dir, rel))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, failure(errs.NotFound, "error.media_not_found", op, err)
	}
	if err != nil {
		return nil, errs.Wrap(errs.Internal, err, op)
	}
	return f, nil
}

// Delete removes a stored file, with the same checks of hash and ext as
// Open. The caller must first make sure that no library item refers to it
// (identical uploads share one file). A file that is not there is NotFound.
func (s *Store) Delete(hash, ext string) error {
	const op = "media delete"
	rel, err := relPath(hash, ext)
	if err != nil {
		return failure(errs.NotFound, "error.media_not_found", op, err)
	}
	err = os.Remove(filepath.Join(s.Dir, rel))
	if errors.Is(err, fs.ErrNotExist) {
		return failure(errs.NotFound, "error.media_not_found", op, err)
	}
	if err != nil {
		return errs.Wrap(errs.Internal, err, op)
	}
	return nil
}

// Sweep removes the temporary files that uploads interrupted by a crash
// left in Dir, if they were last written before the given time (an hour
// ago is safe: an upload in progress writes to its file all the time). It
// returns how many it removed.
func (s *Store) Sweep(before time.Time) (int, error) {
	entries, err := os.ReadDir(s.Dir)
	if errors.Is(err, fs.ErrNotExist) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("media sweep: %w", err)
	}
	removed := 0
	for _, e := range entries {
		if !e.Type().IsRegular() || !strings.HasPrefix(e.Name(), tempPrefix) {
			continue
		}
		info, err := e.Info()
		if err != nil || !info.ModTime().Before(before) {
			continue
		}
		if err := os.Remove(filepath.Join(s.Dir, e.Name())); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return removed, fmt.Errorf("media sweep: %w", err)
		}
		removed++
	}
	return removed, nil
}

// ParseName splits the last segment of a media URL, <hash>.<ext>, and
// checks both parts as [Store.Open] does.
func ParseName(name string) (hash, ext string, ok bool) {
	hash, ext, ok = strings.Cut(name, ".")
	if !ok || !validHash(hash) || !validExt(ext) {
		return "", "", false
	}
	return hash, ext, true
}

// relPath returns a stored file's path relative to Dir, or an error if
// hash or ext is not one the store could have made.
func relPath(hash, ext string) (string, error) {
	if !validHash(hash) {
		return "", fmt.Errorf("invalid hash %q", hash)
	}
	if !validExt(ext) {
		return "", fmt.Errorf("invalid extension %q", ext)
	}
	return filepath.Join(hash[:2], hash+"."+ext), nil
}

func validHash(h string) bool {
	if len(h) != sha256.Size*2 {
		return false
	}
	for i := 0; i < len(h); i++ {
		c := h[i]
		if (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			return false
		}
	}
	return true
}

func validExt(ext string) bool {
	_, ok := KindOfExt(ext)
	return ok
}
