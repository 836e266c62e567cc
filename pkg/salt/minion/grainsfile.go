package minion

import (
	"context"
	"errors"
)

// refreshGrains reloads the minion's grains, <config_dir>/grains included
// (saltutil.refresh_grains, and after grains.setval writes that file).
func (m *Minion) refreshGrains(ctx context.Context) error {
	return errors.New("refreshing grains is not built yet")
}
