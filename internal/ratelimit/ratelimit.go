// Package ratelimit slows down public writes per client without ever
// storing a client address: buckets are keyed by an HMAC of the address
// under a key that lives only in memory and is replaced every day, so
// yesterday's keys cannot be linked to anyone.
package ratelimit

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"net/netip"
	"sync"
	"time"
)

// Limiter is a token bucket per client. Limits are per instance by design:
// behind a load balancer each instance allows the burst; that bounds abuse
// well enough for public forms and costs no shared state.
type Limiter struct {
	rate  float64 // tokens per second
	burst float64
	now   func() time.Time

	mu        sync.Mutex
	key       [32]byte
	keyDay    int64
	buckets   map[[sha256.Size]byte]*bucket
	lastPrune time.Time
}

// maxBuckets bounds the memory of the limiter.
const maxBuckets = 100_000

type bucket struct {
	tokens float64
	last   time.Time
}

// New allows burst requests at once and perSecond after that.
func New(perSecond float64, burst int, now func() time.Time) *Limiter {
	if now == nil {
		now = time.Now
	}
	return &Limiter{rate: perSecond, burst: float64(burst), now: now, buckets: map[[sha256.Size]byte]*bucket{}}
}

// Allow takes one token for addr and reports whether it had one; when not,
// retryAfter says when the next will be there.
func (l *Limiter) Allow(addr netip.Addr) (ok bool, retryAfter time.Duration) {
	now := l.now()
	l.mu.Lock()
	defer l.mu.Unlock()
	if day := now.Unix() / 86400; day != l.keyDay || l.keyDay == 0 {
		// A new day: a fresh key and no buckets, so no hash outlives a day.
		rand.Read(l.key[:])
		l.keyDay = day
		clear(l.buckets)
	}
	k := l.hash(addr)
	b := l.buckets[k]
	if b == nil {
		if len(l.buckets) >= maxBuckets {
			// Pruning scans every bucket: at most once every 10 s. If the
			// table is still full (a flood of new addresses), start afresh
			// rather than let the flood slow every request.
			if now.Sub(l.lastPrune) >= 10*time.Second {
				l.lastPrune = now
				l.pruneLocked(now)
			}
			if len(l.buckets) >= maxBuckets {
				clear(l.buckets)
			}
		}
		b = &bucket{tokens: l.burst, last: now}
		l.buckets[k] = b
	}
	b.tokens = min(l.burst, b.tokens+now.Sub(b.last).Seconds()*l.rate)
	b.last = now
	if b.tokens >= 1 {
		b.tokens--
		return true, 0
	}
	return false, time.Duration((1 - b.tokens) / l.rate * float64(time.Second))
}

// hash keys an IPv4 address whole and an IPv6 address by its /64: one
// home or phone gets a whole /64, so its addresses are one client.
func (l *Limiter) hash(addr netip.Addr) [sha256.Size]byte {
	m := hmac.New(sha256.New, l.key[:])
	if addr.Is6() && !addr.Is4In6() {
		addr = netip.PrefixFrom(addr, 64).Masked().Addr()
	}
	b, _ := addr.MarshalBinary()
	m.Write(b)
	var out [sha256.Size]byte
	copy(out[:], m.Sum(nil))
	return out
}

// pruneLocked drops buckets that have refilled completely: they hold no
// information a new bucket would not.
func (l *Limiter) pruneLocked(now time.Time) {
	full := time.Duration(l.burst / l.rate * float64(time.Second))
	for k, b := range l.buckets {
		if now.Sub(b.last) >= full {
			delete(l.buckets, k)
		}
	}
}
