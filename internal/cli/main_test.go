//go:build linux

package cli

import (
	"os"
	"testing"

	"github.com/nlkit/nlkit/internal/kerneltest"
)

func TestMain(m *testing.M) {
	// netns exec runs the program itself (here, the test binary) as its
	// child: be that child when asked.
	if len(os.Args) > 1 && os.Args[1] == NetnsExecChild {
		os.Exit(RunNetnsExecChild(os.Args[2:]))
	}
	os.Exit(kerneltest.Main(m))
}
