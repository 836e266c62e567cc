package main

import (
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"

	"github.com/spf13/cobra"

	"github.com/saltraet/saltraet/pkg/raet"
	"github.com/saltraet/saltraet/pkg/raet/body"
	"github.com/saltraet/saltraet/pkg/raet/lane"
	"github.com/saltraet/saltraet/pkg/raet/road/wire"
)

func newDecode(stdin io.Reader, stdout io.Writer) *cobra.Command {
	var hexIn, file, verkey, prikey, pubkey string
	var isPage bool
	cmd := &cobra.Command{
		Use:   "decode (--hex HEX | --file FILE)",
		Short: "Decode one road datagram (or lane page) into JSON",
		Long: `Decode one road datagram, or with --lane one lane page, and print one JSON
object: head (every head field by its two-letter name, defaults filled in),
kinds (the names of tk, pk, bk, ck and fk), parts (the lengths of head, coat
and foot), signature, and body.

signature is "valid" or "invalid" when --verkey (the sender's long-term
verify key) is given, "unverified" when it is not, and "none" when the
packet has no foot. body is the decoded body; bytes are shown as
{"$bytes_hex": ...}. It is null for one segment of a segmented message, and
for an encrypted body when --prikey and --pubkey (one side's short-term
private key and the other side's short-term public key) are not given.

A datagram that cannot be parsed prints {"error": "..."}. The exit status is
1 when the datagram cannot be parsed, its signature is invalid or its body
cannot be opened or read, and 0 otherwise.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			datagram, err := readDatagram(hexIn, file, stdin)
			if err != nil {
				return err
			}
			var out body.Map
			var failed bool
			if isPage {
				if verkey != "" || prikey != "" || pubkey != "" {
					return fmt.Errorf("lane pages are neither signed nor encrypted: --verkey, --prikey and --pubkey do not apply with --lane")
				}
				out, failed = decodePage(datagram)
			} else {
				ver, box, err := decodeKeys(verkey, prikey, pubkey)
				if err != nil {
					return err
				}
				out, failed = decodePacket(datagram, ver, box)
			}
			if err := writeJSON(stdout, out); err != nil {
				return err
			}
			if failed {
				return exitError{1}
			}
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVar(&hexIn, "hex", "", "the datagram as hex digits")
	f.StringVar(&file, "file", "", "a file holding the raw datagram (- for standard input)")
	f.StringVar(&verkey, "verkey", "", "the sender's long-term Ed25519 verify key, 64 hex digits")
	f.StringVar(&prikey, "prikey", "", "one side's short-term Curve25519 private key, 64 hex digits")
	f.StringVar(&pubkey, "pubkey", "", "the other side's short-term Curve25519 public key, 64 hex digits")
	f.BoolVar(&isPage, "lane", false, "decode a lane page instead of a road datagram")
	return cmd
}

func readDatagram(hexIn, file string, stdin io.Reader) ([]byte, error) {
	switch {
	case hexIn != "" && file != "":
		return nil, fmt.Errorf("give the datagram once: --hex or --file, not both")
	case hexIn != "":
		b, err := hex.DecodeString(strings.TrimSpace(hexIn))
		if err != nil {
			return nil, fmt.Errorf("--hex: %v", err)
		}
		return b, nil
	case file == "-":
		return io.ReadAll(io.LimitReader(stdin, raet.UXDMaxPacketSize+1))
	case file != "":
		return os.ReadFile(file)
	}
	return nil, fmt.Errorf("no datagram: give --hex HEX or --file FILE")
}

func decodeKeys(verkey, prikey, pubkey string) (*raet.Verifier, *raet.Box, error) {
	var ver *raet.Verifier
	if verkey != "" {
		k, err := raet.KeyHex(verkey)
		if err == nil {
			ver, err = raet.NewVerifier(k[:])
		}
		if err != nil {
			return nil, nil, fmt.Errorf("--verkey: %v", err)
		}
	}
	if (prikey == "") != (pubkey == "") {
		return nil, nil, fmt.Errorf("--prikey and --pubkey go together: a coat opens with one side's private key and the other side's public key")
	}
	if prikey == "" {
		return ver, nil, nil
	}
	pk, err := raet.KeyHex(prikey)
	if err != nil {
		return nil, nil, fmt.Errorf("--prikey: %v", err)
	}
	priv, err := raet.NewPrivateer(pk[:])
	if err != nil {
		return nil, nil, fmt.Errorf("--prikey: %v", err)
	}
	uk, err := raet.KeyHex(pubkey)
	if err != nil {
		return nil, nil, fmt.Errorf("--pubkey: %v", err)
	}
	pub, _ := raet.NewPublican(uk[:])
	box, err := raet.NewBox(priv, pub)
	if err != nil {
		return nil, nil, fmt.Errorf("--pubkey: %v", err)
	}
	return ver, box, nil
}

// decodePacket describes a road datagram; failed reports whether anything
// that was checked did not hold.
func decodePacket(b []byte, ver *raet.Verifier, box *raet.Box) (out body.Map, failed bool) {
	p, err := wire.ParsePacket(b)
	if err != nil {
		return body.Map{{Key: "error", Value: err.Error()}}, true
	}
	out = body.Map{
		{Key: "head", Value: p.Fields()},
		{Key: "kinds", Value: p.Kinds()},
		{Key: "parts", Value: body.Map{
			{Key: "head_len", Value: p.HL},
			{Key: "coat_len", Value: len(p.Coat())},
			{Key: "foot_len", Value: len(p.Foot())},
		}},
	}
	switch {
	case !p.Signed():
		out.Set("signature", "none")
	case ver == nil:
		out.Set("signature", "unverified")
	case p.Verify(ver) == nil:
		out.Set("signature", "valid")
	default:
		out.Set("signature", "invalid")
		failed = true
	}
	if p.Count() > 1 {
		out.Set("segment", body.Map{{Key: "sn", Value: p.SN}, {Key: "sc", Value: p.Count()}, {Key: "ml", Value: p.ML}})
		out.Set("body", nil)
		return out, failed
	}
	if p.CK == raet.CoatNacl && len(p.Coat()) > 0 && box == nil {
		out.Set("body", nil)
		return out, failed
	}
	plain, err := p.Plain(box)
	if err != nil {
		setError(&out, err)
		return out, true
	}
	switch p.BK {
	case raet.BodyRaw:
		out.Set("body", display(plain))
	case raet.BodyNada:
		out.Set("body", body.Map{})
	default:
		if setBody(&out, p.BK, plain) {
			return out, true
		}
	}
	return out, failed
}

// decodePage describes a lane page.
func decodePage(b []byte) (out body.Map, failed bool) {
	h, section, err := lane.ParsePage(b)
	if err != nil {
		return body.Map{{Key: "error", Value: err.Error()}}, true
	}
	out = body.Map{
		{Key: "head", Value: body.Map{
			{Key: "ri", Value: "RAET"}, {Key: "vn", Value: h.VN}, {Key: "pk", Value: uint8(h.PK)},
			{Key: "sn", Value: h.SN}, {Key: "dn", Value: h.DN}, {Key: "si", Value: h.SI},
			{Key: "bi", Value: h.BI}, {Key: "pn", Value: h.PN}, {Key: "pc", Value: h.Count()},
		}},
		{Key: "kinds", Value: body.Map{{Key: "pk", Value: h.PK.String()}}},
		{Key: "parts", Value: body.Map{{Key: "head_len", Value: len(b) - len(section)}, {Key: "body_len", Value: len(section)}}},
	}
	if h.Count() > 1 {
		out.Set("body", nil) // one page of a book: only the whole book parses
		return out, false
	}
	return out, setBody(&out, h.BodyKind(), section)
}

// setBody puts the decoded body in out, or records why it does not decode;
// it reports the failure.
func setBody(out *body.Map, kind raet.BodyKind, plain []byte) (failed bool) {
	m, err := body.Decode(kind, plain)
	if err != nil {
		setError(out, err)
		return true
	}
	out.Set("body", display(m))
	return false
}

// setError records a body that cannot be shown: null, and why.
func setError(out *body.Map, err error) {
	out.Set("body", nil)
	out.Set("error", err.Error())
}

// display makes a decoded body printable as JSON: bytes become
// {"$bytes_hex": ...} as in the project's vectors, msgpack extensions
// {"$ext": type, "$data_hex": ...}, and maps with other than string keys
// maps keyed by the keys' text.
func display(v any) any {
	switch x := v.(type) {
	case []byte:
		return body.Map{{Key: "$bytes_hex", Value: hex.EncodeToString(x)}}
	case body.Ext:
		return body.Map{{Key: "$ext", Value: x.Type}, {Key: "$data_hex", Value: hex.EncodeToString(x.Data)}}
	case body.Map:
		out := make(body.Map, len(x))
		for i, it := range x {
			out[i] = body.Item{Key: it.Key, Value: display(it.Value)}
		}
		return out
	case []any:
		out := make([]any, len(x))
		for i := range x {
			out[i] = display(x[i])
		}
		return out
	case map[any]any:
		out := make(body.Map, 0, len(x))
		for k, val := range x {
			out = append(out, body.Item{Key: fmt.Sprint(display(k)), Value: display(val)})
		}
		sort.Slice(out, func(i, j int) bool { return out[i].Key < out[j].Key })
		return out
	}
	return v
}
