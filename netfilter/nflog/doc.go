// Package nflog receives the packets that firewall rules log to user space
// through nfnetlink_log (NFNL_SUBSYS_ULOG): an nftables `log group N` rule or
// an iptables `-j NFLOG --nflog-group N` rule copies every packet it matches,
// with the rule's prefix and the packet's metadata, to the program bound to
// log group N of the rule's network namespace. The packet itself goes on
// through the firewall whatever the program does: entries are copies.
//
// The package lives in directory netfilter/nflog and is called nflog, not
// log as the design sketch had it: a package named log would shadow the
// standard library's in every file that imports both, and nflog is the name
// the kernel's target (NFLOG), libnetfilter_log (nflog_*) and ulogd's plugin
// already give this protocol, so a reader coming from them finds it.
//
// # Binding
//
// [Dial] opens a NETLINK_NETFILTER socket and binds it to [Config].Group in
// one request that carries every setting (NFULNL_CFG_CMD_BIND with
// NFULA_CFG_MODE, NFULA_CFG_QTHRESH, NFULA_CFG_TIMEOUT, NFULA_CFG_NLBUFSIZ
// and NFULA_CFG_FLAGS): the kernel creates the group's instance and applies
// them together, or refuses the whole request. [Conn.SetConfig] changes them
// later. The kernel keeps one socket per group and namespace: binding a group
// another socket holds fails with a [*GroupBusyError] (errors.Is
// [ErrGroupBusy]; the kernel answers EPERM). Closing the socket, or
// [Conn.Close], releases the group.
//
// [Config].Families additionally makes nfnetlink_log the namespace's default
// logger of those protocol families (NFULNL_CFG_CMD_PF_BIND, as ulogd does),
// for the kernel's own logging that names no group (conntrack's invalid
// packets, for example); rules with `log group` or `-j NFLOG` do not need it.
// Entries of every family (IPv4, IPv6, bridge, netdev, ARP) reach the group
// whatever Families says.
//
// # Entries
//
// [Conn.Entries] streams the decoded [Entry] values: the rule's prefix, the
// hook, the hardware protocol, the in, out and bridge-port devices, the mark,
// the timestamp, the hardware header and address, the owner's uid and gid,
// the sequence numbers, conntrack information and the packet's bytes.
// With a queue threshold above 1 the kernel packs several entries into one
// datagram (ended by NLMSG_DONE); all are delivered, in order, and
// [Stats].Batches counts those datagrams.
//
// # Buffers and allocations
//
// The *Entry that Entries yields is the stream's own and is overwritten by
// the next entry: its Payload, HWHeader, HWAddr, L2Header and Conntrack alias
// the socket's receive buffer and are valid only until the loop body
// returns. Keep an entry with [Entry.Clone], or decode into an Entry of your
// own with [Entry.UnmarshalBinary], which copies into the Entry's existing
// slices and so allocates nothing once they are large enough. The stream
// allocates nothing per entry (a prefix equal to the previous entry's is
// reused, not copied again).
//
// # Losses
//
// The kernel drops a whole datagram when the socket's receive buffer is full
// (ENOBUFS): the stream yields the entries that arrived before the loss
// (Dial sets netlink.Config.KeepBeforeOverrun), then netlink.ErrOverrun,
// and goes on. With
// [FlagSeq] every entry carries the group's sequence number (NFULA_SEQ,
// from 0 at bind): the stream checks that they follow each other and yields
// a [*LossError] counting the entries missing before the next one it
// delivers, ENOBUFS or not. Both match errors.Is(err, netlink.ErrOverrun);
// [Conn.Stats] has the totals.
//
// # Concurrency
//
// A Conn is safe for concurrent use: SetConfig, Stats and Close may be called
// while another goroutine ranges over Entries. One Entries stream runs at a
// time per Conn.
package nflog
