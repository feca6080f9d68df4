package netns_test

import (
	"testing"

	"github.com/nlkit/nlkit/internal/apitest"
)

// allow lists the exported names of package netns outside the vocabulary
// (design.md, "Vocabulary"), each with the reason it stays.
var allow = apitest.Allow{
	// Namespaces are files (/proc/PID/ns/net, /run/netns/NAME), not
	// sockets: os.Open's word fits, Dial does not.
	"Open":     "opens /run/netns/NAME, as os.Open opens a file",
	"OpenPath": "opens a netns file by path (a bind mount or /proc/PID/task/TID/ns/net), as os.Open",
	"OpenPID":  "opens /proc/PID/ns/net, as os.Open",
	// Named namespaces are bind mounts under /run/netns, managed as
	// ip netns does; no netlink socket, so no context.
	"DeleteNamed": "unmounts and removes /run/netns/NAME: a filesystem change, no kernel request to cancel, so no context",
	// Running code inside a namespace.
	"NS.Do": "runs fn on a locked OS thread inside the namespace (vishvananda/netns's word); not a netlink request, so Execute would mislead",
}

// TestVocabulary walks the exported API of package netns and fails on a
// name outside the vocabulary, or an allow-list entry that covers nothing.
func TestVocabulary(t *testing.T) {
	p := apitest.MustParseDir(t, ".")
	if n := apitest.Check(t, allow, p); n < 10 {
		t.Fatalf("only %d exported functions and methods found: is the walk broken?", n)
	}
}

// TestVocabularyRefuses: the rules, under this package's allow-list, still
// refuse the names the vocabulary forbids.
func TestVocabularyRefuses(t *testing.T) {
	apitest.CheckRefuses(t, allow)
}
