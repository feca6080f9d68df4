package rtnl

import (
	"encoding/binary"
	"fmt"
	"time"

	"github.com/nlkit/nlkit/nlattr"
)

// The object codecs of Link, Address and Neighbor, as Route and Rule have
// them: the body of the kernel's message (struct and attributes, without
// the netlink header), so that objects can be stored, compared as bytes
// or fed to a fake.

// MarshalBinary encodes l as the body of a link message as the kernel
// sends it: struct ifinfomsg and every attribute l's fields fill, the
// read-only ones (statistics, OperState, ...) included. NetNS, a handle of
// this process, is not encoded. UnmarshalBinary reads it back.
func (l Link) MarshalBinary() ([]byte, error) { return l.AppendBinary(nil) }

// AppendBinary appends the encoding of l (see MarshalBinary) to b.
func (l Link) AppendBinary(b []byte) ([]byte, error) {
	start := len(b)
	e := nlattr.NewEncoder(appendLinkMsg(b, l.Type, l.Index, l.Flags, 0))
	err := appendLinkAttrs(e, &l, true)
	if err == nil {
		b, err = e.Finish()
	}
	if err != nil {
		return b[:start], fmt.Errorf("rtnl: encode link: %w", err)
	}
	return b, nil
}

// UnmarshalBinary decodes the body of a link message (RTM_NEWLINK) into l,
// replacing all of it; on error l is the zero Link. The result does not
// alias b.
func (l *Link) UnmarshalBinary(b []byte) error {
	v, err := decodeLink(b) // the zero Link on error
	*l = v
	return err
}

// MarshalBinary encodes a as the body of an address message: struct
// ifaddrmsg and attributes, as AddAddress sends it (Family derived from
// Prefix when zero; the lifetimes in IFA_CACHEINFO). Prefix is required.
// UnmarshalBinary reads it back.
func (a Address) MarshalBinary() ([]byte, error) { return a.AppendBinary(nil) }

// AppendBinary appends the encoding of a (see MarshalBinary) to b.
func (a Address) AppendBinary(b []byte) ([]byte, error) {
	start := len(b)
	b, err := appendAddress(b, &a, false)
	if err != nil {
		return b[:start], err
	}
	return b, nil
}

// UnmarshalBinary decodes the body of an address message (RTM_NEWADDR)
// into a, replacing all of it; on error a is the zero Address.
func (a *Address) UnmarshalBinary(b []byte) error {
	v, err := decodeAddress(b)
	if err != nil {
		v = Address{}
	}
	*a = v
	return err
}

// MarshalBinary encodes n as the body of a neighbour message: struct ndmsg
// and attributes, those AddNeighbor sends (Family derived from Addr when
// zero, the defaults of AddNeighbor not applied) and, when set, the ones
// only the kernel reports (NDA_CACHEINFO, NDA_PROBES). Addr is required.
// UnmarshalBinary reads it back.
func (n Neighbor) MarshalBinary() ([]byte, error) { return n.AppendBinary(nil) }

// AppendBinary appends the encoding of n (see MarshalBinary) to b.
func (n Neighbor) AppendBinary(b []byte) ([]byte, error) {
	start := len(b)
	b, err := appendNeighbor(b, &n, false)
	if err != nil {
		return b[:start], err
	}
	if !n.HasCacheInfo && !n.HasProbes {
		return b, nil
	}
	e := nlattr.NewEncoder(b)
	if n.HasCacheInfo {
		ticks := func(d time.Duration) uint32 { return uint32(d / (time.Second / userHZ)) }
		ci := make([]byte, 0, ndaCacheInfoLen)
		ci = binary.NativeEndian.AppendUint32(ci, ticks(n.CacheInfo.Confirmed))
		ci = binary.NativeEndian.AppendUint32(ci, ticks(n.CacheInfo.Used))
		ci = binary.NativeEndian.AppendUint32(ci, ticks(n.CacheInfo.Updated))
		ci = binary.NativeEndian.AppendUint32(ci, n.CacheInfo.RefCount)
		e.Bytes(ndaCacheInfo, ci)
	}
	if n.HasProbes {
		e.Uint32(ndaProbes, n.Probes)
	}
	if b, err = e.Finish(); err != nil {
		return b[:start], fmt.Errorf("rtnl: encode neighbor: %w", err)
	}
	return b, nil
}

// UnmarshalBinary decodes the body of a neighbour message (RTM_NEWNEIGH)
// into n, replacing all of it; on error n is the zero Neighbor.
func (n *Neighbor) UnmarshalBinary(b []byte) error {
	v, err := decodeNeighbor(b)
	if err != nil {
		v = Neighbor{}
	}
	*n = v
	return err
}
