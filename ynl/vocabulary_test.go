package ynl

import (
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/nlkit/nlkit/internal/apitest"
)

var allow = apitest.Allow{
	"Spec.Decode":             "decodes a reply of an operation the caller names; the value tree has no type of its own to hang UnmarshalBinary on",
	"Conn.Execute":            "the spec's do operations by name, replies as value trees: genl.Client.Execute's word and shape (the kernel's ynl says do)",
	"Conn.Dump":               "the spec's dump operations by name: genl.Client.Dump's word (the operation, not a noun, names what is dumped)",
	"Join*":                   "multicast membership, netlink.Conn's words (JoinGroup); with Events it is the kernel ynl's --subscribe",
	"Leave*":                  "multicast membership, netlink.Conn's words (LeaveGroup)",
	"EnumEntry.UnmarshalYAML": "yaml.Unmarshaler: an entry is a name or an object in the specs",
}

// allowGenerated is the allow-list of generated packages.
var allowGenerated = apitest.Allow{
	"Join*":  "multicast membership, netlink.Conn's words (JoinGroup)",
	"Leave*": "multicast membership, netlink.Conn's words (LeaveGroup)",
}

// The runtime client keeps the project's vocabulary.
func TestVocabulary(t *testing.T) {
	p := apitest.MustParseDir(t, ".")
	if n := apitest.Check(t, allow, p); n < 10 {
		t.Errorf("checked %d functions, want more", n)
	}
	apitest.CheckRefuses(t, allow)
}

// Generated packages keep it too, with the family packages' allow-list:
// nlgen names
// operations by the rules (dev-get: Device and Devices; newaddr: AddAddress).
func TestGeneratedVocabulary(t *testing.T) {
	dirs, _ := filepath.Glob("gen/*")
	dirs = slices.DeleteFunc(dirs, func(d string) bool { return strings.HasSuffix(d, ".go") })
	if len(dirs) < 5 {
		t.Fatalf("generated packages: %v", dirs)
	}
	for _, d := range dirs {
		apitest.Check(t, allowGenerated, apitest.MustParseDir(t, d))
	}
}
