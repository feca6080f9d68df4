package cli

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"syscall"

	"github.com/nlkit/nlkit/netlink"
	"github.com/nlkit/nlkit/rtnl"
)

// address save, showdump and restore: ip's binary address dump (a magic
// number, then the kernel's RTM_NEWADDR messages as they came), as route
// save's.

// addrDumpMagic starts what address save writes (ip's ifa_dump_magic, in
// the host's byte order).
const addrDumpMagic = 0x47361222

const (
	rtmNewAddr = 20
	rtmGetAddr = 22
)

// addressSave is address save [dev IFNAME]: the addresses of the family
// (-4, -6) and link, as the kernel's messages, after the magic number, on
// standard output (not to a terminal). As ip, the other selectors of
// show (label, to, scope, flags, up...) do not apply to save.
func (e *env) addressSave(ctx context.Context, f addrFilter) error {
	if isTerminal(e.rawStdout) {
		return failf("Not sending a binary stream to stdout")
	}
	c, err := e.rt()
	if err != nil {
		return err
	}
	af := rtnl.AddressFilter{Family: e.opts.Family.rtnl()}
	if e.opts.Family == FamilyLink {
		af.Family = rtnl.FamilyUnspec
	}
	if f.link.hasDev {
		if af.Index, err = e.linkIndex(ctx, f.link.dev); err != nil {
			return err
		}
	}
	req := make([]byte, 8) // struct ifaddrmsg
	req[0] = byte(af.Family)
	return e.saveDump(ctx, c, addrDumpMagic, rtmGetAddr, req, func(ev *rtnl.Event) bool {
		return ev.Kind == rtnl.EventAddress && (af.Index == 0 || ev.Address.Index == af.Index)
	})
}

// saveDump is what route, address and rule save share: the magic number,
// then the messages of a dump (typ, with the request's header hdr) whose
// events keep accepts, as the kernel sent them, on standard output in
// pieces of 64 KiB.
func (e *env) saveDump(ctx context.Context, c *rtnl.Conn, magic uint32, typ netlink.MessageType, hdr []byte, keep func(*rtnl.Event) bool) error {
	var out bytes.Buffer
	binary.Write(&out, binary.NativeEndian, magic)
	for m, err := range c.Netlink().Dump(ctx, netlink.Message{Header: netlink.Header{Type: typ}, Data: hdr}) {
		if err != nil {
			return &dumpError{err: err, what: "Dump"}
		}
		ev, ok, err := rtnl.DecodeEvent(m)
		if err != nil || !ok || !keep(&ev) {
			continue
		}
		b, err := m.MarshalBinary()
		if err != nil {
			return err
		}
		out.Write(b)
		if out.Len() > 64<<10 {
			if _, err := e.stdout.Write(out.Bytes()); err != nil {
				return err
			}
			out.Reset()
		}
	}
	_, err := e.stdout.Write(out.Bytes())
	return err
}

// readDump reads a saved dump of kind ("route", "address") from standard
// input: the messages after the magic number, or ip's messages for a
// terminal or another file (exit status 1 for routes, 255 for addresses
// and rules, as ip's).
func (e *env) readDump(what, kind string, magic uint32) ([]netlink.Message, error) {
	if isTerminalReader(e.stdin) {
		return nil, failf("Can't %s %s dump from a terminal", what, kind)
	}
	b, err := io.ReadAll(e.stdin)
	if err != nil {
		return nil, err
	}
	if len(b) < 4 || binary.NativeEndian.Uint32(b) != magic {
		var got uint32
		n := min(len(b), 4)
		if n == 4 {
			got = binary.NativeEndian.Uint32(b)
		}
		if kind != "route" {
			return nil, usagef("Magic mismatch (%d elems, %x magic)", n/4, got)
		}
		return nil, failf("Magic mismatch (%d elems, %x magic)", n/4, got)
	}
	return parseMessages(b[4:])
}

// addressShowdump is address showdump: a saved dump printed as ip does,
// each address under "ifN:" (in JSON, one object of addresses with their
// link index).
func (e *env) addressShowdump(ctx context.Context) error {
	msgs, err := e.readDump("restore", "address", addrDumpMagic)
	if err != nil {
		return err
	}
	var addrs []rtnl.Address
	for _, m := range msgs {
		if ev, ok, err := rtnl.DecodeEvent(m); err == nil && ok && ev.Kind == rtnl.EventAddress {
			addrs = append(addrs, ev.Address)
		}
	}
	if e.opts.JSON && len(addrs) == 0 {
		return writeRecords(e, nil)
	}
	p := e.line()
	p.open("addr_info", '[')
	for i := range addrs {
		p.open("", '{')
		if p.json {
			p.uint("index", "", uint64(addrs[i].Index))
		} else {
			p.b = fmt.Appendf(p.b, "if%d:\n", addrs[i].Index)
		}
		printAddress(p, &addrs[i])
		p.close('}')
	}
	p.close(']')
	if e.opts.JSON {
		return writeJSON(e, []any{p})
	}
	_, err = e.stdout.Write(p.b)
	return err
}

// addressRestore is address restore: the saved addresses added back, one
// request each; one that exists already is reported and skipped, as ip.
func (e *env) addressRestore(ctx context.Context) error {
	msgs, err := e.readDump("restore", "address", addrDumpMagic)
	if err != nil {
		return err
	}
	c, err := e.rt()
	if err != nil {
		return err
	}
	for _, m := range msgs {
		if m.Header.Type != rtmNewAddr {
			continue
		}
		req := netlink.Message{Header: netlink.Header{Type: rtmNewAddr, Flags: netlink.Create | netlink.Excl}, Data: m.Data}
		if _, err := c.Netlink().Execute(ctx, req); errors.Is(err, syscall.EEXIST) {
			report(e.stderr, err)
		} else if err != nil {
			return fmt.Errorf("restore address: %w", err)
		}
	}
	return nil
}
