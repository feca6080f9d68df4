package rtnl

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"iter"
	"net/netip"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/nlkit/nlkit/netlink"
	"github.com/nlkit/nlkit/nlattr"
	"golang.org/x/sys/unix"
)

// Address is an IP address assigned to a link: one RTM_NEWADDR message
// (struct ifaddrmsg and its IFA_* attributes, linux/if_addr.h).
//
// Address is a value: it holds no reference to any receive buffer.
type Address struct {
	// Index is the link the address is on (ifa_index).
	Index int32
	// Family is FamilyIPv4 or FamilyIPv6 (ifa_family). When adding, the
	// zero value means "the family of Prefix".
	Family Family
	// Prefix is the local address with the prefix length of its subnet
	// (IFA_LOCAL and ifa_prefixlen; the kernel reports IPv6 addresses
	// without a peer in IFA_ADDRESS only). The host bits are kept:
	// 198.18.0.1/24, not 198.18.0.0/24.
	Prefix netip.Prefix
	// Peer is the other end of a point-to-point address (IFA_ADDRESS when
	// it differs from IFA_LOCAL), with the same prefix length as Prefix;
	// the zero Prefix when there is none.
	Peer netip.Prefix
	// Broadcast is the IPv4 broadcast address (IFA_BROADCAST), or the
	// zero Addr.
	Broadcast netip.Addr
	// Anycast is an anycast address given with the address (IFA_ANYCAST,
	// iproute2 "anycast ADDR"), or the zero Addr. Linux 6.18 accepts it
	// in requests and keeps nothing of it (IPv6 anycast addresses are made
	// with setsockopt IPV6_JOIN_ANYCAST); it is decoded where a message
	// carries it.
	Anycast netip.Addr
	// Label is the IPv4 address label (IFA_LABEL), such as "eth0:1". The
	// kernel sets it to the link's name when none is given. IPv6
	// addresses have none.
	Label string
	// Scope is ifa_scope. The kernel computes it for IPv6 addresses.
	Scope Scope
	// Flags are the IFA_F_* flags (ifa_flags, extended by the 32-bit
	// IFA_FLAGS attribute).
	Flags AddressFlags
	// ValidLifetime and PreferredLifetime come from IFA_CACHEINFO
	// (ifa_valid, ifa_prefered): the time left, as of the moment the
	// kernel answered. Their zero value is LifetimeForever(). When adding,
	// ValidLifetime must not be 0 and PreferredLifetime must not exceed
	// it (the kernel answers EINVAL), so a finite ValidLifetime needs a
	// finite PreferredLifetime too.
	ValidLifetime     Lifetime
	PreferredLifetime Lifetime
	// Protocol says who added the address (IFA_PROTO); 0 if unknown.
	Protocol AddressProtocol
	// Metric is the priority of the prefix route the kernel adds for the
	// address (IFA_RT_PRIORITY); 0 if none.
	Metric uint32

	// AnyPrefixLength makes DeleteAddress and DeleteAddresses match the
	// IPv4 address Prefix.Addr() whatever its prefix length and peer (no
	// IFA_ADDRESS is sent, the kernel then compares IFA_LOCAL and the
	// label only), as `ip address del ADDR` without "/LEN" does. The
	// kernel always matches IPv6 addresses by prefix length, so it is an
	// error on them, with Peer, and in other requests. Decoding never
	// sets it.
	AnyPrefixLength bool
}

// AddressFlags are the IFA_F_* flags of an address.
type AddressFlags uint32

// Address flags (linux/if_addr.h). The comments give iproute2's words.
const (
	AddressSecondary      AddressFlags = 0x01  // IFA_F_SECONDARY: "secondary" (IPv4)
	AddressTemporary      AddressFlags = 0x01  // IFA_F_TEMPORARY: "temporary" (IPv6; same bit as secondary)
	AddressNoDAD          AddressFlags = 0x02  // IFA_F_NODAD: "nodad"
	AddressOptimistic     AddressFlags = 0x04  // IFA_F_OPTIMISTIC: "optimistic"
	AddressDADFailed      AddressFlags = 0x08  // IFA_F_DADFAILED: "dadfailed"
	AddressHome           AddressFlags = 0x10  // IFA_F_HOMEADDRESS: "home"
	AddressDeprecated     AddressFlags = 0x20  // IFA_F_DEPRECATED: "deprecated"
	AddressTentative      AddressFlags = 0x40  // IFA_F_TENTATIVE: "tentative"
	AddressPermanent      AddressFlags = 0x80  // IFA_F_PERMANENT: "permanent" (iproute2 shows "dynamic" when unset)
	AddressManageTempAddr AddressFlags = 0x100 // IFA_F_MANAGETEMPADDR: "mngtmpaddr"
	AddressNoPrefixRoute  AddressFlags = 0x200 // IFA_F_NOPREFIXROUTE: "noprefixroute"
	AddressAutoJoin       AddressFlags = 0x400 // IFA_F_MCAUTOJOIN: "autojoin"
	AddressStablePrivacy  AddressFlags = 0x800 // IFA_F_STABLE_PRIVACY: "stable-privacy"
)

