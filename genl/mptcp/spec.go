package mptcp

import "github.com/nlkit/nlkit/genl"

// Names from linux/mptcp.h.
const (
	FamilyName  = "mptcp_pm"        // MPTCP_PM_NAME
	GroupCmds   = "mptcp_pm_cmds"   // MPTCP_PM_CMD_GRP_NAME
	GroupEvents = "mptcp_pm_events" // MPTCP_PM_EV_GRP_NAME: connection and listener events
)

// Commands (enum mptcp_pm_cmd / MPTCP_PM_CMD_*).
const (
	cmdAddAddr    = 1 // MPTCP_PM_CMD_ADD_ADDR
	cmdDelAddr    = 2 // MPTCP_PM_CMD_DEL_ADDR
	cmdGetAddr    = 3 // MPTCP_PM_CMD_GET_ADDR
	cmdFlushAddrs = 4 // MPTCP_PM_CMD_FLUSH_ADDRS
	cmdSetLimits  = 5 // MPTCP_PM_CMD_SET_LIMITS
	cmdGetLimits  = 6 // MPTCP_PM_CMD_GET_LIMITS
	cmdSetFlags   = 7 // MPTCP_PM_CMD_SET_FLAGS
)

// Spec returns a new description of the endpoint and limit commands of
// the mptcp_pm family, for genl.NewClient or generic printing.
func Spec() *genl.Spec {
	// Attribute set "address" (MPTCP_PM_ADDR_ATTR_*).
	address := &genl.AttrSet{Name: "address", Attrs: []genl.Attr{
		{Name: "family", Type: 1, Kind: genl.KindU16},   // MPTCP_PM_ADDR_ATTR_FAMILY: AF_INET or AF_INET6
		{Name: "id", Type: 2, Kind: genl.KindU8},        // MPTCP_PM_ADDR_ATTR_ID
		{Name: "addr4", Type: 3, Kind: genl.KindIPAddr}, // MPTCP_PM_ADDR_ATTR_ADDR4: struct in_addr
		{Name: "addr6", Type: 4, Kind: genl.KindIPAddr}, // MPTCP_PM_ADDR_ATTR_ADDR6: struct in6_addr
		{Name: "port", Type: 5, Kind: genl.KindU16},     // MPTCP_PM_ADDR_ATTR_PORT: host byte order
		{Name: "flags", Type: 6, Kind: genl.KindU32},    // MPTCP_PM_ADDR_ATTR_FLAGS: MPTCP_PM_ADDR_FLAG_*
		{Name: "if-idx", Type: 7, Kind: genl.KindS32},   // MPTCP_PM_ADDR_ATTR_IF_IDX
	}}
	// Attribute set "endpoint" (MPTCP_PM_ENDPOINT_*).
	endpoint := &genl.AttrSet{Name: "endpoint", Attrs: []genl.Attr{
		{Name: "addr", Type: 1, Kind: genl.KindNested, Set: address}, // MPTCP_PM_ENDPOINT_ADDR
	}}
	// Attribute set "attr" (MPTCP_PM_ATTR_*).
	attr := &genl.AttrSet{Name: "attr", Attrs: []genl.Attr{
		{Name: "addr", Type: 1, Kind: genl.KindNested, Set: address},        // MPTCP_PM_ATTR_ADDR
		{Name: "rcv-add-addrs", Type: 2, Kind: genl.KindU32},                // MPTCP_PM_ATTR_RCV_ADD_ADDRS
		{Name: "subflows", Type: 3, Kind: genl.KindU32},                     // MPTCP_PM_ATTR_SUBFLOWS
		{Name: "token", Type: 4, Kind: genl.KindU32},                        // MPTCP_PM_ATTR_TOKEN
		{Name: "loc-id", Type: 5, Kind: genl.KindU8},                        // MPTCP_PM_ATTR_LOC_ID
		{Name: "addr-remote", Type: 6, Kind: genl.KindNested, Set: address}, // MPTCP_PM_ATTR_ADDR_REMOTE
	}}
	// Attribute set "event-attr" (MPTCP_ATTR_*), of notifications.
	event := &genl.AttrSet{Name: "event-attr", Attrs: []genl.Attr{
		{Name: "token", Type: 1, Kind: genl.KindU32},         // MPTCP_ATTR_TOKEN
		{Name: "family", Type: 2, Kind: genl.KindU16},        // MPTCP_ATTR_FAMILY
		{Name: "loc-id", Type: 3, Kind: genl.KindU8},         // MPTCP_ATTR_LOC_ID
		{Name: "rem-id", Type: 4, Kind: genl.KindU8},         // MPTCP_ATTR_REM_ID
		{Name: "saddr4", Type: 5, Kind: genl.KindIPAddr},     // MPTCP_ATTR_SADDR4
		{Name: "saddr6", Type: 6, Kind: genl.KindIPAddr},     // MPTCP_ATTR_SADDR6
		{Name: "daddr4", Type: 7, Kind: genl.KindIPAddr},     // MPTCP_ATTR_DADDR4
		{Name: "daddr6", Type: 8, Kind: genl.KindIPAddr},     // MPTCP_ATTR_DADDR6
		{Name: "sport", Type: 9, Kind: genl.KindU16BE},       // MPTCP_ATTR_SPORT
		{Name: "dport", Type: 10, Kind: genl.KindU16BE},      // MPTCP_ATTR_DPORT
		{Name: "backup", Type: 11, Kind: genl.KindU8},        // MPTCP_ATTR_BACKUP
		{Name: "error", Type: 12, Kind: genl.KindU8},         // MPTCP_ATTR_ERROR
		{Name: "flags", Type: 13, Kind: genl.KindU16},        // MPTCP_ATTR_FLAGS
		{Name: "timeout", Type: 14, Kind: genl.KindU32},      // MPTCP_ATTR_TIMEOUT
		{Name: "if-idx", Type: 15, Kind: genl.KindS32},       // MPTCP_ATTR_IF_IDX
		{Name: "reset-reason", Type: 16, Kind: genl.KindU32}, // MPTCP_ATTR_RESET_REASON
		{Name: "reset-flags", Type: 17, Kind: genl.KindU32},  // MPTCP_ATTR_RESET_FLAGS
		{Name: "server-side", Type: 18, Kind: genl.KindU8},   // MPTCP_ATTR_SERVER_SIDE
	}}
	cmds := []genl.Command{
		{Name: "add-addr", ID: cmdAddAddr, Attrs: endpoint},
		{Name: "del-addr", ID: cmdDelAddr, Attrs: endpoint},
		{Name: "get-addr", ID: cmdGetAddr, Attrs: attr},
		{Name: "flush-addrs", ID: cmdFlushAddrs, Attrs: endpoint},
		{Name: "set-limits", ID: cmdSetLimits, Attrs: attr},
		{Name: "get-limits", ID: cmdGetLimits, Attrs: attr},
		{Name: "set-flags", ID: cmdSetFlags, Attrs: attr},
	}
	// Notifications of the events group (enum mptcp_event_type), whose
	// numbers overlap with the commands'.
	for _, t := range eventTypes {
		cmds = append(cmds, genl.Command{Name: t.String(), ID: uint8(t), Attrs: event, Notification: true})
	}
	return &genl.Spec{Name: FamilyName, Commands: cmds}
}
