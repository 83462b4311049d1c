package server_test

import (
	"encoding/json"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/notalone/notalone/internal/apptest"
)

// apiMedia is an item as GET /api/v1/media returns it.
type apiMedia struct {
	ID       string            `json:"id"`
	Kind     string            `json:"kind"`
	Title    map[string]string `json:"title"`
	Summary  map[string]string `json:"summary"`
	Topics   []string          `json:"topics"`
	Langs    []string          `json:"langs"`
	FileURL  string            `json:"file_url"`
	Poster   string            `json:"poster_url"`
	Captions map[string]string `json:"captions"`
	Files    map[string]string `json:"files"`
	CoverURL string            `json:"cover_url"`
	Pages    int               `json:"pages"`
	BodyHTML *struct {
		VI string `json:"vi"`
		EN string `json:"en"`
	} `json:"body_html"`
	Ambassador *struct {
		Name string `json:"name"`
		Age  int    `json:"age"`
	} `json:"ambassador"`
}

type apiError struct {
	Error struct {
		Code, Message, Field string
	} `json:"error"`
}

func TestMediaAPI(t *testing.T) {
	in, _ := apptest.MustStart(t)
	h := in.Server.Handler()
	lib := learnLibrary(t, in)
	public := in.Server.API.PublicURL
	list := func(query string) []apiMedia {
		t.Helper()
		res, b := get(t, h, "/api/v1/media?"+query)
		var out struct{ Items []apiMedia }
		if res.StatusCode != 200 || !strings.HasPrefix(res.Header.Get("Content-Type"), "application/json") || json.Unmarshal([]byte(b), &out) != nil {
			t.Fatalf("GET /api/v1/media?%s = %d %s", query, res.StatusCode, b)
		}
		return out.Items
	}
	ids := func(items []apiMedia) []string {
		var out []string
		for _, it := range items {
			out = append(out, it.ID)
		}
		return out
	}

	all := list("")
	i := slices.IndexFunc(all, func(it apiMedia) bool { return it.ID == "t-video-tin-nhan" })
	if i < 0 || !slices.Contains(ids(all), "t-story-lan") || !slices.Contains(ids(all), "t-guide-parents") {
		t.Fatalf("the list lacks the library's items: %q", ids(all))
	}
	v := all[i]
	if v.Kind != "video" || v.Title["vi"] != "Nhận ra tin nhắn lừa đảo" || v.Title["en"] != "Spot a scam message" ||
		v.FileURL != public+"/media/"+lib.mp4.Name() || v.Poster != public+"/media/"+lib.poster.Name() ||
		v.Captions["vi"] != public+"/media/"+lib.vttVI.Name() || v.Captions["en"] != public+"/media/"+lib.vttEN.Name() || v.BodyHTML != nil {
		t.Errorf("video = %+v", v)
	}
	// The URL is the file.
	if u, err := url.Parse(v.FileURL); err != nil {
		t.Error(err)
	} else if res, _ := get(t, h, u.Path); res.StatusCode != 200 || res.Header.Get("Content-Type") != "video/mp4" {
		t.Errorf("GET %s = %d %s", u.Path, res.StatusCode, res.Header.Get("Content-Type"))
	}

	tests := []struct {
		query       string
		want, avoid []string
	}{
		{"kind=story", []string{"t-story-lan"}, []string{"t-video-tin-nhan", "t-guide-parents"}},
		{"topic=grooming", []string{"t-guide-parents"}, []string{"t-video-tin-nhan", "t-story-lan"}},
		{"audience=adults", []string{"t-guide-parents"}, []string{"t-video-tin-nhan", "t-story-lan"}},
		{"lang=en", []string{"t-video-tin-nhan", "t-guide-parents"}, []string{"t-story-lan"}},
		{"q=" + url.QueryEscape("lừa đảo"), []string{"t-video-tin-nhan"}, []string{"t-story-lan", "t-guide-parents"}},
		{"q=" + url.QueryEscape("LUA dao!"), []string{"t-video-tin-nhan"}, []string{"t-story-lan", "t-guide-parents"}},
		{"q=" + url.QueryEscape("cẩm nang"), []string{"t-guide-parents"}, []string{"t-video-tin-nhan"}},
		{"q=nang&kind=video", nil, []string{"t-guide-parents", "t-video-tin-nhan"}},
		// SQL and full-text syntax is text: no error, no match.
		{"q=" + url.QueryEscape(`lua" OR 1=1; --`), nil, []string{"t-video-tin-nhan", "t-story-lan", "t-guide-parents"}},
		{"q=" + url.QueryEscape(`NEAR(lua dao) * ^dao`), nil, []string{"t-story-lan", "t-guide-parents"}},
	}
	for _, tt := range tests {
		got := list(tt.query)
		for _, id := range tt.want {
			if !slices.Contains(ids(got), id) {
				t.Errorf("?%s lacks %s: %q", tt.query, id, ids(got))
			}
		}
		for _, id := range tt.avoid {
			if slices.Contains(ids(got), id) {
				t.Errorf("?%s has %s: %q", tt.query, id, ids(got))
			}
		}
	}
	for _, it := range list("kind=publication") {
		if it.Kind != "publication" {
			t.Errorf("kind=publication lists a %s", it.Kind)
		}
	}

	for _, tt := range []struct{ query, field string }{
		{"kind=podcast", "kind"}, {"topic=scams", "topic"}, {"audience=babies", "audience"}, {"lang=fr", "lang"},
		{"q=" + strings.Repeat("a", 201), "q"},
	} {
		res, b := get(t, h, "/api/v1/media?"+tt.query)
		var e apiError
		if json.Unmarshal([]byte(b), &e); res.StatusCode != 400 || e.Error.Code != "invalid" || e.Error.Field != tt.field || e.Error.Message == "" {
			t.Errorf("?%s = %d %s, want 400 about %s", tt.query, res.StatusCode, b, tt.field)
		}
	}

	for _, id := range []string{"no-such-item", strings.Repeat("x", 300), "t-video-tin-nhan%00"} {
		res, b := get(t, h, "/api/v1/media/"+id)
		var e apiError
		if json.Unmarshal([]byte(b), &e); res.StatusCode != 404 || e.Error.Code != "not_found" {
			t.Errorf("GET /api/v1/media/%.20s = %d %s, want 404", id, res.StatusCode, b)
		}
	}

	res, b := get(t, h, "/api/v1/media/t-story-lan")
	var story apiMedia
	if err := json.Unmarshal([]byte(b), &story); err != nil || res.StatusCode != 200 || story.BodyHTML == nil {
		t.Fatalf("GET /api/v1/media/t-story-lan = %d %s", res.StatusCode, b)
	}
	if !strings.Contains(story.BodyHTML.VI, "<strong>mình</strong>") || !strings.Contains(story.BodyHTML.VI, `rel="nofollow noopener"`) ||
		strings.Contains(story.BodyHTML.VI, "<script") || strings.Contains(story.BodyHTML.VI, "javascript:") || story.BodyHTML.EN != "" {
		t.Errorf("story body_html = %+v", story.BodyHTML)
	}
	if story.Ambassador == nil || story.Ambassador.Name != "Lan" || story.Ambassador.Age != 15 {
		t.Errorf("story ambassador = %+v", story.Ambassador)
	}
	res, b = get(t, h, "/api/v1/media/t-guide-parents")
	var pub apiMedia
	if json.Unmarshal([]byte(b), &pub); res.StatusCode != 200 || pub.Files["vi"] != public+"/media/"+lib.pdfVI.Name() ||
		pub.CoverURL != public+"/media/"+lib.cover.Name() || pub.Pages != 12 || pub.BodyHTML != nil {
		t.Errorf("publication = %d %+v", res.StatusCode, pub)
	}
	// Error messages follow the language asked for.
	r := httptest.NewRequest("GET", "/api/v1/media?kind=x", nil)
	r.Header.Set("Accept-Language", "en")
	var e apiError
	json.Unmarshal([]byte(body(t, do(t, h, r))), &e)
	if e.Error.Message != catalog(t).For("en").T("error.api_filter") {
		t.Errorf("English error = %q", e.Error.Message)
	}
}
