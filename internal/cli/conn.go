package cli

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"syscall"

	"github.com/nlkit/nlkit/netlink"
	"github.com/nlkit/nlkit/rtnl"
)

// rt returns the route-netlink Conn of this run, dialled on first use in
// the -n namespace. It is closed by closeConns.
func (e *env) rt() (*rtnl.Conn, error) {
	if e.conn != nil {
		return e.conn, nil
	}
	c, err := rtnl.Dial(e.netlinkConfig())
	if err != nil {
		return nil, fmt.Errorf("Cannot open netlink socket: %w", err)
	}
	e.conn = c
	return c, nil
}

func (e *env) closeConns() {
	if e.conn != nil {
		e.conn.Close()
		e.conn = nil
	}
}

// linkIndex resolves a device name to its index as ip's
// ll_name_to_index does: the link of that name, or of that alternative
// name when the name is not a valid interface name (too long, say); else
// "ifN" names index N. A name that finds no device, such as the empty
// name, is ip's nodev error naming it (exit status 1).
func (e *env) linkIndex(ctx context.Context, name string) (int32, error) {
	if name == "" {
		return 0, nodev(name) // no device has it; the kernel is not asked
	}
	if idx, ok := e.names[name]; ok {
		return idx, nil
	}
	c, err := e.rt()
	if err != nil {
		return 0, err
	}
	var l rtnl.Link
	if validIfname(name) {
		l, err = c.LinkByName(ctx, name)
	} else {
		l, err = linkByAltName(ctx, c, name)
	}
	var ne *netlink.Error
	if errors.As(err, &ne) || errors.Is(err, syscall.ENODEV) {
		// ip takes any refusal as "no such link".
		if idx := sscanfIfIndex(name); idx != 0 {
			return idx, nil
		}
		return 0, nodev(name)
	}
	if err != nil {
		return 0, err
	}
	e.remember(l.Index, l.Name)
	return l.Index, nil
}

// rtLink gives the Conn and the index of the link named (linkIndex).
func (e *env) rtLink(ctx context.Context, name string) (*rtnl.Conn, int32, error) {
	c, err := e.rt()
	if err != nil {
		return nil, 0, err
	}
	idx, err := e.linkIndex(ctx, name)
	return c, idx, err
}

// linkByAltName finds the link with an alternative name (ip asks the
// kernel with IFLA_ALT_IFNAME; the library looks for it in a dump). No
// such link is syscall.ENODEV.
func linkByAltName(ctx context.Context, c *rtnl.Conn, name string) (rtnl.Link, error) {
	for l, err := range c.Links(ctx, rtnl.LinkFilter{}) {
		if err != nil {
			return rtnl.Link{}, err
		}
		if slices.Contains(l.AltNames, name) {
			return l, nil
		}
	}
	return rtnl.Link{}, syscall.ENODEV
}

// linkName resolves an index to its name for printing; an index that no
// longer exists prints as "if<N>" like ip does.
func (e *env) linkName(ctx context.Context, idx int32) string {
	if idx == 0 {
		return ""
	}
	if n, ok := e.indexes[idx]; ok {
		return n
	}
	if c, err := e.rt(); err == nil {
		if l, err := c.Link(ctx, idx); err == nil {
			e.remember(l.Index, l.Name)
			return l.Name
		}
	}
	return "if" + strconv.Itoa(int(idx))
}

// loadLinkNames fills the name cache with one dump, for commands that print
// many objects.
func (e *env) loadLinkNames(ctx context.Context) error {
	c, err := e.rt()
	if err != nil {
		return err
	}
	for l, err := range c.Links(ctx, rtnl.LinkFilter{}) {
		if err != nil {
			return err
		}
		e.remember(l.Index, l.Name)
		if e.linkFlags != nil {
			e.linkFlags[l.Index] = l.Flags
		}
	}
	return nil
}

func (e *env) remember(idx int32, name string) {
	if e.names == nil {
		e.names = map[string]int32{}
		e.indexes = map[int32]string{}
	}
	e.names[name] = idx
	e.indexes[idx] = name
}

// netlinkConfig is the configuration of every netlink socket of this run:
// in the -n namespace, with -rcvbuf's receive buffer. Objects dial their
// families with it.
func (e *env) netlinkConfig() *netlink.Config {
	return &netlink.Config{NetNS: e.ns, ReceiveBuffer: e.opts.RcvBuf}
}
