// Package xfrm speaks NETLINK_XFRM, the kernel's IPsec interface: the
// security associations of the SAD (State) and the security policies of
// the SPD (Policy), their notifications (Events, with the ACQUIRE a key
// manager answers), and the default policies, counters and hash
// thresholds around them. `ip xfrm` is its classic tool; `nl xfrm` speaks
// its grammar on this package.
//
// Layouts come from linux/xfrm.h: each structure (struct xfrm_usersa_info,
// xfrm_userpolicy_info, xfrm_user_tmpl, ...) is encoded and decoded field
// by field in native byte order, with SPIs and ports in network order as
// the kernel keeps them; the Go types hold them in host order. Names of
// fields in comments are the kernel's, so that a reader can go from the
// man page to the code.
//
// # Keys
//
// SA keys are secrets. State, StateID and Algorithm have String and
// GoString methods that never show a key, errors name SAs by protocol,
// SPI and addresses only, and nl prints keys only when asked (-s, -d or
// "keys"). Trace output of netlink.Config shows message headers, not
// payloads.
//
// # Errors
//
// Errors name the operation and the object ("xfrm: get policy index 9 dir
// out: no such file or directory"); errors.Is and
// errors.As reach the *netlink.Error and its errno. A kernel without the
// SA's protocol module (esp4, ah4, ipcomp ...) refuses SAs with
// EPROTONOSUPPORT and the extended-ACK message "Requested type not found";
// one without an algorithm with ENOSYS ("Requested AEAD algorithm not
// found").
//
// # Concurrency
//
// A Conn is safe for concurrent use (see netlink.Conn). Decoded values
// never alias receive buffers.
package xfrm
