package event_test

import (
	"strings"
	"testing"
	"time"

	"github.com/notalone/notalone/internal/event"
)

var (
	key      = []byte("0123456789abcdef0123456789abcdef")
	otherKey = []byte("fedcba9876543210fedcba9876543210")
	boundAt  = time.Date(2025, 3, 4, 5, 6, 7, 0, time.UTC)
)

func TestSetupTokenRoundTrip(t *testing.T) {
	s := event.NewSigner(key)
	for _, id := range []string{"abcdefghijkl", "x", "k2-desk_1"} {
		tok := s.SetupToken(id)
		got, ok := s.ParseSetupToken(tok)
		if !ok || got != id {
			t.Errorf("ParseSetupToken(SetupToken(%q)) = %q, %v, want %q, true", id, got, ok, id)
		}
		if tok == s.SetupToken(id+"x") {
			t.Errorf("SetupToken(%q) = SetupToken(%q)", id, id+"x")
		}
	}
}

func TestBindingRoundTrip(t *testing.T) {
	s := event.NewSigner(key)
	tests := []struct {
		in   event.Binding
		want event.Binding
	}{
		{event.Binding{StationID: "abcdefghijkl", BoundAt: boundAt}, event.Binding{StationID: "abcdefghijkl", BoundAt: boundAt}},
		// Kept to the second, in UTC.
		{event.Binding{StationID: "k1", BoundAt: boundAt.Add(999 * time.Millisecond).In(time.FixedZone("ICT", 7*3600))}, event.Binding{StationID: "k1", BoundAt: boundAt}},
		{event.Binding{StationID: "old", BoundAt: time.Unix(-5, 0)}, event.Binding{StationID: "old", BoundAt: time.Unix(-5, 0).UTC()}},
	}
	for _, tt := range tests {
		v := s.SignBinding(tt.in)
		got, ok := s.ParseBinding(v)
		if !ok || got.StationID != tt.want.StationID || !got.BoundAt.Equal(tt.want.BoundAt) || got.BoundAt.Location() != time.UTC {
			t.Errorf("ParseBinding(SignBinding(%+v)) = %+v, %v, want %+v, true", tt.in, got, ok, tt.want)
		}
	}
}

// TestParseRejects feeds both parsers values they must refuse: forged,
// tampered, signed with another key, or signed for the other purpose.
func TestParseRejects(t *testing.T) {
	s := event.NewSigner(key)
	other := event.NewSigner(otherKey)
	setup := s.SetupToken("abcdefghijkl")
	binding := s.SignBinding(event.Binding{StationID: "abcdefghijkl", BoundAt: boundAt})
	_, setupSig, _ := strings.Cut(setup, ".")
	bindingSig := binding[strings.LastIndexByte(binding, '.')+1:]

	// flip changes one character of v at i.
	flip := func(v string, i int) string {
		if i < 0 {
			i += len(v)
		}
		c := byte('A')
		if v[i] == 'A' {
			c = 'B'
		}
		return v[:i] + string(c) + v[i+1:]
	}

	tests := []struct{ name, v string }{
		{"empty", ""},
		{"dot", "."},
		{"dots", ".."},
		{"id only", "abcdefghijkl"},
		{"no signature", "abcdefghijkl."},
		{"signature only", "." + setupSig},
		{"tampered id", flip(setup, 0)},
		{"tampered signature", flip(setup, -1)},
		{"truncated signature", setup[:len(setup)-1]},
		{"longer signature", setup + "A"},
		{"other station, same signature", "zzzzzzzzzzzz." + setupSig},
		{"padded signature", setup + "="},
		{"other key setup", other.SetupToken("abcdefghijkl")},
		{"other key binding", other.SignBinding(event.Binding{StationID: "abcdefghijkl", BoundAt: boundAt})},
		{"binding tampered station", flip(binding, 0)},
		{"binding tampered time", strings.Replace(binding, ".1741", ".1742", 1)},
		{"binding tampered signature", flip(binding, -1)},
		{"binding without time", "abcdefghijkl." + bindingSig},
		{"binding with empty station", s.SignBinding(event.Binding{BoundAt: boundAt})},
		{"binding with dotted station", s.SignBinding(event.Binding{StationID: "a.b", BoundAt: boundAt})},
		{"binding with whitespace", " " + binding},
		{"binding twice", binding + "." + binding},
	}
	for _, tt := range tests {
		if id, ok := s.ParseSetupToken(tt.v); ok {
			t.Errorf("ParseSetupToken(%q) [%s] = %q, true, want false", tt.v, tt.name, id)
		}
		if b, ok := s.ParseBinding(tt.v); ok {
			t.Errorf("ParseBinding(%q) [%s] = %+v, true, want false", tt.v, tt.name, b)
		}
	}

	// Each purpose's value is refused by the other parser, and each key's
	// by the other signer.
	if b, ok := s.ParseBinding(setup); ok {
		t.Errorf("ParseBinding(setup token %q) = %+v, true, want a setup token refused as a binding", setup, b)
	}
	if id, ok := s.ParseSetupToken(binding); ok {
		t.Errorf("ParseSetupToken(binding %q) = %q, true, want a binding refused as a setup token", binding, id)
	}
	if _, ok := other.ParseSetupToken(setup); ok {
		t.Errorf("other key: ParseSetupToken(%q) = true, want false", setup)
	}
	if _, ok := other.ParseBinding(binding); ok {
		t.Errorf("other key: ParseBinding(%q) = true, want false", binding)
	}
}

