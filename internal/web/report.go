package web

import (
	"bytes"
	"context"
	"image"
	"image/png"
	"io"
	"log/slog"
	"net/http"
	"sync"
	"time"

	"golang.org/x/image/draw"

	"github.com/notalone/notalone/internal/errs"
	"github.com/notalone/notalone/internal/event"
	"github.com/notalone/notalone/internal/help"
	"github.com/notalone/notalone/internal/media"
	"github.com/notalone/notalone/internal/store"
)

// ReportStore is the store help requests need.
type ReportStore interface {
	ResponderPublicKey(ctx context.Context) ([]byte, error)
	RespondersReady(ctx context.Context) (bool, error)
	CreateReport(ctx context.Context, r store.NewReport) error
	ReportStatusFor(ctx context.Context, receipt, secret string) (store.ReportStatus, error)
	Inbox(ctx context.Context, closed bool, limit int) ([]store.CaseSummary, error)
	Case(ctx context.Context, id string) (store.SealedCase, error)
	CaseFile(ctx context.Context, id string, n int, preview bool) (string, []byte, error)
	AssignCase(ctx context.Context, id, to, actor string) error
	SetCaseStatus(ctx context.Context, id, status, reason, publicMessage, actor string) error
	AddCaseNote(ctx context.Context, id, author string, sealed []byte) error
	AddReferral(ctx context.Context, id string, r help.Referral) error
	Audit(ctx context.Context, actor, action, object, detail string) error
}

// Upload is one evidence file as received.
type Upload struct {
	Name string
	Data []byte
}

// Reports takes help requests and opens them for responders: the pages and
// the API share it.
type Reports struct {
	Store   ReportStore
	Phrases *help.Phrases
	// PrivateKeys open cases; empty on an intake-only instance, which can
	// take requests but never read them.
	PrivateKeys []help.PrivateKey
	// Alert tells the on-call responders that an urgent request is
	// waiting (never what it says). Nil: no alerts.
	Alert func(ctx context.Context)
	// EvidenceCapDay bounds the evidence bytes taken in a day.
	EvidenceCapDay int64
	// ReplyHours is the promise shown on the form.
	ReplyHours int
	Log        *slog.Logger

	mu       sync.Mutex
	ready    bool
	readyAt  time.Time
	pub      help.PublicKey
	pubAt    time.Time
	pubValid bool
}

// readyFor is how long a "yes" to "are responders set up?" is
// remembered, and the public key kept.
const readyFor = 30 * time.Second

// Available reports whether this installation takes help requests: a
// public key is set up and an active responder has a second factor.
func (rs *Reports) Available(ctx context.Context) bool {
	if rs == nil {
		return false
	}
	// Only "yes" is remembered: a new installation's first responder
	// makes the form appear at once.
	rs.mu.Lock()
	if rs.ready && time.Since(rs.readyAt) < readyFor {
		rs.mu.Unlock()
		return true
	}
	rs.mu.Unlock()
	ok, err := rs.Store.RespondersReady(ctx)
	if err != nil {
		rs.Log.Warn("responders ready", "err", err)
		return false
	}
	rs.mu.Lock()
	rs.ready, rs.readyAt = ok, time.Now()
	rs.mu.Unlock()
	return ok
}

// publicKey returns the responders' public key (read again after a
// rotation, within readyFor).
func (rs *Reports) publicKey(ctx context.Context) (help.PublicKey, error) {
	rs.mu.Lock()
	if rs.pubValid && time.Since(rs.pubAt) < readyFor {
		k := rs.pub
		rs.mu.Unlock()
		return k, nil
	}
	rs.mu.Unlock()
	b, err := rs.Store.ResponderPublicKey(ctx)
	if err != nil {
		return help.PublicKey{}, err
	}
	k, err := help.DecodePublicKey(b)
	if err != nil {
		return help.PublicKey{}, err
	}
	rs.mu.Lock()
	rs.pub, rs.pubAt, rs.pubValid = k, time.Now(), true
	rs.mu.Unlock()
	return k, nil
}

// Evidence limits: the pictures a child may attach.
const (
	maxEvidencePixels = 40_000_000
	previewWidth      = 12 // the blurred preview: detail is gone at this size
)

// Receipt is what the reporter gets back.
type Receipt struct {
	Receipt, Secret string
	Priority        help.Priority
}

