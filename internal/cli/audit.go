package cli

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"syscall"

	"github.com/nlkit/nlkit/audit"
	"github.com/nlkit/nlkit/netlink"
)

const auditHelp = `Usage: nl audit [options]      (auditctl's options)
    -s                          Report status
    -l [-k key]                 List rules
    -a <l,a>                    Append rule to end of <l>ist with <a>ction
    -A <l,a>                    Add rule at beginning of <l>ist with <a>ction
    -d <l,a>                    Delete rule from <l>ist with <a>ction
    -D [-k key]                 Delete all rules (with key)
    -w <path> [-p rwxa] [-k k]  Insert watch at <path>
    -W <path> [-p rwxa] [-k k]  Remove watch at <path>
    -S syscall  -F f=v  -C f=f  -k key   Rule parts
    -e [0..2]                   Set enabled flag
    -f [0..2]                   Set failure flag
    -r <rate>                   Set limit in messages/sec
    -b <backlog>                Set max number of outstanding audit buffers
    --backlog_wait_time <wait>  Set the kernel's backlog wait time
    --reset-lost                Reset the lost record counter
    --loginuid-immutable        Make loginuids unchangeable once set (locked until reboot)
    -m text                     Send a user-space message
    -R <file>                   Read rules (auditctl option lines) from a file
       nl audit monitor [ daemon ] [ key KEY ]
                                Print events as they come (-j: JSON lines), as a
                                listener of the multicast group, or as the audit daemon
       nl audit sync FILE       Make the kernel's rules FILE's (auditctl -l lines;
                                '-' is standard input); print what changed
`

// auditReq is one nl audit command line.
type auditReq struct {
	monitor, daemon bool
	monitorKey      string
	sync            string        // sync FILE
	rulesFile       string        // -R FILE
	actions         []auditAction // in the order given, as auditctl runs them
	rule            []string      // the words of the rule, if any
	ruleOp          byte          // 'a' add, 'd' delete
	key             string        // -k with -l or -D
}

type auditAction struct {
	opt string // -s -l -D -e -f -r -b --backlog_wait_time -m --reset-lost --loginuid-immutable
	n   uint32
	s   string
}

