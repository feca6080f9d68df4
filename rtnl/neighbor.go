package rtnl

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"iter"
	"net"
	"net/netip"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/nlkit/nlkit/netlink"
	"github.com/nlkit/nlkit/nlattr"
	"golang.org/x/sys/unix"
)

// Neighbor is an entry of the neighbour table (ARP for IPv4, NDP for
// IPv6), or of the proxy table when Flags has NeighborProxy: one
// RTM_NEWNEIGH message (struct ndmsg and its NDA_* attributes,
// linux/neighbour.h).
//
// Neighbor is a value: LinkAddr is a copy, not a view of a receive
// buffer.
type Neighbor struct {
	// Index is the link of the entry (ndm_ifindex). Proxy entries may
	// have none (0).
	Index int32
	// Family is FamilyIPv4 or FamilyIPv6 (ndm_family). When adding, the
	// zero value means "the family of Addr".
	Family Family
	// Addr is the neighbour's network address (NDA_DST).
	Addr netip.Addr
	// LinkAddr is its link-layer address (NDA_LLADDR); nil if unknown.
	LinkAddr net.HardwareAddr
	// State is the NUD state (ndm_state). Proxy entries have none.
	// Unless HasState is set, a zero State (NeighborNone) in AddNeighbor,
	// ReplaceNeighbor and ChangeNeighbor means NeighborPermanent, as with
	// `ip neigh add`, except for proxy and managed entries (which the
	// kernel resolves itself: permanent is refused for them).
	State NeighborState
	// HasState says State is meant as it is, NeighborNone included
	// (iproute2 "nud none"): no default replaces it. Decoding sets it.
	HasState bool
	// Flags are the NTF_* flags (ndm_flags, and NDA_FLAGS_EXT shifted
	// left by 8 bits).
	Flags NeighborFlags
	// Type is the kind of address as the kernel classified it (ndm_type):
	// RouteUnicast, RouteMulticast, RouteBroadcast... It is ignored when
	// adding.
	Type RouteType
	// Protocol says who installed the entry (NDA_PROTOCOL); 0 if unknown.
	Protocol Protocol

	// CacheInfo are the entry's ages and reference count
	// (NDA_CACHEINFO), valid if HasCacheInfo: the kernel reports them for
	// entries of the neighbour table, not for proxy entries. Read-only.
	CacheInfo    NeighborCacheInfo
	HasCacheInfo bool // NDA_CACHEINFO was present
	// Probes counts the resolution probes sent for the entry
	// (NDA_PROBES), valid if HasProbes; reported like CacheInfo.
	// Read-only.
	Probes    uint32
	HasProbes bool // NDA_PROBES was present
}

// NeighborCacheInfo is struct nda_cacheinfo (linux/neighbour.h): how long
// ago a neighbour entry was last confirmed, used and updated, in the
// kernel's clock ticks (USER_HZ, 1/100 s) converted to durations, and how
// many references it has. iproute2 shows the ages in seconds with -s
// ("used 5/3/2").
type NeighborCacheInfo struct {
	Confirmed time.Duration // ndm_confirmed: since reachability was last confirmed
	Used      time.Duration // ndm_used: since the entry was last used
	Updated   time.Duration // ndm_updated: since its state last changed
	RefCount  uint32        // ndm_refcnt ("ref" in iproute2)
}

// NeighborState is a set of NUD_* states (ndm_state). An entry has one of
// them; a filter or a mask may have several.
type NeighborState uint16

// Neighbour states (linux/neighbour.h). iproute2 prints them in upper case:
// INCOMPLETE, REACHABLE, ... PERMANENT.
const (
	NeighborNone       NeighborState = 0x00 // NUD_NONE
	NeighborIncomplete NeighborState = 0x01 // NUD_INCOMPLETE: resolution in progress
	NeighborReachable  NeighborState = 0x02 // NUD_REACHABLE: confirmed recently
	NeighborStale      NeighborState = 0x04 // NUD_STALE: valid but unconfirmed
	NeighborDelay      NeighborState = 0x08 // NUD_DELAY: waiting before probing
	NeighborProbe      NeighborState = 0x10 // NUD_PROBE: probing
	NeighborFailed     NeighborState = 0x20 // NUD_FAILED: resolution failed
	NeighborNoARP      NeighborState = 0x40 // NUD_NOARP: no resolution needed
	NeighborPermanent  NeighborState = 0x80 // NUD_PERMANENT: static, never expires
)

