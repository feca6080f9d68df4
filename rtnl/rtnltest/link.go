package rtnltest

import (
	"bytes"
	"cmp"
	"encoding/binary"
	"fmt"
	"maps"
	"net"
	"slices"
	"strings"
	"syscall"

	"golang.org/x/sys/unix"

	"github.com/nlkit/nlkit/netlink"
	"github.com/nlkit/nlkit/nlattr"
)

// fakeLink is one network interface.
type fakeLink struct {
	index       int32
	name        string
	kind        string // IFLA_INFO_KIND; "" for lo
	typ         uint16 // ARPHRD_*
	flags       uint32 // IFF_* as set (UP, BROADCAST, ...); RUNNING and LOWER_UP are computed
	mtu         uint32
	minMTU      uint32
	maxMTU      uint32
	mtuByUser   bool // bridge: the MTU no longer follows the ports
	hw, brd     net.HardwareAddr
	master      int32
	parent      int32 // IFLA_LINK: veth peer, macvlan lower device
	txqlen      uint32
	group       uint32
	alias       string
	infoData    []byte // IFLA_INFO_DATA reported (macvlan mode, vxlan id, ...)
	promiscuity uint32
	hadPorts    bool // bridge: carrier follows the ports once it had one
}

// Operational states (IF_OPER_*, linux/if.h) and the macvlan default mode.
const (
	operUnknown        = 0
	operDown           = 2
	operLowerLayerDown = 3
	operUp             = 6
	macvlanModeVEPA    = 2
)

func (l *fakeLink) up() bool { return l.flags&unix.IFF_UP != 0 }

// addLinkLocked gives l the next free index and stores it.
func (f *Fake) addLinkLocked(l *fakeLink) {
	for f.links[f.nextIndex] != nil {
		f.nextIndex++
	}
	l.index = f.nextIndex
	f.nextIndex++
	f.links[l.index] = l
}

func (f *Fake) linkByName(name string) *fakeLink {
	for _, l := range f.links {
		if l.name == name {
			return l
		}
	}
	return nil
}

// sortedLinks returns the links by index.
func (f *Fake) sortedLinks() []*fakeLink {
	return slices.SortedFunc(maps.Values(f.links), func(a, b *fakeLink) int { return cmp.Compare(a.index, b.index) })
}

// carrier reports whether the link has carrier (netif_carrier_ok), as the
// kinds manage it: a veth when both ends are up, a bridge when a port is up
// with carrier, a macvlan as its lower device; others always.
func (f *Fake) carrier(l *fakeLink) bool {
	return f.carrierDepth(l, 0)
}

func (f *Fake) carrierDepth(l *fakeLink, depth int) bool {
	if depth > 8 {
		return false
	}
	switch l.kind {
	case "veth":
		p := f.links[l.parent]
		return l.up() && p != nil && p.up()
	case "bridge":
		// A bridge that never had a port keeps its carrier on.
		if !l.hadPorts {
			return true
		}
		for _, p := range f.links {
			if p.master == l.index && p.up() && f.carrierDepth(p, depth+1) {
				return true
			}
		}
		return false
	case "macvlan", "macvtap":
		p := f.links[l.parent]
		return p != nil && p.up() && f.carrierDepth(p, depth+1)
	}
	return true
}

// running reports whether the link is up and has carrier (what the
// kernel's nexthop code calls a live link).
func (f *Fake) running(l *fakeLink) bool { return l.up() && f.carrier(l) }

// reportedFlags returns ifi_flags as the kernel reports them.
func (f *Fake) reportedFlags(l *fakeLink) uint32 {
	fl := l.flags &^ (unix.IFF_RUNNING | unix.IFF_LOWER_UP)
	if l.up() && f.carrier(l) {
		fl |= unix.IFF_RUNNING | unix.IFF_LOWER_UP
	}
	return fl
}

func (f *Fake) operState(l *fakeLink) uint8 {
	switch {
	case !l.up():
		return operDown
	case l.kind == "" || l.kind == "ifb" || l.kind == "bridge" && !l.hadPorts:
		return operUnknown
	case f.carrier(l):
		return operUp
	case l.kind == "macvlan" || l.kind == "macvtap":
		return operLowerLayerDown
	}
	return operDown
}

