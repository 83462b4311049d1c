package i18n

import (
	"context"
	"net/http"
)

// CookieName remembers a visitor's chosen language. It is the only thing
// the site remembers about a visitor, and it is not personal data.
const CookieName = "na_lang"

// FromRequest picks the language of a request: an explicit ?lang= first,
// then the remembered choice, then the browser's Accept-Language (a first
// visit). chosen reports that ?lang= decided it, so the caller remembers it.
func FromRequest(r *http.Request) (l Lang, chosen bool) {
	if q := r.URL.Query().Get("lang"); q != "" {
		if l, ok := Parse(q); ok {
			return l, true
		}
	}
	if c, err := r.Cookie(CookieName); err == nil {
		if l, ok := Parse(c.Value); ok {
			return l, false
		}
	}
	return Negotiate(r.Header.Get("Accept-Language")), false
}

type ctxKey struct{}

// WithLang stores the request's language in ctx.
func WithLang(ctx context.Context, l Lang) context.Context {
	return context.WithValue(ctx, ctxKey{}, l)
}

// LangFrom returns the language the server middleware chose (Vietnamese
// when none was).
func LangFrom(ctx context.Context) Lang {
	if l, ok := ctx.Value(ctxKey{}).(Lang); ok {
		return l
	}
	return VI
}
