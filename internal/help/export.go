package help

import (
	"archive/zip"
	"bytes"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"codeberg.org/go-pdf/fpdf"
	"golang.org/x/crypto/argon2"
	"golang.org/x/text/unicode/norm"

	"github.com/notalone/notalone/internal/errs"
	"github.com/notalone/notalone/internal/souvenir"
)

// Case export: a help case handed to a partner (the police cyber unit, the
// 111 hotline, a platform's trust & safety team) as one encrypted file,
// which `notalone case-export open` reads. This comment is the format's
// specification, enough for a partner to write their own reader.
//
// # The package
//
// BuildExport makes a ZIP archive holding:
//
//	case.json              the case (UTF-8 JSON, described below)
//	summary.pdf            a printable A4 summary of the same
//	evidence/<n>.jpg|png   the evidence images, byte for byte as the child sent them
//
// case.json is one object: "format" ("notalone-case-export"),
// "format_version" (1), "partner", "exported_by", "exported_at", then every
// field of the case: "id", "receipt", "event_id", "station_id", "source",
// "request" (an object: "topic", "platform", "happened", "danger_now",
// "asked_to_meet", "isolated", "description", "contact_kind", "contact",
// "age_band", "consent"), "priority" ("normal", "high" or "urgent"),
// "flags", "status", "close_reason", "assigned_to", "public_message",
// "created_at", "updated_at", "closed_at" (null while open), "review_due",
// "files" (each "n", "mime", "size", and, when the image is in the archive,
// "name", its path there, and "sha256", the hex SHA-256 of its bytes),
// "notes" (each "n", "author", "body", "created_at") and "referrals" (each
// "n", "partner", "shared", "consent", "override_reason", "by", "at").
// Times are RFC 3339 in UTC. Every field is always present (empty strings
// and empty lists rather than missing fields).
//
// # The encrypted file
//
// One line of ASCII text, its fields separated by single spaces and ended
// by "\n", then the sealed package, binary, to the end of the file. Either
//
//	NOTALONE-CASE-EXPORT 1 passphrase argon2id t=3 m=65536 p=2 salt=<salt>\n<sealed>
//
// for an export sealed with a passphrase given to the partner by another
// channel, where <salt> is 16 random bytes in standard padded base64
// (RFC 4648 §4, 24 characters), and:
//
//	key = Argon2id (RFC 9106, version 0x13) of the passphrase (UTF-8, in
//	      Unicode NFC), the salt, 3 passes, 65536 KiB of memory, 2 lanes,
//	      32 bytes of output
//	<sealed> = 0x01 || nonce (24 random bytes) || XChaCha20-Poly1305
//	      ciphertext and tag of the package under key and nonce, with the
//	      associated data "notalone help field" 0x00 0x01 0x00 "case-export"
//
// or
//
//	NOTALONE-CASE-EXPORT 1 key <key-id>\n<sealed>
//
// for an export sealed to the partner's public key: an X25519 key made by
// the same tool as the responders' key and kept in the same PEM files
// (DecodePublicKey, DecodePrivateKey; the PEM block holds the raw 32-byte
// key). <key-id> is 16 lower-case hex digits, the first 8 bytes of the
// SHA-256 of the raw public key, and:
//
//	<sealed> = 0x01 || the same 8 key ID bytes || enc (32 bytes) || ct
//
// where enc and ct are HPKE's (RFC 9180) single-shot base-mode seal of the
// package to the public key with DHKEM(X25519, HKDF-SHA256) (0x0020),
// HKDF-SHA256 (0x0001) and ChaCha20-Poly1305 (0x0003), no associated data,
// and the info "notalone help envelope v1" 0x00 || the first 9 bytes of
// <sealed> || "case-export".
//
// A reader refuses anything else: a header line longer than 256 bytes or
// not byte for byte in the form above (another version, other Argon2
// parameters, a salt that is not 16 bytes in canonical base64, upper-case
// hex), a key ID in the header that differs from the one in <sealed>, and
// a ciphertext that does not open; it never outputs part of a package. The
// header is not authenticated as such, but every value in it either feeds
// the key or is checked against the authenticated ciphertext, so with the
// strict form a change to any byte of the file is an error. Only the mode
// and the key ID or salt are in clear: nothing about the case or the
// partner.

