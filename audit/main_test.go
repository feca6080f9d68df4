//go:build linux

package audit

import (
	"os"
	"testing"

	"github.com/nlkit/nlkit/internal/kerneltest"
)

func TestMain(m *testing.M) {
	// A child the kernel tests start to make audited system calls.
	if os.Getenv(helperEnv) != "" {
		os.Exit(helperMain())
	}
	os.Exit(kerneltest.Main(m))
}