var neighborStateNames = [...]string{"INCOMPLETE", "REACHABLE", "STALE", "DELAY", "PROBE", "FAILED", "NOARP", "PERMANENT"}

// Words returns iproute2's words for the states in s, in iproute2's order
// (the "state" array of `ip -j neigh`); unknown bits are given in hex.
func (s NeighborState) Words() []string {
	var words []string
	for i, n := range neighborStateNames {
		if s&(1<<i) != 0 {
			words = append(words, n)
		}
	}
	if rest := s &^ 0xff; rest != 0 {
		words = append(words, "0x"+strconv.FormatUint(uint64(rest), 16))
	}
	return words
}

// String gives iproute2's words separated by spaces ("PERMANENT",
// "REACHABLE"), or "NONE".
func (s NeighborState) String() string {
	if s == NeighborNone {
		return "NONE"
	}
	return strings.Join(s.Words(), " ")
}

// NeighborFlags are the NTF_* flags of a neighbour entry. Bits 0-7 are
// ndm_flags; bits 8-31 are the extended flags of NDA_FLAGS_EXT (the
// kernel's own NTF_EXT_SHIFT layout).
type NeighborFlags uint32

// Neighbour flags (linux/neighbour.h). The comments give iproute2's words.
const (
	NeighborUse        NeighborFlags = 0x01 // NTF_USE: "use": refresh the entry as if used
	NeighborSelf       NeighborFlags = 0x02 // NTF_SELF: "self" (bridge FDB)
	NeighborMaster     NeighborFlags = 0x04 // NTF_MASTER: "master" (bridge FDB)
	NeighborProxy      NeighborFlags = 0x08 // NTF_PROXY: "proxy": a proxy ARP/NDP entry
	NeighborExtLearned NeighborFlags = 0x10 // NTF_EXT_LEARNED: "extern_learn"
	NeighborOffloaded  NeighborFlags = 0x20 // NTF_OFFLOADED: "offload"
	NeighborSticky     NeighborFlags = 0x40 // NTF_STICKY: "sticky" (bridge FDB)
	NeighborRouter     NeighborFlags = 0x80 // NTF_ROUTER: "router" (IPv6)

	NeighborManaged NeighborFlags = 0x01 << 8 // NTF_EXT_MANAGED in NDA_FLAGS_EXT: "managed"
	NeighborLocked  NeighborFlags = 0x02 << 8 // NTF_EXT_LOCKED in NDA_FLAGS_EXT: "locked" (bridge FDB)
)

var neighborFlagNames = [...]string{"use", "self", "master", "proxy", "extern_learn", "offload", "sticky",
	"router", "managed", "locked"}

// String lists the flags with iproute2's words separated by spaces
// ("proxy", "router"); unknown bits are printed in hex; no flags give "".
func (f NeighborFlags) String() string {
	var words []string
	for i, n := range neighborFlagNames {
		if f&(1<<i) != 0 {
			words = append(words, n)
		}
	}
	if rest := f &^ (1<<len(neighborFlagNames) - 1); rest != 0 {
		words = append(words, "0x"+strconv.FormatUint(uint64(rest), 16))
	}
	return strings.Join(words, " ")
}

