package cli

import (
	"context"
	"encoding/binary"
	"net/netip"

	"github.com/nlkit/nlkit/netlink"
	"github.com/nlkit/nlkit/nlattr"
	"golang.org/x/sys/unix"
)

const addrlabelHelp = `Usage: nl addrlabel { add | del } prefix PREFIX [ dev DEV ] [ label LABEL ]
       nl addrlabel [ list | flush | help ]
`

// IPv6 address labels (RFC 6724's policy table): RTM_*ADDRLABEL with a
// struct ifaddrlblmsg (family, reserved, prefix length, flags, link
// index, sequence) and IFAL_ADDRESS, IFAL_LABEL.
const (
	rtmNewAddrLabel = 72
	rtmDelAddrLabel = 73
	rtmGetAddrLabel = 74

	ifalAddress = 1
	ifalLabel   = 2

	ifaddrlblmsgLen = 12
)

// addrlabelRequest is a parsed addrlabel command.
type addrlabelRequest struct {
	cmd      string // list, add, delete, flush
	prefix   inet
	hasPfx   bool
	dev      string
	label    uint32
	hasLabel bool
}

var addrlabelCommands = []command{{name: "list", abbrev: []string{"list", "lst", "show"}}, {name: "add"}, {name: "delete"}, {name: "flush"}}

// parseAddrlabel reads addrlabel's words as ip's do_ipaddrlabel.
func parseAddrlabel(args []string, fam Family) (addrlabelRequest, error) {
	r := addrlabelRequest{cmd: "list"}
	a := wordsOf(args)
	if !a.more() {
		return r, nil
	}
	var err error
	if r.cmd, err = pickCommand("addrlabel", a.next(), addrlabelCommands); err != nil {
		return r, err
	}
	if r.cmd == "list" || r.cmd == "flush" {
		if a.more() {
			return r, usagef(`Error: garbage "%s" after "addrlabel %s".`, a.peek(), r.cmd)
		}
		return r, nil
	}
	for a.more() {
		switch w := a.next(); w {
		case "prefix":
			if r.prefix, err = prefixValue(a, fam); err != nil {
				return r, err
			}
			r.hasPfx = true
		case "dev":
			if r.dev, err = a.value(); err != nil {
				return r, err
			}
		case "label":
			if r.label, err = valueOf(a, getU32, "label is invalid\n"); err != nil {
				return r, err
			}
			r.hasLabel = true
		default:
			return r, usagef(`Error: garbage "%s" in "addrlabel %s".`, w, r.cmd)
		}
	}
	if !r.hasPfx {
		return r, failf(`Not enough information: "prefix" argument is required.`)
	}
	if !r.hasLabel {
		return r, failf(`Not enough information: "label" argument is required.`)
	}
	return r, nil
}

func runAddrlabel(ctx context.Context, e *env, args []string) error {
	r, err := parseAddrlabel(args, e.opts.Family)
	if err != nil {
		return err
	}
	c, err := e.rt()
	if err != nil {
		return err
	}
	if r.cmd == "add" || r.cmd == "delete" {
		var idx int32
		if r.dev != "" {
			if idx, err = e.linkIndex(ctx, r.dev); err != nil {
				return errInvarg("dev is invalid\n", r.dev) // as ip, while parsing
			}
		}
		b := make([]byte, ifaddrlblmsgLen)
		b[0] = unix.AF_INET6 // ip's, whatever the prefix (-4 gives AF_INET)
		if e.opts.Family == FamilyInet {
			b[0] = unix.AF_INET
		}
		b[2] = byte(r.prefix.Bits)
		binary.NativeEndian.PutUint32(b[4:], uint32(idx))
		enc := nlattr.NewEncoder(b)
		enc.Addr(ifalAddress, r.prefix.Addr)
		enc.Uint32(ifalLabel, r.label)
		data, err := enc.Finish()
		if err != nil {
			return err
		}
		typ, flags := netlink.MessageType(rtmNewAddrLabel), netlink.Create|netlink.Excl
		if r.cmd == "delete" {
			typ, flags = rtmDelAddrLabel, 0
		}
		_, err = c.Netlink().Execute(ctx, netlink.Message{Header: netlink.Header{Type: typ, Flags: flags}, Data: data})
		return err
	}
	req := netlink.Message{Header: netlink.Header{Type: rtmGetAddrLabel}, Data: make([]byte, ifaddrlblmsgLen)}
	req.Data[0] = unix.AF_INET6
	var msgs []netlink.Message
	for m, err := range c.Netlink().Dump(ctx, req) {
		if err != nil {
			return &dumpError{err: err, what: "Dump"}
		}
		if m.Header.Type != rtmNewAddrLabel || len(m.Data) < ifaddrlblmsgLen {
			continue
		}
		m.Data = append([]byte(nil), m.Data...)
		msgs = append(msgs, m)
	}
	if r.cmd == "flush" {
		// As ip: each label deleted with the message that listed it.
		for _, m := range msgs {
			del := netlink.Message{Header: netlink.Header{Type: rtmDelAddrLabel}, Data: m.Data}
			if _, err := c.Netlink().Execute(ctx, del); err != nil {
				return err
			}
		}
		return nil
	}
	recs := make([]*printer, 0, len(msgs))
	for _, m := range msgs {
		recs = append(recs, e.addrlabelFormat(ctx, m.Data))
	}
	return writeRecords(e, recs)
}

// addrlabelFormat prints one label as ip's print_addrlabel.
func (e *env) addrlabelFormat(ctx context.Context, b []byte) *printer {
	p := e.record()
	plen := int(b[2])
	idx := int32(binary.NativeEndian.Uint32(b[4:]))
	var addr netip.Addr
	var label uint32
	hasLabel := false
	d := nlattr.NewDecoder(b[ifaddrlblmsgLen:])
	for d.Next() {
		switch d.Type() {
		case ifalAddress:
			addr = d.Addr()
		case ifalLabel:
			label, hasLabel = d.Uint32(), d.Len() == 4
		}
	}
	if addr.IsValid() {
		p.text("prefix ")
		p.add("address", addr.String(), p.paint(colorInet6, addr.String()))
		p.field("prefixlen", "/%d ", plen)
	}
	if idx != 0 {
		name := e.linkName(ctx, idx)
		p.text("dev ")
		p.add("ifname", name, p.paint(colorIfname, name+" "))
	}
	if hasLabel {
		p.field("label", "label %d ", label)
	}
	p.text("\n")
	return p
}