// Submit checks, triages, encrypts and stores a help request. Field
// problems come back as a list; err is anything else.
func (rs *Reports) Submit(ctx context.Context, req help.Request, files []Upload, d event.Device, source string) (Receipt, []*errs.Error, error) {
	req, problems := req.Check()
	if len(files) > help.MaxEvidenceFiles {
		problems = append(problems, errs.Field("evidence", "error.report_evidence_count"))
	}
	type cleaned struct {
		mime          string
		data, preview []byte
	}
	var imgs []cleaned
	var total int64
	for _, f := range files {
		if len(f.Data) > help.MaxEvidenceBytes {
			problems = append(problems, &errs.Error{Code: errs.TooLarge, Key: "error.report_evidence_size", Field: "evidence"})
			break
		}
		data, ext, _, _, err := media.CleanImage(bytes.NewReader(f.Data), maxEvidencePixels)
		if err != nil {
			e := errs.As(err)
			if e.Code == errs.Internal {
				return Receipt{}, nil, err
			}
			problems = append(problems, &errs.Error{Code: e.Code, Key: "error.report_evidence_type", Field: "evidence", Err: err})
			break
		}
		preview, err := blurredPreview(data)
		if err != nil {
			return Receipt{}, nil, err
		}
		mime := "image/jpeg"
		if ext == "png" {
			mime = "image/png"
		}
		imgs = append(imgs, cleaned{mime: mime, data: data, preview: preview})
		total += int64(len(data))
	}
	if len(problems) > 0 {
		return Receipt{}, problems, nil
	}
	pub, err := rs.publicKey(ctx)
	if err != nil {
		return Receipt{}, nil, err
	}
	prio, matches := help.Triage(help.Answers{Topic: req.Topic, DangerNow: req.DangerNow, AskedToMeet: req.AskedToMeet, Isolated: req.Isolated,
		Description: req.Description}, rs.Phrases)
	id := help.NewCaseID()
	dataKey, err := help.NewDataKey()
	if err != nil {
		return Receipt{}, nil, err
	}
	sealedKey, err := help.Seal(pub, help.KeyInfo(id), dataKey)
	if err != nil {
		return Receipt{}, nil, err
	}
	seal := func(info, s string) ([]byte, error) {
		if s == "" {
			return nil, nil
		}
		return help.SealField(dataKey, info, []byte(s))
	}
	n := store.NewReport{ID: id, Receipt: help.NewReceipt(), EventID: d.Event.ID, Source: source, Request: req, Priority: prio,
		KeyID: pub.ID, SealedKey: sealedKey, EvidenceBytes: total, EvidenceCapDay: rs.EvidenceCapDay}
	if d.Station != nil {
		n.StationID = d.Station.ID
	}
	for _, m := range matches {
		n.Flags = append(n.Flags, m.Flag)
	}
	if n.Description, err = seal(help.DescriptionInfo(id), req.Description); err != nil {
		return Receipt{}, nil, err
	}
	if n.Contact, err = seal(help.ContactInfo(id), req.Contact); err != nil {
		return Receipt{}, nil, err
	}
	for i, img := range imgs {
		f := store.NewReportFile{MIME: img.mime, Size: len(img.data)}
		if f.Data, err = help.SealField(dataKey, help.FileInfo(id, i+1, false), img.data); err != nil {
			return Receipt{}, nil, err
		}
		if f.Preview, err = help.SealField(dataKey, help.FileInfo(id, i+1, true), img.preview); err != nil {
			return Receipt{}, nil, err
		}
		n.Files = append(n.Files, f)
	}
	secret := help.NewSecret()
	n.SecretHash = help.HashSecret(secret)
	if err := rs.Store.CreateReport(ctx, n); err != nil {
		if errs.Is(err, errs.TooLarge) {
			return Receipt{}, []*errs.Error{{Code: errs.TooLarge, Key: errs.As(err).Key, Field: "evidence"}}, nil
		}
		return Receipt{}, nil, err
	}
	if prio == help.Urgent && rs.Alert != nil {
		rs.Alert(context.WithoutCancel(ctx))
	}
	return Receipt{Receipt: n.Receipt, Secret: secret, Priority: prio}, nil, nil
}

