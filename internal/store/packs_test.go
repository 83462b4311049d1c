package store_test

import (
	"context"
	"reflect"
	"slices"
	"strings"
	"testing"

	shipped "github.com/notalone/notalone/content"
	"github.com/notalone/notalone/internal/content"
	"github.com/notalone/notalone/internal/errs"
	"github.com/notalone/notalone/internal/quiz"
	"github.com/notalone/notalone/internal/store"
	"github.com/notalone/notalone/internal/store/storetest"
)

// published returns copies of a database's published items (by id) and
// quizzes (in the bank's order).
func published(t *testing.T, db *store.DB) ([]quiz.Item, []quiz.Quiz) {
	t.Helper()
	bank, err := db.Bank(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	var items []quiz.Item
	for _, it := range bank.AllItems() {
		items = append(items, *it)
	}
	var quizzes []quiz.Quiz
	for _, q := range bank.Quizzes() {
		quizzes = append(quizzes, *q)
	}
	return items, quizzes
}

func auditCount(t *testing.T, db *store.DB, action string) int {
	t.Helper()
	entries, err := db.AuditEntries(context.Background(), store.AuditFilter{Action: action})
	if err != nil {
		t.Fatal(err)
	}
	return len(entries)
}

// TestPackRoundTrip is the issue's "pack round-trip (export → import into
// an empty database → identical)".
func TestPackRoundTrip(t *testing.T) {
	packs, err := content.Load(shipped.FS)
	if err != nil {
		t.Fatal(err)
	}
	storetest.EachEngine(t, func(t *testing.T, e storetest.Engine) {
		ctx := context.Background()
		src := storetest.MustOpen(t, e.DSN(t))
		if _, err := src.LoadPacks(ctx, packs.Items, packs.Quizzes, packs.PledgeOptions); err != nil {
			t.Fatal(err)
		}
		// A console edit travels too.
		srcBank, err := src.Bank(ctx)
		if err != nil {
			t.Fatal(err)
		}
		it := *srcBank.Item("q-otp-who-can-ask")
		it.Prompt.EN = "Who may ask for the code your phone just received?"
		if _, err := src.SaveItemDraft(ctx, it, "ed@x.example", "clearer"); err != nil {
			t.Fatal(err)
		}
		if err := src.PublishItemVersion(ctx, it.ID, 1, "ed@x.example"); err != nil {
			t.Fatal(err)
		}
		items, quizzes := published(t, src)

		zip, err := content.Export(items, quizzes, packs.Hotlines, packs.PledgeOptions)
		if err != nil {
			t.Fatal(err)
		}
		pack, err := content.LoadZip(zip, 0)
		if err != nil {
			t.Fatalf("LoadZip(Export(database)): %v", err)
		}

		dst := storetest.MustOpen(t, e.DSN(t))
		if got, _ := published(t, dst); len(got) != 0 {
			t.Fatalf("a new database has %d items, want none", len(got))
		}
		rep, err := dst.ImportPack(ctx, pack.Items, pack.Quizzes, pack.PledgeOptions, "ed@x.example")
		if err != nil {
			t.Fatal(err)
		}
		if want := (store.ImportReport{ItemsAdded: len(items), QuizzesAdded: len(quizzes), OptionsAdded: len(pack.PledgeOptions)}); rep != want {
			t.Errorf("import into an empty database = %+v, want %+v", rep, want)
		}
		gotItems, gotQuizzes := published(t, dst)
		if !reflect.DeepEqual(gotItems, items) {
			t.Errorf("items differ after export → import")
		}
		if !reflect.DeepEqual(gotQuizzes, quizzes) {
			t.Errorf("quizzes differ after export → import:\n got %+v\nwant %+v", gotQuizzes, quizzes)
		}
		versions, err := dst.ItemVersions(ctx, "q-otp-who-can-ask")
		if err != nil || len(versions) != 1 || versions[0].Note != "imported" || versions[0].Author != "ed@x.example" || versions[0].PublishedAt == nil {
			t.Errorf("versions of an imported item = %+v, %v", versions, err)
		}
		if qv, _ := dst.QuizVersions(ctx, quizzes[0].ID); len(qv) != 1 || qv[0].PublishedAt == nil {
			t.Errorf("versions of an imported quiz = %+v", qv)
		}

		// The same pack again changes nothing.
		rep, err = dst.ImportPack(ctx, pack.Items, pack.Quizzes, pack.PledgeOptions, "ed@x.example")
		if want := (store.ImportReport{ItemsUnchanged: len(items), QuizzesUnchanged: len(quizzes), OptionsUnchanged: len(pack.PledgeOptions)}); err != nil || rep != want {
			t.Errorf("second import = %+v, %v, want %+v", rep, err, want)
		}
		if versions, _ := dst.ItemVersions(ctx, "q-otp-who-can-ask"); len(versions) != 1 {
			t.Errorf("a second import of the same pack added versions: %d", len(versions))
		}
		if n := auditCount(t, dst, "content.import"); n != 2 {
			t.Errorf("%d content.import audit entries, want 2", n)
		}

		// Into the source: only the changed item is a new version, and a
		// later shipped-pack change to it is a conflict.
		changed := slices.Clone(pack.Items)
		for i := range changed {
			if changed[i].ID == "q-hotline-111" {
				changed[i].Tip.EN = "Save 111 in your phone today."
			}
		}
		rep, err = src.ImportPack(ctx, changed, pack.Quizzes, pack.PledgeOptions, "ed@x.example")
		if want := (store.ImportReport{ItemsChanged: 1, ItemsUnchanged: len(items) - 1, QuizzesUnchanged: len(quizzes), OptionsUnchanged: len(pack.PledgeOptions)}); err != nil || rep != want {
			t.Errorf("import of one change = %+v, %v, want %+v", rep, err, want)
		}
		next := slices.Clone(packs.Items)
		for i := range next {
			if next[i].ID == "q-hotline-111" {
				next[i].Tip.VI = "Lưu số 111 vào điện thoại."
			}
		}
		lp, err := src.LoadPacks(ctx, next, packs.Quizzes, packs.PledgeOptions)
		if err != nil || !slices.Equal(lp.Conflicts, []string{"item:q-hotline-111"}) {
			t.Errorf("shipped change after an import = %+v, %v, want a conflict on the imported item", lp, err)
		}
	})
}

func TestImportPackIsAllOrNothing(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		if _, err := db.LoadPacks(ctx, testItems(), testQuizzes(), nil); err != nil {
			t.Fatal(err)
		}
		beforeItems, beforeQuizzes := published(t, db)
		changed := testItems()
		changed[0].Prompt.EN = "changed"
		added := testItems()[0]
		added.ID = "q-new"
		quizzes := testQuizzes()
		quizzes[0].Title.EN = "Children"
		// The first objects are written before the repeated id is found:
		// the whole transaction must roll back.
		bad := append(changed, added, testItems()[0])
		if _, err := db.ImportPack(ctx, bad, quizzes, nil, "ed@x.example"); !errs.Is(err, errs.Invalid) {
			t.Fatalf("import with a repeated id = %v, want invalid", err)
		}
		afterItems, afterQuizzes := published(t, db)
		if !reflect.DeepEqual(afterItems, beforeItems) || !reflect.DeepEqual(afterQuizzes, beforeQuizzes) {
			t.Errorf("a refused import changed the published content")
		}
		if v, _ := db.ItemVersions(ctx, "q1"); len(v) != 0 {
			t.Errorf("a refused import left %d versions", len(v))
		}
		if n := auditCount(t, db, "content.import"); n != 0 {
			t.Errorf("a refused import was audited %d times", n)
		}

		// A pack with one broken item never reaches the database.
		broken := changed[0]
		broken.Prompt.EN = "<b>changed</b>"
		zip, err := content.Export(append(changed[1:], broken), quizzes, content.Hotlines{}, nil)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := content.LoadZip(zip, 0); err == nil || !strings.Contains(err.Error(), "q1: prompt.en: contains HTML") {
			t.Errorf("LoadZip(pack with a broken item) = %v", err)
		}
		if afterItems, _ := published(t, db); !reflect.DeepEqual(afterItems, beforeItems) {
			t.Errorf("the database changed")
		}
	})
}