// A setup token for a station whose id looks like "id.time" must not pass
// as a binding either: the purposes are separate keys in effect.
func TestSetupTokenNotBinding(t *testing.T) {
	s := event.NewSigner(key)
	tok := s.SetupToken("abcdefghijkl.1741064767")
	if b, ok := s.ParseBinding(tok); ok {
		t.Errorf("ParseBinding(SetupToken(%q)) = %+v, true, want false", "abcdefghijkl.1741064767", b)
	}
}

// FuzzParseSetupToken: the parser never panics, and a token it accepts is
// exactly the token it would make for that station.
func FuzzParseSetupToken(f *testing.F) {
	s := event.NewSigner(key)
	f.Add(s.SetupToken("abcdefghijkl"))
	f.Add(s.SetupToken("x"))
	f.Add(s.SignBinding(event.Binding{StationID: "abcdefghijkl", BoundAt: boundAt}))
	f.Add("")
	f.Add(".")
	f.Add("a.b.c")
	f.Fuzz(func(t *testing.T, v string) {
		id, ok := s.ParseSetupToken(v)
		if !ok {
			if id != "" {
				t.Errorf("ParseSetupToken(%q) = %q, false, want no station with false", v, id)
			}
			return
		}
		if id == "" {
			t.Errorf("ParseSetupToken(%q) accepted an empty station id", v)
		}
		if again := s.SetupToken(id); again != v {
			t.Errorf("ParseSetupToken(%q) = %q, but SetupToken(%q) = %q", v, id, id, again)
		}
	})
}

// FuzzParseBinding: the parser never panics, and a value it accepts is
// exactly the value it would sign for that binding.
func FuzzParseBinding(f *testing.F) {
	s := event.NewSigner(key)
	f.Add(s.SignBinding(event.Binding{StationID: "abcdefghijkl", BoundAt: boundAt}))
	f.Add(s.SignBinding(event.Binding{StationID: "k", BoundAt: time.Unix(0, 0)}))
	f.Add(s.SignBinding(event.Binding{StationID: "k", BoundAt: time.Unix(-1, 0)}))
	f.Add(s.SetupToken("abcdefghijkl"))
	f.Add("")
	f.Add("..")
	f.Add("a.1.")
	f.Fuzz(func(t *testing.T, v string) {
		b, ok := s.ParseBinding(v)
		if !ok {
			if b != (event.Binding{}) {
				t.Errorf("ParseBinding(%q) = %+v, false, want the zero Binding with false", v, b)
			}
			return
		}
		if b.StationID == "" {
			t.Errorf("ParseBinding(%q) accepted an empty station id", v)
		}
		if again := s.SignBinding(b); again != v {
			t.Errorf("ParseBinding(%q) = %+v, but SignBinding of it = %q", v, b, again)
		}
	})
}