// encodeLink is the body of an RTM_NEWLINK (or DELLINK) message for l.
func (f *Fake) encodeLink(l *fakeLink) []byte {
	b := make([]byte, 16, 256)
	binary.NativeEndian.PutUint16(b[2:], l.typ)
	binary.NativeEndian.PutUint32(b[4:], uint32(l.index))
	binary.NativeEndian.PutUint32(b[8:], f.reportedFlags(l))
	e := nlattr.NewEncoder(b)
	e.String(unix.IFLA_IFNAME, l.name)
	e.Uint32(unix.IFLA_TXQLEN, l.txqlen)
	e.Uint8(unix.IFLA_OPERSTATE, f.operState(l))
	e.Uint8(unix.IFLA_LINKMODE, 0)
	e.Uint32(unix.IFLA_MTU, l.mtu)
	e.Uint32(unix.IFLA_MIN_MTU, l.minMTU)
	e.Uint32(unix.IFLA_MAX_MTU, l.maxMTU)
	e.Uint32(unix.IFLA_GROUP, l.group)
	e.Uint32(unix.IFLA_PROMISCUITY, l.promiscuity)
	if l.parent != 0 {
		e.Uint32(unix.IFLA_LINK, uint32(l.parent))
	}
	if l.master != 0 {
		e.Uint32(unix.IFLA_MASTER, uint32(l.master))
	}
	carrier := uint8(0)
	if f.carrier(l) {
		carrier = 1
	}
	e.Uint8(unix.IFLA_CARRIER, carrier)
	if l.alias != "" {
		e.String(unix.IFLA_IFALIAS, l.alias)
	}
	if len(l.hw) > 0 {
		e.Bytes(unix.IFLA_ADDRESS, l.hw)
		e.Bytes(unix.IFLA_BROADCAST, l.brd)
	}
	var port *fakeLink
	if l.master != 0 {
		port = f.links[l.master]
	}
	if l.kind != "" || port != nil {
		e.Nest(unix.IFLA_LINKINFO)
		if l.kind != "" {
			e.String(unix.IFLA_INFO_KIND, l.kind)
			if len(l.infoData) > 0 {
				e.Bytes(unix.IFLA_INFO_DATA|nlattr.Nested, l.infoData)
			}
		}
		if port != nil && port.kind != "" {
			e.String(unix.IFLA_INFO_SLAVE_KIND, port.kind)
		}
		e.End()
	}
	out, _ := e.Finish()
	return out
}

func (c *call) notifyLink(typ netlink.MessageType, l *fakeLink) {
	c.notify(unix.RTNLGRP_LINK, typ, 0, c.f.encodeLink(l))
}

// linkReq is a decoded RTM_NEWLINK/SETLINK/DELLINK/GETLINK request.
type linkReq struct {
	index         int32
	flags, change uint32
	attrs         map[uint16][]byte
	kind          string
	data          []byte // IFLA_INFO_DATA payload
	hasData       bool
}

func (r *linkReq) str(t uint16) (string, bool) {
	p, ok := r.attrs[t]
	if !ok {
		return "", false
	}
	if i := bytes.IndexByte(p, 0); i >= 0 {
		p = p[:i]
	}
	return string(p), true
}

func (r *linkReq) u32(t uint16) (uint32, bool, error) {
	p, ok := r.attrs[t]
	if !ok {
		return 0, false, nil
	}
	if len(p) < 4 {
		return 0, true, errf(syscall.EINVAL, "Attribute failed policy validation")
	}
	return u32(p), true, nil
}

