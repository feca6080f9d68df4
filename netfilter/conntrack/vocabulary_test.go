package conntrack_test

import (
	"testing"

	"github.com/nlkit/nlkit/internal/apitest"
)

// allow lists the exported names of package conntrack outside the
// vocabulary, each with the reason it stays.
var allow = apitest.Allow{
	"DecodeEvent":   "the codec of one raw notification into an Event, for callers of netlink.Conn.Receive (as rtnl.DecodeEvent)",
	"Mirror.Run":    "a long-running loop until ctx ends (as rtnl.Mirror.Run), not one request for Execute",
	"Labels.SetBit": "sets a bit of a value's bitmap (as math/big.Int.SetBit), no kernel call",
}

func TestVocabulary(t *testing.T) {
	p := apitest.MustParseDir(t, ".")
	if n := apitest.Check(t, allow, p); n < 20 {
		t.Fatalf("only %d exported functions and methods found: is the walk broken?", n)
	}
}

func TestVocabularyRefuses(t *testing.T) {
	apitest.CheckRefuses(t, allow)
}