// NeighborFilter selects neighbour entries for Neighbors. The zero value
// selects every entry of the neighbour table.
type NeighborFilter struct {
	// Family selects FamilyIPv4 (ARP) or FamilyIPv6 (NDP) entries
	// (ndm_family); FamilyUnspec means both.
	Family Family
	// Index selects the entries of one link (NDA_IFINDEX); 0 means all.
	Index int32
	// Proxy lists the proxy table (ndm_flags NTF_PROXY: the entries made
	// with `ip neigh add proxy`) instead of the neighbour table.
	Proxy bool
	// Master selects the entries of links enslaved to this master, a
	// bridge or a vrf (NDA_MASTER, filtered by the kernel: entries do not
	// carry their link's master); -1 those of links without a master
	// (`ip neigh show nomaster`); 0 means all.
	Master int32
}

// NDA_* attribute types (linux/neighbour.h).
const (
	ndaDst       = 1  // NDA_DST
	ndaLLAddr    = 2  // NDA_LLADDR
	ndaCacheInfo = 3  // NDA_CACHEINFO: struct nda_cacheinfo
	ndaProbes    = 4  // NDA_PROBES: u32
	ndaIfindex   = 8  // NDA_IFINDEX: u32
	ndaMaster    = 9  // NDA_MASTER: u32
	ndaProtocol  = 12 // NDA_PROTOCOL: u8
	ndaFlagsExt  = 15 // NDA_FLAGS_EXT: u32
)

// ndaAttrNames names the NDA_* attributes in decoding errors.
var ndaAttrNames = [...]string{"NDA_UNSPEC", "NDA_DST", "NDA_LLADDR", "NDA_CACHEINFO", "NDA_PROBES",
	"NDA_VLAN", "NDA_PORT", "NDA_VNI", "NDA_IFINDEX", "NDA_MASTER", "NDA_LINK_NETNSID", "NDA_SRC_VNI",
	"NDA_PROTOCOL", "NDA_NH_ID", "NDA_FDB_EXT_ATTRS", "NDA_FLAGS_EXT"}

const (
	ndmsgLen        = 12 // sizeof(struct ndmsg)
	ndaCacheInfoLen = 16 // sizeof(struct nda_cacheinfo)
)

// Neighbors streams the entries that match f. It is a single-use
// iterator that stops at the first error; breaking out early is fine.
// The link is filtered by the kernel (NDA_IFINDEX, with strict checking,
// the netlink default; without it, here), as are the family and the
// choice of table. The kernel also lists entries it made itself, such as
// NOARP entries for multicast addresses.
func (c *Conn) Neighbors(ctx context.Context, f NeighborFilter) iter.Seq2[Neighbor, error] {
	return f.dump().seq(c, ctx)
}

// NeighborList returns the entries that match f (see Neighbors) as a
// slice the caller owns, read whole before decoding (see RouteList). An
// error returns no entries.
func (c *Conn) NeighborList(ctx context.Context, f NeighborFilter) ([]Neighbor, error) {
	return f.dump().list(c, ctx)
}

// dump is the neighbour dump f asks for.
func (f NeighborFilter) dump() dumpReq[Neighbor] {
	body := make([]byte, ndmsgLen)
	body[0] = byte(f.Family)
	if f.Proxy {
		body[10] = byte(NeighborProxy)
	}
	if f.Index != 0 || f.Master != 0 {
		e := nlattr.NewEncoder(body)
		if f.Index != 0 {
			e.Uint32(ndaIfindex, uint32(f.Index))
		}
		if f.Master != 0 {
			e.Uint32(ndaMaster, uint32(f.Master))
		}
		body, _ = e.Finish()
	}
	return dumpReq[Neighbor]{op: "list neighbors", typ: unix.RTM_GETNEIGH, want: unix.RTM_NEWNEIGH, body: body,
		decode: func(n *Neighbor, m netlink.Message) (bool, error) {
			if !ipFamily(m, f.Family) {
				return false, nil
			}
			var err error
			if *n, err = decodeNeighbor(m.Data); err != nil {
				return false, err
			}
			return (f.Index == 0 || n.Index == f.Index) && (n.Flags&NeighborProxy != 0) == f.Proxy, nil
		}}
}

