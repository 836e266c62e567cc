package main

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/saltraet/saltraet/internal/testvectors"
	"github.com/saltraet/saltraet/pkg/raet"
)

// raetCmd runs the tool in-process and returns its status and output.
func raetCmd(t *testing.T, stdin []byte, args ...string) (int, string, string) {
	t.Helper()
	var out, errOut bytes.Buffer
	code := run(args, bytes.NewReader(stdin), &out, &errOut)
	return code, out.String(), errOut.String()
}

// object decodes the single JSON line the tool printed.
func object(t *testing.T, out string) map[string]any {
	t.Helper()
	if strings.Count(out, "\n") != 1 || !strings.HasSuffix(out, "\n") {
		t.Fatalf("want one line of JSON, got %q", out)
	}
	var m map[string]any
	if err := json.Unmarshal([]byte(out), &m); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, out)
	}
	return m
}

func TestKeygenRandom(t *testing.T) {
	code, out, _ := raetCmd(t, nil, "keygen")
	if code != 0 {
		t.Fatalf("exit %d", code)
	}
	a := object(t, out)
	if !strings.HasPrefix(out, `{"sighex":`) {
		t.Errorf("keys out of order: %s", out)
	}
	for _, k := range []string{"sighex", "prihex", "verhex", "pubhex"} {
		s, _ := a[k].(string)
		if _, err := hex.DecodeString(s); err != nil || len(s) != 64 {
			t.Errorf("%s = %q", k, s)
		}
	}
	// The public halves belong to the private ones.
	s, _ := raet.NewSigner([]byte(a["sighex"].(string)))
	p, _ := raet.NewPrivateer([]byte(a["prihex"].(string)))
	if s.VerHex() != a["verhex"] || p.PubHex() != a["pubhex"] {
		t.Errorf("public keys do not derive from the private ones: %s", out)
	}
	_, out2, _ := raetCmd(t, nil, "keygen")
	if object(t, out2)["sighex"] == a["sighex"] {
		t.Error("two random keygens gave the same seed")
	}
}

func TestKeygenDerived(t *testing.T) {
	code, out, _ := raetCmd(t, nil, "keygen", "--sigkey", strings.Repeat("11", 32), "--prikey", strings.Repeat("22", 32))
	if code != 0 {
		t.Fatalf("exit %d", code)
	}
	want := `{"sighex":"` + strings.Repeat("11", 32) + `","prihex":"` + strings.Repeat("22", 32) +
		`","verhex":"d04ab232742bb4ab3a1368bd4615e4e6d0224ab71a016baf8520a332c9778737"` +
		`,"pubhex":"0faa684ed28867b97f4a6a2dee5df8ce974e76b7018e3f22a1c4cf2678570f20"}` + "\n"
	if out != want {
		t.Errorf("got  %s\nwant %s", out, want)
	}
	for _, bad := range [][]string{{"--sigkey", "12"}, {"--prikey", strings.Repeat("zz", 32)}, {"extra"}, {"--nope"}} {
		code, out, errOut := raetCmd(t, nil, append([]string{"keygen"}, bad...)...)
		if code != 2 || out != "" || !strings.Contains(errOut, "Error:") {
			t.Errorf("keygen %v: exit %d, stdout %q, stderr %q", bad, code, out, errOut)
		}
	}
}

// Every captured datagram decodes to what the reference decoded, signatures
// valid and bodies opened with the session keys.
func TestDecodeExchange(t *testing.T) {
	for _, suffix := range []string{"", "-json"} {
		ds, meta := testvectors.RoadExchange(t, suffix)
		for _, d := range ds {
			sender, receiver := meta.KeysOf(t, d.FromRole), meta.SessionKeysOf(t, d.ToRole)
			args := []string{"decode", "--hex", d.Hex, "--verkey", sender.VerkeyHex,
				"--prikey", receiver.ShortPrihex, "--pubkey", receiver.RemoteShortPubhex}
			code, out, errOut := raetCmd(t, nil, args...)
			if code != 0 {
				t.Fatalf("#%d: exit %d: %s %s", d.I, code, out, errOut)
			}
			got := object(t, out)
			if !reflect.DeepEqual(got["head"], any(d.Raet.Data)) {
				t.Errorf("#%d head %v\nwant %v", d.I, got["head"], d.Raet.Data)
			}
			wantSig := map[string]string{"verified": "valid", "none": "none"}[d.Raet.Signature]
			if got["signature"] != wantSig {
				t.Errorf("#%d signature %v, want %s", d.I, got["signature"], wantSig)
			}
			kinds := map[string]any{}
			for k, v := range d.Raet.Kinds {
				kinds[k] = v
			}
			if !reflect.DeepEqual(got["kinds"], kinds) {
				t.Errorf("#%d kinds %v", d.I, got["kinds"])
			}
			switch {
			case d.Raet.Segment != nil:
				seg, _ := got["segment"].(map[string]any)
				if got["body"] != nil || seg["sn"] != float64(d.Raet.Segment.SN) || seg["ml"] != float64(d.Raet.Segment.ML) {
					t.Errorf("#%d segment: %s", d.I, out)
				}
			case d.Raet.BodyRawHex != nil:
				want := map[string]any{"$bytes_hex": *d.Raet.BodyRawHex}
				if !reflect.DeepEqual(got["body"], any(want)) {
					t.Errorf("#%d raw body %v", d.I, got["body"])
				}
			default:
				var want any
				if err := json.Unmarshal(d.Raet.Body, &want); err != nil {
					t.Fatal(err)
				}
				if !reflect.DeepEqual(got["body"], want) {
					t.Errorf("#%d body %v\nwant %v", d.I, got["body"], want)
				}
			}
		}
	}
}

