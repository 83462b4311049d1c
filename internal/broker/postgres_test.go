package broker

import (
	"context"
	"database/sql"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/notalone/notalone/internal/testenv"
)

// prepareNothing leaves the test database empty: the broker needs no tables.
// Each test gets its own database, and NOTIFY does not cross databases, so
// tests running at once cannot hear each other.
func prepareNothing(context.Context, string) error { return nil }

// mustPostgres returns a broker on dsn, closed when t ends.
func mustPostgres(t *testing.T, dsn string) *Postgres {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), eventually)
	defer cancel()
	p, err := NewPostgres(ctx, dsn, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatalf("NewPostgres: %v", err)
	}
	t.Cleanup(func() {
		if err := p.Close(); err != nil {
			t.Errorf("Close() = %v", err)
		}
	})
	return p
}

// TestPostgresAcrossInstances is two instances on one database: a message
// published on one reaches the subscribers of both.
func TestPostgresAcrossInstances(t *testing.T) {
	t.Parallel()
	dsn := testenv.PostgresDB(t, prepareNothing)
	a, b := mustPostgres(t, dsn), mustPostgres(t, dsn)
	onB, onB2, onA := b.Subscribe("wall"), b.Subscribe("wall"), a.Subscribe("wall")

	publish(t, a, "wall", `{"pledge":1}`)
	publish(t, a, "wall", "Chúng ta không đơn độc")
	for name, s := range map[string]*Subscription{"b": onB, "b again": onB2, "a itself": onA} {
		if got := receive(t, s); got != `{"pledge":1}` {
			t.Errorf("subscriber on %s got %q, want %q", name, got, `{"pledge":1}`)
		}
		if got := receive(t, s); got != "Chúng ta không đơn độc" {
			t.Errorf("subscriber on %s got %q, want the UTF-8 text unchanged", name, got)
		}
	}

	// Empty data is a message too.
	publish(t, b, "wall", "")
	if got := receive(t, onA); got != "" {
		t.Errorf("empty message arrived as %q", got)
	}
}

func TestPostgresTopicIsolation(t *testing.T) {
	t.Parallel()
	dsn := testenv.PostgresDB(t, prepareNothing)
	a, b := mustPostgres(t, dsn), mustPostgres(t, dsn)
	quiz := b.Subscribe("quiz:1")

	publish(t, a, "wall", "not for the quiz")
	publish(t, a, "quiz:10", "not for quiz 1 either")
	publish(t, a, "quiz:1", "question")
	// One session's notifications arrive in the order they were sent, so
	// when "question" arrives the others have been delivered, or dropped.
	if got := receive(t, quiz); got != "question" {
		t.Errorf("quiz:1 got %q, want %q only", got, "question")
	}
	wantEmpty(t, quiz)
}

func TestPostgresPublishRefuses(t *testing.T) {
	t.Parallel()
	dsn := testenv.PostgresDB(t, prepareNothing)
	p := mustPostgres(t, dsn)
	s := p.Subscribe("wall")

	tests := []struct {
		name, topic, data string
	}{
		{"too large", "wall", strings.Repeat("x", 8000)},
		{"just too large", "wall", strings.Repeat("x", maxPayload-len("wall")+1)},
		{"newline in topic", "wall\nother", "x"},
		{"not UTF-8", "wall", "\xff\xfe"},
	}
	for _, tt := range tests {
		if err := p.Publish(t.Context(), tt.topic, []byte(tt.data)); err == nil {
			t.Errorf("Publish(%s) = nil, want an error", tt.name)
		}
	}

	// The largest allowed message goes through whole.
	largest := strings.Repeat("é", (maxPayload-len("wall"))/2)
	publish(t, p, "wall", largest)
	if got := receive(t, s); got != largest {
		t.Errorf("largest message arrived with %d bytes, want %d", len(got), len(largest))
	}
	wantEmpty(t, s)
}

func TestPostgresClose(t *testing.T) {
	t.Parallel()
	dsn := testenv.PostgresDB(t, prepareNothing)
	p, err := NewPostgres(t.Context(), dsn, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	s := p.Subscribe("wall")
	if err := p.Close(); err != nil {
		t.Fatalf("Close() = %v", err)
	}
	wantClosed(t, s)
	s.Close()
	if err := p.Publish(t.Context(), "wall", []byte("late")); err == nil {
		t.Error("Publish after Close = nil, want an error")
	}
}

func TestNewPostgresUnreachable(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithTimeout(t.Context(), 300*time.Millisecond)
	defer cancel()
	// Port 1 refuses at once; the listener retries until ctx ends.
	p, err := NewPostgres(ctx, "postgres://u:p@127.0.0.1:1/db?sslmode=disable", slog.New(slog.DiscardHandler))
	if err == nil {
		p.Close()
		t.Fatal("NewPostgres on a closed port = nil error, want one")
	}
}

// TestPostgresReconnect cuts the listener's connection from the server side
// (as a failover or an idle timeout would) and expects the broker to listen
// again. Messages sent while it is away are lost — delivery is best effort —
// so the test publishes until one arrives.
func TestPostgresReconnect(t *testing.T) {
	t.Parallel()
	dsn := testenv.PostgresDB(t, prepareNothing)
	p := mustPostgres(t, dsn)
	s := p.Subscribe("wall")

	admin, err := sql.Open("pgx", dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close()
	var killed int
	err = admin.QueryRowContext(t.Context(), `SELECT COUNT(pg_terminate_backend(pid)) FROM pg_stat_activity
		WHERE datname = current_database() AND pid <> pg_backend_pid() AND query = 'LISTEN '||$1`, channel).Scan(&killed)
	if err != nil || killed != 1 {
		t.Fatalf("terminating the listener: killed %d, %v, want 1", killed, err)
	}

	deadline := time.Now().Add(eventually)
	resynced := false
	for {
		publish(t, p, "wall", "again")
		select {
		case b, ok := <-s.C:
			if !ok {
				t.Fatal("subscription closed when the listener reconnected, want it kept")
			}
			if string(b) == string(Resync) {
				resynced = true
				continue
			}
			if string(b) != "again" {
				t.Errorf("got %q after reconnecting, want %q", b, "again")
			}
			if !resynced {
				t.Errorf("no resync message before the first message after reconnecting")
			}
			return
		case <-time.After(100 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			t.Fatalf("no message %v after the listener was cut", eventually)
		}
	}
}