// ExportFile is an evidence image going into an export: the file n of the
// case, opened.
type ExportFile struct {
	N    int
	MIME string
	Data []byte
}

// The export format's constants (see the comment above).
const (
	exportMagic        = "NOTALONE-CASE-EXPORT"
	exportVersion      = "1"
	exportInfo         = "case-export"
	exportFormatName   = "notalone-case-export"
	exportMaxHeader    = 256
	exportSaltSize     = 16
	exportArgonTime    = 3
	exportArgonMemory  = 64 * 1024 // KiB
	exportArgonThreads = 2
	// MinExportPassphrase is the shortest passphrase, in characters, an
	// export can be sealed with.
	MinExportPassphrase = 12
	// Limits on the export's own labels.
	maxExportName = 120 // runes, for partner and exportedBy
)

// exportSaltEncoding is the salt's encoding: padded, and strict about the
// unused bits, so one salt has one spelling.
func exportSaltEncoding() *base64.Encoding { return base64.StdEncoding.Strict() }

// BuildExport makes the package for partner: a ZIP archive with case.json,
// summary.pdf and the evidence images (see the format above). files are
// the evidence images to include, each a file of c (by N) of the same MIME
// type, a JPEG or PNG; the case's other files are listed in case.json
// without a name. partner and exportedBy are recorded as given (codes or
// names, one line each); at is the time of the export, which also dates
// the archive's entries, so the same inputs give the same bytes.
func BuildExport(c Case, files []ExportFile, partner, exportedBy string, at time.Time) ([]byte, error) {
	var ok bool
	if partner, ok = cleanText(partner, maxExportName, false); !ok || partner == "" {
		return nil, errs.Wrap(errs.Internal, errors.New("partner must be one line of text"), "build export")
	}
	if exportedBy, ok = cleanText(exportedBy, maxExportName, false); !ok || exportedBy == "" {
		return nil, errs.Wrap(errs.Internal, errors.New("exported by must be one line of text"), "build export")
	}
	if at.IsZero() {
		return nil, errs.Wrap(errs.Internal, errors.New("no export time"), "build export")
	}
	at = at.UTC().Truncate(time.Second)
	ev, err := exportEvidence(c, files)
	if err != nil {
		return nil, errs.Wrap(errs.Internal, err, "build export")
	}
	var caseJSON bytes.Buffer
	enc := json.NewEncoder(&caseJSON)
	enc.SetEscapeHTML(false) // for people who read it: "<" as "<"
	enc.SetIndent("", "  ")
	if err := enc.Encode(exportDoc(c, ev, partner, exportedBy, at)); err != nil {
		return nil, errs.Wrap(errs.Internal, err, "build export: case.json")
	}
	pdf, err := exportSummary(c, ev, partner, exportedBy, at)
	if err != nil {
		return nil, errs.Wrap(errs.Internal, err, "build export: summary.pdf")
	}

	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	add := func(name string, method uint16, data []byte) error {
		w, err := zw.CreateHeader(&zip.FileHeader{Name: name, Method: method, Modified: at})
		if err != nil {
			return err
		}
		_, err = w.Write(data)
		return err
	}
	if err := add("case.json", zip.Deflate, caseJSON.Bytes()); err != nil {
		return nil, errs.Wrap(errs.Internal, err, "build export: zip")
	}
	if err := add("summary.pdf", zip.Deflate, pdf); err != nil {
		return nil, errs.Wrap(errs.Internal, err, "build export: zip")
	}
	for _, f := range ev {
		if f.name == "" {
			continue
		}
		// Images are compressed already: store them as they are.
		if err := add(f.name, zip.Store, f.data); err != nil {
			return nil, errs.Wrap(errs.Internal, err, "build export: zip")
		}
	}
	if err := zw.Close(); err != nil {
		return nil, errs.Wrap(errs.Internal, err, "build export: zip")
	}
	return buf.Bytes(), nil
}

