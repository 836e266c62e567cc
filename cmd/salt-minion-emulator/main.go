// Command salt-minion-emulator runs many Salt minions in one process
// (pkg/salt/emulator): each a whole minion of pkg/salt/minion, with its
// own derived keys, id <prefix>-00001…, UDP socket and road stack, joining
// the master, kept alive and answering jobs (test.ping, test.echo,
// test.sleep, grains.items, cmd.run, …) in goroutines, for trying a master
// with thousands of minions on one machine. It is a command of its own,
// not a flag of salt-minion-raet, because salt-minion-raet's flags are
// Salt's and its one minion reads /etc/salt/minion; the emulator's minions
// read no config file and their keys are not secret.
//
//	salt-minion-emulator -n 1000 --master 127.0.0.1 --master-port 4506
//
// All the minions start at once: a join storm. Every few seconds, until
// all are allowed, it logs how many a master has allowed. SIGUSR1 logs the
// minions' counters, summed (their roads' drops and redos, how often they
// lost the master and joined it again), as does stopping. SIGTERM or
// SIGINT stop them; their root directories (under --root, by default a new
// directory in /dev/shm or $TMPDIR) are removed unless --keep.
//
// Exit status: 0 when stopped by a signal, 1 on an error, 64 on a bad
// command line.
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/sirupsen/logrus"
	"github.com/spf13/cobra"

	"github.com/saltraet/saltraet/pkg/raet/road"
	"github.com/saltraet/saltraet/pkg/salt/cli"
	"github.com/saltraet/saltraet/pkg/salt/emulator"
	"github.com/saltraet/saltraet/pkg/salt/saltlog"
)

const prog = "salt-minion-emulator"

func main() {
	ctx, stop := cli.StopOnSignal(context.Background())
	defer stop()
	os.Exit(run(ctx, os.Args[1:], os.Stdout, os.Stderr))
}

type opts struct {
	cfg           emulator.Config
	root, level   string
	keep, version bool
	period        time.Duration
	aliveTimeout  time.Duration
	extra         string
	progress      time.Duration
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	var o opts
	root := &cobra.Command{Use: prog + " [options]", Short: "Many Salt minions on RAET in one process",
		SilenceUsage: true, SilenceErrors: true, Args: cobra.NoArgs, RunE: func(*cobra.Command, []string) error { return nil }}
	f := root.Flags()
	f.IntVarP(&o.cfg.Count, "count", "n", 100, "how many minions")
	f.StringVar(&o.cfg.Prefix, "prefix", "emu", "ids are <prefix>-00001 …")
	f.IntVar(&o.cfg.First, "first", 1, "the number of the first id")
	f.StringVar(&o.cfg.Master, "master", "127.0.0.1", "the master's address")
	f.IntVar(&o.cfg.MasterPort, "master-port", 4506, "the master's raet_port")
	f.StringVar(&o.cfg.Interface, "interface", "127.0.0.1", "the address the minions' sockets bind")
	f.StringVar(&o.root, "root", "", "where the minions' root directories go (default: a new directory in /dev/shm or $TMPDIR)")
	f.BoolVar(&o.keep, "keep", false, "keep the root directories at exit")
	f.DurationVar(&o.period, "period", 0, "the road's keep-alive period (default: the minion's, 3s)")
	f.DurationVar(&o.aliveTimeout, "alive-timeout", 0, "how long an alive waits for its answer before the master counts as lost (default: the road's, 2s)")
	f.IntVar(&o.cfg.MaxPacket, "max-packet", emulator.DefaultMaxPacket, "the largest road datagram each minion reads (its read buffer)")
	f.StringVar(&o.extra, "config", "", "YAML lines added to every minion's configuration")
	f.StringVarP(&o.level, "log-level", "l", "info", "log level")
	f.DurationVar(&o.progress, "progress", 5*time.Second, "how often the count of allowed minions is logged (at info) until all are")
	root.SetArgs(args)
	root.SetOut(stdout)
	root.SetErr(stderr)
	if err := root.Execute(); err != nil {
		fmt.Fprintf(stderr, "%s: error: %v\n", prog, err)
		return cli.ExitUsage
	}
	if f.Changed("help") {
		return cli.ExitOK
	}
	logger, err := saltlog.New(o.level, stderr, "")
	if err != nil {
		fmt.Fprintf(stderr, "%s: error: %v\n", prog, err)
		return cli.ExitUsage
	}
	if err := emulate(ctx, &o, logger); err != nil {
		logger.Errorf("%v", err)
		return cli.ExitError
	}
	return cli.ExitOK
}

