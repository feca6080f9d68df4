package cli

import (
	"context"
	"errors"
	"os"
	"path/filepath"

	"github.com/nlkit/nlkit/netlink"
	"github.com/nlkit/nlkit/nlattr"
)

// Namespace ids (RTM_NEWNSID, RTM_GETNSID; linux/net_namespace.h): the
// number a namespace gives another (a veth peer's IFLA_LINK_NETNSID), and
// the names ip resolves them to through the namespaces bound under
// /run/netns.

// netnsRunDir is where ip netns binds its named namespaces.
const netnsRunDir = "/run/netns"

// The route-netlink messages and attributes of namespace ids.
const (
	rtmNewNSID = 88
	rtmGetNSID = 90

	netnsaNSID = 1 // NETNSA_NSID, s32
	netnsaFD   = 3 // NETNSA_FD, u32

	nsidNotAssigned = -1 // NETNSA_NSID_NOT_ASSIGNED
)

// netnsNames lists the named namespaces in the order of the directory
// (readdir, not sorted), as ip netns list and ip's nsid cache read it.
func netnsNames() ([]string, error) {
	d, err := os.Open(netnsRunDir)
	if os.IsNotExist(err) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	defer d.Close()
	names, err := d.Readdirnames(-1)
	if err != nil {
		return nil, err
	}
	out := names[:0]
	for _, n := range names {
		if n != "." && n != ".." {
			out = append(out, n)
		}
	}
	return out, nil
}

// nsidRequest encodes an RTM_GETNSID or RTM_NEWNSID: struct rtgenmsg
// (family AF_UNSPEC, padded to 4 bytes) and the attributes.
func nsidRequest(typ netlink.MessageType, fd int, nsid int32, withID bool) netlink.Message {
	b := make([]byte, 4, 24)
	enc := nlattr.NewEncoder(b)
	enc.Uint32(netnsaFD, uint32(fd))
	if withID {
		enc.Int32(netnsaNSID, nsid)
	}
	data, _ := enc.Finish()
	return netlink.Message{Header: netlink.Header{Type: typ}, Data: data}
}

// nsidOf returns the id that the namespace of this run (-n) gives the
// namespace at path, as ip's get_netnsid_from_name: -1 when it has none
// (or the file is no namespace).
func (e *env) nsidOf(ctx context.Context, path string) (int32, error) {
	c, err := e.rt()
	if err != nil {
		return nsidNotAssigned, err
	}
	f, err := os.Open(path)
	if err != nil {
		return nsidNotAssigned, err
	}
	defer f.Close()
	msgs, err := c.Netlink().Execute(ctx, nsidRequest(rtmGetNSID, int(f.Fd()), 0, false))
	if err != nil {
		return nsidNotAssigned, err
	}
	for _, m := range msgs {
		if m.Header.Type != rtmNewNSID || len(m.Data) < 4 {
			continue
		}
		d := nlattr.NewDecoder(m.Data[4:])
		for d.Next() {
			if d.Type() == netnsaNSID {
				return d.Int32(), d.Err()
			}
		}
		return nsidNotAssigned, d.Err()
	}
	return nsidNotAssigned, nil
}

// nsidName gives the name of the namespace that has id in this run's
// namespace ("" when none of /run/netns has it), as ip's
// get_name_from_nsid; the ids are read once per run.
func (e *env) nsidName(ctx context.Context, id int32) string {
	if e.nsids == nil {
		e.nsids = map[int32]string{}
		names, _ := netnsNames()
		for _, n := range names {
			nid, err := e.nsidOf(ctx, filepath.Join(netnsRunDir, n))
			var ne *netlink.Error
			if errors.As(err, &ne) {
				// A file there that is no namespace (a stale one): the
				// kernel refuses it, and ip prints that, as here.
				report(e.stderr, err)
			}
			if err == nil && nid >= 0 {
				if _, dup := e.nsids[nid]; !dup {
					e.nsids[nid] = n
				}
			}
		}
	}
	return e.nsids[id]
}

// setNSID is ip netns set NAME ID: RTM_NEWNSID giving the namespace at
// path the id (-1: let the kernel pick).
func (e *env) setNSID(ctx context.Context, path string, id int32) error {
	c, err := e.rt()
	if err != nil {
		return err
	}
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	_, err = c.Netlink().Execute(ctx, nsidRequest(rtmNewNSID, int(f.Fd()), id, true))
	return err
}

// listNSIDs dumps the ids this run's namespace gives others (ip netns
// list-id), in the kernel's order.
func (e *env) listNSIDs(ctx context.Context) ([]int32, error) {
	c, err := e.rt()
	if err != nil {
		return nil, err
	}
	req := netlink.Message{Header: netlink.Header{Type: rtmGetNSID, Flags: netlink.Dump}, Data: make([]byte, 4)}
	var ids []int32
	for m, err := range c.Netlink().Dump(ctx, req) {
		if err != nil {
			return nil, err
		}
		if m.Header.Type != rtmNewNSID || len(m.Data) < 4 {
			continue
		}
		d := nlattr.NewDecoder(m.Data[4:])
		for d.Next() {
			if d.Type() == netnsaNSID {
				ids = append(ids, d.Int32())
			}
		}
		if err := d.Err(); err != nil {
			return nil, err
		}
	}
	return ids, nil
}
