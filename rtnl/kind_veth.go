package rtnl

import (
	"encoding/binary"
	"errors"
	"net"

	"github.com/nlkit/nlkit/netns"
	"github.com/nlkit/nlkit/nlattr"
	"golang.org/x/sys/unix"
)

// vethInfoPeer is VETH_INFO_PEER (linux/veth.h): the peer's struct
// ifinfomsg followed by its IFLA_* attributes.
const vethInfoPeer = 1

var linkVethSpace = linkAttrSpace{map[uint16]string{vethInfoPeer: "VETH_INFO_PEER"}, "VETH_INFO_"}

// Veth is a virtual Ethernet pair (kind "veth"). Creating one creates both
// ends: the Link given to AddLink is one, the fields below describe the
// other (the peer), sent in VETH_INFO_PEER.
//
// The kernel does not report the peer when listing links: a decoded
// Veth's fields are empty, and the peer is found through the Link's
// Parent (its index) and LinkNetNSID (its namespace, if not the same).
type Veth struct {
	// PeerName names the peer (IFLA_IFNAME); "" lets the kernel pick
	// "vethN".
	PeerName string
	// PeerHardwareAddr is the peer's MAC address (IFLA_ADDRESS); nil for
	// a random one.
	PeerHardwareAddr net.HardwareAddr
	// PeerMTU is the peer's MTU (IFLA_MTU); 0 for the default.
	PeerMTU uint32
	// PeerTxQueueLen is the peer's transmit queue length (IFLA_TXQLEN); 0
	// for the default.
	PeerTxQueueLen uint32
	// PeerNetNS creates the peer in that namespace (IFLA_NET_NS_FD) rather
	// than the Conn's. The caller keeps ownership; decoding never sets
	// it.
	PeerNetNS *netns.NS
	// PeerFlags and PeerChange are the peer's ifi_flags and ifi_change:
	// the interface flags in PeerChange (LinkNoARP, LinkMulticast,
	// LinkPromisc...) are set to their value in PeerFlags, as iproute2's
	// "peer name B arp off multicast on" does. LinkUp cannot be set: the
	// kernel opens the peer before its other end exists and fails with
	// ENOTCONN.
	PeerFlags, PeerChange LinkFlags
	// PeerGroup puts the peer in an interface group (IFLA_GROUP); nil
	// for the default group.
	PeerGroup *uint32
}

// LinkKind returns "veth".
func (*Veth) LinkKind() string { return "veth" }

func (v *Veth) appendInfoData(e *nlattr.Encoder, full bool) error {
	if v.PeerName == "" && v.PeerHardwareAddr == nil && v.PeerMTU == 0 && v.PeerTxQueueLen == 0 && v.PeerNetNS == nil &&
		v.PeerFlags == 0 && v.PeerChange == 0 && v.PeerGroup == nil {
		return nil
	}
	pe := nlattr.NewEncoder(appendLinkMsg(make([]byte, 0, 64), 0, 0, v.PeerFlags&v.PeerChange, v.PeerChange))
	if v.PeerGroup != nil {
		pe.Uint32(unix.IFLA_GROUP, *v.PeerGroup)
	}
	if v.PeerName != "" {
		pe.String(unix.IFLA_IFNAME, v.PeerName)
	}
	if len(v.PeerHardwareAddr) > 0 {
		pe.Bytes(unix.IFLA_ADDRESS, v.PeerHardwareAddr)
	}
	if v.PeerMTU != 0 {
		pe.Uint32(unix.IFLA_MTU, v.PeerMTU)
	}
	if v.PeerTxQueueLen != 0 {
		pe.Uint32(unix.IFLA_TXQLEN, v.PeerTxQueueLen)
	}
	if v.PeerNetNS != nil {
		fd := v.PeerNetNS.Fd()
		if fd < 0 {
			return errors.New("veth PeerNetNS is closed")
		}
		pe.Uint32(unix.IFLA_NET_NS_FD, uint32(fd))
	}
	peer, err := pe.Finish()
	if err != nil {
		return err
	}
	e.Nest(unix.IFLA_INFO_DATA)
	e.Bytes(vethInfoPeer, peer)
	e.End()
	return nil
}

// decodeVeth decodes veth IFLA_INFO_DATA. The kernel does not send it;
// it is decoded for symmetry with what appendInfoData writes.
func decodeVeth(d *nlattr.Decoder) *Veth {
	v := new(Veth)
	for d.Next() {
		if d.Type() != vethInfoPeer {
			continue
		}
		p := d.Bytes()
		if len(p) < linkMsgLen {
			d.Fail(nlattr.ErrBadLength)
			return v
		}
		v.PeerFlags = LinkFlags(binary.NativeEndian.Uint32(p[8:]))
		v.PeerChange = LinkFlags(binary.NativeEndian.Uint32(p[12:]))
		pd := nlattr.NewDecoder(p[linkMsgLen:])
		for pd.Next() {
			switch pd.Type() {
			case unix.IFLA_IFNAME:
				v.PeerName = pd.String()
			case unix.IFLA_ADDRESS:
				if b := pd.Bytes(); len(b) > 0 {
					v.PeerHardwareAddr = net.HardwareAddr(append([]byte(nil), b...))
				}
			case unix.IFLA_MTU:
				v.PeerMTU = pd.Uint32()
			case unix.IFLA_TXQLEN:
				v.PeerTxQueueLen = pd.Uint32()
			case unix.IFLA_GROUP:
				g := pd.Uint32()
				v.PeerGroup = &g
			}
		}
		if err := pd.Err(); err != nil {
			// The peer's attributes follow a struct, so they are not a
			// nest the parent Decoder can follow: report at the peer.
			d.Fail(vethPeerError(err, d.Offset()+nlattr.HeaderLen+linkMsgLen))
			return v
		}
	}
	return v
}

// vethPeerError rebuilds an error of the peer's attributes from its
// values only: passing err itself on (or to errors.Is) would make the
// escape analysis move the decoders of every link to the heap. base is
// the offset of the peer's attributes in the link's, so that the error
// names the path to the attribute (VETH_INFO_PEER/IFLA_MTU).
func vethPeerError(err error, base int) error {
	ae, ok := err.(*nlattr.Error)
	if !ok {
		return nlattr.ErrBadLength
	}
	cause := nlattr.ErrBadLength
	if ae.Err == nlattr.ErrTruncated {
		cause = nlattr.ErrTruncated
	}
	return &nlattr.Error{Type: ae.Type, Len: ae.Len, Offset: base + ae.Offset, Err: cause}
}