// exportedFile is one file of a case as the export lists it; name, sum and
// data are set when the image itself is included.
type exportedFile struct {
	File
	name string
	sum  string
	data []byte
}

// exportEvidence matches the images to include with the case's files, in
// the case's order, checking that each is an image of the file it claims
// to be.
func exportEvidence(c Case, files []ExportFile) ([]exportedFile, error) {
	out := make([]exportedFile, len(c.Files))
	for i, f := range c.Files {
		if slices.ContainsFunc(c.Files[:i], func(g File) bool { return g.N == f.N }) {
			return nil, fmt.Errorf("the case lists file %d twice", f.N)
		}
		out[i].File = f
	}
	for _, f := range files {
		i := slices.IndexFunc(out, func(e exportedFile) bool { return e.N == f.N })
		if i < 0 {
			return nil, fmt.Errorf("evidence %d is not a file of the case", f.N)
		}
		if out[i].name != "" {
			return nil, fmt.Errorf("evidence %d given twice", f.N)
		}
		if f.MIME != out[i].MIME {
			return nil, fmt.Errorf("evidence %d is %q, the case says %q", f.N, f.MIME, out[i].MIME)
		}
		var ext string
		switch f.MIME {
		case "image/jpeg":
			ext = "jpg"
		case "image/png":
			ext = "png"
		default:
			return nil, fmt.Errorf("evidence %d: type %q, want image/jpeg or image/png", f.N, f.MIME)
		}
		if got := http.DetectContentType(f.Data); got != f.MIME {
			return nil, fmt.Errorf("evidence %d: its bytes are %q, not %q", f.N, got, f.MIME)
		}
		sum := sha256.Sum256(f.Data)
		out[i].name = "evidence/" + strconv.Itoa(f.N) + "." + ext
		out[i].sum = hex.EncodeToString(sum[:])
		out[i].data = f.Data
	}
	return out, nil
}

// The schema of case.json.
type (
	exportJSON struct {
		Format        string               `json:"format"`
		FormatVersion int                  `json:"format_version"`
		Partner       string               `json:"partner"`
		ExportedBy    string               `json:"exported_by"`
		ExportedAt    time.Time            `json:"exported_at"`
		ID            string               `json:"id"`
		Receipt       string               `json:"receipt"`
		EventID       string               `json:"event_id"`
		StationID     string               `json:"station_id"`
		Source        string               `json:"source"`
		Request       exportRequestJSON    `json:"request"`
		Priority      string               `json:"priority"`
		Flags         []string             `json:"flags"`
		Status        string               `json:"status"`
		CloseReason   string               `json:"close_reason"`
		AssignedTo    string               `json:"assigned_to"`
		PublicMessage string               `json:"public_message"`
		CreatedAt     time.Time            `json:"created_at"`
		UpdatedAt     time.Time            `json:"updated_at"`
		ClosedAt      *time.Time           `json:"closed_at"`
		ReviewDue     bool                 `json:"review_due"`
		Files         []exportFileJSON     `json:"files"`
		Notes         []exportNoteJSON     `json:"notes"`
		Referrals     []exportReferralJSON `json:"referrals"`
	}
	exportRequestJSON struct {
		Topic       string `json:"topic"`
		Platform    string `json:"platform"`
		Happened    string `json:"happened"`
		DangerNow   bool   `json:"danger_now"`
		AskedToMeet bool   `json:"asked_to_meet"`
		Isolated    bool   `json:"isolated"`
		Description string `json:"description"`
		ContactKind string `json:"contact_kind"`
		Contact     string `json:"contact"`
		AgeBand     string `json:"age_band"`
		Consent     bool   `json:"consent"`
	}
	exportFileJSON struct {
		N      int    `json:"n"`
		MIME   string `json:"mime"`
		Size   int    `json:"size"`
		Name   string `json:"name,omitempty"`
		SHA256 string `json:"sha256,omitempty"`
	}
	exportNoteJSON struct {
		N         int       `json:"n"`
		Author    string    `json:"author"`
		Body      string    `json:"body"`
		CreatedAt time.Time `json:"created_at"`
	}
	exportReferralJSON struct {
		N              int       `json:"n"`
		Partner        string    `json:"partner"`
		Shared         string    `json:"shared"`
		Consent        bool      `json:"consent"`
		OverrideReason string    `json:"override_reason"`
		By             string    `json:"by"`
		At             time.Time `json:"at"`
	}
)

