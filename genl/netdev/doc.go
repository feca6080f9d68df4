// Package netdev speaks the "netdev" generic netlink family: what the
// kernel tells about network devices beyond route netlink (XDP and AF_XDP
// capabilities), and notifications when devices appear, change or go away.
//
// The attribute layout comes from the family's YAML spec
// (Documentation/netlink/specs/netdev.yaml, enums in linux/netdev.h) and is
// described with genl.Spec, so this package is also an example of a typed
// client built on genl's declarative specs.
//
//	c, err := netdev.Dial(&netlink.Config{NetNS: ns})
//	for d, err := range c.Devices(ctx) {
//		fmt.Println(d) // "ifindex 1 xdp-features 0 ..."
//	}
//
// Errors name the operation and the device ("netdev: get device ifindex
// 9: no such device"); errors.Is and errors.As reach the *netlink.Error and
// its errno.
//
// A Conn is safe for concurrent use (see genl.Conn). Several Conns, and
// the clients of other families, may share one genl.Conn (NewConn): their
// group joins are counted, and Close of a Conn made by NewConn leaves the
// genl.Conn open.
package netdev
