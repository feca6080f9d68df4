package sockdiag_test

import (
	"testing"

	"github.com/nlkit/nlkit/internal/apitest"
)

// allow lists the exported names of package sockdiag outside the
// vocabulary (design.md, "Vocabulary"), each with the reason it stays.
var allow = apitest.Allow{
	"Join*":  "multicast membership, netlink.Conn's words (JoinGroup)",
	"Leave*": "multicast membership, netlink.Conn's words (LeaveGroup)",
}

// TestVocabulary walks the exported API of package sockdiag and fails on a
// name outside the vocabulary.
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