// exportDoc is c as case.json holds it.
func exportDoc(c Case, ev []exportedFile, partner, exportedBy string, at time.Time) exportJSON {
	r := c.Request
	d := exportJSON{
		Format: exportFormatName, FormatVersion: 1,
		Partner: partner, ExportedBy: exportedBy, ExportedAt: at,
		ID: c.ID, Receipt: c.Receipt, EventID: c.EventID, StationID: c.StationID, Source: c.Source,
		Request: exportRequestJSON{
			Topic: r.Topic, Platform: r.Platform, Happened: r.Happened,
			DangerNow: r.DangerNow, AskedToMeet: r.AskedToMeet, Isolated: r.Isolated,
			Description: r.Description, ContactKind: r.ContactKind, Contact: r.Contact,
			AgeBand: r.AgeBand, Consent: r.Consent,
		},
		Priority: c.Priority.String(), Flags: append([]string{}, c.Flags...),
		Status: c.Status, CloseReason: c.CloseReason,
		AssignedTo: c.AssignedTo, PublicMessage: c.PublicMessage,
		CreatedAt: c.CreatedAt.UTC(), UpdatedAt: c.UpdatedAt.UTC(),
		ReviewDue: c.ReviewDue,
		Files:     []exportFileJSON{}, Notes: []exportNoteJSON{}, Referrals: []exportReferralJSON{},
	}
	if c.ClosedAt != nil {
		t := c.ClosedAt.UTC()
		d.ClosedAt = &t
	}
	for _, f := range ev {
		d.Files = append(d.Files, exportFileJSON{N: f.N, MIME: f.MIME, Size: f.Size, Name: f.name, SHA256: f.sum})
	}
	for _, n := range c.Notes {
		d.Notes = append(d.Notes, exportNoteJSON{N: n.N, Author: n.Author, Body: n.Body, CreatedAt: n.CreatedAt.UTC()})
	}
	for _, f := range c.Referrals {
		d.Referrals = append(d.Referrals, exportReferralJSON{N: f.N, Partner: f.Partner, Shared: f.Shared,
			Consent: f.Consent, OverrideReason: f.OverrideReason, By: f.By, At: f.At.UTC()})
	}
	return d
}

// The summary's page: A4 portrait, in millimetres.
const (
	summaryMargin = 18.0
	summaryLabelW = 62.0
	summaryLine   = 5.0
	// exportConfidential heads every page of the summary.
	exportConfidential   = "Confidential — contains information about a child"
	exportConfidentialVI = "Tài liệu mật — có thông tin về một trẻ em"
)

// vietnamTime is the zone the summary prints times in (Vietnam keeps no
// summer time), where case.json has UTC.
func vietnamTime() *time.Location { return time.FixedZone("UTC+7", 7*60*60) }

