package netlink_test

import (
	"testing"

	"github.com/nlkit/nlkit/internal/apitest"
)

// allow lists the exported names of package netlink outside the vocabulary
// (design.md, "Vocabulary"), each with the reason it stays.
var allow = apitest.Allow{
	// The raw layer (design.md principle 7: the raw layer stays public):
	// these speak netlink messages, not typed objects, and each family's
	// typed nouns are built on them.
	"Conn.Execute":  "raw request: one message out, its replies (a slice: a request's answer, not a dump) back",
	"Conn.Dump":     "raw dump stream of Messages; the families' plural nouns (Routes, Links) are built on it",
	"Conn.DumpAll":  "raw dump as caller-owned copies, redone on NLM_F_DUMP_INTR; the raw twin of XxxList",
	"Conn.Send":     "raw send without waiting for a reply, for protocols without acknowledgements (Execute waits)",
	"Conn.SendTo":   "raw send to a user-space peer's port or a multicast group, which Execute cannot address",
	"Conn.Transact": "raw datagram of requests as given, for protocols that give a datagram meaning (nfnetlink's batch envelope); Batch splits and stamps, Transact does not",
	// Multicast membership: the kernel's words (NETLINK_ADD_MEMBERSHIP,
	// NETLINK_DROP_MEMBERSHIP), kept by genl's FamilyConn and the family
	// Conns built on it.
	"Join*":  "JoinGroup: join a multicast group",
	"Leave*": "LeaveGroup: leave a multicast group",
	// A socket option, not a kernel request (setsockopt SO_ATTACH_FILTER
	// on this socket): like JoinGroup it takes no context.
	"Conn.SetFilter": "attaches a classic BPF socket filter to this socket (SO_ATTACH_FILTER), a socket option with no kernel request",
	// Iterator adapters over the streams.
	"Collect":             "a stream into a slice (design.md: a Collect helper, as slices.Collect)",
	"DecodeNotifications": "adapts a raw notification stream into a typed one; the plural-noun stream a family's Events is built on",
}

// TestVocabulary walks the exported API of package netlink and fails on a
// name outside the vocabulary, or an allow-list entry that covers nothing.
func TestVocabulary(t *testing.T) {
	p := apitest.MustParseDir(t, ".")
	if n := apitest.Check(t, allow, p); n < 30 {
		t.Fatalf("only %d exported functions and methods found: is the walk broken?", n)
	}
}

// TestVocabularyRefuses: the rules, under this package's allow-list, still
// refuse the names the vocabulary forbids.
func TestVocabularyRefuses(t *testing.T) {
	apitest.CheckRefuses(t, allow)
}
