package cli

import (
	"context"
	"fmt"
	"os"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/nlkit/nlkit/rtnl"
	"golang.org/x/sys/unix"
)

const tuntapHelp = `Usage: nl tuntap { add | del | show | list | lst | help } [ dev PHYS_DEV ]
       [ mode { tun | tap } ] [ user USER ] [ group GROUP ]
       [ one_queue ] [ pi ] [ vnet_hdr ] [ multi_queue ] [ name NAME ]

Where: USER  := { STRING | NUMBER }
       GROUP := { STRING | NUMBER }
`

// tuntapRequest is a parsed tuntap command: ip's struct ifreq for
// TUNSETIFF (the name and IFF_* flags) and the owner and group.
type tuntapRequest struct {
	cmd      string // add, delete, show
	name     string
	flags    uint16 // IFF_TUN, IFF_TAP, IFF_NO_PI, IFF_ONE_QUEUE, IFF_VNET_HDR, IFF_MULTI_QUEUE
	uid, gid int    // -1: not given
	hasName  bool
}

var tuntapCommands = []command{{name: "add"}, {name: "delete"}, {name: "show", abbrev: []string{"show", "list", "lst"}}}

// parseTuntap reads tuntap's words as ip's do_iptuntap and parse_args.
func parseTuntap(args []string) (tuntapRequest, error) {
	r := tuntapRequest{cmd: "show", flags: unix.IFF_NO_PI, uid: -1, gid: -1}
	a := wordsOf(args)
	if !a.more() {
		return r, nil
	}
	var err error
	if r.cmd, err = pickCommand("tuntap", a.next(), tuntapCommands); err != nil {
		return r, err
	}
	if r.cmd == "show" {
		return r, nil // ip's show takes no words (it ignores them)
	}
	for a.more() {
		w := a.next()
		switch {
		case matches(w, "mode"):
			v, err := a.value()
			if err != nil {
				return r, err
			}
			var f uint16
			switch {
			case matches(v, "tun"):
				f = unix.IFF_TUN
			case matches(v, "tap"):
				f = unix.IFF_TAP
			default:
				return r, usagef("Unknown tunnel mode \"%s\"", v)
			}
			if r.flags&(unix.IFF_TUN|unix.IFF_TAP)&^f != 0 {
				return r, usagef("You managed to ask for more than one tunnel mode.")
			}
			r.flags |= f
		case r.uid < 0 && matches(w, "user"):
			v, err := a.value()
			if err != nil {
				return r, err
			}
			if r.uid, err = lookupID(v, user.Lookup, func(u *user.User) string { return u.Uid }); err != nil {
				return r, usagef("invalid user \"%s\"", v)
			}
		case r.gid < 0 && matches(w, "group"):
			v, err := a.value()
			if err != nil {
				return r, err
			}
			if r.gid, err = lookupID(v, user.LookupGroup, func(g *user.Group) string { return g.Gid }); err != nil {
				return r, usagef("invalid group \"%s\"", v)
			}
		case matches(w, "pi"):
			r.flags &^= unix.IFF_NO_PI
		case matches(w, "one_queue"):
			r.flags |= unix.IFF_ONE_QUEUE
		case matches(w, "vnet_hdr"):
			r.flags |= unix.IFF_VNET_HDR
		case matches(w, "multi_queue"):
			r.flags |= unix.IFF_MULTI_QUEUE
		case matches(w, "dev"):
			v, err := a.value()
			if err != nil {
				return r, err
			}
			if !validIfname(v) {
				return r, errInvarg(`"dev" not a valid ifname`, v)
			}
			r.name, r.hasName = v, true
		default:
			if matches(w, "name") {
				if w, err = a.value(); err != nil {
					return r, err
				}
			}
			if r.hasName {
				return r, errDuparg2("name", w)
			}
			if !validIfname(w) {
				return r, errInvarg(`"name" not a valid ifname`, w)
			}
			r.name, r.hasName = w, true
		}
	}
	if r.flags&(unix.IFF_TUN|unix.IFF_TAP) == 0 {
		return r, failf("You failed to specify a tunnel mode")
	}
	return r, nil
}

// lookupID is a user or group given by name or number.
func lookupID[T any](v string, byName func(string) (T, error), id func(T) string) (int, error) {
	if n, end, over := strtoul(v, 0); v != "" && end == len(v) && !over && n < 1<<31 {
		return int(n), nil
	}
	x, err := byName(v)
	if err != nil {
		return -1, err
	}
	return strconv.Atoi(id(x))
}

