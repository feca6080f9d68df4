package rtnl

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"net"
	"runtime"
	"strconv"

	"golang.org/x/sys/unix"

	"github.com/nlkit/nlkit/netlink"
	"github.com/nlkit/nlkit/nlattr"
)

// ProtoDownReason is a change of a link's protodown reason bits
// (IFLA_PROTO_DOWN_REASON): each bit set in Mask takes its value from
// Value. Reasons are numbered by the protocols that set them (iproute2's
// /etc/iproute2/protodown_reasons.d).
type ProtoDownReason struct {
	Mask, Value uint32
}

// XDPFlags are the attach flags of an XDP program (XDP_FLAGS_* from
// linux/if_link.h).
type XDPFlags uint32

// XDP attach flags (linux/if_link.h).
const (
	XDPUpdateIfNoExist XDPFlags = 1 << 0 // XDP_FLAGS_UPDATE_IF_NOEXIST: fail if a program is attached
	XDPSKBMode         XDPFlags = 1 << 1 // XDP_FLAGS_SKB_MODE: generic XDP ("xdpgeneric")
	XDPDrvMode         XDPFlags = 1 << 2 // XDP_FLAGS_DRV_MODE: in the driver ("xdpdrv")
	XDPHWMode          XDPFlags = 1 << 3 // XDP_FLAGS_HW_MODE: offloaded ("xdpoffload")
	XDPReplace         XDPFlags = 1 << 4 // XDP_FLAGS_REPLACE: replace only the program given by ExpectedFD
)

// LinkXDP attaches an XDP program to a link, or detaches it (IFLA_XDP):
// FD is the program's descriptor, -1 to detach (`ip link set DEV xdp
// off`). The caller keeps ownership of the descriptors.
type LinkXDP struct {
	FD    int32
	Flags XDPFlags
	// ExpectedFD, with XDPReplace, names the program that must be
	// attached for the change to happen (IFLA_XDP_EXPECTED_FD).
	ExpectedFD int32
}

// VFLinkState is the link state of an SR-IOV virtual function
// (IFLA_VF_LINK_STATE_*).
type VFLinkState uint32

// Virtual function link states (linux/if_link.h).
const (
	VFLinkStateAuto    VFLinkState = 0 // IFLA_VF_LINK_STATE_AUTO: follows the physical function
	VFLinkStateEnable  VFLinkState = 1 // IFLA_VF_LINK_STATE_ENABLE
	VFLinkStateDisable VFLinkState = 2 // IFLA_VF_LINK_STATE_DISABLE
)

// VFVLAN is the VLAN an SR-IOV virtual function tags its traffic with.
type VFVLAN struct {
	ID  uint32 // 0 for none
	QoS uint32 // 802.1p priority
	// Proto is the tag's EtherType (0x8100, 802.1Q, when 0; 0x88a8 for
	// 802.1ad). 802.1Q goes as IFLA_VF_VLAN, which every kernel knows,
	// another protocol as IFLA_VF_VLAN_LIST.
	Proto uint16
}

// VFRate bounds the transmit rate of a virtual function, in Mbit/s
// (IFLA_VF_RATE); 0 for no bound.
type VFRate struct {
	MinTxRate, MaxTxRate uint32
}

// VFChange changes the settings of one SR-IOV virtual function (an
// IFLA_VF_INFO entry of IFLA_VFINFO_LIST): only what is set is sent.
type VFChange struct {
	// VF is the number of the virtual function.
	VF uint32
	// HardwareAddr sets its MAC address (IFLA_VF_MAC).
	HardwareAddr net.HardwareAddr
	// VLAN sets its VLAN (IFLA_VF_VLAN or IFLA_VF_VLAN_LIST).
	VLAN *VFVLAN
	// TxRate sets its maximum transmit rate in Mbit/s with the older
	// attribute (IFLA_VF_TX_RATE); Rate supersedes it.
	TxRate *uint32
	// Rate sets its minimum and maximum transmit rates (IFLA_VF_RATE).
	Rate *VFRate
	// SpoofCheck turns MAC and VLAN anti-spoofing on or off
	// (IFLA_VF_SPOOFCHK).
	SpoofCheck *bool
	// RSSQuery lets the function query the RSS configuration
	// (IFLA_VF_RSS_QUERY_EN).
	RSSQuery *bool
	// LinkState sets its link state (IFLA_VF_LINK_STATE).
	LinkState *VFLinkState
	// Trust lets the function change settings that affect security,
	// such as promiscuous mode (IFLA_VF_TRUST).
	Trust *bool
	// NodeGUID and PortGUID set InfiniBand GUIDs (IFLA_VF_IB_NODE_GUID,
	// IFLA_VF_IB_PORT_GUID).
	NodeGUID, PortGUID *uint64
}

