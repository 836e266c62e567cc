package main

import (
	"regexp"
	"strings"
	"testing"

	"github.com/saltraet/saltraet/internal/testutil"
)

// fingerprintRE is a fingerprint as salt-key prints it: 32 pairs of hex
// digits joined by colons. RAET's fingerprints hash other keys than
// ZeroMQ's RSA keys, so they are compared by shape only.
var fingerprintRE = regexp.MustCompile(`[0-9a-f]{2}(:[0-9a-f]{2}){31}`)

// observedSession splits the transcript of 00-minion-join-and-key-accept
// ("$ <command>" lines, each followed by what it printed) into its
// commands, in order.
func observedSession(t *testing.T) (cmds []string, outs []string) {
	runs := testutil.ObservedRuns(t, "00-minion-join-and-key-accept.json")
	stdout, _ := runs[0].String("stdout")
	for _, line := range strings.SplitAfter(stdout, "\n") {
		if cmd, ok := strings.CutPrefix(line, "$ "); ok {
			cmds = append(cmds, strings.TrimSuffix(cmd, "\n"))
			outs = append(outs, "")
			continue
		}
		if len(outs) > 0 {
			outs[len(outs)-1] += line
		}
	}
	return cmds, outs
}

// TestObservedJoinSession replays the salt-key commands of Salt 3006's
// join session (three minions pending, salt-key -L, -L --out json, -A -y,
// -L) and compares each output byte for byte with what 3006 printed.
func TestObservedJoinSession(t *testing.T) {
	e := newEnv(t, "")
	for _, id := range []string{"min1", "min2", "min3"} {
		testKeys[id] = [2]string{strings.Repeat("a"+id[3:], 32), strings.Repeat("b"+id[3:], 32)}
		defer delete(testKeys, id)
		e.join(t, id)
	}
	cmds, outs := observedSession(t)
	n := 0
	for i, cmd := range cmds {
		args, ok := strings.CutPrefix(cmd, "salt-key ")
		if !ok {
			continue
		}
		n++
		code, out, errOut := e.run(t, "", strings.Fields(args)...)
		if code != 0 || errOut != "" || out != outs[i] {
			t.Errorf("%s: exit %d, stderr %q\ngot  %q\nwant %q", cmd, code, errOut, out, outs[i])
		}
	}
	if n != 4 {
		t.Errorf("replayed %d salt-key commands of the session, want 4", n)
	}
}

// TestObservedSaltKey replays 13-salt-key.json (min1, min2 and min3
// accepted): -L and -L --out json byte for byte; -f min1 and -F --out json
// with the fingerprints compared by shape, and the master's own key named
// local.key where 3006 lists master.pem and master.pub.
func TestObservedSaltKey(t *testing.T) {
	e := newEnv(t, "")
	for _, id := range []string{"min1", "min2", "min3"} {
		testKeys[id] = [2]string{strings.Repeat("a"+id[3:], 32), strings.Repeat("b"+id[3:], 32)}
		defer delete(testKeys, id)
		e.join(t, id)
	}
	if code, _, errOut := e.run(t, "", "-A", "-y"); code != 0 {
		t.Fatalf("-A: exit %d %q", code, errOut)
	}
	e.writeLocal(t)
	localRSA := "\"master.pem\": \"FP\",\n        \"master.pub\": \"FP\""
	for _, r := range testutil.ObservedRuns(t, "13-salt-key.json") {
		cmd, _ := r.String("cmdline")
		want, _ := r.String("stdout")
		args, _ := strings.CutPrefix(cmd, "salt-key ")
		code, out, errOut := e.run(t, "", strings.Fields(args)...)
		want = strings.Replace(fingerprintRE.ReplaceAllString(want, "FP"), localRSA, "\"local.key\": \"FP\"", 1)
		got := fingerprintRE.ReplaceAllString(out, "FP")
		if code != 0 || errOut != "" || got != want {
			t.Errorf("%s: exit %d, stderr %q\ngot  %q\nwant %q", cmd, code, errOut, got, want)
		}
	}
}
