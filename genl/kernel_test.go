//go:build linux

package genl

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/nlkit/nlkit/internal/kerneltest"
	"github.com/nlkit/nlkit/netlink"
	"github.com/nlkit/nlkit/nlattr"
)

func TestKernelFamilies(t *testing.T) {
	c, _ := dialNS(t, nil)
	ctx := t.Context()
	fams, err := netlink.Collect(c.Families(ctx))
	if err != nil {
		t.Fatal(err)
	}
	names := make(map[string]bool)
	for _, f := range fams {
		names[f.Name] = true
		if f.ID < 0x10 || f.Name == "" || len(f.Ops) == 0 {
			t.Errorf("implausible family %s", f)
		}
		byName, err := c.Family(ctx, f.Name)
		if err != nil {
			t.Errorf("Family(%q): %v", f.Name, err)
			continue
		}
		byID, err := c.FamilyByID(ctx, f.ID)
		if err != nil {
			t.Errorf("FamilyByID(%#x): %v", f.ID, err)
			continue
		}
		if byName.Describe() != f.Describe() || byID.Describe() != f.Describe() {
			t.Errorf("%s: by name / by id / listed differ:\n%s\n%s\n%s", f.Name, byName.Describe(), byID.Describe(), f.Describe())
		}
		p, err := c.Policy(ctx, f.Name)
		if err != nil {
			t.Errorf("Policy(%s): %v", f.Name, err)
			continue
		}
		for _, o := range f.Ops {
			if o.Flags&OpHasPolicy == 0 {
				continue
			}
			if _, ok := p.Op(o.Command); !ok {
				t.Errorf("%s: command %d has a policy (%s) but the dump lacks it", f.Name, o.Command, o.Flags)
			}
		}
	}
	t.Logf("%d families: %v", len(fams), names)
	for _, want := range []string{"nlctrl", "netdev", "ethtool", "mptcp_pm", "tcp_metrics"} {
		if !names[want] {
			t.Errorf("family %s not listed", want)
		}
	}
	ctrl, err := c.Family(ctx, "nlctrl")
	if err != nil {
		t.Fatal(err)
	}
	if ctrl.ID != 0x10 {
		t.Errorf("nlctrl id %#x, want GENL_ID_CTRL", ctrl.ID)
	}
	if o, ok := ctrl.Op(ctrlCmdGetFamily); !ok || o.Flags&(OpDo|OpDump) != OpDo|OpDump {
		t.Errorf("nlctrl GETFAMILY = %v %v", o, ok)
	}
	if g, ok := ctrl.Group("notify"); !ok || g.ID == 0 {
		t.Errorf("nlctrl notify group = %v %v", g, ok)
	}
}

func TestKernelFamilyNotFound(t *testing.T) {
	c, _ := dialNS(t, nil)
	ctx := t.Context()
	check := func(what string, err error) {
		t.Helper()
		var ne *netlink.Error
		if !errors.Is(err, ErrFamilyNotFound) || !errors.Is(err, syscall.ENOENT) || !errors.As(err, &ne) {
			t.Errorf("%s: err = %v, want ErrFamilyNotFound wrapping the kernel's ENOENT", what, err)
		}
	}
	_, err := c.Family(ctx, "nlkit-nosuch")
	check("Family", err)
	_, err = c.Execute(ctx, "nlkit-nosuch", Message{Command: 1}, 0)
	check("Execute", err)
	_, err = netlink.Collect(c.Dump(ctx, "nlkit-nosuch", Message{Command: 1}))
	check("Dump", err)
	_, err = c.Policy(ctx, "nlkit-nosuch")
	check("Policy", err)
	_, err = c.JoinGroup(ctx, "nlkit-nosuch", "x")
	check("JoinGroup", err)
	if _, err := c.Family(ctx, "a-name-longer-than-fifteen"); !errors.Is(err, ErrFamilyNotFound) {
		t.Errorf("long name: %v", err)
	}
	if _, err := c.JoinGroup(ctx, "nlctrl", "nosuch"); !errors.Is(err, ErrGroupNotFound) {
		t.Errorf("JoinGroup(nlctrl, nosuch) = %v, want ErrGroupNotFound", err)
	}
}

