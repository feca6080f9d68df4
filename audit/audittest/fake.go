// Package audittest is a fake of the kernel's audit for tests without
// root: status, features, TTY auditing, rules and a scripted record
// stream, answered as the kernel answers them (acknowledgements before
// replies, rule lists ending with a bodiless NLMSG_DONE, the old lost count
// in the acknowledgement of a reset). It is a Handler on an nltest.Server,
// as package rtnl/rtnltest is for route netlink.
//
// Conns from Fake.Dial are *audit.Conn values going through the same code
// as against the kernel. Records are sent with Fake.Emit and
// Fake.EmitEvent, to the registered daemon (unicast) and to the listeners
// of the multicast group, as the kernel sends them.
package audittest

import (
	"encoding/binary"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"syscall"
	"time"

	"github.com/nlkit/nlkit/audit"
	"github.com/nlkit/nlkit/netlink"
	"github.com/nlkit/nlkit/nltest"
)

// Fake is an in-memory audit subsystem. It is safe for concurrent use.
type Fake struct {
	srv *nltest.Server

	mu       sync.Mutex
	status   audit.Status
	features audit.Features
	tty      map[uint32]audit.TTY // by port: the kernel keeps it per process
	rules    []audit.Rule
	daemon   uint32 // the daemon's port; status.PID its pid
	serial   uint64
	now      func() time.Time
	conns    []*netlink.Conn
}

// New returns a Fake in the state of a freshly booted kernel: audit off,
// failure 1 (printk), backlog_limit 64, backlog_wait_time 15000 (60s at
// HZ 250), no rules, no daemon.
func New() *Fake {
	f := &Fake{
		status: audit.Status{Failure: 1, BacklogLimit: 64, BacklogWaitTime: 15000,
			Features: 0x7f},
		features: audit.Features{Mask: 3},
		tty:      map[uint32]audit.TTY{},
		now:      time.Now,
	}
	f.srv = nltest.NewServer(f)
	return f
}

// Server returns the nltest.Server the Fake answers on.
func (f *Fake) Server() *nltest.Server { return f.srv }

// Dial returns an audit Conn to the Fake. cfg is as for audit.Dial (Trace,
// Groups ...). Close it, or Fake.Close closes it.
func (f *Fake) Dial(cfg *netlink.Config) (*audit.Conn, error) {
	nc, err := f.srv.Dial(cfg)
	if err != nil {
		return nil, err
	}
	f.mu.Lock()
	f.conns = append(f.conns, nc)
	f.mu.Unlock()
	return audit.NewConn(nc), nil
}

// DialListener is Dial with the multicast group of records joined, as
// audit.DialListener.
func (f *Fake) DialListener(cfg *netlink.Config) (*audit.Conn, error) {
	var c netlink.Config
	if cfg != nil {
		c = *cfg
	}
	c.Groups = append(slices.Clone(c.Groups), audit.GroupReadLog)
	return f.Dial(&c)
}

// Close closes the sockets of every Conn the Fake handed out.
func (f *Fake) Close() error {
	f.mu.Lock()
	conns := f.conns
	f.conns = nil
	f.mu.Unlock()
	for _, c := range conns {
		c.Close()
	}
	return nil
}

// SetStatus replaces the Fake's status, e.g. to lock it (Enabled 2) or to
// set its lost counter.
func (f *Fake) SetStatus(s audit.Status) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.status = s
}

// Status returns the Fake's status.
func (f *Fake) Status() audit.Status {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.status
}

// RuleList returns a copy of the Fake's rules.
func (f *Fake) RuleList() []audit.Rule {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.rules)
}

// Record is one record of a scripted event: its type and its text after
// the audit(...) stamp.
type Record struct {
	Type audit.RecordType
	Text string
}

// Emit sends one record with a new serial number (a user message, a
// CONFIG_CHANGE ...) and returns the serial. See EmitEvent.
func (f *Fake) Emit(t audit.RecordType, text string) uint64 {
	return f.emit([]Record{{t, text}}, false)
}

// EmitEvent sends the records of one event under a new serial number,
// followed by an EOE record, as the kernel ends a system call's event, and
// returns the serial. Records go unicast to the registered daemon and to
// the Conns in the multicast group (if audit is enabled, as the kernel
// emits nothing while it is off, user messages aside).
func (f *Fake) EmitEvent(recs ...Record) uint64 {
	return f.emit(recs, true)
}

// Lose adds n to the lost counter, as records dropped for a full backlog.
func (f *Fake) Lose(n uint32) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.status.Lost += n
}

