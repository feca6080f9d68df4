package cli

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/nlkit/nlkit/internal/kerneltest"
)

// largeTableBatch is an ip -batch file that fills a namespace with tables
// large enough to run the streamed show paths over many records and many
// links (links with and without addresses of each family, labels, peers,
// secondaries, routes of several shapes in two tables, neighbours in
// three states), and small enough for a test.
func largeTableBatch() string {
	var b strings.Builder
	const pairs = 40
	for i := range pairs {
		fmt.Fprintf(&b, "link add a%d type veth peer name b%d\n", i, i)
		fmt.Fprintf(&b, "link set a%d addrgenmode none\nlink set b%d addrgenmode none\n", i, i)
		if i < 8 {
			fmt.Fprintf(&b, "link set a%d up\nlink set b%d up\n", i, i)
		}
	}
	// IPv4 addresses: three links in four get some, /24s (secondaries
	// after the first), host addresses, peers and labels.
	for i := range 1200 {
		link := i % (2 * pairs)
		if link%4 == 3 {
			continue
		}
		dev := fmt.Sprintf("a%d", link/2)
		if link%2 == 1 {
			dev = fmt.Sprintf("b%d", link/2)
		}
		a := fmt.Sprintf("198.18.%d.%d", 10+i/200, i%200+1)
		switch {
		case i%11 == 0:
			fmt.Fprintf(&b, "address add %s peer 198.19.%d.%d/32 dev %s\n", a, i/200, i%200+1, dev)
		case i%7 == 0:
			fmt.Fprintf(&b, "address add %s/24 brd + dev %s label %s:%d\n", a, dev, dev, i%3)
		case i%5 == 0:
			fmt.Fprintf(&b, "address add %s/32 dev %s metric %d\n", a, dev, i)
		default:
			fmt.Fprintf(&b, "address add %s/24 dev %s\n", a, dev)
		}
	}
	// IPv6 addresses on every third link (some of which have no IPv4).
	for i := range 300 {
		link := (i * 3) % (2 * pairs)
		dev := fmt.Sprintf("a%d", link/2)
		if link%2 == 1 {
			dev = fmt.Sprintf("b%d", link/2)
		}
		fmt.Fprintf(&b, "address add 2001:db8:%x::%x/64 dev %s nodad\n", link, i+1, dev)
	}
	// Routes through the up links: on the link, via a gateway, with a
	// metric, another protocol, in table 100, multipath; IPv6 too.
	b.WriteString("address add 198.18.200.1/24 dev a0\naddress add 198.18.201.1/24 dev a1\n")
	for i := range 2000 {
		dst := fmt.Sprintf("198.19.%d.%d", 100+i/250, i%250)
		switch i % 6 {
		case 0:
			fmt.Fprintf(&b, "route add %s/32 dev a%d\n", dst, i%8)
		case 1:
			fmt.Fprintf(&b, "route add %s/32 via 198.18.200.%d dev a0\n", dst, 2+i%50)
		case 2:
			fmt.Fprintf(&b, "route add %s/32 via 198.18.201.2 metric %d proto static\n", dst, i)
		case 3:
			fmt.Fprintf(&b, "route add %s/32 dev a2 table 100 scope link proto kernel\n", dst)
		case 4:
			fmt.Fprintf(&b, "route add %s/32 nexthop via 198.18.200.2 dev a0 weight 2 nexthop via 198.18.201.2 dev a1\n", dst)
		default:
			fmt.Fprintf(&b, "route add 2001:db8:ff:%x::/64 dev a%d metric %d\n", i, i%8, 100+i%3)
		}
	}
	// Neighbours on links up and down, permanent, noarp and stale.
	states := []string{"permanent", "noarp", "stale"}
	for i := range 1500 {
		dev := fmt.Sprintf("a%d", i%pairs)
		if i%6 == 0 {
			fmt.Fprintf(&b, "neigh add 2001:db8:ee::%x lladdr 02:00:00:%02x:%02x:01 dev %s nud %s\n", i+1, i>>8, i&0xff, dev, states[i%3])
			continue
		}
		fmt.Fprintf(&b, "neigh add 198.18.%d.%d lladdr 02:00:00:%02x:%02x:02 dev %s nud %s\n", 100+i/250, i%250+1, i>>8, i&0xff, dev, states[i%3])
	}
	return b.String()
}

// TestLargeTablesLikeIP: the show commands of the large tables, whose
// records are printed on a line and written as they come (routes,
// neighbours, links, addresses merged from two dumps), byte for byte as
// ip prints them, text and JSON, on a generated namespace of many links,
// addresses, routes and neighbours. -o and -br take address show's other
// path (selectAddresses, the whole table placed by link), so both are held
// to ip on the same table.
func TestLargeTablesLikeIP(t *testing.T) {
	ns, name := kerneltest.NamedNetNS(t)
	batch := filepath.Join(t.TempDir(), "tables")
	if err := os.WriteFile(batch, []byte(largeTableBatch()), 0o644); err != nil {
		t.Fatal(err)
	}
	kerneltest.Run(t, ns, "ip", "-batch", batch)
	commands := []string{
		"route show", "route show table all", "-6 route show", "route show table 100", "route show dev a0",
		"neigh show", "-4 neigh show", "neigh show dev a3", "neigh show nud stale", "neigh show dev b39", "route show table 200",
		"address show", "-4 address show", "-6 address show", "-0 address show", "address show dev b5",
		"address show label a1:*", "address show to 198.18.10.0/24", "address show up",
		"link show", "-d link show", "link show up",
	}
	differ, total := 0, 0
	for _, o := range []string{"", "-j", "-c", "-N", "-j -p", "-o", "-br", "-br -j"} {
		for _, c := range commands {
			if strings.Contains(o, "-br") && strings.Contains(c, "label") {
				continue // ip's -br with label drops the link's columns: its quirk, not copied (issue 20's note)
			}
			line := append(strings.Fields(o), strings.Fields(c)...)
			total++
			ipOut, ipErr, ipCode := ipResult(t, name, line...)
			nlOut, nlErr, nlCode := runAs(t, "ip", append([]string{"-n", name}, line...)...)
			ipOut, nlOut = clockless(ipOut), clockless(nlOut)
			if strings.Contains(o, "-j") {
				// ip prints an empty object for each link or address
				// its client-side filters drop (up, label, to); nl
				// leaves them out, on purpose (see TestShowsLikeIPPopulated).
				ipOut = strings.NewReplacer(",{}", "", "{},", "").Replace(ipOut)
			}
			if ipOut == nlOut && ipErr == nlErr && ipCode == nlCode {
				continue
			}
			differ++
			at := 0
			for at < min(len(ipOut), len(nlOut)) && ipOut[at] == nlOut[at] {
				at++
			}
			from := max(0, at-200)
			t.Errorf("%q: ip exit %d %q, nl exit %d %q; output (%d and %d bytes) differs at byte %d:\n ip: %q\n nl: %q",
				line, ipCode, ipErr, nlCode, nlErr, len(ipOut), len(nlOut), at,
				ipOut[from:min(len(ipOut), at+200)], nlOut[from:min(len(nlOut), at+200)])
		}
	}
	t.Logf("%d of %d command lines differ", differ, total)
}
