package audit_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log"
	"os"
	"strings"

	"github.com/nlkit/nlkit/audit"
	"github.com/nlkit/nlkit/netlink"
)

// Read a rule in auditctl's syntax and print it as auditctl -l does.
func ExampleRuleFromArgs() {
	r, err := audit.RuleFromArgs(strings.Fields("-a exit,always -F arch=b64 -S openat,open -F auid>=1000 -F auid!=unset -k logins"), audit.ArchX86_64)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(r.List, r.Action, r.Keys())
	fmt.Println(r)
	// Output:
	// exit always [logins]
	// -a always,exit -F arch=b64 -S open,openat -F auid>=1000 -F auid!=-1 -F key=logins
}

// Parse one record as the kernel sends it.
func ExampleDecodeRecord() {
	r, err := audit.DecodeRecord(audit.TypeProctitle, []byte("audit(1700000000.123:42): proctitle=636174002F6574632F706173737764"))
	if err != nil {
		log.Fatal(err)
	}
	v, _ := r.Value("proctitle")
	fmt.Println(r.Type, r.Serial, strings.ReplaceAll(v, "\x00", " "))
	// Output:
	// PROCTITLE 42 cat /etc/passwd
}

// Print the status as auditctl -s does.
func ExampleConn_Status() {
	c, err := audit.Dial(nil)
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()
	ctx := context.Background()
	s, err := c.Status(ctx)
	if err != nil {
		log.Fatal(err)
	}
	f, err := c.Features(ctx)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Print(s, f)
}

// Turn audit on and set the backlog limit (auditctl -e 1 -b 8192).
func ExampleConn_SetStatus() {
	c, err := audit.Dial(nil)
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()
	on, backlog := uint32(1), uint32(8192)
	if err := c.SetStatus(context.Background(), audit.StatusChange{Enabled: &on, BacklogLimit: &backlog}); err != nil {
		log.Fatal(err)
	}
}

// Reset the lost counter, learning what it was.
func ExampleConn_FlushLost() {
	c, err := audit.Dial(nil)
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()
	n, err := c.FlushLost(context.Background())
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("lost", n)
}

// Read the loginuid_immutable feature and turn it on without locking it.
func ExampleConn_SetFeature() {
	c, err := audit.Dial(nil)
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()
	ctx := context.Background()
	if err := c.SetFeature(ctx, audit.FeatureLoginUIDImmutable, true, false); err != nil {
		log.Fatal(err)
	}
	f, err := c.Features(ctx)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(f.Has(audit.FeatureLoginUIDImmutable))
}

// Audit this process's terminal input (and that of its children).
func ExampleConn_SetTTY() {
	c, err := audit.Dial(nil)
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()
	ctx := context.Background()
	if err := c.SetTTY(ctx, audit.TTY{Enabled: true}); err != nil {
		log.Fatal(err)
	}
	t, err := c.TTY(ctx)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(t.Enabled)
}

// Log a user message, as a trusted program does (auditctl -m).
func ExampleConn_LogUserMessage() {
	c, err := audit.Dial(nil)
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()
	if err := c.LogUserMessage(context.Background(), audit.TypeTrustedApp, "op=backup res=success"); err != nil {
		log.Fatal(err)
	}
}

// Add a rule, list the rules as auditctl -l does, delete it.
func ExampleConn_AddRule() {
	c, err := audit.Dial(nil)
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()
	ctx := context.Background()
	var r audit.Rule
	if err := r.UnmarshalText([]byte("-w /etc/shadow -p wa -k shadow")); err != nil {
		log.Fatal(err)
	}
	if err := c.AddRule(ctx, r); err != nil && !errors.Is(err, os.ErrExist) {
		log.Fatal(err)
	}
	for r, err := range c.Rules(ctx) {
		if err != nil {
			log.Fatal(err)
		}
		fmt.Println(r)
	}
	if err := c.DeleteRule(ctx, r); err != nil {
		log.Fatal(err)
	}
}

// The rules as a slice.
func ExampleConn_RuleList() {
	c, err := audit.Dial(nil)
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()
	rules, err := c.RuleList(context.Background())
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(len(rules), "rules")
}

// Delete every rule (auditctl -D).
func ExampleConn_FlushRules() {
	c, err := audit.Dial(nil)
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()
	n, err := c.FlushRules(context.Background())
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("deleted", n)
}

// Make the kernel's rules a rules file's, and say what changed; run it
// again and nothing changes.
func ExampleConn_SetRules() {
	c, err := audit.Dial(nil)
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()
	var desired []audit.Rule
	for _, line := range []string{
		"-w /etc/passwd -p wa -k identity",
		"-a always,exit -F arch=b64 -S execve -F euid=0 -k rootcmd",
	} {
		var r audit.Rule
		if err := r.UnmarshalText([]byte(line)); err != nil {
			log.Fatal(err)
		}
		desired = append(desired, r)
	}
	ch, err := c.SetRules(context.Background(), desired)
	if err != nil {
		log.Fatal(err)
	}
	for _, r := range ch.Deleted {
		fmt.Println("deleted", r)
	}
	for _, r := range ch.Added {
		fmt.Println("added", r)
	}
}

