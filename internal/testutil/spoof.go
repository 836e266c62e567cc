package testutil

import (
	"crypto/sha256"
	"fmt"
	"testing"

	"github.com/saltraet/saltraet/pkg/raet"
	"github.com/saltraet/saltraet/pkg/raet/body"
	"github.com/saltraet/saltraet/pkg/raet/road/wire"
)

// SpoofedJoin is the vacuous join request of a made-up minion spoof<i>: a
// new id and new keys for each i, as anyone who can send to a master's
// port can make. The flood tests send thousands of them.
func SpoofedJoin(tb testing.TB, i int) []byte {
	tb.Helper()
	seed := sha256.Sum256(fmt.Appendf(nil, "spoof/%d", i))
	signer, priv := SeededKeys(tb, seed[:], seed[:])
	id := fmt.Sprintf("spoof%d", i)
	plain, err := body.Encode(raet.BodyMsgpack, body.Map{
		{Key: "name", Value: id + "_minion"}, {Key: "mode", Value: int64(0)}, {Key: "kind", Value: int64(1)},
		{Key: "verhex", Value: signer.VerHex()}, {Key: "pubhex", Value: priv.PubHex()}, {Key: "role", Value: id}})
	if err != nil {
		tb.Fatal(err)
	}
	ps, err := wire.PackTray(wire.Head{HK: raet.HeadRaet, BK: raet.BodyMsgpack, PK: raet.PcktRequest,
		TK: raet.TrnsJoin, SE: uint32(2 + i), TI: uint32(1 + i)}, plain, nil, nil)
	if err != nil {
		tb.Fatal(err)
	}
	return ps[0].Packed
}

// EstateKeys makes a new estate's long-term keys: its signing key and its
// Curve25519 key.
func EstateKeys(tb testing.TB) (*raet.Signer, *raet.Privateer) {
	tb.Helper()
	signer, err := raet.GenerateSigner()
	if err != nil {
		tb.Fatal(err)
	}
	priv, err := raet.GeneratePrivateer()
	if err != nil {
		tb.Fatal(err)
	}
	return signer, priv
}

// NamedKeys derives an estate's long-term keys from a label, the same keys
// for the same label in every run: the signing seed is the SHA-256 of
// label+"/sign", the Curve25519 key that of label+"/pri".
func NamedKeys(tb testing.TB, label string) (*raet.Signer, *raet.Privateer) {
	tb.Helper()
	seed := sha256.Sum256([]byte(label + "/sign"))
	pri := sha256.Sum256([]byte(label + "/pri"))
	return SeededKeys(tb, seed[:], pri[:])
}

// SeededKeys makes an estate's long-term keys from a 32-byte signing seed
// and a 32-byte Curve25519 private key.
func SeededKeys(tb testing.TB, sign, pri []byte) (*raet.Signer, *raet.Privateer) {
	tb.Helper()
	signer, err := raet.NewSigner(sign)
	if err != nil {
		tb.Fatal(err)
	}
	priv, err := raet.NewPrivateer(pri)
	if err != nil {
		tb.Fatal(err)
	}
	return signer, priv
}
