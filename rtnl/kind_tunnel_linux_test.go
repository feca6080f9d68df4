//go:build linux

package rtnl

import (
	"syscall"
	"testing"
)

// TestTunnelKindsKernel: the requests of the tunnel kinds reach the kernel,
// which (without their modules, as on the machines these tests run on)
// refuses each with EOPNOTSUPP and "Unknown device type", an error naming
// the operation; where a module is loaded, the tunnel is made and read
// back as a link of its kind.
func TestTunnelKindsKernel(t *testing.T) {
	c, _ := lkSetup(t)
	made := 0
	for name, l := range tunnelLinks() {
		l.Index = 0
		l.Name = "t" + name[:min(len(name), 8)]
		if g, ok := l.Info.(*Gre); ok && g.Device != nil {
			g.Device = nil // no lower device in this namespace
		}
		if x, ok := l.Info.(*Xfrm); ok && x.Device != nil {
			x.Device = nil
		}
		if v, ok := l.Info.(*Vti); ok && v.Device != nil {
			v.Device = nil
		}
		if v, ok := l.Info.(*IPTunnel); ok && v.Device != nil {
			v.Device = nil
		}
		err := c.AddLink(t.Context(), l)
		if err == nil {
			made++
			got := lkGet(t, c, l.Name)
			if got.Kind != l.Kind {
				t.Errorf("%s: made a %s", name, got.Kind)
			}
			continue
		}
		ne := testKernelError(t, err, "add link", syscall.EOPNOTSUPP)
		if ne.Message != "Unknown device type" {
			t.Errorf("%s: %q, want the kernel's \"Unknown device type\"", name, ne.Message)
		}
	}
	t.Logf("%d of %d tunnels made (the others' modules are missing)", made, len(tunnelLinks()))
}
