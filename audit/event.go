package audit

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"iter"
	"strings"
	"time"

	"github.com/nlkit/nlkit/netlink"
)

// Event is the records of one audit event, reassembled by serial number:
// a system call's SYSCALL, CWD, PATH ..., PROCTITLE (ended by EOE), or a
// single record such as a user message.
type Event struct {
	Serial  uint64
	Time    time.Time
	Records []Record // in the order they came; the EOE record is not kept
	// EOE reports that the event ended with the kernel's end-of-event
	// record; false means it ended by its type (user and daemon messages
	// are single records) or by EventConfig.Timeout / MaxPending.
	EOE bool
}

// Record returns the event's first record of type t.
func (e *Event) Record(t RecordType) (*Record, bool) {
	for i := range e.Records {
		if e.Records[i].Type == t {
			return &e.Records[i], true
		}
	}
	return nil, false
}

// Value returns the value of the first field called name in the event's
// records, in order.
func (e *Event) Value(name string) (string, bool) {
	for i := range e.Records {
		if v, ok := e.Records[i].Value(name); ok {
			return v, true
		}
	}
	return "", false
}

// Key returns the key of the rule that caused the event (the key= of its
// SYSCALL record), or "" if none.
func (e *Event) Key() string {
	if r, ok := e.Record(TypeSyscall); ok {
		if v, ok := r.Value("key"); ok && v != "(null)" {
			return v
		}
	}
	return ""
}

// String formats the event's records as auditd logs them, one per line.
func (e Event) String() string {
	var b strings.Builder
	for i, r := range e.Records {
		if i > 0 {
			b.WriteByte('\n')
		}
		b.WriteString(r.String())
	}
	return b.String()
}

// LossError reports records lost before they reached the stream. It is
// yielded by Events, which goes on after it; errors.Is(err,
// netlink.ErrOverrun) is true for it.
type LossError struct {
	// Lost is how much the kernel's lost counter grew since the last
	// report: records dropped because the backlog was full (after
	// backlog_wait_time), the rate limit was passed, or memory ran out.
	Lost uint32
	// TotalLost is the kernel's lost counter now.
	TotalLost uint32
	// Overrun reports that this socket's receive buffer overflowed
	// (ENOBUFS) or the Conn's notification backlog did. For a listener
	// the records multicast meanwhile are lost. For the daemon, the
	// kernel's sender waited and gives up only on that try: it keeps the
	// record and sends it again (and counts in Lost what it drops), so
	// the lost counter is the measure of loss. SocketDrops is the
	// socket's drop count (SO_MEMINFO) then.
	Overrun     bool
	SocketDrops uint32
}

// Error says what was lost: "audit: the kernel lost 12 records (lost
// counter 40)", "audit: records dropped on the way to us (socket drops 3)".
func (e *LossError) Error() string {
	var parts []string
	if e.Lost > 0 {
		parts = append(parts, fmt.Sprintf("the kernel lost %d records (lost counter %d)", e.Lost, e.TotalLost))
	}
	if e.Overrun {
		parts = append(parts, fmt.Sprintf("records dropped on the way to us (socket drops %d)", e.SocketDrops))
	}
	return "audit: " + strings.Join(parts, "; ")
}

// Unwrap makes errors.Is(err, netlink.ErrOverrun) true.
func (e *LossError) Unwrap() error { return netlink.ErrOverrun }

// EventConfig tunes Events. A nil *EventConfig means the defaults.
type EventConfig struct {
	// Timeout delivers an event that has had no new record for this long
	// without its EOE (kernel records outside a system call: a
	// CONFIG_CHANGE, an AVC ...). Default 500ms.
	Timeout time.Duration
	// MaxPending bounds the events being reassembled; beyond it the
	// oldest is delivered as it is. Default 4096.
	MaxPending int
	// LostInterval is how often the kernel's lost counter is read
	// (AUDIT_GET, which needs CAP_AUDIT_CONTROL) to report its growth as a
	// LossError. Default 1s; negative: never.
	LostInterval time.Duration
}

// assembler groups records into events by serial.
type assembler struct {
	timeout time.Duration
	max     int
	pending map[uint64]pendingEvent // values: no allocation per event
	order   []uint64                // serials by first arrival (may hold done ones)
	out     []Event
}