// IFLA_VF_* attribute types inside IFLA_VF_INFO (linux/if_link.h).
const (
	iflaVFInfo        = 1
	iflaVFMAC         = 1
	iflaVFVLAN        = 2
	iflaVFTxRate      = 3
	iflaVFSpoofChk    = 4
	iflaVFLinkState   = 5
	iflaVFRate        = 6
	iflaVFRSSQueryEn  = 7
	iflaVFTrust       = 9
	iflaVFIBNodeGUID  = 10
	iflaVFIBPortGUID  = 11
	iflaVFVLANList    = 12
	iflaVFVLANInfo    = 1
	iflaXDPFD         = 1
	iflaXDPFlags      = 3
	iflaXDPExpectedFD = 8
	vfMACLen          = 32 // struct ifla_vf_mac's mac[32]
	ethP8021Q         = 0x8100
)

// vfU32s appends a struct of a VF number and u32 values (ifla_vf_spoofchk
// and its like).
func vfU32s(vf uint32, vs ...uint32) []byte {
	b := binary.NativeEndian.AppendUint32(make([]byte, 0, 4+4*len(vs)), vf)
	for _, v := range vs {
		b = binary.NativeEndian.AppendUint32(b, v)
	}
	return b
}

func boolU32(b bool) uint32 {
	if b {
		return 1
	}
	return 0
}

// vfGUID is struct ifla_vf_guid: a u32, 4 bytes of padding, a u64.
func vfGUID(vf uint32, guid uint64) []byte {
	b := binary.NativeEndian.AppendUint32(make([]byte, 0, 16), vf)
	b = append(b, 0, 0, 0, 0)
	return binary.NativeEndian.AppendUint64(b, guid)
}

// appendVF appends one IFLA_VF_INFO.
func appendVF(e *nlattr.Encoder, v *VFChange) error {
	e.Nest(iflaVFInfo)
	if v.HardwareAddr != nil {
		if len(v.HardwareAddr) > vfMACLen {
			return fmt.Errorf("VF %d: HardwareAddr longer than %d bytes", v.VF, vfMACLen)
		}
		b := make([]byte, 4+vfMACLen)
		binary.NativeEndian.PutUint32(b, v.VF)
		copy(b[4:], v.HardwareAddr)
		e.Bytes(iflaVFMAC, b)
	}
	if v.VLAN != nil {
		if v.VLAN.ID > 4095 || v.VLAN.QoS > 7 {
			return fmt.Errorf("VF %d: VLAN %d QoS %d out of range (0-4095, 0-7)", v.VF, v.VLAN.ID, v.VLAN.QoS)
		}
		if v.VLAN.Proto == 0 || v.VLAN.Proto == ethP8021Q {
			e.Bytes(iflaVFVLAN, vfU32s(v.VF, v.VLAN.ID, v.VLAN.QoS))
		} else {
			b := vfU32s(v.VF, v.VLAN.ID, v.VLAN.QoS)
			b = binary.BigEndian.AppendUint16(b, v.VLAN.Proto)
			b = append(b, 0, 0) // struct padding
			e.Nest(iflaVFVLANList)
			e.Bytes(iflaVFVLANInfo, b)
			e.End()
		}
	}
	if v.TxRate != nil {
		e.Bytes(iflaVFTxRate, vfU32s(v.VF, *v.TxRate))
	}
	if v.SpoofCheck != nil {
		e.Bytes(iflaVFSpoofChk, vfU32s(v.VF, boolU32(*v.SpoofCheck)))
	}
	if v.RSSQuery != nil {
		e.Bytes(iflaVFRSSQueryEn, vfU32s(v.VF, boolU32(*v.RSSQuery)))
	}
	if v.LinkState != nil {
		e.Bytes(iflaVFLinkState, vfU32s(v.VF, uint32(*v.LinkState)))
	}
	if v.Trust != nil {
		e.Bytes(iflaVFTrust, vfU32s(v.VF, boolU32(*v.Trust)))
	}
	if v.NodeGUID != nil {
		e.Bytes(iflaVFIBNodeGUID, vfGUID(v.VF, *v.NodeGUID))
	}
	if v.PortGUID != nil {
		e.Bytes(iflaVFIBPortGUID, vfGUID(v.VF, *v.PortGUID))
	}
	if v.Rate != nil {
		e.Bytes(iflaVFRate, vfU32s(v.VF, v.Rate.MinTxRate, v.Rate.MaxTxRate))
	}
	e.End()
	return nil
}

