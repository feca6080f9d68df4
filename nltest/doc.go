// Package nltest tests code built on nlkit without root and without a
// kernel: a Server stands in for the kernel side of netlink, and the Conns
// it hands out are real *netlink.Conn values, so sequence numbers,
// acknowledgements, multipart dumps, extended-ACK errors and notifications
// go through the same code as against the kernel.
//
// A Handler answers each request with its replies and an error, and the
// Server wraps them the way the kernel does: data replies, then an
// NLMSG_ERROR (the error, or an acknowledgement when NLM_F_ACK asked for
// one); for dumps, NLM_F_MULTI parts and NLMSG_DONE. Notify multicasts to
// the Conns that joined a group. Recorder and Replay capture a real
// session's messages and play them back.
//
// nltest is the generic, datagram-level fake and imports no family. A
// family's stateful fake, which keeps objects and answers as that family's
// kernel code does, sits beside the family it fakes and is a Handler on a
// Server of this package: package rtnl/rtnltest for route netlink, as
// net/http/httptest sits beside net/http.
package nltest