// exportSummary renders summary.pdf: what a partner's staff read first.
// Labels are in Vietnamese and English; the child's words are as written.
func exportSummary(c Case, ev []exportedFile, partner, exportedBy string, at time.Time) ([]byte, error) {
	regular, bold := souvenir.NotoSans()
	pdf := fpdf.New("P", "mm", "A4", "")
	pdf.SetMargins(summaryMargin, summaryMargin, summaryMargin)
	pdf.SetAutoPageBreak(true, summaryMargin)
	pdf.SetCreationDate(at)
	pdf.SetModificationDate(at)
	pdf.SetCatalogSort(true)
	pdf.SetTitle("Case "+c.Receipt, true)
	pdf.AddUTF8FontFromBytes("noto", "", regular)
	pdf.AddUTF8FontFromBytes("noto", "B", bold)
	pdf.AliasNbPages("")
	pdf.SetHeaderFuncMode(func() {
		pdf.SetFont("noto", "B", 10)
		pdf.SetTextColor(160, 0, 0)
		pdf.CellFormat(0, summaryLine, exportConfidential, "", 1, "L", false, 0, "")
		pdf.SetFont("noto", "", 9)
		pdf.CellFormat(0, summaryLine, exportConfidentialVI, "B", 1, "L", false, 0, "")
		pdf.SetTextColor(0, 0, 0)
		pdf.Ln(4)
	}, false)
	pdf.SetFooterFunc(func() {
		pdf.SetY(-summaryMargin + 4)
		pdf.SetFont("noto", "", 8)
		pdf.SetTextColor(90, 90, 90)
		pdf.CellFormat(0, 4, pdfText(c.Receipt)+"   ·   "+strconv.Itoa(pdf.PageNo())+"/{nb}", "", 0, "R", false, 0, "")
	})
	pdf.AddPage()

	pdf.SetFont("noto", "B", 16)
	pdf.MultiCell(0, 8, "Hồ sơ yêu cầu hỗ trợ / Help case "+pdfText(c.Receipt), "", "L", false)
	pdf.Ln(2)

	row := func(label, value string) {
		if value == "" {
			value = "—"
		}
		_, pageH := pdf.GetPageSize()
		if pdf.GetY()+2*summaryLine > pageH-summaryMargin {
			pdf.AddPage()
		}
		y, page := pdf.GetY(), pdf.PageNo()
		pdf.SetFont("noto", "B", 9)
		pdf.SetXY(summaryMargin, y)
		pdf.MultiCell(summaryLabelW, summaryLine, label, "", "L", false)
		labelBottom := pdf.GetY()
		pdf.SetFont("noto", "", 10)
		pdf.SetXY(summaryMargin+summaryLabelW, y)
		pdf.MultiCell(0, summaryLine, pdfText(value), "", "L", false)
		if pdf.PageNo() == page && pdf.GetY() < labelBottom {
			pdf.SetY(labelBottom) // the label took more lines than the value
		}
	}
	heading := func(s string) {
		// Keep a heading with the first lines under it.
		if _, pageH := pdf.GetPageSize(); pdf.GetY()+9+3*summaryLine > pageH-summaryMargin {
			pdf.AddPage()
		}
		pdf.Ln(2)
		pdf.SetFont("noto", "B", 12)
		pdf.MultiCell(0, 7, s, "B", "L", false)
		pdf.Ln(1)
	}
	para := func(s string) {
		if s == "" {
			s = "—"
		}
		pdf.SetFont("noto", "", 10)
		pdf.MultiCell(0, summaryLine, pdfText(s), "", "L", false)
	}
	r := c.Request

	row("Mã biên nhận / Receipt", c.Receipt)
	row("Mã hồ sơ / Case ID", c.ID)
	row("Xuất cho / Exported for", partner)
	row("Người xuất / Exported by", exportedBy)
	row("Thời điểm xuất / Exported at", pdfTime(at))
	row("Nhận lúc / Received", pdfTime(c.CreatedAt))
	row("Cập nhật / Updated", pdfTime(c.UpdatedAt))
	if c.ClosedAt != nil {
		row("Đóng lúc / Closed", pdfTime(*c.ClosedAt))
	}
	status := c.Status
	if c.CloseReason != "" {
		status += " (" + c.CloseReason + ")"
	}
	row("Trạng thái / Status", status)
	row("Phụ trách / Assigned to", c.AssignedTo)
	row("Nguồn / Source", strings.Join(nonEmpty(c.Source, c.EventID, c.StationID), " · "))

	heading("Yêu cầu / Request")
	row("Chủ đề / Topic", r.Topic)
	row("Nền tảng / Platform", r.Platform)
	row("Khi nào / When", r.Happened)
	row("Độ tuổi / Age band", r.AgeBand)
	row("Mức ưu tiên / Priority", c.Priority.String())
	row("Dấu hiệu / Flags", strings.Join(c.Flags, ", "))
	row("Nguy hiểm ngay / Danger now", yesNo(r.DangerNow))
	row("Bị hẹn gặp / Asked to meet", yesNo(r.AskedToMeet))
	row("Bị cô lập / Isolated", yesNo(r.Isolated))
	row("Đồng ý chia sẻ / Consent to share", yesNo(r.Consent))

	heading("Lời của em / Description")
	para(r.Description)

	heading("Liên lạc / Contact")
	if r.ContactKind == "" || r.ContactKind == ContactNone {
		para("Không để lại liên lạc / No contact given (anonymous)")
	} else {
		kind := r.ContactKind
		switch kind {
		case ContactPhone:
			kind = "Điện thoại / Phone"
		case ContactEmail:
			kind = "Email"
		}
		row(kind, r.Contact)
	}

	if c.PublicMessage != "" {
		heading("Tin nhắn gửi em / Message shown to the child")
		para(c.PublicMessage)
	}

	heading("Ghi chú / Notes")
	if len(c.Notes) == 0 {
		para("")
	}
	for _, n := range c.Notes {
		pdf.SetFont("noto", "B", 9)
		pdf.MultiCell(0, summaryLine, pdfText(fmt.Sprintf("#%d · %s · %s", n.N, n.Author, pdfTime(n.CreatedAt))), "", "L", false)
		para(n.Body)
		pdf.Ln(1.5)
	}

	heading("Chuyển tiếp / Referrals")
	if len(c.Referrals) == 0 {
		para("")
	}
	for _, f := range c.Referrals {
		line := fmt.Sprintf("#%d · %s · %s · %s · đồng ý / consent: %s", f.N, f.Partner, f.By, pdfTime(f.At), yesNo(f.Consent))
		pdf.SetFont("noto", "B", 9)
		pdf.MultiCell(0, summaryLine, pdfText(line), "", "L", false)
		para(f.Shared)
		if f.OverrideReason != "" {
			para("Lý do chia sẻ không cần đồng ý / Grounds without consent: " + f.OverrideReason)
		}
		pdf.Ln(1.5)
	}

	heading("Bằng chứng / Evidence files")
	if len(ev) == 0 {
		para("")
	}
	for _, f := range ev {
		if f.name == "" {
			para(fmt.Sprintf("#%d · %s · %d bytes · không kèm theo / not included", f.N, f.MIME, f.Size))
			continue
		}
		para(fmt.Sprintf("%s · %s · %d bytes", f.name, f.MIME, len(f.data)))
		pdf.SetFont("noto", "", 7.5)
		pdf.MultiCell(0, 4, "SHA-256 "+f.sum, "", "L", false)
		pdf.Ln(1)
	}

	var buf bytes.Buffer
	if err := pdf.Output(&buf); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// pdfText makes s safe to set: valid UTF-8, tabs as spaces, no control
// characters but newlines.
func pdfText(s string) string {
	s = strings.ToValidUTF8(strings.ReplaceAll(s, "\r\n", "\n"), "\uFFFD")
	return strings.Map(func(r rune) rune {
		switch {
		case r == '\n':
			return r
		case r == '\t':
			return ' '
		case unicode.IsControl(r), r == '\u202e', r == '\u202d':
			return -1
		}
		return r
	}, s)
}

// pdfTime prints a time for the summary, in Vietnam's time zone.
func pdfTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.In(vietnamTime()).Format("02/01/2006 15:04 (UTC+7)")
}

