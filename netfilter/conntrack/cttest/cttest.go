// Package cttest is a fake conntrack table for tests without root: a
// handler on an nltest.Server that keeps flows as the kernel's
// nfnetlink_conntrack does for what package conntrack asks (create,
// update, get, dump, delete, flush, count) and multicasts the new, update
// and destroy events of every change, so that code built on
// conntrack.Conn, conntrack.Events and conntrack.Mirror runs against it.
//
// It keeps flows by original tuple and zone, gives each an id (a new one
// for each flow, unless IDSpace makes them collide as the kernel's do in
// a large table), and answers dumps with every flow of the requested family
// (the kernel's other dump filters are left to conntrack's user-side
// check, which gives the same result). It does not track traffic,
// expectations or per-CPU statistics.
package cttest

import (
	"cmp"
	"math/rand/v2"
	"slices"
	"sync"
	"syscall"

	"github.com/nlkit/nlkit/netfilter"
	"github.com/nlkit/nlkit/netfilter/conntrack"
	"github.com/nlkit/nlkit/netlink"
	"github.com/nlkit/nlkit/nlattr"
	"github.com/nlkit/nlkit/nltest"
)

// MaxEntries is the table's limit the fake reports, as nf_conntrack_max.
const MaxEntries = 262144

type key struct {
	t    conntrack.Tuple
	zone uint16
}

// Fake is the table and the Server in front of it. It is safe for
// concurrent use.
type Fake struct {
	// Server is the fake kernel side; Server.Overrun simulates a loss.
	Server *nltest.Server

	mu      sync.Mutex
	flows   map[key]conntrack.Flow
	nextID  uint32
	idSpace uint32
	ids     *rand.Rand
}

// New returns an empty table.
func New() *Fake {
	f := &Fake{flows: map[key]conntrack.Flow{}, nextID: 1}
	f.Server = nltest.NewServer(nltest.HandlerFunc(f.handle))
	return f
}

// IDSpace makes the flows created from now on take ids drawn at random
// from 1 to n, so that live flows share ids: the kernel's ids are 32-bit
// hashes, and in a table of 100,000 flows two share one more often than
// not. Code that keys flows by id alone loses some; this brings that out
// in a small table. n 0 goes back to a new id for each flow.
func (f *Fake) IDSpace(n uint32) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.idSpace = n
	if f.ids == nil {
		f.ids = rand.New(rand.NewPCG(uint64(n), 0x6e6c6b6974))
	}
}

// newIDLocked returns the id of a flow being created.
func (f *Fake) newIDLocked() uint32 {
	if f.idSpace > 0 {
		return 1 + f.ids.Uint32N(f.idSpace)
	}
	f.nextID++
	return f.nextID - 1
}

// Dial returns a netlink.Conn to the fake, for conntrack.NewConn(
// netfilter.NewConn(nl)) or conntrack.MirrorConfig.Dial.
func (f *Fake) Dial(cfg *netlink.Config) (*netlink.Conn, error) { return f.Server.Dial(cfg) }

// FlowList returns the table's flows by id (flows sharing an id by
// original tuple and zone), the order of conntrack.Mirror.FlowList.
func (f *Fake) FlowList() []conntrack.Flow {
	f.mu.Lock()
	out := make([]conntrack.Flow, 0, len(f.flows))
	for _, fl := range f.flows {
		out = append(out, fl)
	}
	f.mu.Unlock()
	slices.SortFunc(out, byID)
	return out
}

// message is a ctnetlink message of msg with flow fl as its payload.
func message(msg uint8, flags netlink.Flags, fl *conntrack.Flow) netlink.Message {
	b, _ := fl.MarshalBinary()
	return netlink.Message{Header: netlink.Header{Type: netfilter.MessageType(netfilter.SubsysCTNetlink, msg), Flags: flags}, Data: b}
}

// Message types and groups (linux/netfilter/nfnetlink_conntrack.h,
// nfnetlink.h).
const (
	msgNew, msgGet, msgDelete, msgGetStats = 0, 1, 2, 5
	groupNew, groupUpdate, groupDestroy    = 1, 2, 3
)

