// Package rtnltest is a stateful fake of route netlink (NETLINK_ROUTE) for
// tests that run without root and without a kernel: Fake keeps one network
// namespace's links, addresses, routes, neighbours and policy rules and
// answers requests, errors and notifications as Linux does. It is a
// Handler on an nltest.Server, so its Conns are real *netlink.Conn values;
// wrap one with rtnl.NewConn, or hand the Fake to rtnl's Mirror and
// Resolver as where their sockets come from.
//
// The fake is checked against the kernel: diff_test.go runs the same
// scenarios on a Fake and in a throwaway network namespace and compares
// every step's errno, the lookups and the final dumps. It needs root and
// is skipped without it (NLKIT_KERNEL_TESTS=require makes a skip a
// failure).
//
// # Codecs
//
// Requests are parsed, and replies and notifications encoded, with
// package rtnl's codecs where the codec's value keeps everything the
// kernel's answer depends on: routes (rtnl.Route's UnmarshalBinary and
// AppendBinary) and rules (rtnl.Rule's, plus a scan for which of
// FRA_PRIORITY, FRA_GOTO, FRA_FWMARK and FRA_FWMASK were present). This
// also runs those codecs on every request the fake answers.
//
// Links, addresses and neighbours are still parsed from the wire and
// encoded by hand. rtnl.Link, rtnl.Address and rtnl.Neighbor have codecs
// now, but they are built for well-formed messages, and the fake must
// answer a malformed request from any client as the kernel does, which
// depends on what the values fold away or refuse outright:
//
//   - addresses: whether IFA_LOCAL, IFA_ADDRESS, IFA_LABEL, IFA_CACHEINFO
//     and IFA_RT_PRIORITY were present at all (rtnl.Address merges
//     IFA_LOCAL and IFA_ADDRESS into Prefix and Peer, and cannot tell an
//     absent label, lifetime or metric from a zero one), and the raw
//     lifetimes the kernel validates (valid 0, preferred > valid: EINVAL);
//   - neighbours: the length of NDA_DST before it is an address (a short
//     one is "Invalid network address", an absent one "Network address not
//     specified", where rtnl.Neighbor's decoder fails the whole message),
//     whether NDA_LLADDR was present, and NDA_IFINDEX and NDA_MASTER, which
//     are dump filters and no part of a Neighbor;
//   - links: which IFLA_* attributes and kind data were present, which
//     rtnl.Link and rtnl.LinkChange do not record for every field.
//
// Rules show the way: decode with the codec, and read presence from the
// wire beside it. Moving the three to that shape is the next step; the
// differential suite is what makes it safe. Meanwhile the hand-written
// replies test rtnl's link, address and neighbour decoders against an
// encoding they did not write. The rule, for this fake and the next
// families': a fake uses its family's exported codec for every message the
// codec covers, and reads presence and raw lengths from the wire beside it
// where the kernel's answer depends on them.
package rtnltest