// parseAudit reads auditctl's options (and nl's monitor and sync).
func parseAudit(args []string) (*auditReq, error) {
	r := &auditReq{}
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		switch {
		case matches(args[0], "monitor"):
			r.monitor = true
			a := wordsOf(args[1:])
			for a.more() {
				switch w := a.next(); {
				case w == "daemon":
					r.daemon = true
				case w == "key":
					v, err := a.value()
					if err != nil {
						return nil, err
					}
					r.monitorKey = v
				default:
					return nil, usagef(`Error: argument "%s" is wrong: unknown word`, w)
				}
			}
			return r, nil
		case args[0] == "sync":
			if len(args) != 2 {
				return nil, usagef("Usage: nl audit sync FILE")
			}
			r.sync = args[1]
			return r, nil
		}
		return nil, usagef("Option %s is invalid", args[0])
	}
	if len(args) == 0 {
		return nil, usagef("No options given, try \"nl audit help\"")
	}
	if args[0] == "-R" {
		if len(args) != 2 {
			return nil, usagef("Option -R is invalid")
		}
		r.rulesFile = args[1]
		return r, nil
	}
	keyOnly := false // a -k that filters -l or -D
	for i := 0; i < len(args); i++ {
		opt := args[i]
		val := func() (string, error) {
			if i+1 >= len(args) {
				return "", usagef("Option %s is invalid", opt)
			}
			i++
			return args[i], nil
		}
		num := func(what string, max uint64) (uint32, error) {
			v, err := val()
			if err != nil {
				return 0, err
			}
			n, err := strconv.ParseUint(v, 10, 32)
			if err != nil {
				return 0, usagef("%s must be a numeric value was %s", what, v)
			}
			if max > 0 && n > max {
				return 0, usagef("%s must be 0, 1, or 2 was %s", what, v)
			}
			return uint32(n), nil
		}
		switch opt {
		case "-s", "-l", "-D", "--reset-lost", "--loginuid-immutable":
			r.actions = append(r.actions, auditAction{opt: opt})
		case "-e", "-f":
			what := map[string]string{"-e": "Enable", "-f": "Failure"}[opt]
			n, err := num(what, 2)
			if err != nil {
				return nil, err
			}
			r.actions = append(r.actions, auditAction{opt: opt, n: n})
		case "-r", "-b", "--backlog_wait_time":
			what := map[string]string{"-r": "Rate", "-b": "Backlog", "--backlog_wait_time": "Backlog wait time"}[opt]
			n, err := num(what, 0)
			if err != nil {
				return nil, err
			}
			r.actions = append(r.actions, auditAction{opt: opt, n: n})
		case "-m":
			v, err := val()
			if err != nil {
				return nil, err
			}
			r.actions = append(r.actions, auditAction{opt: opt, s: v})
		case "-a", "-A", "-d", "-w", "-W":
			v, err := val()
			if err != nil {
				return nil, err
			}
			if r.rule != nil && (opt == "-a" || opt == "-A" || opt == "-d" || r.ruleOp != 0) {
				return nil, usagef("Only one rule per command line")
			}
			if (opt == "-w" || opt == "-W") && !strings.HasPrefix(v, "/") {
				return nil, usagef("The path must start with '/'")
			}
			if opt == "-a" || opt == "-A" || opt == "-d" {
				var l audit.List
				var act audit.Action
				a, b, _ := strings.Cut(v, ",")
				if !(l.UnmarshalText([]byte(a)) == nil && act.UnmarshalText([]byte(b)) == nil ||
					l.UnmarshalText([]byte(b)) == nil && act.UnmarshalText([]byte(a)) == nil) {
					what := map[string]string{"-a": "Append", "-A": "Append", "-d": "Delete"}[opt]
					return nil, usagef("%s rule - bad keyword %s", what, v)
				}
			}
			r.ruleOp = 'a'
			if opt == "-d" || opt == "-W" {
				r.ruleOp = 'd'
			}
			r.rule = append(r.rule, opt, v)
		case "-S", "-F", "-C", "-p":
			v, err := val()
			if err != nil {
				return nil, err
			}
			r.rule = append(r.rule, opt, v)
		case "-k":
			v, err := val()
			if err != nil {
				return nil, err
			}
			if r.ruleOp == 0 {
				r.key, keyOnly = v, true
			} else {
				r.rule = append(r.rule, opt, v)
			}
		default:
			return nil, usagef("Option %s is invalid", opt)
		}
	}
	if r.ruleOp == 0 && len(r.rule) > 0 {
		return nil, usagef("%s needs a rule (-a, -A, -d, -w or -W) before it", r.rule[0])
	}
	if keyOnly {
		ok := false
		for _, a := range r.actions {
			ok = ok || a.opt == "-l" || a.opt == "-D"
		}
		if !ok {
			return nil, usagef("key option needs a watch or syscall given prior to it")
		}
	}
	for _, a := range r.actions {
		if a.opt == "-s" && (len(r.actions) > 1 || r.rule != nil) {
			return nil, usagef("Only -i option is allowed")
		}
	}
	return r, nil
}

// auditConn dials audit, or uses the env's (a fake in tests).
func (e *env) auditConn(cfg *netlink.Config) (*audit.Conn, error) {
	if e.auditDial != nil {
		return e.auditDial(cfg)
	}
	return audit.Dial(cfg)
}

// auditError is auditctl's report of a refused request, with its exit
// status 255: "Error sending add rule data request (File exists)".
func auditError(what string, err error) error {
	var errno syscall.Errno
	if errors.As(err, &errno) {
		if errno == syscall.EEXIST && strings.HasSuffix(what, "rule data") {
			return usagef("Error sending %s request (Rule exists)", what)
		}
		return usagef("Error sending %s request (%s)", what, capitalize(errno.Error()))
	}
	return usagef("Error sending %s request (%v)", what, err)
}

