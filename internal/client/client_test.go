package client

import (
	"crypto/tls"
	"net/http/httptest"
	"testing"
)

func TestOf(t *testing.T) {
	proxies, err := ParseProxies("10.0.0.0/8, 192.0.2.1")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name       string
		remote     string
		xff, proto string
		tls        bool
		wantAddr   string
		wantSecure bool
	}{
		{"direct client", "203.0.113.5:4000", "", "", false, "203.0.113.5", false},
		{"direct TLS", "203.0.113.5:4000", "", "", true, "203.0.113.5", true},
		{"untrusted peer's headers are ignored", "203.0.113.5:4000", "1.2.3.4", "https", false, "203.0.113.5", false},
		{"trusted proxy", "10.1.2.3:4000", "198.51.100.9", "https", false, "198.51.100.9", true},
		{"trusted proxy says http", "10.1.2.3:4000", "198.51.100.9", "http", true, "198.51.100.9", false},
		{"chain of proxies, rightmost untrusted wins", "10.1.2.3:4000", "6.6.6.6, 198.51.100.9, 10.9.9.9", "https", false, "198.51.100.9", true},
		{"forged left part is ignored", "192.0.2.1:80", "127.0.0.1, 198.51.100.9", "", false, "198.51.100.9", false},
		{"garbage in XFF stops the walk", "10.1.2.3:4000", "198.51.100.9, junk", "", false, "10.1.2.3", false},
		{"IPv6 client", "[2001:db8::1]:443", "", "", false, "2001:db8::1", false},
		{"IPv4-mapped peer", "[::ffff:10.1.2.3]:4000", "198.51.100.9", "", false, "198.51.100.9", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := httptest.NewRequest("GET", "/", nil)
			r.RemoteAddr = tt.remote
			if tt.xff != "" {
				r.Header.Set("X-Forwarded-For", tt.xff)
			}
			if tt.proto != "" {
				r.Header.Set("X-Forwarded-Proto", tt.proto)
			}
			if tt.tls {
				r.TLS = &tls.ConnectionState{}
			} else {
				r.TLS = nil
			}
			got := proxies.Of(r)
			if got.Addr.String() != tt.wantAddr || got.Secure != tt.wantSecure {
				t.Errorf("Of(%s, XFF %q, proto %q) = %s secure=%v, want %s secure=%v",
					tt.remote, tt.xff, tt.proto, got.Addr, got.Secure, tt.wantAddr, tt.wantSecure)
			}
		})
	}
}

func TestParseProxies(t *testing.T) {
	for _, bad := range []string{"not-an-ip", "10.0.0.0/99", "1.2.3"} {
		if _, err := ParseProxies(bad); err == nil {
			t.Errorf("ParseProxies(%q) = nil error, want one", bad)
		}
	}
	p, err := ParseProxies(" ,127.0.0.1,::1, ")
	if err != nil || len(p) != 2 {
		t.Errorf("ParseProxies with blanks = %v, %v; want 2 entries", p, err)
	}
}
