package main

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"sync/atomic"
	"time"

	"github.com/nlkit/nlkit/netfilter/queue"
	"github.com/nlkit/nlkit/netns"
	"golang.org/x/sys/unix"
)

// benchNfqueue floods small UDP datagrams over a veth pair into queue 0
// and gives each its verdict: a raw x/sys recvfrom + sendto loop (the
// floor), nlkit with a verdict per packet, and nlkit with a batch verdict
// per 32 packets. The sender keeps at most nfqWindow packets ahead of the
// verdicts, so that nothing is dropped and every path handles exactly
// o.packets packets per round.
func benchNfqueue(ctx context.Context, o options) ([]result, error) {
	b, err := newNfqBench()
	if err != nil {
		return nil, err
	}
	defer b.close()
	raw, err := b.rawBind()
	if err != nil {
		return nil, err
	}
	defer raw.close()
	n := o.packets
	floor := func() (int, error) {
		return b.run(n, func(ready func()) error {
			if err := raw.config(1); err != nil { // bind
				return err
			}
			defer raw.config(2) // unbind
			ready()
			return raw.loop(ctx, n, b)
		})
	}
	perPacket := func() (int, error) {
		return b.run(n, func(ready func()) error { return b.nlkit(ctx, n, 1, ready) })
	}
	batch := func() (int, error) {
		return b.run(n, func(ready func()) error { return b.nlkit(ctx, n, 32, ready) })
	}
	// Each path binds the queue for its run (one socket at a time) and
	// unbinds it after: microseconds against a run of tenths of a second.
	rs, err := rounds(o.reps, nil, floor, perPacket, batch)
	if err != nil {
		return nil, err
	}
	pps := func(m measure) float64 { return float64(m.objects) / m.wall.Seconds() }
	cpu := func(m measure) string {
		return fmt.Sprintf("%.2f µs CPU/pkt", float64((m.user+m.sys).Microseconds())/float64(m.objects))
	}
	w := fmt.Sprintf("NFQUEUE %d UDP packets", n)
	note := func(t timed, goal string) string {
		return fmt.Sprintf("%.0f pkt/s = %.2fx floor pkt/s (goal %s); %s", pps(t.m), 1/t.ratio, goal, cpu(t.m))
	}
	return []result{
		{workload: w, path: "raw recvfrom+verdict (floor)", m: rs[0].m, note: fmt.Sprintf("%.0f pkt/s; %s", pps(rs[0].m), cpu(rs[0].m))},
		{workload: w, path: "Packets + SetVerdict", m: rs[1].m, ratio: rs[1].ratio, note: note(rs[1], ">= 0.8x")},
		{workload: w, path: "Packets + SetVerdicts/32", m: rs[2].m, ratio: rs[2].ratio, note: note(rs[2], ">= 0.9x")},
	}, nil
}

// nfqWindow is how many packets the sender keeps ahead of the verdicts.
const nfqWindow = 256

type nfqBench struct {
	a, b         *netns.NS
	aName, bName string
	sender       *net.UDPConn
	done         atomic.Int64 // packets given a verdict in the current run
	waiting      atomic.Bool  // the sender waits for room in the window
	room         chan struct{}
}

// verdicted counts k packets given their verdict and wakes the sender if
// it waits for room: an atomic add and load per call, the same for every
// path.
func (nb *nfqBench) verdicted(k int64) {
	nb.done.Add(k)
	if nb.waiting.Load() {
		select {
		case nb.room <- struct{}{}:
		default:
		}
	}
}

