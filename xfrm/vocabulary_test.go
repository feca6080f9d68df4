package xfrm_test

import (
	"testing"

	"github.com/nlkit/nlkit/internal/apitest"
)

// allow lists the exported names of package xfrm outside the vocabulary
// (design.md, "Vocabulary"), each with the reason it stays.
var allow = apitest.Allow{
	"AllGroups":     "a noun phrase (every group Event models), not a verb; no kernel call",
	"DecodeEvent":   "the codec of one raw notification into an Event, for callers of netlink.Conn.Receive (netlink.DecodeNotifications takes it)",
	"Join*":         "multicast membership, the kernel's word (NETLINK_ADD_MEMBERSHIP), as netlink.Conn and rtnl say",
	"Leave*":        "the same, undone",
	"Conn.AllocSPI": "the kernel's and ip's name for XFRM_MSG_ALLOCSPI (`ip xfrm state allocspi`): it makes a larval SA and returns it, which no vocabulary verb names",
}

// TestVocabulary walks the exported API of package xfrm and fails on a
// name outside the vocabulary, or an allow-list entry that covers nothing.
func TestVocabulary(t *testing.T) {
	p := apitest.MustParseDir(t, ".")
	if n := apitest.Check(t, allow, p); n < 60 {
		t.Fatalf("only %d exported functions and methods found: is the walk broken?", n)
	}
}

// TestVocabularyRefuses: the rules, under this package's allow-list, still
// refuse the names the vocabulary forbids.
func TestVocabularyRefuses(t *testing.T) {
	apitest.CheckRefuses(t, allow)
}
