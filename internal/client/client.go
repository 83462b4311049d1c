// Package client works out who is on the other end of a request: the client
// address (only ever used in memory, hashed, for rate limits) and whether the
// connection is secure, believing X-Forwarded-* headers only from proxies
// the operator trusts.
package client

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"strings"
)

// Info is what the server knows about the client of one request.
type Info struct {
	Addr   netip.Addr
	Secure bool // the browser reached us over TLS (directly or via a trusted proxy)
}

// Proxies is the set of proxy addresses whose forwarding headers we believe.
type Proxies []netip.Prefix

// ParseProxies parses a comma-separated list of addresses and CIDR ranges.
func ParseProxies(s string) (Proxies, error) {
	var out Proxies
	for _, f := range strings.Split(s, ",") {
		f = strings.TrimSpace(f)
		if f == "" {
			continue
		}
		if !strings.Contains(f, "/") {
			a, err := netip.ParseAddr(f)
			if err != nil {
				return nil, fmt.Errorf("trusted proxy %q: not an address or CIDR range", f)
			}
			out = append(out, netip.PrefixFrom(a.Unmap(), a.Unmap().BitLen()))
			continue
		}
		p, err := netip.ParsePrefix(f)
		if err != nil {
			return nil, fmt.Errorf("trusted proxy %q: not an address or CIDR range", f)
		}
		out = append(out, p.Masked())
	}
	return out, nil
}

func (p Proxies) trusts(a netip.Addr) bool {
	a = a.Unmap()
	for _, pre := range p {
		if pre.Contains(a) {
			return true
		}
	}
	return false
}

// Of works out the client of r. X-Forwarded-For is read from the right: the
// first address that is not a trusted proxy is the client, because anything
// to its left was written by the client itself and may be forged.
func (p Proxies) Of(r *http.Request) Info {
	info := Info{Secure: r.TLS != nil}
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	peer, err := netip.ParseAddr(host)
	if err != nil {
		return info
	}
	info.Addr = peer.Unmap()
	if !p.trusts(info.Addr) {
		return info
	}
	if proto := lastValue(r.Header.Values("X-Forwarded-Proto")); proto != "" {
		info.Secure = strings.EqualFold(proto, "https")
	}
	hops := strings.Split(strings.Join(r.Header.Values("X-Forwarded-For"), ","), ",")
	for i := len(hops) - 1; i >= 0; i-- {
		a, err := netip.ParseAddr(strings.TrimSpace(hops[i]))
		if err != nil {
			break
		}
		info.Addr = a.Unmap()
		if !p.trusts(info.Addr) {
			break
		}
	}
	return info
}

// lastValue is the value the nearest proxy appended.
func lastValue(values []string) string {
	if len(values) == 0 {
		return ""
	}
	parts := strings.Split(values[len(values)-1], ",")
	return strings.TrimSpace(parts[len(parts)-1])
}

type ctxKey struct{}

// With stores info in ctx.
func With(ctx context.Context, info Info) context.Context {
	return context.WithValue(ctx, ctxKey{}, info)
}

// From returns the Info the server middleware stored for this request.
func From(ctx context.Context) Info {
	info, _ := ctx.Value(ctxKey{}).(Info)
	return info
}
