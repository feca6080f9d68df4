package cli

import (
	"bufio"
	"bytes"
	"context"
	"net"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// -resolve: host names for addresses, where ip 6.1's format_host prints
// them (route destinations and sources of host length and gateways,
// addresses' local, peer and broadcast, in -brief too, neighbours,
// nexthop gateways; not rules, not a route's preferred source). ip asks gethostbyaddr,
// which reads /etc/hosts and then asks DNS (nsswitch's "files dns"):
// nl does the same, in that order. The hosts file is the namespace's own
// when it has one: `ip -n NAME` binds /etc/netns/NAME/hosts over
// /etc/hosts, so nl reads that file instead. DNS is asked by Go's
// resolver from inside the -n namespace (as ip's process is), each
// lookup bounded by hostLookupTimeout. Every answer, a failure included,
// is kept for the rest of the run, as ip keeps its.

// hostLookupTimeout bounds one DNS lookup (ip has no bound: a dead
// resolver stalls it for the resolver's own timeouts and retries).
const hostLookupTimeout = 2 * time.Second

// hostResolver names addresses for one run.
type hostResolver struct {
	e     *env
	hosts string // the hosts file read
	byIP  map[netip.Addr]string
	read  bool
	cache map[netip.Addr]string // "" : no name
}

func newHostResolver(e *env) *hostResolver {
	h := &hostResolver{e: e, hosts: "/etc/hosts", cache: map[netip.Addr]string{}}
	if e.opts.NetNS != "" {
		if f := filepath.Join("/etc/netns", e.opts.NetNS, "hosts"); fileExists(f) {
			h.hosts = f
		}
	}
	return h
}

func fileExists(name string) bool {
	_, err := os.Stat(name)
	return err == nil
}

// readHosts indexes the hosts file: each address's name is the first
// name of the first line with that address, as glibc's files backend
// answers gethostbyaddr.
func (h *hostResolver) readHosts() {
	h.read = true
	h.byIP = map[netip.Addr]string{}
	b, err := os.ReadFile(h.hosts)
	if err != nil {
		return
	}
	sc := bufio.NewScanner(bytes.NewReader(b))
	for sc.Scan() {
		line, _, _ := strings.Cut(sc.Text(), "#")
		f := strings.Fields(line)
		if len(f) < 2 {
			continue
		}
		a, err := netip.ParseAddr(f[0])
		if err != nil {
			continue
		}
		if _, ok := h.byIP[a]; !ok {
			h.byIP[a] = f[1]
		}
	}
}

// name is a's host name, or a's numeric form when it has none. An
// IPv4-mapped IPv6 address is looked up as the IPv4 address (ip does).
func (h *hostResolver) name(a netip.Addr) string {
	if !a.IsValid() {
		return a.String()
	}
	if n, ok := h.cache[a]; ok {
		if n == "" {
			return a.String()
		}
		return n
	}
	n := h.lookup(a.Unmap())
	h.cache[a] = n
	if n == "" {
		return a.String()
	}
	return n
}

func (h *hostResolver) lookup(a netip.Addr) string {
	if !h.read {
		h.readHosts()
	}
	if n, ok := h.byIP[a]; ok {
		return n
	}
	var names []string
	ask := func() error {
		ctx, cancel := context.WithTimeout(context.Background(), hostLookupTimeout)
		defer cancel()
		// The Go resolver: it dials from this goroutine's thread, which
		// ns.Do keeps in the namespace.
		r := &net.Resolver{PreferGo: true}
		names, _ = r.LookupAddr(ctx, a.String())
		return nil
	}
	if h.e.ns != nil {
		_ = h.e.ns.Do(ask)
	} else {
		_ = ask()
	}
	if len(names) == 0 {
		return ""
	}
	n := strings.TrimSuffix(names[0], ".")
	if h.hosts != "/etc/hosts" && h.inEtcHosts(a, n) {
		// Go's resolver reads /etc/hosts before DNS, always; ip, with
		// the namespace's hosts file bound over it, does not see it.
		return ""
	}
	return n
}

// inEtcHosts reports whether /etc/hosts names a with name.
func (h *hostResolver) inEtcHosts(a netip.Addr, name string) bool {
	b, err := os.ReadFile("/etc/hosts")
	if err != nil {
		return false
	}
	for _, line := range strings.Split(string(b), "\n") {
		line, _, _ = strings.Cut(line, "#")
		f := strings.Fields(line)
		if len(f) > 1 {
			if x, err := netip.ParseAddr(f[0]); err == nil && x == a {
				for _, n := range f[1:] {
					if strings.TrimSuffix(n, ".") == name {
						return true
					}
				}
			}
		}
	}
	return false
}

// host is a's name with -resolve, else its numeric form: ip's
// format_host.
func (e *env) host(a netip.Addr) string {
	if !e.opts.Resolve {
		return a.String()
	}
	if e.hosts == nil {
		e.hosts = newHostResolver(e)
	}
	return e.hosts.name(a)
}

// hostOf is host for a printer: a's name when the printer resolves.
func (p *printer) hostOf(a netip.Addr) string {
	if p.resolve == nil {
		return a.String()
	}
	return p.resolve(a)
}

// appendHost appends a's name with -resolve, else its numeric form.
func (l *line) appendHost(b []byte, a netip.Addr) []byte {
	if l.resolve == nil {
		return a.AppendTo(b)
	}
	return append(b, l.resolve(a)...)
}