func (f *Fake) handle(req netlink.Message) ([]netlink.Message, error) {
	p, err := netfilter.ParseMessage(req)
	if err != nil {
		return nil, nltest.Errorf(syscall.EINVAL, "short message")
	}
	if p.Subsystem != netfilter.SubsysCTNetlink {
		return nil, nltest.Errorf(syscall.EOPNOTSUPP, "cttest fakes flows only")
	}
	var events []func()
	defer func() {
		for _, ev := range events {
			ev()
		}
	}()
	f.mu.Lock()
	defer f.mu.Unlock()
	notify := func(group uint32, m netlink.Message) {
		m.Header.PortID = req.Header.PortID
		events = append(events, func() { f.Server.Notify(group, m) })
	}
	var fl conntrack.Flow
	hasTuple := false
	if len(p.Attrs) > 0 {
		if err := fl.UnmarshalBinary(req.Data); err == nil {
			hasTuple = true
		}
	}
	switch p.Type {
	case msgGetStats:
		e := nlattr.NewEncoder(nil)
		e.Uint32BE(1, uint32(len(f.flows)))
		e.Uint32BE(2, MaxEntries)
		attrs, _ := e.Finish()
		return []netlink.Message{netfilter.NewMessage(netfilter.SubsysCTNetlink, msgGetStats, 0, netfilter.Header{}, attrs)}, nil
	case msgGet:
		if req.Header.Flags&netlink.Dump == netlink.Dump {
			var out []netlink.Message
			for _, c := range f.sortedLocked() {
				if p.Header.Family == netfilter.FamilyUnspec || c.Family == p.Header.Family {
					out = append(out, message(msgNew, netlink.Multi, &c))
				}
			}
			return out, nil
		}
		if !hasTuple {
			return nil, nltest.Errorf(syscall.EINVAL, "no tuple")
		}
		c, ok := f.lookupLocked(fl.Orig, fl.Zone)
		if !ok {
			return nil, nltest.Errorf(syscall.ENOENT, "")
		}
		return []netlink.Message{message(msgNew, 0, &c)}, nil
	case msgNew:
		if !hasTuple {
			return nil, nltest.Errorf(syscall.EINVAL, "no tuple")
		}
		k := key{fl.Orig, fl.Zone}
		c, ok := f.flows[k]
		if ok {
			if req.Header.Flags&netlink.Excl != 0 {
				return nil, nltest.Errorf(syscall.EEXIST, "")
			}
			changeFrom(&c, p.Attrs, &fl)
			f.flows[k] = c
			notify(groupUpdate, message(msgNew, 0, &c))
			return nil, nil
		}
		if req.Header.Flags&netlink.Create == 0 {
			return nil, nltest.Errorf(syscall.ENOENT, "")
		}
		if !fl.Has(conntrack.AttrTimeout) {
			return nil, nltest.Errorf(syscall.EINVAL, "no timeout")
		}
		c = conntrack.Flow{Family: fl.Orig.Family(), Orig: fl.Orig, Reply: fl.Reply, Zone: fl.Zone, Mark: fl.Mark,
			Status: fl.Status | conntrack.StatusConfirmed, Timeout: fl.Timeout, Labels: fl.Labels, TCP: fl.TCP, Helper: fl.Helper,
			ID: f.newIDLocked(), Use: 1}
		c, _ = roundTrip(c)
		f.flows[k] = c
		notify(groupNew, message(msgNew, netlink.Create|netlink.Excl, &c))
		return nil, nil
	case msgDelete:
		if !hasTuple {
			for k, c := range f.flows {
				if p.Header.Version == 0 || p.Header.Family == netfilter.FamilyUnspec || c.Family == p.Header.Family {
					delete(f.flows, k)
					notify(groupDestroy, message(msgDelete, 0, &c))
				}
			}
			return nil, nil
		}
		c, ok := f.lookupLocked(fl.Orig, fl.Zone)
		if !ok || fl.ID != 0 && fl.ID != c.ID {
			return nil, nltest.Errorf(syscall.ENOENT, "")
		}
		delete(f.flows, key{c.Orig, c.Zone})
		notify(groupDestroy, message(msgDelete, 0, &c))
		return nil, nil
	}
	return nil, nltest.Errorf(syscall.EOPNOTSUPP, "message %d", p.Type)
}

// roundTrip gives c as a dump reports it (Has set for what it carries).
func roundTrip(c conntrack.Flow) (conntrack.Flow, error) {
	b, err := c.MarshalBinary()
	if err != nil {
		return c, err
	}
	var out conntrack.Flow
	err = out.UnmarshalBinary(b)
	return out, err
}

// changeFrom applies an update request's attributes to c.
func changeFrom(c *conntrack.Flow, attrs []byte, req *conntrack.Flow) {
	mask := uint32(0xffffffff)
	d := nlattr.NewDecoder(attrs)
	for d.Next() {
		if d.Type() == conntrack.AttrMarkMask {
			mask = d.Uint32BE()
		}
	}
	if req.Has(conntrack.AttrMark) {
		c.Mark = c.Mark&^mask | req.Mark&mask
	}
	if req.Has(conntrack.AttrTimeout) {
		c.Timeout = req.Timeout
	}
	if req.Has(conntrack.AttrStatus) {
		c.Status |= req.Status
	}
	if req.Has(conntrack.AttrLabels) {
		c.Labels = req.Labels
	}
	if req.Has(conntrack.AttrProtoInfo) {
		c.TCP.State = req.TCP.State
	}
	*c, _ = roundTrip(*c)
}

// lookupLocked finds the flow whose original or reply tuple is t.
func (f *Fake) lookupLocked(t conntrack.Tuple, zone uint16) (conntrack.Flow, bool) {
	if c, ok := f.flows[key{t, zone}]; ok {
		return c, true
	}
	for _, c := range f.flows {
		if c.Reply == t && c.Zone == zone {
			return c, true
		}
	}
	return conntrack.Flow{}, false
}

func byID(a, b conntrack.Flow) int {
	return cmp.Or(cmp.Compare(a.ID, b.ID), a.Orig.Compare(b.Orig), cmp.Compare(a.Zone, b.Zone))
}

func (f *Fake) sortedLocked() []conntrack.Flow {
	out := make([]conntrack.Flow, 0, len(f.flows))
	for _, c := range f.flows {
		out = append(out, c)
	}
	slices.SortFunc(out, byID)
	return out
}
