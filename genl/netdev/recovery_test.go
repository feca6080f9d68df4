//go:build linux

package netdev_test

import (
	"context"
	"errors"
	"testing"

	"github.com/nlkit/nlkit/genl/internal/gtest"
	"github.com/nlkit/nlkit/genl/netdev"
	"github.com/nlkit/nlkit/netlink"
)

// followDevices is ExampleConn_Events's pattern, written with the public
// API as a user would: join GroupMgmt, then list Devices, then apply
// Events; on netlink.ErrOverrun list Devices again and go on. The lists go
// through the subscribed Conn, as in the example, or (r.OwnLister) through
// a Conn of their own. Only the calls to r.Ready and r.Pace and the
// counting are the test's.
func followDevices(ctx context.Context, r gtest.Run) (map[int32]bool, int, netlink.Stats, error) {
	c, err := netdev.Dial(r.Config)
	if err != nil {
		return nil, 0, netlink.Stats{}, err
	}
	defer c.Close()
	lister := c
	if r.OwnLister {
		if lister, err = netdev.Dial(r.Config); err != nil {
			return nil, 0, netlink.Stats{}, err
		}
		defer lister.Close()
	}
	if err := c.JoinGroup(ctx, netdev.GroupMgmt); err != nil {
		return nil, 0, netlink.Stats{}, err
	}
	devices := map[int32]netdev.Device{}
	list := func() error {
		clear(devices)
		for d, err := range lister.Devices(ctx) {
			if err != nil {
				return err
			}
			devices[d.Index] = d
		}
		return nil
	}
	if err := list(); err != nil {
		return nil, 0, netlink.Stats{}, err
	}
	r.Ready()
	overruns := 0
	for ev, err := range c.Events(ctx) {
		r.Pace()
		if errors.Is(err, netlink.ErrOverrun) {
			overruns++
			if err := list(); err != nil {
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
		switch ev.Type {
		case netdev.DeviceAdded, netdev.DeviceChanged:
			devices[ev.Device.Index] = ev.Device
		case netdev.DeviceDeleted:
			delete(devices, ev.Device.Index)
		}
	}
	state := map[int32]bool{}
	for i := range devices {
		state[i] = true
	}
	return state, overruns, c.Genl().Netlink().Stats(), nil
}

// listDevices is a fresh Devices list, by ifindex.
func listDevices(ctx context.Context, cfg *netlink.Config) (map[int32]bool, error) {
	c, err := netdev.Dial(cfg)
	if err != nil {
		return nil, err
	}
	defer c.Close()
	out := map[int32]bool{}
	for d, err := range c.Devices(ctx) {
		if err != nil {
			return nil, err
		}
		out[d.Index] = true
	}
	return out, nil
}

// TestEventsRecoveryPattern runs the pattern of ExampleConn_Events under
// forced overruns: veth pairs are created and deleted in bursts while a
// consumer with a small receive buffer follows the devices, sometimes held
// back (its queue then holds notifications older than the loss: the case
// that used to leave phantom devices). When the storm is over and the
// stream quiet, the consumer's devices equal a fresh list, in every run.
func TestEventsRecoveryPattern(t *testing.T) {
	gtest.Recovery(t, 10, followDevices, listDevices, nil)
}