func runAudit(ctx context.Context, e *env, args []string) error {
	r, err := parseAudit(args)
	if err != nil {
		return err
	}
	if r.monitor {
		return auditMonitor(ctx, e, r)
	}
	c, err := e.auditConn(nil)
	if err != nil {
		return usagef("Error opening audit netlink socket (%s)", unwrapErrno(err))
	}
	defer c.Close()
	if r.sync != "" {
		return auditSync(ctx, e, c, r.sync)
	}
	if r.rulesFile != "" {
		return auditRulesFile(ctx, e, c, r.rulesFile)
	}
	return auditExec(ctx, e, c, r)
}

// auditRulesFile runs each line of a rules file as auditctl -R does: in
// order, stopping at the first error, which it names by line (exit 1).
func auditRulesFile(ctx context.Context, e *env, c *audit.Conn, file string) error {
	b, err := os.ReadFile(file)
	if err != nil {
		return failf("Error opening rules file %s (%s)", file, unwrapErrno(err))
	}
	for i, line := range strings.Split(string(b), "\n") {
		line = strings.TrimSpace(line)
		if line == "" || line[0] == '#' {
			continue
		}
		r, err := parseAudit(strings.Fields(line))
		if err == nil && (r.monitor || r.sync != "" || r.rulesFile != "") {
			err = usagef("%s: not an auditctl option line", line)
		}
		if err == nil {
			err = auditExec(ctx, e, c, r)
		}
		if err != nil {
			return &UsageError{Msg: fmt.Sprintf("%s\nThere was an error in line %d of %s", err, i+1, file), Exit: ExitFailure}
		}
	}
	return nil
}

// auditExec runs one parsed command line on c: its actions in order, then
// its rule.
func auditExec(ctx context.Context, e *env, c *audit.Conn, r *auditReq) error {
	for _, a := range r.actions {
		if err := auditDo(ctx, e, c, r, a); err != nil {
			return err
		}
	}
	if r.rule == nil {
		return nil
	}
	rule, err := audit.RuleFromArgs(r.rule, audit.HostArch())
	if err != nil {
		return usagef("%s", strings.TrimPrefix(err.Error(), "audit: "))
	}
	if r.ruleOp == 'd' {
		if err := c.DeleteRule(ctx, rule); err != nil {
			return auditError("delete rule data", err)
		}
		return nil
	}
	if err := c.AddRule(ctx, rule); err != nil {
		return auditError("add rule data", err)
	}
	return nil
}

func auditDo(ctx context.Context, e *env, c *audit.Conn, r *auditReq, a auditAction) error {
	set := func(what string, ch audit.StatusChange) error {
		if err := c.SetStatus(ctx, ch); err != nil {
			return auditError(what, err)
		}
		// auditctl prints the status after a change.
		s, err := c.Status(ctx)
		if err != nil {
			return auditError("status", err)
		}
		return auditPrintStatus(e, s, nil)
	}
	switch a.opt {
	case "-s":
		s, err := c.Status(ctx)
		if err != nil {
			return auditError("status", err)
		}
		f, err := c.Features(ctx)
		if err != nil {
			return auditError("features", err)
		}
		return auditPrintStatus(e, s, &f)
	case "-l":
		rules, err := c.RuleList(ctx)
		if err != nil {
			return auditError("list rules", err)
		}
		return auditPrintRules(e, rules, r.key)
	case "-D":
		rules, err := c.RuleList(ctx)
		if err != nil {
			return auditError("list rules", err)
		}
		n := 0
		for _, rule := range rules {
			if !keyMatch(rule, r.key) {
				continue
			}
			if err := c.DeleteRule(ctx, rule); err != nil {
				return auditError("delete rule data", err)
			}
			n++
		}
		// auditctl says "No rules" when it deleted some, or there were
		// none; nothing when none matched the key.
		if !e.opts.JSON && (n > 0 || len(rules) == 0) {
			_, err = io.WriteString(e.stdout, "No rules\n")
		}
		return err
	case "-e":
		return set("enable", audit.StatusChange{Enabled: &a.n})
	case "-f":
		return set("failure mode", audit.StatusChange{Failure: &a.n})
	case "-r":
		return set("rate limit", audit.StatusChange{RateLimit: &a.n})
	case "-b":
		return set("backlog limit", audit.StatusChange{BacklogLimit: &a.n})
	case "--backlog_wait_time":
		return set("backlog limit", audit.StatusChange{BacklogWaitTime: &a.n})
	case "--reset-lost":
		n, err := c.FlushLost(ctx)
		if err != nil {
			return auditError("lost reset", err)
		}
		p := newRecord(e.opts.JSON)
		p.add("lost", n, fmt.Sprintf("lost: %d\n", n))
		return writeRecords(e, []*printer{p})
	case "--loginuid-immutable":
		if err := c.SetFeature(ctx, audit.FeatureLoginUIDImmutable, true, true); err != nil {
			return auditError("loginuid immutable", err)
		}
	case "-m":
		exe, _ := os.Executable()
		msg := fmt.Sprintf("%s exe=%q hostname=? addr=? terminal=? res=success", a.s, exe)
		if err := c.LogUserMessage(ctx, audit.TypeUser, msg); err != nil {
			return auditError("user message", err)
		}
	}
	return nil
}