// yesNo prints a boolean for the summary.
func yesNo(b bool) string {
	if b {
		return "có / yes"
	}
	return "không / no"
}

// nonEmpty returns the non-empty ones of ss.
func nonEmpty(ss ...string) []string {
	return slices.DeleteFunc(ss, func(s string) bool { return s == "" })
}

// EncryptExportPassphrase seals a package from BuildExport with a
// passphrase that the partner gets by another channel (see the format
// above): Argon2id with 3 passes over 64 MiB and 2 lanes (about a tenth of
// a second) turns it into the key. The passphrase is taken in Unicode NFC
// and must have at least MinExportPassphrase characters; a shorter one is
// refused with an Invalid error for the field "passphrase".
func EncryptExportPassphrase(pkg []byte, passphrase string) ([]byte, error) {
	pass, err := exportPassphrase(passphrase)
	if err != nil {
		return nil, err
	}
	if len(pkg) == 0 {
		return nil, errs.Wrap(errs.Internal, errors.New("empty package"), "encrypt export")
	}
	salt := make([]byte, exportSaltSize)
	if _, err := rand.Read(salt); err != nil {
		return nil, errs.Wrap(errs.Internal, err, "encrypt export")
	}
	key := exportKey(pass, salt)
	defer clear(key)
	sealed, err := SealField(key, exportInfo, pkg)
	if err != nil {
		return nil, fmt.Errorf("encrypt export: %w", err)
	}
	return append([]byte(passphraseHeader(salt)), sealed...), nil
}

