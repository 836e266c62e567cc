//go:build linux

package grains

import "syscall"

// systemUname is uname(2), which Salt reads through platform.uname().
func systemUname() *Uname {
	var u syscall.Utsname
	if err := syscall.Uname(&u); err != nil {
		return nil
	}
	return &Uname{
		Sysname:  utsString(u.Sysname[:]),
		Nodename: utsString(u.Nodename[:]),
		Release:  utsString(u.Release[:]),
		Version:  utsString(u.Version[:]),
		Machine:  utsString(u.Machine[:]),
	}
}

// utsString reads a NUL-terminated utsname field, whose element type is
// int8 on some architectures and uint8 on others.
func utsString[T int8 | uint8](f []T) string {
	b := make([]byte, 0, len(f))
	for _, c := range f {
		if c == 0 {
			break
		}
		b = append(b, byte(c))
	}
	return string(b)
}