var addressFlagNames = [...]string{"secondary", "nodad", "optimistic", "dadfailed", "home", "deprecated",
	"tentative", "permanent", "mngtmpaddr", "noprefixroute", "autojoin", "stable-privacy"}

// String lists the flags with iproute2's words separated by spaces
// ("permanent noprefixroute"); bit 0x01 is named "secondary" (iproute2
// calls it "temporary" on IPv6 addresses). Unknown bits are printed in
// hex; no flags give "".
func (f AddressFlags) String() string {
	var words []string
	for i, n := range addressFlagNames {
		if f&(1<<i) != 0 {
			words = append(words, n)
		}
	}
	if rest := f &^ (1<<len(addressFlagNames) - 1); rest != 0 {
		words = append(words, "0x"+strconv.FormatUint(uint64(rest), 16))
	}
	return strings.Join(words, " ")
}

// AddressProtocol says who added an address (IFA_PROTO, IFAPROT_*).
type AddressProtocol uint8

// Address protocols (linux/if_addr.h). Values above these are free for
// user space to use.
const (
	AddressProtoUnspec   AddressProtocol = 0 // IFAPROT_UNSPEC
	AddressProtoKernelLo AddressProtocol = 1 // IFAPROT_KERNEL_LO: loopback
	AddressProtoKernelRA AddressProtocol = 2 // IFAPROT_KERNEL_RA: from a router advertisement
	AddressProtoKernelLL AddressProtocol = 3 // IFAPROT_KERNEL_LL: link-local, set by the kernel
)

// String gives iproute2's words (unspec, kernel_lo, kernel_ra, kernel_ll),
// or the number.
func (p AddressProtocol) String() string {
	switch p {
	case AddressProtoUnspec:
		return "unspec"
	case AddressProtoKernelLo:
		return "kernel_lo"
	case AddressProtoKernelRA:
		return "kernel_ra"
	case AddressProtoKernelLL:
		return "kernel_ll"
	}
	return strconv.Itoa(int(p))
}

// Lifetime is the valid or preferred lifetime of an address in whole
// seconds, or LifetimeForever(). The zero value is LifetimeForever(), so an
// Address with unset lifetimes never expires. Lifetime is comparable.
type Lifetime struct {
	secs   uint32
	finite bool
}

// LifetimeForever returns the lifetime of an address that does not expire
// (0xFFFFFFFF, INFINITY_LIFE_TIME, on the wire): the zero Lifetime.
func LifetimeForever() Lifetime { return Lifetime{} }

// lifetimeInfinity is the wire value of LifetimeForever().
const lifetimeInfinity = 0xFFFFFFFF

// LifetimeSeconds returns a finite lifetime of s seconds. s = 0xFFFFFFFF
// gives LifetimeForever(), the wire meaning of that value. A preferred
// lifetime of 0 marks the address deprecated.
func LifetimeSeconds(s uint32) Lifetime {
	if s == lifetimeInfinity {
		return Lifetime{}
	}
	return Lifetime{secs: s, finite: true}
}

// LifetimeOf returns a finite lifetime of d rounded down to whole seconds,
// clamped to [0, 0xFFFFFFFE] seconds.
func LifetimeOf(d time.Duration) Lifetime {
	s := d / time.Second
	switch {
	case s < 0:
		s = 0
	case s >= lifetimeInfinity:
		s = lifetimeInfinity - 1
	}
	return Lifetime{secs: uint32(s), finite: true}
}

// IsForever reports whether l is LifetimeForever().
func (l Lifetime) IsForever() bool { return !l.finite }

// Seconds returns the lifetime in seconds as on the wire: 0xFFFFFFFF for
// LifetimeForever().
func (l Lifetime) Seconds() uint32 {
	if !l.finite {
		return lifetimeInfinity
	}
	return l.secs
}

// Duration returns the lifetime and true, or 0 and false for
// LifetimeForever().
func (l Lifetime) Duration() (time.Duration, bool) {
	if !l.finite {
		return 0, false
	}
	return time.Duration(l.secs) * time.Second, true
}

