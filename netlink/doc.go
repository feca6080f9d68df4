// Package netlink is nlkit's core: AF_NETLINK sockets, messages, requests,
// dumps, batches and notifications, for any netlink protocol.
//
// # Model
//
// A [Conn] is one netlink socket, opened by [Dial] for a protocol
// (NETLINK_ROUTE, NETLINK_GENERIC, NETLINK_USERSOCK, ...) and optionally
// inside a network namespace ([Config].NetNS); the namespace is fixed for the
// Conn's life. A [Message] is a [Header] (struct nlmsghdr) and a payload;
// attributes inside payloads are encoded and decoded with package nlattr.
// Family packages (rtnl, genl, ...) wrap a Conn and speak typed objects; this
// package stays public so that any family can be spoken raw.
//
// # Requests
//
//   - [Conn.Execute]: one request, its replies and its acknowledgement.
//   - [Conn.Dump]: a dump, streamed as a single-use iterator. Dumps report
//     NLM_F_DUMP_INTR as [ErrDumpInterrupted] after draining, never as
//     success; [Conn.DumpAll] and [RetryInterrupted] redo them a bounded
//     number of times.
//   - [Conn.Batch]: many requests per sendmsg, a result per request, for bulk
//     changes at the kernel's speed (the next datagram is encoded while the
//     kernel handles the last).
//   - [Conn.Receive]: multicast notifications and user-space peers' messages;
//     [ErrOverrun] when the kernel dropped some, after which the stream goes on.
//   - [Conn.Send], [Conn.SendTo]: raw datagrams, e.g. between user processes.
//
// Kernel errors are *[Error]: the errno (errors.Is works with syscall.Errno
// and fs.ErrExist and the like), the kernel's extended-ACK message and the
// attribute it pointed at.
//
// # Concurrency
//
// A Conn is safe for concurrent use. One goroutine at a time reads the socket
// and hands each message to the call it belongs to (by sequence number; by
// NETLINK_PKTINFO for multicast), so concurrent calls never see each other's
// replies and a send never waits behind a blocked receive. ctx cancellation,
// deadlines and [Conn.Close] reach a blocked receive through Go's runtime
// poller. The kernel runs one dump per socket at a time, so dumps on one Conn
// queue behind each other; use several Conns for parallel dumps. A dump
// request is never sent while the socket is being read: the kernel (as of
// 6.18) can otherwise queue the dump's end ahead of its messages, and the
// dump would come back empty, without error.
//
// # Buffers
//
// Messages yielded by Dump and Receive live in a reused receive buffer and are
// valid only until the loop body returns; copy what you keep. Messages
// returned by Execute and DumpAll are owned by the caller. Datagrams are
// measured (MSG_PEEK|MSG_TRUNC) before they are read, so none is cut short
// whatever its size ([Config].MaxDatagram trades that for one system call
// a datagram).
//
// A dump longer than one datagram is read ahead on another goroutine, while
// the loop body runs, into up to 16 receive buffers of 32 KiB (of
// [Config].MaxDatagram bytes when it is set, 1 MiB in all at most), taken
// as needed and kept in a pool between dumps. The reading goroutine's
// recvmsg calls bypass the scheduler (the socket never blocks; a call that
// takes over a millisecond ends that for the dump). A loop body that waits
// for the kernel first spins for up to 200 µs, yielding, then sleeps and
// is woken only when half the buffers are ready, so one faster than the
// kernel costs no wake-up per datagram. With GOMAXPROCS=1 the dump is read
// in the caller's goroutine.
//
// # Trust
//
// Only the kernel (sender port 0, filled in by the kernel and unforgeable) is
// believed unless [Config].AcceptPeers is set; anything else is dropped and
// counted in [Stats]. Replies are matched by sequence number and port, and a
// late reply to an abandoned request is dropped, not mistaken for another's.
//
// # Vocabulary
//
// Every package of nlkit names one idea with one word, so that a call can be
// guessed from another family's (a test in each package walks its exported
// API and holds it to these rules; exceptions carry their reason there):
//
//   - Dial(cfg) opens a socket and owns it; NewConn(conn) wraps one it
//     shares (Close ends the wrapper, not the socket).
//   - A singular noun looks up one object by its key (rtnl's Link,
//     LinkByName); a plural noun streams a dump as a single-use
//     iter.Seq2 (Routes, Links); XxxList returns the dump as a slice
//     (RouteList); Lookup* asks the kernel to compute an answer
//     (LookupRoute).
//   - Changes start with their verb and name their object: Add, Replace,
//     Append, Change, Set, Delete, Flush (AddRoute, FlushEntries); bulk
//     changes take the plural noun (AddRoutes) and report failures by index
//     in a *BatchError.
//   - Events streams typed notifications (the overrun rule of
//     [DecodeNotifications]); Receive is the raw stream; JoinGroup and
//     LeaveGroup change membership.
//   - XxxFilter selects (zero value: everything); XxxChange changes part of
//     an object (nil field: unchanged).
//   - An interface index is an int32; enums are typed, with String,
//     MarshalText, AppendText and UnmarshalText in the kernel's or the
//     classic tool's words; objects have MarshalBinary, AppendBinary and
//     UnmarshalBinary.
//   - Errors name the package, the operation and the object ("rtnl: add
//     route 198.18.0.0/24 table 100: file exists"), see [NameOp], and keep
//     errors.Is with the errno and errors.As with *[Error].
package netlink
