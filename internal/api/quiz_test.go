package api_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/notalone/notalone/internal/app"
	"github.com/notalone/notalone/internal/apptest"
	"github.com/notalone/notalone/internal/quiz"
)

type client struct {
	t *testing.T
	h http.Handler
}

func newClient(t *testing.T) (*client, *app.Instance) {
	in, _ := apptest.MustStart(t)
	return &client{t: t, h: in.Server.Handler()}, in
}

func (c *client) do(method, path, body string) (int, string) {
	c.t.Helper()
	r := httptest.NewRequest(method, path, strings.NewReader(body))
	if body != "" {
		r.Header.Set("Content-Type", "application/json")
	}
	w := httptest.NewRecorder()
	c.h.ServeHTTP(w, r)
	b, _ := io.ReadAll(w.Result().Body)
	return w.Code, string(b)
}

func (c *client) json(method, path, body string, wantStatus int, v any) {
	c.t.Helper()
	status, b := c.do(method, path, body)
	if status != wantStatus {
		c.t.Fatalf("%s %s = %d %s, want %d", method, path, status, b, wantStatus)
	}
	if v != nil {
		if err := json.Unmarshal([]byte(b), v); err != nil {
			c.t.Fatalf("%s %s: %v in %s", method, path, err, b)
		}
	}
}

// answerKeys are words that appear only where answers are: a play view
// containing any of them leaks.
var answerKeys = []string{`"correct"`, `"flags"`, `"feedback"`, `"explanation"`, `"tip"`, `"verdict"`, `"safe"`, `"next"`, `"consequence"`, `"score"`, `"red_flags"`}

func TestQuizAPINeverLeaksAnswers(t *testing.T) {
	c, in := newClient(t)
	var list struct {
		Quizzes []struct {
			ID        string `json:"id"`
			ItemCount int    `json:"item_count"`
		} `json:"quizzes"`
	}
	c.json("GET", "/api/v1/quizzes?lang=en", "", 200, &list)
	if len(list.Quizzes) == 0 {
		t.Fatal("no quizzes")
	}
	bank := in.Server.API.Play.Bank()
	for _, q := range list.Quizzes {
		_, body := c.do("GET", "/api/v1/quizzes/"+q.ID+"?lang=vi", "")
		for _, k := range answerKeys {
			if strings.Contains(body, k) {
				t.Errorf("GET /api/v1/quizzes/%s contains %s", q.ID, k)
			}
		}
		// Raw segment ids never appear either: the page must not say which
		// segments are flags.
		for _, it := range bank.QuizItems(bank.Quiz(q.ID)) {
			for _, f := range it.Flags {
				if strings.Contains(body, `"id":"`+f.Segment+`"`) {
					t.Errorf("quiz %s shows the raw id of flagged segment %s/%s", q.ID, it.ID, f.Segment)
				}
			}
		}
		_, body = c.do("POST", "/api/v1/attempts", `{"quiz_id":"`+q.ID+`","lang":"en"}`)
		for _, k := range answerKeys {
			if strings.Contains(body, k) {
				t.Errorf("POST /api/v1/attempts for %s contains %s", q.ID, k)
			}
		}
	}
}