// String gives iproute2's words: "forever" or "300sec".
func (l Lifetime) String() string {
	if !l.finite {
		return "forever"
	}
	return strconv.FormatUint(uint64(l.secs), 10) + "sec"
}

// AddressFilter selects addresses for Addresses. The zero value selects
// every address of every link.
type AddressFilter struct {
	// Family selects FamilyIPv4 or FamilyIPv6 addresses (ifa_family);
	// FamilyUnspec means both.
	Family Family
	// Index selects the addresses of one link (ifa_index); 0 means all.
	Index int32
}

// IFA_* attribute types (linux/if_addr.h).
const (
	ifaAddress   = 1  // IFA_ADDRESS
	ifaLocal     = 2  // IFA_LOCAL
	ifaLabel     = 3  // IFA_LABEL
	ifaBroadcast = 4  // IFA_BROADCAST
	ifaAnycast   = 5  // IFA_ANYCAST
	ifaCacheInfo = 6  // IFA_CACHEINFO: struct ifa_cacheinfo
	ifaFlags     = 8  // IFA_FLAGS: u32
	ifaRtPrio    = 9  // IFA_RT_PRIORITY: u32
	ifaProto     = 11 // IFA_PROTO: u8
)

// ifaAttrNames names the IFA_* attributes in decoding errors.
var ifaAttrNames = [...]string{"IFA_UNSPEC", "IFA_ADDRESS", "IFA_LOCAL", "IFA_LABEL", "IFA_BROADCAST",
	"IFA_ANYCAST", "IFA_CACHEINFO", "IFA_MULTICAST", "IFA_FLAGS", "IFA_RT_PRIORITY",
	"IFA_TARGET_NETNSID", "IFA_PROTO"}

const (
	ifaddrmsgLen    = 8  // sizeof(struct ifaddrmsg)
	ifaCacheInfoLen = 16 // sizeof(struct ifa_cacheinfo)
)

// Addresses streams the addresses that match f. It is a single-use
// iterator that stops at the first error; breaking out early is fine.
// The link and family are filtered by the kernel (with strict checking,
// the netlink default; without it, here). Filtering by a link that does
// not exist fails with ENODEV.
func (c *Conn) Addresses(ctx context.Context, f AddressFilter) iter.Seq2[Address, error] {
	return f.dump().seq(c, ctx)
}

// AddressList returns the addresses that match f (see Addresses) as a
// slice the caller owns, read whole before decoding (see RouteList). An
// error returns no addresses.
func (c *Conn) AddressList(ctx context.Context, f AddressFilter) ([]Address, error) {
	return f.dump().list(c, ctx)
}

// dump is the address dump f asks for.
func (f AddressFilter) dump() dumpReq[Address] {
	body := make([]byte, ifaddrmsgLen)
	body[0] = byte(f.Family)
	binary.NativeEndian.PutUint32(body[4:], uint32(f.Index))
	var label string // the last one, which the next address likely shares
	return dumpReq[Address]{op: "list addresses", typ: unix.RTM_GETADDR, want: unix.RTM_NEWADDR, body: body,
		decode: func(a *Address, m netlink.Message) (bool, error) {
			if !ipFamily(m, f.Family) {
				return false, nil
			}
			if err := a.decode(m.Data, label); err != nil {
				return false, err
			}
			label = a.Label
			return f.Index == 0 || a.Index == f.Index, nil
		}}
}

// AddAddress assigns a to its link (RTM_NEWADDR with NLM_F_CREATE|
// NLM_F_EXCL). a.Index and a.Prefix are required; a.Family may be left to
// be derived from a.Prefix. An address that exists already gives an error
// matching fs.ErrExist (EEXIST). Use the AddressNoDAD flag on IPv6
// addresses that must be usable at once.
func (c *Conn) AddAddress(ctx context.Context, a Address) error {
	body, err := appendAddress(nil, &a, false)
	return c.send(ctx, "add address "+addressName(&a), unix.RTM_NEWADDR, netlink.Create|netlink.Excl, body, err)
}

// ReplaceAddress assigns a, or updates it if the link has it already
// (RTM_NEWADDR with NLM_F_CREATE|NLM_F_REPLACE). The kernel updates the
// lifetimes, Metric and Protocol of an existing address, and for IPv6
// also the flags it lets user space set. The request always states the
// lifetimes (IFA_CACHEINFO): lifetimes left at LifetimeForever() make the
// address permanent again. (The kernel reads a request without
// IFA_CACHEINFO the same way; it is sent to say so.)
func (c *Conn) ReplaceAddress(ctx context.Context, a Address) error {
	body, err := appendAddress(nil, &a, false)
	return c.send(ctx, "replace address "+addressName(&a), unix.RTM_NEWADDR, netlink.Create|netlink.Replace, body, err)
}

