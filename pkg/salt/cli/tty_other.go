//go:build !linux

package cli

import (
	"io"
	"os"
)

// IsTerminal reports whether w is a character device, the closest the
// standard library comes to isatty on this system. Salt's tools colour
// their output only on a terminal.
func IsTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}
