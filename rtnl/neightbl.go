package rtnl

import (
	"context"
	"strconv"
	"time"

	"github.com/nlkit/nlkit/nlattr"
	"golang.org/x/sys/unix"
)

// NeighborProbes are the per-link probe settings of a neighbour table
// (iproute2 `ip ntable change ... dev DEV`, sysctl net.ipv4.neigh.DEV.*):
// how the kernel resolves an address it needs. Zero fields are left as
// they are, except where a Set flag says otherwise.
type NeighborProbes struct {
	// App is app_solicit (NDTPA_APP_PROBES): probes handed to user space
	// as RTM_GETNEIGH notifications (see Resolver). SetApp sends it even
	// when zero.
	App    uint32
	SetApp bool
	// Unicast is ucast_solicit (NDTPA_UCAST_PROBES); SetUnicast sends zero.
	Unicast    uint32
	SetUnicast bool
	// Multicast is mcast_solicit (NDTPA_MCAST_PROBES): broadcast ARP /
	// multicast NS probes; SetMulticast sends zero, which leaves
	// resolution to unicast and user-space probes alone.
	Multicast    uint32
	SetMulticast bool
	// RetransTime is the time between probes (NDTPA_RETRANS_TIME, ms
	// resolution); zero leaves it.
	RetransTime time.Duration
}

// Neighbour-table attributes (linux/neighbour.h).
const (
	ndtaName          = 1  // NDTA_NAME
	ndtaParms         = 6  // NDTA_PARMS
	ndtpaIfindex      = 1  // NDTPA_IFINDEX
	ndtpaRetransTime  = 5  // NDTPA_RETRANS_TIME, u64 ms
	ndtpaAppProbes    = 9  // NDTPA_APP_PROBES
	ndtpaUcastProbes  = 10 // NDTPA_UCAST_PROBES
	ndtpaMcastProbes  = 11 // NDTPA_MCAST_PROBES
	ndtpaMcastReprobe = 17 // NDTPA_MCAST_REPROBES
)

// SetNeighborProbes changes the probe settings of the IPv4 (ARP,
// "arp_cache") or IPv6 (NDP, "ndisc_cache") neighbour table of one link
// (RTM_SETNEIGHTBL).
func (c *Conn) SetNeighborProbes(ctx context.Context, family Family, index int32, p NeighborProbes) error {
	name := "arp_cache"
	if family == FamilyIPv6 {
		name = "ndisc_cache"
	}
	e := nlattr.NewEncoder([]byte{byte(family), 0, 0, 0}) // struct ndtmsg
	e.String(ndtaName, name)
	e.Nest(ndtaParms)
	e.Uint32(ndtpaIfindex, uint32(index))
	if p.App != 0 || p.SetApp {
		e.Uint32(ndtpaAppProbes, p.App)
	}
	if p.Unicast != 0 || p.SetUnicast {
		e.Uint32(ndtpaUcastProbes, p.Unicast)
	}
	if p.Multicast != 0 || p.SetMulticast {
		e.Uint32(ndtpaMcastProbes, p.Multicast)
		e.Uint32(ndtpaMcastReprobe, p.Multicast)
	}
	if p.RetransTime > 0 {
		e.Uint64(ndtpaRetransTime, uint64(p.RetransTime/time.Millisecond))
	}
	e.End()
	body, err := e.Finish()
	return c.send(ctx, "set neighbor probes of "+family.String()+" dev "+strconv.Itoa(int(index)), unix.RTM_SETNEIGHTBL, 0, body, err)
}