func TestKernelPolicy(t *testing.T) {
	c, _ := dialNS(t, nil)
	ctx := t.Context()

	// nlctrl validates its own requests: GETFAMILY takes the id (u16)
	// and the name (NUL-terminated, at most GENL_NAMSIZ-1 bytes).
	p, err := c.CommandPolicy(ctx, "nlctrl", ctrlCmdGetFamily)
	if err != nil {
		t.Fatal(err)
	}
	o, ok := p.Op(ctrlCmdGetFamily)
	if !ok || o.Do == nil || len(p.Ops) != 1 {
		t.Fatalf("GETFAMILY policy ops %+v", p.Ops)
	}
	if a, ok := o.Do.Attr(ctrlAttrFamilyID); !ok || a.Kind != PolicyU16 {
		t.Errorf("CTRL_ATTR_FAMILY_ID policy %v", a)
	}
	if a, ok := o.Do.Attr(ctrlAttrFamilyName); !ok || a.Kind != PolicyNulString || a.MaxLength != 15 {
		t.Errorf("CTRL_ATTR_FAMILY_NAME policy %v", a)
	}
	// GETPOLICY is dump-only: the kernel reports it as command 0.
	p, err = c.Policy(ctx, "nlctrl")
	if err != nil {
		t.Fatal(err)
	}
	o, ok = p.Op(ctrlCmdGetPolicy)
	if !ok || o.Do != nil || o.Dump == nil {
		t.Fatalf("GETPOLICY policy %+v in %s", o, p)
	}
	if a, ok := o.Dump.Attr(ctrlAttrOp); !ok || a.Kind != PolicyU32 {
		t.Errorf("CTRL_ATTR_OP policy %v", a)
	}
	t.Logf("%s", p)

	// ethtool: every request nests a header whose flags have a mask.
	p, err = c.CommandPolicy(ctx, "ethtool", 2) // ETHTOOL_MSG_LINKINFO_GET
	if err != nil {
		t.Fatal(err)
	}
	o, _ = p.Op(2)
	if o.Do == nil {
		t.Fatalf("no do policy: %s", p)
	}
	h, ok := o.Do.Attr(1)
	if !ok || h.Kind != PolicyNested || h.Nested == nil {
		t.Fatalf("header policy %v", h)
	}
	if a, ok := h.Nested.Attr(2); !ok || a.Kind != PolicyNulString {
		t.Errorf("ETHTOOL_A_HEADER_DEV_NAME policy %v", a)
	}
	if a, ok := h.Nested.Attr(3); !ok || a.Kind != PolicyU32 || a.Mask == 0 {
		t.Errorf("ETHTOOL_A_HEADER_FLAGS policy %v", a)
	}
	if !strings.Contains(p.String(), "nul-string max-len") {
		t.Errorf("String:\n%s", p)
	}

	// An unknown command is not an unknown family.
	_, err = c.CommandPolicy(ctx, "nlctrl", 200)
	var ne *netlink.Error
	if !errors.Is(err, syscall.ENOENT) || errors.Is(err, ErrFamilyNotFound) || !errors.As(err, &ne) || ne.AttrType != ctrlAttrOp {
		t.Errorf("unknown command: %v", err)
	}
}

// getFamilyMsg is a raw CTRL_CMD_GETFAMILY request for name.
func getFamilyMsg(name string) Message {
	e := nlattr.NewEncoder(nil)
	e.String(ctrlAttrFamilyName, name)
	b, _ := e.Finish()
	return Message{Command: ctrlCmdGetFamily, Data: b}
}

