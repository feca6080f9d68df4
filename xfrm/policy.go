package xfrm

import (
	"fmt"

	"github.com/nlkit/nlkit/nlattr"
)

// Policy is an IPsec security policy, an entry of the kernel's SPD: struct
// xfrm_userpolicy_info and its attributes. It says what to do with the
// traffic its Selector matches in direction Dir: allow it (through the
// transforms its Templates require, if any) or block it.
type Policy struct {
	Selector Selector
	Dir      Dir
	Action   Action
	Priority uint32 // lower values match first
	// Index is the kernel's identifier of the policy; 0 in an add lets the
	// kernel pick one. Its low 3 bits are the direction (the kernel
	// refuses an Index that does not match Dir).
	Index   uint32
	Flags   PolicyFlags
	Share   Share
	Limits  Limits   // lft
	Current Lifetime // curlft (read only)

	Templates []Template // XFRMA_TMPL
	Mark      Mark       // XFRMA_MARK
	IfID      uint32     // XFRMA_IF_ID
	// Type is main or sub (XFRMA_POLICY_TYPE, sent only for sub, as ip
	// does unless asked; the kernel reports it always).
	Type            PolicyType
	SecurityContext *SecurityContext // XFRMA_SEC_CTX
}

// PolicyID names a policy for Policy and DeletePolicy: by Index (with Dir)
// when Index is not zero, else by Selector, Dir, Mark, IfID, Type and
// SecurityContext (struct xfrm_userpolicy_id and attributes).
type PolicyID struct {
	Selector        Selector
	Dir             Dir
	Index           uint32
	Type            PolicyType
	Mark            Mark
	IfID            uint32
	SecurityContext *SecurityContext
}

// ID is the PolicyID of p, by selector.
func (p *Policy) ID() PolicyID {
	return PolicyID{Selector: p.Selector, Dir: p.Dir, Type: p.Type, Mark: p.Mark, IfID: p.IfID, SecurityContext: p.SecurityContext}
}

// String names the policy for errors and logs: "index 9 dir out" or
// "198.18.0.0/24 -> 198.18.1.0/24 dir out".
func (id PolicyID) String() string {
	if id.Index != 0 {
		return fmt.Sprintf("index %d dir %s", id.Index, id.Dir)
	}
	return fmt.Sprintf("%s -> %s dir %s", prefixString(id.Selector.Src, id.Selector), prefixString(id.Selector.Dst, id.Selector), id.Dir)
}

// String names the policy (see PolicyID.String).
func (p Policy) String() string { return p.ID().String() }

func (p *Policy) putInfo(b []byte) {
	b = b[:sizePolicyInfo]
	clear(b)
	p.Selector.put(b[0:])
	p.Limits.put(b[56:])
	p.Current.put(b[120:])
	ne.PutUint32(b[152:], p.Priority)
	ne.PutUint32(b[156:], p.Index)
	b[160] = uint8(p.Dir)
	b[161] = uint8(p.Action)
	b[162] = uint8(p.Flags)
	b[163] = uint8(p.Share)
}

func (p *Policy) getInfo(b []byte) error {
	*p = Policy{
		Priority: ne.Uint32(b[152:]), Index: ne.Uint32(b[156:]),
		Dir: Dir(b[160]), Action: Action(b[161]), Flags: PolicyFlags(b[162]), Share: Share(b[163]),
	}
	p.Limits.get(b[56:])
	p.Current.get(b[120:])
	return p.Selector.get(b[0:], FamilyUnspec)
}

func appendPolicyType(b []byte, t PolicyType) []byte {
	return appendAttrFixed(b, attrPolicyType, sizePolicyType, func(p []byte) { p[0] = uint8(t) })
}

// appendAttrs appends the policy's attributes in the order ip sends them.
func (p *Policy) appendAttrs(b []byte) ([]byte, error) {
	var err error
	if p.Type != PolicyTypeMain {
		b = appendPolicyType(b, p.Type)
	}
	if n := len(p.Templates); n > 0 {
		if n*sizeTmpl+nlattr.HeaderLen > 0xffff {
			return b, fmt.Errorf("xfrm: %d templates do not fit an attribute", n)
		}
		f := p.Selector.family()
		b = appendAttrFixed(b, attrTmpl, n*sizeTmpl, func(q []byte) {
			for i := range p.Templates {
				p.Templates[i].put(q[i*sizeTmpl:], f)
			}
		})
	}
	b = appendMark(b, p.Mark)
	if p.SecurityContext != nil {
		if b, err = appendSecCtx(b, p.SecurityContext); err != nil {
			return b, err
		}
	}
	if p.IfID != 0 {
		b = appendU32(b, attrIfID, p.IfID)
	}
	return b, nil
}

// AppendBinary appends the policy as the body of an XFRM_MSG_NEWPOLICY
// request (struct xfrm_userpolicy_info and the attributes) to b.
func (p Policy) AppendBinary(b []byte) ([]byte, error) {
	b, q := grow(b, sizePolicyInfo)
	p.putInfo(q)
	return p.appendAttrs(b)
}