func newNfqBench() (*nfqBench, error) {
	tag := fmt.Sprintf("nlkit-bench-nfq-%d", os.Getpid())
	nb := &nfqBench{aName: tag + "-a", bName: tag + "-b", room: make(chan struct{}, 1)}
	var err error
	if nb.a, err = netns.NewNamed(nb.aName); err != nil {
		return nil, fmt.Errorf("creating a namespace (run as root): %w", err)
	}
	if nb.b, err = netns.NewNamed(nb.bName); err != nil {
		nb.close()
		return nil, err
	}
	ipt := "iptables-legacy"
	if _, err := exec.LookPath(ipt); err != nil {
		ipt = "/usr/sbin/iptables-legacy"
	}
	for _, c := range [][]string{
		{"ip", "-n", nb.aName, "link", "set", "lo", "up"},
		{"ip", "-n", nb.bName, "link", "set", "lo", "up"},
		{"ip", "-n", nb.aName, "link", "add", "va", "type", "veth", "peer", "name", "vb", "netns", nb.bName},
		{"ip", "-n", nb.aName, "addr", "add", "198.18.0.1/24", "dev", "va"},
		{"ip", "-n", nb.bName, "addr", "add", "198.18.0.2/24", "dev", "vb"},
		{"ip", "-n", nb.aName, "link", "set", "va", "up"},
		{"ip", "-n", nb.bName, "link", "set", "vb", "up"},
		// Queue the flood as it comes in; once accepted, drop it
		// cheaply (no socket, no ICMP).
		{"ip", "netns", "exec", nb.bName, ipt, "-t", "raw", "-A", "PREROUTING", "-i", "vb", "-p", "udp", "--dport", "9", "-j", "NFQUEUE", "--queue-num", "0"},
		{"ip", "netns", "exec", nb.bName, ipt, "-A", "INPUT", "-p", "udp", "--dport", "9", "-j", "DROP"},
	} {
		if out, err := exec.Command(c[0], c[1:]...).CombinedOutput(); err != nil {
			nb.close()
			return nil, fmt.Errorf("%v: %v: %s", c, err, out)
		}
	}
	err = nb.a.Do(func() (err error) {
		nb.sender, err = net.DialUDP("udp4", nil, &net.UDPAddr{IP: net.IPv4(198, 18, 0, 2), Port: 9})
		return err
	})
	if err != nil {
		nb.close()
		return nil, err
	}
	// Resolve the neighbour before timing: a few datagrams with nobody
	// bound to the queue are dropped by the kernel.
	for range 3 {
		nb.sender.Write([]byte("warm"))
		time.Sleep(50 * time.Millisecond)
	}
	return nb, nil
}

func (nb *nfqBench) close() {
	if nb.sender != nil {
		nb.sender.Close()
	}
	for _, x := range []struct {
		ns   *netns.NS
		name string
	}{{nb.a, nb.aName}, {nb.b, nb.bName}} {
		if x.ns != nil {
			x.ns.Close()
			netns.DeleteNamed(x.name)
		}
	}
}

// run sends n datagrams, never more than nfqWindow ahead of the
// verdicts, while consume handles them; it returns n.
func (nb *nfqBench) run(n int, consume func(ready func()) error) (int, error) {
	nb.done.Store(0)
	errc := make(chan error, 1)
	readyc := make(chan struct{})
	go func() { errc <- consume(func() { close(readyc) }) }()
	// Send once the queue is bound: before that the kernel drops them.
	select {
	case <-readyc:
	case err := <-errc:
		return 0, err
	}
	msg := []byte("nlkit-nfq")
	stuck := time.NewTimer(time.Hour) // reset per wait: no allocation per wait
	defer stuck.Stop()
	for sent := 0; sent < n; {
		if int64(sent)-nb.done.Load() >= nfqWindow {
			// Wait (blocked, not spinning: two CPUs are shared by the
			// sender, the consumer and the kernel's work) until half
			// the window is free.
			nb.waiting.Store(true)
			if int64(sent)-nb.done.Load() >= nfqWindow/2 {
				stuck.Reset(30 * time.Second)
				select {
				case <-nb.room:
				case err := <-errc:
					return 0, fmt.Errorf("consumer stopped after %d of %d: %v", nb.done.Load(), n, err)
				case <-stuck.C:
					return 0, fmt.Errorf("consumer stuck at %d of %d", nb.done.Load(), n)
				}
			}
			nb.waiting.Store(false)
			continue
		}
		if _, err := nb.sender.Write(msg); err != nil {
			return 0, err
		}
		sent++
	}
	select {
	case err := <-errc:
		return n, err
	case <-time.After(30 * time.Second):
		out, _ := exec.Command("ip", "netns", "exec", nb.bName, "cat", "/proc/net/netfilter/nfnetlink_queue", "/proc/net/snmp").CombinedOutput()
		return 0, fmt.Errorf("consumer stuck at %d of %d: %s", nb.done.Load(), n, out)
	}
}

// nlkit consumes n packets with package queue: a verdict per packet
// (every == 1) or a batch verdict per every packets.
func (nb *nfqBench) nlkit(ctx context.Context, n, every int, ready func()) error {
	q, err := queue.Dial(&queue.Config{Num: 0, NetNS: nb.b, ReceiveBuffer: 8 << 20, MaxLen: 8192})
	if err != nil {
		return err
	}
	defer q.Close()
	ready()
	got, pending := 0, 0
	for p, err := range q.Packets(ctx) {
		if err != nil {
			return err
		}
		got++
		if every == 1 {
			if err := q.SetVerdict(ctx, queue.Verdict{ID: p.ID, Action: queue.Accept}); err != nil {
				return err
			}
			nb.verdicted(1)
		} else if pending++; pending == every || got == n {
			if err := q.SetVerdicts(ctx, queue.Verdict{ID: p.ID, Action: queue.Accept}); err != nil {
				return err
			}
			nb.verdicted(int64(pending))
			pending = 0
		}
		if got == n {
			return nil
		}
	}
	return errors.New("stream ended")
}