// exportPassphrase checks a passphrase and returns it as Argon2 takes it.
func exportPassphrase(passphrase string) ([]byte, error) {
	if !utf8.ValidString(passphrase) || utf8.RuneCountInString(norm.NFC.String(passphrase)) < MinExportPassphrase {
		e := errs.Field("passphrase", "error.export_passphrase")
		e.Err = fmt.Errorf("encrypt export: the passphrase must be valid UTF-8 of at least %d characters", MinExportPassphrase)
		return nil, e
	}
	return []byte(norm.NFC.String(passphrase)), nil
}

// exportKey derives the key of a passphrase export.
func exportKey(pass, salt []byte) []byte {
	return argon2.IDKey(pass, salt, exportArgonTime, exportArgonMemory, exportArgonThreads, DataKeySize)
}

// passphraseHeader is the header line of a passphrase export.
func passphraseHeader(salt []byte) string {
	return fmt.Sprintf("%s %s passphrase argon2id t=%d m=%d p=%d salt=%s\n",
		exportMagic, exportVersion, exportArgonTime, exportArgonMemory, exportArgonThreads, exportSaltEncoding().EncodeToString(salt))
}

// keyHeader is the header line of an export sealed to a public key.
func keyHeader(id string) string {
	return exportMagic + " " + exportVersion + " key " + id + "\n"
}

// EncryptExportKey seals a package from BuildExport to a partner's public
// key (see the format above), which the partner opens with the private
// key only they hold.
func EncryptExportKey(pkg []byte, pub PublicKey) ([]byte, error) {
	if len(pkg) == 0 {
		return nil, errs.Wrap(errs.Internal, errors.New("empty package"), "encrypt export")
	}
	sealed, err := Seal(pub, exportInfo, pkg)
	if err != nil {
		return nil, fmt.Errorf("encrypt export: %w", err)
	}
	id, err := SealedKeyID(sealed)
	if err != nil {
		return nil, fmt.Errorf("encrypt export: %w", err)
	}
	return append([]byte(keyHeader(id)), sealed...), nil
}

