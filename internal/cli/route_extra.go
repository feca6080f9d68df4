package cli

import (
	"fmt"
	"os"
	"slices"
	"strings"
)

// flushRouteCache is route flush cache: "-1" written to the routing
// cache's flush file of the namespace (-n), IPv4's unless -6 and IPv6's
// unless -4, as ip's iproute_flush_cache writes IPv4's (for IPv6 ip
// deletes the cached routes it dumps, which the flush file does too).
func (e *env) flushRouteCache() error {
	var paths []string
	if e.opts.Family != FamilyInet6 {
		paths = append(paths, "/proc/sys/net/ipv4/route/flush")
	}
	if e.opts.Family != FamilyInet {
		paths = append(paths, "/proc/sys/net/ipv6/route/flush")
	}
	for _, path := range paths {
		write := func() error {
			// /proc/sys/net is the namespace of the task that opens it.
			f, err := os.OpenFile(path, os.O_WRONLY, 0)
			if err != nil {
				return failf("Cannot open \"%s\": %s", path, unwrapErrno(err))
			}
			defer f.Close()
			if _, err := f.WriteString("-1"); err != nil {
				return failf("Cannot flush routing cache")
			}
			return nil
		}
		var err error
		if e.ns != nil {
			err = e.ns.Do(write)
		} else {
			err = write()
		}
		if err != nil {
			return err
		}
		if e.opts.Stats && path == "/proc/sys/net/ipv4/route/flush" {
			fmt.Fprintln(e.stdout, "*** IPv4 routing cache is flushed.")
		}
	}
	return nil
}

// parseDSField is ip's rtnl_dsfield_a2n: a name of /etc/iproute2/rt_dsfield
// or a number in hexadecimal (strtoul base 16), at most 255.
func parseDSField(s string) (uint8, bool) {
	if n, end, over := strtoul(s, 16); s != "" && end == len(s) && !over && n <= 255 {
		return uint8(n), true
	}
	b, err := os.ReadFile("/etc/iproute2/rt_dsfield")
	if err != nil {
		return 0, false
	}
	for _, line := range strings.Split(string(b), "\n") {
		f := strings.Fields(line)
		if len(f) < 2 || strings.HasPrefix(f[0], "#") || f[1] != s {
			continue
		}
		if n, end, over := strtoul(f[0], 0); end == len(f[0]) && !over && n <= 255 {
			return uint8(n), true
		}
	}
	return 0, false
}

// parseIPProto is ip's inet_proto_a2n: a protocol name or alias of
// /etc/protocols, or a number of at most 255.
func parseIPProto(s string) (uint8, bool) {
	if n, ok := getU8(s); ok {
		return n, true
	}
	var num uint8
	found := false
	etcProtocols(func(n uint8, names []string) bool {
		found = slices.Contains(names, s)
		num = n
		return !found
	})
	return num, found
}

// etcProtocols calls f with each entry of /etc/protocols (the number, the
// name then its aliases) until f returns false; nothing without the file.
func etcProtocols(f func(n uint8, names []string) bool) {
	b, err := os.ReadFile("/etc/protocols")
	if err != nil {
		return
	}
	for _, line := range strings.Split(string(b), "\n") {
		if i := strings.IndexByte(line, '#'); i >= 0 {
			line = line[:i]
		}
		fs := strings.Fields(line)
		if len(fs) < 2 {
			continue
		}
		n, ok := getU8(fs[1])
		if ok && !f(n, append([]string{fs[0]}, fs[2:]...)) {
			return
		}
	}
}
