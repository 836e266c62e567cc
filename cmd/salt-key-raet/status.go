package main

import (
	"fmt"

	"github.com/saltraet/saltraet/pkg/raet"
)

// Salt 3006's names of the key statuses (salt.key.Key's ACC, PEND, REJ and
// DEN), which salt-key prints as the keys of its data (--out json, yaml,
// txt, raw) and the key outputter turns into its headings. The RAET
// directories under pki_dir keep RaetKey's names (accepted, pending,
// rejected); only what salt-key prints follows 3006, so that a script that
// parses salt-key --out json from a ZeroMQ master works unchanged.
const (
	keyAccepted = "minions"
	keyPending  = "minions_pre"
	keyRejected = "minions_rejected"
	keyDenied   = "minions_denied"
)

// statusKey is the 3006 name of a RAET key status.
func statusKey(st raet.Acceptance) string {
	switch st {
	case raet.Accepted:
		return keyAccepted
	case raet.Pending:
		return keyPending
	case raet.Rejected:
		return keyRejected
	}
	return fmt.Sprintf("acceptance-%d", uint8(st))
}