// emulate makes the minions, runs them until ctx ends, and logs how many
// are allowed until all are.
func emulate(ctx context.Context, o *opts, logger *logrus.Logger) error {
	dir, cleanup, err := rootDir(o.root, o.keep)
	if err != nil {
		return err
	}
	defer cleanup()
	o.cfg.Root, o.cfg.Extra, o.cfg.Log = dir, o.extra, logger
	if limit, err := raiseNoFile(); err != nil {
		logger.Warnf("Could not raise the limit of open files: %v", err)
	} else if limit < 2*uint64(o.cfg.Count)+64 {
		// Each minion holds its road socket, and its return spool's log
		// while returns wait and until it has grown (spoollog.go): past
		// the limit a return that cannot be kept is delivered or lost.
		logger.Warnf("The limit of open files (%d) is below what %d minions need (a socket and a return spool each): raise the hard limit (ulimit -Hn); returns that cannot be spooled are only sent", limit, o.cfg.Count)
	}
	o.cfg.Timers = road.Timers{Period: max(o.period, 0), AliverTimeout: max(o.aliveTimeout, 0)}
	start := time.Now()
	e, err := emulator.New(o.cfg)
	if err != nil {
		return err
	}
	logger.Infof("Made %d minions in %v under %s; starting them", o.cfg.Count, time.Since(start).Round(time.Millisecond), dir)
	go progress(ctx, e, logger, time.Now(), max(o.progress, 10*time.Millisecond))
	runCtx, stopCounting := context.WithCancel(ctx)
	counted := make(chan struct{})
	go func() {
		defer close(counted)
		logCountersOnSignal(runCtx, e, logger)
	}()
	err = e.Run(ctx)
	stopCounting()
	<-counted
	return err
}

// progress logs how many minions are allowed every period, until all
// are. The count each period is the minions' events (AllowedSeen); only
// when that says all are are the roads asked (Allowed), and only that
// exact count says "all of them": asking 10,000 road loops every 100 ms
// took the emulator a core during the storm it measures.
func progress(ctx context.Context, e *emulator.Emulator, logger *logrus.Logger, start time.Time, every time.Duration) {
	t := time.NewTicker(every)
	defer t.Stop()
	total := len(e.IDs())
	var nextExact time.Time
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		n := e.AllowedSeen()
		if n == total && !time.Now().Before(nextExact) {
			asked := time.Now()
			n = e.Allowed()
			// Not again before five times what asking took.
			nextExact = time.Now().Add(5 * time.Since(asked))
		} else if n == total {
			continue // not all until the roads say so
		}
		logger.Infof("%d of %d minions allowed, %d still joining (%v)", n, total, total-n, time.Since(start).Round(time.Millisecond))
		if n == total {
			return
		}
	}
}

// rootDir is where the minions' roots go, and how to remove it.
func rootDir(root string, keep bool) (string, func(), error) {
	if root != "" {
		return root, func() {}, os.MkdirAll(root, 0o700)
	}
	base := ""
	if st, err := os.Stat("/dev/shm"); err == nil && st.IsDir() {
		base = "/dev/shm"
	}
	dir, err := os.MkdirTemp(base, "salt-emulator-")
	if err != nil {
		return "", nil, err
	}
	if keep {
		return dir, func() {}, nil
	}
	return dir, func() { os.RemoveAll(dir) }, nil
}