func TestKernelExecuteAndDump(t *testing.T) {
	c, _ := dialNS(t, nil)
	ctx := t.Context()
	msgs, err := c.Execute(ctx, "nlctrl", getFamilyMsg("netdev"), 0)
	if err != nil {
		t.Fatal(err)
	}
	var f Family
	if len(msgs) != 1 || msgs[0].Command != 1 /* CTRL_CMD_NEWFAMILY */ || f.UnmarshalBinary(msgs[0].Data) != nil || f.Name != "netdev" {
		t.Fatalf("replies %v (%+v)", msgs, f)
	}
	n := 0
	for m, err := range c.Dump(ctx, "nlctrl", Message{Command: ctrlCmdGetFamily}) {
		if err != nil {
			t.Fatal(err)
		}
		if err := f.UnmarshalBinary(m.Data); err != nil {
			t.Fatal(err)
		}
		n++
	}
	if n < 5 {
		t.Errorf("dump gave %d families", n)
	}
	// Breaking early leaves the Conn usable.
	for range c.Dump(ctx, "nlctrl", Message{Command: ctrlCmdGetFamily}) {
		break
	}
	if _, err := c.Execute(ctx, "nlctrl", getFamilyMsg("ethtool"), 0); err != nil {
		t.Fatal(err)
	}
}

// A family that went away and came back under another id: the cached id
// is stale. The kernel answers ENOENT for an unknown id; one re-resolve
// finds the new id and the request is sent again.
func TestKernelStaleFamilyID(t *testing.T) {
	var sent atomic.Int32
	c, _ := dialNS(t, &netlink.Config{Trace: func(d netlink.Direction, _ netlink.Message) {
		if d == netlink.Sent {
			sent.Add(1)
		}
	}})
	ctx := t.Context()
	real, err := c.Family(ctx, "netdev")
	if err != nil {
		t.Fatal(err)
	}
	poison := func() {
		stale := real.clone()
		stale.ID = 0x3ff // GENL_MAX_ID: never allocated in practice
		c.mu.Lock()
		c.families["netdev"] = &stale
		c.mu.Unlock()
	}
	poison()
	sent.Store(0)
	msgs, err := c.Execute(ctx, "netdev", netdevGet(1), 0)
	if err != nil || len(msgs) != 1 {
		t.Fatalf("Execute with a stale id: %v, %v", msgs, err)
	}
	if n := sent.Load(); n != 3 { // stale request, GETFAMILY, request again
		t.Errorf("%d messages sent, want 3", n)
	}
	if f, _ := c.Family(ctx, "netdev"); f.ID != real.ID {
		t.Errorf("cache holds id %#x, want %#x", f.ID, real.ID)
	}
	poison()
	devs, err := netlink.Collect(c.Dump(ctx, "netdev", Message{Command: 1}))
	if err != nil || len(devs) != 1 {
		t.Fatalf("Dump with a stale id: %d messages, %v", len(devs), err)
	}

	// A family that went away for good: not found, once the id fails.
	c.mu.Lock()
	c.families["nlkit-gone"] = &Family{Name: "nlkit-gone", ID: 0x3fe}
	c.mu.Unlock()
	if _, err := c.Execute(ctx, "nlkit-gone", Message{Command: 1}, 0); !errors.Is(err, ErrFamilyNotFound) {
		t.Errorf("Execute on a family gone: %v", err)
	}
	c.mu.Lock()
	c.families["nlkit-gone"] = &Family{Name: "nlkit-gone", ID: 0x3fe}
	c.mu.Unlock()
	if _, err := netlink.Collect(c.Dump(ctx, "nlkit-gone", Message{Command: 1})); !errors.Is(err, ErrFamilyNotFound) {
		t.Errorf("Dump on a family gone: %v", err)
	}

	// ENOENT from the family itself: one re-resolve, same id, no resend.
	if _, err := c.Family(ctx, "nlctrl"); err != nil {
		t.Fatal(err)
	}
	sent.Store(0)
	_, err = c.Execute(ctx, "nlctrl", getFamilyMsg("nlkit-nosuch"), 0)
	if !errors.Is(err, syscall.ENOENT) {
		t.Fatalf("err = %v", err)
	}
	if n := sent.Load(); n != 2 {
		t.Errorf("%d messages sent, want 2 (request, re-resolve)", n)
	}
}

