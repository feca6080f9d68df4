package rtnl

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"net"
	"net/netip"

	"github.com/nlkit/nlkit/netlink"
)

// Resolver resolves addresses for the kernel from user space: the modern
// form of the old NETLINK_ARPD protocol. On a link whose neighbour table
// has App probes (SetNeighborProbes; with Multicast 0 the kernel sends no
// ARP/NS of its own), the kernel multicasts an RTM_GETNEIGH request to
// RTNLGRP_NEIGH each time it needs an address resolved; the Resolver
// receives those requests and answers with a link-layer address, or
// refuses, which fails the entry at once.
//
// Requests is for one consumer at a time; Answer and Refuse may be called
// from any goroutine.
type Resolver struct {
	watch *netlink.Conn
	c     *Conn
}

// ResolveRequest is the kernel asking for the link-layer address of Addr on
// link Index.
type ResolveRequest struct {
	Index  int32
	Family Family
	Addr   netip.Addr
}

// ResolverConfig says where a Resolver works.
type ResolverConfig struct {
	// Netlink configures both sockets (cfg.NetNS picks the namespace);
	// nil: the current namespace, with defaults. Netlink.Groups is
	// ignored.
	Netlink *netlink.Config

	// Dialer is where the Resolver's two sockets come from (see Dialer);
	// nil: the kernel's. With an rtnltest.Fake, a test plays the kernel
	// by multicasting RTM_GETNEIGH requests on the fake's Server.
	Dialer Dialer
}

// NewResolver subscribes to the kernel's requests as cfg says (nil: the
// kernel of the current namespace).
func NewResolver(cfg *ResolverConfig) (*Resolver, error) {
	var rc ResolverConfig
	if cfg != nil {
		rc = *cfg
	}
	watch, err := dialWatch(rc.Dialer, rc.Netlink, []Group{GroupNeighbor})
	if err != nil {
		return nil, err
	}
	var base netlink.Config
	if rc.Netlink != nil {
		base = *rc.Netlink
		base.Groups = nil
	}
	nl, err := dial(rc.Dialer, &base)
	if err != nil {
		watch.Close()
		return nil, fmt.Errorf("rtnl: resolver: %w", err)
	}
	return &Resolver{watch: watch, c: ownConn(nl)}, nil
}

// Close closes the Resolver's sockets.
func (r *Resolver) Close() error {
	return errors.Join(r.watch.Close(), r.c.Close())
}

// Requests streams the kernel's resolution requests. It is a single-use
// iterator, one at a time per Resolver. netlink.ErrOverrun
// is yielded when requests were lost (the kernel will ask again at its
// next probe, so nothing needs resynchronising) and the stream goes on; a
// malformed request is yielded as an error and skipped; other errors end
// it.
func (r *Resolver) Requests(ctx context.Context) iter.Seq2[ResolveRequest, error] {
	return netlink.DecodeNotifications(r.watch.Receive(ctx), func(n netlink.Notification) (ResolveRequest, bool, error) {
		if n.Header.Type != rtmGetNeigh {
			return ResolveRequest{}, false, nil // ordinary neighbour changes
		}
		nb, err := decodeNeighbor(n.Data)
		if err != nil {
			return ResolveRequest{}, false, fmt.Errorf("rtnl: resolve request: %w", err)
		}
		return ResolveRequest{Index: nb.Index, Family: nb.Family, Addr: nb.Addr}, true, nil
	})
}

// Answer tells the kernel the link-layer address of the requested
// address: the entry becomes REACHABLE and the packets waiting for it go.
func (r *Resolver) Answer(ctx context.Context, req ResolveRequest, lladdr net.HardwareAddr) error {
	return r.c.ReplaceNeighbor(ctx, Neighbor{Index: req.Index, Family: req.Family, Addr: req.Addr, LinkAddr: lladdr, State: NeighborReachable})
}

// Refuse fails the requested entry now instead of after the remaining
// probes: the kernel drops the packets waiting for it and reports the
// destination unreachable to their senders.
func (r *Resolver) Refuse(ctx context.Context, req ResolveRequest) error {
	return r.c.ReplaceNeighbor(ctx, Neighbor{Index: req.Index, Family: req.Family, Addr: req.Addr, State: NeighborFailed})
}