// nfqRaw is the floor: a blocking NETLINK_NETFILTER socket, recvfrom into
// one buffer, the packet id read at its fixed place, a prebuilt verdict
// patched and sent with sendto.
type nfqRaw struct {
	fd      int
	buf     []byte
	verdict []byte
}

func (nb *nfqBench) rawBind() (*nfqRaw, error) {
	raw, err := openRaw(nb.b, unix.NETLINK_NETFILTER, 0)
	if err != nil {
		return nil, err
	}
	r := &nfqRaw{fd: raw.fd, buf: make([]byte, 1<<16)}
	// nlmsghdr, nfgenmsg (AF_UNSPEC, v0, queue 0), NFQA_VERDICT_HDR.
	r.verdict = make([]byte, 16+4+12)
	binary.NativeEndian.PutUint32(r.verdict[0:], uint32(len(r.verdict)))
	binary.NativeEndian.PutUint16(r.verdict[4:], 3<<8|1) // NFNL_SUBSYS_QUEUE, NFQNL_MSG_VERDICT
	binary.NativeEndian.PutUint16(r.verdict[6:], unix.NLM_F_REQUEST)
	binary.NativeEndian.PutUint16(r.verdict[20:], 12)
	binary.NativeEndian.PutUint16(r.verdict[22:], 2) // NFQA_VERDICT_HDR
	binary.BigEndian.PutUint32(r.verdict[24:], 1)    // NF_ACCEPT
	return r, nil
}

func (r *nfqRaw) close() { unix.Close(r.fd) }

// config binds (1) or unbinds (2) queue 0, copy mode packet, and waits
// for the acknowledgement.
func (r *nfqRaw) config(cmd byte) error {
	msg := make([]byte, 16+4+8+12)
	binary.NativeEndian.PutUint32(msg[0:], uint32(len(msg)))
	binary.NativeEndian.PutUint16(msg[4:], 3<<8|2) // NFQNL_MSG_CONFIG
	binary.NativeEndian.PutUint16(msg[6:], unix.NLM_F_REQUEST|unix.NLM_F_ACK)
	binary.NativeEndian.PutUint32(msg[8:], uint32(cmd))
	binary.NativeEndian.PutUint16(msg[20:], 8)
	binary.NativeEndian.PutUint16(msg[22:], 1) // NFQA_CFG_CMD
	msg[24] = cmd
	binary.NativeEndian.PutUint16(msg[28:], 9)
	binary.NativeEndian.PutUint16(msg[30:], 2) // NFQA_CFG_PARAMS
	binary.BigEndian.PutUint32(msg[32:], 0xffff)
	msg[36] = 2 // NFQNL_COPY_PACKET
	if cmd == 2 {
		msg = msg[:28]
		binary.NativeEndian.PutUint32(msg[0:], 28)
	}
	if err := unix.Sendto(r.fd, msg, 0, kernel); err != nil {
		return err
	}
	for {
		n, _, err := unix.Recvfrom(r.fd, r.buf, 0)
		if err != nil {
			return err
		}
		for off := 0; off+16 <= n; {
			l := int(binary.NativeEndian.Uint32(r.buf[off:]))
			if binary.NativeEndian.Uint16(r.buf[off+4:]) == unix.NLMSG_ERROR && binary.NativeEndian.Uint32(r.buf[off+8:]) == uint32(cmd) {
				if code := int32(binary.NativeEndian.Uint32(r.buf[off+16:])); code != 0 {
					return fmt.Errorf("queue config %d: %v", cmd, unix.Errno(-code))
				}
				return nil
			}
			if l < 16 {
				break
			}
			off += (l + 3) &^ 3
		}
	}
}

// loop reads n packets and accepts each.
func (r *nfqRaw) loop(ctx context.Context, n int, nb *nfqBench) error {
	got := 0
	for got < n {
		k, _, err := unix.Recvfrom(r.fd, r.buf, 0)
		if err != nil {
			return err
		}
		for off := 0; off+16 <= k; {
			l := int(binary.NativeEndian.Uint32(r.buf[off:]))
			if l < 16 {
				return fmt.Errorf("bad message length %d", l)
			}
			// The packet header is the first attribute: nlmsghdr,
			// nfgenmsg, nlattr, then the id.
			if binary.NativeEndian.Uint16(r.buf[off+4:]) == 3<<8 && l >= 28 {
				copy(r.verdict[28:32], r.buf[off+24:off+28])
				if err := unix.Sendto(r.fd, r.verdict, 0, kernel); err != nil {
					return err
				}
				got++
				nb.verdicted(1)
			}
			off += (l + 3) &^ 3
		}
	}
	return nil
}