// ChangeAddress updates an address the link has (RTM_NEWADDR with
// NLM_F_REPLACE but not NLM_F_CREATE, like `ip address change`), as
// ReplaceAddress does. Unlike routes and neighbours, the kernel does not
// refuse a missing address for want of NLM_F_CREATE: for compatibility
// with old user space it adds it (as `ip address change` does). To update
// only an existing address, check for it first, knowing that it may go
// away in between.
func (c *Conn) ChangeAddress(ctx context.Context, a Address) error {
	body, err := appendAddress(nil, &a, false)
	return c.send(ctx, "change address "+addressName(&a), unix.RTM_NEWADDR, netlink.Replace, body, err)
}

// DeleteAddress removes a from its link (RTM_DELADDR). The address is
// matched by a.Index, a.Prefix, a.Peer and, if set, a.Label; with
// a.AnyPrefixLength, by the IPv4 address and label only. A missing
// address gives EADDRNOTAVAIL; a missing link, ENODEV.
func (c *Conn) DeleteAddress(ctx context.Context, a Address) error {
	body, err := appendAddress(nil, &a, true)
	return c.send(ctx, "delete address "+addressName(&a), unix.RTM_DELADDR, 0, body, err)
}

// AddAddresses adds many addresses as AddAddress does, packing the
// requests into as few datagrams as fit (netlink.Conn.Batch). When some
// fail the error is a *netlink.BatchError whose Failures give the index in
// addrs of each failed address, the others having been added; an address
// that cannot be encoded is such a failure, and is not sent.
func (c *Conn) AddAddresses(ctx context.Context, addrs []Address) error {
	return c.addrBatch(ctx, "add address", unix.RTM_NEWADDR, netlink.Create|netlink.Excl, addrs)
}

// DeleteAddresses removes many addresses as DeleteAddress does, in as
// few datagrams as fit; failures are reported as by AddAddresses.
func (c *Conn) DeleteAddresses(ctx context.Context, addrs []Address) error {
	return c.addrBatch(ctx, "delete address", unix.RTM_DELADDR, 0, addrs)
}

// addrBatch sends addrs through encodedBatch.
func (c *Conn) addrBatch(ctx context.Context, op string, typ netlink.MessageType, flags netlink.Flags, addrs []Address) error {
	del := typ == unix.RTM_DELADDR
	return nameFailures(encodedBatch(ctx, c, op, typ, flags, slices.Values(addrs), func(b []byte, a *Address) ([]byte, error) {
		return appendAddress(b, a, del)
	}), op, addrs, addressName)
}

// appendAddress appends the body of an RTM_NEWADDR (or, with del, an
// RTM_DELADDR) request for a to b.
func appendAddress(b []byte, a *Address, del bool) ([]byte, error) {
	if !a.Prefix.IsValid() {
		return b, errors.New("rtnl: address: Prefix is not set")
	}
	fam := a.Family
	if fam == FamilyUnspec {
		fam = FamilyIPv4
		if !a.Prefix.Addr().Is4() {
			fam = FamilyIPv6
		}
	}
	if a.AnyPrefixLength {
		switch {
		case !del:
			return b, errors.New("rtnl: address: AnyPrefixLength is only for deleting")
		case fam != FamilyIPv4 || !a.Prefix.Addr().Is4():
			return b, errors.New("rtnl: address: AnyPrefixLength needs an IPv4 address (the kernel matches IPv6 addresses by prefix length)")
		case a.Peer.IsValid():
			return b, errors.New("rtnl: address: AnyPrefixLength with a Peer")
		}
	}
	local, remote := a.Prefix.Addr(), a.Prefix.Addr()
	if a.Peer.IsValid() {
		if a.Peer.Bits() != a.Prefix.Bits() || a.Peer.Addr().BitLen() != local.BitLen() {
			return b, fmt.Errorf("rtnl: address: Peer %v does not match Prefix %v in family and length", a.Peer, a.Prefix)
		}
		remote = a.Peer.Addr()
	}
	start := len(b)
	plen := a.Prefix.Bits()
	if a.AnyPrefixLength {
		plen = 32 // as iproute2 sends it; without IFA_ADDRESS the kernel ignores it
	}
	b = append(b, byte(fam), byte(plen), byte(a.Flags), byte(a.Scope), 0, 0, 0, 0)
	binary.NativeEndian.PutUint32(b[start+4:], uint32(a.Index))
	e := nlattr.NewEncoder(b)
	e.Addr(ifaLocal, local)
	if !a.AnyPrefixLength {
		e.Addr(ifaAddress, remote)
	}
	if a.Label != "" {
		e.String(ifaLabel, a.Label)
	}
	if !del {
		if a.Broadcast.IsValid() {
			e.Addr(ifaBroadcast, a.Broadcast)
		}
		if a.Anycast.IsValid() {
			e.Addr(ifaAnycast, a.Anycast)
		}
		e.Uint32(ifaFlags, uint32(a.Flags))
		// Always, forever included: a replace resets the lifetimes.
		var ci [ifaCacheInfoLen]byte
		binary.NativeEndian.PutUint32(ci[0:], a.PreferredLifetime.Seconds())
		binary.NativeEndian.PutUint32(ci[4:], a.ValidLifetime.Seconds())
		e.Bytes(ifaCacheInfo, ci[:])
		if a.Metric != 0 {
			e.Uint32(ifaRtPrio, a.Metric)
		}
		if a.Protocol != 0 {
			e.Uint8(ifaProto, uint8(a.Protocol))
		}
	}
	return e.Finish()
}

