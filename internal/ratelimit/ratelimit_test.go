package ratelimit

import (
	"net/netip"
	"testing"
	"time"
)

type clock struct{ t time.Time }

func (c *clock) now() time.Time { return c.t }

func TestAllow(t *testing.T) {
	c := &clock{t: time.Date(2026, 11, 27, 10, 0, 0, 0, time.UTC)}
	l := New(1, 3, c.now)
	a := netip.MustParseAddr("203.0.113.1")
	b := netip.MustParseAddr("203.0.113.2")
	for i := range 3 {
		if ok, _ := l.Allow(a); !ok {
			t.Fatalf("request %d within the burst was refused", i+1)
		}
	}
	ok, retry := l.Allow(a)
	if ok || retry <= 0 || retry > time.Second {
		t.Errorf("4th request = %v, retry %v; want refused with retry in (0, 1s]", ok, retry)
	}
	if ok, _ := l.Allow(b); !ok {
		t.Errorf("another client was refused")
	}
	c.t = c.t.Add(time.Second)
	if ok, _ := l.Allow(a); !ok {
		t.Errorf("a token did not refill after a second")
	}
}

func TestKeyRotatesDaily(t *testing.T) {
	c := &clock{t: time.Date(2026, 11, 27, 23, 59, 59, 0, time.UTC)}
	l := New(0.001, 1, c.now)
	a := netip.MustParseAddr("203.0.113.1")
	l.Allow(a)
	before := l.key
	if ok, _ := l.Allow(a); ok {
		t.Fatalf("second request was allowed with an empty bucket")
	}
	c.t = c.t.Add(2 * time.Second) // the next day
	if ok, _ := l.Allow(a); !ok {
		t.Errorf("a new day did not start with fresh buckets")
	}
	if l.key == before {
		t.Errorf("the hashing key did not change at the new day")
	}
	if len(l.buckets) != 1 {
		t.Errorf("%d buckets after rotation, want 1", len(l.buckets))
	}
}

func TestNoAddressIsKept(t *testing.T) {
	l := New(1, 1, nil)
	a := netip.MustParseAddr("198.51.100.77")
	l.Allow(a)
	raw, _ := a.MarshalBinary()
	for k := range l.buckets {
		if string(k[:len(raw)]) == string(raw) {
			t.Errorf("a bucket key starts with the raw address")
		}
	}
}

func TestIPv6ClientsAreKeyedByTheirSlash64(t *testing.T) {
	l := New(0.001, 2, nil)
	for i, a := range []string{"2001:db8:1:2::1", "2001:db8:1:2::ffff"} {
		if ok, _ := l.Allow(netip.MustParseAddr(a)); !ok {
			t.Fatalf("request %d refused", i)
		}
	}
	if ok, _ := l.Allow(netip.MustParseAddr("2001:db8:1:2:abcd::9")); ok {
		t.Errorf("a third address in the same /64 got a fresh bucket")
	}
	if ok, _ := l.Allow(netip.MustParseAddr("2001:db8:1:3::1")); !ok {
		t.Errorf("another /64 was refused")
	}
}
