// Package gen holds packages nlgen generated from the specs of
// ynl/testdata/specs, as examples of generated code: they are compiled, vocabulary-checked, compared with
// the runtime client and with nlkit's hand-written clients in ynl's tests,
// and benchmarked. cmd/nlgen's TestCommittedUpToDate fails when they differ
// from what nlgen generates now; regenerate with go generate.
package gen

//go:generate go run ../../cmd/nlgen -spec ../testdata/specs/netdev.yaml -pkg netdev -o netdev
//go:generate go run ../../cmd/nlgen -spec ../testdata/specs/rt-route.yaml -pkg rtroute -o rtroute
//go:generate go run ../../cmd/nlgen -spec ../testdata/specs/rt_addr.yaml -pkg rtaddr -o rtaddr
//go:generate go run ../../cmd/nlgen -spec ../testdata/specs/ethtool.yaml -pkg ethtool -o ethtool
//go:generate go run ../../cmd/nlgen -spec ../testdata/specs/mptcp_pm.yaml -pkg mptcppm -o mptcppm
//go:generate go run ../../cmd/nlgen -spec ../testdata/specs/nlctrl.yaml -pkg nlctrl -o nlctrl
//go:generate go run ../../cmd/nlgen -spec ../testdata/specs/rt-link.yaml -pkg rtlink -o rtlink
//go:generate go run ../../cmd/nlgen -spec ../testdata/specs/features.yaml -pkg features -o features
