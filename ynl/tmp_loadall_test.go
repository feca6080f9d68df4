package ynl

import (
	"path/filepath"
	"testing"
)

func TestTmpLoadAll(t *testing.T) {
	fs, _ := filepath.Glob("/tmp/ynlsrc/linux-source-6.12/Documentation/netlink/specs/*.yaml")
	for _, f := range fs {
		s, err := SpecFile(f)
		if err != nil {
			t.Error(err)
			continue
		}
		t.Logf("%s ops=%d sets=%d", s.Name, len(s.Operations.List), len(s.AttributeSets))
	}
}