// blurredPreview shrinks a picture to a few pixels across: enough to tell
// a screenshot of a chat from a photo, not enough to see anything.
func blurredPreview(data []byte) ([]byte, error) {
	src, _, err := image.Decode(bytes.NewReader(data))
	if err != nil {
		return nil, errs.Wrap(errs.Internal, err, "evidence preview")
	}
	b := src.Bounds()
	h := max(1, b.Dy()*previewWidth/max(1, b.Dx()))
	dst := image.NewRGBA(image.Rect(0, 0, previewWidth, min(h, 4*previewWidth)))
	draw.ApproxBiLinear.Scale(dst, dst.Bounds(), src, b, draw.Src, nil)
	var out bytes.Buffer
	if err := png.Encode(&out, dst); err != nil {
		return nil, errs.Wrap(errs.Internal, err, "evidence preview")
	}
	return out.Bytes(), nil
}

// ErrIntakeOnly is the error of an instance without the private key.
var ErrIntakeOnly = errs.E(errs.Forbidden, "error.intake_only")

// OpenCase opens a case's sealed parts with the responders' private key.
// Tampered ciphertext is an error, never garbage.
func (rs *Reports) OpenCase(c store.SealedCase) (help.Case, []byte, error) {
	if len(rs.PrivateKeys) == 0 {
		return help.Case{}, nil, ErrIntakeOnly
	}
	dataKey, err := help.Open(rs.PrivateKeys, help.KeyInfo(c.ID), c.SealedKey)
	if err != nil {
		return help.Case{}, nil, err
	}
	out := c.Case
	open := func(info string, sealed []byte) (string, error) {
		if sealed == nil {
			return "", nil
		}
		b, err := help.OpenField(dataKey, info, sealed)
		return string(b), err
	}
	if out.Request.Description, err = open(help.DescriptionInfo(c.ID), c.Description); err != nil {
		return help.Case{}, nil, err
	}
	if out.Request.Contact, err = open(help.ContactInfo(c.ID), c.Contact); err != nil {
		return help.Case{}, nil, err
	}
	out.Notes = nil
	for _, n := range c.Notes {
		body, err := open(help.NoteInfo(c.ID), n.Sealed)
		if err != nil {
			return help.Case{}, nil, err
		}
		note := n.Note
		note.Body = body
		out.Notes = append(out.Notes, note)
	}
	return out, dataKey, nil
}

// SealNote seals a responder's note for a case.
func (rs *Reports) SealNote(c store.SealedCase, body string) ([]byte, error) {
	_, dataKey, err := rs.OpenCase(c)
	if err != nil {
		return nil, err
	}
	return help.SealField(dataKey, help.NoteInfo(c.ID), []byte(body))
}

// CaseFile opens an evidence file (or its preview).
func (rs *Reports) CaseFile(ctx context.Context, c store.SealedCase, n int, preview bool) (string, []byte, error) {
	_, dataKey, err := rs.OpenCase(c)
	if err != nil {
		return "", nil, err
	}
	mime, sealed, err := rs.Store.CaseFile(ctx, c.ID, n, preview)
	if err != nil {
		return "", nil, err
	}
	b, err := help.OpenField(dataKey, help.FileInfo(c.ID, n, preview), sealed)
	if preview {
		mime = "image/png"
	}
	return mime, b, err
}

// readUploads reads the evidence files of a multipart form, refusing more
// than max files or an oversize one before reading it all.
func readUploads(r *http.Request, field string, maxFiles int, maxBytes int64) ([]Upload, error) {
	if r.MultipartForm == nil {
		return nil, nil
	}
	var out []Upload
	for _, fh := range r.MultipartForm.File[field] {
		if fh.Size == 0 && fh.Filename == "" {
			continue // the empty file input of a form sent without a file
		}
		if len(out) == maxFiles {
			return nil, errs.Field("evidence", "error.report_evidence_count")
		}
		if fh.Size > maxBytes {
			return nil, &errs.Error{Code: errs.TooLarge, Key: "error.report_evidence_size", Field: "evidence"}
		}
		f, err := fh.Open()
		if err != nil {
			return nil, errs.Wrap(errs.Invalid, err, "evidence %s", fh.Filename)
		}
		b, err := io.ReadAll(io.LimitReader(f, maxBytes+1))
		f.Close()
		if err != nil {
			return nil, errs.Wrap(errs.Invalid, err, "evidence %s", fh.Filename)
		}
		out = append(out, Upload{Name: fh.Filename, Data: b})
	}
	return out, nil
}
