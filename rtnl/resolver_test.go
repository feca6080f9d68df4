package rtnl

import (
	"context"
	"errors"
	"net"
	"net/netip"
	"testing"
	"time"

	"github.com/nlkit/nlkit/internal/kerneltest"
	"github.com/nlkit/nlkit/netlink"
	"github.com/nlkit/nlkit/netns"
)

// resolverPair builds namespaces A and B joined by a veth pair, with
// 198.18.9.1/24 on A's end and 198.18.9.2 and .3 on B's. It returns A's
// link index and B's end.
func resolverPair(t *testing.T) (a, b *netns.NS, ca *Conn, aIdx int32, bLink Link) {
	t.Helper()
	a, b = kerneltest.NetNS(t), kerneltest.NetNS(t)
	ca, cb := testDial(t, a), testDial(t, b)
	ctx := evCtx(t, 10*time.Second)
	if err := ca.AddLink(ctx, Link{Name: "va", Info: &Veth{PeerName: "vb", PeerNetNS: b}}); err != nil {
		t.Fatal(err)
	}
	la, err := ca.LinkByName(ctx, "va")
	if err != nil {
		t.Fatal(err)
	}
	lb, err := cb.LinkByName(ctx, "vb")
	if err != nil {
		t.Fatal(err)
	}
	for _, step := range []error{
		ca.AddAddress(ctx, Address{Index: la.Index, Prefix: netip.MustParsePrefix("198.18.9.1/24")}),
		cb.AddAddress(ctx, Address{Index: lb.Index, Prefix: netip.MustParsePrefix("198.18.9.2/24")}),
		cb.AddAddress(ctx, Address{Index: lb.Index, Prefix: netip.MustParsePrefix("198.18.9.3/24")}),
		ca.SetLinkUp(ctx, la.Index),
		cb.SetLinkUp(ctx, lb.Index),
		// A resolves only through user space: no broadcast ARP of its own.
		ca.SetNeighborProbes(ctx, FamilyIPv4, la.Index, NeighborProbes{App: 3, SetUnicast: true, SetMulticast: true, RetransTime: 200 * time.Millisecond}),
	} {
		if step != nil {
			t.Fatal(step)
		}
	}
	return a, b, ca, la.Index, lb
}

// udpListen opens a UDP socket on addr inside ns.
func udpListen(t *testing.T, ns *netns.NS, addr string) net.PacketConn {
	t.Helper()
	var pc net.PacketConn
	if err := ns.Do(func() (err error) {
		pc, err = net.ListenPacket("udp4", addr)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { pc.Close() })
	return pc
}

// TestResolver: a UDP datagram from A reaches B only because the user-space
// resolver answered the kernel's request, and does not when it refuses.
func TestResolver(t *testing.T) {
	a, b, ca, aIdx, bLink := resolverPair(t)
	r, err := NewResolver(&ResolverConfig{Netlink: &netlink.Config{NetNS: a}})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	asked := make(chan ResolveRequest, 16)
	go func() {
		for req, err := range r.Requests(ctx) {
			if err != nil {
				if !errors.Is(err, netlink.ErrOverrun) {
					return
				}
				continue
			}
			asked <- req
			switch req.Addr {
			case netip.MustParseAddr("198.18.9.2"):
				r.Answer(ctx, req, bLink.HardwareAddr)
			default:
				r.Refuse(ctx, req)
			}
		}
	}()
	time.Sleep(50 * time.Millisecond)

	rx2 := udpListen(t, b, "198.18.9.2:7777")
	rx3 := udpListen(t, b, "198.18.9.3:7777")
	tx := udpListen(t, a, "198.18.9.1:0")
	send := func(to string) {
		if _, err := tx.WriteTo([]byte("hello "+to), net.UDPAddrFromAddrPort(netip.MustParseAddrPort(to))); err != nil {
			t.Logf("send to %s: %v", to, err)
		}
	}
	receive := func(pc net.PacketConn, within time.Duration) (string, bool) {
		pc.SetReadDeadline(time.Now().Add(within))
		buf := make([]byte, 64)
		n, _, err := pc.ReadFrom(buf)
		if err != nil {
			return "", false
		}
		return string(buf[:n]), true
	}

	send("198.18.9.2:7777")
	if msg, ok := receive(rx2, 3*time.Second); !ok || msg != "hello 198.18.9.2:7777" {
		t.Fatalf("datagram to the answered address: %q %v", msg, ok)
	}
	req := <-asked
	if req.Index != aIdx || req.Family != FamilyIPv4 || req.Addr != netip.MustParseAddr("198.18.9.2") {
		t.Fatalf("request %+v", req)
	}
	n, err := ca.Neighbor(ctx, aIdx, netip.MustParseAddr("198.18.9.2"))
	if err != nil || n.State != NeighborReachable || n.LinkAddr.String() != bLink.HardwareAddr.String() {
		t.Fatalf("answered entry: %+v %v", n, err)
	}

	send("198.18.9.3:7777")
	if msg, ok := receive(rx3, 1500*time.Millisecond); ok {
		t.Fatalf("datagram to the refused address arrived: %q", msg)
	}
	if req := <-asked; req.Addr != netip.MustParseAddr("198.18.9.3") {
		t.Fatalf("second request %+v", req)
	}
	n, err = ca.Neighbor(ctx, aIdx, netip.MustParseAddr("198.18.9.3"))
	if err != nil || n.State != NeighborFailed {
		t.Fatalf("refused entry: %+v %v", n, err)
	}
}
