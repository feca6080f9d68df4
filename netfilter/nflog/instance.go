package nflog

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/nlkit/nlkit/netns"
)

// procPath is the kernel's table of log groups of the reading thread's
// network namespace.
const procPath = "/proc/thread-self/net/netfilter/nfnetlink_log"

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
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	var data []byte
	read := func() (err error) {
		data, err = os.ReadFile(procPath)
		return err
	}
	var err error
	if ns != nil {
		err = ns.Do(read)
	} else {
		err = read()
	}
	if os.IsNotExist(err) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("nflog: instances: %w", err)
	}
	list, err := parseInstances(bytes.NewReader(data))
	if err != nil {
		return nil, fmt.Errorf("nflog: instances: %w", err)
	}
	return list, nil
}

// parseInstances reads the kernel's table: per line group, port id,
// entries queued, copy mode, copy range, flush timeout (hundredths of a
// second), reference count.
func parseInstances(r io.Reader) ([]Instance, error) {
	var out []Instance
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) == 0 {
			continue
		}
		if len(f) < 6 {
			return out, fmt.Errorf("line %q: %d fields, want 7", sc.Text(), len(f))
		}
		var v [6]uint64
		for i := range v {
			n, err := strconv.ParseUint(f[i], 10, 32)
			if err != nil {
				return out, fmt.Errorf("line %q: field %d: %w", sc.Text(), i+1, err)
			}
			v[i] = n
		}
		if v[0] > 0xffff || v[3] > 0xff {
			return out, fmt.Errorf("line %q: out of range", sc.Text())
		}
		out = append(out, Instance{
			Group: uint16(v[0]), PortID: uint32(v[1]), Queued: int(v[2]), CopyMode: CopyMode(v[3]),
			CopyRange: int(v[4]), Timeout: time.Duration(v[5]) * 10 * time.Millisecond,
		})
	}
	return out, sc.Err()
}
