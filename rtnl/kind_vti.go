package rtnl

import (
	"net/netip"

	"github.com/nlkit/nlkit/nlattr"
	"golang.org/x/sys/unix"
)

var linkVtiSpace = linkAttrSpace{map[uint16]string{
	iflaVtiLink: "IFLA_VTI_LINK", iflaVtiIKey: "IFLA_VTI_IKEY", iflaVtiOKey: "IFLA_VTI_OKEY",
	iflaVtiLocal: "IFLA_VTI_LOCAL", iflaVtiRemote: "IFLA_VTI_REMOTE", iflaVtiFwmark: "IFLA_VTI_FWMARK",
}, "IFLA_VTI_"}

var linkXfrmSpace = linkAttrSpace{map[uint16]string{
	iflaXfrmLink: "IFLA_XFRM_LINK", iflaXfrmIfID: "IFLA_XFRM_IF_ID", iflaXfrmCollectMetadata: "IFLA_XFRM_COLLECT_METADATA",
}, "IFLA_XFRM_"}

// Vti is a virtual tunnel interface for IPsec (route-based VPN): kind vti
// over IPv4, vti6 over IPv6. The keys select the xfrm policies by their
// mark. The attributes are IFLA_VTI_*; see the conventions of the tunnel
// kinds at TunnelEncap's file: nil and invalid values are not sent, and a
// change sends the whole set.
type Vti struct {
	// Kind is the IFLA_INFO_KIND: "vti" (the default when empty) or
	// "vti6", which takes IPv6 addresses.
	Kind string
	// Device is the index of the lower device (IFLA_VTI_LINK).
	Device *int32
	// IKey and OKey are the marks of received and sent packets
	// (IFLA_VTI_IKEY, IFLA_VTI_OKEY, big-endian on the wire).
	IKey, OKey *uint32
	// Local and Remote are the outer addresses (IFLA_VTI_LOCAL,
	// IFLA_VTI_REMOTE).
	Local, Remote netip.Addr
	// Fwmark marks the outer packets (IFLA_VTI_FWMARK).
	Fwmark *uint32
}

// LinkKind returns v.Kind, "vti" if empty.
func (v *Vti) LinkKind() string {
	if v.Kind == "" {
		return "vti"
	}
	return v.Kind
}

// IPv6 reports whether the kind is vti6.
func (v *Vti) IPv6() bool { return v.Kind == "vti6" }

func (v *Vti) appendInfoData(e *nlattr.Encoder, full bool) error {
	if *v == (Vti{Kind: v.Kind}) {
		return nil // nothing to say: no IFLA_INFO_DATA, as iproute2 without words
	}
	six := v.IPv6()
	e.Nest(unix.IFLA_INFO_DATA)
	if v.Device != nil {
		e.Uint32(iflaVtiLink, uint32(*v.Device))
	}
	if v.IKey != nil {
		e.Uint32BE(iflaVtiIKey, *v.IKey)
	}
	if v.OKey != nil {
		e.Uint32BE(iflaVtiOKey, *v.OKey)
	}
	if err := tunnelAddr(e, iflaVtiLocal, v.Local, six); err != nil {
		return err
	}
	if err := tunnelAddr(e, iflaVtiRemote, v.Remote, six); err != nil {
		return err
	}
	putU32(e, iflaVtiFwmark, v.Fwmark)
	e.End()
	return nil
}

// decodeVti decodes the IFLA_INFO_DATA of vti or vti6.
func decodeVti(d *nlattr.Decoder, kind string) *Vti {
	v := &Vti{Kind: kind}
	six := v.IPv6()
	var x *struct {
		device             int32
		ikey, okey, fwmark uint32
	}
	for d.Next() {
		if x == nil {
			x = new(struct {
				device             int32
				ikey, okey, fwmark uint32
			})
		}
		switch d.Type() {
		case iflaVtiLink:
			x.device, v.Device = d.Int32(), &x.device
		case iflaVtiIKey:
			x.ikey, v.IKey = d.Uint32BE(), &x.ikey
		case iflaVtiOKey:
			x.okey, v.OKey = d.Uint32BE(), &x.okey
		case iflaVtiLocal:
			v.Local = tunnelAddrOf(d, six)
		case iflaVtiRemote:
			v.Remote = tunnelAddrOf(d, six)
		case iflaVtiFwmark:
			x.fwmark, v.Fwmark = d.Uint32(), &x.fwmark
		}
	}
	return v
}

// Xfrm is an xfrm interface (kind "xfrm"): IPsec traffic whose policies
// and states carry its interface ID goes through it. The attributes are
// IFLA_XFRM_*; nil values are not sent.
type Xfrm struct {
	// Device is the index of the lower device (IFLA_XFRM_LINK).
	Device *int32
	// IfID is the interface ID that xfrm states and policies name
	// (IFLA_XFRM_IF_ID); the kernel refuses 0 unless External.
	IfID *uint32
	// External makes a metadata-based interface
	// (IFLA_XFRM_COLLECT_METADATA, iproute2 "external").
	External bool
}

// LinkKind returns "xfrm".
func (*Xfrm) LinkKind() string { return "xfrm" }

func (x *Xfrm) appendInfoData(e *nlattr.Encoder, full bool) error {
	if *x == (Xfrm{}) {
		return nil // nothing to say: no IFLA_INFO_DATA, as iproute2 without words
	}
	e.Nest(unix.IFLA_INFO_DATA)
	if x.Device != nil {
		e.Uint32(iflaXfrmLink, uint32(*x.Device))
	}
	putU32(e, iflaXfrmIfID, x.IfID)
	if x.External {
		e.Flag(iflaXfrmCollectMetadata)
	}
	e.End()
	return nil
}

// decodeXfrm decodes the IFLA_INFO_DATA of an xfrm interface.
func decodeXfrm(d *nlattr.Decoder) *Xfrm {
	x := new(Xfrm)
	var v *struct {
		device int32
		ifID   uint32
	}
	for d.Next() {
		if v == nil {
			v = new(struct {
				device int32
				ifID   uint32
			})
		}
		switch d.Type() {
		case iflaXfrmLink:
			v.device, x.Device = d.Int32(), &v.device
		case iflaXfrmIfID:
			v.ifID, x.IfID = d.Uint32(), &v.ifID
		case iflaXfrmCollectMetadata:
			x.External = tunnelFlag(d)
		}
	}
	return x
}
