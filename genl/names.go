package genl

// CommandNames names the commands of a family by number (genlmsghdr.cmd),
// in the words of the family's YAML spec (Documentation/netlink/specs):
// "getfamily", "del-addr", "features-get". Families reuse numbers for
// replies and notifications, so a table names one direction only, the
// requests unless its doc says otherwise.
//
// Tables come from functions that build a new map on each call
// (ControllerCommands, Spec.CommandNames, the subpackages'), so a caller
// may modify its copy. Policy.Format and Family.Format print with them.
type CommandNames map[uint8]string

// Command returns the number of the command called name (as Op.Command
// and Message.Command hold it).
func (n CommandNames) Command(name string) (uint8, bool) {
	for id, s := range n {
		if s == name {
			return id, true
		}
	}
	return 0, false
}

// ControllerName is the name of the controller family ("nlctrl",
// GENL_ID_CTRL's family), which Conn speaks itself.
const ControllerName = "nlctrl"

// ControllerCommands names the controller's commands (CTRL_CMD_*,
// linux/genetlink.h) as Documentation/netlink/specs/nlctrl.yaml does.
// Policy.String and Family.Describe use them for nlctrl.
func ControllerCommands() CommandNames {
	return CommandNames{
		1:  "newfamily",    // CTRL_CMD_NEWFAMILY (notification)
		2:  "delfamily",    // CTRL_CMD_DELFAMILY (notification)
		3:  "getfamily",    // CTRL_CMD_GETFAMILY
		4:  "newops",       // CTRL_CMD_NEWOPS (unused)
		5:  "delops",       // CTRL_CMD_DELOPS (unused)
		6:  "getops",       // CTRL_CMD_GETOPS (unused)
		7:  "newmcast-grp", // CTRL_CMD_NEWMCAST_GRP (notification)
		8:  "delmcast-grp", // CTRL_CMD_DELMCAST_GRP (notification)
		9:  "getmcast-grp", // CTRL_CMD_GETMCAST_GRP (unused)
		10: "getpolicy",    // CTRL_CMD_GETPOLICY
	}
}

// knownCommands returns the names this package knows for family: the
// controller's; nil for other families.
func knownCommands(family string) CommandNames {
	if family == ControllerName {
		return ControllerCommands()
	}
	return nil
}

// CommandNames returns the names of the spec's requests by number (its
// commands not marked Notification), a new map on each call.
func (s *Spec) CommandNames() CommandNames {
	n := make(CommandNames)
	for _, c := range s.Commands {
		if !c.Notification {
			if _, dup := n[c.ID]; !dup {
				n[c.ID] = c.Name
			}
		}
	}
	return n
}
