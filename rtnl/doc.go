// Package rtnl speaks route netlink (NETLINK_ROUTE): links, addresses,
// routes, neighbours and policy rules, and the notifications the kernel
// sends when they change.
//
// # Objects and operations
//
// A [Conn] wraps one netlink socket ([Dial], or [NewConn] around a
// *netlink.Conn), in the namespace it was opened in. The objects are plain
// values: [Link] (with kinds such as [Veth], [Bridge], [Vxlan] in
// Link.Info), [Address], [Route], [Neighbor], [Rule]. Addresses and prefixes
// are net/netip values; enums are typed ([Scope], [Table], [Protocol]...)
// and print, and parse, as iproute2's words. [LinkStats] are a link's
// statistics groups (RTM_GETSTATS, `ip stats`), asked for by filter mask.
//
// Every object has the same verbs, named after iproute2's:
//
//   - Dumps stream as single-use iterators ([Conn.Routes], [Conn.Links]...)
//     filtered by the kernel where it can (strict checking, on by default)
//     and here otherwise. Breaking out early is fine.
//   - The XxxList forms ([Conn.RouteList], [Conn.LinkList]...) return a
//     whole dump as a slice. They read the dump as bytes first and decode it
//     once into a slice of its final size, which costs 40% less memory than
//     collecting the iterator ([netlink.Collect]), and less time.
//   - Lookups of one object ask the kernel for it ([Conn.Link],
//     [Conn.LinkByName], [Conn.LookupRoute], [Conn.Neighbor]), never
//     dump-and-filter.
//   - Changes: Add, Replace, Append, Change, Delete and Set operations, one
//     request each, acknowledged before they return.
//   - Bulk changes ([Conn.AddRoutes], [Conn.AddRoutesSeq],
//     [Conn.ApplyRoutes], and the address and neighbour forms) send many
//     requests per system call and report each failure by index in a
//     *netlink.BatchError.
//
// # Events
//
// [Conn.JoinGroup] joins the groups of the objects asked for and returns
// once the kernel will send their changes; [Conn.Events] streams them as
// decoded [Event] values. Join, dump, then apply events: that keeps a
// copy right, and on netlink.ErrOverrun in the stream (which goes on) a
// fresh dump puts it right again, since nothing older than the loss
// follows the overrun. The package-level [Events] streams events from a
// socket of its own; [NewConn] around a socket the caller opened and
// subscribed streams that one's. [Mirror] keeps an in-memory copy of links,
// addresses, routes and neighbours up to date, reading everything again
// after any loss. [Resolver] answers the kernel's neighbour resolution
// requests from user space.
//
// # Errors
//
// Kernel refusals are *netlink.Error values naming the operation, with the
// errno (errors.Is(err, fs.ErrExist), syscall.ENODEV...) and the kernel's
// extended-ACK message. A dump that the kernel marks interrupted (the table
// changed while it was read) ends with netlink.ErrDumpInterrupted, never as
// a success; netlink.RetryInterrupted reads it again. Malformed replies are
// errors naming the attribute, its length and offset; nothing panics.
//
// # Concurrency and ownership
//
// A Conn is safe for concurrent use: every call gets its own replies, and
// dumps on one Conn run one after another (use several Conns for parallel
// dumps). Decoded values never alias a receive buffer: a Route, Link or
// slice returned to the caller is the caller's to keep and change.
package rtnl
