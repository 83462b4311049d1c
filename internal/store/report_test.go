package store_test

import (
	"testing"
	"time"

	"github.com/notalone/notalone/internal/errs"
	"github.com/notalone/notalone/internal/event"
	"github.com/notalone/notalone/internal/help"
	"github.com/notalone/notalone/internal/store"
	"github.com/notalone/notalone/internal/store/storetest"
)

func newReport(topic string, prio help.Priority) (store.NewReport, string) {
	secret := help.NewSecret()
	return store.NewReport{ID: help.NewCaseID(), Receipt: help.NewReceipt(), SecretHash: help.HashSecret(secret), EventID: event.DefaultID,
		Source: "form", Request: help.Request{Topic: topic, Platform: "zalo", Happened: "today", ContactKind: help.ContactNone},
		Priority: prio, KeyID: "k1", SealedKey: []byte("sealed key"), Description: []byte("sealed words")}, secret
}

func TestReportsInboxStatusAndPurge(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		t.Parallel()
		ctx := t.Context()
		clock := storetest.SetClock(t0, db)
		normal, _ := newReport("phishing", help.Normal)
		urgent, secret := newReport("sextortion", help.Urgent)
		high, _ := newReport("cyberbullying", help.High)
		for _, r := range []store.NewReport{normal, urgent, high} {
			if err := db.CreateReport(ctx, r); err != nil {
				t.Fatal(err)
			}
			clock.Advance(time.Minute)
		}
		inbox, err := db.Inbox(ctx, false, 0)
		if err != nil || len(inbox) != 3 || inbox[0].ID != urgent.ID || inbox[1].ID != high.ID || inbox[2].ID != normal.ID {
			t.Fatalf("inbox order = %+v, %v; want urgent, high, normal", inbox, err)
		}
		// The reporter's view: right secret only; an unknown receipt and a
		// wrong secret answer alike.
		st, err := db.ReportStatusFor(ctx, urgent.Receipt, secret)
		if err != nil || st.Status != help.StatusNew {
			t.Errorf("status = %+v, %v", st, err)
		}
		if _, err := db.ReportStatusFor(ctx, urgent.Receipt, "WRONG-SECRET"); !errs.Is(err, errs.NotFound) {
			t.Errorf("wrong secret: %v", err)
		}
		if _, err := db.ReportStatusFor(ctx, help.NewReceipt(), secret); !errs.Is(err, errs.NotFound) {
			t.Errorf("unknown receipt: %v", err)
		}
		if _, err := db.ReportStatusFor(ctx, "'; DROP TABLE reports; --", secret); !errs.Is(err, errs.NotFound) {
			t.Errorf("garbage receipt: %v", err)
		}
		// Work on it: assign, note, refer, close with a reason.
		if err := db.AssignCase(ctx, urgent.ID, "r@x.example", "r@x.example"); err != nil {
			t.Fatal(err)
		}
		if err := db.AddCaseNote(ctx, urgent.ID, "r@x.example", []byte("sealed note")); err != nil {
			t.Fatal(err)
		}
		if err := db.AddReferral(ctx, urgent.ID, help.Referral{Partner: "hotline-111", Shared: "topic and platform", Consent: true, By: "r@x.example"}); err != nil {
			t.Fatal(err)
		}
		if err := db.SetCaseStatus(ctx, urgent.ID, help.StatusClosed, "", "", "r@x.example"); !errs.Is(err, errs.Invalid) {
			t.Errorf("close without a reason: %v", err)
		}
		if err := db.SetCaseStatus(ctx, urgent.ID, help.StatusClosed, "referred to 111, who called back", "Chúng mình đã giúp xong.", "r@x.example"); err != nil {
			t.Fatal(err)
		}
		c, err := db.Case(ctx, urgent.ID)
		if err != nil || c.AssignedTo != "r@x.example" || len(c.Notes) != 1 || len(c.Referrals) != 1 || c.Status != help.StatusClosed || c.ClosedAt == nil {
			t.Errorf("case = %+v, %v", c, err)
		}
		if st, _ := db.ReportStatusFor(ctx, urgent.Receipt, secret); st.Message != "Chúng mình đã giúp xong." || st.Status != help.StatusClosed {
			t.Errorf("reporter sees %+v", st)
		}
		// Purge: the closed case goes after the retention; the open ones
		// are only marked for review; counts stay.
		clock.Advance(200 * 24 * time.Hour)
		purged, flagged, err := db.PurgeCases(ctx, clock.Now().AddDate(0, 0, -180), clock.Now().AddDate(0, 0, -365))
		if err != nil || purged != 1 || flagged != 0 {
			t.Fatalf("purge = %d, %d, %v", purged, flagged, err)
		}
		if _, err := db.Case(ctx, urgent.ID); !errs.Is(err, errs.NotFound) {
			t.Errorf("purged case still there: %v", err)
		}
		if _, err := db.ReportStatusFor(ctx, urgent.Receipt, secret); !errs.Is(err, errs.NotFound) {
			t.Errorf("purged case's status: %v", err)
		}
		clock.Advance(200 * 24 * time.Hour)
		if _, flagged, _ := db.PurgeCases(ctx, clock.Now().AddDate(0, 0, -180), clock.Now().AddDate(0, 0, -365)); flagged != 2 {
			t.Errorf("%d open cases due for review, want 2", flagged)
		}
		counts, err := db.ReportCounts(ctx)
		month := t0.Format("2006-01")
		if err != nil || counts[month]["sextortion"][help.Urgent] != 1 || counts[month]["phishing"][help.Normal] != 1 {
			t.Errorf("counts = %v, %v", counts, err)
		}
	})
}

