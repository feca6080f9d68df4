package sockdiag

import (
	"context"
	"fmt"
	"iter"

	"github.com/nlkit/nlkit/netlink"
)

// Multicast groups of NETLINK_SOCK_DIAG (SKNLGRP_*): the kernel sends an
// inet_diag_msg to them when a socket is destroyed (ss -E). Joining needs
// CAP_NET_ADMIN.
const (
	GroupInetTCPDestroy  uint32 = 1 // SKNLGRP_INET_TCP_DESTROY
	GroupInetUDPDestroy  uint32 = 2 // SKNLGRP_INET_UDP_DESTROY
	GroupInet6TCPDestroy uint32 = 3 // SKNLGRP_INET6_TCP_DESTROY
	GroupInet6UDPDestroy uint32 = 4 // SKNLGRP_INET6_UDP_DESTROY
)

// AllGroups returns the four socket-destroy groups.
func AllGroups() []uint32 {
	return []uint32{GroupInetTCPDestroy, GroupInetUDPDestroy, GroupInet6TCPDestroy, GroupInet6UDPDestroy}
}

// Event is a socket the kernel destroyed, as its group reported it.
type Event struct {
	Group  uint32     // the SKNLGRP_* group it came from
	Socket InetSocket // the socket, as it was at its end
}

// JoinGroup subscribes the Conn to a socket-destroy group (a Group*
// constant); Events then streams its notifications.
func (c *Conn) JoinGroup(group uint32) error {
	if err := c.c.JoinGroup(group); err != nil {
		return fmt.Errorf("sockdiag: join group %d: %w", group, err)
	}
	return nil
}

// LeaveGroup undoes one JoinGroup.
func (c *Conn) LeaveGroup(group uint32) error {
	if err := c.c.LeaveGroup(group); err != nil {
		return fmt.Errorf("sockdiag: leave group %d: %w", group, err)
	}
	return nil
}

// Events streams the sockets the kernel destroys, for the groups joined.
// It is a single-use iterator; one Events (or netlink Receive) at a time
// per Conn. When the kernel dropped notifications (ENOBUFS), Events yields
// an error matching netlink.ErrOverrun and goes on; a malformed
// notification is yielded as an error and skipped; any other error (ctx's,
// a closed Conn) ends the stream.
func (c *Conn) Events(ctx context.Context) iter.Seq2[Event, error] {
	return netlink.DecodeNotifications(c.c.Receive(ctx), func(n netlink.Notification) (Event, bool, error) {
		if n.Header.Type != typeByFamily || n.Group == 0 {
			return Event{}, false, nil
		}
		ev := Event{Group: n.Group}
		ev.Socket.Protocol = ProtocolTCP
		if n.Group == GroupInetUDPDestroy || n.Group == GroupInet6UDPDestroy {
			ev.Socket.Protocol = ProtocolUDP
		}
		if err := ev.Socket.UnmarshalBinary(n.Data); err != nil {
			return Event{}, false, err
		}
		ev.Socket.MD5Keys = append([]MD5Key(nil), ev.Socket.MD5Keys...)
		return ev, true, nil
	})
}
