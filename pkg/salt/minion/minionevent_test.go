package minion

import (
	"regexp"
	"testing"

	"github.com/saltraet/saltraet/pkg/raet/body"
)

// Once it has its master and pillar, the minion fires Salt's start events
// (minion_start, salt/minion/<id>/start) with the start_event_grains, once
// per run.
func TestStartEvents(t *testing.T) {
	t.Parallel()
	fm := startMaster(t, t.TempDir(), "127.0.0.1:0")
	e := newEnv(t, fm.addr, "start_event_grains: [os]\ngrains:\n  os: Debian\n  role: web\n")
	e.start("127.0.0.1:0")
	tagged := func(tag string) func(body.Map) bool {
		return func(l body.Map) bool {
			c, _ := l.String("cmd")
			got, _ := l.String("tag")
			return c == "_minion_event" && got == tag
		}
	}
	for _, tag := range []string{"minion_start", "salt/minion/m1/start"} {
		load := loadOf(t, fm.waitCmd(tag, tagged(tag)))
		data, _ := load.String("data")
		if !regexp.MustCompile(`^Minion m1 started at \w{3} \w{3} [ \d]\d \d\d:\d\d:\d\d \d{4}$`).MatchString(data) {
			t.Errorf("%s data %q", tag, data)
		}
		if g := field(t, load, "grains"); len(g.(body.Map)) != 1 {
			t.Errorf("%s grains %v, want os only", tag, g)
		}
	}
}
