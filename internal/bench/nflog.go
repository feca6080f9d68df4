package main

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"strings"
	"time"

	"github.com/nlkit/nlkit/netfilter/nflog"
	"github.com/nlkit/nlkit/netlink"
	"github.com/nlkit/nlkit/netns"
	"golang.org/x/sys/unix"
)

// The NFLOG workload: a UDP flood to the loopback address of a throwaway
// namespace is logged by one nft rule (input hook, so that entries carry
// the devices, hardware header and timestamp of a received packet) into a
// log group. Two measurements. Live: the flood runs while the reader reads,
// and the time from its start to the last entry is timed (what a logger
// sees; a reader that keeps up is as fast as the flood). Drain: the
// entries queue in the logging socket's receive buffer (large enough for
// all of them: nothing is lost) while nobody reads; then the socket is
// drained, and only the draining is timed (the reader's own cost). The floor
// reads with recvmsg into one buffer and walks the netlink headers to count
// the entries; nlkit ranges over Conn.Entries, decoding every entry into
// the stream's reused Entry. Floor and nlkit take turns, round after
// round, each with a fresh socket and flood; the ratio is the median over
// rounds of floor time over nlkit time (entries per second relative to the
// floor: >= 0.9 is the goal).

const nflogGroup = 1

func benchNFLOG(ctx context.Context, o options) ([]result, error) {
	ns, err := netns.New()
	if err != nil {
		return nil, fmt.Errorf("creating a namespace (run as root): %w", err)
	}
	defer ns.Close()
	if err := nsExec(ns, "", "ip", "link", "set", "lo", "up"); err != nil {
		return nil, err
	}
	rule := fmt.Sprintf("table inet nlkit_bench {\n chain in {\n type filter hook input priority 0;\n udp dport 9 log group %d prefix \"flood\"\n }\n}\n", nflogGroup)
	if err := nsExec(ns, rule, "nft", "-f", "-"); err != nil {
		return nil, err
	}
	var out []result
	for _, run := range []struct {
		q    int
		live bool
	}{{1, true}, {50, true}, {1, false}, {50, false}} {
		q := run.q
		floorRuns, pathRuns, rawRuns := []measure{}, []measure{}, []measure{}
		for range max(o.reps, 1) {
			m, err := nflogFloorRound(ctx, ns, o.nflog, q, run.live)
			if err != nil {
				return nil, fmt.Errorf("floor: %w", err)
			}
			floorRuns = append(floorRuns, m)
			m, err = nflogPathRound(ctx, ns, o.nflog, q, run.live, false)
			if err != nil {
				return nil, fmt.Errorf("nlkit: %w", err)
			}
			pathRuns = append(pathRuns, m)
			if !run.live {
				if m, err = nflogPathRound(ctx, ns, o.nflog, q, false, true); err != nil {
					return nil, fmt.Errorf("nlkit undecoded: %w", err)
				}
				rawRuns = append(rawRuns, m)
			}
		}
		floor := timed{m: median(floorRuns), runs: floorRuns}
		path := timed{m: median(pathRuns), runs: pathRuns}
		// A ratio of rates, floor/path in time, so that >1 is faster.
		ratio := 1 / pairedRatio(floor, path)
		fm := floor.m
		workload := fmt.Sprintf("nflog %d entries qthresh %d, drain", o.nflog, q)
		if run.live {
			workload = fmt.Sprintf("nflog %d entries qthresh %d, live flood", o.nflog, q)
		}
		out = append(out,
			result{workload: workload, path: "recvmsg loop (floor)", m: fm, note: rate(fm)},
			result{workload: workload, path: "Conn.Entries", m: path.m, ratio: ratio, note: rate(path.m) + " (x floor: entries/s ratio)"},
		)
		if len(rawRuns) > 0 {
			raw := timed{m: median(rawRuns), runs: rawRuns}
			out = append(out, result{workload: workload, path: "netlink Receive (undecoded)", m: raw.m,
				ratio: 1 / pairedRatio(floor, raw), note: rate(raw.m)})
		}
	}
	return out, nil
}

func rate(m measure) string {
	return fmt.Sprintf("%.0f entries/s", float64(m.objects)/m.wall.Seconds())
}

// nsExec runs name args inside ns with stdin, as nsenter does.
func nsExec(ns *netns.NS, stdin string, name string, args ...string) error {
	fd, err := unix.Dup(ns.Fd())
	if err != nil {
		return err
	}
	f := os.NewFile(uintptr(fd), "netns")
	defer f.Close()
	cmd := exec.Command("nsenter", append([]string{"--net=/proc/self/fd/3", "--", name}, args...)...)
	cmd.ExtraFiles = []*os.File{f}
	cmd.Stdin = strings.NewReader(stdin)
	if b, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("%s %s: %v: %s", name, strings.Join(args, " "), err, b)
	}
	return nil
}

// flood sends n UDP datagrams to 127.0.0.1:9 inside ns.
func flood(ns *netns.NS, n int) error {
	var c *net.UDPConn
	if err := ns.Do(func() (err error) {
		c, err = net.ListenUDP("udp4", nil)
		return err
	}); err != nil {
		return err
	}
	defer c.Close()
	to := &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 9}
	payload := make([]byte, 64)
	for i := 0; i < n; {
		binary.BigEndian.PutUint32(payload, uint32(i))
		if _, err := c.WriteToUDP(payload, to); err != nil {
			if errors.Is(err, unix.ECONNREFUSED) || errors.Is(err, unix.EAGAIN) || errors.Is(err, unix.ENOBUFS) {
				continue // the port-unreachable answer of an earlier datagram
			}
			return err
		}
		i++
	}
	return nil
}

const nflogRcvBuf = 1 << 30

