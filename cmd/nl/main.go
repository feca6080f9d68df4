// Command nl is an iproute2-style command line on nlkit: `nl address`,
// `nl -j route show`, `nl link add ...`. Run `nl help` for the grammar.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"

	"github.com/nlkit/nlkit/internal/cli"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := cli.Run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}
