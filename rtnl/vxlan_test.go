package rtnl

import "time"

// vxlanReported fills the settings of want that the kernel reports for a
// vxlan whatever was asked (its defaults), as TestLinkKindVxlan compares
// what it added with what the kernel lists.
func vxlanReported(want *Vxlan) {
	for _, p := range []**bool{&want.Proxy, &want.RSC, &want.L2Miss, &want.L3Miss, &want.External,
		&want.RemoteChecksumTx, &want.RemoteChecksumRx, &want.UDP6ZeroChecksumTx, &want.UDP6ZeroChecksumRx} {
		if *p == nil {
			*p = new(false)
		}
	}
	for _, p := range []**bool{&want.Learning, &want.UDPChecksum, &want.LocalBypass} {
		if *p == nil {
			*p = new(true)
		}
	}
	for _, p := range []**uint32{&want.Limit, &want.FlowLabel} {
		if *p == nil {
			*p = new(uint32(0))
		}
	}
	if want.Port == 0 {
		want.Port = 8472 // the kernel's default
	}
	if want.SrcPorts == nil {
		want.SrcPorts = &PortRange{}
	}
	if want.DF == nil {
		want.DF = new(VxlanDFUnset)
	}
	if want.Ageing == nil {
		want.Ageing = new(300 * time.Second)
	}
}
