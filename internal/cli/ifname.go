package cli

import (
	"strings"

	"golang.org/x/sys/unix"
)

// Device names on the command line.
//
// ip checks a device word in one of two ways, and nl does what ip does in
// each place:
//
//   - Where ip parses a name it is about to give the kernel (link add, set
//     and delete: "dev", "name", a veth peer; rule "iif"/"oif"; mptcp
//     "dev"), it applies check_ifname or check_altifname while reading
//     the word and exits with 255: `Error: argument "" is wrong: "dev" not
//     a valid ifname`. nl uses validIfname and validAltIfname there.
//   - Everywhere else the word is looked up (ll_name_to_index), and a name
//     that finds no device (the empty name among them) gives that
//     command's message: `Cannot find device ""`, `Device "" does not
//     exist.`, `Error: argument "" is wrong: Device does not exist`. So an
//     empty word is a name that was given, not an absent one: requests
//     record that a device word was given (hasDev and the like) apart from
//     the name, and the lookup fails for "" (env.linkIndex).

// ifnameSpaces are the bytes C's isspace accepts in the "C" locale.
const ifnameSpaces = " \t\n\v\f\r"

// validIfname is ip's check_ifname: 1 to IFNAMSIZ-1 bytes, no '/' and no
// blank. ip leaves the rest (":", ".", "..") to the kernel.
func validIfname(s string) bool {
	return len(s) < unix.IFNAMSIZ && validAltIfname(s)
}

// validAltIfname is ip's check_altifname, for a "dev" word of link add,
// set and delete, which may be an alternative name: not empty, no '/' and
// no blank.
func validAltIfname(s string) bool {
	return s != "" && !strings.ContainsAny(s, "/"+ifnameSpaces)
}

// ifnameWord is validIfname as a parser for valueOf and friends.
func ifnameWord(s string) (string, bool) { return s, validIfname(s) }

// nodev is ip's nodev(): the message for a device name that finds no
// device, and exit status 1.
func nodev(name string) error {
	return failf("Cannot find device \"%s\"", name)
}
