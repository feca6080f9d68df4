package rtnltest

import (
	"bytes"
	"encoding/binary"
	"net"
	"net/netip"
	"slices"
	"syscall"

	"golang.org/x/sys/unix"

	"github.com/nlkit/nlkit/netlink"
	"github.com/nlkit/nlkit/nlattr"
	"github.com/nlkit/nlkit/rtnl"
)

// fakeNeigh is one neighbour (or proxy) entry.
type fakeNeigh struct {
	fam   uint8
	index int32
	addr  netip.Addr
	ll    net.HardwareAddr
	state uint16
	flags uint8  // NTF_* kept (router, ext_learned, ...)
	ext   uint32 // NDA_FLAGS_EXT
	proto uint8
}

// NDA_* attribute types.
const (
	ndaDst      = 1
	ndaLLAddr   = 2
	ndaCache    = 3
	ndaProbes   = 4
	ndaIfindex  = 8
	ndaMaster   = 9
	ndaProtocol = 12
	ndaFlagsExt = 15
)

func (f *Fake) encodeNeigh(n *fakeNeigh, proxy bool) []byte {
	b := make([]byte, 12, 64)
	b[0] = n.fam
	binary.NativeEndian.PutUint32(b[4:], uint32(n.index))
	binary.NativeEndian.PutUint16(b[8:], n.state)
	b[10] = n.flags
	if proxy {
		b[10] |= unix.NTF_PROXY
		b[11] = unix.RTN_UNICAST
	} else {
		b[11] = unix.RTN_UNICAST
	}
	e := nlattr.NewEncoder(b)
	e.Addr(ndaDst, n.addr)
	if !proxy {
		if len(n.ll) > 0 && n.state&(unix.NUD_PERMANENT|unix.NUD_NOARP|unix.NUD_REACHABLE|unix.NUD_STALE|unix.NUD_DELAY|unix.NUD_PROBE) != 0 {
			e.Bytes(ndaLLAddr, n.ll)
		}
		e.Uint32(ndaProbes, 0)
		e.Bytes(ndaCache, make([]byte, 16))
	}
	if n.proto != 0 {
		e.Uint8(ndaProtocol, n.proto)
	}
	if n.ext != 0 {
		e.Uint32(ndaFlagsExt, n.ext)
	}
	out, _ := e.Finish()
	return out
}

func (c *call) notifyNeigh(typ netlink.MessageType, n *fakeNeigh, proxy bool) {
	c.notify(unix.RTNLGRP_NEIGH, typ, 0, c.f.encodeNeigh(n, proxy))
}

type neighReq struct {
	fam    uint8
	index  int32
	state  uint16
	flags  uint8
	addr   netip.Addr
	ll     []byte
	hasLL  bool
	proto  uint8
	ext    uint32
	dstLen int
}

// parseNeighReq decodes a neighbour request: its values with rtnl's
// codec (rtnl.Neighbor.UnmarshalBinary), and beside it, from the wire,
// what the codec folds away and the kernel's answers depend on: the raw
// length of NDA_DST, whether NDA_LLADDR was there (even empty), and
// NDA_IFINDEX, a filter that is no part of a Neighbor.
func parseNeighReq(b []byte) (*neighReq, error) {
	if len(b) < 12 {
		return nil, errf(syscall.EINVAL, "Invalid header for neighbor message")
	}
	r := &neighReq{fam: b[0], index: int32(u32(b[4:])), state: binary.NativeEndian.Uint16(b[8:]), flags: b[10], dstLen: -1}
	d := nlattr.NewDecoder(b[12:])
	for d.Next() {
		switch d.Type() {
		case ndaDst:
			r.dstLen = d.Len()
		case ndaLLAddr:
			r.hasLL = true
		case ndaProtocol:
			d.Uint8() // checked as the kernel's policy does
		case ndaFlagsExt:
			d.Uint32()
		case ndaIfindex:
			r.index = int32(d.Uint32())
		}
	}
	if d.Err() != nil {
		return nil, errf(syscall.EINVAL, "Attribute failed policy validation")
	}
	var n rtnl.Neighbor
	if err := n.UnmarshalBinary(b); err != nil {
		if r.dstLen >= 0 {
			// An NDA_DST of the wrong length or family, which the
			// codec refuses outright: checkKey gives the kernel's
			// answer from dstLen and the absent address.
			return r, nil
		}
		return nil, errf(syscall.EINVAL, "rtnltest: %v", err)
	}
	r.addr, r.ll = n.Addr, n.LinkAddr
	r.proto, r.ext = uint8(n.Protocol), uint32(n.Flags>>8)
	return r, nil
}

