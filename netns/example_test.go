//go:build linux

package netns_test

import (
	"fmt"
	"log"
	"net"

	"github.com/nlkit/nlkit/netns"
)

// Create a throwaway namespace and run code inside it. Needs root, so the
// example is compiled but not run by go test.
func ExampleNew() {
	ns, err := netns.New()
	if err != nil {
		log.Fatal(err)
	}
	defer ns.Close() // destroys the namespace

	err = ns.Do(func() error {
		// This runs on a locked OS thread inside ns. Sockets created
		// here stay in ns.
		ifs, err := net.Interfaces()
		if err != nil {
			return err
		}
		for _, ifi := range ifs {
			fmt.Println(ifi.Name) // just "lo"
		}
		return nil
	})
	if err != nil {
		log.Fatal(err)
	}
}

// Create a namespace visible to `ip netns list` and `ip -n demo ...`, then
// remove it again. Needs root.
func ExampleNewNamed() {
	ns, err := netns.NewNamed("demo")
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(ns.Path()) // /run/netns/demo
	ns.Close()             // the namespace lives on, held by its mount

	names, err := netns.Names()
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(names)

	same, err := netns.Open("demo")
	if err != nil {
		log.Fatal(err)
	}
	defer same.Close()

	if err := netns.DeleteNamed("demo"); err != nil {
		log.Fatal(err)
	}
}

// Open a namespace by process id and compare it with ours.
func ExampleOpenPID() {
	init, err := netns.OpenPID(1)
	if err != nil {
		log.Fatal(err)
	}
	defer init.Close()
	self, err := netns.Current()
	if err != nil {
		log.Fatal(err)
	}
	defer self.Close()
	fmt.Println("same namespace as init:", init.Equal(self))
}
