package minion

import (
	"context"
	"errors"
	"fmt"
	"os"

	"github.com/saltraet/saltraet/pkg/raet"
	"github.com/saltraet/saltraet/pkg/raet/body"
	"github.com/saltraet/saltraet/pkg/raet/lane"
	"github.com/saltraet/saltraet/pkg/raet/route"
	"github.com/saltraet/saltraet/pkg/salt/config"
	"github.com/saltraet/saltraet/pkg/salt/protocol"
)

// ErrNoMinion is why salt-call cannot reach the master: no minion daemon
// listens on its lane in sock_dir.
var ErrNoMinion = errors.New("the salt minion cannot be reached")

// MinionLane is salt-call's way to the master through the running minion
// daemon, as a local tool's: a yard caller<uuid> on the minion's lane
// sends each request to the manor yard's remote_cmd share from a track
// share of its own; the minion sends it on to its current master
// (ARCHITECTURE.md, "Who may send what": remote_cmd from any local yard),
// and the master's answer comes back to that yard and track. The master
// knows the request by the minion's estate and accepted key, as a job's.
type MinionLane struct {
	yard    *lane.Stack
	manor   string
	cancel  context.CancelFunc
	done    chan struct{}
	pending pending
}

// DialMinion opens the yard on the lane of the minion of cfg (its id) in
// its sock_dir. With no manor socket there the error is ErrNoMinion,
// naming the path looked for.
func DialMinion(cfg *config.Minion) (*MinionLane, error) {
	manor := lane.HA(cfg.SockDir, cfg.LaneName(), protocol.YardManor)
	if _, err := os.Stat(manor); err != nil {
		return nil, fmt.Errorf("%w: no socket %s (is salt-minion-raet running with id %s and sock_dir %s?)",
			ErrNoMinion, manor, cfg.ID, cfg.SockDir)
	}
	s, err := lane.NewStack(lane.Config{Name: "caller" + lane.NewSessionID(), Lane: cfg.LaneName(),
		Dir: cfg.SockDir, PackKind: raet.PackMsgpack, RefuseUnknown: true})
	if err != nil {
		return nil, fmt.Errorf("cannot open a yard in sock_dir %s: %w (salt-call must run as a user that may write there, normally the minion's)", cfg.SockDir, err)
	}
	if err := s.AddYard(protocol.YardManor); err != nil {
		stopNow(s)
		return nil, err
	}
	ctx, cancel := context.WithCancel(context.Background())
	l := &MinionLane{yard: s, manor: manor, cancel: cancel, done: make(chan struct{})}
	go s.Run(ctx) //nolint:errcheck // its end is Stopped
	go l.readReplies()
	return l, nil
}

func stopNow(s *lane.Stack) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	s.Run(ctx) //nolint:errcheck // closes the socket and removes its file
}

// readReplies gives each answer to the request waiting on its track.
func (l *MinionLane) readReplies() {
	defer close(l.done)
	for {
		select {
		case rx := <-l.yard.Receive():
			rt, err := route.ParseRoute(rx.Body)
			if err != nil {
				continue
			}
			ret, ok := protocol.ReplyValue(rx.Body)
			if !ok {
				continue
			}
			if w, ok := l.pending.take(rt.Dst.Share, ""); ok {
				w.reply <- ret
			}
		case <-l.yard.Stopped():
			return
		}
	}
}

// Request sends a load to the master through the minion and waits for the
// answer until ctx ends (salt-call's -t/--timeout). A minion that has no
// master now keeps the request until it has one.
func (l *MinionLane) Request(ctx context.Context, load body.Map) (any, error) {
	track := lane.NewSessionID()
	w := l.pending.add(track, "")
	defer l.pending.remove(track)
	cmd, _ := load.String("cmd")
	if err := l.send(ctx, protocol.Request("", "", track, load)); err != nil {
		return nil, err
	}
	select {
	case ret := <-w.reply:
		return ret, nil
	case <-ctx.Done():
		return nil, fmt.Errorf("request %s to the master through the minion: %w", cmd, context.Cause(ctx))
	}
}

// Send sends a load that gets no answer (a _return) and waits until the
// minion's yard has it.
func (l *MinionLane) Send(ctx context.Context, load body.Map) error {
	return l.send(ctx, protocol.Request("", "", "", load))
}

func (l *MinionLane) send(ctx context.Context, msg body.Map) error {
	d := l.yard.Transmit(msg, protocol.YardManor)
	select {
	case <-d.Done():
	case <-ctx.Done():
		return context.Cause(ctx)
	}
	if err := d.Err(); err != nil {
		if errors.Is(err, lane.ErrGone) {
			return fmt.Errorf("%w: nobody listens on %s (is salt-minion-raet running?)", ErrNoMinion, l.manor)
		}
		return fmt.Errorf("cannot send to the minion's manor yard %s: %w", l.manor, err)
	}
	return nil
}

// Close closes the yard and removes its socket file.
func (l *MinionLane) Close() {
	l.cancel()
	<-l.yard.Stopped()
	<-l.done
}
