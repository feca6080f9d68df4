// Package sockdiag speaks NETLINK_SOCK_DIAG: it lists the sockets of a
// network namespace with their state and internals, as iproute2's ss does,
// and ends sockets (SOCK_DESTROY).
//
// # Families
//
//   - Internet sockets (inet_diag: TCP, UDP, UDP-Lite, raw, SCTP, MPTCP, IPv4
//     and IPv6): [Conn.InetSockets] dumps them, filtered in the kernel by
//     state ([States]) and by a bytecode program compiled from an [Expr]
//     (ports and address prefixes combined with and, or and not; ss's filter
//     text reads with [Expr.UnmarshalText]). The INET_DIAG extensions asked
//     for with [Extensions] are decoded into typed values: tcp_info
//     ([TCPInfo], version-tolerant by length), memory ([MemInfo],
//     [SKMemInfo]), congestion control and its info (vegas, dctcp, bbr),
//     TOS/TCLASS, shutdown, mark, cgroup id, socket options ([SockOpt]) and
//     ULP ([ULPInfo]). [Conn.InetSocket] looks up one socket by its 4-tuple
//     and cookie; [Conn.DeleteInetSocket] ends one (SOCK_DESTROY) and
//     [Conn.DeleteInetSockets] every socket a filter selects.
//   - Unix sockets (unix_diag): [Conn.UnixSockets].
//   - Packet sockets (packet_diag): [Conn.PacketSockets].
//   - Netlink sockets (netlink_diag): [Conn.NetlinkSockets].
//   - Destroyed sockets (ss -E): [Conn.JoinGroup] a destroy group, then
//     [Conn.Events]; an overrun is yielded as netlink.ErrOverrun and the
//     stream goes on.
//
// The namespace is the Conn's (netlink.Config.NetNS at Dial): inet, packet
// and netlink sockets are per namespace; unix sockets are listed by the
// namespace they were created in too, but their names live in the file
// system.
//
// # Process map
//
// [ProcessMap] finds the processes holding a socket (by its inode), reading
// /proc only when first asked, as ss -p does.
//
// # Dumps, buffers and allocations
//
// Dumps are single-use iterators that yield a pointer to one reused value:
// it is valid only until the loop body returns (copy the value to keep it;
// its slices, such as MD5 keys or a filter program, are freshly allocated
// and may be kept). A dump of TCP sockets with tcp_info allocates nothing per
// socket once warm. The XxxList methods return owned copies. Dumps are not
// atomic: under churn a socket may be missed or seen twice (the kernel sets
// no DUMP_INTR for sock_diag); the Cookie identifies a socket.
//
// # Errors and privileges
//
// Errors name the operation ("sockdiag: delete tcp socket
// 198.18.0.1:80 -> 198.18.0.2:4242: operation not supported"); errors.Is
// reaches the errno and errors.As the *netlink.Error. Listing needs no
// privilege (the mark, class id and some options need CAP_NET_ADMIN to be
// reported); SOCK_DESTROY needs CAP_NET_ADMIN and a kernel with
// CONFIG_INET_DIAG_DESTROY, and is supported for TCP, UDP, UDP-Lite and raw
// sockets only: other protocols and families give EOPNOTSUPP.
//
// # Concurrency
//
// A Conn is safe for concurrent use (see netlink.Conn); dumps on one Conn
// run one after another.
package sockdiag
