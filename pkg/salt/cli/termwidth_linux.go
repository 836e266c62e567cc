package cli

import (
	"io"
	"os"
	"syscall"
	"unsafe"
)

// TermWidth is the width of the terminal w is, from the TIOCGWINSZ
// ioctl; ok is false when w is not a terminal or says no width.
func TermWidth(w io.Writer) (width int, ok bool) {
	f, isFile := w.(*os.File)
	if !isFile {
		return 0, false
	}
	var ws struct{ Row, Col, X, Y uint16 }
	_, _, errno := syscall.Syscall(syscall.SYS_IOCTL, f.Fd(), uintptr(syscall.TIOCGWINSZ), uintptr(unsafe.Pointer(&ws)))
	if errno != 0 {
		return 0, false
	}
	return int(ws.Col), true
}
