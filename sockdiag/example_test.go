package sockdiag_test

import (
	"cmp"
	"context"
	"fmt"
	"log"
	"net/netip"
	"slices"

	"golang.org/x/sys/unix"

	"github.com/nlkit/nlkit/sockdiag"
)

// List the established TCP connections with their RTT, like ss -tin.
func ExampleConn_InetSockets() {
	c, err := sockdiag.Dial(nil)
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()
	f := &sockdiag.InetFilter{States: sockdiag.StatesOf(sockdiag.StateEstablished), Extensions: sockdiag.ExtInfo}
	for s, err := range c.InetSockets(context.Background(), f) {
		if err != nil {
			log.Fatal(err)
		}
		fmt.Println(s.ID.Src, s.ID.Dst, s.TCPInfo.RTT, s.TCPInfo.TotalRetrans)
	}
}

// The ten connections with the highest RTT.
func ExampleConn_InetSocketList() {
	c, err := sockdiag.Dial(nil)
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()
	f := &sockdiag.InetFilter{States: sockdiag.StatesOf(sockdiag.StateEstablished), Extensions: sockdiag.ExtInfo}
	ss, err := c.InetSocketList(context.Background(), f)
	if err != nil {
		log.Fatal(err)
	}
	slices.SortFunc(ss, func(a, b *sockdiag.InetSocket) int { return cmp.Compare(b.TCPInfo.RTT, a.TCPInfo.RTT) })
	for _, s := range ss[:min(10, len(ss))] {
		fmt.Printf("%v -> %v rtt %v\n", s.ID.Src, s.ID.Dst, s.TCPInfo.RTT)
	}
}

// ss's filter text, compiled for the kernel: the kernel sends only the
// sockets the expression accepts.
func ExampleExpr_UnmarshalText() {
	var e sockdiag.Expr
	if err := e.UnmarshalText([]byte("dport = :443 and dst 198.18.0.0/15")); err != nil {
		log.Fatal(err)
	}
	code, err := e.MarshalBinary()
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(e.String())
	fmt.Println(len(code), "bytes of bytecode")
	// Output:
	// dport = :443 and dst 198.18.0.0/15
	// 24 bytes of bytecode
}

// Look up one connection by its 4-tuple.
func ExampleConn_InetSocket() {
	c, err := sockdiag.Dial(nil)
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()
	id := sockdiag.SockID{
		Src:    netip.MustParseAddrPort("198.18.0.2:40000"),
		Dst:    netip.MustParseAddrPort("198.18.0.1:443"),
		Cookie: sockdiag.NoCookie,
	}
	s, err := c.InetSocket(context.Background(), sockdiag.ProtocolTCP, id, sockdiag.ExtInfo)
	if err != nil {
		log.Fatal(err) // ENOENT: no such connection
	}
	fmt.Println(s.State, s.TCPInfo.RTT)
}

// End one connection (ss -K with its 4-tuple); its peer sees a reset.
func ExampleConn_DeleteInetSocket() {
	c, err := sockdiag.Dial(nil)
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()
	id := sockdiag.SockID{
		Src:    netip.MustParseAddrPort("198.18.0.2:40000"),
		Dst:    netip.MustParseAddrPort("198.18.0.1:443"),
		Cookie: sockdiag.NoCookie,
	}
	if err := c.DeleteInetSocket(context.Background(), sockdiag.ProtocolTCP, id); err != nil {
		log.Fatal(err)
	}
}

// Kill every established connection to a backend, 198.18.0.10:8080 (ss
// -K state established dst 198.18.0.10:8080).
func ExampleConn_DeleteInetSockets() {
	c, err := sockdiag.Dial(nil)
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()
	f := &sockdiag.InetFilter{
		States: sockdiag.StatesOf(sockdiag.StateEstablished),
		Expr:   sockdiag.Dst(netip.MustParsePrefix("198.18.0.10/32"), 8080),
	}
	n, err := c.DeleteInetSockets(context.Background(), f)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(n, "connections ended")
}

// List the unix sockets that listen, like ss -xl.
func ExampleConn_UnixSockets() {
	c, err := sockdiag.Dial(nil)
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()
	f := &sockdiag.UnixFilter{States: sockdiag.StatesOf(sockdiag.StateListen)}
	for s, err := range c.UnixSockets(context.Background(), f) {
		if err != nil {
			log.Fatal(err)
		}
		fmt.Println(s.Type, s.Name, s.RecvQ, s.SendQ)
	}
}

// Collect the unix sockets.
func ExampleConn_UnixSocketList() {
	c, err := sockdiag.Dial(nil)
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()
	ss, err := c.UnixSocketList(context.Background(), nil)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(len(ss), "unix sockets")
}

// One unix socket by its inode.
func ExampleConn_UnixSocket() {
	c, err := sockdiag.Dial(nil)
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()
	s, err := c.UnixSocket(context.Background(), 12345, sockdiag.NoCookie)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(s.Name, s.Peer)
}

// List the packet sockets (ss -0).
func ExampleConn_PacketSockets() {
	c, err := sockdiag.Dial(nil)
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()
	for s, err := range c.PacketSockets(context.Background()) {
		if err != nil {
			log.Fatal(err)
		}
		fmt.Printf("%v proto %#04x ifindex %d filter %d insns\n", s.Type, s.Protocol, s.Info.IfIndex, len(s.Filter))
	}
}

// Collect the packet sockets.
func ExampleConn_PacketSocketList() {
	c, err := sockdiag.Dial(nil)
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()
	ss, err := c.PacketSocketList(context.Background())
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(len(ss), "packet sockets")
}

// List the route netlink sockets and the groups they joined (ss -A netlink).
func ExampleConn_NetlinkSockets() {
	c, err := sockdiag.Dial(nil)
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()
	for s, err := range c.NetlinkSockets(context.Background()) {
		if err != nil {
			log.Fatal(err)
		}
		if s.Protocol == unix.NETLINK_ROUTE {
			fmt.Println(s.PortID, s.Groups)
		}
	}
}

// Collect the netlink sockets.
func ExampleConn_NetlinkSocketList() {
	c, err := sockdiag.Dial(nil)
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()
	ss, err := c.NetlinkSocketList(context.Background())
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(len(ss), "netlink sockets")
}

// Who holds the listening sockets (ss -tlp).
func ExampleProcessMap() {
	c, err := sockdiag.Dial(nil)
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()
	procs := sockdiag.NewProcessMap("") // reads /proc at the first lookup
	f := &sockdiag.InetFilter{States: sockdiag.StatesOf(sockdiag.StateListen)}
	for s, err := range c.InetSockets(context.Background(), f) {
		if err != nil {
			log.Fatal(err)
		}
		ps, _ := procs.Processes(s.Inode)
		fmt.Println(s.ID.Src, ps)
	}
}

// Watch sockets end (ss -E): the kernel reports each destroyed TCP and UDP
// socket to the groups joined.
func ExampleConn_Events() {
	c, err := sockdiag.Dial(nil)
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()
	for _, g := range sockdiag.AllGroups() {
		if err := c.JoinGroup(g); err != nil {
			log.Fatal(err) // needs CAP_NET_ADMIN
		}
	}
	for ev, err := range c.Events(context.Background()) {
		if err != nil {
			log.Print(err) // netlink.ErrOverrun: some were lost; the stream goes on
			continue
		}
		fmt.Println(ev.Socket.Protocol, ev.Socket.ID, ev.Socket.TCPInfo.BytesAcked)
	}
}
