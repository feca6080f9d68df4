// Package mptcp speaks the "mptcp_pm" generic netlink family: the
// in-kernel Multipath TCP path manager's endpoints (the local addresses it
// may use or announce, `ip mptcp endpoint`) and limits (`ip mptcp limits`).
//
// Attribute layouts come from Documentation/netlink/specs/mptcp_pm.yaml
// and linux/mptcp.h and are described with genl.Spec (see Spec). The
// namespace must have MPTCP enabled (sysctl net.mptcp.enabled=1, the
// default); changes need CAP_NET_ADMIN over the namespace.
//
// Endpoints are selected the way `ip mptcp endpoint` selects them:
// DeleteEndpoint by id (id 0 with an address withdraws that address from
// the connections instead), SetEndpointFlags by address and port or by
// id; SetLimits takes a LimitsChange whose nil fields the kernel keeps.
// Events (the mptcp_pm_events group) record which attributes the kernel
// sent (Event.Present), and Event.String prints them as `ip mptcp
// monitor` does.
//
// Errors name the operation and the endpoint ("mptcp: delete endpoint id
// 3: invalid argument: address not found"); errors.Is and errors.As reach
// the *netlink.Error and its errno.
//
// A Conn is safe for concurrent use (see genl.Conn). Several Conns, and
// the clients of other families, may share one genl.Conn (NewConn); their
// group joins are counted, so one leaving does not unsubscribe another,
// and Close of a Conn made by NewConn leaves the genl.Conn open.
package mptcp
