package mptcp

import (
	"context"
	"fmt"

	"github.com/nlkit/nlkit/genl"
	"github.com/nlkit/nlkit/netlink"
)

// Limits bound what the in-kernel path manager does per connection (`ip
// mptcp limits`).
type Limits struct {
	// AddAddrAccepted is the number of addresses announced by peers
	// that are used to open subflows (MPTCP_PM_ATTR_RCV_ADD_ADDRS,
	// iproute2's add_addr_accepted).
	AddAddrAccepted uint32
	// Subflows is the number of additional subflows
	// (MPTCP_PM_ATTR_SUBFLOWS).
	Subflows uint32
}

// String formats the limits like `ip mptcp limits show`.
func (l Limits) String() string {
	return fmt.Sprintf("add_addr_accepted %d subflows %d", l.AddAddrAccepted, l.Subflows)
}

// Limits returns the path manager's limits (MPTCP_PM_CMD_GET_LIMITS).
func (c *Conn) Limits(ctx context.Context) (Limits, error) {
	rs, err := c.b.ExecuteAttrs(ctx, "get limits", "get-limits", nil, 0)
	if err != nil {
		return Limits{}, err
	}
	if len(rs) != 1 {
		return Limits{}, fmt.Errorf("mptcp: get limits returned %d replies, want 1: %w", len(rs), netlink.ErrMalformed)
	}
	var l Limits
	var ok1, ok2 bool
	l.AddAddrAccepted, ok1 = genl.Value[uint32](rs[0], "rcv-add-addrs")
	l.Subflows, ok2 = genl.Value[uint32](rs[0], "subflows")
	if !ok1 || !ok2 {
		return Limits{}, fmt.Errorf("mptcp: get limits reply lacks a limit: %w", netlink.ErrMalformed)
	}
	return l, nil
}

// LimitsChange lists the limits SetLimits sets: nil fields are left as
// they are (the kernel keeps its value), as `ip mptcp limits set` leaves
// the limits it is not given; a zero LimitsChange changes nothing.
type LimitsChange struct {
	// AddAddrAccepted sets Limits.AddAddrAccepted
	// (MPTCP_PM_ATTR_RCV_ADD_ADDRS).
	AddAddrAccepted *uint32
	// Subflows sets Limits.Subflows (MPTCP_PM_ATTR_SUBFLOWS).
	Subflows *uint32
}

// SetLimits sets the limits given in ch (MPTCP_PM_CMD_SET_LIMITS) and
// keeps the others. The kernel refuses values above its maximum (8) with
// EINVAL and an explanation pointing at the attribute, and then changes
// neither limit.
func (c *Conn) SetLimits(ctx context.Context, ch LimitsChange) error {
	v := genl.Attrs{}
	if ch.AddAddrAccepted != nil {
		v["rcv-add-addrs"] = *ch.AddAddrAccepted
	}
	if ch.Subflows != nil {
		v["subflows"] = *ch.Subflows
	}
	_, err := c.b.ExecuteAttrs(ctx, "set limits", "set-limits", v, 0)
	return err
}
