package ethtool

import "github.com/nlkit/nlkit/genl"

// requestNames are the operation names of ethtool.yaml, indexed by the
// request's number (the user-to-kernel ETHTOOL_MSG_* enum, from 1).
var requestNames = [...]string{
	1:  "strset-get",          // ETHTOOL_MSG_STRSET_GET
	2:  "linkinfo-get",        // ETHTOOL_MSG_LINKINFO_GET
	3:  "linkinfo-set",        // ETHTOOL_MSG_LINKINFO_SET
	4:  "linkmodes-get",       // ETHTOOL_MSG_LINKMODES_GET
	5:  "linkmodes-set",       // ETHTOOL_MSG_LINKMODES_SET
	6:  "linkstate-get",       // ETHTOOL_MSG_LINKSTATE_GET
	7:  "debug-get",           // ETHTOOL_MSG_DEBUG_GET
	8:  "debug-set",           // ETHTOOL_MSG_DEBUG_SET
	9:  "wol-get",             // ETHTOOL_MSG_WOL_GET
	10: "wol-set",             // ETHTOOL_MSG_WOL_SET
	11: "features-get",        // ETHTOOL_MSG_FEATURES_GET
	12: "features-set",        // ETHTOOL_MSG_FEATURES_SET
	13: "privflags-get",       // ETHTOOL_MSG_PRIVFLAGS_GET
	14: "privflags-set",       // ETHTOOL_MSG_PRIVFLAGS_SET
	15: "rings-get",           // ETHTOOL_MSG_RINGS_GET
	16: "rings-set",           // ETHTOOL_MSG_RINGS_SET
	17: "channels-get",        // ETHTOOL_MSG_CHANNELS_GET
	18: "channels-set",        // ETHTOOL_MSG_CHANNELS_SET
	19: "coalesce-get",        // ETHTOOL_MSG_COALESCE_GET
	20: "coalesce-set",        // ETHTOOL_MSG_COALESCE_SET
	21: "pause-get",           // ETHTOOL_MSG_PAUSE_GET
	22: "pause-set",           // ETHTOOL_MSG_PAUSE_SET
	23: "eee-get",             // ETHTOOL_MSG_EEE_GET
	24: "eee-set",             // ETHTOOL_MSG_EEE_SET
	25: "tsinfo-get",          // ETHTOOL_MSG_TSINFO_GET
	26: "cable-test-act",      // ETHTOOL_MSG_CABLE_TEST_ACT
	27: "cable-test-tdr-act",  // ETHTOOL_MSG_CABLE_TEST_TDR_ACT
	28: "tunnel-info-get",     // ETHTOOL_MSG_TUNNEL_INFO_GET
	29: "fec-get",             // ETHTOOL_MSG_FEC_GET
	30: "fec-set",             // ETHTOOL_MSG_FEC_SET
	31: "module-eeprom-get",   // ETHTOOL_MSG_MODULE_EEPROM_GET
	32: "stats-get",           // ETHTOOL_MSG_STATS_GET
	33: "phc-vclocks-get",     // ETHTOOL_MSG_PHC_VCLOCKS_GET
	34: "module-get",          // ETHTOOL_MSG_MODULE_GET
	35: "module-set",          // ETHTOOL_MSG_MODULE_SET
	36: "pse-get",             // ETHTOOL_MSG_PSE_GET
	37: "pse-set",             // ETHTOOL_MSG_PSE_SET
	38: "rss-get",             // ETHTOOL_MSG_RSS_GET
	39: "plca-get-cfg",        // ETHTOOL_MSG_PLCA_GET_CFG
	40: "plca-set-cfg",        // ETHTOOL_MSG_PLCA_SET_CFG
	41: "plca-get-status",     // ETHTOOL_MSG_PLCA_GET_STATUS
	42: "mm-get",              // ETHTOOL_MSG_MM_GET
	43: "mm-set",              // ETHTOOL_MSG_MM_SET
	44: "module-fw-flash-act", // ETHTOOL_MSG_MODULE_FW_FLASH_ACT
	45: "phy-get",             // ETHTOOL_MSG_PHY_GET
	46: "tsconfig-get",        // ETHTOOL_MSG_TSCONFIG_GET
	47: "tsconfig-set",        // ETHTOOL_MSG_TSCONFIG_SET
	48: "rss-set",             // ETHTOOL_MSG_RSS_SET
	49: "rss-create-act",      // ETHTOOL_MSG_RSS_CREATE_ACT
	50: "rss-delete-act",      // ETHTOOL_MSG_RSS_DELETE_ACT
}

// CommandNames names the family's requests by number (the user-to-kernel
// ETHTOOL_MSG_* enum, up to Linux 6.18) as
// Documentation/netlink/specs/ethtool.yaml does: "features-get",
// "rss-delete-act". The kernel's replies and notifications are numbered
// apart (ETHTOOL_MSG_*_REPLY, _NTF) and are not in it. It returns a new
// map on each call, for genl.Family.Format and genl.Policy.Format.
func CommandNames() genl.CommandNames {
	n := make(genl.CommandNames, len(requestNames))
	for id, name := range requestNames {
		if name != "" {
			n[uint8(id)] = name
		}
	}
	return n
}
