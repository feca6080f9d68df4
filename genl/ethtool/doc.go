// Package ethtool speaks the "ethtool" generic netlink family: what the
// ethtool utility shows about a network device. It covers link information
// (ETHTOOL_MSG_LINKINFO_GET), link modes with speed, duplex and
// autonegotiation (ETHTOOL_MSG_LINKMODES_GET), channels, rings and
// features (ETHTOOL_MSG_FEATURES_GET), whose bit sets are decoded from
// both of the kernel's forms, compact and verbose (see Bitset). It sets
// channel counts (SetChannels, `ethtool -L`), and Events streams the
// "monitor" group's notifications, every change of a device's settings,
// with the new settings for the kinds above.
//
// Constants and layouts come from linux/ethtool_netlink.h (its generated
// part, ethtool_netlink_generated.h, on new kernels), linux/ethtool.h and
// Documentation/networking/ethtool-netlink.rst. The ethtool family's bit
// sets are beyond genl.Spec, so this package decodes with nlattr directly.
//
// Devices are named by index or name (Device). A missing device gives a
// *netlink.Error with ENODEV and the kernel's explanation; a device whose
// driver does not implement an operation gives EOPNOTSUPP.
//
// Errors name the operation and the device (`ethtool: set channels of
// "eth0": invalid argument: ...`); errors.Is and errors.As reach the
// *netlink.Error and its errno.
//
// A Conn is safe for concurrent use (see genl.Conn). Several Conns, and
// the clients of other families, may share one genl.Conn (NewConn): Close
// then leaves it open. Values returned are owned by the caller.
package ethtool
