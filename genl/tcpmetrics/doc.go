// Package tcpmetrics speaks the "tcp_metrics" generic netlink family: the
// per-destination TCP metrics the kernel caches (RTT, congestion window,
// slow-start threshold, TCP Fast Open data), as `ip tcp_metrics` shows and
// deletes them.
//
// Attribute layouts come from linux/tcp_metrics.h and
// Documentation/netlink/specs/tcp_metrics.yaml, described with genl.Spec
// (see Spec). The kernel fills the cache when TCP connections close (see
// sysctl net.ipv4.tcp_no_metrics_save); it is per network namespace.
//
// Errors name the operation and the entry ("tcpmetrics: get entry
// 192.0.2.1: no such process"); errors.Is and errors.As reach the
// *netlink.Error and its errno. The family has no multicast groups, so the
// Conn has no JoinGroup or Events.
//
// A Conn is safe for concurrent use (see genl.Conn). Clients of several
// families may share one genl.Conn (NewConn); Close of a Conn made by
// NewConn leaves it open.
package tcpmetrics
