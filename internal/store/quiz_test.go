package store_test

import (
	"context"
	"sync"
	"testing"

	"github.com/notalone/notalone/internal/errs"
	"github.com/notalone/notalone/internal/event"
	"github.com/notalone/notalone/internal/quiz"
	"github.com/notalone/notalone/internal/store"
	"github.com/notalone/notalone/internal/store/storetest"
)

func testItems() []quiz.Item {
	tx := func(s string) quiz.Text { return quiz.Text{VI: s + " vi", EN: s} }
	return []quiz.Item{
		{ID: "q1", Type: quiz.Single, Topics: []string{"phishing"}, Ages: []string{"kids"}, Difficulty: 1, Prompt: tx("p1"),
			Options: []quiz.Option{{ID: "a", Text: tx("a"), Correct: true}, {ID: "b", Text: tx("b")}}},
		{ID: "sc1", Type: quiz.Scenario, Topics: []string{"grooming"}, Ages: []string{"kids"}, Difficulty: 1, Prompt: tx("p2"),
			Scenario: &quiz.Dialogue{Start: "n1", Steps: []quiz.Step{
				{ID: "n1", Choices: []quiz.Choice{{ID: "c1", Next: "n2"}, {ID: "c2", Safe: true}}},
				{ID: "n2", Choices: []quiz.Choice{{ID: "c1", Safe: true}, {ID: "c2"}}},
			}}},
	}
}

func testQuizzes() []quiz.Quiz {
	return []quiz.Quiz{{ID: "kids", Title: quiz.Text{VI: "Trẻ em", EN: "Kids"}, Items: []string{"q1", "sc1"}}}
}

func newPlay(t *testing.T, db *store.DB) *quiz.Play {
	t.Helper()
	ctx := context.Background()
	if _, err := db.LoadPacks(ctx, testItems(), testQuizzes(), nil); err != nil {
		t.Fatal(err)
	}
	bank, err := db.Bank(ctx)
	if err != nil {
		t.Fatal(err)
	}
	return quiz.NewPlay(db, bank, quiz.NewSegmentTokens([]byte("k")))
}

func TestLoadPacks(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		rep, err := db.LoadPacks(ctx, testItems(), testQuizzes(), nil)
		if err != nil || rep.Inserted != 3 {
			t.Fatalf("first load = %+v, %v; want 3 inserted", rep, err)
		}
		rep, err = db.LoadPacks(ctx, testItems(), testQuizzes(), nil)
		if err != nil || rep.Unchanged != 3 || rep.Inserted+rep.Updated != 0 {
			t.Fatalf("second load = %+v, %v; want all unchanged", rep, err)
		}
		items := testItems()
		items[0].Prompt.VI = "câu hỏi đã sửa"
		rep, err = db.LoadPacks(ctx, items, testQuizzes(), nil)
		if err != nil || rep.Updated != 1 {
			t.Fatalf("changed pack = %+v, %v; want 1 updated", rep, err)
		}
		bank, _ := db.Bank(ctx)
		if got := bank.Item("q1").Prompt.VI; got != "câu hỏi đã sửa" {
			t.Errorf("bank has %q after the update", got)
		}
		// An editor changes the item in the console; then the pack changes
		// too: the editor's version stays and the conflict is recorded once.
		edited := items[0]
		edited.Prompt = quiz.Text{VI: "bản của biên tập viên", EN: "editor"}
		v, err := db.SaveItemDraft(ctx, edited, "ed@x.example", "")
		if err != nil {
			t.Fatal(err)
		}
		if err := db.PublishItemVersion(ctx, "q1", v.Version, "ed@x.example"); err != nil {
			t.Fatal(err)
		}
		items[0].Prompt.VI = "bản mới của gói"
		rep, err = db.LoadPacks(ctx, items, testQuizzes(), nil)
		if err != nil || len(rep.Conflicts) != 1 || rep.Conflicts[0] != "item:q1" {
			t.Fatalf("conflicting load = %+v, %v", rep, err)
		}
		bank, _ = db.Bank(ctx)
		if got := bank.Item("q1").Prompt.VI; got != "bản của biên tập viên" {
			t.Errorf("the console edit lost: %q", got)
		}
		rep, _ = db.LoadPacks(ctx, items, testQuizzes(), nil)
		if len(rep.Conflicts) != 0 {
			t.Errorf("the same conflict was reported again: %+v", rep)
		}
		conflicts, err := db.ContentConflicts(ctx)
		if err != nil || len(conflicts) != 1 || conflicts[0].ObjectID != "q1" {
			t.Errorf("conflicts = %+v, %v", conflicts, err)
		}
	})
}

