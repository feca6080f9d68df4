package cli

import (
	"context"
	"os/user"
	"strconv"

	"github.com/nlkit/nlkit/rtnl"
)

// printTun prints a tun or tap device's settings as ip -d does (iproute2's
// tun link_util): type, pi, vnet_hdr, the queues when multi-queue,
// persist, and the owner and group allowed to attach, by name when
// /etc/passwd and /etc/group have one.
func printTun(_ context.Context, _ *env, p *printer, l *rtnl.Link) {
	t, ok := l.Info.(*rtnl.TunTap)
	if !ok {
		return
	}
	mode := "unknown"
	switch t.Mode {
	case rtnl.TunModeTun:
		mode = "tun"
	case rtnl.TunModeTap:
		mode = "tap"
	}
	p.field("type", "type %s ", mode)
	p.onOff("pi", "pi %s ", t.PI)
	p.onOff("vnet_hdr", "vnet_hdr %s ", t.VnetHdr)
	if t.MultiQueue {
		p.field("multi_queue", "multi_queue ", true)
		p.field("numqueues", "numqueues %d ", t.NumQueues)
		p.field("numdisabled", "numdisabled %d ", t.NumDisabledQueues)
	} else {
		p.jsonOnly("multi_queue", false)
	}
	p.onOff("persist", "persist %s ", t.Persist)
	if t.Owner != nil {
		if u, err := user.LookupId(strconv.FormatUint(uint64(*t.Owner), 10)); err == nil {
			p.field("user", "user %s ", u.Username)
		} else {
			p.field("user", "user %d ", *t.Owner)
		}
	}
	if t.Group != nil {
		if g, err := user.LookupGroupId(strconv.FormatUint(uint64(*t.Group), 10)); err == nil {
			p.field("group", "group %s ", g.Name)
		} else {
			p.field("group", "group %d ", *t.Group)
		}
	}
}