// parseLinkReq decodes struct ifinfomsg and its attributes.
func parseLinkReq(b []byte) (*linkReq, error) {
	if len(b) < 16 {
		return nil, errf(syscall.EINVAL, "Invalid header for link request")
	}
	r := &linkReq{
		index:  int32(u32(b[4:])),
		flags:  u32(b[8:]),
		change: u32(b[12:]),
		attrs:  map[uint16][]byte{},
	}
	d := nlattr.NewDecoder(b[16:])
	for d.Next() {
		r.attrs[d.Type()] = d.Bytes()
		if d.Type() == unix.IFLA_LINKINFO {
			li := d.Nested()
			for li.Next() {
				switch li.Type() {
				case unix.IFLA_INFO_KIND:
					r.kind = li.String()
				case unix.IFLA_INFO_DATA:
					r.data, r.hasData = li.Bytes(), true
				}
			}
		}
	}
	if err := d.Err(); err != nil {
		return nil, errf(syscall.EINVAL, "rtnltest: malformed attributes: %v", err)
	}
	if n, ok := r.str(unix.IFLA_IFNAME); ok && len(n) >= unix.IFNAMSIZ {
		return nil, errf(syscall.ERANGE, "Attribute failed policy validation")
	}
	return r, nil
}

// find returns the link the request names: by index, else by
// IFLA_IFNAME (or IFLA_ALT_IFNAME).
func (f *Fake) find(r *linkReq) *fakeLink {
	if r.index != 0 {
		return f.links[r.index]
	}
	if n, ok := r.str(unix.IFLA_IFNAME); ok {
		return f.linkByName(n)
	}
	return nil
}

// validName checks a name as dev_valid_name does.
func validName(n string) bool {
	if n == "" || len(n) >= unix.IFNAMSIZ || n == "." || n == ".." {
		return false
	}
	return !strings.ContainsAny(n, "/: \t\n\r\v\f")
}

// allocName turns a name with %d into the first free one.
func (f *Fake) allocName(n string, taken ...string) (string, error) {
	if !strings.Contains(n, "%") {
		if !validName(n) {
			return "", errf(syscall.EINVAL, "Invalid device name")
		}
		if f.linkByName(n) != nil || slices.Contains(taken, n) {
			return "", syscall.EEXIST
		}
		return n, nil
	}
	if strings.Count(n, "%") != 1 || !strings.Contains(n, "%d") {
		return "", syscall.EINVAL
	}
	for i := 0; i < 32768; i++ {
		cand := strings.Replace(n, "%d", fmt.Sprint(i), 1)
		if f.linkByName(cand) == nil && !slices.Contains(taken, cand) {
			if !validName(cand) {
				return "", syscall.EINVAL
			}
			return cand, nil
		}
	}
	return "", syscall.ENFILE
}

// newMAC returns a locally administered unicast address.
func (f *Fake) newMAC() net.HardwareAddr {
	f.macSeq++
	s := f.macSeq
	return net.HardwareAddr{0x02, 0x6e, 0x6c, byte(s >> 16), byte(s >> 8), byte(s)}
}

func broadcastMAC() net.HardwareAddr { return net.HardwareAddr{0xff, 0xff, 0xff, 0xff, 0xff, 0xff} }

// newEther returns a link of an Ethernet-like kind with its defaults.
func (f *Fake) newEther(kind string) *fakeLink {
	l := &fakeLink{kind: kind, typ: unix.ARPHRD_ETHER, flags: unix.IFF_BROADCAST | unix.IFF_MULTICAST,
		mtu: 1500, minMTU: 68, maxMTU: 65535, txqlen: 1000, hw: f.newMAC(), brd: broadcastMAC()}
	switch kind {
	case "ifb":
		l.flags = unix.IFF_BROADCAST | unix.IFF_NOARP
		l.minMTU, l.maxMTU, l.txqlen = 0, 0, 32
	case "vxlan":
		l.maxMTU = 65485 // 1500 without a lower device
	}
	return l
}