// decodeAddress decodes the body of an RTM_NEWADDR message (struct
// ifaddrmsg and attributes). Unknown attributes are skipped; a known one
// with the wrong length, or addresses that contradict the family or
// prefix length, are errors. The result does not alias b.
func decodeAddress(b []byte) (Address, error) {
	var a Address
	err := a.decode(b, "")
	return a, err
}

// decode decodes b into a, replacing all of it (and zeroing it on error).
// A label equal to prevLabel is that string, not a new one: a dump lists
// each link's addresses together, under the same label.
func (a *Address) decode(b []byte, prevLabel string) (err error) {
	*a = Address{}
	defer func() {
		if err != nil {
			*a = Address{}
		}
	}()
	if len(b) < ifaddrmsgLen {
		return fmt.Errorf("rtnl: decode address: %d-byte message, want at least %d (struct ifaddrmsg)", len(b), ifaddrmsgLen)
	}
	a.Family = Family(b[0])
	plen := int(b[1])
	a.Flags = AddressFlags(b[2])
	a.Scope = Scope(b[3])
	a.Index = int32(binary.NativeEndian.Uint32(b[4:8]))
	var local, addr netip.Addr
	d := nlattr.NewDecoder(b[ifaddrmsgLen:])
	for d.Next() {
		switch d.Type() {
		case ifaAddress:
			addr = d.Addr()
		case ifaLocal:
			local = d.Addr()
		case ifaLabel:
			a.Label = d.StringOf(prevLabel)
		case ifaBroadcast:
			a.Broadcast = d.Addr()
		case ifaAnycast:
			a.Anycast = d.Addr()
		case ifaCacheInfo:
			if d.Len() != ifaCacheInfoLen {
				d.Fail(nlattr.ErrBadLength)
				break
			}
			ci := d.Bytes()
			a.PreferredLifetime = LifetimeSeconds(binary.NativeEndian.Uint32(ci[0:]))
			a.ValidLifetime = LifetimeSeconds(binary.NativeEndian.Uint32(ci[4:]))
		case ifaFlags:
			a.Flags = AddressFlags(d.Uint32())
		case ifaRtPrio:
			a.Metric = d.Uint32()
		case ifaProto:
			a.Protocol = AddressProtocol(d.Uint8())
		}
	}
	if err := d.Err(); err != nil {
		return decodeAttrError("address", namesSpace(ifaAttrNames[:], "IFA_"), b[ifaddrmsgLen:], err)
	}
	if !local.IsValid() {
		local = addr
	}
	if local.IsValid() {
		want := 0
		switch a.Family {
		case FamilyIPv4:
			want = 32
		case FamilyIPv6:
			want = 128
		}
		if want != 0 && local.BitLen() != want || addr.IsValid() && addr.BitLen() != local.BitLen() {
			return fmt.Errorf("rtnl: decode address: %d-bit IFA_LOCAL/IFA_ADDRESS in a family %v message", local.BitLen(), a.Family)
		}
		if plen > local.BitLen() {
			return fmt.Errorf("rtnl: decode address: prefix length %d for a %d-bit address", plen, local.BitLen())
		}
		a.Prefix = netip.PrefixFrom(local, plen)
		if addr.IsValid() && addr != local {
			a.Peer = netip.PrefixFrom(addr, plen)
		}
	}
	return nil
}
