package cli

import (
	"context"
	"encoding/binary"
	"net/netip"

	"github.com/nlkit/nlkit/netlink"
	"github.com/nlkit/nlkit/nlattr"
	"golang.org/x/sys/unix"
)

const tokenHelp = `Usage: nl token [ list | set | del | get ] [ TOKEN ] [ dev DEV ]
`

// IPv6 interface identifiers ("tokenized" addresses): IFLA_INET6_TOKEN in
// an AF_INET6 link dump's IFLA_PROTINFO, set with RTM_SETLINK and
// IFLA_AF_SPEC { AF_INET6 { IFLA_INET6_TOKEN } }.
const (
	rtmSetLink       = 19
	iflaProtinfo     = 12
	iflaAFSpec       = 26
	iflaInet6Token   = 7
	iffLoopback      = 0x8
	iffNoARP         = 0x80
	ifinfomsgFlagsAt = 8
)

// tokenRequest is a parsed token command.
type tokenRequest struct {
	cmd   string // list, set, delete, get
	token netip.Addr
	dev   string
	hasTk bool
}

var tokenCommands = []command{{name: "list", abbrev: []string{"list", "lst", "show"}}, {name: "set", abbrev: []string{"set", "add"}},
	{name: "delete", abbrev: []string{"del", "delete"}}, {name: "get"}}

// parseToken reads token's words as ip's do_iptoken.
func parseToken(args []string) (tokenRequest, error) {
	r := tokenRequest{cmd: "list"}
	a := wordsOf(args)
	if !a.more() {
		return r, nil
	}
	var err error
	if r.cmd, err = pickCommand("token", a.next(), tokenCommands); err != nil {
		return r, err
	}
	for a.more() {
		w := a.next()
		switch {
		case w == "dev":
			v, err := a.value()
			if err != nil {
				return r, err
			}
			if r.dev == "" {
				r.dev = v
			}
		case r.cmd == "set" && !r.hasTk:
			p, err := getPrefix(w, FamilyInet6)
			if err != nil {
				return r, err
			}
			r.token, r.hasTk = p.Addr, true
		case r.cmd == "set" || r.cmd == "delete":
		default:
			return r, usagef(`Error: garbage "%s" in "token %s".`, w, r.cmd)
		}
	}
	if r.cmd == "delete" {
		r.token, r.hasTk = netip.IPv6Unspecified(), true
	}
	switch {
	case r.cmd == "set" && !r.hasTk:
		return r, failf("Not enough information: token is required.")
	case (r.cmd == "set" || r.cmd == "delete") && r.dev == "":
		return r, failf(`Not enough information: "dev" argument is required.`)
	}
	return r, nil
}

func runToken(ctx context.Context, e *env, args []string) error {
	r, err := parseToken(args)
	if err != nil {
		return err
	}
	c, err := e.rt()
	if err != nil {
		return err
	}
	var idx int32
	if r.dev != "" {
		if idx, err = e.linkIndex(ctx, r.dev); err != nil {
			return errInvarg("dev is invalid\n", r.dev) // as ip, while parsing
		}
	}
	if r.cmd == "set" || r.cmd == "delete" {
		b := make([]byte, ifinfomsgLen)
		b[0] = unix.AF_INET6
		binary.NativeEndian.PutUint32(b[4:], uint32(idx))
		enc := nlattr.NewEncoder(b)
		enc.Nest(iflaAFSpec)
		enc.Nest(unix.AF_INET6)
		enc.Addr(iflaInet6Token, r.token)
		enc.End()
		enc.End()
		data, err := enc.Finish()
		if err != nil {
			return err
		}
		_, err = c.Netlink().Execute(ctx, netlink.Message{Header: netlink.Header{Type: rtmSetLink}, Data: data})
		return err
	}
	req := netlink.Message{Header: netlink.Header{Type: rtmGetLink}, Data: make([]byte, ifinfomsgLen)}
	req.Data[0] = unix.AF_INET6
	var recs []*printer
	for m, err := range c.Netlink().Dump(ctx, req) {
		if err != nil {
			return &dumpError{err: err, what: "Dump"}
		}
		if len(m.Data) < ifinfomsgLen || m.Data[0] != unix.AF_INET6 {
			continue
		}
		li := int32(binary.NativeEndian.Uint32(m.Data[4:]))
		flags := binary.NativeEndian.Uint32(m.Data[ifinfomsgFlagsAt:])
		if idx != 0 && li != idx || flags&(iffLoopback|iffNoARP) != 0 {
			continue
		}
		var token netip.Addr
		d := nlattr.NewDecoder(m.Data[ifinfomsgLen:])
		for d.Next() {
			if d.Type() != iflaProtinfo {
				continue
			}
			n := d.Nested()
			for n.Next() {
				if n.Type() == iflaInet6Token {
					token = n.Addr()
				}
			}
		}
		if !token.IsValid() {
			continue
		}
		p := e.record()
		p.text("token ")
		p.add("token", token.String(), p.paint(colorInet6, token.String()))
		name := e.linkName(ctx, li)
		p.text(" dev ")
		p.add("ifname", name, p.paint(colorIfname, name+"\n"))
		recs = append(recs, p)
	}
	return writeRecords(e, recs)
}
