package wheel

import (
	"errors"
	"fmt"
	"os"

	"github.com/saltraet/saltraet/pkg/raet/body"
	"github.com/saltraet/saltraet/pkg/salt/pki"
)

// gen is key.gen: new keys for a minion, returned and not kept. Salt
// returns an RSA pair as PEM text; a RAET minion's keys are a Curve25519
// and an Ed25519 pair, returned as text in the fields of their key files:
// "pub" the accepted key file's (pub, verify), "priv" local.key's (priv,
// sign). keysize is taken and ignored: RAET's keys have one size.
func (w *Wheel) gen(a args) (any, error) {
	id := a.str("id_")
	if id == "" {
		id = "minion" // only names the files of the temporary directory
	}
	g, err := w.genKeys(id)
	if err != nil {
		return nil, err
	}
	return genReturn(g), nil
}

func (w *Wheel) genKeys(id string) (*pki.Generated, error) {
	dir, err := os.MkdirTemp("", "salt-wheel-gen-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	return pki.GenKeys(dir, id)
}

func genReturn(g *pki.Generated) body.Map {
	return body.Map{
		{Key: "pub", Value: fmt.Sprintf("pub: %s\nverify: %s\n", g.Local.PubHex(), g.Local.VerHex())},
		{Key: "priv", Value: fmt.Sprintf("priv: %s\nsign: %s\n", g.Local.Privateer.Hex(), g.Local.Signer.SeedHex())},
	}
}

// genAccept is key.gen_accept: key.gen, with the public keys placed as
// the minion's accepted key. An accepted key already there is kept, and
// the return is {}, unless force.
func (w *Wheel) genAccept(a args) (any, error) {
	id := a.str("id_")
	if err := pki.ValidID(id); err != nil {
		return nil, err
	}
	g, err := w.genKeys(id)
	if err != nil {
		return nil, err
	}
	err = w.store.Preseed(id, g.Local.PubHex(), g.Local.VerHex(), a.flag("force"))
	if errors.Is(err, pki.ErrExists) {
		return body.Map{}, nil
	}
	if err != nil {
		return nil, err
	}
	w.log.Infof("Key wheel: gen_accept %s", id)
	return genReturn(g), nil
}