// checkKey validates the family and destination of a request.
func (r *neighReq) checkKey() error {
	if r.dstLen < 0 {
		return errf(syscall.EINVAL, "Network address not specified")
	}
	want := 4
	switch r.fam {
	case unix.AF_INET:
	case unix.AF_INET6:
		want = 16
	default:
		return syscall.EAFNOSUPPORT
	}
	if r.dstLen < want {
		return errf(syscall.EINVAL, "Invalid network address")
	}
	if r.fam == unix.AF_INET6 && r.addr.Is4() || r.fam == unix.AF_INET && !r.addr.Is4() {
		return errf(syscall.EINVAL, "Invalid network address")
	}
	return nil
}

func (f *Fake) findNeigh(list []*fakeNeigh, fam uint8, index int32, a netip.Addr) *fakeNeigh {
	for _, n := range list {
		if n.fam == fam && n.index == index && n.addr == a {
			return n
		}
	}
	return nil
}

// neighChangeReq parses the request of neigh_add or neigh_delete, which
// must name an address.
func (c *call) neighChangeReq() (*neighReq, error) {
	r, err := parseNeighReq(c.req.Data)
	if err != nil {
		return nil, err
	}
	if r.dstLen < 0 {
		return nil, errf(syscall.EINVAL, "Network address not specified")
	}
	return r, nil
}

// newNeigh is neigh_add.
func (c *call) newNeigh() error {
	f := c.f
	r, err := c.neighChangeReq()
	if err != nil {
		return err
	}
	var l *fakeLink
	if r.index != 0 {
		if l = f.links[r.index]; l == nil {
			return syscall.ENODEV
		}
		if r.hasLL && len(r.ll) < len(l.hw) {
			return errf(syscall.EINVAL, "Invalid link address")
		}
	}
	if err := r.checkKey(); err != nil {
		return err
	}
	if r.flags&unix.NTF_PROXY != 0 {
		if n := f.findNeigh(f.proxies, r.fam, r.index, r.addr); n != nil {
			if r.proto != 0 {
				n.proto = r.proto
			}
			return nil // the kernel does not notify proxy entries
		}
		n := &fakeNeigh{fam: r.fam, index: r.index, addr: r.addr, proto: r.proto, flags: r.flags &^ unix.NTF_PROXY}
		f.proxies = append(f.proxies, n)
		return nil
	}
	if l == nil {
		return errf(syscall.EINVAL, "Device not specified")
	}
	n := f.findNeigh(f.neighs, r.fam, l.index, r.addr)
	if n == nil {
		if !c.has(netlink.Create) {
			return syscall.ENOENT
		}
	} else if c.has(netlink.Excl) {
		return syscall.EEXIST
	}
	const valid = unix.NUD_PERMANENT | unix.NUD_NOARP | unix.NUD_REACHABLE | unix.NUD_STALE | unix.NUD_DELAY | unix.NUD_PROBE
	ll := r.ll
	if r.state&valid != 0 && len(ll) == 0 {
		if n == nil || len(n.ll) == 0 {
			if n == nil {
				// The kernel made the entry before failing: it
				// stays, unresolved, until garbage-collected.
				n = &fakeNeigh{fam: r.fam, index: l.index, addr: r.addr}
				f.neighs = append(f.neighs, n)
			}
			return errf(syscall.EINVAL, "No link layer address given")
		}
		ll = n.ll
	}
	if n != nil && !c.has(netlink.Replace) && n.state&unix.NUD_PERMANENT != 0 && r.state&unix.NUD_PERMANENT == 0 {
		// Without NLM_F_REPLACE a permanent entry is not overridden.
		return nil
	}
	created := n == nil
	if created {
		n = &fakeNeigh{fam: r.fam, index: l.index, addr: r.addr}
	}
	n.state = r.state
	if len(ll) > 0 {
		n.ll = bytes.Clone(ll[:len(l.hw)])
	}
	n.flags = r.flags & (unix.NTF_ROUTER | unix.NTF_EXT_LEARNED)
	n.ext = r.ext
	if r.proto != 0 {
		n.proto = r.proto
	}
	if created {
		f.neighs = append(f.neighs, n)
	}
	c.notifyNeigh(unix.RTM_NEWNEIGH, n, false)
	return nil
}

