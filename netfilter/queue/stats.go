package queue

import (
	"context"
	"fmt"
	"io"
	"os"

	"github.com/nlkit/nlkit/netfilter"
	"github.com/nlkit/nlkit/netns"
)

const procPath = "/proc/thread-self/net/netfilter/" + procName

// procName is the table's name under /proc/net/netfilter.
const procName = "nfnetlink_queue"

// Instance is a bound queue as the kernel lists it in
// /proc/net/netfilter/nfnetlink_queue (one table per network namespace).
type Instance struct {
	Num       uint16   `json:"queue"`
	PortID    uint32   `json:"portid"`  // the netlink port of the bound socket
	Waiting   uint32   `json:"waiting"` // packets waiting for a verdict (queue_total)
	CopyMode  CopyMode `json:"copy_mode"`
	CopyRange uint32   `json:"copy_range"`
	// QueueDropped counts packets dropped because the queue held MaxLen
	// packets. Those FlagFailOpen accepts instead are counted nowhere
	// (the kernel numbers them neither: no id gap either).
	QueueDropped uint32 `json:"queue_dropped"`
	// UserDropped counts packets dropped because the socket's receive
	// buffer was full: each took an id, so they are the gaps a reader
	// sees (Stats.Missed). Those FlagFailOpen accepts instead are not
	// counted here, but leave their gaps too.
	UserDropped uint32 `json:"user_dropped"`
	// IDSequence is the last packet id given.
	IDSequence uint32 `json:"id_sequence"`
}

// Stats are a queue's counters: the kernel's (Instance) and the Conn's.
type Stats struct {
	Instance

	Received      uint64 `json:"received"`       // packets Packets yielded
	Verdicts      uint64 `json:"verdicts"`       // verdicts sent (SetVerdict, SetVerdictSync)
	BatchVerdicts uint64 `json:"batch_verdicts"` // batch verdicts sent (SetVerdicts)
	Refused       uint64 `json:"refused"`        // verdicts the kernel refused
	// Outstanding counts packets yielded and not yet given a verdict:
	// packets the kernel holds for this program.
	Outstanding int64 `json:"outstanding"`
	// Missed counts gaps in the packet ids: packets the kernel numbered
	// and could not deliver (the socket was full).
	Missed    uint64 `json:"missed"`
	Overruns  uint64 `json:"overruns"`  // ErrOverrun yielded
	Malformed uint64 `json:"malformed"` // packets or answers that did not decode
	// Untracked counts packets Outstanding lost track of: a packet left
	// without a verdict while a million newer ones came shares its slot
	// with one of them.
	Untracked uint64 `json:"untracked"`
}

// Stats returns the queue's counters: the kernel's line for it, read from
// the queue's own namespace, and the Conn's. Safe for concurrent use.
func (c *Conn) Stats(ctx context.Context) (Stats, error) {
	s := Stats{
		Received:      c.received.Load(),
		Verdicts:      c.verdicts.Load(),
		BatchVerdicts: c.batches.Load(),
		Refused:       c.refused.Load(),
		Outstanding:   c.track.count.Load(),
		Missed:        c.missed.Load(),
		Overruns:      c.overruns.Load(),
		Malformed:     c.malformed.Load(),
		Untracked:     c.track.collided.Load(),
	}
	if err := ctx.Err(); err != nil {
		return s, err
	}
	c.procMu.Lock()
	defer c.procMu.Unlock()
	if c.proc == nil {
		return s, fmt.Errorf("queue: stats of queue %d: %w", c.num, os.ErrClosed)
	}
	if _, err := c.proc.Seek(0, io.SeekStart); err != nil {
		return s, fmt.Errorf("queue: stats of queue %d: %w", c.num, err)
	}
	list, err := parseInstances(c.proc)
	if err != nil {
		return s, fmt.Errorf("queue: stats of queue %d: %w", c.num, err)
	}
	port := c.nl.PortID()
	for _, in := range list {
		if in.Num == c.num && in.PortID == port {
			s.Instance = in
			return s, nil
		}
	}
	return s, fmt.Errorf("queue: stats of queue %d: not in the kernel's table (unbound?)", c.num)
}

// InstanceList returns the queues bound in network namespace ns (nil: the
// caller's), as /proc/net/netfilter/nfnetlink_queue lists them there. No
// queue module loaded means no queue: an empty list.
func InstanceList(ctx context.Context, ns *netns.NS) ([]Instance, error) {
	rows, err := netfilter.ReadProcTable(ctx, ns, procName, 8)
	if err != nil {
		return nil, fmt.Errorf("queue: instances: %w", err)
	}
	list, err := instances(rows)
	if err != nil {
		return nil, fmt.Errorf("queue: instances: %w", err)
	}
	return list, nil
}

// parseInstances reads the kernel's table: per line queue number, port
// id, packets waiting, copy mode, copy range, queue dropped, user dropped,
// id sequence, 1.
func parseInstances(r io.Reader) ([]Instance, error) {
	rows, err := netfilter.ParseProcTable(r, 8)
	list, verr := instances(rows)
	if err == nil {
		err = verr
	}
	return list, err
}

// instances turns the table's rows into Instances.
func instances(rows [][]uint32) ([]Instance, error) {
	out := make([]Instance, 0, len(rows))
	for _, v := range rows {
		if v[0] > 0xffff {
			return out, fmt.Errorf("queue number %d: out of range", v[0])
		}
		out = append(out, Instance{Num: uint16(v[0]), PortID: v[1], Waiting: v[2], CopyMode: CopyMode(v[3]),
			CopyRange: v[4], QueueDropped: v[5], UserDropped: v[6], IDSequence: v[7]})
	}
	return out, nil
}