// Watch writes under a directory and print who made them: a rule on the
// directory, a listener on the multicast group (it coexists with auditd).
func ExampleDialListener() {
	ctx := context.Background()
	c, err := audit.Dial(nil)
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()
	r, err := audit.RuleFromArgs(strings.Fields("-a always,exit -F arch=b64 -S all -F dir=/srv/data -F perm=wa -k data-writes"), audit.HostArch())
	if err != nil {
		log.Fatal(err)
	}
	if err := c.AddRule(ctx, r); err != nil {
		log.Fatal(err)
	}
	defer c.DeleteRule(ctx, r)

	l, err := audit.DialListener(nil)
	if err != nil {
		log.Fatal(err)
	}
	defer l.Close()
	for ev, err := range l.Events(ctx, nil) {
		if errors.Is(err, netlink.ErrOverrun) {
			log.Print(err) // some events were lost; go on
			continue
		}
		if err != nil {
			log.Fatal(err)
		}
		if ev.Key() != "data-writes" {
			continue
		}
		auid, _ := ev.Value("auid")
		exe, _ := ev.Value("exe")
		for _, rec := range ev.Records {
			if name, ok := rec.Value("name"); ok && rec.Type == audit.TypePath {
				fmt.Printf("auid %s (%s) wrote %s\n", auid, exe, name)
			}
		}
	}
}

// A minimal audit daemon: register as the daemon and write every event as
// a JSON line; Close gives the registration back.
func ExampleDialDaemon() {
	ctx := context.Background()
	d, err := audit.DialDaemon(ctx, nil)
	if err != nil {
		log.Fatal(err) // EEXIST: auditd runs; use DialListener
	}
	defer d.Close()
	enc := json.NewEncoder(os.Stdout)
	for ev, err := range d.Events(ctx, nil) {
		var loss *audit.LossError
		if errors.As(err, &loss) {
			enc.Encode(map[string]any{"lost": loss.Lost, "overrun": loss.Overrun})
			continue
		}
		if err != nil {
			log.Fatal(err)
		}
		records := make([]map[string]string, 0, len(ev.Records))
		for _, r := range ev.Records {
			m := map[string]string{"type": r.Type.String()}
			for _, f := range r.Fields {
				m[f.Name] = f.Value
			}
			records = append(records, m)
		}
		enc.Encode(map[string]any{"serial": ev.Serial, "time": ev.Time, "records": records})
	}
}

// Events of a Conn; requests on it wait until Events ends (ErrBusy).
func ExampleConn_Events() {
	l, err := audit.DialListener(nil)
	if err != nil {
		log.Fatal(err)
	}
	defer l.Close()
	for ev, err := range l.Events(context.Background(), &audit.EventConfig{Timeout: 0}) {
		if err != nil {
			log.Print(err)
			continue
		}
		fmt.Println(ev)
	}
}

// Reset the total time audited tasks waited for room in the backlog.
func ExampleConn_FlushBacklogWaitTimeActual() {
	c, err := audit.Dial(nil)
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()
	waited, err := c.FlushBacklogWaitTimeActual(context.Background())
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("jiffies waited:", waited)
}

// The features line of auditctl -s.
func ExampleConn_Features() {
	c, err := audit.Dial(nil)
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()
	f, err := c.Features(context.Background())
	if err != nil {
		log.Fatal(err)
	}
	fmt.Print(f)
}

// Is this process's terminal input audited?
func ExampleConn_TTY() {
	c, err := audit.Dial(nil)
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()
	t, err := c.TTY(context.Background())
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(t.Enabled, t.LogPasswd)
}

// List the rules with a key, as auditctl -l -k does.
func ExampleConn_Rules() {
	c, err := audit.Dial(nil)
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()
	for r, err := range c.Rules(context.Background()) {
		if err != nil {
			log.Fatal(err)
		}
		for _, k := range r.Keys() {
			if k == "identity" {
				fmt.Println(r)
			}
		}
	}
}

// Delete a rule given in auditctl's syntax (auditctl -W / -d).
func ExampleConn_DeleteRule() {
	c, err := audit.Dial(nil)
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()
	r, err := audit.RuleFromArgs([]string{"-W", "/etc/passwd", "-p", "wa", "-k", "identity"}, audit.HostArch())
	if err != nil {
		log.Fatal(err)
	}
	if err := c.DeleteRule(context.Background(), r); errors.Is(err, os.ErrNotExist) {
		fmt.Println("no such rule")
	} else if err != nil {
		log.Fatal(err)
	}
}

// Register an existing Conn as the audit daemon; Close gives it back.
func ExampleConn_SetDaemon() {
	ctx := context.Background()
	c, err := audit.Dial(&netlink.Config{ReceiveBuffer: 8 << 20})
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()
	if err := c.SetDaemon(ctx); err != nil {
		log.Fatal(err) // names the daemon holding it, and DialListener
	}
	for ev, err := range c.Events(ctx, nil) {
		if err != nil {
			log.Print(err)
			continue
		}
		fmt.Println(ev.Serial, len(ev.Records), ev.Key())
	}
}

// Speak audit over a netlink.Conn the caller owns (a fake's, or one with
// its own Config).
func ExampleNewConn() {
	nc, err := netlink.Dial(9 /* NETLINK_AUDIT */, nil)
	if err != nil {
		log.Fatal(err)
	}
	defer nc.Close()
	c := audit.NewConn(nc)
	s, err := c.Status(context.Background())
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("enabled", s.Enabled)
}
