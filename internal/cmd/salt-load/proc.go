package main

import (
	"fmt"
	"os"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/saltraet/saltraet/pkg/raet"
)

// rssKB is a process's resident set (VmRSS), in KB.
func rssKB(pid int) int {
	b, _ := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	for _, l := range strings.Split(string(b), "\n") {
		if f := strings.Fields(l); len(f) >= 2 && f[0] == "VmRSS:" {
			n, _ := strconv.Atoi(f[1])
			return n
		}
	}
	return 0
}

// cpuTime is a process's user and system time so far.
func cpuTime(pid int) time.Duration {
	b, _ := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	s := string(b)
	f := strings.Fields(s[strings.LastIndexByte(s, ')')+2:])
	if len(f) < 13 {
		return 0
	}
	ut, _ := strconv.ParseInt(f[11], 10, 64)
	st, _ := strconv.ParseInt(f[12], 10, 64)
	return time.Duration(ut+st) * 10 * time.Millisecond // USER_HZ 100
}

// cryptoFloor is the CPU the master's crypto costs at least for one
// minion in a job to all, measured here: the publish sealed with the
// session's box (Curve25519/XSalsa20-Poly1305) and signed (Ed25519), the
// minion's done of it verified, the return verified and opened, and the
// master's done of it signed: two signatures, two verifications, one box
// each way, what the master's road does per minion for one job (acks are
// signed, not boxed). Packets of 300 bytes, about a test.ping's publish
// and return. The median of 5 rounds of 2,000.
func cryptoFloor() time.Duration {
	signer, _ := raet.GenerateSigner()
	verifier, _ := raet.NewVerifier(signer.VerKey())
	a, _ := raet.GeneratePrivateer()
	b, _ := raet.GeneratePrivateer()
	ab, _ := raet.NewBox(a, b.Publican())
	ba, _ := raet.NewBox(b, a.Publican())
	msg, ack := make([]byte, 300), make([]byte, 60)
	ackSig, retSig := signer.Sign(ack), signer.Sign(msg)
	ret, _ := ba.Seal(nil, msg)
	// CPU time of this thread, not wall time: the master's figure is its
	// CPU, and a busy machine would stretch a wall-clock floor.
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	var rounds []time.Duration
	for range 5 {
		start := threadCPU()
		for range 2000 {
			sealed, _ := ab.Seal(nil, msg) // the publish
			signer.Sign(sealed)
			verifier.Verify(ack, ackSig) // its done
			verifier.Verify(msg, retSig) // the return
			ab.Open(nil, ret)
			signer.Sign(ack) // its done
		}
		rounds = append(rounds, (threadCPU()-start)/2000)
	}
	slices.Sort(rounds)
	return rounds[2]
}

// threadCPU is the CPU time of the calling OS thread so far.
func threadCPU() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(1 /* RUSAGE_THREAD */, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// raiseNoFile raises the soft limit of open files to the hard one: the
// master's and the emulator's sockets and files at thousands of minions.
func raiseNoFile() {
	var l syscall.Rlimit
	if syscall.Getrlimit(syscall.RLIMIT_NOFILE, &l) == nil && l.Cur < l.Max {
		l.Cur = l.Max
		syscall.Setrlimit(syscall.RLIMIT_NOFILE, &l)
	}
}

// progress is what salt-load prints of a storm under way.
type progress struct {
	r        *run
	last     string // the emulator's last "N of M minions allowed" line
	cpu      time.Duration
	at       time.Time
	drops0   int
	lastDrop int
}

func (r *run) newProgress() *progress {
	_, drops := udpQueue(r.port)
	return &progress{r: r, cpu: cpuTime(r.master.Process.Pid), at: time.Now(), drops0: drops, lastDrop: drops}
}

// print writes one progress line: the allowed count, the master's CPU
// since the last line, its RSS, its socket's receive queue and drops.
func (p *progress) print(start time.Time) {
	pid := p.r.master.Process.Pid
	cpu, now := cpuTime(pid), time.Now()
	rxq, drops := udpQueue(p.r.port)
	allowed := "no count yet"
	if i := strings.Index(p.last, "minions allowed"); i >= 0 {
		f := strings.Fields(p.last[:i])
		if len(f) >= 3 {
			allowed = strings.Join(f[len(f)-3:], " ") + " allowed"
		}
	}
	el := time.Duration(0)
	if !start.IsZero() {
		el = now.Sub(start).Round(time.Second)
	}
	fmt.Printf("storm %v: %s; master %.0f%% of a core, RSS %d KB; its socket: %d bytes queued, %d datagrams dropped (%d in all); load average %s\n",
		el, allowed, 100*float64(cpu-p.cpu)/float64(now.Sub(p.at)), rssKB(pid), rxq, drops-p.lastDrop, drops-p.drops0, loadavg())
	p.cpu, p.at, p.lastDrop = cpu, now, drops
}

// udpQueue is the receive queue (bytes) and the drops counter of the
// UDP socket bound to port on IPv4, from /proc/net/udp.
func udpQueue(port int) (rxq, drops int) {
	b, _ := os.ReadFile("/proc/net/udp")
	suffix := fmt.Sprintf(":%04X", port)
	for _, l := range strings.Split(string(b), "\n")[1:] {
		f := strings.Fields(l)
		if len(f) < 13 || !strings.HasSuffix(f[1], suffix) {
			continue
		}
		if q := strings.SplitN(f[4], ":", 2); len(q) == 2 {
			v, _ := strconv.ParseInt(q[1], 16, 64)
			rxq = int(v)
		}
		drops, _ = strconv.Atoi(f[len(f)-1])
		return rxq, drops
	}
	return 0, 0
}
