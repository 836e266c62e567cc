//go:build !unix

package cli

import (
	"errors"
	"syscall"
)

// detachedAttr fails: there are no sessions to detach into here. The
// daemons run in the foreground under the system's service manager
// instead.
func detachedAttr() (*syscall.SysProcAttr, error) { return nil, errors.ErrUnsupported }
