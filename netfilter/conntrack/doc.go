// Package conntrack speaks nfnetlink_conntrack (NFNL_SUBSYS_CTNETLINK and
// NFNL_SUBSYS_CTNETLINK_EXP): the kernel's connection tracking table, as
// conntrack-tools' conntrack reads and changes it.
//
// # Flows
//
// A Flow is one entry of the table, a comparable value type with net/netip
// addresses: its original and reply Tuples, status, timeout, mark, zone,
// labels, id, helper, counters and timestamps when accounting and
// timestamping are on, TCP state, sequence adjustments and SYN proxy
// state. Flows streams a dump (a single-use iterator, decoding without
// allocating per flow) and FlowList returns it as a slice; a FlowFilter
// selects by family, protocol, addresses, ports, mark, status and zone,
// sent to the kernel where it filters (CTA_FILTER, CTA_MARK/CTA_MARK_MASK,
// CTA_STATUS/CTA_STATUS_MASK, CTA_ZONE) and checked again in user space.
// Flow gets one by its tuple; AddFlow, ChangeFlow and DeleteFlow change
// one; AddFlows and DeleteFlows change many per system call and report
// failures by index in a *netlink.BatchError; FlushFlows empties the table
// or one family's part of it; ZeroedFlows dumps and zeroes the counters.
// Stats and CPUStatsList are conntrack -C and -S.
//
// Conntrack tables are per network namespace (netlink.Config.NetNS).
// Entries can be made over netlink without any traffic.
//
// # Expectations
//
// An Expectation is a flow a helper (ftp, sip ...) expects on behalf of a master
// flow: Expectations, ExpectationList, AddExpectation, DeleteExpectation, FlushExpectations.
//
// # Events and the Mirror
//
// Events streams new, update and destroy events, optionally filtered in
// the kernel by a classic BPF socket filter built from an EventFilter (only
// some protocols, a family, a mark), so that a busy host does not wake the
// program for events it would drop. Since Linux 5.19 the kernel makes
// events only while a listener exists: subscribe before the traffic. A
// busy host overruns any socket buffer: the loss is netlink.ErrOverrun in
// the stream, which goes on. Mirror keeps an in-memory copy of the table
// from a dump and the events, keyed by original tuple and zone (the
// kernel's 32-bit flow ids are hashes that live flows share), and re-reads
// the table after any loss, so that after any storm its copy equals a fresh
// dump.
//
// # Errors
//
// Errors name the operation and the flow ("conntrack: delete flow tcp
// 198.18.0.1:1000 -> 198.18.0.2:80: no such file or directory");
// errors.Is and errors.As reach the *netlink.Error and its errno. Decoding
// errors name the attribute by its path:
// CTA_TUPLE_ORIG/CTA_TUPLE_PROTO/CTA_PROTO_SRC_PORT. nfnetlink needs
// CAP_NET_ADMIN for every message, reads included: without it, a typed
// EPERM.
//
// # Concurrency
//
// A Conn is safe for concurrent use (see netfilter.Conn). Give Events a Conn
// of its own. A Mirror's snapshot methods may be called from any goroutine.
package conntrack
