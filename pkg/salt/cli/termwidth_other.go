//go:build !linux

package cli

import "io"

// TermWidth is the width of the terminal w is; this system's is not
// read, so ok is false.
func TermWidth(w io.Writer) (width int, ok bool) { return 0, false }
