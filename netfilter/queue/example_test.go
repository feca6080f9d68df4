package queue_test

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"log"
	"os/signal"
	"syscall"

	"github.com/nlkit/nlkit/netfilter/queue"
	"github.com/nlkit/nlkit/netlink"
)

// Accept every packet of queue 0 and count them: the smallest program.
// (iptables -A INPUT -p udp -j NFQUEUE --queue-num 0)
func ExampleDial() {
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT)
	defer stop()
	q, err := queue.Dial(&queue.Config{Num: 0})
	if err != nil {
		log.Fatal(err)
	}
	defer q.Close()
	n := 0
	for p, err := range q.Packets(ctx) {
		if errors.Is(err, netlink.ErrOverrun) {
			continue // packets were lost (dropped by the kernel); go on
		}
		if err != nil && p == nil {
			break // ctx ended, or the stream failed
		}
		n++
		if err := q.SetVerdict(ctx, queue.Verdict{ID: p.ID, Action: queue.Accept}); err != nil {
			log.Print(err)
		}
	}
	fmt.Println(n, "packets accepted")
}

// A port filter: drop TCP and UDP to port 23 and 69, accept the rest,
// over IPv4 and IPv6 alike.
func ExampleConn_SetVerdict() {
	ctx := context.Background()
	q, err := queue.Dial(&queue.Config{Num: 1, CopyRange: 128}) // the headers are enough
	if err != nil {
		log.Fatal(err)
	}
	defer q.Close()
	for p, err := range q.Packets(ctx) {
		if p == nil {
			log.Print(err) // an overrun or a refused verdict: the stream goes on
			continue
		}
		v := queue.Verdict{ID: p.ID, Action: queue.Accept}
		if port, ok := dstPortOf(p.Payload); ok && (port == 23 || port == 69) {
			v.Action = queue.Drop
		}
		if err := q.SetVerdict(ctx, v); err != nil {
			log.Print(err)
		}
	}
}

// dstPortOf reads the destination port of an IPv4 or IPv6 TCP or UDP
// packet (without IPv6 extension headers).
func dstPortOf(b []byte) (uint16, bool) {
	if len(b) < 1 {
		return 0, false
	}
	var proto byte
	var off int
	switch b[0] >> 4 {
	case 4:
		if len(b) < 20 {
			return 0, false
		}
		proto, off = b[9], int(b[0]&0xf)*4
	case 6:
		proto, off = b[6], 40
	default:
		return 0, false
	}
	if (proto != 6 && proto != 17) || len(b) < off+4 {
		return 0, false
	}
	return binary.BigEndian.Uint16(b[off+2:]), true
}

// Mangling: replace the payload of UDP datagrams to port 5353 with an
// upper-case copy, fix the checksums, and mark the packet.
func ExampleFixChecksums() {
	ctx := context.Background()
	q, err := queue.Dial(&queue.Config{Num: 2})
	if err != nil {
		log.Fatal(err)
	}
	defer q.Close()
	buf := make([]byte, 0, 65536)
	mark := uint32(0x10)
	for p, err := range q.Packets(ctx) {
		if p == nil {
			log.Print(err)
			continue
		}
		v := queue.Verdict{ID: p.ID, Action: queue.Accept}
		if port, ok := dstPortOf(p.Payload); ok && port == 5353 {
			b := append(buf[:0], p.Payload...)
			hl := len(b) - udpPayloadLen(b)
			for i := hl; i < len(b); i++ {
				if 'a' <= b[i] && b[i] <= 'z' {
					b[i] -= 'a' - 'A'
				}
			}
			if err := queue.FixChecksums(b); err == nil {
				v.Payload, v.Mark = b, &mark
			}
		}
		q.SetVerdict(ctx, v)
	}
}

// udpPayloadLen is the length of a UDP datagram's data (by its header).
func udpPayloadLen(b []byte) int {
	off := 40
	if b[0]>>4 == 4 {
		off = int(b[0]&0xf) * 4
	}
	if len(b) < off+8 {
		return 0
	}
	return len(b) - off - 8
}

// A worker pool over four queues (iptables ... -j NFQUEUE
// --queue-balance 4:7): a reader per queue, eight workers each; slow
// handlers never hold the reader up.
func ExampleServe() {
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT)
	defer stop()
	err := queue.Serve(ctx, &queue.ServeConfig{
		Queue:   queue.Config{MaxLen: 4096, Flags: queue.FlagFailOpen},
		Nums:    []uint16{4, 5, 6, 7},
		Workers: 8,
		Errors:  func(num uint16, err error) { log.Printf("queue %d: %v", num, err) },
	}, func(p *queue.Packet) queue.Verdict {
		if port, ok := dstPortOf(p.Payload); ok && port == 23 {
			return queue.Verdict{Action: queue.Drop}
		}
		return queue.Verdict{Action: queue.Accept}
	})
	if err != nil {
		log.Fatal(err)
	}
}

// Batch verdicts: accept runs of packets with one message each.
func ExampleConn_SetVerdicts() {
	ctx := context.Background()
	q, err := queue.Dial(&queue.Config{Num: 3})
	if err != nil {
		log.Fatal(err)
	}
	defer q.Close()
	n := 0
	for p, err := range q.Packets(ctx) {
		if p == nil {
			log.Print(err)
			continue
		}
		// Every 64 packets, one verdict for all of them (and the ones
		// before). A real program also flushes on a timer.
		if n++; n%64 == 0 {
			q.SetVerdicts(ctx, queue.Verdict{ID: p.ID, Action: queue.Accept})
		}
	}
}

// The kernel's and the Conn's counters.
func ExampleConn_Stats() {
	ctx := context.Background()
	q, err := queue.Dial(&queue.Config{Num: 0})
	if err != nil {
		log.Fatal(err)
	}
	defer q.Close()
	st, err := q.Stats(ctx)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("waiting %d, dropped %d+%d, missed %d, outstanding %d\n",
		st.Waiting, st.QueueDropped, st.UserDropped, st.Missed, st.Outstanding)
}

// The bound queues of this namespace, as /proc/net/netfilter/nfnetlink_queue lists them.
func ExampleInstanceList() {
	list, err := queue.InstanceList(context.Background(), nil)
	if err != nil {
		log.Fatal(err)
	}
	for _, in := range list {
		fmt.Println(in.Num, in.PortID, in.Waiting)
	}
}

// A verdict that must be confirmed.
func ExampleConn_SetVerdictSync() {
	ctx := context.Background()
	q, err := queue.Dial(&queue.Config{Num: 0})
	if err != nil {
		log.Fatal(err)
	}
	defer q.Close()
	err = q.SetVerdictSync(ctx, queue.Verdict{ID: 12345, Action: queue.Drop})
	fmt.Println(errors.Is(err, syscall.ENOENT)) // no packet 12345 waits
}
