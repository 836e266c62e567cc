//go:build !linux

package grains

// systemUname has nothing to report off Linux; the kernel grains are then
// left out.
func systemUname() *Uname { return nil }
