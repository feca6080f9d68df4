package rtnltest

import (
	"encoding/binary"
	"fmt"
	"sync"
	"syscall"

	"golang.org/x/sys/unix"

	"github.com/nlkit/nlkit/netlink"
	"github.com/nlkit/nlkit/nltest"
	"github.com/nlkit/nlkit/rtnl"
)

// Fake is a stateful fake of route netlink (NETLINK_ROUTE): one
// network namespace's links, addresses, routes, neighbours and policy
// rules, changed and listed through the same messages as the kernel's, with
// the kernel's answers to the same mistakes (EEXIST, ENOENT, ESRCH, ENODEV,
// EINVAL, ENETUNREACH, EADDRNOTAVAIL, ... with extended-ACK messages).
// Changes are multicast to the Conns that joined the matching RTNLGRP_*
// groups, as the kernel's notifications.
//
// A new Fake looks like a fresh network namespace: the loopback link
// "lo" at index 1, down, and the default policy rules. Bring lo up (as
// internal/kerneltest does for real namespaces) to get 127.0.0.1/8 and ::1
// with their routes.
//
// Connect with Dial, or wrap it for package rtnl:
//
//	fake := rtnltest.NewFake()
//	nl, _ := fake.Dial(nil)
//	c := rtnl.NewConn(nl)
//
// What it models, kernel side effects included: link kinds veth (both
// ends, carrier when both are up), bridge (ports, carrier, MTU following
// the ports), ifb, macvlan/macvtap and vxlan; up/down, rename, MTU,
// master/nomaster, delete (cascading to a veth peer, to macvlans on a
// lower device, to addresses, routes and neighbours); IPv4 addresses with
// their local, prefix and broadcast routes, secondaries (deleted with
// their primary: promote_secondaries is off in a new namespace), the
// routes that go with an address (its preferred source, or all of a link
// once it has no IPv4 address left); IPv6 addresses with their local and
// prefix routes, removed when the link goes down or its MTU below 1280;
// IPv4 and IPv6 routes in any table (ids above 255 too) with the kernel's
// create/replace/append/exclusive rules, gateway validation, multipath
// (IPv6 siblings merged as the kernel dumps them), source-specific IPv6
// routes and metrics, flushed with their link; route lookups
// (RTM_GETROUTE, output only) through the policy rules; neighbours (and
// the proxy table); rules with the kernel's default priorities. Dumps
// honour the strict-checking filters and come in the kernel's order
// (except neighbours, which the kernel hashes). Notifications are those
// the kernel sends, including its silences (IPv4 routes flushed with a
// link, proxy entries).
//
// What it does not model: IPv6 autoconfiguration (link-local addresses,
// fe80::/64 and ff00::/8 routes) and DAD timing (an IPv6 address without
// nodad is tentative until its link runs, then usable at once), neighbour
// resolution, timers and the kernel's own entries, the bridge forwarding
// database (AF_BRIDGE neighbours) and VLANs, statistics, other namespaces
// (IFLA_NET_NS_FD makes the link vanish from this one), nexthop objects,
// the route cache and input lookups (RTA_IIF), multicast routing, VRFs,
// rule goto resolution, and kinds other than those above (EOPNOTSUPP, as
// a kernel without the module).
//
// A Fake is safe for concurrent use.
type Fake struct {
	mu  sync.Mutex
	srv *nltest.Server

	links     map[int32]*fakeLink
	nextIndex int32
	addrs     []*fakeAddr // in the kernel's list order per link and family
	routes    []*fakeRoute
	tables    map[tableKey]bool // tables that exist (created by a route)
	neighs    []*fakeNeigh
	proxies   []*fakeNeigh
	rules     []*fakeRule // per family, ordered by priority
	macSeq    uint32
	// customRules4: IPv4 rules were added, so the kernel no longer keeps
	// the local table merged into main (fib_unmerge).
	customRules4 bool
}

var _ rtnl.Dialer = (*Fake)(nil)

type tableKey struct {
	fam   uint8
	table uint32
}

// NewFake returns a fake in the state of a fresh network namespace.
func NewFake() *Fake {
	f := &Fake{
		links:     map[int32]*fakeLink{},
		nextIndex: 1,
		tables:    map[tableKey]bool{},
	}
	f.srv = nltest.NewServer(f)
	lo := &fakeLink{
		name: "lo", typ: unix.ARPHRD_LOOPBACK, flags: unix.IFF_LOOPBACK,
		mtu: 65536, txqlen: 1000, hw: make([]byte, 6), brd: make([]byte, 6),
	}
	f.addLinkLocked(lo)
	for _, k := range []tableKey{{unix.AF_INET, unix.RT_TABLE_LOCAL}, {unix.AF_INET, unix.RT_TABLE_MAIN},
		{unix.AF_INET6, unix.RT_TABLE_LOCAL}, {unix.AF_INET6, unix.RT_TABLE_MAIN}} {
		f.tables[k] = true
	}
	f.rules = defaultRules()
	return f
}

