package web

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/notalone/notalone/internal/content"
)

// MaxPackUpload caps the body of a content-pack upload, form included.
// It is larger than the server's default body limit, so the import route
// raises the limit to this (server/routes.go); the handler enforces it
// again itself.
const MaxPackUpload = 10 << 20

// packField is the form field of the uploaded .zip.
const packField = "pack"

type packsPage struct {
	consolePage
	ImportHelp string
	// Imported is the summary of the import just made.
	Imported string
	// Problems are every problem of a refused pack, "file: id: field: message".
	Problems []string
}

func (h *Handlers) packsPage(r *http.Request) packsPage {
	p := packsPage{consolePage: h.consoleLayout(r, "console.packs")}
	p.ImportHelp = p.L.T("console.packs_import_text", "mb", MaxPackUpload>>20)
	return p
}

// importSummary is what the redirect after an import carries.
var importSummary = []string{"items_added", "items_changed", "items_unchanged", "quizzes_added", "quizzes_changed", "quizzes_unchanged"}

func (h *Handlers) packs(w http.ResponseWriter, r *http.Request) error {
	p := h.packsPage(r)
	q := r.URL.Query()
	if q.Has(importSummary[0]) {
		var kv []any
		for _, k := range importSummary {
			n, _ := strconv.Atoi(q.Get(k))
			kv = append(kv, k, p.L.Number(int64(max(n, 0))))
		}
		p.Imported = p.L.T("console.packs_imported", kv...)
	}
	h.render(w, r, http.StatusOK, "console_packs", p)
	return nil
}

// Packs serves GET /console/content/packs: export and import.
func (h *Handlers) Packs() http.Handler { return h.handle(h.packs) }

func (h *Handlers) packExport(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	bank, err := h.Editor.Bank(ctx)
	if err != nil {
		return err
	}
	options, err := h.Editor.PledgeOptions(ctx)
	if err != nil {
		return err
	}
	data, items, quizzes, err := content.ExportBank(bank, h.Content.Hotlines, options)
	if err != nil {
		return err
	}
	if err := h.Console.Audit(ctx, account(ctx).Email, "content.export", "content-pack",
		fmt.Sprintf("%d items, %d quizzes", items, quizzes)); err != nil {
		return err
	}
	name := "notalone-content-" + time.Now().UTC().Format("2006-01-02") + ".zip"
	w.Header().Set("Content-Type", "application/zip")
	w.Header().Set("Content-Disposition", `attachment; filename="`+name+`"`)
	w.Header().Set("Content-Length", strconv.Itoa(len(data)))
	w.Write(data)
	return nil
}

// PackExport serves GET /console/content/packs/export: every published
// item and quiz, with the hotlines, as a .zip in the layout of content/.
func (h *Handlers) PackExport() http.Handler { return h.handle(h.packExport) }

// packRefused shows the packs page again with why nothing was imported.
func (h *Handlers) packRefused(w http.ResponseWriter, r *http.Request, status int, key string, problems content.Problems) {
	p := h.packsPage(r)
	p.Error = p.L.T(key, "mb", MaxPackUpload>>20)
	for _, pr := range problems {
		p.Problems = append(p.Problems, pr.String())
	}
	h.render(w, r, status, "console_packs", p)
}

func (h *Handlers) packImport(w http.ResponseWriter, r *http.Request) error {
	r.Body = http.MaxBytesReader(w, r.Body, MaxPackUpload)
	// The whole upload stays in memory (it is capped): no temporary files.
	if err := r.ParseMultipartForm(MaxPackUpload); err != nil {
		if tooBig := (*http.MaxBytesError)(nil); errors.As(err, &tooBig) {
			h.packRefused(w, r, http.StatusRequestEntityTooLarge, "console.packs_too_large", nil)
			return nil
		}
		h.packRefused(w, r, http.StatusBadRequest, "console.packs_no_file", nil)
		return nil
	}
	defer r.MultipartForm.RemoveAll()
	f, _, err := r.FormFile(packField)
	if err != nil {
		h.packRefused(w, r, http.StatusBadRequest, "console.packs_no_file", nil)
		return nil
	}
	defer f.Close()
	data, err := io.ReadAll(f)
	if err != nil {
		return err
	}
	pack, err := content.LoadZip(data, content.MaxPackBytes)
	if err != nil {
		problems, ok := content.AsProblems(err)
		if !ok {
			return err
		}
		h.packRefused(w, r, http.StatusBadRequest, "console.packs_problems", problems)
		return nil
	}
	ctx := r.Context()
	rep, err := h.Editor.ImportPack(ctx, pack.Items, pack.Quizzes, pack.PledgeOptions, account(ctx).Email)
	if err != nil {
		return err
	}
	if err := h.ContentPublished(ctx); err != nil {
		return err
	}
	q := url.Values{}
	for i, n := range []int{rep.ItemsAdded, rep.ItemsChanged, rep.ItemsUnchanged, rep.QuizzesAdded, rep.QuizzesChanged, rep.QuizzesUnchanged} {
		q.Set(importSummary[i], strconv.Itoa(n))
	}
	http.Redirect(w, r, "/console/content/packs?"+q.Encode(), http.StatusSeeOther)
	return nil
}

// PackImport serves POST /console/content/packs/import: a .zip pack,
// checked as a whole; any problem refuses all of it, listed in full.
func (h *Handlers) PackImport() http.Handler { return h.handle(h.packImport) }
