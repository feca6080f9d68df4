package rtnl

import (
	"bytes"

	"github.com/nlkit/nlkit/nlattr"
	"golang.org/x/sys/unix"
)

// LinkInfo is the kind-specific part of a link (IFLA_LINKINFO: the kind in
// IFLA_INFO_KIND, its settings in IFLA_INFO_DATA). It is implemented by
// *Veth, *Bridge, *Macvlan (macvlan and macvtap), *Vxlan, *Vlan, *TunTap,
// the tunnels *Gre, *IPTunnel, *Vti and *Xfrm, and *UnknownKind, which carries the raw settings of any other kind. The
// set is closed: use UnknownKind for kinds this package does not model.
//
// In kind structs, a nil pointer field means "not set": on creation the
// kernel's default applies, and decoding leaves it nil when the kernel did
// not report it. Plain fields whose zero value is not a meaningful setting
// work the same way with that zero value.
type LinkInfo interface {
	// LinkKind returns the IFLA_INFO_KIND string: "veth", "bridge", ...
	LinkKind() string

	// appendInfoData appends IFLA_INFO_DATA, if there is anything to say:
	// the settings a request sends, and with full the read-only state
	// too, as the kernel reports it.
	appendInfoData(e *nlattr.Encoder, full bool) error
}

// UnknownKind is the kind-specific part of a link of a kind this package
// does not model, kept raw: listing such links loses nothing, and AddLink
// can create them from hand-made attributes (or none: &UnknownKind{Kind:
// "ifb"}, or just Link.Kind).
type UnknownKind struct {
	// Kind is the IFLA_INFO_KIND string.
	Kind string
	// Data is the payload of IFLA_INFO_DATA (netlink attributes), nil if
	// there was none. Decoding copies it.
	Data []byte
}

// LinkKind returns u.Kind.
func (u *UnknownKind) LinkKind() string { return u.Kind }

func (u *UnknownKind) appendInfoData(e *nlattr.Encoder, full bool) error {
	if len(u.Data) > 0 {
		e.Bytes(unix.IFLA_INFO_DATA|nlattr.Nested, u.Data)
	}
	return nil
}

// LinkPortInfo describes a link in its role as a port of a master device
// (IFLA_INFO_SLAVE_KIND and IFLA_INFO_SLAVE_DATA): *BridgePort for bridge
// ports, *UnknownPort for other masters (bond, vrf, team, ...). It is
// read-only: this package does not send it.
type LinkPortInfo interface {
	// PortKind returns the IFLA_INFO_SLAVE_KIND string: the master's
	// kind, "bridge" for instance.
	PortKind() string

	// appendPortData appends IFLA_INFO_SLAVE_DATA, if there is anything.
	appendPortData(e *nlattr.Encoder)
}

// UnknownPort is the port information of a link whose master is of a kind
// this package does not model, kept raw.
type UnknownPort struct {
	// Kind is the IFLA_INFO_SLAVE_KIND string.
	Kind string
	// Data is the payload of IFLA_INFO_SLAVE_DATA, nil if there was none.
	// Decoding copies it.
	Data []byte
}

// PortKind returns u.Kind.
func (u *UnknownPort) PortKind() string { return u.Kind }

func (u *UnknownPort) appendPortData(e *nlattr.Encoder) {
	if len(u.Data) > 0 {
		e.Bytes(unix.IFLA_INFO_SLAVE_DATA|nlattr.Nested, u.Data)
	}
}

// linkKind reads a kind (IFLA_INFO_KIND, IFLA_INFO_SLAVE_KIND) without
// allocating for the kinds this package knows.
func linkKind(d *nlattr.Decoder) string {
	return d.StringOf("veth", "bridge", "macvlan", "macvtap", "vxlan", "vlan", "tun", "ifb", "dummy", "bond",
		"gre", "gretap", "erspan", "ip6gre", "ip6gretap", "ip6erspan", "ipip", "sit", "ip6tnl", "vti", "vti6", "xfrm")
}