func TestPlayThroughTheAPI(t *testing.T) {
	c, in := newClient(t)
	var a struct {
		ID    string `json:"id"`
		Items []struct {
			ID       string                                    `json:"id"`
			Type     string                                    `json:"type"`
			Options  []struct{ ID string }                     `json:"options"`
			Reasons  []struct{ ID string }                     `json:"reasons"`
			Message  *struct{ Segments []struct{ ID string } } `json:"message"`
			Scenario *struct {
				Start struct {
					ID      string
					Choices []struct{ ID string }
				}
			} `json:"scenario"`
		} `json:"items"`
	}
	c.json("POST", "/api/v1/attempts", `{"quiz_id":"kiosk","lang":"en"}`, 201, &a)
	if len(a.Items) != 5 {
		t.Fatalf("kiosk attempt has %d items, want 5", len(a.Items))
	}
	bank := in.Server.API.Play.Bank()
	for _, it := range a.Items {
		var body string
		step := ""
		switch quiz.Type(it.Type) {
		case quiz.Single:
			body = `{"choice":"` + it.Options[0].ID + `"}`
		case quiz.Multi:
			body = `{"choices":["` + it.Options[0].ID + `"]}`
		case quiz.ScamOrSafe:
			body = `{"verdict":"scam","reason":"` + it.Reasons[0].ID + `"}`
		case quiz.SpotFlags:
			body = `{"segments":["` + it.Message.Segments[0].ID + `"]}`
		case quiz.Scenario:
			step = it.Scenario.Start.ID
			body = `{"choice":"` + it.Scenario.Start.Choices[0].ID + `"}`
		}
		var res struct {
			Feedback    []string
			Explanation string
			RedFlags    []map[string]any `json:"red_flags"`
			NextStep    *struct {
				ID      string
				Choices []struct{ ID string }
			} `json:"next_step"`
		}
		req := `{"item_id":"` + it.ID + `","step":"` + step + `","response":` + body + `}`
		c.json("POST", "/api/v1/attempts/"+a.ID+"/answers", req, 200, &res)
		if res.NextStep == nil && res.Explanation == "" {
			t.Errorf("item %s: no explanation once done", it.ID)
		}
		if quiz.Type(it.Type) == quiz.SpotFlags && len(res.RedFlags) != len(bank.Item(it.ID).Flags) {
			t.Errorf("item %s: %d red flags in feedback, want every flag", it.ID, len(res.RedFlags))
		}
		// The same answer again: the first stands.
		if status, _ := c.do("POST", "/api/v1/attempts/"+a.ID+"/answers", req); status != 409 {
			t.Errorf("item %s answered twice = %d, want 409", it.ID, status)
		}
		for res.NextStep != nil {
			req := `{"item_id":"` + it.ID + `","step":"` + res.NextStep.ID + `","response":{"choice":"` + res.NextStep.Choices[0].ID + `"}}`
			res.NextStep = nil
			c.json("POST", "/api/v1/attempts/"+a.ID+"/answers", req, 200, &res)
		}
	}
	var fin struct {
		Score    int `json:"score"`
		MaxScore int `json:"max_score"`
		Topics   []struct {
			Topic    string `json:"topic"`
			Name     string `json:"name"`
			MaxScore int    `json:"max_score"`
		} `json:"topics"`
	}
	c.json("POST", "/api/v1/attempts/"+a.ID+"/finish", "", 200, &fin)
	if fin.MaxScore == 0 || len(fin.Topics) == 0 || fin.Topics[0].Name == "" {
		t.Errorf("finish = %+v", fin)
	}
	status, body := c.do("POST", "/api/v1/attempts/"+a.ID+"/answers", `{"item_id":"`+a.Items[0].ID+`","response":{"choice":"a"}}`)
	if status != 409 || !strings.Contains(body, `"code":"conflict"`) {
		t.Errorf("answer after finish = %d %s", status, body)
	}
}

