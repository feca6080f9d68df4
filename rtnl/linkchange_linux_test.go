//go:build linux

package rtnl

import (
	"errors"
	"slices"
	"syscall"
	"testing"

	"github.com/nlkit/nlkit/internal/kerneltest"
)

// TestLinkChangeKernel sets each LinkChange field the kernel applies to a
// veth and reads the link back; those a veth refuses come back as the
// kernel's error, not silently dropped.
func TestLinkChangeKernel(t *testing.T) {
	ns := kerneltest.NetNS(t)
	c := testDial(t, ns)
	ctx := t.Context()
	if err := c.AddLink(ctx, Link{Name: "v0", Info: &Veth{PeerName: "v1"}, NumTxQueues: 3, NumRxQueues: 2, Broadcast: []byte{0xff, 0xff, 0xff, 0xff, 0xff, 0xfe}}); err != nil {
		t.Fatal(err)
	}
	l, err := c.LinkByName(ctx, "v0")
	if err != nil {
		t.Fatal(err)
	}
	if l.NumTxQueues != 3 || l.NumRxQueues != 2 || l.Broadcast.String() != "ff:ff:ff:ff:ff:fe" {
		t.Errorf("created with queues %d/%d brd %v, want 3/2 ff:ff:ff:ff:ff:fe", l.NumTxQueues, l.NumRxQueues, l.Broadcast)
	}
	gso, segs, gro := uint32(30000), uint32(100), uint32(40000)
	mode, lm, op := AddrGenModeNone, LinkModeDormant, OperDormant
	err = c.SetLink(ctx, l.Index, LinkChange{
		Flags: LinkPromisc, FlagsMask: LinkNoARP | LinkPromisc,
		Broadcast:  []byte{0xff, 0xff, 0xff, 0xff, 0xff, 0xfd},
		GSOMaxSize: &gso, GSOMaxSegs: &segs, GROMaxSize: &gro, AddrGenMode: &mode, LinkMode: &lm, OperState: &op,
	})
	if err != nil {
		t.Fatal(err)
	}
	if l, err = c.LinkByName(ctx, "v0"); err != nil {
		t.Fatal(err)
	}
	if l.Flags&LinkNoARP != 0 || l.Flags&LinkPromisc == 0 || l.Broadcast.String() != "ff:ff:ff:ff:ff:fd" || l.GSOMaxSize != gso ||
		l.GSOMaxSegs != segs || l.GROMaxSize != gro || !l.HasAddrGenMode || l.AddrGenMode != mode || l.LinkMode != lm {
		t.Errorf("after SetLink: flags %v brd %v gso %d/%d gro %d addrgenmode %v mode %v", l.Flags, l.Broadcast, l.GSOMaxSize, l.GSOMaxSegs,
			l.GROMaxSize, l.AddrGenMode, l.LinkMode)
	}
	// A veth has no protodown, carrier control, XDP detach of nothing is
	// fine, and no virtual functions.
	on := true
	testKernelError(t, c.SetLink(ctx, l.Index, LinkChange{ProtoDown: &on}), "set link", syscall.EOPNOTSUPP)
	testKernelError(t, c.SetLink(ctx, l.Index, LinkChange{VFs: []VFChange{{VF: 0, HardwareAddr: []byte{2, 0, 0, 0, 0, 1}}}}), "set link", syscall.EOPNOTSUPP)
	if err := c.SetLink(ctx, l.Index, LinkChange{XDP: &LinkXDP{FD: -1, Flags: XDPUpdateIfNoExist}}); err != nil {
		t.Errorf("xdp off: %v", err)
	}
	// An unknown peer namespace id is checked (RTM_NEWLINK), not ignored.
	id := int32(77)
	testKernelError(t, c.SetLink(ctx, l.Index, LinkChange{LinkNetNSID: &id}), "set link", syscall.EINVAL)

	// Alternative names.
	if err := c.AddAltNames(ctx, l.Index, "uplink-a", "uplink-b"); err != nil {
		t.Fatal(err)
	}
	testKernelError(t, c.AddAltNames(ctx, l.Index, "uplink-a"), "add altnames to link", syscall.EEXIST)
	if err := c.DeleteAltNames(ctx, l.Index, "uplink-a"); err != nil {
		t.Fatal(err)
	}
	testKernelError(t, c.DeleteAltNames(ctx, l.Index, "nope"), "delete altnames of link", syscall.ENOENT)
	if l, err = c.LinkByName(ctx, "v0"); err != nil || !slices.Equal(l.AltNames, []string{"uplink-b"}) {
		t.Errorf("altnames %q (%v), want [uplink-b]", l.AltNames, err)
	}
	if err := c.AddAltNames(ctx, l.Index); err == nil {
		t.Error("AddAltNames without names: no error")
	}

	// Groups: set the MTU of group 5's links in one request, delete them.
	g := uint32(5)
	for _, n := range []string{"v0", "v1"} {
		x, err := c.LinkByName(ctx, n)
		if err != nil {
			t.Fatal(err)
		}
		if err := c.SetLink(ctx, x.Index, LinkChange{Group: &g}); err != nil {
			t.Fatal(err)
		}
	}
	if err := c.SetLinkGroup(ctx, 5, LinkChange{MTU: 1400}); err != nil {
		t.Fatal(err)
	}
	for _, n := range []string{"v0", "v1"} {
		if x, err := c.LinkByName(ctx, n); err != nil || x.MTU != 1400 {
			t.Errorf("%s: mtu %d (%v) after SetLinkGroup, want 1400", n, x.MTU, err)
		}
	}
	if err := c.SetLinkGroup(ctx, 5, LinkChange{Group: &g}); err == nil {
		t.Error("SetLinkGroup with Group: no error")
	}
	if err := c.DeleteLinkGroup(ctx, 5); err != nil {
		t.Fatal(err)
	}
	if _, err := c.LinkByName(ctx, "v0"); !errors.Is(err, syscall.ENODEV) {
		t.Errorf("v0 after DeleteLinkGroup: %v, want ENODEV", err)
	}
	testKernelError(t, c.DeleteLinkGroup(ctx, 5), "delete link group 5", syscall.ENODEV)

	// ReplaceLink creates; the kernel refuses to replace.
	if err := c.ReplaceLink(ctx, Link{Name: "br0", Kind: "bridge"}); err != nil {
		t.Fatal(err)
	}
	testKernelError(t, c.ReplaceLink(ctx, Link{Name: "br0", Kind: "bridge"}), "replace link", syscall.EOPNOTSUPP)
}