func TestEvidenceDailyCap(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		t.Parallel()
		ctx := t.Context()
		r, _ := newReport("grooming", help.Urgent)
		r.Files = []store.NewReportFile{{MIME: "image/png", Size: 600, Data: []byte("sealed"), Preview: []byte("sealed")}}
		r.EvidenceBytes, r.EvidenceCapDay = 600, 1000
		if err := db.CreateReport(ctx, r); err != nil {
			t.Fatal(err)
		}
		r2, _ := newReport("grooming", help.Urgent)
		r2.Files, r2.EvidenceBytes, r2.EvidenceCapDay = r.Files, 600, 1000
		if err := db.CreateReport(ctx, r2); !errs.Is(err, errs.TooLarge) {
			t.Errorf("over the daily cap: %v", err)
		}
		if _, err := db.Case(ctx, r2.ID); !errs.Is(err, errs.NotFound) {
			t.Error("a refused request was stored")
		}
		mime, sealed, err := db.CaseFile(ctx, r.ID, 1, false)
		if err != nil || mime != "image/png" || string(sealed) != "sealed" {
			t.Errorf("CaseFile = %q %q %v", mime, sealed, err)
		}
	})
}

func TestRespondersReadyAndKeys(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		t.Parallel()
		ctx := t.Context()
		if ok, err := db.RespondersReady(ctx); ok || err != nil {
			t.Errorf("ready on a fresh install = %v, %v", ok, err)
		}
		if _, err := db.ResponderPublicKey(ctx); !errs.Is(err, errs.NotFound) {
			t.Errorf("public key on a fresh install: %v", err)
		}
		if err := db.SetResponderPublicKey(ctx, []byte("PEM"), "cli"); err != nil {
			t.Fatal(err)
		}
		if ok, _ := db.RespondersReady(ctx); ok {
			t.Error("ready with a key but no responder")
		}
		if err := db.CreatePartnerToken(ctx, "hash1", "tiktok", "cli"); err != nil {
			t.Fatal(err)
		}
		if p, err := db.PartnerForToken(ctx, "hash1"); err != nil || p != "tiktok" {
			t.Errorf("partner = %q, %v", p, err)
		}
		if _, err := db.PartnerForToken(ctx, "nope"); !errs.Is(err, errs.Unauthorized) {
			t.Errorf("unknown token: %v", err)
		}
	})
}
