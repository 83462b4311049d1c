package api

import (
	_ "embed"
	"encoding/json"
	"fmt"
	"net/http"
)

//go:embed openapi.json
var openAPIDoc []byte

// OpenAPIPaths returns the operations the OpenAPI document declares, as
// "METHOD /path" with {param} segments, for the test that every /api route
// is documented.
func OpenAPIPaths() (map[string]bool, error) {
	var doc struct {
		OpenAPI string                                `json:"openapi"`
		Paths   map[string]map[string]json.RawMessage `json:"paths"`
	}
	if err := json.Unmarshal(openAPIDoc, &doc); err != nil {
		return nil, fmt.Errorf("openapi.json: %w", err)
	}
	out := map[string]bool{}
	for path, ops := range doc.Paths {
		for method := range ops {
			switch method {
			case "get", "post", "put", "patch", "delete":
				out[fmt.Sprintf("%s %s", httpMethod(method), path)] = true
			}
		}
	}
	return out, nil
}

func httpMethod(m string) string {
	switch m {
	case "get":
		return http.MethodGet
	case "post":
		return http.MethodPost
	case "put":
		return http.MethodPut
	case "patch":
		return http.MethodPatch
	}
	return http.MethodDelete
}

// OpenAPI serves GET /api/openapi.json.
func (h *Handlers) OpenAPI() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Cache-Control", "public, max-age=300")
		w.Write(openAPIDoc)
	})
}