// appendLinkChange appends the attributes of ch that are not the kind's
// (IFLA_LINKINFO is the caller's).
func appendLinkChange(e *nlattr.Encoder, ch *LinkChange) error {
	if ch.NetNS != nil && ch.NetNSPID != 0 {
		return errors.New("NetNS and NetNSPID both set")
	}
	if ch.Name != "" {
		e.String(unix.IFLA_IFNAME, ch.Name)
	}
	if ch.MTU != 0 {
		e.Uint32(unix.IFLA_MTU, ch.MTU)
	}
	if ch.HardwareAddr != nil {
		e.Bytes(unix.IFLA_ADDRESS, ch.HardwareAddr)
	}
	if ch.Broadcast != nil {
		e.Bytes(unix.IFLA_BROADCAST, ch.Broadcast)
	}
	if ch.Master != nil {
		e.Uint32(unix.IFLA_MASTER, uint32(*ch.Master))
	}
	if ch.NetNS != nil {
		fd := ch.NetNS.Fd()
		if fd < 0 {
			return errors.New("NetNS is closed")
		}
		e.Uint32(unix.IFLA_NET_NS_FD, uint32(fd))
	}
	if ch.NetNSPID != 0 {
		e.Uint32(unix.IFLA_NET_NS_PID, uint32(ch.NetNSPID))
	}
	if ch.NewIndex != 0 {
		if ch.NetNS == nil && ch.NetNSPID == 0 {
			return errors.New("NewIndex without NetNS or NetNSPID")
		}
		e.Int32(unix.IFLA_NEW_IFINDEX, ch.NewIndex)
	}
	if ch.TxQueueLen != nil {
		e.Uint32(unix.IFLA_TXQLEN, *ch.TxQueueLen)
	}
	if ch.Alias != nil {
		e.String(unix.IFLA_IFALIAS, *ch.Alias)
	}
	if ch.Group != nil {
		e.Uint32(unix.IFLA_GROUP, *ch.Group)
	}
	if ch.LinkMode != nil {
		e.Uint8(unix.IFLA_LINKMODE, uint8(*ch.LinkMode))
	}
	if ch.OperState != nil {
		e.Uint8(unix.IFLA_OPERSTATE, uint8(*ch.OperState))
	}
	if ch.Carrier != nil {
		e.Uint8(unix.IFLA_CARRIER, uint8(boolU32(*ch.Carrier)))
	}
	if ch.ProtoDown != nil {
		e.Uint8(unix.IFLA_PROTO_DOWN, uint8(boolU32(*ch.ProtoDown)))
	}
	if r := ch.ProtoDownReason; r != nil {
		e.Nest(unix.IFLA_PROTO_DOWN_REASON)
		e.Uint32(unix.IFLA_PROTO_DOWN_REASON_MASK, r.Mask)
		e.Uint32(unix.IFLA_PROTO_DOWN_REASON_VALUE, r.Value)
		e.End()
	}
	for _, a := range [...]struct {
		typ uint16
		v   *uint32
	}{{unix.IFLA_GSO_MAX_SIZE, ch.GSOMaxSize}, {unix.IFLA_GSO_MAX_SEGS, ch.GSOMaxSegs}, {unix.IFLA_GRO_MAX_SIZE, ch.GROMaxSize}} {
		if a.v != nil {
			e.Uint32(a.typ, *a.v)
		}
	}
	if ch.AddrGenMode != nil {
		e.Nest(unix.IFLA_AF_SPEC)
		e.Nest(unix.AF_INET6)
		e.Uint8(unix.IFLA_INET6_ADDR_GEN_MODE, uint8(*ch.AddrGenMode))
		e.End()
		e.End()
	}
	if ch.LinkNetNSID != nil {
		e.Int32(unix.IFLA_LINK_NETNSID, *ch.LinkNetNSID)
	}
	if x := ch.XDP; x != nil {
		e.Nest(unix.IFLA_XDP)
		e.Int32(iflaXDPFD, x.FD)
		if x.Flags != 0 {
			e.Uint32(iflaXDPFlags, uint32(x.Flags))
		}
		if x.Flags&XDPReplace != 0 {
			e.Int32(iflaXDPExpectedFD, x.ExpectedFD)
		}
		e.End()
	}
	if len(ch.VFs) > 0 {
		e.Nest(unix.IFLA_VFINFO_LIST)
		for i := range ch.VFs {
			if err := appendVF(e, &ch.VFs[i]); err != nil {
				return err
			}
		}
		e.End()
	}
	return nil
}

