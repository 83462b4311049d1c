package api

import (
	"net/http"
	"strings"
)

// A browser reports a Content-Security-Policy violation in one of two
// shapes: the older report-uri body, or the Reporting API's list.
type cspReportLegacy struct {
	Report struct {
		ViolatedDirective  string `json:"violated-directive"`
		EffectiveDirective string `json:"effective-directive"`
	} `json:"csp-report"`
}

type cspReportEntry struct {
	Type string `json:"type"`
	Body struct {
		EffectiveDirective string `json:"effectiveDirective"`
	} `json:"body"`
}

// knownDirectives bounds the metric's label values.
var knownDirectives = map[string]bool{
	"default-src": true, "script-src": true, "script-src-elem": true, "script-src-attr": true,
	"style-src": true, "style-src-elem": true, "style-src-attr": true, "img-src": true,
	"font-src": true, "connect-src": true, "media-src": true, "frame-src": true,
	"frame-ancestors": true, "form-action": true, "object-src": true, "base-uri": true,
	"worker-src": true, "manifest-src": true,
}

func directiveLabel(d string) string {
	d = strings.ToLower(strings.Fields(d + " x")[0])
	if knownDirectives[d] {
		return d
	}
	return "other"
}

// cspReport counts violations by directive: a rise after a release means a
// page broke on visitors' devices. Nothing else from the report is kept —
// it can carry the URL of the page the visitor was on.
func (h *Handlers) cspReport(w http.ResponseWriter, r *http.Request) error {
	var directives []string
	if strings.HasPrefix(r.Header.Get("Content-Type"), "application/reports+json") {
		var list []cspReportEntry
		if err := decodeLenient(r, &list, "application/reports+json"); err != nil {
			return err
		}
		for _, e := range list {
			if e.Type == "csp-violation" {
				directives = append(directives, e.Body.EffectiveDirective)
			}
		}
	} else {
		var rep cspReportLegacy
		if err := decodeLenient(r, &rep, "application/csp-report", "application/json"); err != nil {
			return err
		}
		d := rep.Report.EffectiveDirective
		if d == "" {
			d = rep.Report.ViolatedDirective
		}
		directives = append(directives, d)
	}
	for _, d := range directives {
		h.Metrics.Count("notalone_csp_violations_total", "Content-Security-Policy violations reported by browsers.", "directive", directiveLabel(d))
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// CSPReport serves POST /api/v1/csp-reports.
func (h *Handlers) CSPReport() http.Handler { return h.handle(h.cspReport) }
