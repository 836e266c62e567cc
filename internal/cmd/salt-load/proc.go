package main

import (
	"fmt"
	"os"
	"strconv"
	"strings"
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

// cryptoFloor is the CPU of what one road message costs in crypto at
// least, measured here: an Ed25519 signature and its verification, and a
// Curve25519/XSalsa20-Poly1305 box sealed and opened, of 256 bytes. The
// median of 5 rounds of 200.
func cryptoFloor() time.Duration {
	signer, _ := raet.GenerateSigner()
	verifier, _ := raet.NewVerifier(signer.VerKey())
	a, _ := raet.GeneratePrivateer()
	b, _ := raet.GeneratePrivateer()
	ab, _ := raet.NewBox(a, b.Publican())
	ba, _ := raet.NewBox(b, a.Publican())
	msg := make([]byte, 256)
	var rounds []time.Duration
	for range 5 {
		start := time.Now()
		for range 200 {
			sig := signer.Sign(msg)
			verifier.Verify(msg, sig)
			sealed, _ := ab.Seal(nil, msg)
			ba.Open(nil, sealed)
		}
		rounds = append(rounds, time.Since(start)/200)
	}
	for i := range rounds {
		for j := i + 1; j < len(rounds); j++ {
			if rounds[j] < rounds[i] {
				rounds[i], rounds[j] = rounds[j], rounds[i]
			}
		}
	}
	return rounds[2]
}
