package netfilter_test

import (
	"bytes"
	"context"
	"errors"
	"os"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/nlkit/nlkit/internal/kerneltest"
	"github.com/nlkit/nlkit/netfilter"
	"github.com/nlkit/nlkit/netlink"
	"github.com/nlkit/nlkit/nlattr"
)

func TestMain(m *testing.M) { os.Exit(kerneltest.Main(m)) }

// nf_tables messages and attributes (linux/netfilter/nf_tables.h).
const (
	nftNewTable = 0
	nftGetTable = 1
	nftNewChain = 3

	nftaTableName  = 1
	nftaChainTable = 1
	nftaChainName  = 3
)

func attrs(t testing.TB, kv ...any) []byte {
	t.Helper()
	e := nlattr.NewEncoder(nil)
	for i := 0; i < len(kv); i += 2 {
		e.String(uint16(kv[i].(int)), kv[i+1].(string))
	}
	b, err := e.Finish()
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func newTable(t testing.TB, name string) netlink.Message {
	return netfilter.NewMessage(netfilter.SubsysNFTables, nftNewTable, netlink.Create, netfilter.Header{Family: netfilter.FamilyIPv4}, attrs(t, nftaTableName, name))
}

func dialNS(t *testing.T) (*netfilter.Conn, func(args ...string) string) {
	t.Helper()
	kerneltest.Require(t)
	nft := kerneltest.Tool(t, "nft", "nftables")
	ns := kerneltest.NetNS(t)
	c, err := netfilter.Dial(&netlink.Config{NetNS: ns})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c, func(args ...string) string { return string(kerneltest.Run(t, ns, nft, args...)) }
}

func ctxT(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// TestTransactAllOrNothing: a batch envelope is applied whole, and when one
// request fails none is, with the failure named by its index.
func TestTransactAllOrNothing(t *testing.T) {
	c, nft := dialNS(t)
	ctx := ctxT(t)
	if err := c.Transact(ctx, netfilter.SubsysNFTables, []netlink.Message{newTable(t, "t1"), newTable(t, "t1b")}); err != nil {
		t.Fatalf("transact: %v", err)
	}
	if out := nft("list", "tables"); !strings.Contains(out, "table ip t1\n") || !strings.Contains(out, "table ip t1b\n") {
		t.Fatalf("nft list tables after the batch:\n%s", out)
	}
	bad := netfilter.NewMessage(netfilter.SubsysNFTables, nftNewChain, netlink.Create, netfilter.Header{Family: netfilter.FamilyIPv4},
		attrs(t, nftaChainTable, "nosuch", nftaChainName, "c"))
	err := c.Transact(ctx, netfilter.SubsysNFTables, []netlink.Message{newTable(t, "t2"), bad, newTable(t, "t3")})
	var be *netlink.BatchError
	if !errors.As(err, &be) || len(be.Failures) != 1 || be.Failures[0].Index != 1 || be.Total != 3 {
		t.Fatalf("transact with a bad request: %v, want a BatchError naming #1", err)
	}
	if !errors.Is(err, syscall.ENOENT) {
		t.Fatalf("failure %v does not match ENOENT", err)
	}
	if !strings.Contains(err.Error(), "request #1") {
		t.Fatalf("error %q does not name the request", err)
	}
	if out := nft("list", "tables"); strings.Contains(out, "t2") || strings.Contains(out, "t3") {
		t.Fatalf("a failed batch was applied in part:\n%s", out)
	}
	// The Conn goes on.
	if err := c.Transact(ctx, netfilter.SubsysNFTables, []netlink.Message{newTable(t, "t4")}); err != nil {
		t.Fatalf("transact after a failure: %v", err)
	}
}

// TestTransactRefused: a subsystem without transactions refuses the
// envelope itself, and Transact says so instead of waiting for answers
// that never come.
func TestTransactRefused(t *testing.T) {
	c, _ := dialNS(t)
	ctx := ctxT(t)
	err := c.Transact(ctx, netfilter.SubsysCTNetlink, []netlink.Message{newTable(t, "x")})
	var be *netlink.BatchError
	if err == nil || errors.As(err, &be) {
		t.Fatalf("transact to conntrack: %v, want the kernel's refusal of the batch", err)
	}
	var ne *netlink.Error
	if !errors.As(err, &ne) || !strings.Contains(err.Error(), "begin conntrack batch") {
		t.Fatalf("refusal %v: want a *netlink.Error named for the batch's begin", err)
	}
	t.Logf("the kernel's answer: %v", err)
}

// TestExecuteDump: requests and dumps carry the nfgenmsg header both ways;
// a kernel error names the subsystem and keeps its errno.
func TestExecuteDump(t *testing.T) {
	c, _ := dialNS(t)
	ctx := ctxT(t)
	// nf_tables takes changes only in batches: Execute is refused.
	if _, err := c.Execute(ctx, newTable(t, "a")); !errors.Is(err, syscall.EINVAL) {
		t.Fatalf("a change outside a batch: %v, want EINVAL", err)
	}
	if err := c.Transact(ctx, netfilter.SubsysNFTables, []netlink.Message{newTable(t, "a"), newTable(t, "b"), newTable(t, "c")}); err != nil {
		t.Fatal(err)
	}
	// A GET of one table answers with it.
	got, err := c.Execute(ctx, netfilter.NewMessage(netfilter.SubsysNFTables, nftGetTable, 0, netfilter.Header{Family: netfilter.FamilyIPv4}, attrs(t, nftaTableName, "b")))
	if err != nil || len(got) != 1 || !bytes.Contains(got[0].Attrs, []byte("b\x00")) {
		t.Fatalf("get table b: %v %v", got, err)
	}
	var names []string
	for m, err := range c.Dump(ctx, netfilter.NewMessage(netfilter.SubsysNFTables, nftGetTable, 0, netfilter.Header{Family: netfilter.FamilyUnspec}, nil)) {
		if err != nil {
			t.Fatal(err)
		}
		if m.Subsystem != netfilter.SubsysNFTables || m.Type != nftNewTable || m.Header.Family != netfilter.FamilyIPv4 {
			t.Fatalf("dumped %v %d family %v", m.Subsystem, m.Type, m.Header.Family)
		}
		d := nlattr.NewDecoder(m.Attrs)
		for d.Next() {
			if d.Type() == nftaTableName {
				names = append(names, d.String())
			}
		}
		if err := d.Err(); err != nil {
			t.Fatal(err)
		}
	}
	if strings.Join(names, ",") != "a,b,c" {
		t.Fatalf("dumped tables %v", names)
	}
	_, err = c.Execute(ctx, netfilter.NewMessage(netfilter.SubsysNFTables, nftGetTable, 0, netfilter.Header{Family: netfilter.FamilyIPv4}, attrs(t, nftaTableName, "nosuch")))
	var ne *netlink.Error
	if !errors.As(err, &ne) || !errors.Is(err, syscall.ENOENT) || !strings.HasPrefix(err.Error(), "netfilter: execute nftables message 1: ") {
		t.Fatalf("deleting a missing table: %v", err)
	}
	c.Close()
	if _, err := c.Execute(ctx, newTable(t, "z")); !errors.Is(err, netlink.ErrClosed) {
		t.Fatalf("after Close: %v", err)
	}
}

func TestHeader(t *testing.T) {
	h := netfilter.Header{Family: netfilter.FamilyIPv6, ResourceID: 0x1234}
	b, _ := h.MarshalBinary()
	if !bytes.Equal(b, []byte{10, 0, 0x12, 0x34}) {
		t.Fatalf("wire % x", b)
	}
	var g netfilter.Header
	if err := g.UnmarshalBinary(b); err != nil || g != h {
		t.Fatalf("round trip %+v %v", g, err)
	}
	if err := g.UnmarshalBinary(b[:3]); !errors.Is(err, netfilter.ErrShort) {
		t.Fatalf("short: %v", err)
	}
	typ := netfilter.MessageType(netfilter.SubsysQueue, 2)
	if typ != 0x302 {
		t.Fatalf("type %#x", typ)
	}
	if s, m := netfilter.SplitType(typ); s != netfilter.SubsysQueue || m != 2 {
		t.Fatalf("split %v %d", s, m)
	}
	if _, err := netfilter.ParseMessage(netlink.Message{Header: netlink.Header{Type: netlink.TypeError}, Data: make([]byte, 20)}); err == nil {
		t.Fatal("an NLMSG_ERROR parsed as nfnetlink")
	}
	if _, err := netfilter.ParseMessage(netlink.Message{Header: netlink.Header{Type: typ}, Data: []byte{2}}); !errors.Is(err, netfilter.ErrShort) {
		t.Fatalf("short message: %v", err)
	}
}

func TestText(t *testing.T) {
	for f := range netfilter.Family(12) {
		var g netfilter.Family
		if err := g.UnmarshalText([]byte(f.String())); err != nil || g != f {
			t.Errorf("family %d: %q -> %d %v", f, f, g, err)
		}
	}
	for s := range netfilter.Subsystem(14) {
		var g netfilter.Subsystem
		if err := g.UnmarshalText([]byte(s.String())); err != nil || g != s {
			t.Errorf("subsystem %d: %q -> %d %v", s, s, g, err)
		}
	}
	var f netfilter.Family
	if err := f.UnmarshalText([]byte("ip6")); err != nil || f != netfilter.FamilyIPv6 {
		t.Errorf("ip6 -> %v %v", f, err)
	}
	if err := f.UnmarshalText([]byte("ipx")); err == nil {
		t.Error("ipx accepted")
	}
}

func FuzzParseMessage(f *testing.F) {
	f.Add(uint16(0x302), []byte{2, 0, 0, 1, 8, 0, 1, 0, 0, 0, 0, 1})
	f.Add(uint16(0x100), []byte{10})
	f.Fuzz(func(t *testing.T, typ uint16, data []byte) {
		m, err := netfilter.ParseMessage(netlink.Message{Header: netlink.Header{Type: netlink.MessageType(typ)}, Data: data})
		if err != nil {
			return
		}
		var b []byte
		b, _ = m.Header.AppendBinary(b)
		if !bytes.Equal(append(b, m.Attrs...), data) {
			t.Fatalf("split and joined: % x, want % x", append(b, m.Attrs...), data)
		}
	})
}

func TestParseProcTable(t *testing.T) {
	rows, err := netfilter.ParseProcTable(strings.NewReader("  0  4021   3 2 65531 0 0 17 1\n\n12 1 0 2 128 5 6 7 1\n"), 8)
	if err != nil || len(rows) != 2 || rows[0][1] != 4021 || rows[0][7] != 17 || rows[1][0] != 12 || len(rows[1]) != 8 {
		t.Fatalf("rows %v, %v", rows, err)
	}
	for _, bad := range []string{"1 2 3\n", "1 2 3 4 5 6 7 x 9\n", "1 2 3 4 5 6 7 4294967296\n"} {
		rows, err := netfilter.ParseProcTable(strings.NewReader("0 1 2 3 4 5 6 7\n"+bad), 8)
		if err == nil || len(rows) != 1 || !strings.Contains(err.Error(), "line ") {
			t.Errorf("%q: rows %v, err %v", bad, rows, err)
		}
	}
}
