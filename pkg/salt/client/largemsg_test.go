package client_test

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

// Large messages come back whole through real daemons (real UDP and Unix
// sockets, master and minion in this process), with the job in the minion
// and in a process of its own: a 1 MB and a 3 MB test.echo (the master
// refuses publishes over 4 MB), whose return events have the arguments
// (fun_args) as Salt's have them while the minion sent them back only
// once (the master kept them, protocol.PubFunArgsKept: the return crossed
// the road in about as many segments as the publish, not twice as many);
// and a 5 MB return
// of a small cmd.run.
func TestLargeMessagesIntact(t *testing.T) {
	if testing.Short() {
		t.Skip("moves megabytes through real daemons")
	}
	for _, c := range []struct{ name, minion string }{
		{"in_minion", "multiprocessing: false\n"},
		{"job_process", ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			p := startJobPathWith(t, "", c.minion)
			for _, size := range []int{1 << 20, 3 << 20} {
				before := p.mn.RoadStats()
				if err := p.echo(largeText(size)); err != nil {
					t.Fatalf("%d bytes: %v", size, err)
				}
				after := p.mn.RoadStats()
				rx := after["message_segment_rx"] - before["message_segment_rx"]
				tx := after["message_segment_tx"] - before["message_segment_tx"]
				// Sent back with them, it would be twice as many; a few
				// segments sent again on a busy machine are not that.
				if tx > rx+rx/2 {
					t.Errorf("%d bytes: the minion sent %d segments for the %d it received: fun_args went back", size, tx, rx)
				}
			}
			const lines = 5 << 19 // "x\n" each: 5 MB
			want := strings.TrimSuffix(strings.Repeat("x\n", lines), "\n")
			if err := p.run(fmt.Sprintf("yes x | head -n %d", lines), want); err != nil {
				t.Fatalf("5 MB return: %v", err)
			}
		})
	}
}

// run is a cmd.run of command on m1, whose return must be want.
func (p *jobPath) run(command, want string) error {
	return p.one("cmd.run", command, want, 60*time.Second, nil)
}
