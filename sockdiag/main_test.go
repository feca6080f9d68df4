//go:build linux

package sockdiag

import (
	"os"
	"testing"

	"github.com/nlkit/nlkit/internal/kerneltest"
)

func TestMain(m *testing.M) {
	if os.Getenv(helperEnv) != "" {
		os.Exit(helperMain())
	}
	if os.Getenv(unprivEnv) != "" {
		os.Exit(unprivMain())
	}
	os.Exit(kerneltest.Main(m))
}
