package audit

import (
	"context"

	"iter"
)

// Rules lists the kernel's rules (AUDIT_LIST_RULES), in the kernel's order:
// by list (user, task, exit, exclude, filesystem, io_uring), and in each
// list in the order they match. It is a single-use iterator; it stops at
// the first error. The whole list is read before the first rule is
// yielded, so breaking early leaves the Conn ready for the next request.
func (c *Conn) Rules(ctx context.Context) iter.Seq2[Rule, error] {
	return func(yield func(Rule, error) bool) {
		rules, err := c.RuleList(ctx)
		for _, r := range rules {
			if !yield(r, nil) {
				return
			}
		}
		if err != nil {
			yield(Rule{}, err)
		}
	}
}

// RuleList returns the kernel's rules as a slice (see Rules). On error it
// returns the rules decoded before it.
func (c *Conn) RuleList(ctx context.Context) ([]Rule, error) {
	var out []Rule
	_, err := c.request(ctx, "list rules", typeListRules, nil, replyMulti, func(b []byte) error {
		var r Rule
		if err := r.UnmarshalBinary(b); err != nil {
			return err
		}
		out = append(out, r)
		return nil
	})
	return out, err
}

// AddRule adds r to its list (AUDIT_ADD_RULE): at the end, or at the head
// with r.Prepend. The kernel refuses a rule it already has with EEXIST.
func (c *Conn) AddRule(ctx context.Context, r Rule) error {
	b, err := r.AppendBinary(nil)
	if err != nil {
		return err
	}
	_, err = c.request(ctx, "add rule "+r.String(), typeAddRule, b, replyNone, nil)
	return lockedHint(err)
}

// DeleteRule deletes the rule equal to r (AUDIT_DEL_RULE); a rule the
// kernel does not have gives ENOENT.
func (c *Conn) DeleteRule(ctx context.Context, r Rule) error {
	r.Prepend = false
	b, err := r.AppendBinary(nil)
	if err != nil {
		return err
	}
	_, err = c.request(ctx, "delete rule "+r.String(), typeDelRule, b, replyNone, nil)
	return lockedHint(err)
}

// FlushRules deletes every rule (auditctl -D): it lists them and deletes
// each, as the kernel has no request for all. It returns how many it
// deleted.
func (c *Conn) FlushRules(ctx context.Context) (int, error) {
	rules, err := c.RuleList(ctx)
	if err != nil {
		return 0, err
	}
	n := 0
	for _, r := range rules {
		if err := c.DeleteRule(ctx, r); err != nil {
			return n, err
		}
		n++
	}
	return n, nil
}

// RuleChanges is what SetRules did.
type RuleChanges struct {
	Added   []Rule // rules of the desired set the kernel lacked
	Deleted []Rule // kernel rules not in the desired set
}

// SetRules makes the kernel's rules the desired set: it deletes the
// kernel's rules that are not in desired, then adds the desired ones the
// kernel lacks, and reports what it changed. Rules are compared by their
// content as the kernel compares them (list, action, system calls, fields;
// see Equal); order within a list is not enforced. Running it again with the same set
// changes nothing. On error the changes made so far are reported with it.
func (c *Conn) SetRules(ctx context.Context, desired []Rule) (RuleChanges, error) {
	var ch RuleChanges
	have, err := c.RuleList(ctx)
	if err != nil {
		return ch, err
	}
	want := make(map[string]int, len(desired))
	for _, r := range desired {
		want[ruleKey(&r)]++
	}
	got := make(map[string]int, len(have))
	for _, r := range have {
		s := ruleKey(&r)
		if want[s] > got[s] {
			got[s]++
			continue
		}
		if err := c.DeleteRule(ctx, r); err != nil {
			return ch, err
		}
		ch.Deleted = append(ch.Deleted, r)
	}
	for _, r := range desired {
		s := ruleKey(&r)
		if got[s] > 0 {
			got[s]--
			continue
		}
		if err := c.AddRule(ctx, r); err != nil {
			return ch, err
		}
		ch.Added = append(ch.Added, r)
	}
	return ch, nil
}

// ruleKey is the identity of a rule for SetRules: its encoding with the
// syscall mask's class bits and the prepend flag left out.
func ruleKey(r *Rule) string {
	n := *r
	n.Prepend = false
	if n.Syscalls.IsAll() {
		n.Syscalls.IncludeAll()
	}
	for i := range n.Fields {
		if n.Fields[i].Field.IsString() {
			n.Fields[i].Value = 0
		}
	}
	b, _ := n.AppendBinary(nil)
	return string(b)
}
