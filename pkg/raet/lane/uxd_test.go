package lane

import (
	"errors"
	"syscall"
	"testing"
	"time"
	"unsafe"
)

// A read waits in the kernel with no timeout of its own (an idle yard
// makes no system call), and Close wakes it: it returns ErrClosed.
func TestUXDCloseWakesRead(t *testing.T) {
	c, err := ListenUXD(HA(sockDir(t), "lane", "idle"), 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	u := c.(*uxd)
	var tv syscall.Timeval
	size := uint32(unsafe.Sizeof(tv))
	if _, _, errno := syscall.Syscall6(syscall.SYS_GETSOCKOPT, uintptr(u.fd), syscall.SOL_SOCKET, syscall.SO_RCVTIMEO,
		uintptr(unsafe.Pointer(&tv)), uintptr(unsafe.Pointer(&size)), 0); errno != 0 {
		t.Fatal(errno)
	}
	if tv.Sec != 0 || tv.Usec != 0 {
		t.Errorf("receive timeout %v: an idle read would wake up on it", tv)
	}
	got := make(chan error, 1)
	go func() {
		_, _, err := c.ReadFrom(make([]byte, 64))
		got <- err
	}()
	c.Close()
	select {
	case err := <-got:
		if !errors.Is(err, ErrClosed) {
			t.Fatalf("read ended with %v, want ErrClosed", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Close did not wake the read")
	}
}