// Neighbor looks up the entry for addr on link index with the kernel's
// GET request (RTM_GETNEIGH). A missing entry gives ENOENT; a missing
// link, ENODEV.
func (c *Conn) Neighbor(ctx context.Context, index int32, addr netip.Addr) (Neighbor, error) {
	return c.getNeighbor(ctx, index, addr, false)
}

// ProxyNeighbor looks up the proxy entry for addr on link index
// (RTM_GETNEIGH with NTF_PROXY, `ip neigh get proxy ADDR dev DEV`). Index
// 0 finds an entry made without a link. A missing entry gives ENOENT.
func (c *Conn) ProxyNeighbor(ctx context.Context, index int32, addr netip.Addr) (Neighbor, error) {
	return c.getNeighbor(ctx, index, addr, true)
}

func (c *Conn) getNeighbor(ctx context.Context, index int32, addr netip.Addr, proxy bool) (Neighbor, error) {
	if !addr.IsValid() {
		return Neighbor{}, errors.New("rtnl: neighbor: address is not set")
	}
	fam := FamilyIPv4
	if !addr.Is4() {
		fam = FamilyIPv6
	}
	body := make([]byte, ndmsgLen, ndmsgLen+20)
	body[0] = byte(fam)
	binary.NativeEndian.PutUint32(body[4:], uint32(index))
	if proxy {
		body[10] = byte(NeighborProxy)
	}
	e := nlattr.NewEncoder(body)
	e.Addr(ndaDst, addr)
	body, err := e.Finish()
	if err != nil {
		return Neighbor{}, err
	}
	return getOne(ctx, c, "get neighbor "+neighborName(&Neighbor{Addr: addr, Index: index, Flags: proxyFlag(proxy)}), unix.RTM_GETNEIGH, body, unix.RTM_NEWNEIGH, decodeNeighbor, "no RTM_NEWNEIGH in the reply")
}

// AddNeighbor adds an entry (RTM_NEWNEIGH with NLM_F_CREATE|NLM_F_EXCL).
// n.Index and n.Addr are required, and n.LinkAddr for entries in a
// resolved state. A zero n.State means NeighborPermanent, as with `ip
// neigh add`; proxy entries (Flags with NeighborProxy) have no state and
// no link-layer address. An existing entry gives an error matching
// fs.ErrExist (EEXIST), except in the proxy table, where the kernel
// accepts a duplicate silently.
func (c *Conn) AddNeighbor(ctx context.Context, n Neighbor) error {
	return c.newNeighbor(ctx, "add neighbor", netlink.Create|netlink.Excl, n)
}

// ReplaceNeighbor adds the entry or overwrites an existing one
// (RTM_NEWNEIGH with NLM_F_CREATE|NLM_F_REPLACE), with the defaults of
// AddNeighbor.
func (c *Conn) ReplaceNeighbor(ctx context.Context, n Neighbor) error {
	return c.newNeighbor(ctx, "replace neighbor", netlink.Create|netlink.Replace, n)
}

// ChangeNeighbor overwrites an existing entry (RTM_NEWNEIGH with
// NLM_F_REPLACE but not NLM_F_CREATE, `ip neigh change`), with the
// defaults of AddNeighbor. A missing entry gives ENOENT. (In the proxy
// table the kernel adds a missing entry all the same.)
func (c *Conn) ChangeNeighbor(ctx context.Context, n Neighbor) error {
	return c.newNeighbor(ctx, "change neighbor", netlink.Replace, n)
}

func (c *Conn) newNeighbor(ctx context.Context, op string, flags netlink.Flags, n Neighbor) error {
	neighborDefaults(&n)
	body, err := appendNeighbor(nil, &n, false)
	return c.send(ctx, op+" "+neighborName(&n), unix.RTM_NEWNEIGH, flags, body, err)
}

