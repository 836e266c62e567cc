package road

import "time"

// Burst sizes: DefaultBurstSize segments go before a message waits for an
// answer, unless the configuration says otherwise; Unlimited sends them all.
const (
	DefaultBurstSize = 256
	Unlimited        = -1
)

// Never, as a timeout, means a transaction never gives up (the reference's
// timeout 0.0): Go's zero value already means "the default".
const Never time.Duration = -1

// Timers are the durations of the transactions' timers (raet-protocol.md
// section 5). A zero field takes the reference's default.
type Timers struct {
	JoinerTimeout  time.Duration // default 5 s
	JoinerRedoMin  time.Duration // default 1 s
	JoinerRedoMax  time.Duration // default 4 s
	JoinentTimeout time.Duration // default 5 s (Salt runs joinents with Never)
	JoinentRedoMin time.Duration // default 0.1 s
	JoinentRedoMax time.Duration // default 2 s
	// PendRedo is how often a join the other side pended tries again. The
	// correspondent re-checks its own keep sooner: within JoinentRedoMax of
	// an operator accepting the key.
	PendRedo time.Duration // default 60 s

	AllowTimeout time.Duration // default 4 s, both sides
	AllowRedoMin time.Duration // default 0.25 s
	AllowRedoMax time.Duration // default 1 s

	AliverTimeout time.Duration // default 2 s: no answer by then, the remote is dead
	AliverRedoMin time.Duration // default 0.25 s
	AliverRedoMax time.Duration // default 1 s

	MessageRedoMin time.Duration // default 0.2 s
	MessageRedoMax time.Duration // default 0.5 s
	// MessageStall is how long an incoming message may go without a new
	// segment before the receiver gives it up (the reference waits for ever).
	MessageStall time.Duration // default 30 s

	Period  time.Duration // default 1 s: how often presence management sends an alive
	Offset  time.Duration // default 0.5 s: added to a non-main stack's first period, so two sides do not keep step
	Interim time.Duration // default 3600 s: a remote silent this long is reaped (Never: never)
}

func (t Timers) withDefaults() Timers {
	def := func(d *time.Duration, v time.Duration) {
		if *d == 0 {
			*d = v
		}
	}
	def(&t.JoinerTimeout, 5*time.Second)
	def(&t.JoinerRedoMin, time.Second)
	def(&t.JoinerRedoMax, 4*time.Second)
	def(&t.JoinentTimeout, 5*time.Second)
	def(&t.JoinentRedoMin, 100*time.Millisecond)
	def(&t.JoinentRedoMax, 2*time.Second)
	def(&t.PendRedo, 60*time.Second)
	def(&t.AllowTimeout, 4*time.Second)
	def(&t.AllowRedoMin, 250*time.Millisecond)
	def(&t.AllowRedoMax, time.Second)
	def(&t.AliverTimeout, 2*time.Second)
	def(&t.AliverRedoMin, 250*time.Millisecond)
	def(&t.AliverRedoMax, time.Second)
	def(&t.MessageRedoMin, 200*time.Millisecond)
	def(&t.MessageRedoMax, 500*time.Millisecond)
	def(&t.MessageStall, DefaultMessageStall)
	def(&t.Period, time.Second)
	def(&t.Offset, 500*time.Millisecond)
	def(&t.Interim, time.Hour)
	if t.Interim < 0 {
		t.Interim = 0
	}
	return t
}

// timeout turns a configured timeout into txBase's: 0 for never.
func timeout(d time.Duration) time.Duration {
	if d < 0 {
		return 0
	}
	return d
}