type pendingEvent struct {
	ev   Event
	last time.Time
}

func newAssembler(cfg *EventConfig) *assembler {
	a := &assembler{timeout: 500 * time.Millisecond, max: 4096, pending: map[uint64]pendingEvent{}}
	if cfg != nil {
		if cfg.Timeout > 0 {
			a.timeout = cfg.Timeout
		}
		if cfg.MaxPending > 0 {
			a.max = cfg.MaxPending
		}
	}
	return a
}

// push adds a record; completed events go to a.out.
func (a *assembler) push(r Record, now time.Time) {
	if r.Type.standalone() {
		a.out = append(a.out, Event{Serial: r.Serial, Time: r.Time, Records: []Record{r}})
		return
	}
	p, ok := a.pending[r.Serial]
	if r.Type == TypeEOE {
		if ok {
			delete(a.pending, r.Serial)
			p.ev.EOE = true
			a.out = append(a.out, p.ev)
			if len(a.order) > 2*len(a.pending)+64 {
				a.compact()
			}
		}
		return
	}
	if !ok {
		if len(a.pending) >= a.max {
			a.evictOldest()
		}
		p = pendingEvent{ev: Event{Serial: r.Serial, Time: r.Time, Records: make([]Record, 0, 4)}}
		a.order = append(a.order, r.Serial)
	}
	p.ev.Records = append(p.ev.Records, r)
	p.last = now
	a.pending[r.Serial] = p
}

// compact drops the serials of delivered events from a.order.
func (a *assembler) compact() {
	keep := a.order[:0]
	for _, s := range a.order {
		if _, ok := a.pending[s]; ok {
			keep = append(keep, s)
		}
	}
	clear(a.order[len(keep):])
	a.order = keep
}

func (a *assembler) evictOldest() {
	for len(a.order) > 0 {
		s := a.order[0]
		a.order = a.order[1:]
		if p, ok := a.pending[s]; ok {
			delete(a.pending, s)
			a.out = append(a.out, p.ev)
			return
		}
	}
}

// expire delivers the events idle since before now-timeout, and returns
// when the next one would expire (zero if none pending).
func (a *assembler) expire(now time.Time) time.Time {
	var next time.Time
	keep := a.order[:0]
	for _, s := range a.order {
		p, ok := a.pending[s]
		if !ok {
			continue
		}
		if now.Sub(p.last) >= a.timeout {
			delete(a.pending, s)
			a.out = append(a.out, p.ev)
			continue
		}
		keep = append(keep, s)
		if dl := p.last.Add(a.timeout); next.IsZero() || dl.Before(next) {
			next = dl
		}
	}
	clear(a.order[len(keep):])
	a.order = keep
	return next
}

// Events streams the audit events that reach the Conn, reassembled from
// records by serial number: as the audit daemon with a Conn from
// DialDaemon (unicast), or as a listener with one from DialListener
// (multicast). It is a single-use iterator; one at a time per Conn, and
// the Conn takes no requests while it runs (ErrBusy).
//
// Loss is reported, never hidden: a *LossError (errors.Is
// netlink.ErrOverrun) is yielded when our socket overran or the kernel's
// lost counter grew, and the stream goes on. A record that does not parse
// is yielded as an error and the stream goes on. The stream ends with ctx's
// error or another error of the Conn (ErrClosed ...). Events reassembled
// but not delivered when it ends are dropped.
func (c *Conn) Events(ctx context.Context, cfg *EventConfig) iter.Seq2[Event, error] {
	return func(yield func(Event, error) bool) {
		if err := c.acquire(ctx); err != nil {
			yield(Event{}, netlink.NameOp("audit", "events", err))
			return
		}
		st := <-c.state
		st.streaming = true
		c.state <- st
		s := eventStream{c: c, a: newAssembler(cfg), interval: time.Second}
		if cfg != nil && cfg.LostInterval != 0 {
			s.interval = cfg.LostInterval
		}
		defer func() {
			st := <-c.state
			st.streaming = false
			st.dirty = st.dirty || s.polling // its answer may come yet
			c.state <- st
			c.release()
		}()
		s.run(ctx, yield)
	}
}

