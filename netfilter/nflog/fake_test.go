package nflog

import (
	"encoding/binary"
	"os"
	"sync"
	"syscall"
	"time"

	"github.com/nlkit/nlkit/netfilter"
	"github.com/nlkit/nlkit/netlink"
)

// fakeKernel is a netlink.Transport standing in for nfnetlink_log: it
// acknowledges requests (or refuses them with errno), records them, and
// delivers the datagrams the test queues, in order, to the Conn's port.
type fakeKernel struct {
	mu       sync.Mutex
	queue    [][]byte // datagrams, or nil for an overrun
	reqs     []netlink.Message
	errno    syscall.Errno
	wake     chan struct{}
	closed   bool
	deadline time.Time
}

func newFake() *fakeKernel { return &fakeKernel{wake: make(chan struct{}, 1)} }

func (k *fakeKernel) signal() {
	select {
	case k.wake <- struct{}{}:
	default:
	}
}

func (k *fakeKernel) Send(b []byte, port, group uint32) error {
	msgs, err := netlink.AppendParse(nil, b)
	if err != nil {
		return err
	}
	k.mu.Lock()
	defer k.mu.Unlock()
	for _, m := range msgs {
		m.Data = append([]byte(nil), m.Data...)
		k.reqs = append(k.reqs, m)
		if m.Header.Flags&netlink.Acknowledge == 0 && k.errno == 0 {
			continue
		}
		body := binary.NativeEndian.AppendUint32(nil, uint32(-int32(k.errno)))
		hdr, _ := netlink.AppendMessage(nil, netlink.Header{Type: m.Header.Type, Flags: m.Header.Flags, Sequence: m.Header.Sequence, PortID: 1}, nil)
		body = append(body, hdr...)
		d, _ := netlink.AppendMessage(nil, netlink.Header{Type: netlink.TypeError, Flags: netlink.Capped, Sequence: m.Header.Sequence, PortID: 1}, body)
		k.queue = append(k.queue, d)
	}
	k.signal()
	return nil
}

// deliver queues one datagram holding msgs (sequence 0, as the kernel's
// entries).
func (k *fakeKernel) deliver(msgs ...netlink.Message) {
	var d []byte
	for _, m := range msgs {
		d, _ = netlink.AppendMessage(d, m.Header, m.Data)
	}
	k.mu.Lock()
	k.queue = append(k.queue, d)
	k.mu.Unlock()
	k.signal()
}

// overrun queues an ENOBUFS.
func (k *fakeKernel) overrun() {
	k.mu.Lock()
	k.queue = append(k.queue, nil)
	k.mu.Unlock()
	k.signal()
}

func (k *fakeKernel) Receive(b []byte) (int, netlink.Source, error) {
	for {
		k.mu.Lock()
		if k.closed {
			k.mu.Unlock()
			return 0, netlink.Source{}, netlink.ErrClosed
		}
		if len(k.queue) > 0 {
			d := k.queue[0]
			if d == nil {
				k.queue = k.queue[1:]
				k.mu.Unlock()
				return 0, netlink.Source{NSID: -1}, netlink.ErrOverrun
			}
			if len(d) > len(b) {
				k.mu.Unlock()
				return len(d), netlink.Source{NSID: -1}, nil
			}
			k.queue = k.queue[1:]
			k.mu.Unlock()
			return copy(b, d), netlink.Source{NSID: -1}, nil
		}
		dl := k.deadline
		k.mu.Unlock()
		var timer <-chan time.Time
		if !dl.IsZero() {
			d := time.Until(dl)
			if d <= 0 {
				return 0, netlink.Source{}, errDeadline
			}
			t := time.NewTimer(d)
			defer t.Stop()
			timer = t.C
		}
		select {
		case <-k.wake:
		case <-timer:
		}
	}
}

func (k *fakeKernel) SetReadDeadline(t time.Time) error {
	k.mu.Lock()
	k.deadline = t
	k.mu.Unlock()
	k.signal()
	return nil
}

func (k *fakeKernel) Close() error {
	k.mu.Lock()
	k.closed = true
	k.mu.Unlock()
	k.signal()
	return nil
}

func (k *fakeKernel) PortID() uint32                { return 1 }
func (k *fakeKernel) JoinGroup(group uint32) error  { return nil }
func (k *fakeKernel) LeaveGroup(group uint32) error { return nil }

// entryMsg is e as the kernel sends it.
func entryMsg(e *Entry) netlink.Message {
	b, err := e.MarshalBinary()
	if err != nil {
		panic(err)
	}
	return netlink.Message{Header: netlink.Header{Type: packetType}, Data: b}
}

// doneMsg closes a batch.
func doneMsg() netlink.Message {
	return netlink.Message{Header: netlink.Header{Type: netlink.TypeDone}, Data: make([]byte, netfilter.HeaderLen)}
}

var errDeadline = os.ErrDeadlineExceeded
