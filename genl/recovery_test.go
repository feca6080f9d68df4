//go:build linux

package genl_test

import (
	"context"
	"errors"
	"testing"

	"github.com/nlkit/nlkit/genl"
	"github.com/nlkit/nlkit/genl/internal/gtest"
	"github.com/nlkit/nlkit/netlink"
	"github.com/nlkit/nlkit/nlattr"
)

// followRaw is ExampleConn_JoinGroup's loop, with the raw API: join
// netdev's "mgmt" group, then dump the devices, then apply what Receive
// yields; on netlink.ErrOverrun dump again and go on. The dumps go through
// the subscribed Conn, as in the example, or (r.OwnLister) through a Conn
// of their own. Only r.Ready, r.Pace, the counting and the errors
// returned instead of log.Fatal are the test's.
func followRaw(ctx context.Context, r gtest.Run) (map[uint32]bool, int, netlink.Stats, error) {
	c, err := genl.Dial(r.Config)
	if err != nil {
		return nil, 0, netlink.Stats{}, err
	}
	defer c.Close()
	dumper := c
	if r.OwnLister {
		if dumper, err = genl.Dial(r.Config); err != nil {
			return nil, 0, netlink.Stats{}, err
		}
		defer dumper.Close()
	}
	if _, err := c.JoinGroup(ctx, "netdev", "mgmt"); err != nil {
		return nil, 0, netlink.Stats{}, err
	}
	ifindex := func(m genl.Message) uint32 {
		d := nlattr.NewDecoder(m.Data)
		for d.Next() {
			if d.Type() == 1 {
				return d.Uint32()
			}
		}
		return 0
	}
	devices := map[uint32]bool{}
	dump := func() error {
		clear(devices)
		for m, err := range dumper.Dump(ctx, "netdev", genl.Message{Command: 1}) {
			if err != nil {
				return err
			}
			devices[ifindex(m)] = true
		}
		return nil
	}
	if err := dump(); err != nil {
		return nil, 0, netlink.Stats{}, err
	}
	r.Ready()
	overruns := 0
	for n, err := range c.Receive(ctx) {
		r.Pace()
		if errors.Is(err, netlink.ErrOverrun) {
			overruns++
			if err := dump(); err != nil {
				return nil, 0, netlink.Stats{}, err
			}
			continue
		}
		if err != nil {
			if ctx.Err() != nil {
				break // the stream has been quiet: the test is over
			}
			return nil, 0, netlink.Stats{}, err
		}
		switch n.Command {
		case 2, 4:
			devices[ifindex(n.Message)] = true
		case 3:
			delete(devices, ifindex(n.Message))
		}
	}
	return devices, overruns, c.Netlink().Stats(), nil
}

// TestJoinGroupRecoveryPattern runs the loop of ExampleConn_JoinGroup
// under forced overruns: veth pairs are created and deleted in bursts
// while the consumer, with a small receive buffer, follows netdev's
// devices, sometimes held back so that its queue holds notifications older
// than the loss. When the storm is over and the stream quiet, the
// consumer's devices equal a fresh dump, in every run.
func TestJoinGroupRecoveryPattern(t *testing.T) {
	gtest.Recovery(t, 6, followRaw, func(ctx context.Context, cfg *netlink.Config) (map[uint32]bool, error) {
		c, err := genl.Dial(cfg)
		if err != nil {
			return nil, err
		}
		defer c.Close()
		out := map[uint32]bool{}
		for m, err := range c.Dump(ctx, "netdev", genl.Message{Command: 1}) {
			if err != nil {
				return nil, err
			}
			d := nlattr.NewDecoder(m.Data)
			for d.Next() {
				if d.Type() == 1 {
					out[d.Uint32()] = true
				}
			}
		}
		return out, nil
	}, nil)
}