// newLink handles RTM_NEWLINK.
func (c *call) newLink() error {
	f := c.f
	r, err := parseLinkReq(c.req.Data)
	if err != nil {
		return err
	}
	if l := f.find(r); l != nil {
		if c.has(netlink.Excl) {
			return syscall.EEXIST
		}
		if c.has(netlink.Replace) {
			return syscall.EOPNOTSUPP
		}
		return c.setLink(l, r)
	}
	if !c.has(netlink.Create) {
		return syscall.ENODEV
	}
	if r.index != 0 {
		if _, ok := r.attrs[unix.IFLA_IFNAME]; !ok {
			return syscall.ENODEV
		}
	}
	var l *fakeLink
	switch r.kind {
	case "":
		return errf(syscall.EOPNOTSUPP, "Unknown device type")
	case "veth", "bridge", "ifb", "macvlan", "macvtap", "vxlan":
		l = f.newEther(r.kind)
	default:
		if _, ok := tunnelType(r.kind); !ok {
			return errf(syscall.EOPNOTSUPP, "Unknown device type")
		}
		l = f.newTunnel(r.kind, r.data)
	}
	name, hasName := r.str(unix.IFLA_IFNAME)
	if !hasName || name == "" {
		name = r.kind + "%d"
	}
	var peer *fakeLink
	var lower *fakeLink
	switch r.kind {
	case "veth":
		peer = f.newEther("veth")
		if err := c.vethPeer(r, peer); err != nil {
			return err
		}
	case "macvlan", "macvtap":
		idx, ok, err := r.u32(unix.IFLA_LINK)
		if err != nil {
			return err
		}
		if !ok {
			return syscall.EINVAL
		}
		if lower = f.links[int32(idx)]; lower == nil {
			return syscall.ENODEV
		}
		if lower.typ != unix.ARPHRD_ETHER {
			return syscall.EINVAL
		}
		l.mtu, l.maxMTU = lower.mtu, lower.maxMTU
		mode := uint32(macvlanModeVEPA)
		if r.hasData {
			d := nlattr.NewDecoder(r.data)
			for d.Next() {
				if d.Type() == unix.IFLA_MACVLAN_MODE {
					mode = d.Uint32()
				}
			}
		}
		e := nlattr.NewEncoder(nil)
		e.Uint32(unix.IFLA_MACVLAN_MODE, mode)
		e.Uint16(unix.IFLA_MACVLAN_FLAGS, 0)
		l.infoData, _ = e.Finish()
	case "vxlan":
		// vxlan_validate: the kind's data is required, a VNI is not
		// (0 by default).
		if !r.hasData {
			return errf(syscall.EINVAL, "Required attributes not provided to perform the operation")
		}
		var vni uint32
		d := nlattr.NewDecoder(r.data)
		for d.Next() {
			if d.Type() == unix.IFLA_VXLAN_ID {
				vni = d.Uint32()
			}
		}
		e := nlattr.NewEncoder(nil)
		e.Uint32(unix.IFLA_VXLAN_ID, vni)
		l.infoData, _ = e.Finish()
	}
	// Attributes common to all kinds (rtnl_create_link).
	if err := c.linkCommon(l, r); err != nil {
		return err
	}
	if lower != nil && l.mtu > lower.mtu {
		return syscall.EINVAL
	}
	var taken []string
	if peer != nil {
		pn := peer.name
		if pn == "" {
			pn = "veth%d"
		}
		if peer.name, err = f.allocName(pn); err != nil {
			return err
		}
		taken = append(taken, peer.name)
	}
	if l.name, err = f.allocName(name, taken...); err != nil {
		return err
	}
	var master uint32
	var hasMaster bool
	if master, hasMaster, err = r.u32(unix.IFLA_MASTER); err != nil {
		return err
	}
	if peer != nil {
		// The kernel registers the peer first: it gets the lower index.
		f.addLinkLocked(peer)
		f.addLinkLocked(l)
		peer.parent, l.parent = l.index, peer.index
		c.notifyLink(unix.RTM_NEWLINK, peer)
	} else {
		f.addLinkLocked(l)
		if lower != nil {
			l.parent = lower.index
		}
	}
	c.notifyLink(unix.RTM_NEWLINK, l)
	// rtnl_configure_link, then do_set_master: a failure unregisters
	// the new link.
	if r.flags != 0 || r.change != 0 {
		if err := c.changeFlags(l, combineFlags(l, r)); err != nil {
			c.removeLink(l, false)
			return err
		}
	}
	if hasMaster {
		if err := c.setMaster(l, int32(master)); err != nil {
			c.removeLink(l, false)
			return err
		}
	}
	return nil
}

