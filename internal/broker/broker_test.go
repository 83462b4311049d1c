package broker

import (
	"fmt"
	"slices"
	"testing"
	"time"
)

// eventually is how long a test waits for something that should happen at
// once: generous, so a loaded CI machine does not fail it, and never
// waited for when things work.
const eventually = 10 * time.Second

// receive returns the next message of s, failing t if none comes or C closes.
func receive(t *testing.T, s *Subscription) string {
	t.Helper()
	select {
	case b, ok := <-s.C:
		if !ok {
			t.Fatalf("subscription to %q closed, want a message", s.topic)
		}
		return string(b)
	case <-time.After(eventually):
		t.Fatalf("no message on %q after %v", s.topic, eventually)
		return ""
	}
}

// wantClosed drains s and fails t unless its channel closes eventually. It
// returns the messages that were still buffered.
func wantClosed(t *testing.T, s *Subscription) []string {
	t.Helper()
	var got []string
	deadline := time.After(eventually)
	for {
		select {
		case b, ok := <-s.C:
			if !ok {
				return got
			}
			got = append(got, string(b))
		case <-deadline:
			t.Fatalf("subscription to %q still open after %v (%d messages drained)", s.topic, eventually, len(got))
			return got
		}
	}
}

// wantEmpty fails t if s has a message waiting or is closed. The memory
// broker delivers synchronously, so "nothing yet" means "nothing".
func wantEmpty(t *testing.T, s *Subscription) {
	t.Helper()
	select {
	case b, ok := <-s.C:
		if !ok {
			t.Errorf("subscription to %q closed, want it open", s.topic)
		} else {
			t.Errorf("subscription to %q got %q, want nothing", s.topic, b)
		}
	default:
	}
}

func publish(t *testing.T, b Broker, topic, data string) {
	t.Helper()
	if err := b.Publish(t.Context(), topic, []byte(data)); err != nil {
		t.Fatalf("Publish(%q, %q) = %v", topic, data, err)
	}
}

func TestMemoryFanOut(t *testing.T) {
	m := NewMemory()
	defer m.Close()
	subs := []*Subscription{m.Subscribe("wall"), m.Subscribe("wall"), m.Subscribe("wall")}
	want := []string{"one", "two", "three"}
	for _, msg := range want {
		publish(t, m, "wall", msg)
	}
	for i, s := range subs {
		var got []string
		for range want {
			got = append(got, receive(t, s))
		}
		if !slices.Equal(got, want) {
			t.Errorf("subscriber %d got %q, want %q in order", i, got, want)
		}
		wantEmpty(t, s)
	}
}

func TestMemoryTopicIsolation(t *testing.T) {
	m := NewMemory()
	defer m.Close()
	wall, quiz := m.Subscribe("wall"), m.Subscribe("quiz:1")
	publish(t, m, "wall", "pledge")
	publish(t, m, "nobody-listens", "lost")
	publish(t, m, "quiz:1", "question")
	if got := receive(t, wall); got != "pledge" {
		t.Errorf("wall got %q, want %q", got, "pledge")
	}
	if got := receive(t, quiz); got != "question" {
		t.Errorf("quiz:1 got %q, want %q", got, "question")
	}
	wantEmpty(t, wall)
	wantEmpty(t, quiz)
	// Topics are exact strings, not prefixes.
	publish(t, m, "quiz:10", "other quiz")
	publish(t, m, "quiz", "parent")
	wantEmpty(t, quiz)
}

func TestMemorySubscriptionClose(t *testing.T) {
	m := NewMemory()
	defer m.Close()
	gone, stays := m.Subscribe("wall"), m.Subscribe("wall")
	publish(t, m, "wall", "before")
	gone.Close()
	if got := wantClosed(t, gone); !slices.Equal(got, []string{"before"}) {
		t.Errorf("closed subscription drained %q, want the message sent before Close", got)
	}
	gone.Close() // safe twice
	publish(t, m, "wall", "after")
	if got := []string{receive(t, stays), receive(t, stays)}; !slices.Equal(got, []string{"before", "after"}) {
		t.Errorf("other subscriber got %q, want both messages", got)
	}
}

// TestMemorySlowSubscriber checks the hub's one promise to publishers: a
// subscriber that never reads is dropped (its channel closes) and Publish
// never waits for it.
func TestMemorySlowSubscriber(t *testing.T) {
	m := NewMemory()
	defer m.Close()
	slow, fast := m.Subscribe("wall"), m.Subscribe("wall")

	// Fill both buffers exactly; the fast one then catches up.
	published := make(chan struct{})
	go func() {
		defer close(published)
		for i := range subscriberBuffer {
			if err := m.Publish(t.Context(), "wall", []byte(fmt.Sprint(i))); err != nil {
				t.Errorf("Publish = %v", err)
			}
		}
	}()
	select {
	case <-published:
	case <-time.After(eventually):
		t.Fatalf("Publish blocked: %d messages not published after %v", subscriberBuffer, eventually)
	}
	for i := range subscriberBuffer {
		if got := receive(t, fast); got != fmt.Sprint(i) {
			t.Fatalf("fast subscriber message %d = %q, want %q", i, got, fmt.Sprint(i))
		}
	}

	// One more than the slow one can hold: it is dropped, the fast one is not.
	published = make(chan struct{})
	go func() {
		defer close(published)
		for i := range 10 {
			if err := m.Publish(t.Context(), "wall", []byte(fmt.Sprint("more ", i))); err != nil {
				t.Errorf("Publish = %v", err)
			}
		}
	}()
	select {
	case <-published:
	case <-time.After(eventually):
		t.Fatal("Publish blocked on a full subscriber")
	}
	if got := wantClosed(t, slow); len(got) != subscriberBuffer {
		t.Errorf("slow subscriber drained %d messages before closing, want the %d it had room for", len(got), subscriberBuffer)
	}
	for i := range 10 {
		if got, want := receive(t, fast), fmt.Sprint("more ", i); got != want {
			t.Errorf("fast subscriber got %q, want %q", got, want)
		}
	}
	slow.Close() // closing a dropped subscription is safe
}

func TestMemoryClose(t *testing.T) {
	m := NewMemory()
	subs := []*Subscription{m.Subscribe("wall"), m.Subscribe("wall"), m.Subscribe("quiz:1")}
	publish(t, m, "wall", "last")
	if err := m.Close(); err != nil {
		t.Fatalf("Close() = %v", err)
	}
	for _, s := range subs {
		wantClosed(t, s)
		s.Close() // still safe
	}
	// After Close nothing is delivered and nothing panics.
	if err := m.Publish(t.Context(), "wall", []byte("late")); err != nil {
		t.Errorf("Publish after Close = %v", err)
	}
	late := m.Subscribe("wall")
	wantClosed(t, late)
	late.Close()
}
