package netlink

import (
	"context"
	"encoding/binary"
	"fmt"

	"github.com/nlkit/nlkit/nlattr"
)

// Constants of NETLINK_SOCK_DIAG for netlink sockets
// (linux/sock_diag.h, linux/netlink_diag.h).
const (
	protoSockDiag     = 4  // NETLINK_SOCK_DIAG
	sockDiagByFamily  = 20 // SOCK_DIAG_BY_FAMILY
	afNetlink         = 16 // AF_NETLINK
	ndiagShowMeminfo  = 1  // NDIAG_SHOW_MEMINFO
	netlinkDiagMemin  = 0  // NETLINK_DIAG_MEMINFO
	netlinkDiagMsgLen = 28 // sizeof(struct netlink_diag_msg)
	skMeminfoDrops    = 8  // SK_MEMINFO_DROPS
)

// KernelDrops returns how many messages the kernel has dropped for this
// socket because its receive buffer was full (sk_drops, read through
// NETLINK_SOCK_DIAG). With Config.NoENOBUFS it is the only trace of such
// losses. It opens a short-lived diagnostic socket in the Conn's namespace.
func (c *Conn) KernelDrops(ctx context.Context) (uint32, error) {
	ino, err := c.s.inode()
	if err != nil {
		return 0, err
	}
	diag, err := Dial(protoSockDiag, &Config{NetNS: c.cfg.NetNS})
	if err != nil {
		return 0, err
	}
	defer diag.Close()
	// struct netlink_diag_req
	req := make([]byte, 16)
	req[0] = afNetlink
	req[1] = byte(c.s.family)
	binary.NativeEndian.PutUint32(req[8:], ndiagShowMeminfo)
	binary.NativeEndian.PutUint32(req[12:], ^uint32(0)) // ndiag_cookie: none
	req = binary.NativeEndian.AppendUint32(req, ^uint32(0))
	found := false
	var drops uint32
	for m, err := range diag.Dump(ctx, Message{Header: Header{Type: sockDiagByFamily}, Data: req}) {
		if err != nil {
			return 0, err
		}
		if found || len(m.Data) < netlinkDiagMsgLen || binary.NativeEndian.Uint32(m.Data[16:20]) != ino {
			continue
		}
		found = true
		d := nlattr.NewDecoder(m.Data[netlinkDiagMsgLen:])
		for d.Next() {
			if d.Type() == netlinkDiagMemin {
				b := d.Bytes()
				if len(b) >= 4*(skMeminfoDrops+1) {
					drops = binary.NativeEndian.Uint32(b[4*skMeminfoDrops:])
				}
			}
		}
		if err := d.Err(); err != nil {
			return 0, fmt.Errorf("netlink: socket diag: %w", err)
		}
	}
	if !found {
		return 0, fmt.Errorf("netlink: socket diag: socket inode %d not listed", ino)
	}
	return drops, nil
}