// vethPeer reads VETH_INFO_PEER into peer.
func (c *call) vethPeer(r *linkReq, peer *fakeLink) error {
	if !r.hasData {
		return nil
	}
	d := nlattr.NewDecoder(r.data)
	for d.Next() {
		if d.Type() != 1 { // VETH_INFO_PEER
			continue
		}
		pr, err := parseLinkReq(d.Bytes())
		if err != nil {
			return err
		}
		if n, ok := pr.str(unix.IFLA_IFNAME); ok {
			peer.name = n
		}
		if _, ok := pr.attrs[unix.IFLA_NET_NS_FD]; ok {
			return errf(syscall.EOPNOTSUPP, "rtnltest: a veth peer in another namespace is not modelled")
		}
		if _, ok := pr.attrs[unix.IFLA_NET_NS_PID]; ok {
			return errf(syscall.EOPNOTSUPP, "rtnltest: a veth peer in another namespace is not modelled")
		}
		if err := c.linkCommon(peer, pr); err != nil {
			return err
		}
		// rtnl_configure_link of the peer, before its other end exists:
		// opening it fails (veth_open), other flags are set.
		fl := combineFlags(peer, pr)
		if fl&unix.IFF_UP != 0 {
			return syscall.ENOTCONN
		}
		const settable = unix.IFF_DEBUG | unix.IFF_NOTRAILERS | unix.IFF_NOARP | unix.IFF_DYNAMIC |
			unix.IFF_MULTICAST | unix.IFF_PORTSEL | unix.IFF_AUTOMEDIA | unix.IFF_PROMISC | unix.IFF_ALLMULTI
		peer.flags = peer.flags&^settable | fl&settable
	}
	return nil
}

// linkCommon applies the creation attributes every kind takes.
func (c *call) linkCommon(l *fakeLink, r *linkReq) error {
	if v, ok, err := r.u32(unix.IFLA_MTU); err != nil {
		return err
	} else if ok {
		if err := validMTU(l, v); err != nil {
			return err
		}
		l.mtu = v
		l.mtuByUser = true
	}
	if p, ok := r.attrs[unix.IFLA_ADDRESS]; ok {
		if len(p) != len(l.hw) {
			return syscall.EINVAL
		}
		if p[0]&1 != 0 || bytes.Equal(p, make([]byte, len(p))) {
			return syscall.EADDRNOTAVAIL
		}
		l.hw = bytes.Clone(p)
	}
	if p, ok := r.attrs[unix.IFLA_BROADCAST]; ok && len(p) == len(l.brd) {
		l.brd = bytes.Clone(p)
	}
	if v, ok, err := r.u32(unix.IFLA_TXQLEN); err != nil {
		return err
	} else if ok {
		l.txqlen = v
	}
	if v, ok, err := r.u32(unix.IFLA_GROUP); err != nil {
		return err
	} else if ok {
		l.group = v
	}
	return nil
}

func validMTU(l *fakeLink, v uint32) error {
	if v < l.minMTU {
		return errf(syscall.EINVAL, "mtu less than device minimum")
	}
	if l.maxMTU > 0 && v > l.maxMTU {
		return errf(syscall.EINVAL, "mtu greater than device maximum")
	}
	return nil
}

// combineFlags is rtnl_dev_combine_flags: ifi_change selects the bits of
// ifi_flags to apply (0 meaning all of them).
func combineFlags(l *fakeLink, r *linkReq) uint32 {
	fl := r.flags
	if r.change != 0 {
		fl = (fl & r.change) | (l.flags &^ r.change)
	}
	return fl
}

// setLinkReq handles RTM_SETLINK.
func (c *call) setLinkReq() error {
	l, r, err := c.requestedLink()
	if err != nil {
		return err
	}
	return c.setLink(l, r)
}

// requestedLink parses a request for an existing link and finds the link
// (ENODEV if there is none).
func (c *call) requestedLink() (*fakeLink, *linkReq, error) {
	r, err := parseLinkReq(c.req.Data)
	if err != nil {
		return nil, nil, err
	}
	l := c.f.find(r)
	if l == nil {
		return nil, nil, syscall.ENODEV
	}
	return l, r, nil
}