// keyMatch says whether rule r has a key containing key (auditctl's
// strstr), or key is "".
func keyMatch(r audit.Rule, key string) bool {
	if key == "" {
		return true
	}
	for _, k := range r.Keys() {
		if strings.Contains(k, key) {
			return true
		}
	}
	return false
}

func auditPrintStatus(e *env, s audit.Status, f *audit.Features) error {
	p := newRecord(e.opts.JSON)
	for _, kv := range []struct {
		k string
		v uint32
	}{
		{"enabled", s.Enabled}, {"failure", s.Failure}, {"pid", s.PID}, {"rate_limit", s.RateLimit},
		{"backlog_limit", s.BacklogLimit}, {"lost", s.Lost}, {"backlog", s.Backlog},
		{"backlog_wait_time", s.BacklogWaitTime}, {"backlog_wait_time_actual", s.BacklogWaitTimeActual},
	} {
		p.add(kv.k, kv.v, fmt.Sprintf("%s %d\n", kv.k, kv.v))
	}
	if f != nil {
		p.jsonOnly("loginuid_immutable", f.Has(audit.FeatureLoginUIDImmutable))
		p.jsonOnly("loginuid_immutable_locked", f.IsLocked(audit.FeatureLoginUIDImmutable))
		p.text("%s", f.String())
	}
	if e.opts.JSON {
		return writeJSON(e, p.obj)
	}
	_, err := io.WriteString(e.stdout, p.b.String())
	return err
}

func auditPrintRules(e *env, rules []audit.Rule, key string) error {
	var recs []*printer
	for _, r := range rules {
		if !keyMatch(r, key) {
			continue
		}
		p := newRecord(e.opts.JSON)
		p.jsonOnly("list", r.List.String())
		p.jsonOnly("action", r.Action.String())
		if keys := r.Keys(); keys != nil {
			p.jsonOnly("keys", keys)
		}
		p.add("rule", r.String(), r.String()+"\n")
		recs = append(recs, p)
	}
	if len(recs) == 0 && !e.opts.JSON {
		_, err := io.WriteString(e.stdout, "No rules\n")
		return err
	}
	return writeRecords(e, recs)
}

