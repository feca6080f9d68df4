package cli

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"syscall"
	"time"

	"github.com/nlkit/nlkit/netlink"
	"github.com/nlkit/nlkit/rtnl"
)

// route save, restore and showdump, and monitor file: ip's binary route
// dump (a magic number, then the kernel's RTM_NEWROUTE messages as they
// came) and files of raw netlink messages.

// routeDumpMagic starts what route save writes (ip's route_dump_magic,
// in the host's byte order).
const routeDumpMagic = 0x45311224

// The route-netlink messages save and restore handle.
const (
	rtmNewRoute = 24
	rtmGetRoute = 26
	nlmsgTstamp = 15 // NLMSG_TSTAMP: rtmon's timestamps in a monitor file
)

// isTerminalReader reports whether r is a terminal.
func isTerminalReader(r io.Reader) bool {
	f, ok := r.(*os.File)
	return ok && isTerminal(f)
}

// routeSave is route save SELECTOR: the routes show would list, as the
// kernel's messages, after the magic number, on standard output (not to
// a terminal, as ip).
func routeSave(ctx context.Context, e *env, s *routeSelector) error {
	if isTerminal(e.rawStdout) {
		return failf("Not sending a binary stream to stdout")
	}
	c, f, err := routeFilter(ctx, e, s)
	if err != nil {
		return err
	}
	data := make([]byte, 12) // struct rtmsg
	data[0] = byte(f.Family)
	return e.saveDump(ctx, c, routeDumpMagic, rtmGetRoute, data, func(ev *rtnl.Event) bool {
		r := &ev.Route
		return ev.Kind == rtnl.EventRoute && r.Flags&rtnl.RouteFlagCloned == 0 &&
			(s.tableAll || r.Table == f.Table || f.Table == 0) && (f.Family == 0 || r.Family == f.Family) && s.match(r)
	})
}

// parseMessages parses a stream of netlink messages (a file, not one
// datagram: AppendParse reads them the same way).
func parseMessages(b []byte) ([]netlink.Message, error) {
	msgs, err := netlink.AppendParse(nil, b)
	if err != nil {
		return msgs, fmt.Errorf("corrupt dump: %w", err)
	}
	return msgs, nil
}

// routeRestore is route restore: the saved routes added back in ip's
// three passes (routes of local addresses, of local networks, then
// through gateways, so that each finds what it needs), a route that
// exists already being reported but no error, as ip.
func routeRestore(ctx context.Context, e *env) error {
	msgs, err := e.readDump("restore", "route", routeDumpMagic)
	if err != nil {
		return err
	}
	c, err := e.rt()
	if err != nil {
		return err
	}
	for pass := 0; pass < 3; pass++ {
		for _, m := range msgs {
			ev, ok, err := rtnl.DecodeEvent(m)
			if err != nil || !ok || ev.Kind != rtnl.EventRoute {
				continue
			}
			r := &ev.Route
			gw, src := r.Gateway.IsValid(), r.PrefSrc.IsValid()
			switch {
			case pass == 0 && !gw && (!src || r.PrefSrc == r.Dst.Addr()):
			case pass == 1 && !gw && src && r.PrefSrc != r.Dst.Addr():
			case pass == 2 && gw:
			default:
				continue
			}
			req := netlink.Message{Header: netlink.Header{Type: rtmNewRoute, Flags: netlink.Create}, Data: m.Data}
			if _, err := c.Netlink().Execute(ctx, req); errors.Is(err, syscall.EEXIST) {
				report(e.stderr, err) // ip's rtnl_talk says so, and goes on
			} else if err != nil {
				return err
			}
		}
	}
	return nil
}

// routeShowdump is route showdump: a saved dump printed as route show
// prints routes.
func routeShowdump(ctx context.Context, e *env) error {
	msgs, err := e.readDump("restore", "route", routeDumpMagic)
	if err != nil {
		return err
	}
	for _, m := range msgs {
		ev, ok, err := rtnl.DecodeEvent(m)
		if err != nil || !ok || ev.Kind != rtnl.EventRoute {
			continue
		}
		o := routeFormat(ctx, e, &ev.Route, routeView{})
		if _, err := e.stdout.Write(o.b); err != nil {
			return err
		}
	}
	return nil
}

// monitorFile is monitor file FILE: the events of a file of netlink
// messages (rtmon's, or route save's after its magic number) printed as
// monitor prints them, with rtmon's timestamps.
func (e *env) monitorFile(ctx context.Context, r monitorRequest) error {
	b, err := os.ReadFile(r.file)
	if err != nil {
		return usagef("Cannot fopen: %s", unwrapErrno(err))
	}
	if len(b) >= 4 && binary.NativeEndian.Uint32(b) == routeDumpMagic {
		b = b[4:]
	}
	msgs, perr := parseMessages(b)
	for _, m := range msgs {
		if m.Header.Type == nlmsgTstamp && len(m.Data) >= 8 {
			secs := binary.NativeEndian.Uint32(m.Data)
			usecs := binary.NativeEndian.Uint32(m.Data[4:])
			fmt.Fprintf(e.stdout, "Timestamp: %s %d us\n", timeOf(secs).Format("Mon Jan _2 15:04:05 2006"), usecs)
			continue
		}
		// As ip: a file's events are printed whatever objects were
		// named (they choose what a live monitor subscribes to).
		if err := e.printMessage(ctx, r, m, -1, false); err != nil {
			return err
		}
	}
	return perr
}

// timeOf is a time in seconds since the epoch, in local time.
func timeOf(secs uint32) time.Time { return time.Unix(int64(secs), 0) }
