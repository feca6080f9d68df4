// Package mptcp speaks the "mptcp_pm" generic netlink family: the
// in-kernel Multipath TCP path manager's endpoints (the local addresses it
// may use or announce, `ip mptcp endpoint`) and limits (`ip mptcp limits`).
//
// Attribute layouts come from Documentation/netlink/specs/mptcp_pm.yaml
// and linux/mptcp.h and are described with genl.Spec (see Spec). The
// namespace must have MPTCP enabled (sysctl net.mptcp.enabled=1, the
// default); changes need CAP_NET_ADMIN over the namespace.
//
// A Conn is safe for concurrent use (see genl.Conn).
package mptcp
