package rtnltest

import (
	"bytes"

	"golang.org/x/sys/unix"
)

// The tunnel kinds, made as a kernel with their modules makes them (the
// kernel these tests run on has none): the link reports the IFLA_INFO_DATA
// its request sent, and a change with IFLA_INFO_DATA replaces all of it,
// as the tunnels' changelink takes a whole parameter set. The link's type
// and flags are the kind's (ARPHRD_IPGRE point-to-point for gre, Ethernet
// for gretap, ...).

// tunnelType is the ARPHRD type of a tunnel kind; false for other kinds.
func tunnelType(kind string) (uint16, bool) {
	switch kind {
	case "gre":
		return unix.ARPHRD_IPGRE, true
	case "ip6gre":
		return unix.ARPHRD_IP6GRE, true
	case "gretap", "erspan", "ip6gretap", "ip6erspan":
		return unix.ARPHRD_ETHER, true
	case "ipip", "vti":
		return unix.ARPHRD_TUNNEL, true
	case "sit":
		return unix.ARPHRD_SIT, true
	case "ip6tnl", "vti6":
		return unix.ARPHRD_TUNNEL6, true
	case "xfrm":
		return unix.ARPHRD_NONE, true
	}
	return 0, false
}

// newTunnel returns a tunnel link of kind with the settings data.
func (f *Fake) newTunnel(kind string, data []byte) *fakeLink {
	typ, _ := tunnelType(kind)
	if typ == unix.ARPHRD_ETHER {
		l := f.newEther(kind)
		l.infoData = bytes.Clone(data)
		return l
	}
	l := &fakeLink{kind: kind, typ: typ, flags: unix.IFF_POINTOPOINT | unix.IFF_NOARP, mtu: 1476, minMTU: 68,
		maxMTU: 65511, txqlen: 1000, infoData: bytes.Clone(data)}
	if typ == unix.ARPHRD_NONE {
		l.flags, l.mtu, l.maxMTU = unix.IFF_NOARP, 1500, 65535
	}
	return l
}

// changeTunnel applies a request's IFLA_INFO_DATA to a tunnel link: the
// kind must be the link's; reports whether there was a change to make.
func changeTunnel(l *fakeLink, r *linkReq) (bool, error) {
	if r.kind == "" || !r.hasData {
		return false, nil
	}
	if _, ok := tunnelType(l.kind); !ok || r.kind != l.kind {
		return false, unix.EOPNOTSUPP
	}
	l.infoData = bytes.Clone(r.data)
	return true, nil
}