type eventStream struct {
	c        *Conn
	a        *assembler
	interval time.Duration // lost polls; <0 never
	nextPoll time.Time
	polling  bool // a poll is in flight
	haveLost bool
	lost     uint32
}

func (s *eventStream) poll(ctx context.Context, now time.Time) {
	if s.interval < 0 || now.Before(s.nextPoll) {
		return
	}
	s.nextPoll = now.Add(s.interval)
	if s.polling {
		return
	}
	req := netlink.Message{Header: netlink.Header{Type: netlink.MessageType(typeGet), Flags: netlink.Request, PortID: s.c.nc.PortID()}}
	if s.c.nc.Send(ctx, req) == nil {
		s.polling = true
	}
}

func (s *eventStream) run(ctx context.Context, yield func(Event, error) bool) {
	a := s.a
	flush := func() bool {
		for i := range a.out {
			if !yield(a.out[i], nil) {
				return false
			}
			a.out[i] = Event{}
		}
		a.out = a.out[:0]
		return true
	}
	s.poll(ctx, time.Now())
	for {
		now := time.Now()
		wake := a.expire(now)
		if !flush() {
			return
		}
		if s.interval > 0 && (wake.IsZero() || s.nextPoll.Before(wake)) {
			wake = s.nextPoll
		}
		rctx, cancel := ctx, context.CancelFunc(func() {})
		if !wake.IsZero() {
			rctx, cancel = context.WithDeadline(ctx, wake)
		}
		stop, err := s.receive(rctx, wake, yield)
		cancel()
		if stop {
			return
		}
		if err != nil && (ctx.Err() != nil || !errors.Is(err, context.DeadlineExceeded)) {
			if ctx.Err() != nil {
				err = ctx.Err()
			}
			yield(Event{}, netlink.NameOp("audit", "events", err))
			return
		}
		s.poll(ctx, time.Now())
	}
}

// receive reads records until wake (or an error); stop reports that the
// consumer stopped.
func (s *eventStream) receive(ctx context.Context, wake time.Time, yield func(Event, error) bool) (stop bool, err error) {
	a := s.a
	n := 0
	for m, err := range s.c.nc.Receive(ctx) {
		if err != nil {
			if errors.Is(err, netlink.ErrOverrun) {
				le := &LossError{Overrun: true}
				if d, derr := s.c.nc.KernelDrops(); derr == nil {
					le.SocketDrops = d
				}
				if !yield(Event{}, le) {
					return true, nil
				}
				continue
			}
			return false, err
		}
		t := RecordType(m.Header.Type)
		switch {
		case m.Header.Type == netlink.TypeError:
			// The answer to a lost-counter poll: an ACK, or EPERM for a
			// listener without CAP_AUDIT_CONTROL (stop polling).
			if len(m.Data) >= 4 && int32(binary.NativeEndian.Uint32(m.Data)) < 0 {
				s.interval, s.polling = -1, false
			}
			continue
		case t == typeGet:
			s.polling = false
			var st Status
			if st.UnmarshalBinary(m.Data) == nil {
				if s.haveLost && st.Lost > s.lost {
					le := &LossError{Lost: st.Lost - s.lost, TotalLost: st.Lost}
					s.lost = st.Lost
					if !yield(Event{}, le) {
						return true, nil
					}
				} else {
					s.lost, s.haveLost = st.Lost, true
				}
			}
			continue
		case t < TypeUser || (t > TypeLogin && t < TypeFirstUserMsg):
			continue // control messages are not records
		case t == TypeReplace:
			// A would-be daemon's probe of ours (its pid, binary): the
			// kernel checks we are alive; nothing to answer or report.
			continue
		}
		var r Record
		if err := r.decode(t, m.Data); err != nil {
			if !yield(Event{}, err) {
				return true, nil
			}
			continue
		}
		now := time.Now()
		a.push(r, now)
		for i := range a.out {
			if !yield(a.out[i], nil) {
				return true, nil
			}
			a.out[i] = Event{}
		}
		a.out = a.out[:0]
		// Leave to expire events or poll when it is time, even if
		// records keep coming.
		if n++; n%64 == 0 && !wake.IsZero() && !now.Before(wake) {
			return false, nil
		}
	}
	return false, ctx.Err()
}
