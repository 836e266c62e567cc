//go:build !linux

package master

// keyWatch is inotify's (keywatch_linux.go); elsewhere the key cache goes
// by its stamps alone.
type keyWatch struct{}

func newKeyWatch(...string) *keyWatch           { return nil }
func (w *keyWatch) poll() (gen uint64, ok bool) { return 0, false }
func (w *keyWatch) close()                      {}
