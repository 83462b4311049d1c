package store_test

import (
	"context"
	"sync"
	"testing"

	"github.com/notalone/notalone/internal/errs"
	"github.com/notalone/notalone/internal/store"
	"github.com/notalone/notalone/internal/store/storetest"
)

func TestItemVersionsAndRestore(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		db.LoadPacks(ctx, testItems(), testQuizzes(), nil)
		it := testItems()[0]
		it.Prompt.VI = "bản 1"
		v1, err := db.SaveItemDraft(ctx, it, "ed@x.example", "first")
		if err != nil || v1.Version != 1 {
			t.Fatalf("draft 1 = %+v, %v", v1, err)
		}
		it.Prompt.VI = "bản 2"
		v2, _ := db.SaveItemDraft(ctx, it, "ed@x.example", "second")
		if v2.Version != 2 {
			t.Errorf("draft 2 = %d", v2.Version)
		}
		bank, _ := db.Bank(ctx)
		if bank.Item("q1").Prompt.VI == "bản 2" {
			t.Errorf("a draft is live")
		}
		if err := db.PublishItemVersion(ctx, "q1", 1, "ed@x.example"); err != nil {
			t.Fatal(err)
		}
		bank, _ = db.Bank(ctx)
		if bank.Item("q1").Prompt.VI != "bản 1" {
			t.Errorf("published version 1, bank has %q", bank.Item("q1").Prompt.VI)
		}
		versions, _ := db.ItemVersions(ctx, "q1")
		if len(versions) != 2 || versions[0].Version != 2 || versions[1].PublishedAt == nil || versions[0].PublishedAt != nil {
			t.Errorf("versions = %+v", versions)
		}
		if _, _, err := db.ItemVersion(ctx, "q1", 9); !errs.Is(err, errs.NotFound) {
			t.Errorf("unknown version = %v", err)
		}
		other := testItems()[0]
		other.ID = "nope"
		if _, err := db.SaveItemDraft(ctx, other, "ed", ""); !errs.Is(err, errs.NotFound) {
			t.Errorf("draft of an unknown item = %v", err)
		}
		// A published console edit makes a later pack change a conflict.
		items := testItems()
		items[0].Prompt.VI = "gói mới"
		rep, _ := db.LoadPacks(ctx, items, testQuizzes(), nil)
		if len(rep.Conflicts) != 1 {
			t.Errorf("pack change after a console edit = %+v, want a conflict", rep)
		}
		entries, _ := db.AuditEntries(ctx, store.AuditFilter{Actor: "ed@x.example"})
		if len(entries) != 3 {
			t.Errorf("%d audit entries for 2 drafts and a publish", len(entries))
		}
	})
}

// TestConcurrentContentWrites: several instances loading packs and saving
// drafts at once on one database agree (no duplicate keys, no lost
// version numbers).
func TestConcurrentContentWrites(t *testing.T) {
	storetest.EachEngine(t, func(t *testing.T, e storetest.Engine) {
		dsn := e.DSN(t)
		ctx := context.Background()
		var wg sync.WaitGroup
		errs := make(chan error, 16)
		for range 4 {
			db := storetest.MustOpen(t, dsn)
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, err := db.LoadPacks(ctx, testItems(), testQuizzes(), nil)
				errs <- err
			}()
		}
		wg.Wait()
		db := storetest.MustOpen(t, dsn)
		for range 8 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, err := db.SaveItemDraft(ctx, testItems()[0], "ed@x.example", "")
				errs <- err
			}()
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			if err != nil {
				t.Errorf("concurrent content write: %v", err)
			}
		}
		versions, _ := db.ItemVersions(ctx, "q1")
		if len(versions) != 8 || versions[0].Version != 8 {
			t.Errorf("%d versions, newest %d; want 8 and 8", len(versions), versions[0].Version)
		}
	})
}
