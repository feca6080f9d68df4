// Package queue speaks NFQUEUE (nfnetlink_queue, NFNL_SUBSYS_QUEUE): a
// firewall rule (iptables' -j NFQUEUE --queue-num N) hands packets to a
// program bound to queue N, which decides their fate. It replaced the old
// NETLINK_FIREWALL and NETLINK_IPV6_FW protocols; one queue serves IPv4,
// IPv6 and the other families at once.
//
// # Use
//
//	q, err := queue.Dial(&queue.Config{Num: 5})
//	...
//	for p, err := range q.Packets(ctx) {
//		if err != nil { ... } // see Packets: most errors do not end the stream
//		q.SetVerdict(ctx, queue.Verdict{ID: p.ID, Action: queue.Accept})
//	}
//
// Dial binds the queue and sets its copy mode, length and flags
// (FlagFailOpen, FlagConntrack, FlagGSO, FlagUIDGID, FlagSecCtx) in one
// request. Packets streams the packets; each waits in the kernel until its
// verdict: Accept, Drop, Repeat, Queue (to another queue) or Stop, with an
// optional new mark, connection mark or labels, and replaced bytes
// (FixChecksums makes them consistent). SetVerdicts gives one verdict to
// every packet up to an id, in one message. Serve runs a handler over
// several queues (--queue-balance) with a pool of workers per queue.
//
// # Concurrency
//
// One goroutine reads (Packets); any number give verdicts at once.
// SetVerdict and SetVerdicts are one write(2) each, sent with sequence
// number 0 and no acknowledgement: they never wait for the reader or for
// each other. The kernel answers only a verdict it refuses (an id it does
// not hold: given twice, never queued, or dropped with the queue); the
// socket is opened without NETLINK_CAP_ACK so that the refusal echoes the
// verdict, and Packets yields it as a *VerdictError naming the packet id.
// SetVerdictSync asks for the acknowledgement and waits for it instead.
//
// # Buffers and allocations
//
// Packets decodes into one Packet reused for every packet; its slices
// (Payload, HWAddr, ...) alias the receive buffer and are valid until the
// loop body returns. Clone or CopyTo keep one longer (Serve hands packets
// to its workers with CopyTo into a fixed set of buffers). In steady state
// reading a packet and giving its verdict allocate nothing
// (TestZeroAllocs measures the whole process).
//
// # Losses and leftovers
//
// When packets arrive faster than they are read the socket fills and the
// kernel drops the next ones (with FlagFailOpen it accepts them unseen),
// reporting ENOBUFS: Packets yields netlink.ErrOverrun and goes on. The
// kernel numbers each packet before it tries to deliver it, so the lost
// ones are gaps in the ids, counted in Stats.Missed (the kernel's
// user_dropped counts them too, but not those accepted by FlagFailOpen).
// A full queue (Config.MaxLen packets waiting) drops new packets before
// numbering them: Stats.QueueDropped; with FlagFailOpen it accepts them,
// and nothing counts those (TestQueueFull shows it). Packets read before an overrun are
// never thrown away (netlink.Config.KeepBeforeOverrun): the kernel holds
// each until its verdict. Stats.Outstanding counts the packets yielded
// and still waiting for one, so that none is forgotten silently; Close
// unbinds the queue and the kernel drops what still waits.
//
// Stats reads the kernel's line for the queue in
// /proc/net/netfilter/nfnetlink_queue, from the queue's own network
// namespace (the file shows the namespace of the thread that opens it; the
// Conn opens it once, at Dial, from inside Config.NetNS). InstanceList
// lists every bound queue of a namespace.
//
// # Kernel requirements
//
// FlagConntrack needs a kernel built with CONFIG_NETFILTER_NETLINK_GLUE_CT
// (Dial fails with EOPNOTSUPP otherwise) and the nf_conntrack_netlink
// module; a verdict's ConnMark and ConnLabels are ignored without them.
// FlagSecCtx needs CONFIG_NETWORK_SECMARK. Packets are queued only by rules:
// iptables' NFQUEUE target, or nftables' queue statement where the kernel
// has it.
package queue
