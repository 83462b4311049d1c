// Package broker carries live events between the parts of the program, and
// between instances: in-process on SQLite (one instance), PostgreSQL
// LISTEN/NOTIFY when several instances share a PostgreSQL database.
package broker

import (
	"context"
	"sync"
)

// Broker publishes messages on topics and fans them out to subscribers.
// Publish after the transaction that caused the event commits, never inside
// it. Delivery is best effort: a subscriber that falls behind is dropped
// (its channel closes) rather than slowing everyone else down.
type Broker interface {
	Publish(ctx context.Context, topic string, data []byte) error
	Subscribe(topic string) *Subscription
	Close() error
}

// Resync is delivered to every subscriber of every topic when the broker
// may have missed messages (its PostgreSQL connection was lost and came
// back): whoever keeps state from messages should reload it.
var Resync = []byte(`{"resync":true}`)

// Subscription receives the messages of one topic until Close, or until it
// is dropped for falling behind (C is closed either way).
type Subscription struct {
	C     <-chan []byte
	c     chan []byte
	topic string
	hub   *hub
	once  sync.Once
}

// Close ends the subscription; safe to call more than once.
func (s *Subscription) Close() { s.hub.remove(s) }

// subscriberBuffer is how many messages a subscriber may lag before it is
// dropped; live feeds batch on their side, so this is generous.
const subscriberBuffer = 256

// hub is the in-process fan-out both brokers use.
type hub struct {
	mu     sync.Mutex
	subs   map[string]map[*Subscription]struct{}
	closed bool
}

func newHub() *hub { return &hub{subs: map[string]map[*Subscription]struct{}{}} }

func (h *hub) subscribe(topic string) *Subscription {
	c := make(chan []byte, subscriberBuffer)
	s := &Subscription{C: c, c: c, topic: topic, hub: h}
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.closed {
		s.once.Do(func() { close(c) }) // through once: a later s.Close must not close it again
		return s
	}
	if h.subs[topic] == nil {
		h.subs[topic] = map[*Subscription]struct{}{}
	}
	h.subs[topic][s] = struct{}{}
	return s
}

func (h *hub) remove(s *Subscription) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.removeLocked(s)
}

func (h *hub) removeLocked(s *Subscription) {
	if set := h.subs[s.topic]; set != nil {
		delete(set, s)
		if len(set) == 0 {
			delete(h.subs, s.topic)
		}
	}
	s.once.Do(func() { close(s.c) })
}

func (h *hub) deliver(topic string, data []byte) {
	h.mu.Lock()
	defer h.mu.Unlock()
	for s := range h.subs[topic] {
		select {
		case s.c <- data:
		default:
			h.removeLocked(s) // too slow: drop it, never block the publisher
		}
	}
}

// deliverAll sends data to every subscriber of every topic.
func (h *hub) deliverAll(data []byte) {
	h.mu.Lock()
	topics := make([]string, 0, len(h.subs))
	for t := range h.subs {
		topics = append(topics, t)
	}
	h.mu.Unlock()
	for _, t := range topics {
		h.deliver(t, data)
	}
}

func (h *hub) close() {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.closed = true
	for _, set := range h.subs {
		for s := range set {
			h.removeLocked(s)
		}
	}
}

// Memory is the in-process broker for a single instance.
type Memory struct{ hub *hub }

// NewMemory returns an in-process broker.
func NewMemory() *Memory { return &Memory{hub: newHub()} }

// Publish delivers data to every current subscriber of topic.
func (m *Memory) Publish(_ context.Context, topic string, data []byte) error {
	m.hub.deliver(topic, data)
	return nil
}

// Subscribe starts receiving topic.
func (m *Memory) Subscribe(topic string) *Subscription { return m.hub.subscribe(topic) }

// Close ends every subscription.
func (m *Memory) Close() error { m.hub.close(); return nil }
