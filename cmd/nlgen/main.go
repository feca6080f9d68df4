// Command nlgen generates a typed Go package for a netlink family from its
// YAML spec (the kernel's Documentation/netlink/specs, or your own module's):
//
//	go run github.com/nlkit/nlkit/cmd/nlgen -spec netdev.yaml -pkg netdev -o ./netdev
//
// The package has a type per definition and attribute set, a Conn with one
// method per operation and typed Events, on nlkit's netlink, nlattr and genl
// packages: it needs nothing else at run time (no YAML). The output is
// gofmt'ed and the same for the same spec. A sub-message gets a type (a
// field per format) when its selector is a string attribute of the same set,
// as rt-link's linkinfo data and kind are; other sub-messages, formats with a
// fixed header, and nest-type-value attributes are kept as raw bytes: the
// runtime client (package ynl) decodes them.
package main

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/nlkit/nlkit/ynl"
)

func main() {
	if err := run(os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "nlgen:", err)
		os.Exit(1)
	}
}

func run(args []string) error {
	fs := flag.NewFlagSet("nlgen", flag.ContinueOnError)
	specPath := fs.String("spec", "", "spec `file` (YAML)")
	pkg := fs.String("pkg", "", "Go package `name` (default: from the family name)")
	out := fs.String("o", ".", "output `dir`ectory")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *specPath == "" || fs.NArg() > 0 {
		return fmt.Errorf("usage: nlgen -spec FILE [-pkg NAME] [-o DIR]")
	}
	spec, err := ynl.SpecFile(*specPath)
	if err != nil {
		return err
	}
	if *pkg == "" {
		*pkg = PackageName(spec.Name)
	}
	src, err := generate(spec, *pkg, filepath.Base(*specPath))
	if err != nil {
		return err
	}
	if err := os.MkdirAll(*out, 0o755); err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(*out, *pkg+".go"), src, 0o644)
}

// PackageName derives a Go package name from a family name: "rt-addr" ->
// "rtaddr", "mptcp_pm" -> "mptcppm".
func PackageName(family string) string {
	return strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' {
			return r
		}
		if r >= 'A' && r <= 'Z' {
			return r + 'a' - 'A'
		}
		return -1
	}, family)
}