// delNeigh is neigh_delete.
func (c *call) delNeigh() error {
	f := c.f
	r, err := c.neighChangeReq()
	if err != nil {
		return err
	}
	if r.index != 0 && f.links[r.index] == nil {
		return syscall.ENODEV
	}
	if err := r.checkKey(); err != nil {
		return err
	}
	if r.flags&unix.NTF_PROXY != 0 {
		n := f.findNeigh(f.proxies, r.fam, r.index, r.addr)
		if n == nil {
			return syscall.ENOENT
		}
		f.proxies = slices.DeleteFunc(f.proxies, func(x *fakeNeigh) bool { return x == n })
		return nil
	}
	if r.index == 0 {
		return errf(syscall.EINVAL, "Device not specified")
	}
	n := f.findNeigh(f.neighs, r.fam, r.index, r.addr)
	if n == nil {
		return syscall.ENOENT
	}
	f.neighs = slices.DeleteFunc(f.neighs, func(x *fakeNeigh) bool { return x == n })
	// neigh_delete moves the entry to FAILED (announced), then removes it.
	n.state = unix.NUD_FAILED
	c.notifyNeigh(unix.RTM_NEWNEIGH, n, false)
	c.notifyNeigh(unix.RTM_DELNEIGH, n, false)
	return nil
}

// flushNeighs drops the entries of a link going down or away (proxy
// entries only when it goes away).
func (c *call) flushNeighs(l *fakeLink, unregister bool) {
	f := c.f
	for _, n := range slices.Clone(f.neighs) {
		if n.index == l.index {
			f.neighs = slices.DeleteFunc(f.neighs, func(x *fakeNeigh) bool { return x == n })
			c.notifyNeigh(unix.RTM_DELNEIGH, n, false)
		}
	}
	if unregister {
		for _, n := range slices.Clone(f.proxies) {
			if n.index == l.index {
				f.proxies = slices.DeleteFunc(f.proxies, func(x *fakeNeigh) bool { return x == n })
			}
		}
	}
}

// getNeigh is neigh_get.
func (c *call) getNeigh() ([]netlink.Message, error) {
	f := c.f
	r, err := parseNeighReq(c.req.Data)
	if err != nil {
		return nil, err
	}
	if r.index != 0 && f.links[r.index] == nil {
		return nil, syscall.ENODEV
	}
	if err := r.checkKey(); err != nil {
		return nil, err
	}
	proxy := r.flags&unix.NTF_PROXY != 0
	list := f.neighs
	if proxy {
		list = f.proxies
	} else if r.index == 0 {
		return nil, errf(syscall.EINVAL, "No device specified")
	}
	n := f.findNeigh(list, r.fam, r.index, r.addr)
	if n == nil {
		return nil, errf(syscall.ENOENT, "Neighbour entry not found")
	}
	return []netlink.Message{{Header: netlink.Header{Type: unix.RTM_NEWNEIGH}, Data: f.encodeNeigh(n, proxy)}}, nil
}

// dumpNeighs answers an RTM_GETNEIGH dump with the strict filters.
func (c *call) dumpNeighs() ([]netlink.Message, error) {
	f := c.f
	b := c.req.Data
	if len(b) < 12 {
		return nil, errf(syscall.EINVAL, "Invalid header for neighbor dump request")
	}
	fam := b[0]
	if b[1] != 0 || b[2] != 0 || b[3] != 0 || u32(b[4:]) != 0 || binary.NativeEndian.Uint16(b[8:]) != 0 || b[11] != 0 {
		return nil, errf(syscall.EINVAL, "Invalid values in header for neighbor dump request")
	}
	if b[10]&^unix.NTF_PROXY != 0 {
		return nil, errf(syscall.EINVAL, "Invalid flags in header for neighbor dump request")
	}
	proxy := b[10]&unix.NTF_PROXY != 0
	var index, master int32
	d := nlattr.NewDecoder(b[12:])
	for d.Next() {
		switch d.Type() {
		case ndaIfindex:
			index = int32(d.Uint32())
			if f.links[index] == nil {
				return nil, syscall.ENODEV
			}
		case ndaMaster:
			master = int32(d.Uint32()) // -1: links without a master, as the kernel's neigh_master_filtered
			if master != -1 && f.links[master] == nil {
				return nil, syscall.ENODEV
			}
		default:
			return nil, errf(syscall.EINVAL, "Unsupported attribute in neighbor dump request")
		}
	}
	list := f.neighs
	if proxy {
		list = f.proxies
	}
	var out []netlink.Message
	for _, fm := range []uint8{unix.AF_INET, unix.AF_INET6} {
		if fam != 0 && fam != fm {
			continue
		}
		for _, n := range list {
			if n.fam != fm || index != 0 && n.index != index {
				continue
			}
			if master != 0 {
				l := f.links[n.index]
				if l == nil || master == -1 && l.master != 0 || master != -1 && l.master != master {
					continue
				}
			}
			out = append(out, netlink.Message{Header: netlink.Header{Type: unix.RTM_NEWNEIGH}, Data: f.encodeNeigh(n, proxy)})
		}
	}
	if index != 0 || master != 0 {
		out = withFlags(out, netlink.DumpFiltered)
	}
	return out, nil
}
