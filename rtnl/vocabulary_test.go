package rtnl_test

import (
	"testing"

	"github.com/nlkit/nlkit/internal/apitest"
)

// allow lists the exported names of package rtnl outside the vocabulary
// (design.md, "Vocabulary"), each with the reason it stays.
var allow = apitest.Allow{
	"AllGroups":        "a noun phrase (every group Event models), not a verb; no kernel call",
	"DecodeEvent":      "the codec of one raw notification into an Event, for callers of netlink.Conn.Receive (netlink.DecodeNotifications takes it)",
	"Join*":            "multicast membership, the kernel's word (NETLINK_ADD_MEMBERSHIP), as netlink.Conn and genl say",
	"Leave*":           "the same, undone",
	"Conn.ApplyRoutes": "a bulk change of mixed ops (add, replace, delete per RouteOp), which no single change verb names",
	"Mirror.Run":       "a long-running loop until ctx ends (as http.Server.Serve or errgroup), not one request for Execute",
}

// TestVocabulary walks the exported API of package rtnl and fails on a
// name outside the vocabulary, or an allow-list entry that covers nothing.
func TestVocabulary(t *testing.T) {
	p := apitest.MustParseDir(t, ".")
	if n := apitest.Check(t, allow, p); n < 150 {
		t.Fatalf("only %d exported functions and methods found: is the walk broken?", n)
	}
}

// TestVocabularyRefuses: the rules, under this package's allow-list, still
// refuse the names the vocabulary forbids.
func TestVocabularyRefuses(t *testing.T) {
	apitest.CheckRefuses(t, allow)
}