// decodeLinkInfo decodes the IFLA_LINKINFO attribute current in d into l.
// Errors are recorded on d.
func decodeLinkInfo(d *nlattr.Decoder, l *Link) {
	// The kinds first: the data is decoded according to them, and the
	// kernel does not promise their order.
	var kind, portKind string
	li := d.Nested()
	for li.Next() {
		switch li.Type() {
		case unix.IFLA_INFO_KIND:
			kind = linkKind(&li)
		case unix.IFLA_INFO_SLAVE_KIND:
			portKind = linkKind(&li)
		}
	}
	if li.Err() != nil {
		return
	}
	var info LinkInfo
	var port LinkPortInfo
	li = d.Nested()
	for li.Next() {
		// Data without its kind means nothing and is skipped.
		switch {
		case li.Type() == unix.IFLA_INFO_DATA && kind != "":
			dd := li.Nested()
			info = decodeInfoData(kind, &dd, li.Bytes())
		case li.Type() == unix.IFLA_INFO_SLAVE_DATA && portKind != "":
			dd := li.Nested()
			port = decodePortData(portKind, &dd, li.Bytes())
		}
	}
	if info == nil && kind != "" {
		info = decodeInfoData(kind, &nlattr.Decoder{}, nil)
	}
	if port == nil && portKind != "" {
		port = decodePortData(portKind, &nlattr.Decoder{}, nil)
	}
	l.Kind, l.Info, l.Port = kind, info, port
}

// decodeInfoData decodes IFLA_INFO_DATA of a kind: d iterates over its
// attributes, raw is its payload.
func decodeInfoData(kind string, d *nlattr.Decoder, raw []byte) LinkInfo {
	switch kind {
	case "veth":
		return decodeVeth(d)
	case "bridge":
		return decodeBridge(d)
	case "macvlan", "macvtap":
		return decodeMacvlan(d, kind == "macvtap")
	case "vxlan":
		return decodeVxlan(d)
	case "vlan":
		return decodeVlan(d)
	case "tun":
		return decodeTunTap(d)
	}
	if info := decodeTunnelData(kind, d); info != nil {
		return info
	}
	return &UnknownKind{Kind: kind, Data: linkCloneData(raw)}
}

// linkCloneData copies b, or returns nil if b is empty.
func linkCloneData(b []byte) []byte {
	if len(b) == 0 {
		return nil
	}
	return bytes.Clone(b)
}

// decodePortData decodes IFLA_INFO_SLAVE_DATA for a master kind.
func decodePortData(kind string, d *nlattr.Decoder, raw []byte) LinkPortInfo {
	if kind == "bridge" {
		return decodeBridgePort(d)
	}
	return &UnknownPort{Kind: kind, Data: linkCloneData(raw)}
}

// appendLinkInfo appends IFLA_LINKINFO for l; with full, the port
// information too.
func appendLinkInfo(e *nlattr.Encoder, l *Link, full bool) error {
	kind := l.Kind
	if l.Info != nil {
		kind = l.Info.LinkKind()
	}
	port := full && l.Port != nil
	if kind == "" && !port {
		return nil
	}
	e.Nest(unix.IFLA_LINKINFO)
	if kind != "" {
		e.String(unix.IFLA_INFO_KIND, kind)
		if l.Info != nil {
			if err := l.Info.appendInfoData(e, full); err != nil {
				return err
			}
		}
	}
	if port {
		e.String(unix.IFLA_INFO_SLAVE_KIND, l.Port.PortKind())
		l.Port.appendPortData(e)
	}
	e.End()
	return nil
}

// linkKindSpace names the IFLA_INFO_DATA attributes of a kind, for errors.
func linkKindSpace(kind string) (linkAttrSpace, bool) {
	switch kind {
	case "veth":
		return linkVethSpace, true
	case "bridge":
		return linkBridgeSpace, true
	case "macvlan", "macvtap":
		return linkMacvlanSpace, true
	case "vxlan":
		return linkVxlanSpace, true
	case "vlan":
		return linkVlanSpace, true
	case "tun":
		return linkTunSpace, true
	}
	return tunnelKindSpace(kind)
}

// linkPortSpace names the IFLA_INFO_SLAVE_DATA attributes of a master
// kind, for errors.
func linkPortSpace(kind string) (linkAttrSpace, bool) {
	if kind == "bridge" {
		return linkBridgePortSpace, true
	}
	return linkAttrSpace{}, false
}

// linkBool is the u8 payload for a boolean attribute.
func linkBool(v bool) uint8 {
	if v {
		return 1
	}
	return 0
}