func TestDecodeWithoutKeys(t *testing.T) {
	ds, meta := testvectors.RoadExchange(t, "")
	small := ds[9] // the unsegmented encrypted message
	code, out, _ := raetCmd(t, nil, "decode", "--hex", small.Hex)
	got := object(t, out)
	if code != 0 || got["signature"] != "unverified" || got["body"] != nil {
		t.Errorf("no keys: exit %d %s", code, out)
	}
	// The receiver's verify key is the wrong one: invalid, exit 1.
	code, out, _ = raetCmd(t, nil, "decode", "--hex", small.Hex, "--verkey", meta.KeysOf(t, small.ToRole).VerkeyHex)
	if code != 1 || object(t, out)["signature"] != "invalid" {
		t.Errorf("wrong verify key: exit %d %s", code, out)
	}
	// Keys that do not open the coat: body null, an error, exit 1.
	code, out, _ = raetCmd(t, nil, "decode", "--hex", small.Hex, "--prikey", strings.Repeat("22", 32), "--pubkey", strings.Repeat("44", 32))
	got = object(t, out)
	if code != 1 || got["body"] != nil || !strings.Contains(got["error"].(string), "does not open") {
		t.Errorf("wrong box: exit %d %s", code, out)
	}
}

func TestDecodeFileAndStdin(t *testing.T) {
	ds, _ := testvectors.RoadExchange(t, "-json")
	raw := ds[0].Bytes(t) // the join request: unsigned, unencrypted
	f := filepath.Join(t.TempDir(), "join.bin")
	if err := os.WriteFile(f, raw, 0o600); err != nil {
		t.Fatal(err)
	}
	code, fromFile, _ := raetCmd(t, nil, "decode", "--file", f)
	code2, fromStdin, _ := raetCmd(t, raw, "decode", "--file", "-")
	if code != 0 || code2 != 0 || fromFile != fromStdin {
		t.Errorf("file and stdin differ: %d %d\n%s\n%s", code, code2, fromFile, fromStdin)
	}
	body, _ := object(t, fromFile)["body"].(map[string]any)
	if body["name"] != "beta" || object(t, fromFile)["signature"] != "none" {
		t.Errorf("join request: %s", fromFile)
	}
}

func TestDecodeRefusals(t *testing.T) {
	for _, c := range []struct {
		args []string
		code int
		out  string // expected on stdout for status 1
	}{
		{[]string{"decode", "--hex", "00ff"}, 1, `{"error":"raet: unrecognizable packet head"}`},
		{[]string{"decode", "--hex", hex.EncodeToString([]byte("ri RAET\npl 0040\nhl 22\nfg 00\nbk 2\n\nshort"))}, 1, `{"error":"raet: actual packet length 39 does not match head field pl 64"}`},
		{[]string{"decode", "--hex", "zz"}, 2, ""},
		{[]string{"decode"}, 2, ""},
		{[]string{"decode", "--hex", "00", "--file", "x"}, 2, ""},
		{[]string{"decode", "--hex", "00", "--prikey", strings.Repeat("22", 32)}, 2, ""},
		{[]string{"decode", "--hex", "00", "--verkey", "abc"}, 2, ""},
		{[]string{"decode", "--lane", "--hex", "00", "--verkey", strings.Repeat("22", 32)}, 2, ""},
		{[]string{"decode", "--file", "/nonexistent/datagram"}, 2, ""},
	} {
		code, out, errOut := raetCmd(t, nil, c.args...)
		if code != c.code {
			t.Errorf("%v: exit %d, want %d (%s %s)", c.args, code, c.code, out, errOut)
		}
		if c.code == 1 && strings.TrimSpace(out) != c.out {
			t.Errorf("%v: printed %s, want %s", c.args, out, c.out)
		}
		if c.code == 2 && (out != "" || !strings.Contains(errOut, "Error:")) {
			t.Errorf("%v: stdout %q stderr %q", c.args, out, errOut)
		}
	}
}

func TestDecodeLane(t *testing.T) {
	for _, name := range []string{"single-msgpack-bin", "book-json"} {
		v := testvectors.LaneVector(t, name)
		code, out, _ := raetCmd(t, nil, "decode", "--lane", "--hex", v.Pages[0].Hex)
		if code != 0 {
			t.Fatalf("%s: exit %d %s", name, code, out)
		}
		got := object(t, out)
		if !reflect.DeepEqual(got["head"], any(v.Pages[0].Head)) {
			t.Errorf("%s head %v, want %v", name, got["head"], v.Pages[0].Head)
		}
		if len(v.Pages) > 1 {
			if got["body"] != nil {
				t.Errorf("%s: one page of a book shows a body", name)
			}
			continue
		}
		var want any
		if err := json.Unmarshal(v.Body, &want); err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got["body"], want) {
			t.Errorf("%s body %v, want %v", name, got["body"], want)
		}
	}
	code, out, _ := raetCmd(t, nil, "decode", "--lane", "--hex", hex.EncodeToString([]byte("ri RAET\nzz 1\n\n")))
	if code != 1 || !strings.Contains(out, `"error"`) {
		t.Errorf("bad page: exit %d %s", code, out)
	}
}