// Server returns the Server the fake answers on; its Conns see the fake's
// notifications.
func (f *Fake) Server() *nltest.Server { return f.srv }

// Dial returns a new Conn to the fake (see Server.Dial). Wrap it with
// rtnl.NewConn for the typed API; cfg.Groups subscribes to notifications.
// It makes the Fake an rtnl.Dialer: MirrorConfig.Dialer and
// ResolverConfig.Dialer take it as where their sockets come from.
func (f *Fake) Dial(cfg *netlink.Config) (*netlink.Conn, error) { return f.srv.Dial(cfg) }

// Handle implements nltest.Handler: it answers one route-netlink
// request. Plugged into a Server other than f.Server(), it still answers,
// but its notifications go to f.Server()'s Conns.
func (f *Fake) Handle(req netlink.Message) ([]netlink.Message, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	(&call{f: f}).expireAddrs() // the kernel's own changes come from port 0
	c := &call{f: f, req: req, port: req.Header.PortID}
	dump := req.Header.Flags&netlink.Dump == netlink.Dump
	switch req.Header.Type {
	case unix.RTM_NEWLINK:
		return nil, c.newLink()
	case unix.RTM_SETLINK:
		return nil, c.setLinkReq()
	case unix.RTM_DELLINK:
		return nil, c.delLink()
	case unix.RTM_GETLINK:
		if dump {
			return c.dumpLinks()
		}
		return c.getLink()
	case unix.RTM_NEWADDR:
		return nil, c.newAddr()
	case unix.RTM_DELADDR:
		return nil, c.delAddr()
	case unix.RTM_GETADDR:
		if dump {
			return c.dumpAddrs()
		}
		return nil, nltest.Errorf(syscall.EOPNOTSUPP, "rtnltest: RTM_GETADDR without NLM_F_DUMP is not modelled")
	case unix.RTM_NEWROUTE:
		return nil, c.newRoute()
	case unix.RTM_DELROUTE:
		return nil, c.delRoute()
	case unix.RTM_GETROUTE:
		if dump {
			return c.dumpRoutes()
		}
		return c.getRoute()
	case unix.RTM_NEWNEIGH:
		return nil, c.newNeigh()
	case unix.RTM_DELNEIGH:
		return nil, c.delNeigh()
	case unix.RTM_GETNEIGH:
		if dump {
			return c.dumpNeighs()
		}
		return c.getNeigh()
	case unix.RTM_NEWRULE:
		return nil, c.newRule()
	case unix.RTM_DELRULE:
		return nil, c.delRule()
	case unix.RTM_GETRULE:
		if dump {
			return c.dumpRules()
		}
		return nil, syscall.EOPNOTSUPP
	}
	return nil, syscall.EOPNOTSUPP
}

// call is one request being handled, with the notifications it causes.
type call struct {
	f    *Fake
	req  netlink.Message
	port uint32
}

// notify multicasts one change to group, as the kernel does for changes
// requested by port (0 for the kernel's own).
func (c *call) notify(group uint32, typ netlink.MessageType, flags netlink.Flags, body []byte) {
	if c.f.srv == nil {
		return
	}
	port := c.port
	_ = c.f.srv.Notify(group, netlink.Message{Header: netlink.Header{Type: typ, Flags: flags, PortID: port}, Data: body})
}

// errf is an error with an extended-ACK message.
func errf(errno syscall.Errno, format string, args ...any) error {
	return &netlink.Error{Errno: errno, Message: fmt.Sprintf(format, args...), Offset: -1, MissingNest: -1}
}

// has reports whether the request has one of the NLM_F_* flags fl.
func (c *call) has(fl netlink.Flags) bool { return c.req.Header.Flags&fl != 0 }

func u32(b []byte) uint32 { return binary.NativeEndian.Uint32(b) }

// withFlags marks replies, those of a filtered dump with
// NLM_F_DUMP_FILTERED for instance.
func withFlags(msgs []netlink.Message, fl netlink.Flags) []netlink.Message {
	for i := range msgs {
		msgs[i].Header.Flags |= fl
	}
	return msgs
}
