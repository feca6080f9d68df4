package nflog

import (
	"context"
	"fmt"
	"io"
	"time"

	"github.com/nlkit/nlkit/netfilter"
	"github.com/nlkit/nlkit/netns"
)

// procName is the kernel's table of log groups, under
// /proc/net/netfilter of each network namespace.
const procName = "nfnetlink_log"

// Instance is a bound log group as the kernel's table
// (/proc/net/netfilter/nfnetlink_log) lists it.
type Instance struct {
	Group     uint16        // the log group
	PortID    uint32        // the netlink port of the socket holding the group
	Queued    int           // entries gathered for the next datagram
	CopyMode  CopyMode      // the kernel's copy mode
	CopyRange int           // bytes copied of each packet
	Timeout   time.Duration // the flush timeout
}

// InstanceList returns the log groups bound in network namespace ns (nil:
// the caller's), as /proc/net/netfilter/nfnetlink_log lists them there
// (it needs root: the file is readable by root only). No nfnetlink_log in
// the kernel means no group: an empty list.
func InstanceList(ctx context.Context, ns *netns.NS) ([]Instance, error) {
	rows, err := netfilter.ReadProcTable(ctx, ns, procName, 6)
	if err != nil {
		return nil, fmt.Errorf("nflog: instances: %w", err)
	}
	list, err := instances(rows)
	if err != nil {
		return nil, fmt.Errorf("nflog: instances: %w", err)
	}
	return list, nil
}

// parseInstances reads the kernel's table: per line group, port id,
// entries queued, copy mode, copy range, flush timeout (hundredths of a
// second), reference count.
func parseInstances(r io.Reader) ([]Instance, error) {
	rows, err := netfilter.ParseProcTable(r, 6)
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
		if v[0] > 0xffff || v[3] > 0xff {
			return out, fmt.Errorf("group %d copy mode %d: out of range", v[0], v[3])
		}
		out = append(out, Instance{
			Group: uint16(v[0]), PortID: v[1], Queued: int(v[2]), CopyMode: CopyMode(v[3]),
			CopyRange: int(v[4]), Timeout: time.Duration(v[5]) * 10 * time.Millisecond,
		})
	}
	return out, nil
}