// setLink applies a change as do_setlink does, in its order, stopping at
// the first error with the earlier changes made.
func (c *call) setLink(l *fakeLink, r *linkReq) error {
	f := c.f
	changed := false
	defer func() {
		if changed && f.links[l.index] == l {
			c.notifyLink(unix.RTM_NEWLINK, l)
		}
	}()
	if ch, err := changeTunnel(l, r); err != nil {
		return err
	} else if ch {
		changed = true
	}
	_, hasFD := r.attrs[unix.IFLA_NET_NS_FD]
	_, hasPID := r.attrs[unix.IFLA_NET_NS_PID]
	if hasFD || hasPID {
		if l.kind == "" {
			return errf(syscall.EINVAL, "The link can not be moved to another network namespace")
		}
		// The fake has one namespace: the link leaves it.
		c.removeLink(l, true)
		return nil
	}
	if p, ok := r.attrs[unix.IFLA_ADDRESS]; ok {
		if len(p) < len(l.hw) {
			return syscall.EINVAL
		}
		p = p[:len(l.hw)]
		if l.kind != "" && (p[0]&1 != 0 || bytes.Equal(p, make([]byte, len(p)))) {
			return syscall.EADDRNOTAVAIL
		}
		if !bytes.Equal(p, l.hw) {
			l.hw = bytes.Clone(p)
			changed = true
		}
	}
	if v, ok, err := r.u32(unix.IFLA_MTU); err != nil {
		return err
	} else if ok && v != l.mtu {
		if err := validMTU(l, v); err != nil {
			return err
		}
		if l.kind == "macvlan" || l.kind == "macvtap" {
			if lower := f.links[l.parent]; lower != nil && v > lower.mtu {
				return syscall.EINVAL
			}
		}
		c.setMTU(l, v)
		if l.kind == "bridge" {
			l.mtuByUser = true
		}
		changed = true
	}
	if v, ok, err := r.u32(unix.IFLA_GROUP); err != nil {
		return err
	} else if ok && v != l.group {
		l.group = v
		changed = true
	}
	if n, ok := r.str(unix.IFLA_IFNAME); ok && r.index != 0 && n != l.name {
		if !validName(n) || strings.Contains(n, "%") {
			return errf(syscall.EINVAL, "Invalid device name")
		}
		// Linux 6.x renames links that are up too.
		if f.linkByName(n) != nil {
			return syscall.EEXIST
		}
		c.rename(l, n) // announces the link itself
		changed = false
	}
	if a, ok := r.str(unix.IFLA_IFALIAS); ok && a != l.alias {
		l.alias = a
		changed = true
	}
	if r.flags != 0 || r.change != 0 {
		if nf := combineFlags(l, r); nf != l.flags {
			// changeFlags notifies by itself.
			if changed {
				c.notifyLink(unix.RTM_NEWLINK, l)
				changed = false
			}
			if err := c.changeFlags(l, nf); err != nil {
				return err
			}
		}
	}
	if v, ok, err := r.u32(unix.IFLA_MASTER); err != nil {
		return err
	} else if ok {
		if changed {
			c.notifyLink(unix.RTM_NEWLINK, l)
			changed = false
		}
		if err := c.setMaster(l, int32(v)); err != nil {
			return err
		}
	}
	if v, ok, err := r.u32(unix.IFLA_TXQLEN); err != nil {
		return err
	} else if ok && v != l.txqlen {
		l.txqlen = v
		changed = true
	}
	return nil
}

// rename renames l and the labels of its IPv4 addresses.
func (c *call) rename(l *fakeLink, n string) {
	l.name = n
	c.notifyLink(unix.RTM_NEWLINK, l)
	for _, a := range c.f.addrs {
		if a.index == l.index && a.fam == unix.AF_INET {
			if _, suffix, ok := strings.Cut(a.label, ":"); ok {
				a.label = n + ":" + suffix
			} else {
				a.label = n
			}
			c.notifyAddr(unix.RTM_NEWADDR, a)
		}
	}
}

// setMTU changes the MTU with what follows from it: a bridge follows
// its ports unless the user set its MTU; IPv6 goes away below 1280.
func (c *call) setMTU(l *fakeLink, v uint32) {
	l.mtu = v
	if v < 1280 {
		c.ipv6Down(l)
	}
	if l.master != 0 {
		if br := c.f.links[l.master]; br != nil && br.kind == "bridge" {
			c.bridgeAutoMTU(br)
		}
	}
}

