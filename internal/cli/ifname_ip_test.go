package cli

import (
	"bytes"
	"errors"
	"os/exec"
	"slices"
	"strings"
	"testing"
)

// ipResult runs `ip -n NAME args...` and returns its standard output,
// standard error and exit status.
func ipResult(t *testing.T, name string, args ...string) (string, string, int) {
	t.Helper()
	cmd := exec.Command("ip", append([]string{"-n", name}, args...)...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	var ee *exec.ExitError
	switch {
	case err == nil:
		return stdout.String(), stderr.String(), 0
	case errors.As(err, &ee):
		return stdout.String(), stderr.String(), ee.ExitCode()
	}
	t.Fatalf("ip %s: %v", strings.Join(args, " "), err)
	return "", "", 0
}

// nsState describes what the commands of TestDeviceNamesLikeIP can change
// in the namespace name: the links, IPv4 addresses, routes, neighbours and
// rules, as ip prints them.
func nsState(t *testing.T, name string) string {
	t.Helper()
	var b strings.Builder
	for _, args := range [][]string{
		{"-br", "link", "show"}, // names only: the veth addresses are random
		{"-4", "-o", "address", "show"},
		{"route", "show", "table", "all"},
		{"neigh", "show"},
		{"-4", "rule", "show"},
		{"-6", "rule", "show"},
	} {
		out, stderr, code := ipResult(t, name, args...)
		if code != 0 {
			t.Fatalf("ip -n %s %s: exit %d: %s", name, strings.Join(args, " "), code, stderr)
		}
		// Sorted: the kernel's order of equal routes of two links
		// depends on which came up first.
		lines := slices.Sorted(strings.Lines(out))
		for _, line := range lines {
			if args[0] == "-br" {
				line, _, _ = strings.Cut(line, " ")
				line += "\n"
			}
			b.WriteString(line)
		}
	}
	return b.String()
}

// TestDeviceNamesLikeIP runs each command line with ip and with nl, each in
// a fresh namespace holding the veth pair v0-v1 (see rtNS), and wants the
// same standard output, standard error and exit status, and the same links,
// addresses, routes, neighbours and rules afterwards. The words are device
// names: the empty one above all (ip refuses it where it checks the syntax
// of a name, and finds no device for it elsewhere, while nl used to take it
// for "no device given" and, for instance, let the kernel name a bridge
// "bridge0"), then other names ip's check_ifname refuses or accepts, and
// names of devices that do not exist.
func TestDeviceNamesLikeIP(t *testing.T) {
	for _, line := range [][]string{
		// The empty name, wherever a device name is taken.
		{"link", "add", "", "type", "bridge"},
		{"link", "add", "dev", "", "type", "bridge"},
		{"link", "add", "name", "", "type", "bridge"},
		{"link", "add", "link", "", "name", "x0", "type", "vlan", "id", "5"},
		{"link", "add", "x0", "type", "veth", "peer", "name", ""},
		{"link", "add", "x0", "type", "veth", "peer", ""},
		{"link", "add", "x0", "master", "", "type", "ifb"},
		{"link", "add", "x0", "type", "vxlan", "id", "5", "dev", ""},
		{"link", "set", "", "up"},
		{"link", "set", "dev", "", "up"},
		{"link", "set", "v0", "name", ""},
		{"link", "set", "v0", "master", ""},
		{"link", "delete", ""},
		{"link", "delete", "dev", ""},
		{"link", "show", ""},
		{"link", "show", "dev", ""},
		{"link", "show", "master", ""},
		{"address", "add", "198.18.5.1/24", "dev", ""},
		{"address", "add", "198.18.5.1/24", "dev", "", "label", "x"},
		{"address", "add", "198.18.5.1/24", "dev", "", "dev", "v1"},
		{"address", "add", "198.18.5.1/24", "dev", "v1", "dev", ""},
		{"address", "delete", "198.18.2.1/24", "dev", ""},
		{"address", "show", ""},
		{"address", "show", "dev", ""},
		{"address", "show", "master", ""},
		{"address", "flush", "dev", ""},
		{"route", "add", "198.18.5.0/24", "dev", ""},
		{"route", "add", "198.18.5.0/24", "oif", ""},
		{"route", "add", "198.18.5.0/24", "via", "198.18.2.2", "dev", ""},
		{"route", "add", "198.18.5.0/24", "dev", "", "garbage"},
		{"route", "add", "198.18.5.0/24", "nexthop", "via", "198.18.2.2", "dev", ""},
		{"route", "add", "198.18.5.0/24", "dev", "nosuch", "nexthop", "via", "198.18.2.2", "dev", ""},
		{"route", "delete", "198.18.2.0/24", "dev", ""},
		{"route", "show", "dev", ""},
		{"route", "show", "oif", ""},
		{"route", "flush", "dev", ""},
		{"route", "get", "198.18.2.5", "iif", ""},
		{"route", "get", "198.18.2.5", "oif", ""},
		{"route", "get", "198.18.2.5", "from", "198.18.2.1", "iif", ""},
		{"route", "get", "198.18.2.5", "iif", "nosuch", "oif", ""},
		{"route", "get", "198.18.2.5", "oif", "nosuch", "iif", ""},
		{"neigh", "add", "198.18.2.9", "lladdr", "02:00:00:00:00:09", "dev", ""},
		{"neigh", "add", "198.18.2.9", "lladdr", "02:00:00:00:00:09", "dev", "", "dev", "v0"},
		{"neigh", "add", "proxy", "198.18.2.9", "dev", ""},
		{"neigh", "delete", "198.18.2.9", "dev", ""},
		{"neigh", "get", "198.18.2.9", "dev", ""},
		{"neigh", "show", "dev", ""},
		{"neigh", "show", "dev", "", "dev", "v0"},
		{"neigh", "flush", "dev", ""},
		{"rule", "add", "iif", "", "table", "10"},
		{"rule", "add", "oif", "", "table", "10"},
		{"rule", "delete", "iif", "", "table", "10"},
		{"rule", "show", "iif", ""},
		{"rule", "show", "oif", ""},
		{"mptcp", "endpoint", "add", "198.18.2.1", "dev", ""},

		// Names ip's checks refuse (a blank, a slash, too long) or leave
		// to the kernel (":", "."), in the places that check them.
		{"link", "add", "a b", "type", "bridge"},
		{"link", "add", "dev", "a/b", "type", "bridge"},
		{"link", "add", "name", "a\vb", "type", "bridge"},
		{"link", "add", "a:b", "type", "bridge"},
		{"link", "set", "a b", "up"},
		{"link", "set", "v0", "name", "0123456789abcdef"},
		{"link", "delete", "a/b"},
		{"rule", "add", "iif", "a:b", "table", "10"},
		{"rule", "add", "iif", ".", "table", "10"},
		{"rule", "add", "oif", "a\vb", "table", "10"},
		{"mptcp", "endpoint", "add", "198.18.2.1", "dev", "a:b"},
		{"mptcp", "endpoint", "add", "198.18.2.1", "dev", "."},
		{"mptcp", "endpoint", "add", "198.18.2.1", "dev", "a b"},

		// Devices that do not exist: exit status 1 where ip's handler
		// fails, 255 where ip stops while parsing.
		{"link", "add", "link", "nosuch", "name", "x0", "type", "vlan", "id", "5"},
		{"link", "set", "nosuch", "up"},
		{"link", "delete", "nosuch"},
		{"link", "show", "nosuch"},
		{"link", "show", "master", "nosuch"},
		{"link", "add", "x0", "type", "vxlan", "id", "5", "dev", "nosuch"},
		{"address", "add", "198.18.5.1/24", "dev", "nosuch"},
		{"address", "add", "198.18.5.1/24", "dev", "v0", "dev", "nosuch"},
		{"address", "show", "dev", "nosuch"},
		{"address", "flush", "dev", "nosuch"},
		{"route", "add", "198.18.5.0/24", "dev", "nosuch"},
		{"route", "add", "198.18.5.0/24", "dev", "a:b"},
		{"route", "add", "198.18.5.0/24", "nexthop", "via", "198.18.2.2", "dev", "nosuch"},
		{"route", "show", "dev", "nosuch"},
		{"route", "get", "198.18.2.5", "oif", "nosuch"},
		{"neigh", "add", "198.18.2.9", "lladdr", "02:00:00:00:00:09", "dev", "nosuch"},
		{"neigh", "get", "198.18.2.9", "dev", "v0", "dev", "nosuch"},
		{"neigh", "show", "dev", "nosuch"},
		{"mptcp", "endpoint", "add", "198.18.2.1", "dev", "nosuch"},
	} {
		t.Run(strings.Join(line, " "), func(t *testing.T) {
			_, ipName, _ := rtNS(t)
			_, nlName, _ := rtNS(t)
			ipOut, ipErr, ipCode := ipResult(t, ipName, line...)
			nlOut, nlErr, nlCode := run(t, append([]string{"-n", nlName}, line...)...)
			if nlCode != ipCode || nlErr != ipErr || nlOut != ipOut {
				t.Errorf("%q:\n ip: exit %d, stderr %q, stdout %q\n nl: exit %d, stderr %q, stdout %q",
					line, ipCode, ipErr, ipOut, nlCode, nlErr, nlOut)
			}
			if ipState, nlState := nsState(t, ipName), nsState(t, nlName); nlState != ipState {
				t.Errorf("%q: the namespaces differ afterwards:\n after ip:\n%s after nl:\n%s", line, ipState, nlState)
			}
		})
	}
}
