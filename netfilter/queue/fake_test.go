package queue_test

import (
	"encoding/binary"
	"os"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/nlkit/nlkit/netfilter"
	"github.com/nlkit/nlkit/netfilter/queue"
	"github.com/nlkit/nlkit/netlink"
)

// fakeKernel is the kernel side of a queue, as a netlink.Transport: it
// acknowledges config requests, holds the packets it sends until their
// verdict, refuses verdicts for ids it does not hold (echoing the
// request, as without NETLINK_CAP_ACK) and records the verdicts.
type fakeKernel struct {
	mu       sync.Mutex
	pending  [][]byte
	wake     chan struct{}
	closed   bool
	deadline time.Time
	overrun  bool
	held     map[uint32]bool
	nextID   uint32
	verdicts []netlink.Message
	configs  []netlink.Message
}

func newFake() *fakeKernel {
	return &fakeKernel{wake: make(chan struct{}, 1), held: map[uint32]bool{}}
}

func (f *fakeKernel) push(b []byte) {
	f.mu.Lock()
	f.pending = append(f.pending, b)
	f.mu.Unlock()
	select {
	case f.wake <- struct{}{}:
	default:
	}
}

// send queues one packet (its ID assigned if 0) and returns its id.
func (f *fakeKernel) send(t testing.TB, p *queue.Packet) uint32 {
	t.Helper()
	f.mu.Lock()
	if p.ID == 0 {
		f.nextID++
		p.ID = f.nextID
	}
	f.held[p.ID] = true
	f.mu.Unlock()
	data, err := p.MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	f.push(message(netfilter.MessageType(netfilter.SubsysQueue, 0), 0, 0, data))
	return p.ID
}

func (f *fakeKernel) setOverrun() {
	f.mu.Lock()
	f.overrun = true
	f.mu.Unlock()
	select {
	case f.wake <- struct{}{}:
	default:
	}
}

func message(typ netlink.MessageType, flags netlink.Flags, seq uint32, data []byte) []byte {
	b, _ := netlink.AppendMessage(nil, netlink.Header{Type: typ, Flags: flags, Sequence: seq}, data)
	return b
}

// errorMsg is the NLMSG_ERROR answering req (whole, as sent) with errno.
func errorMsg(req []byte, errno syscall.Errno) []byte {
	body := binary.NativeEndian.AppendUint32(nil, uint32(-int32(errno)))
	if errno == 0 {
		body = append(body, req[:netlink.HeaderLen]...)
	} else {
		body = append(body, req...)
	}
	return message(netlink.TypeError, 0, binary.NativeEndian.Uint32(req[8:]), body)
}

func (f *fakeKernel) Send(b []byte, port, group uint32) error {
	msgs, err := netlink.AppendParse(nil, b)
	if err != nil {
		return err
	}
	off := 0
	for _, m := range msgs {
		raw := b[off : off+int(m.Header.Length)]
		off += netlink.Align(int(m.Header.Length))
		_, typ := netfilter.SplitType(m.Header.Type)
		f.mu.Lock()
		var answer syscall.Errno
		switch typ {
		case 2: // config
			f.configs = append(f.configs, netlink.Message{Header: m.Header, Data: append([]byte(nil), m.Data...)})
		case 1, 3: // verdict, batch
			f.verdicts = append(f.verdicts, netlink.Message{Header: m.Header, Data: append([]byte(nil), m.Data...)})
			id := verdictID(m.Data)
			if typ == 1 {
				if !f.held[id] {
					answer = syscall.ENOENT
				}
				delete(f.held, id)
			} else {
				n := 0
				for h := range f.held {
					if h <= id {
						delete(f.held, h)
						n++
					}
				}
				if n == 0 {
					answer = syscall.ENOENT
				}
			}
		}
		f.mu.Unlock()
		if answer != 0 || m.Header.Flags&netlink.Acknowledge != 0 {
			f.push(errorMsg(append([]byte(nil), raw...), answer))
		}
	}
	return nil
}

func verdictID(data []byte) uint32 {
	b := data[netfilter.HeaderLen:]
	for len(b) >= 4 {
		l := int(binary.NativeEndian.Uint16(b))
		if l < 4 || l > len(b) {
			return 0
		}
		if binary.NativeEndian.Uint16(b[2:])&0x3fff == 2 && l == 12 {
			return binary.BigEndian.Uint32(b[8:])
		}
		b = b[min(netlink.Align(l), len(b)):]
	}
	return 0
}

func (f *fakeKernel) Receive(b []byte) (int, netlink.Source, error) {
	for {
		f.mu.Lock()
		if f.closed {
			f.mu.Unlock()
			return 0, netlink.Source{}, netlink.ErrClosed
		}
		if f.overrun {
			f.overrun = false
			f.mu.Unlock()
			return 0, netlink.Source{}, netlink.ErrOverrun
		}
		if len(f.pending) > 0 {
			d := f.pending[0]
			if len(d) > len(b) {
				f.mu.Unlock()
				return len(d), netlink.Source{NSID: -1}, nil
			}
			f.pending = f.pending[1:]
			f.mu.Unlock()
			return copy(b, d), netlink.Source{NSID: -1}, nil
		}
		dl := f.deadline
		f.mu.Unlock()
		var timer <-chan time.Time
		if !dl.IsZero() {
			d := time.Until(dl)
			if d <= 0 {
				return 0, netlink.Source{}, os.ErrDeadlineExceeded
			}
			tm := time.NewTimer(d)
			defer tm.Stop()
			timer = tm.C
		}
		select {
		case <-f.wake:
		case <-timer:
		}
	}
}

func (f *fakeKernel) SetReadDeadline(t time.Time) error {
	f.mu.Lock()
	f.deadline = t
	f.mu.Unlock()
	select {
	case f.wake <- struct{}{}:
	default:
	}
	return nil
}

func (f *fakeKernel) Close() error {
	f.mu.Lock()
	f.closed = true
	f.mu.Unlock()
	select {
	case f.wake <- struct{}{}:
	default:
	}
	return nil
}

func (f *fakeKernel) PortID() uint32          { return 4242 }
func (f *fakeKernel) JoinGroup(uint32) error  { return nil }
func (f *fakeKernel) LeaveGroup(uint32) error { return nil }

// dialFake binds queue num over a fake kernel.
func dialFake(t testing.TB, cfg *queue.Config) (*queue.Conn, *fakeKernel) {
	t.Helper()
	f := newFake()
	nl, err := netlink.NewConn(f, &netlink.Config{DisableCapAck: true, KeepBeforeOverrun: true})
	if err != nil {
		t.Fatal(err)
	}
	nf := netfilter.NewConn(nl)
	q, err := queue.NewConn(nf, cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { q.Close(); nl.Close() })
	return q, f
}
