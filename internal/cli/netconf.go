package cli

import (
	"context"

	"github.com/nlkit/nlkit/netlink"
	"github.com/nlkit/nlkit/nlattr"
	"golang.org/x/sys/unix"
)

const netconfHelp = `Usage: nl netconf show [ dev STRING ]
`

// The route-netlink messages and attributes of netconf
// (linux/netconf.h): a struct netconfmsg (the family, padded to 4 bytes)
// and NETCONFA_* attributes.
const (
	rtmNewNetconf = 80
	rtmGetNetconf = 82

	netconfaIfindex     = 1
	netconfaForwarding  = 2
	netconfaRPFilter    = 3
	netconfaMCForward   = 4
	netconfaProxyNeigh  = 5
	netconfaIgnoreRoute = 6
	netconfaInput       = 7

	netconfIfindexAll     = -1
	netconfIfindexDefault = -2
)

var netconfCommands = []command{{name: "show", abbrev: []string{"show", "list", "lst"}}}

// parseNetconf reads netconf's words as ip's do_show: "dev NAME"; ip
// passes over any other word.
func parseNetconf(args []string) (dev string, hasDev bool, err error) {
	a := wordsOf(args)
	if a.more() {
		if _, err = pickCommand("netconf", a.next(), netconfCommands); err != nil {
			return "", false, err
		}
	}
	for a.more() {
		if w := a.next(); w == "dev" {
			if dev, err = a.value(); err != nil {
				return "", false, err
			}
			hasDev = true
		}
	}
	return dev, hasDev, nil
}

func runNetconf(ctx context.Context, e *env, args []string) error {
	dev, hasDev, err := parseNetconf(args)
	if err != nil {
		return err
	}
	c, err := e.rt()
	if err != nil {
		return err
	}
	families := []byte{unix.AF_INET, unix.AF_INET6}
	switch e.opts.Family {
	case FamilyInet:
		families = families[:1]
	case FamilyInet6:
		families = families[1:]
	case FamilyLink:
		return nil // ip prints nothing: no link-layer netconf
	}
	var recs []*printer
	if hasDev {
		idx, err := e.linkIndex(ctx, dev)
		if err != nil {
			return failf(`Device "%s" does not exist.`, dev)
		}
		for _, fam := range families {
			b := make([]byte, 4)
			b[0] = fam
			enc := nlattr.NewEncoder(b)
			enc.Int32(netconfaIfindex, idx)
			data, err := enc.Finish()
			if err != nil {
				return err
			}
			msgs, err := c.Netlink().Execute(ctx, netlink.Message{Header: netlink.Header{Type: rtmGetNetconf}, Data: data})
			if err != nil {
				return err
			}
			for _, m := range msgs {
				if p := e.netconfFormat(ctx, m); p != nil {
					recs = append(recs, p)
				}
			}
		}
		return writeRecords(e, recs)
	}
	fam := byte(unix.AF_UNSPEC)
	if len(families) == 1 {
		fam = families[0]
	}
	b := make([]byte, 4)
	b[0] = fam
	for m, err := range c.Netlink().Dump(ctx, netlink.Message{Header: netlink.Header{Type: rtmGetNetconf}, Data: b}) {
		if err != nil {
			return &dumpError{err: err, what: "Dump"}
		}
		if p := e.netconfFormat(ctx, m); p != nil {
			recs = append(recs, p)
		}
	}
	return writeRecords(e, recs)
}

// netconfFormat prints one RTM_NEWNETCONF as ip's print_netconf (nil for
// another message).
func (e *env) netconfFormat(ctx context.Context, m netlink.Message) *printer {
	if m.Header.Type != rtmNewNetconf && m.Header.Type != unix.RTM_DELNETCONF || len(m.Data) < 4 {
		return nil
	}
	p := e.record()
	switch m.Data[0] {
	case unix.AF_INET:
		p.field("family", "%s ", "inet")
	case unix.AF_INET6:
		p.field("family", "%s ", "inet6")
	case unix.AF_MPLS:
		p.field("family", "%s ", "mpls")
	default:
		p.field("family", "%s ", "unknown")
	}
	onOff := func(key string, v uint32) { p.onOff(key, key+" %s ", v != 0) }
	d := nlattr.NewDecoder(m.Data[4:])
	for d.Next() {
		switch d.Type() {
		case netconfaIfindex:
			var dev string
			switch idx := d.Int32(); idx {
			case netconfIfindexAll:
				dev = "all"
			case netconfIfindexDefault:
				dev = "default"
			default:
				dev = e.linkName(ctx, idx)
			}
			p.jsonOnly("interface", dev)
			p.text("%s", p.paint(colorIfname, dev+" "))
		case netconfaForwarding:
			onOff("forwarding", d.Uint32())
		case netconfaRPFilter:
			mode := "unknown mode"
			switch d.Uint32() {
			case 0:
				mode = "off"
			case 1:
				mode = "strict"
			case 2:
				mode = "loose"
			}
			p.field("rp_filter", "rp_filter %s ", mode)
		case netconfaMCForward:
			onOff("mc_forwarding", d.Uint32())
		case netconfaProxyNeigh:
			onOff("proxy_neigh", d.Uint32())
		case netconfaIgnoreRoute:
			onOff("ignore_routes_with_linkdown", d.Uint32())
		case netconfaInput:
			onOff("input", d.Uint32())
		}
	}
	if d.Err() != nil {
		return nil
	}
	p.text("\n")
	return p
}