func (f *Fake) emit(recs []Record, eoe bool) uint64 {
	f.mu.Lock()
	f.serial++
	serial := f.serial
	now := f.now()
	daemon := f.daemon
	f.mu.Unlock()
	if eoe {
		recs = append(slices.Clone(recs), Record{Type: audit.TypeEOE})
	}
	for _, r := range recs {
		text := fmt.Sprintf("audit(%d.%03d:%d): %s", now.Unix(), now.Nanosecond()/1e6, serial, r.Text)
		m := netlink.Message{Header: netlink.Header{Type: netlink.MessageType(r.Type)}, Data: []byte(text)}
		if daemon != 0 {
			f.srv.Unicast(daemon, m)
		}
		f.srv.Notify(audit.GroupReadLog, m)
	}
	return serial
}

func errno(e syscall.Errno) error { return e }

// ack is an NLMSG_ERROR with code, the kernel's acknowledgement of req.
func ack(req netlink.Message, code int32) netlink.Message {
	b := binary.NativeEndian.AppendUint32(nil, uint32(code))
	h := req.Header
	h.Length = netlink.HeaderLen
	hb, _ := netlink.AppendMessage(nil, h, nil)
	b = append(b, hb[:netlink.HeaderLen]...)
	return netlink.Message{Header: netlink.Header{Type: netlink.TypeError, Flags: netlink.Capped}, Data: b}
}