func TestQuizAPIBadInput(t *testing.T) {
	c, _ := newClient(t)
	var a struct {
		ID    string `json:"id"`
		Items []struct{ ID, Type string }
	}
	c.json("POST", "/api/v1/attempts", `{"quiz_id":"kiosk"}`, 201, &a)
	first := a.Items[0]
	for _, it := range a.Items {
		if it.Type != "scenario" {
			first = it
		}
	}
	tests := []struct {
		name, method, path, body string
		status                   int
		want                     string
	}{
		{"unknown quiz", "GET", "/api/v1/quizzes/nope", "", 404, `"code":"not_found"`},
		{"start unknown quiz", "POST", "/api/v1/attempts", `{"quiz_id":"nope"}`, 404, `"code":"not_found"`},
		{"start without quiz", "POST", "/api/v1/attempts", `{"lang":"vi"}`, 400, `"field":"quiz_id"`},
		{"start bad lang", "POST", "/api/v1/attempts", `{"quiz_id":"kiosk","lang":"fr"}`, 400, `"field":"lang"`},
		{"start unknown field", "POST", "/api/v1/attempts", `{"quiz_id":"kiosk","event_id":"x"}`, 400, `"code":"invalid"`},
		{"start not json", "POST", "/api/v1/attempts", `quiz_id=kiosk`, 400, `"code":"invalid"`},
		{"start trailing data", "POST", "/api/v1/attempts", `{"quiz_id":"kiosk"}{}`, 400, `"code":"invalid"`},
		{"start wrong type", "POST", "/api/v1/attempts", `{"quiz_id":5}`, 400, `"field":"quiz_id"`},
		{"start invalid utf-8", "POST", "/api/v1/attempts", "{\"quiz_id\":\"ki\xffosk\"}", 400, "UTF-8"},
		{"start huge body", "POST", "/api/v1/attempts", `{"quiz_id":"` + strings.Repeat("k", 2<<20) + `"}`, 413, `"code":"too_large"`},
		{"answer unknown attempt", "POST", "/api/v1/attempts/NOPE/answers", `{"item_id":"x","response":{"choice":"a"}}`, 404, `"code":"not_found"`},
		{"answer item not in attempt", "POST", "/api/v1/attempts/" + a.ID + "/answers", `{"item_id":"not-here","response":{"choice":"a"}}`, 400, `"field":"item_id"`},
		{"answer without item", "POST", "/api/v1/attempts/" + a.ID + "/answers", `{"response":{"choice":"a"}}`, 400, `"field":"item_id"`},
		{"answer without response", "POST", "/api/v1/attempts/" + a.ID + "/answers", `{"item_id":"` + first.ID + `"}`, 400, `"field":"response"`},
		{"answer of the wrong shape", "POST", "/api/v1/attempts/" + a.ID + "/answers", `{"item_id":"` + first.ID + `","response":{"verdict":"perhaps"}}`, 400, `"field":"response"`},
		{"answer with unknown field", "POST", "/api/v1/attempts/" + a.ID + "/answers", `{"item_id":"` + first.ID + `","response":{"choice":"a","score":9}}`, 400, `"code":"invalid"`},
		{"finish unknown", "POST", "/api/v1/attempts/NOPE/finish", "", 404, `"code":"not_found"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, body := c.do(tt.method, tt.path, tt.body)
			if status != tt.status || !strings.Contains(body, tt.want) {
				t.Errorf("%s %s = %d %.300s, want %d with %s", tt.method, tt.path, status, body, tt.status, tt.want)
			}
		})
	}
}

func FuzzAnswerBody(f *testing.F) {
	in, _ := apptest.MustStart(f)
	h := in.Server.Handler()
	r := httptest.NewRequest("POST", "/api/v1/attempts", strings.NewReader(`{"quiz_id":"kiosk"}`))
	r.Header.Set("Content-Type", "application/json")
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	var a struct{ ID string }
	json.Unmarshal(w.Body.Bytes(), &a)
	f.Add(`{"item_id":"q-otp-who-can-ask","response":{"choice":"a"}}`)
	f.Add(`{"item_id":"x","step":"n1","response":{"segments":["g1"]}}`)
	f.Add(`{"response":{"choices":null}}`)
	f.Fuzz(func(t *testing.T, body string) {
		r := httptest.NewRequest("POST", "/api/v1/attempts/"+a.ID+"/answers", strings.NewReader(body))
		r.Header.Set("Content-Type", "application/json")
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		if w.Code >= 500 {
			t.Errorf("body %q gave %d: %s", body, w.Code, w.Body.String())
		}
		if !json.Valid(w.Body.Bytes()) {
			t.Errorf("body %q gave a non-JSON answer", body)
		}
	})
}