func runTuntap(ctx context.Context, e *env, args []string) error {
	r, err := parseTuntap(args)
	if err != nil {
		return err
	}
	if r.cmd == "show" {
		return e.showTuntap(ctx)
	}
	do := func() error { return tuntapIoctl(&r) }
	if e.ns != nil {
		// The device is made in the namespace of the thread that opens
		// /dev/net/tun.
		return e.ns.Do(do)
	}
	return do()
}

// tuntapIoctl creates (persist on) or deletes (persist off) the device as
// ip's tap_add_ioctl and tap_del_ioctl.
func tuntapIoctl(r *tuntapRequest) error {
	fd, err := unix.Open("/dev/net/tun", unix.O_RDWR|unix.O_CLOEXEC, 0)
	if err != nil {
		return failf("open(/dev/net/tun): %s", unwrapErrno(err))
	}
	defer unix.Close(fd)
	ifr, err := unix.NewIfreq(r.name)
	if err != nil {
		return failf("ioctl(TUNSETIFF): %s", unwrapErrno(err))
	}
	ifr.SetUint16(r.flags)
	if err := unix.IoctlIfreq(fd, unix.TUNSETIFF, ifr); err != nil {
		return failf("ioctl(TUNSETIFF): %s", unwrapErrno(err))
	}
	if r.cmd == "add" {
		if r.uid >= 0 {
			if err := unix.IoctlSetInt(fd, unix.TUNSETOWNER, r.uid); err != nil {
				return failf("ioctl(TUNSETOWNER): %s", unwrapErrno(err))
			}
		}
		if r.gid >= 0 {
			if err := unix.IoctlSetInt(fd, unix.TUNSETGROUP, r.gid); err != nil {
				return failf("ioctl(TUNSETGROUP): %s", unwrapErrno(err))
			}
		}
	}
	persist := 0
	if r.cmd == "add" {
		persist = 1
	}
	if err := unix.IoctlSetInt(fd, unix.TUNSETPERSIST, persist); err != nil {
		return failf("ioctl(TUNSETPERSIST): %s", unwrapErrno(err))
	}
	return nil
}

// showTuntap is tuntap show: each tun and tap device with its flags and
// owner, as ip prints them (from the kernel's IFLA_TUN_* attributes, which
// lack ip's "one_queue", read from sysfs); with -d the
// processes that have it open.
func (e *env) showTuntap(ctx context.Context) error {
	c, err := e.rt()
	if err != nil {
		return err
	}
	links, err := c.LinkList(ctx, rtnl.LinkFilter{Kind: "tun"})
	if err != nil {
		return err
	}
	recs := make([]*printer, 0, len(links))
	for i := range links {
		t, ok := links[i].Info.(*rtnl.TunTap)
		if !ok {
			continue
		}
		p := e.record()
		p.jsonOnly("ifname", links[i].Name)
		p.text("%s", p.paint(colorIfname, links[i].Name+":"))
		var words []string
		switch t.Mode {
		case rtnl.TunModeTun:
			words = append(words, "tun")
		case rtnl.TunModeTap:
			words = append(words, "tap")
		}
		for _, f := range []struct {
			on   bool
			word string
		}{{t.PI, "pi"}, {t.MultiQueue, "multi_queue"}, {t.VnetHdr, "vnet_hdr"}, {t.Persist, "persist"},
			{t.PI, "filter"}} { // IFF_NOFILTER is IFF_NO_PI's bit: ip prints "filter" without it
			if f.on {
				words = append(words, f.word)
			}
		}
		p.jsonOnly("flags", words)
		for _, w := range words {
			p.text(" %s", w)
		}
		if t.Owner != nil {
			p.field("user", " user %d", int64(*t.Owner))
		}
		if t.Group != nil {
			p.field("group", " group %d", int64(*t.Group))
		}
		if e.opts.Details {
			p.text("\n\tAttached to processes:")
			procs := tunProcesses(links[i].Name)
			if p.json {
				p.obj.set("processes", procs)
			}
			for _, pr := range procs {
				p.text(" %s", pr)
			}
		}
		p.text("\n")
		recs = append(recs, p)
	}
	return writeRecords(e, recs)
}

// tunProcesses lists "COMM(PID)" of the processes with a file descriptor
// on the tun device name (their fdinfo says "iff:\tNAME").
func tunProcesses(name string) []string {
	out := []string{}
	pids, _ := filepath.Glob("/proc/[0-9]*")
	for _, dir := range pids {
		fds, _ := filepath.Glob(dir + "/fdinfo/*")
		for _, fd := range fds {
			b, err := os.ReadFile(fd)
			if err != nil || !strings.Contains(string(b), "iff:\t"+name+"\n") {
				continue
			}
			comm, _ := os.ReadFile(dir + "/comm")
			out = append(out, fmt.Sprintf("%s(%s)", strings.TrimSpace(string(comm)), filepath.Base(dir)))
			break
		}
	}
	return out
}

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