// bridgeAutoMTU is br_mtu_auto_adjust: the smallest port MTU, 1500
// without ports.
func (c *call) bridgeAutoMTU(br *fakeLink) {
	if br.mtuByUser {
		return
	}
	m := uint32(0)
	for _, p := range c.f.links {
		if p.master == br.index && (m == 0 || p.mtu < m) {
			m = p.mtu
		}
	}
	if m == 0 {
		m = 1500
	}
	if m != br.mtu {
		br.mtu = m
		c.notifyLink(unix.RTM_NEWLINK, br)
	}
}

// changeFlags is dev_change_flags: bringing the link up or down has its
// consequences on addresses, routes and neighbours.
func (c *call) changeFlags(l *fakeLink, nf uint32) error {
	const settable = unix.IFF_UP | unix.IFF_DEBUG | unix.IFF_NOTRAILERS | unix.IFF_NOARP | unix.IFF_DYNAMIC |
		unix.IFF_MULTICAST | unix.IFF_PORTSEL | unix.IFF_AUTOMEDIA | unix.IFF_PROMISC | unix.IFF_ALLMULTI
	old := l.flags
	nf = (old &^ settable) | (nf & settable)
	if l.kind == "" {
		nf &^= unix.IFF_NOARP // the loopback keeps its flags
	}
	if nf == old {
		return nil
	}
	// Carrier of others may change with this link: bridges, veth peers.
	l.flags = nf
	wasUp, isUp := old&unix.IFF_UP != 0, nf&unix.IFF_UP != 0
	c.notifyLink(unix.RTM_NEWLINK, l)
	switch {
	case !wasUp && isUp:
		c.linkUp(l)
	case wasUp && !isUp:
		c.linkDown(l)
	}
	for _, o := range c.f.links {
		if o != l && (o.index == l.parent || o.parent == l.index || o.index == l.master) {
			c.notifyLink(unix.RTM_NEWLINK, o)
		}
	}
	return nil
}

// setMaster is do_set_master: release from the current master, then
// enslave to the new one (0: none).
func (c *call) setMaster(l *fakeLink, master int32) error {
	f := c.f
	if l.master != 0 {
		if l.master == master {
			return nil
		}
		old := f.links[l.master]
		if old == nil || old.kind != "bridge" {
			return syscall.EOPNOTSUPP
		}
		l.master = 0
		l.promiscuity = 0
		c.notifyLink(unix.RTM_NEWLINK, l)
		c.bridgeAutoMTU(old)
	}
	if master == 0 {
		return nil
	}
	br := f.links[master]
	if br == nil {
		return syscall.EINVAL
	}
	if br.kind != "bridge" {
		return syscall.EOPNOTSUPP
	}
	switch {
	case l.flags&unix.IFF_LOOPBACK != 0 || l.typ != unix.ARPHRD_ETHER:
		return errf(syscall.EINVAL, "Can not enslave loopback or non-ethernet device")
	case l.kind == "bridge":
		return errf(syscall.ELOOP, "Can not enslave a bridge to a bridge")
	}
	l.master = master
	br.hadPorts = true
	l.promiscuity = 1
	c.notifyLink(unix.RTM_NEWLINK, l)
	c.bridgeAutoMTU(br)
	return nil
}

// delLink handles RTM_DELLINK.
func (c *call) delLink() error {
	l, _, err := c.requestedLink()
	if err != nil {
		return err
	}
	if l.kind == "" {
		return syscall.EOPNOTSUPP
	}
	c.removeLink(l, false)
	return nil
}

// removeLink unregisters l (moved: to another namespace, so a veth peer
// stays) with everything that depends on it.
func (c *call) removeLink(l *fakeLink, moved bool) {
	f := c.f
	if f.links[l.index] != l {
		return
	}
	if l.up() {
		l.flags &^= unix.IFF_UP
		c.linkDown(l)
	}
	// Stacked links go first, then ports are released.
	for _, o := range f.sortedLinks() {
		if (o.kind == "macvlan" || o.kind == "macvtap") && o.parent == l.index {
			c.removeLink(o, false)
		}
	}
	for _, o := range f.sortedLinks() {
		if o.master == l.index {
			o.master = 0
			o.promiscuity = 0
			c.notifyLink(unix.RTM_NEWLINK, o)
		}
	}
	c.ipv4Unregister(l)
	c.ipv6Down(l)
	c.flushRoutesDev(l, true)
	c.flushNeighs(l, true)
	delete(f.links, l.index)
	c.notifyLink(unix.RTM_DELLINK, l)
	if l.master != 0 {
		if br := f.links[l.master]; br != nil && br.kind == "bridge" {
			c.bridgeAutoMTU(br)
		}
	}
	if l.kind == "veth" && !moved {
		if p := f.links[l.parent]; p != nil {
			c.removeLink(p, false)
		}
	}
}

