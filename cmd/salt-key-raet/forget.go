package main

import (
	"errors"

	"github.com/saltraet/saltraet/pkg/salt/pki"
)

// forget clears what the master remembers of a minion whose key was
// deleted (its data cache and road estate files; pki.Store.Forget says
// which and why). Problems are logged as warnings: the key itself is gone.
func (k *keyCLI) forget(id string) {
	cleared, err := k.store.Forget(k.cfg.Cachedir, id)
	for _, path := range cleared {
		k.log.debugf("removed %s", path)
	}
	switch {
	case errors.Is(err, pki.ErrStillKeyed):
		k.log.debugf("%v", err)
	case err != nil:
		k.log.warnf("Key: %v", err)
	}
}