// MarshalBinary is AppendBinary to a new slice.
func (p Policy) MarshalBinary() ([]byte, error) { return p.AppendBinary(nil) }

// UnmarshalBinary decodes the body of an XFRM_MSG_NEWPOLICY message (a
// dump reply, a GETPOLICY answer, a notification) into p. Unknown
// attributes are skipped; a known one of the wrong size is an error naming
// it. Nothing in p aliases b.
func (p *Policy) UnmarshalBinary(b []byte) error {
	if len(b) < sizePolicyInfo {
		return malformed("struct xfrm_userpolicy_info", len(b), sizePolicyInfo)
	}
	return p.unmarshal(b, nil)
}

// unmarshal is UnmarshalBinary carving templates from slab (see
// getTemplates).
func (p *Policy) unmarshal(b []byte, slab *[]Template) error {
	if len(b) < sizePolicyInfo {
		return malformed("struct xfrm_userpolicy_info", len(b), sizePolicyInfo)
	}
	if err := p.getInfo(b); err != nil {
		return err
	}
	return p.getAttrsSlab(b[sizePolicyInfo:], slab)
}

func (p *Policy) getAttrs(b []byte) error { return p.getAttrsSlab(b, nil) }

func (p *Policy) getAttrsSlab(b []byte, slab *[]Template) error {
	d := nlattr.NewDecoder(b)
	for d.Next() {
		q := d.Bytes()
		var err error
		switch d.Type() {
		case attrTmpl:
			p.Templates, err = getTemplates(q, slab)
		case attrMark:
			p.Mark, err = getMark(q)
		case attrIfID:
			p.IfID = d.Uint32()
		case attrPolicyType:
			if err = need(q, sizePolicyType, "XFRMA_POLICY_TYPE"); err == nil {
				p.Type = PolicyType(q[0])
			}
		case attrSecCtx:
			p.SecurityContext = new(SecurityContext)
			err = p.SecurityContext.get(q)
		}
		if err != nil {
			return err
		}
	}
	if err := d.Err(); err != nil {
		return fmt.Errorf("xfrm: policy attributes: %w", err)
	}
	return nil
}

// put writes struct xfrm_userpolicy_id; a selector without a family gets
// AF_INET, as ip sends it when it names a policy by index.
func (id *PolicyID) put(b []byte) {
	b = b[:sizePolicyID]
	clear(b)
	sel := id.Selector
	if sel.family() == FamilyUnspec {
		sel.Family = FamilyIPv4
	}
	sel.put(b[0:])
	ne.PutUint32(b[56:], id.Index)
	b[60] = uint8(id.Dir)
}

// request is the body of a GETPOLICY or DELPOLICY request.
func (id *PolicyID) request() ([]byte, error) {
	b, q := grow(nil, sizePolicyID)
	id.put(q)
	var err error
	if id.Type != PolicyTypeMain {
		b = appendPolicyType(b, id.Type)
	}
	b = appendMark(b, id.Mark)
	if id.SecurityContext != nil {
		if b, err = appendSecCtx(b, id.SecurityContext); err != nil {
			return nil, err
		}
	}
	if id.IfID != 0 {
		b = appendU32(b, attrIfID, id.IfID)
	}
	return b, nil
}

func getPolicyID(b []byte) (PolicyID, error) {
	var id PolicyID
	err := id.Selector.get(b[0:], FamilyUnspec)
	id.Index = ne.Uint32(b[56:])
	id.Dir = Dir(b[60])
	return id, err
}

// AppendBinary appends the body of an XFRM_MSG_GETPOLICY or
// XFRM_MSG_DELPOLICY request naming the policy (struct
// xfrm_userpolicy_id and its attributes) to b.
func (id PolicyID) AppendBinary(b []byte) ([]byte, error) {
	body, err := id.request()
	return append(b, body...), err
}

// MarshalBinary is AppendBinary to a new slice.
func (id PolicyID) MarshalBinary() ([]byte, error) { return id.request() }

// UnmarshalBinary decodes the body of a GETPOLICY or DELPOLICY request
// into id.
func (id *PolicyID) UnmarshalBinary(b []byte) error {
	if len(b) < sizePolicyID {
		return malformed("struct xfrm_userpolicy_id", len(b), sizePolicyID)
	}
	var err error
	if *id, err = getPolicyID(b); err != nil {
		return err
	}
	return eachAttr(b[sizePolicyID:], "policy id", func(typ uint16, p []byte) error {
		var err error
		switch typ {
		case attrPolicyType:
			if err = need(p, sizePolicyType, "XFRMA_POLICY_TYPE"); err == nil {
				id.Type = PolicyType(p[0])
			}
		case attrMark:
			id.Mark, err = getMark(p)
		case attrIfID:
			if err = need(p, 4, "XFRMA_IF_ID"); err == nil {
				id.IfID = ne.Uint32(p)
			}
		case attrSecCtx:
			id.SecurityContext = new(SecurityContext)
			err = id.SecurityContext.get(p)
		}
		return err
	})
}