func TestPlayRules(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		p := newPlay(t, db)
		st, err := db.CreateStation(ctx, event.DefaultID, event.Kiosk, "Kiosk 1")
		if err != nil {
			t.Fatal(err)
		}
		online, _ := db.Event(ctx, event.DefaultID)
		a, err := p.Start(ctx, "kids", "en", event.Device{Event: online, Station: &st})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := p.Start(ctx, "nope", "en", event.Device{Event: online}); !errs.Is(err, errs.NotFound) {
			t.Errorf("unknown quiz = %v, want not found", err)
		}
		check := func(name string, err error, code errs.Code) {
			t.Helper()
			if !errs.Is(err, code) {
				t.Errorf("%s = %v, want %s", name, err, code)
			}
		}
		_, err = p.Answer(ctx, "no-such-attempt", "q1", "", quiz.Response{Choice: "a"})
		check("unknown attempt", err, errs.NotFound)
		_, err = p.Answer(ctx, a.ID, "zz", "", quiz.Response{Choice: "a"})
		check("item not in attempt", err, errs.Invalid)
		_, err = p.Answer(ctx, a.ID, "q1", "", quiz.Response{Choice: "zz"})
		check("malformed response", err, errs.Invalid)
		_, err = p.Answer(ctx, a.ID, "q1", "n1", quiz.Response{Choice: "a"})
		check("a step on a plain item", err, errs.Invalid)
		out, err := p.Answer(ctx, a.ID, "q1", "", quiz.Response{Choice: "a"})
		if err != nil || !out.Correct {
			t.Fatalf("first answer = %+v, %v", out, err)
		}
		_, err = p.Answer(ctx, a.ID, "q1", "", quiz.Response{Choice: "b"})
		check("second answer", err, errs.Conflict)
		_, err = p.Answer(ctx, a.ID, "sc1", "n2", quiz.Response{Choice: "c1"})
		check("a step out of order", err, errs.Invalid)
		out, err = p.Answer(ctx, a.ID, "sc1", "n1", quiz.Response{Choice: "c1"})
		if err != nil || out.Next == nil || out.Next.ID != "n2" {
			t.Fatalf("scenario step 1 = %+v, %v", out, err)
		}
		_, err = p.Answer(ctx, a.ID, "sc1", "n1", quiz.Response{Choice: "c2"})
		check("a scenario step again", err, errs.Conflict)
		if _, err = p.Answer(ctx, a.ID, "sc1", "n2", quiz.Response{Choice: "c1"}); err != nil {
			t.Fatal(err)
		}
		got, err := db.Attempt(ctx, a.ID)
		if err != nil || len(got.Answers) != 3 || got.StationID != st.ID || got.EventID != event.DefaultID || got.Lang != "en" {
			t.Fatalf("stored attempt = %+v, %v", got, err)
		}
		for i, an := range got.Answers {
			if an.Seq != i+1 || an.AnsweredAt.IsZero() || an.TimeTaken < 0 {
				t.Errorf("answer %d = %+v", i, an)
			}
		}
		if got.Score != 2 || got.MaxScore != 3 {
			t.Errorf("attempt totals = %d/%d, want 2/3", got.Score, got.MaxScore)
		}
		s, err := p.Finish(ctx, a.ID)
		if err != nil || s.Score != 2 || s.MaxScore != 3 || len(s.Topics) != 2 {
			t.Fatalf("finish = %+v, %v", s, err)
		}
		again, err := p.Finish(ctx, a.ID)
		if err != nil || again.Score != s.Score {
			t.Errorf("finish again = %+v, %v", again, err)
		}
		b, _ := p.Start(ctx, "kids", "vi", event.Device{Event: online})
		p.Finish(ctx, b.ID)
		_, err = p.Answer(ctx, b.ID, "q1", "", quiz.Response{Choice: "a"})
		check("answer after finish", err, errs.Conflict)
		_, err = p.Finish(ctx, "no-such-attempt")
		check("finish unknown", err, errs.NotFound)
	})
}

// TestConcurrentAnswersFirstStands sends the same answer many times at
// once: exactly one is recorded.
func TestConcurrentAnswersFirstStands(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		p := newPlay(t, db)
		online, _ := db.Event(ctx, event.DefaultID)
		a, _ := p.Start(ctx, "kids", "vi", event.Device{Event: online})
		var wg sync.WaitGroup
		var mu sync.Mutex
		results := map[errs.Code]int{}
		for range 20 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, err := p.Answer(ctx, a.ID, "q1", "", quiz.Response{Choice: "a"})
				code := errs.Code("ok")
				if err != nil {
					code = errs.CodeOf(err)
				}
				mu.Lock()
				results[code]++
				mu.Unlock()
			}()
		}
		wg.Wait()
		if results["ok"] != 1 || results[errs.Conflict] != 19 {
			t.Errorf("20 simultaneous answers = %v, want 1 ok and 19 conflicts", results)
		}
		got, _ := db.Attempt(ctx, a.ID)
		if len(got.Answers) != 1 || got.Score != 1 {
			t.Errorf("stored %d answers, score %d", len(got.Answers), got.Score)
		}
	})
}

func TestStoreAfterClose(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		p := newPlay(t, db)
		online, _ := db.Event(ctx, event.DefaultID)
		a, _ := p.Start(ctx, "kids", "vi", event.Device{Event: online})
		db.Close()
		if err := db.Close(); err != nil {
			t.Errorf("second Close = %v", err)
		}
		if err := db.RecordAnswer(ctx, quiz.Answer{AttemptID: a.ID, ItemID: "q1"}); err == nil {
			t.Errorf("an answer was recorded after Close")
		}
	})
}
