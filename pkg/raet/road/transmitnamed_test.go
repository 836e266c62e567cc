package road

import (
	"errors"
	"testing"
	"time"

	"github.com/saltraet/saltraet/pkg/raet/body"
)

// TransmitNamed sends only to a remote it knows by name and that is allowed
// now, and says at once why not otherwise, keeping nothing for later.
func TestTransmitNamed(t *testing.T) {
	p := newUDPPair(t, udpOptions{})
	defer p.cancel()
	if _, err := p.beta.TransmitNamed(body.Map{{Key: "x", Value: 1}}, "nobody", 0); !errors.Is(err, ErrUnknownRemote) {
		t.Fatalf("to an unknown name: %v", err)
	}
	d, err := p.beta.TransmitNamed(body.Map{{Key: "x", Value: 2}}, "alpha", 0)
	if err != nil {
		t.Fatal(err)
	}
	select {
	case got := <-p.alpha.Receive():
		if v, _ := got.Body.Get("x"); got.From != "beta" || v != int64(2) {
			t.Fatalf("received %v from %q", got.Body, got.From)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("not received")
	}
	if err := d.Err(); err != nil {
		t.Fatal(err)
	}
	// A remote no longer allowed (its session lost) is refused, and the
	// message is not saved to go out with a later allow.
	if err := p.beta.do(func(c *core) { c.byName["alpha"].Allowed = No }); err != nil {
		t.Fatal(err)
	}
	if _, err := p.beta.TransmitNamed(body.Map{{Key: "x", Value: 3}}, "alpha", 0); !errors.Is(err, ErrNotAllowed) {
		t.Fatalf("to a remote not allowed: %v", err)
	}
	if err := p.beta.do(func(c *core) {
		if n := len(c.byName["alpha"].saved); n != 0 {
			t.Errorf("%d messages saved", n)
		}
	}); err != nil {
		t.Fatal(err)
	}
}
