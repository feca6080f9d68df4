package mptcp

import (
	"context"
	"errors"
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
	rs, err := c.cl.Do(ctx, "get-limits", nil, 0)
	if err != nil {
		return Limits{}, nameOp("mptcp get limits", err)
	}
	if len(rs) != 1 {
		return Limits{}, fmt.Errorf("mptcp: get limits returned %d replies, want 1: %w", len(rs), netlink.ErrMalformed)
	}
	var l Limits
	var ok1, ok2 bool
	l.AddAddrAccepted, ok1 = genl.Get[uint32](rs[0], "rcv-add-addrs")
	l.Subflows, ok2 = genl.Get[uint32](rs[0], "subflows")
	if !ok1 || !ok2 {
		return Limits{}, fmt.Errorf("mptcp: get limits reply lacks a limit: %w", netlink.ErrMalformed)
	}
	return l, nil
}

// SetLimits sets both limits (MPTCP_PM_CMD_SET_LIMITS). The kernel refuses
// values above its maximum (8) with EINVAL and an explanation.
func (c *Conn) SetLimits(ctx context.Context, l Limits) error {
	_, err := c.cl.Do(ctx, "set-limits", genl.Attrs{"rcv-add-addrs": l.AddAddrAccepted, "subflows": l.Subflows}, 0)
	return nameOp("mptcp set limits", err)
}

// nameOp sets the operation name on a kernel error.
func nameOp(op string, err error) error {
	var ne *netlink.Error
	if errors.As(err, &ne) {
		ne.Op = op
	}
	return err
}
