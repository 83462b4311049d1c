package store_test

import (
	"context"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/notalone/notalone/internal/errs"
	"github.com/notalone/notalone/internal/staff"
	"github.com/notalone/notalone/internal/store"
	"github.com/notalone/notalone/internal/store/storetest"
)

func TestStaffAccountsAndSessions(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		a, err := db.CreateStaff(ctx, "an@x.example", "An", "hash", []staff.Role{staff.Editor, staff.Admin, staff.Editor})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := db.CreateStaff(ctx, "an@x.example", "Again", "hash", nil); !errs.Is(err, errs.Conflict) {
			t.Errorf("duplicate email = %v, want conflict", err)
		}
		c, err := db.CredentialsByEmail(ctx, "an@x.example")
		if err != nil || c.ID != a.ID || len(c.Roles) != 2 || c.PasswordHash != "hash" || c.TOTPEnabled {
			t.Fatalf("credentials = %+v, %v", c, err)
		}
		if _, err := db.CredentialsByEmail(ctx, "nobody@x.example"); !errs.Is(err, errs.NotFound) {
			t.Errorf("unknown email = %v", err)
		}
		now := time.Now().UTC().Truncate(time.Microsecond)
		lockAfter2 := func(n int) time.Duration {
			if n >= 2 {
				return time.Minute
			}
			return 0
		}
		if ok, err := db.CountLoginFailure(ctx, a.ID, now, lockAfter2); !ok || err != nil {
			t.Fatalf("first attempt = %v, %v", ok, err)
		}
		// Parallel attempts: once one sets the lock, the others are refused.
		var wg sync.WaitGroup
		var allowed atomic.Int32
		for range 20 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				if ok, _ := db.CountLoginFailure(ctx, a.ID, now, lockAfter2); ok {
					allowed.Add(1)
				}
			}()
		}
		wg.Wait()
		if allowed.Load() != 1 {
			t.Errorf("%d of 20 parallel attempts got past the lock, want 1", allowed.Load())
		}
		c, _ = db.CredentialsByID(ctx, a.ID)
		if c.FailedLogins != 2 || c.LockedUntil == nil || !c.LockedUntil.Equal(now.Add(time.Minute)) {
			t.Errorf("after failures: %d, %v", c.FailedLogins, c.LockedUntil)
		}
		if ok, _ := db.CountLoginFailure(ctx, a.ID, now.Add(2*time.Minute), lockAfter2); !ok {
			t.Errorf("an attempt after the lock ended was refused")
		}
		db.ResetLoginFailures(ctx, a.ID)
		if err := db.EnableTOTP(ctx, a.ID, []byte("0123456789abcdef0123"), 100, []string{"h1", "h2"}); err != nil {
			t.Fatal(err)
		}
		if err := db.EnableTOTP(ctx, a.ID, []byte("another secret, 20 b"), 100, nil); !errs.Is(err, errs.Conflict) {
			t.Errorf("replacing an enabled second factor = %v, want conflict", err)
		}
		if ok, _ := db.UseTOTPStep(ctx, a.ID, 100); ok {
			t.Errorf("a used step was accepted again")
		}
		if ok, _ := db.UseTOTPStep(ctx, a.ID, 101); !ok {
			t.Errorf("a new step was refused")
		}
		if ok, _ := db.UseRecoveryCode(ctx, a.ID, "h1"); !ok {
			t.Errorf("a recovery code was refused")
		}
		if ok, _ := db.UseRecoveryCode(ctx, a.ID, "h1"); ok {
			t.Errorf("a recovery code was accepted twice")
		}
		s := staff.Session{TokenHash: "t1", StaffID: a.ID, CreatedAt: now, LastSeenAt: now, ExpiresAt: now.Add(time.Hour)}
		db.CreateSession(ctx, s)
		db.CreateSession(ctx, staff.Session{TokenHash: "t2", StaffID: a.ID, CreatedAt: now, LastSeenAt: now, ExpiresAt: now.Add(time.Hour)})
		got, err := db.Session(ctx, "t1")
		if err != nil || got.StaffID != a.ID || !got.ExpiresAt.Equal(s.ExpiresAt) {
			t.Errorf("session = %+v, %v", got, err)
		}
		if err := db.SetPassword(ctx, a.ID, "hash2", "t1"); err != nil {
			t.Fatal(err)
		}
		if _, err := db.Session(ctx, "t2"); err == nil {
			t.Errorf("a password change left another session open")
		}
		if _, err := db.Session(ctx, "t1"); err != nil {
			t.Errorf("the session that changed the password was ended")
		}
		if err := db.SetStaffDisabled(ctx, a.ID, true, "test"); err != nil {
			t.Fatal(err)
		}
		if _, err := db.Session(ctx, "t1"); err == nil {
			t.Errorf("disabling left a session open")
		}
		c, _ = db.CredentialsByID(ctx, a.ID)
		if !c.Disabled() {
			t.Errorf("the account is not disabled")
		}
		list, err := db.StaffList(ctx)
		if err != nil || len(list) != 1 {
			t.Errorf("staff list = %v, %v", list, err)
		}
	})
}

func TestAuditChain(t *testing.T) {
	storetest.EachEngine(t, func(t *testing.T, e storetest.Engine) {
		dsn := e.DSN(t)
		db := storetest.MustOpen(t, dsn)
		ctx := context.Background()
		for i, action := range []string{"login.ok", "station.revoke", "content.publish", "login.fail"} {
			if err := db.Audit(ctx, "an@x.example", action, "x:"+strings.Repeat("1", i+1), "detail"); err != nil {
				t.Fatal(err)
			}
		}
		n, problems, err := db.VerifyAudit(ctx)
		if err != nil || n != 4 || len(problems) != 0 {
			t.Fatalf("intact chain: %d entries, %v, %v", n, problems, err)
		}
		entries, _ := db.AuditEntries(ctx, store.AuditFilter{Action: "login"})
		if len(entries) != 2 || entries[0].Action != "login.fail" {
			t.Errorf("filter by action = %+v", entries)
		}
		// Someone edits a row behind the application's back…
		raw := storetest.MustOpen(t, dsn)
		if err := raw.ExecForTest(ctx, `UPDATE audit_log SET actor = 'someone-else' WHERE seq = 2`); err != nil {
			t.Fatal(err)
		}
		_, problems, _ = db.VerifyAudit(ctx)
		if len(problems) == 0 || !strings.Contains(strings.Join(problems, "\n"), "entry 2 was edited") {
			t.Errorf("edited row not caught: %v", problems)
		}
		// …or deletes one.
		raw.ExecForTest(ctx, `DELETE FROM audit_log WHERE seq = 3`)
		_, problems, _ = db.VerifyAudit(ctx)
		if !strings.Contains(strings.Join(problems, "\n"), "entries 3 to 3 are missing") {
			t.Errorf("deleted row not caught: %v", problems)
		}
	})
}