// OpenExport opens a file from EncryptExportPassphrase, with passphrase,
// or from EncryptExportKey, with whichever of keys it was sealed to; its
// header says which. It returns the package (a ZIP archive) or an error,
// never part of it: a header not exactly in the documented form, or a
// file that does not open, is an errs.Error wrapping ErrMalformed,
// ErrUnknownKey or ErrDecrypt (a wrong passphrase, a changed byte); a
// missing passphrase is an Invalid error for the field "passphrase".
func OpenExport(data []byte, passphrase string, keys []PrivateKey) ([]byte, error) {
	header, body, err := splitExport(data)
	if err != nil {
		return nil, err
	}
	fields := strings.Split(strings.TrimSuffix(header, "\n"), " ")
	if len(fields) < 3 || fields[0] != exportMagic {
		return nil, errs.Wrap(errs.Internal, ErrMalformed, "open export: not a case export")
	}
	if fields[1] != exportVersion {
		return nil, errs.Wrap(errs.Internal, ErrMalformed, "open export: format version %.10q", fields[1])
	}
	switch fields[2] {
	case "passphrase":
		salt, ok := strings.CutPrefix(fields[len(fields)-1], "salt=")
		raw, err := exportSaltEncoding().DecodeString(salt)
		if !ok || err != nil || len(raw) != exportSaltSize || header != passphraseHeader(raw) {
			return nil, errs.Wrap(errs.Internal, ErrMalformed, "open export: passphrase header is not %q", passphraseHeader(make([]byte, exportSaltSize)))
		}
		if passphrase == "" {
			e := errs.Field("passphrase", "error.export_passphrase")
			e.Err = errors.New("open export: sealed with a passphrase, none given")
			return nil, e
		}
		pass, err := exportPassphrase(passphrase)
		if err != nil {
			// Too short to have sealed anything: wrong, without the cost.
			return nil, errs.Wrap(errs.Internal, ErrDecrypt, "open export: wrong passphrase")
		}
		key := exportKey(pass, raw)
		defer clear(key)
		pkg, err := OpenField(key, exportInfo, body)
		if err != nil {
			return nil, fmt.Errorf("open export: wrong passphrase or a damaged file: %w", err)
		}
		return pkg, nil
	case "key":
		if len(fields) != 4 || header != keyHeader(fields[3]) || !isKeyID(fields[3]) {
			return nil, errs.Wrap(errs.Internal, ErrMalformed, "open export: key header is not %q", keyHeader("<16 hex digits>"))
		}
		id, err := SealedKeyID(body)
		if err != nil {
			return nil, fmt.Errorf("open export: %w", err)
		}
		if id != fields[3] {
			return nil, errs.Wrap(errs.Internal, ErrMalformed, "open export: header names key %s, sealed to %s", fields[3], id)
		}
		pkg, err := Open(keys, exportInfo, body)
		if err != nil {
			return nil, fmt.Errorf("open export: %w", err)
		}
		return pkg, nil
	}
	return nil, errs.Wrap(errs.Internal, ErrMalformed, "open export: unknown mode %.20q", fields[2])
}

// splitExport cuts an export into its header line (with its "\n") and the
// sealed bytes.
func splitExport(data []byte) (header string, body []byte, err error) {
	i := bytes.IndexByte(data[:min(len(data), exportMaxHeader)], '\n')
	if i < 0 || !bytes.HasPrefix(data, []byte(exportMagic+" ")) {
		return "", nil, errs.Wrap(errs.Internal, ErrMalformed, "open export: not a case export")
	}
	header = string(data[:i+1])
	for _, r := range header[:i] {
		if r < 0x21 && r != ' ' || r > 0x7e {
			return "", nil, errs.Wrap(errs.Internal, ErrMalformed, "open export: header is not printable ASCII")
		}
	}
	if len(data) == i+1 {
		return "", nil, errs.Wrap(errs.Internal, ErrMalformed, "open export: nothing after the header")
	}
	return header, data[i+1:], nil
}

// isKeyID reports whether s is a key ID as keyID writes it.
func isKeyID(s string) bool {
	return len(s) == 2*keyIDSize && strings.Trim(s, "0123456789abcdef") == ""
}
