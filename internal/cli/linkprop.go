package cli

import (
	"context"
	"encoding/binary"

	"github.com/nlkit/nlkit/netlink"
	"github.com/nlkit/nlkit/nlattr"
)

// link property add|del: a link's alternative names (RTM_NEWLINKPROP and
// RTM_DELLINKPROP with IFLA_PROP_LIST nesting IFLA_ALT_IFNAME), as ip's
// iplink_prop.
const (
	rtmNewLinkProp = 108
	rtmDelLinkProp = 109
	iflaPropList   = 52
	iflaAltIfname  = 53
)

const linkPropertyHelp = `Usage: nl link property add dev DEVICE [ altname NAME .. ]
       nl link property del dev DEVICE [ altname NAME .. ]`

// linkPropRequest is a parsed link property command.
type linkPropRequest struct {
	del   bool
	dev   string
	names []string
}

// isLinkProperty reports whether the first word of `link` picks property
// (ip matches it after link's other commands).
func isLinkProperty(args []string) bool {
	if len(args) == 0 || !matches(args[0], "property") {
		return false
	}
	_, ok := lookupCommand(args[0], linkCommands)
	return !ok && !matches(args[0], "xstats") && !matches(args[0], "afstats")
}

// parseLinkProperty reads the words after `link property`.
func parseLinkProperty(args []string) (linkPropRequest, error) {
	var r linkPropRequest
	a := wordsOf(args)
	if !a.more() {
		return r, &UsageError{Msg: linkPropertyHelp}
	}
	switch w := a.next(); {
	case matches(w, "add"):
	case matches(w, "del"):
		r.del = true
	case w == "help":
		return r, &UsageError{Msg: linkPropertyHelp}
	default:
		return r, &UsageError{Msg: "Operator required\n" + linkPropertyHelp}
	}
	for a.more() {
		w := a.next()
		switch {
		case matches(w, "altname"):
			v, err := a.value()
			if err != nil {
				return r, err
			}
			if !validAltIfname(v) || len(v) >= 128 {
				return r, errInvarg("not a valid altname", v)
			}
			r.names = append(r.names, v)
		case matches(w, "help"):
			return r, &UsageError{Msg: linkPropertyHelp}
		default:
			given := r.dev != ""
			if err := devWord(a, w, &r.dev, &given, checkDevWord); err != nil {
				return r, err
			}
		}
	}
	if r.dev == "" {
		return r, usagef(`Not enough of information: "dev" argument is required.`)
	}
	return r, nil
}

func runLinkProperty(ctx context.Context, e *env, args []string) error {
	r, err := parseLinkProperty(args)
	if err != nil {
		return err
	}
	idx, err := e.linkIndex(ctx, r.dev)
	if err != nil {
		return err
	}
	c, err := e.rt()
	if err != nil {
		return err
	}
	hdr := make([]byte, ifinfomsgLen)
	hdr[0] = byte(e.opts.Family.rtnl())
	binary.NativeEndian.PutUint32(hdr[4:], uint32(idx))
	enc := nlattr.NewEncoder(hdr)
	enc.Nest(iflaPropList)
	for _, n := range r.names {
		enc.String(iflaAltIfname, n)
	}
	enc.End()
	data, err := enc.Finish()
	if err != nil {
		return err
	}
	typ, flags := netlink.MessageType(rtmNewLinkProp), netlink.Create|netlink.Excl|netlink.Append
	if r.del {
		typ, flags = rtmDelLinkProp, 0
	}
	_, err = c.Netlink().Execute(ctx, netlink.Message{Header: netlink.Header{Type: typ, Flags: flags}, Data: data})
	return err
}