// auditSync makes the kernel's rules those of a rules file (auditctl -l
// lines; comments, blank lines and lines that are not rules are skipped)
// and prints "+ RULE" and "- RULE" for what changed.
func auditSync(ctx context.Context, e *env, c *audit.Conn, file string) error {
	var in io.Reader = e.stdin
	if file != "-" {
		f, err := os.Open(file)
		if err != nil {
			return failf("Cannot open %s: %s", file, unwrapErrno(err))
		}
		defer f.Close()
		in = f
	}
	var rules []audit.Rule
	sc := bufio.NewScanner(in)
	n := 0
	for sc.Scan() {
		n++
		line := strings.TrimSpace(sc.Text())
		if line == "" || line[0] == '#' {
			continue
		}
		w := strings.Fields(line)
		if w[0] != "-a" && w[0] != "-A" && w[0] != "-w" {
			continue // -D, -b, -e ...: settings, not rules
		}
		r, err := audit.RuleFromArgs(w, audit.HostArch())
		if err != nil {
			return usagef("%s:%d: %s", file, n, strings.TrimPrefix(err.Error(), "audit: "))
		}
		rules = append(rules, r)
	}
	if err := sc.Err(); err != nil {
		return failf("%s: %v", file, err)
	}
	ch, err := c.SetRules(ctx, rules)
	var recs []*printer
	for _, r := range ch.Deleted {
		p := newRecord(e.opts.JSON)
		p.add("deleted", r.String(), "- "+r.String()+"\n")
		recs = append(recs, p)
	}
	for _, r := range ch.Added {
		p := newRecord(e.opts.JSON)
		p.add("added", r.String(), "+ "+r.String()+"\n")
		recs = append(recs, p)
	}
	if werr := writeRecords(e, recs); werr != nil {
		return werr
	}
	if err != nil {
		return auditError("rule sync", err)
	}
	return nil
}

// auditMonitor prints events as they come: as text, the records as auditd
// logs them with "----" between events (as ausearch does); with -j, one
// JSON object per line.
func auditMonitor(ctx context.Context, e *env, r *auditReq) error {
	cfg := &netlink.Config{}
	if !r.daemon {
		cfg.Groups = []uint32{audit.GroupReadLog}
	}
	c, err := e.auditConn(cfg)
	if err != nil {
		return usagef("Error opening audit netlink socket (%s)", unwrapErrno(err))
	}
	defer c.Close()
	if r.daemon {
		if err := c.SetDaemon(ctx); err != nil {
			return usagef("%s", strings.TrimPrefix(err.Error(), "audit: "))
		}
	}
	for ev, err := range c.Events(ctx, nil) {
		var le *audit.LossError
		switch {
		case errors.As(err, &le):
			p := newRecord(e.opts.JSON)
			p.add("lost", le.Lost, fmt.Sprintf("---- lost: the kernel lost %d records (lost %d)", le.Lost, le.TotalLost))
			p.jsonOnly("total_lost", le.TotalLost)
			p.add("overrun", le.Overrun, map[bool]string{true: fmt.Sprintf("; overrun, socket drops %d", le.SocketDrops)}[le.Overrun])
			p.text("\n")
			if err := auditWrite(e, p); err != nil {
				return err
			}
			continue
		case errors.Is(err, context.Canceled):
			return nil
		case err != nil:
			var ne *netlink.Error
			if errors.Is(err, netlink.ErrMalformed) && !errors.As(err, &ne) {
				fmt.Fprintf(e.stderr, "%v\n", err) // one bad record; go on
				continue
			}
			return err
		}
		if r.monitorKey != "" && ev.Key() != r.monitorKey {
			continue
		}
		if err := auditWrite(e, auditEventRecord(e, &ev)); err != nil {
			return err
		}
	}
	return nil
}

func auditWrite(e *env, p *printer) error {
	if e.opts.JSON {
		b, err := appendJSON(nil, p.obj)
		if err != nil {
			return err
		}
		if _, err := e.stdout.Write(append(b, '\n')); err != nil {
			return err
		}
	} else if _, err := io.WriteString(e.stdout, p.b.String()); err != nil {
		return err
	}
	return e.flush()
}

func auditEventRecord(e *env, ev *audit.Event) *printer {
	p := newRecord(e.opts.JSON)
	p.jsonOnly("serial", ev.Serial)
	p.jsonOnly("time", ev.Time.UTC().Format("2006-01-02T15:04:05.000Z07:00"))
	if k := ev.Key(); k != "" {
		p.jsonOnly("key", k)
	}
	p.text("----\n")
	p.list("records", len(ev.Records), func(i int, c *printer) {
		r := &ev.Records[i]
		c.add("type", r.Type.String(), r.String()+"\n")
		if c.json {
			fields := &jsonObject{}
			for _, f := range r.Fields {
				fields.set(f.Name, f.Value)
			}
			c.obj.push("fields", fields)
		}
	})
	return p
}
