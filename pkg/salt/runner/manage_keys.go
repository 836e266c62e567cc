package runner

import (
	"errors"
	"fmt"

	"github.com/saltraet/saltraet/pkg/salt/pki"
	"github.com/saltraet/saltraet/pkg/salt/protocol"
)

// removeKeys deletes the keys of ids in every status and forgets their
// data cache and road estates, as manage.down(removekeys=True) does
// through the wheel's key.delete (and salt-key -d does). A key already
// gone is no error; a cache that cannot be cleared is one, saying the key
// itself is gone. Each key deleted is fired as salt/key (act delete), as
// the wheel's key.delete fires it.
func (e *Env) removeKeys(ids []string) error {
	if len(ids) == 0 {
		return nil
	}
	store, err := pki.Open(e.Opts.PKIDir, pki.Options{PermissivePKIAccess: e.Opts.PermissivePKIAccess})
	if err != nil {
		return fmt.Errorf("pki_dir %s: %w", e.Opts.PKIDir, err)
	}
	for _, id := range ids {
		err := store.Delete(id)
		if err != nil && !errors.Is(err, pki.ErrNotFound) {
			return err
		}
		if err == nil {
			e.fireKeyDeleted(id)
		}
		if _, err := store.Forget(e.Opts.Cachedir, id); err != nil && !errors.Is(err, pki.ErrStillKeyed) {
			return fmt.Errorf("the key of %s was deleted, but not all of its cache: %w", id, err)
		}
	}
	return nil
}

// fireKeyDeleted fires salt/key {"result": true, "act": "delete", "id": id}
// on the master's bus. The key is gone either way: an event that cannot be
// fired (no master) is not the runner's failure.
func (e *Env) fireKeyDeleted(id string) {
	cl, err := e.Client()
	if err != nil {
		return
	}
	_ = cl.FireEvent(protocol.TagKey, protocol.KeyEventData(protocol.KeyActDelete, id, e.Clock.Now()))
}