// nflogBind is the bind request, built by hand for the floor:
// NFULNL_MSG_CONFIG with NFULA_CFG_CMD bind, NFULA_CFG_QTHRESH,
// NFULA_CFG_NLBUFSIZ and NFULA_CFG_TIMEOUT.
func nflogBind(qthresh int) []byte {
	attrs := []byte{}
	attr := func(t uint16, v []byte) {
		attrs = binary.NativeEndian.AppendUint16(attrs, uint16(4+len(v)))
		attrs = binary.NativeEndian.AppendUint16(attrs, t)
		attrs = append(attrs, v...)
		for len(attrs)%4 != 0 {
			attrs = append(attrs, 0)
		}
	}
	attr(1, []byte{1})                                           // NFULA_CFG_CMD: bind
	attr(5, binary.BigEndian.AppendUint32(nil, uint32(qthresh))) // NFULA_CFG_QTHRESH
	attr(3, binary.BigEndian.AppendUint32(nil, 131072))          // NFULA_CFG_NLBUFSIZ
	attr(4, binary.BigEndian.AppendUint32(nil, 1))               // NFULA_CFG_TIMEOUT: 10 ms
	body := append([]byte{0, 0, 0, nflogGroup}, attrs...)        // nfgenmsg: unspec, v0, group (big endian)
	b := binary.NativeEndian.AppendUint32(nil, uint32(16+len(body)))
	b = binary.NativeEndian.AppendUint16(b, 4<<8|1) // NFNL_SUBSYS_ULOG, NFULNL_MSG_CONFIG
	b = binary.NativeEndian.AppendUint16(b, unix.NLM_F_REQUEST|unix.NLM_F_ACK)
	b = binary.NativeEndian.AppendUint32(b, 1)
	b = binary.NativeEndian.AppendUint32(b, 0)
	return append(b, body...)
}

func nflogFloorRound(ctx context.Context, ns *netns.NS, n, qthresh int, live bool) (measure, error) {
	raw, err := openRaw(ns, unix.NETLINK_NETFILTER, nflogRcvBuf)
	if err != nil {
		return measure{}, err
	}
	defer raw.close()
	fd := raw.fd
	if err := unix.Sendto(fd, nflogBind(qthresh), 0, kernel); err != nil {
		return measure{}, err
	}
	buf := make([]byte, 256<<10)
	k, _, err := unix.Recvfrom(fd, buf, 0) // the acknowledgement
	if err != nil {
		return measure{}, err
	}
	if e := int32(binary.NativeEndian.Uint32(buf[16:])); k < 20 || e != 0 {
		return measure{}, fmt.Errorf("bind: %v", unix.Errno(-e))
	}
	drain := func() (int, error) {
		entries := 0
		for entries < n {
			k, err := unix.Read(fd, buf) // recvmsg without an address: allocates nothing
			if err == unix.EINTR {
				continue // the runtime's preemption signal
			}
			if err != nil {
				return entries, err
			}
			for off := 0; off+16 <= k; {
				l := int(binary.NativeEndian.Uint32(buf[off:]))
				if binary.NativeEndian.Uint16(buf[off+4:]) == 4<<8 { // NFULNL_MSG_PACKET
					entries++
				}
				if l < 16 {
					break
				}
				off += (l + 3) &^ 3
			}
		}
		return entries, nil
	}
	if live {
		// A second without entries ends a run that lost some.
		unix.SetsockoptTimeval(fd, unix.SOL_SOCKET, unix.SO_RCVTIMEO, &unix.Timeval{Sec: 1})
		return timeIt(false, func() (int, error) {
			errc := make(chan error, 1)
			go func() { errc <- flood(ns, n) }()
			got, err := drain()
			if ferr := <-errc; err == nil {
				err = ferr
			}
			return got, err
		})
	}
	if err := flood(ns, n); err != nil {
		return measure{}, err
	}
	return timeIt(false, drain)
}

func nflogPathRound(ctx context.Context, ns *netns.NS, n, qthresh int, live, undecoded bool) (measure, error) {
	c, err := nflog.Dial(&nflog.Config{Group: nflogGroup, QThreshold: qthresh, Timeout: 10 * time.Millisecond,
		BufferSize: nflog.MaxBufferSize, Flags: nflog.FlagSeq,
		Netlink: &netlink.Config{NetNS: ns, ReceiveBuffer: nflogRcvBuf}})
	if err != nil {
		return measure{}, err
	}
	defer c.Close()
	drain := func() (int, error) {
		entries := 0
		var sum int
		ctx, cancel := context.WithTimeout(ctx, time.Minute)
		defer cancel()
		if undecoded {
			// The core's share: the raw notifications, counted.
			for m, err := range c.Netfilter().Netlink().Receive(ctx) {
				if err != nil {
					return entries, err
				}
				if m.Header.Type == 4<<8 { // NFULNL_MSG_PACKET
					sum += len(m.Data)
					if entries++; entries == n {
						break
					}
				}
			}
			return entries, nil
		}
		for e, err := range c.Entries(ctx) {
			if err != nil {
				return entries, err
			}
			sum += len(e.Payload) // touch the entry as a consumer would
			if entries++; entries == n {
				break
			}
		}
		return entries, nil
	}
	var m measure
	if live {
		m, err = timeIt(false, func() (int, error) {
			errc := make(chan error, 1)
			go func() { errc <- flood(ns, n) }()
			got, err := drain()
			if ferr := <-errc; err == nil {
				err = ferr
			}
			return got, err
		})
	} else {
		if err := flood(ns, n); err != nil {
			return measure{}, err
		}
		m, err = timeIt(false, drain)
	}
	if st := c.Stats(); err == nil && st.Lost != 0 {
		err = fmt.Errorf("%d entries lost: the receive buffer was too small", st.Lost)
	}
	return m, err
}
