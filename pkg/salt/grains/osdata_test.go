package grains

import "testing"

// TestVirtMark: the first mark found wins, and an empty virt or subtype
// leaves what earlier checks found.
func TestVirtMark(t *testing.T) {
	for _, tc := range []struct {
		in, text string
		want     virtGuess
	}{
		{"kvm", "12:pids:/kubepods/burstable\n", virtGuess{"kvm", "kubernetes"}},
		{"physical", "1:name=systemd:/docker/abc\n", virtGuess{"container", "Docker"}},
		{"physical", "1:/lxc/x\n2:/docker/y\n", virtGuess{"container", "LXC"}},
		{"xen", "0::/\n", virtGuess{"xen", "chroot"}},
	} {
		v := virtGuess{tc.in, "chroot"}
		v.mark(tc.text, cgroupMarks)
		if v != tc.want {
			t.Errorf("mark(%q) from %q = %+v, want %+v", tc.text, tc.in, v, tc.want)
		}
	}
	v := virtGuess{"physical", ""}
	v.mark("RHEV Hypervisor 7", productMarks)
	if v != (virtGuess{"kvm", "rhev"}) {
		t.Errorf("RHEV product: %+v", v)
	}
}
