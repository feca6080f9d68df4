package netfilter_test

import (
	"testing"

	"github.com/nlkit/nlkit/internal/apitest"
)

// allow lists the exported names of package netfilter outside the
// vocabulary, each with the reason it stays.
var allow = apitest.Allow{
	"MessageType":    "the type's constructor, named as the netlink.MessageType it returns (NFNL_SUBSYS_ID's inverse); no kernel call",
	"SplitType":      "the inverse of MessageType; no kernel call",
	"NewMessage":     "builds a request value, as New* constructors do; no kernel call",
	"AppendMessage":  "the Append form of NewMessage into a reused buffer, as netlink.AppendMessage",
	"ParseMessage":   "splits a received message, as netlink.AppendParse; no kernel call",
	"ParseProcTable": "parses the /proc/net/netfilter tables queue and log read (a codec, as ParseMessage); no kernel call",
	"ReadProcTable":  "reads a /proc table inside a namespace (not netlink: the kernel keeps the queue and log counters only there)",
	"Conn.Execute":   "raw nfnetlink request (netlink.Conn.Execute with the nfgenmsg split); queue, log and conntrack build typed nouns on it",
	"Conn.Dump":      "raw nfnetlink dump stream, split; the families' plural nouns are built on it",
	"Conn.Transact":  "a batch envelope applied all or nothing, as netlink.Conn.Transact it wraps; no change verb names a transaction",
}

func TestVocabulary(t *testing.T) {
	p := apitest.MustParseDir(t, ".")
	if n := apitest.Check(t, allow, p); n < 10 {
		t.Fatalf("only %d exported functions and methods found: is the walk broken?", n)
	}
}

func TestVocabularyRefuses(t *testing.T) {
	apitest.CheckRefuses(t, allow)
}
