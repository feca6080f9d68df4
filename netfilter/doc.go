// Package netfilter is the layer every nfnetlink family of nlkit builds on
// (NETLINK_NETFILTER: package queue for NFQUEUE, log for NFLOG, conntrack
// for connection tracking): the nfgenmsg header that follows every
// message's netlink header, subsystems and message types, and the batch
// envelope (NFNL_MSG_BATCH_BEGIN ... NFNL_MSG_BATCH_END) in which
// subsystems such as nf_tables take a set of changes all or nothing.
//
// # Messages
//
// An nfnetlink message type is the subsystem in the high byte and the
// subsystem's own message in the low byte ([MessageType], [SplitType]). The
// payload starts with a [Header] (struct nfgenmsg: the protocol family, the
// version, a resource id in network byte order such as a queue number or a
// log group), then attributes, most of them in network byte order
// (nlattr's ...BE methods). [NewMessage] builds a request; [ParseMessage]
// splits one received.
//
// # Conn
//
// A [Conn] is a NETLINK_NETFILTER socket with the vocabulary of every
// nlkit family: Execute and Dump for requests, Batch for many independent
// changes, Transact for a batch envelope, Receive for what the kernel sends
// on its own. Errors are *netlink.Error with the kernel's extended ACK,
// wrapped with the operation and subsystem ("netfilter: execute queue
// config: operation not permitted"). A Conn is safe for concurrent use as
// its netlink.Conn is.
package netfilter