func TestKernelMulticast(t *testing.T) {
	c, cfg := dialNS(t, nil)
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	id, err := c.JoinGroup(ctx, "netdev", "mgmt")
	if err != nil {
		t.Fatal(err)
	}
	kerneltest.Run(t, cfg.NetNS, "ip", "link", "add", "nlkt0", "type", "veth", "peer", "name", "nlkt1")
	seen := 0
	for n, err := range c.Receive(ctx) {
		if err != nil {
			t.Fatal(err)
		}
		if n.Family != "netdev" || n.Group != "mgmt" || n.GroupID != id {
			t.Errorf("notification %+v", n)
		}
		if n.Command != 2 { // NETDEV_CMD_DEV_ADD_NTF
			continue
		}
		d := nlattr.NewDecoder(n.Data)
		for d.Next() {
			if d.Type() == 1 && d.Uint32() < 2 {
				t.Errorf("new device with ifindex %d", d.Uint32())
			}
		}
		if seen++; seen == 2 { // both ends of the veth pair
			break
		}
	}
	if err := c.LeaveGroup(ctx, "netdev", "mgmt"); err != nil {
		t.Error(err)
	}
}

func TestKernelConcurrent(t *testing.T) {
	c, _ := dialNS(t, nil)
	ctx := t.Context()
	var wg sync.WaitGroup
	errs := make(chan error, 64)
	for i := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			names := []string{"nlctrl", "netdev", "ethtool", "mptcp_pm", "tcp_metrics"}
			for j := range 20 {
				name := names[(i+j)%len(names)]
				if j%7 == 0 {
					c.Forget(name)
				}
				f, err := c.Family(ctx, name)
				if err == nil && f.Name != name {
					err = fmt.Errorf("asked %s, got %s", name, f.Name)
				}
				if err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}

// The controller's names cover the commands the kernel lists for nlctrl,
// and Describe, String and Format print them.
func TestKernelCommandNames(t *testing.T) {
	c, _ := dialNS(t, nil)
	ctx := t.Context()
	f, err := c.Family(ctx, ControllerName)
	if err != nil {
		t.Fatal(err)
	}
	names := ControllerCommands()
	for _, o := range f.Ops {
		if names[o.Command] == "" {
			t.Errorf("nlctrl command %d (%s) has no name", o.Command, o.Flags)
		}
	}
	if id, ok := names.Command("getpolicy"); !ok || id != ctrlCmdGetPolicy {
		t.Errorf("Command(getpolicy) = %d, %v", id, ok)
	}
	if _, ok := names.Command("nosuch"); ok {
		t.Errorf("Command(nosuch) found")
	}
	d := f.Describe()
	if d != f.Format(names) || !strings.Contains(d, "#1:  ID-0x3  getfamily  do|dump|has-policy\n") ||
		!strings.Contains(d, "ID-0xa  getpolicy  dump|has-policy\n") {
		t.Errorf("Describe:\n%s", d)
	}
	if plain := f.Format(nil); strings.Contains(plain, "getfamily") || !strings.Contains(plain, "#1:  ID-0x3  do|dump|has-policy\n") {
		t.Errorf("Format(nil):\n%s", plain)
	}
	p, err := c.Policy(ctx, ControllerName)
	if err != nil {
		t.Fatal(err)
	}
	s := p.String()
	if s != p.Format(names) || !strings.Contains(s, "\n  cmd 3 getfamily do: policy #") || !strings.Contains(s, "\n  cmd 10 getpolicy dump: policy #") {
		t.Errorf("String:\n%s", s)
	}
	if plain := p.Format(nil); !strings.Contains(plain, "\n  cmd 3 do: policy #") {
		t.Errorf("Format(nil):\n%s", plain)
	}

	// Another family: String names nothing, Format what it is given.
	spec := &Spec{Name: "netdev", Commands: []Command{{Name: "dev-get", ID: 1}, {Name: "dev-add-ntf", ID: 2, Notification: true}}}
	sn := spec.CommandNames()
	if len(sn) != 1 || sn[1] != "dev-get" {
		t.Errorf("Spec.CommandNames = %v", sn)
	}
	nd, err := c.Family(ctx, "netdev")
	if err != nil {
		t.Fatal(err)
	}
	if d := nd.Format(sn); !strings.Contains(d, "#1:  ID-0x1  dev-get  ") || strings.Contains(nd.Describe(), "dev-get") {
		t.Errorf("netdev Format:\n%s", d)
	}
	np, err := c.Policy(ctx, "netdev")
	if err != nil {
		t.Fatal(err)
	}
	if s := np.Format(sn); !strings.Contains(s, "\n  cmd 1 dev-get do: policy #") || strings.Contains(np.String(), "dev-get") {
		t.Errorf("netdev policy Format:\n%s", s)
	}
}

// Joins are counted per Conn: the socket stays in a group until every
// JoinGroup is undone.
func TestKernelGroupCount(t *testing.T) {
	c, cfg := dialNS(t, nil)
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	for range 2 {
		if _, err := c.JoinGroup(ctx, "netdev", "mgmt"); err != nil {
			t.Fatal(err)
		}
	}
	if err := c.LeaveGroup(ctx, "netdev", "mgmt"); err != nil {
		t.Fatal(err)
	}
	// Still in: both ends of a new veth pair are announced.
	kerneltest.Run(t, cfg.NetNS, "ip", "link", "add", "gc0", "type", "veth", "peer", "name", "gc1")
	added := 0
	for n, err := range c.Receive(ctx) {
		if err != nil {
			t.Fatal(err)
		}
		if n.Family != "netdev" || n.Group != "mgmt" {
			t.Fatalf("notification %+v", n)
		}
		if n.Command == 2 { // NETDEV_CMD_DEV_ADD_NTF
			if added++; added == 2 {
				break
			}
		}
	}
	if err := c.LeaveGroup(ctx, "netdev", "mgmt"); err != nil {
		t.Fatal(err)
	}
	// Out: deleting the pair is not announced. An MPTCP listener's event,
	// caused afterwards on a group joined afterwards, comes first.
	kerneltest.Run(t, cfg.NetNS, "ip", "link", "del", "gc0")
	if _, err := c.JoinGroup(ctx, "mptcp_pm", "mptcp_pm_events"); err != nil {
		t.Fatal(err)
	}
	err := cfg.NetNS.Do(func() error {
		fd, err := unix.Socket(unix.AF_INET, unix.SOCK_STREAM|unix.SOCK_CLOEXEC, unix.IPPROTO_MPTCP)
		if err != nil {
			return err
		}
		defer unix.Close(fd)
		if err := unix.Bind(fd, &unix.SockaddrInet4{Port: 10010, Addr: [4]byte{127, 0, 0, 1}}); err != nil {
			return err
		}
		return unix.Listen(fd, 1)
	})
	if err != nil {
		t.Fatal(err)
	}
	for n, err := range c.Receive(ctx) {
		if err != nil {
			t.Fatal(err)
		}
		if n.Family == "mptcp_pm" {
			break
		}
		if n.Family != "netdev" || n.Command == 3 { // NETDEV_CMD_DEV_DEL_NTF
			t.Fatalf("after leaving: %+v", n)
		}
	}
	// The count is per group: joining again works.
	if _, err := c.JoinGroup(ctx, "netdev", "mgmt"); err != nil {
		t.Fatal(err)
	}
	for _, g := range [][2]string{{"netdev", "mgmt"}, {"mptcp_pm", "mptcp_pm_events"}} {
		if err := c.LeaveGroup(ctx, g[0], g[1]); err != nil {
			t.Fatal(err)
		}
	}
}