// Handle answers one audit request as kernel/audit.c does.
func (f *Fake) Handle(req netlink.Message) ([]netlink.Message, error) {
	t := audit.RecordType(req.Header.Type)
	reply := func(typ audit.RecordType, data []byte) netlink.Message {
		return netlink.Message{Header: netlink.Header{Type: netlink.MessageType(typ)}, Data: data}
	}
	// The kernel acknowledges first, then answers from another thread.
	answer := func(msgs ...netlink.Message) ([]netlink.Message, error) {
		out := []netlink.Message{}
		if req.Header.Flags&netlink.Acknowledge != 0 {
			out = append(out, ack(req, 0))
		}
		return append(out, msgs...), nil
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	locked := f.status.Enabled == 2
	switch t {
	case 1000: // AUDIT_GET
		b, _ := f.status.MarshalBinary()
		return answer(reply(t, b))
	case 1001: // AUDIT_SET
		return f.set(req, locked)
	case 1013: // AUDIT_LIST_RULES
		var msgs []netlink.Message
		for _, r := range f.rules {
			b, _ := r.MarshalBinary()
			m := reply(t, b)
			m.Header.Flags = netlink.Multi
			msgs = append(msgs, m)
		}
		msgs = append(msgs, netlink.Message{Header: netlink.Header{Type: netlink.TypeDone, Flags: netlink.Multi}})
		return answer(msgs...)
	case 1011, 1012: // AUDIT_ADD_RULE, AUDIT_DEL_RULE
		if locked {
			return nil, errno(syscall.EPERM)
		}
		var r audit.Rule
		if err := r.UnmarshalBinary(req.Data); err != nil {
			return nil, errno(syscall.EINVAL)
		}
		i := slices.IndexFunc(f.rules, func(o audit.Rule) bool { return o.Equal(&r) })
		if t == 1011 {
			if i >= 0 {
				return nil, errno(syscall.EEXIST)
			}
			// The kernel resolves watches when they are added: a
			// path's directory, a dir's tree, must exist.
			for _, fl := range r.Fields {
				p := fl.Text
				if fl.Field == audit.FieldWatch {
					p = filepath.Dir(p)
				} else if fl.Field != audit.FieldDir {
					continue
				}
				if _, err := os.Stat(p); err != nil {
					return nil, errno(syscall.ENOENT)
				}
			}
			if r.Prepend {
				// The kernel lists prepended rules with the flag.
				f.rules = slices.Insert(f.rules, f.listStart(r.List), r)
			} else {
				f.rules = slices.Insert(f.rules, f.listEnd(r.List), r)
			}
		} else {
			if i < 0 {
				return nil, errno(syscall.ENOENT)
			}
			f.rules = slices.Delete(f.rules, i, i+1)
		}
		return answer()
	case 1016: // AUDIT_TTY_GET
		tt := f.tty[req.Header.PortID]
		b := binary.NativeEndian.AppendUint32(nil, b2u(tt.Enabled))
		b = binary.NativeEndian.AppendUint32(b, b2u(tt.LogPasswd))
		return answer(reply(t, b))
	case 1017: // AUDIT_TTY_SET
		if len(req.Data) < 8 {
			return nil, errno(syscall.EINVAL)
		}
		f.tty[req.Header.PortID] = audit.TTY{Enabled: binary.NativeEndian.Uint32(req.Data) != 0, LogPasswd: binary.NativeEndian.Uint32(req.Data[4:]) != 0}
		return answer()
	case 1019: // AUDIT_GET_FEATURE
		b := binary.NativeEndian.AppendUint32(nil, 1)
		for _, v := range []uint32{^uint32(0) >> 30, f.features.Enabled, f.features.Locked} {
			b = binary.NativeEndian.AppendUint32(b, v)
		}
		return answer(reply(t, b))
	case 1018: // AUDIT_SET_FEATURE
		if len(req.Data) < 16 || binary.NativeEndian.Uint32(req.Data) != 1 {
			return nil, errno(syscall.EINVAL)
		}
		mask := binary.NativeEndian.Uint32(req.Data[4:])
		on := binary.NativeEndian.Uint32(req.Data[8:])
		lock := binary.NativeEndian.Uint32(req.Data[12:])
		if mask&^3 != 0 {
			return nil, errno(syscall.EINVAL)
		}
		if f.features.Locked&mask != 0 {
			return nil, errno(syscall.EPERM)
		}
		f.features.Enabled = f.features.Enabled&^mask | on&mask
		f.features.Locked |= lock & mask
		return answer()
	}
	if t.IsUser() {
		if f.status.Enabled == 0 && t != audit.TypeUserAVC {
			return answer()
		}
		msg := req.Data
		if n := len(msg); n > 0 && msg[n-1] == 0 {
			msg = msg[:n-1]
		}
		if len(msg) < 1 {
			return nil, errno(syscall.EINVAL)
		}
		text := fmt.Sprintf("pid=%d uid=0 auid=4294967295 ses=4294967295 msg='%s'", req.Header.PortID, msg)
		f.mu.Unlock()
		f.Emit(t, text)
		f.mu.Lock()
		return answer()
	}
	return nil, errno(syscall.EINVAL)
}

func b2u(v bool) uint32 {
	if v {
		return 1
	}
	return 0
}

// listStart and listEnd give where list l's rules are, the kernel listing
// rules list by list.
func (f *Fake) listStart(l audit.List) int {
	for i, r := range f.rules {
		if r.List >= l {
			return i
		}
	}
	return len(f.rules)
}

func (f *Fake) listEnd(l audit.List) int {
	for i, r := range f.rules {
		if r.List > l {
			return i
		}
	}
	return len(f.rules)
}

func (f *Fake) set(req netlink.Message, locked bool) ([]netlink.Message, error) {
	if len(req.Data) < 32 {
		return nil, errno(syscall.EINVAL)
	}
	var s audit.Status
	s.UnmarshalBinary(req.Data)
	mask := binary.NativeEndian.Uint32(req.Data)
	if locked && mask&^0x04 != 0 {
		return nil, errno(syscall.EPERM)
	}
	ackd := func(code int32) ([]netlink.Message, error) { return []netlink.Message{ack(req, code)}, nil }
	if mask&0x01 != 0 {
		if s.Enabled > 2 {
			return nil, errno(syscall.EINVAL)
		}
		f.status.Enabled = s.Enabled
	}
	if mask&0x02 != 0 {
		if s.Failure > 2 {
			return nil, errno(syscall.EINVAL)
		}
		f.status.Failure = s.Failure
	}
	if mask&0x04 != 0 {
		switch {
		case s.PID != 0 && f.status.PID != 0:
			return nil, errno(syscall.EEXIST)
		case s.PID != 0:
			f.status.PID, f.daemon = s.PID, req.Header.PortID
		default:
			f.status.PID, f.daemon = 0, 0
		}
	}
	if mask&0x08 != 0 {
		f.status.RateLimit = s.RateLimit
	}
	if mask&0x10 != 0 {
		f.status.BacklogLimit = s.BacklogLimit
	}
	if mask&0x20 != 0 {
		f.status.BacklogWaitTime = s.BacklogWaitTime
	}
	if mask&0x40 != 0 {
		old := f.status.Lost
		f.status.Lost = 0
		return ackd(int32(old))
	}
	if mask&0x80 != 0 {
		old := f.status.BacklogWaitTimeActual
		f.status.BacklogWaitTimeActual = 0
		return ackd(int32(old))
	}
	return ackd(0)
}