// changeFlags gives ifi_flags and ifi_change for ch.
func (ch *LinkChange) changeFlags() (flags, change LinkFlags) {
	flags, change = ch.Flags&ch.FlagsMask, ch.FlagsMask
	if ch.Up != nil {
		change |= LinkUp
		flags &^= LinkUp
		if *ch.Up {
			flags |= LinkUp
		}
	}
	return flags, change
}

// SetLinkGroup applies ch to every link of an interface group in one
// request (RTM_NEWLINK with ifi_index 0 and IFLA_GROUP, as `ip link set
// group N ...`). ch.Group would move the links to another group, which
// the kernel does not do this way: it must be nil; ch.Name and ch.Info,
// which name one link, are refused too.
func (c *Conn) SetLinkGroup(ctx context.Context, group uint32, ch LinkChange) error {
	op := "set link group " + strconv.FormatUint(uint64(group), 10)
	if ch.Group != nil || ch.Name != "" || ch.Info != nil {
		return fmt.Errorf("rtnl: %s: Group, Name and Info cannot be changed for a group", op)
	}
	flags, change := ch.changeFlags()
	e := nlattr.NewEncoder(appendLinkMsg(make([]byte, 0, 128), 0, 0, flags, change))
	e.Uint32(unix.IFLA_GROUP, group)
	if err := appendLinkChange(e, &ch); err != nil {
		return fmt.Errorf("rtnl: %s: %w", op, err)
	}
	body, err := e.Finish()
	if err != nil {
		return fmt.Errorf("rtnl: %s: %w", op, err)
	}
	_, err = c.execute(ctx, op, unix.RTM_NEWLINK, 0, body)
	runtime.KeepAlive(ch.NetNS)
	return err
}

// DeleteLinkGroup deletes every link of an interface group (RTM_DELLINK
// with IFLA_GROUP, as `ip link delete group N`). The kernel refuses
// group 0, the default group every link starts in (EINVAL), and answers
// ENODEV when the group has no link.
func (c *Conn) DeleteLinkGroup(ctx context.Context, group uint32) error {
	e := nlattr.NewEncoder(appendLinkMsg(make([]byte, 0, 32), 0, 0, 0, 0))
	e.Uint32(unix.IFLA_GROUP, group)
	body, err := e.Finish()
	if err != nil {
		return err
	}
	_, err = c.execute(ctx, "delete link group "+strconv.FormatUint(uint64(group), 10), unix.RTM_DELLINK, 0, body)
	return err
}

// AddAltNames gives the link with this index alternative names
// (RTM_NEWLINKPROP with IFLA_PROP_LIST, `ip link property add dev DEV
// altname NAME`). Each name is up to 127 bytes (ALTIFNAMSIZ: the kernel
// refuses longer ones, EINVAL) and unique among the namespace's names and
// alternative names (EEXIST otherwise). All are
// added or none.
func (c *Conn) AddAltNames(ctx context.Context, index int32, names ...string) error {
	return c.linkProp(ctx, "add altnames to", unix.RTM_NEWLINKPROP, netlink.Create|netlink.Excl|netlink.Append, index, names)
}

// DeleteAltNames removes alternative names of the link with this index
// (RTM_DELLINKPROP). A name the link does not have gives ENOENT.
func (c *Conn) DeleteAltNames(ctx context.Context, index int32, names ...string) error {
	return c.linkProp(ctx, "delete altnames of", unix.RTM_DELLINKPROP, 0, index, names)
}

func (c *Conn) linkProp(ctx context.Context, what string, typ netlink.MessageType, flags netlink.Flags, index int32, names []string) error {
	op := what + " link " + linkName("", index)
	if len(names) == 0 {
		return fmt.Errorf("rtnl: %s: no name given", op)
	}
	e := nlattr.NewEncoder(appendLinkMsg(make([]byte, 0, 64), 0, index, 0, 0))
	e.Nest(unix.IFLA_PROP_LIST)
	for _, n := range names {
		if n == "" {
			return fmt.Errorf("rtnl: %s: empty alternative name", op)
		}
		e.String(unix.IFLA_ALT_IFNAME, n)
	}
	e.End()
	body, err := e.Finish()
	if err != nil {
		return fmt.Errorf("rtnl: %s: %w", op, err)
	}
	_, err = c.execute(ctx, op, typ, flags, body)
	return err
}
