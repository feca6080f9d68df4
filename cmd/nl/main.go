// Command nl is an iproute2-style command line on nlkit: `nl address`,
// `nl -j route show`, `nl link add ...`. Run `nl help` for the grammar.
package main

import (
	"context"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"

	"github.com/nlkit/nlkit/internal/cli"
)

func main() {
	if len(os.Args) > 1 && os.Args[1] == cli.NetnsExecChild {
		os.Exit(cli.RunNetnsExecChild(os.Args[2:]))
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	// Invoked as ip (a symlink named ip), nl names itself ip in its help
	// and messages, for scripts that probe them.
	prog := "nl"
	if filepath.Base(os.Args[0]) == "ip" {
		prog = "ip"
	}
	code := cli.RunProgram(ctx, prog, os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}