// linkUp: the kernel adds the routes of the IPv4 addresses, and of the
// IPv6 ones left from when the link was down.
func (c *call) linkUp(l *fakeLink) {
	for _, a := range c.f.addrs {
		if a.index != l.index {
			continue
		}
		if a.fam == unix.AF_INET {
			c.ipv4AddrRoutes(a)
		} else {
			c.ipv6PrefixRoute(a)
		}
	}
	if l.flags&unix.IFF_LOOPBACK != 0 {
		c.loopbackUp(l)
	}
}

// linkDown: IPv4 routes through the link are flushed (without
// notifications, as the kernel), IPv6 addresses and routes removed,
// neighbours flushed.
func (c *call) linkDown(l *fakeLink) {
	c.flushRoutesDev(l, false)
	c.ipv6Down(l)
	c.flushNeighs(l, false)
}

// dumpLinks answers an RTM_GETLINK dump, with the strict filters.
func (c *call) dumpLinks() ([]netlink.Message, error) {
	r, err := parseLinkReq(c.req.Data)
	if err != nil {
		return nil, err
	}
	if u32(c.req.Data[0:])&0xffff0000 != 0 || r.flags != 0 || r.change != 0 {
		return nil, errf(syscall.EINVAL, "Invalid values in header for link dump request")
	}
	if r.index != 0 {
		return nil, errf(syscall.EINVAL, "Filter by device index not supported for link dumps")
	}
	for t := range r.attrs {
		switch t {
		case unix.IFLA_MASTER, unix.IFLA_LINKINFO, unix.IFLA_EXT_MASK, unix.IFLA_TARGET_NETNSID:
		default:
			return nil, errf(syscall.EINVAL, "Unsupported attribute in link dump request")
		}
	}
	master, hasMaster, _ := r.u32(unix.IFLA_MASTER)
	filtered := hasMaster && master != 0 || r.kind != ""
	var out []netlink.Message
	for _, l := range c.f.sortedLinks() {
		if hasMaster && master != 0 {
			if int32(master) == -1 {
				if l.master != 0 {
					continue
				}
			} else if l.master != int32(master) {
				continue
			}
		}
		if r.kind != "" && knownKind(r.kind) && l.kind != r.kind {
			continue
		}
		out = append(out, netlink.Message{Header: netlink.Header{Type: unix.RTM_NEWLINK}, Data: c.f.encodeLink(l)})
	}
	if filtered {
		out = withFlags(out, netlink.DumpFiltered)
	}
	return out, nil
}

func knownKind(k string) bool {
	switch k {
	case "veth", "bridge", "ifb", "macvlan", "macvtap", "vxlan":
		return true
	}
	return false
}

// getLink answers RTM_GETLINK for one link, by index or name.
func (c *call) getLink() ([]netlink.Message, error) {
	r, err := parseLinkReq(c.req.Data)
	if err != nil {
		return nil, err
	}
	if u32(c.req.Data[0:])&0xffff0000 != 0 || r.flags != 0 || r.change != 0 {
		return nil, errf(syscall.EINVAL, "Invalid values in header for get link request")
	}
	var l *fakeLink
	if r.index != 0 {
		l = c.f.links[r.index]
	} else if n, ok := r.str(unix.IFLA_IFNAME); ok {
		l = c.f.linkByName(n)
	} else {
		return nil, errf(syscall.EINVAL, "rtnltest: no ifindex or name")
	}
	if l == nil {
		return nil, syscall.ENODEV
	}
	return []netlink.Message{{Header: netlink.Header{Type: unix.RTM_NEWLINK}, Data: c.f.encodeLink(l)}}, nil
}
