// Package rtnltest is a stateful fake of route netlink (NETLINK_ROUTE) for
// tests that run without root and without a kernel: Fake keeps one network
// namespace's links, addresses, routes, neighbours and policy rules and
// answers requests, errors and notifications as Linux does. It is an
// nltest.Handler on an nltest.Server, so its Conns are real *netlink.Conn
// values; wrap one with rtnl.NewConn, or hand the Fake to rtnl's Mirror
// and Resolver as where their sockets come from.
//
// The fake is checked against the kernel: diff_test.go runs the same
// scenarios on a Fake and in a throwaway network namespace and compares
// every step's errno, the lookups and the final dumps. It needs root and
// is skipped without it (NLKIT_KERNEL_TESTS=require makes a skip a
// failure).
//
// # Codecs
//
// Requests are decoded with package rtnl's codecs, which also runs those
// codecs on every request the fake answers, and beside the codec the fake
// reads from the wire what the codec's value folds away and the kernel's
// answer depends on (a fake must answer a malformed request from any
// client as the kernel does, not only requests rtnl would send):
//
//   - routes: rtnl.Route's UnmarshalBinary;
//   - rules: rtnl.Rule's, and which of FRA_PRIORITY, FRA_GOTO, FRA_FWMARK
//     and FRA_FWMASK were present;
//   - neighbours: rtnl.Neighbor's, and the raw length of NDA_DST (a short
//     one is "Invalid network address", an absent one "Network address not
//     specified", where the codec fails the whole message), whether
//     NDA_LLADDR was there even empty, and NDA_IFINDEX, a filter that is no
//     part of a Neighbor.
//
// Links and addresses are the exception, parsed from the wire alone: their
// codecs arrived in rtnl while this package moved, and moving
// their requests to them is the next step, in the shape above, with the
// differential suite to keep it honest. What the wire gives there that the
// values do not:
//
//   - addresses: whether IFA_LOCAL, IFA_ADDRESS, IFA_LABEL, IFA_CACHEINFO
//     and IFA_RT_PRIORITY were present at all (rtnl.Address merges
//     IFA_LOCAL and IFA_ADDRESS into Prefix and Peer, and cannot tell an
//     absent label, lifetime or metric from a zero one), and the raw
//     lifetimes the kernel validates (valid 0, preferred > valid: EINVAL);
//   - links: which IFLA_* attributes and kind data were present, which
//     rtnl.Link does not record for every field.
//
// Replies and notifications are encoded with rtnl's codecs for routes and
// rules (AppendBinary), and by hand for links, addresses and
// neighbours, which tests rtnl's decoders for those against an
// encoding they did not write.
//
// The rule, for this fake and the next families': a fake decodes every
// request its family's exported codec covers with that codec, and reads
// presence and raw lengths from the wire beside it where the kernel's
// answer depends on them.
package rtnltest