// DeleteNeighbor removes the entry for n.Addr on link n.Index (from the
// proxy table if n.Flags has NeighborProxy) with RTM_DELNEIGH. A missing
// entry gives ENOENT.
func (c *Conn) DeleteNeighbor(ctx context.Context, n Neighbor) error {
	body, err := appendNeighbor(nil, &n, true)
	return c.send(ctx, "delete neighbor "+neighborName(&n), unix.RTM_DELNEIGH, 0, body, err)
}

// AddNeighbors adds many entries as AddNeighbor does, packing the requests
// into as few datagrams as fit (netlink.Conn.Batch). When some fail the
// error is a *netlink.BatchError whose Failures give the index in neighs
// of each failed entry, the others having been added; an entry that
// cannot be encoded (no Addr) is such a failure, and is not sent.
func (c *Conn) AddNeighbors(ctx context.Context, neighs []Neighbor) error {
	return nameFailures(c.AddNeighborsSeq(ctx, slices.Values(neighs)), "add neighbor", neighs, neighborName)
}

// DeleteNeighbors removes many entries as DeleteNeighbor does, in as few
// datagrams as fit; failures are reported as by AddNeighbors.
func (c *Conn) DeleteNeighbors(ctx context.Context, neighs []Neighbor) error {
	return nameFailures(c.DeleteNeighborsSeq(ctx, slices.Values(neighs)), "delete neighbor", neighs, neighborName)
}

// AddNeighborsSeq is AddNeighbors for entries produced by an iterator, each
// encoded into one reused buffer as the batch is sent. Indexes in a
// *netlink.BatchError count the entries seq yielded, from 0.
func (c *Conn) AddNeighborsSeq(ctx context.Context, seq iter.Seq[Neighbor]) error {
	return c.neighBatch(ctx, "add neighbor", unix.RTM_NEWNEIGH, netlink.Create|netlink.Excl, seq)
}

// DeleteNeighborsSeq is DeleteNeighbors for entries produced by an
// iterator; see AddNeighborsSeq.
func (c *Conn) DeleteNeighborsSeq(ctx context.Context, seq iter.Seq[Neighbor]) error {
	return c.neighBatch(ctx, "delete neighbor", unix.RTM_DELNEIGH, 0, seq)
}

func (c *Conn) neighBatch(ctx context.Context, op string, typ netlink.MessageType, flags netlink.Flags, seq iter.Seq[Neighbor]) error {
	del := typ == unix.RTM_DELNEIGH
	return encodedBatch(ctx, c, op, typ, flags, seq, func(b []byte, n *Neighbor) ([]byte, error) {
		if !del {
			neighborDefaults(n)
		}
		return appendNeighbor(b, n, del)
	})
}

// neighborDefaults fills in the state iproute2 would use for a new entry.
func neighborDefaults(n *Neighbor) {
	if n.State == NeighborNone && !n.HasState && n.Flags&(NeighborProxy|NeighborManaged) == 0 {
		n.State = NeighborPermanent
	}
}

// appendNeighbor appends the body of an RTM_NEWNEIGH (or, with del, an
// RTM_DELNEIGH) request for n to b.
func appendNeighbor(b []byte, n *Neighbor, del bool) ([]byte, error) {
	if !n.Addr.IsValid() {
		return b, errors.New("rtnl: neighbor: Addr is not set")
	}
	fam := n.Family
	if fam == FamilyUnspec {
		fam = FamilyIPv4
		if !n.Addr.Is4() {
			fam = FamilyIPv6
		}
	}
	start := len(b)
	b = append(b, make([]byte, ndmsgLen)...)
	h := b[start:]
	h[0] = byte(fam)
	binary.NativeEndian.PutUint32(h[4:], uint32(n.Index))
	h[10] = byte(n.Flags)
	if !del {
		binary.NativeEndian.PutUint16(h[8:], uint16(n.State))
		h[11] = byte(n.Type)
	} else {
		h[10] &= byte(NeighborProxy)
	}
	e := nlattr.NewEncoder(b)
	e.Addr(ndaDst, n.Addr)
	if !del {
		if len(n.LinkAddr) > 0 {
			e.Bytes(ndaLLAddr, n.LinkAddr)
		}
		if n.Protocol != 0 {
			e.Uint8(ndaProtocol, uint8(n.Protocol))
		}
		if ext := uint32(n.Flags >> 8); ext != 0 {
			e.Uint32(ndaFlagsExt, ext)
		}
	}
	return e.Finish()
}

