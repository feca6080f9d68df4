package rtnl

import (
	"net"
	"net/netip"
	"reflect"
	"testing"
)

// TestMirrorCopies: what Routes and Neighbors return can be changed
// without changing the mirror.
func TestMirrorCopies(t *testing.T) {
	m := NewMirror(MirrorConfig{})
	r := Route{Family: FamilyIPv4, Dst: netip.MustParsePrefix("198.18.1.0/24"), Table: TableMain,
		Metrics: &Metrics{MTU: 1400}, NextHops: []NextHop{{Gateway: netip.MustParseAddr("198.18.0.2"), OutIndex: 2, Weight: 1}}}
	n := Neighbor{Index: 2, Addr: netip.MustParseAddr("198.18.0.2"), LinkAddr: net.HardwareAddr{2, 0, 0, 0, 0, 2}}
	m.routes[keyOfRoute(&r)] = r.clone()
	m.neighs[neighKey{index: n.Index, fam: FamilyIPv4, addr: n.Addr}] = n
	rs, ns := m.Routes(), m.Neighbors()
	rs[0].Metrics.MTU = 9000
	rs[0].NextHops[0].Weight = 7
	ns[0].LinkAddr[5] = 0xff
	if got := m.Routes(); !reflect.DeepEqual(got, []Route{r}) {
		t.Errorf("mirror's route changed through a copy: %+v %+v", got[0], *got[0].Metrics)
	}
	if got := m.Neighbors(); got[0].LinkAddr.String() != "02:00:00:00:00:02" {
		t.Errorf("mirror's neighbour changed through a copy: %v", got[0].LinkAddr)
	}
}