// decodeNeighbor decodes the body of an RTM_NEWNEIGH message (struct ndmsg
// and attributes). Unknown attributes are skipped; a known one with the
// wrong length, or an NDA_DST that contradicts the family, is an error.
// The result does not alias b.
func decodeNeighbor(b []byte) (Neighbor, error) {
	var n Neighbor
	if len(b) < ndmsgLen {
		return n, fmt.Errorf("rtnl: decode neighbor: %d-byte message, want at least %d (struct ndmsg)", len(b), ndmsgLen)
	}
	n.Family = Family(b[0])
	n.Index = int32(binary.NativeEndian.Uint32(b[4:8]))
	n.State = NeighborState(binary.NativeEndian.Uint16(b[8:10]))
	n.HasState = true
	n.Flags = NeighborFlags(b[10])
	n.Type = RouteType(b[11])
	d := nlattr.NewDecoder(b[ndmsgLen:])
	for d.Next() {
		switch d.Type() {
		case ndaDst:
			n.Addr = d.Addr()
		case ndaLLAddr:
			if d.Len() > 0 {
				n.LinkAddr = net.HardwareAddr(bytes.Clone(d.Bytes()))
			}
		case ndaProtocol:
			n.Protocol = Protocol(d.Uint8())
		case ndaFlagsExt:
			n.Flags |= NeighborFlags(d.Uint32()) << 8
		case ndaCacheInfo:
			if d.Len() != ndaCacheInfoLen {
				d.Fail(nlattr.ErrBadLength)
				break
			}
			ci := d.Bytes()
			ticks := func(i int) time.Duration {
				return time.Duration(binary.NativeEndian.Uint32(ci[4*i:])) * (time.Second / userHZ)
			}
			n.CacheInfo = NeighborCacheInfo{Confirmed: ticks(0), Used: ticks(1), Updated: ticks(2),
				RefCount: binary.NativeEndian.Uint32(ci[12:])}
			n.HasCacheInfo = true
		case ndaProbes:
			n.Probes = d.Uint32()
			n.HasProbes = d.Err() == nil
		}
	}
	if err := d.Err(); err != nil {
		return Neighbor{}, decodeAttrError("neighbor", namesSpace(ndaAttrNames[:], "NDA_"), b[ndmsgLen:], err)
	}
	if n.Addr.IsValid() {
		if n.Family == FamilyIPv4 && !n.Addr.Is4() || n.Family == FamilyIPv6 && !n.Addr.Is6() {
			return Neighbor{}, fmt.Errorf("rtnl: decode neighbor: %d-bit NDA_DST in a family %v message", n.Addr.BitLen(), n.Family)
		}
	}
	return n, nil
}

// UnmarshalText sets s from iproute2's state words, in either case
// (permanent, reachable, stale, delay, probe, failed, incomplete, noarp,
// none), or from a number; several may be separated by blanks, so that
// it reads back what String gives ("REACHABLE STALE", "NONE").
func (s *NeighborState) UnmarshalText(text []byte) error {
	words := strings.Fields(string(text))
	if len(words) == 0 {
		return fmt.Errorf("rtnl: invalid neighbor state %q", text)
	}
	var st NeighborState
	for _, w := range words {
		if strings.EqualFold(w, "none") {
			continue
		}
		found := false
		for i, n := range neighborStateNames {
			if strings.EqualFold(w, n) {
				st |= 1 << i
				found = true
				break
			}
		}
		if !found {
			n, ok := parseNumber(w, 16)
			if !ok {
				return fmt.Errorf("rtnl: invalid neighbor state %q", text)
			}
			st |= NeighborState(n)
		}
	}
	*s = st
	return nil
}
