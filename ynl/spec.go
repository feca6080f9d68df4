package ynl

// The YAML model of a spec, one Go struct per schema object of
// Documentation/netlink/{genetlink,genetlink-c,genetlink-legacy,netlink-raw}.yaml.
// Every key the schemas define has a field, so that strict decoding (unknown
// keys are errors) accepts every spec the kernel ships and rejects a key the
// schema grew later: a new schema feature is noticed, not silently dropped.
// Fields tagged yaml:"-" are filled by Load when it resolves references.

// Spec is a family's netlink specification: its definitions, attribute sets,
// sub-messages, operations and multicast groups, as Load resolved them.
// A Spec is read-only once loaded; any number of goroutines may use it.
type Spec struct {
	Name     string `yaml:"name"`     // the family's name, e.g. "netdev", "rt-link"
	Doc      string `yaml:"doc"`      // the spec's prose (not used by nlkit)
	Protocol string `yaml:"protocol"` // genetlink (default), genetlink-c, genetlink-legacy or netlink-raw
	Protonum int    `yaml:"protonum"` // netlink-raw: the NETLINK_* protocol number
	// Version is genlmsghdr.version to send (genetlink-legacy); 0: 1.
	Version      int    `yaml:"version"`
	UAPIHeader   string `yaml:"uapi-header"`
	CFamilyName  string `yaml:"c-family-name"`
	CVersionName string `yaml:"c-version-name"`
	MaxByDefine  bool   `yaml:"max-by-define"`
	CmdMaxName   string `yaml:"cmd-max-name"`
	CmdCntName   string `yaml:"cmd-cnt-name"`
	KernelPolicy string `yaml:"kernel-policy"`
	KernelFamily *struct {
		Headers  []string `yaml:"headers"`
		SockPriv string   `yaml:"sock-priv"`
	} `yaml:"kernel-family"`

	Definitions   []*Definition `yaml:"definitions"`
	AttributeSets []*AttrSet    `yaml:"attribute-sets"`
	SubMessages   []*SubMessage `yaml:"sub-messages"`
	Operations    Operations    `yaml:"operations"`
	McastGroups   *struct {
		List []*McastGroup `yaml:"list"`
	} `yaml:"mcast-groups"`

	// Warnings lists what Load accepted but found wrong in the spec
	// without effect on the wire (an operation listing an attribute its
	// set lacks).
	Warnings []string `yaml:"-"`

	defs    map[string]*Definition
	sets    map[string]*AttrSet
	subs    map[string]*SubMessage
	ops     map[string]*Operation
	groups  map[string]*McastGroup
	byReply map[uint32][]*Operation // replies and notifications by message id
}

// Definition is an entry of "definitions": a constant, an enum, a set of
// flags or a struct.
type Definition struct {
	Name       string       `yaml:"name"`
	Header     string       `yaml:"header"`
	Scope      string       `yaml:"scope"`
	Type       string       `yaml:"type"` // const, enum, flags or struct
	Doc        string       `yaml:"doc"`
	Value      yamlScalar   `yaml:"value"`       // const
	ValueStart yamlScalar   `yaml:"value-start"` // enum, flags: the first entry's value (flags: bit)
	Entries    []*EnumEntry `yaml:"entries"`
	RenderMax  bool         `yaml:"render-max"`
	EnumName   *string      `yaml:"enum-name"`
	NamePrefix string       `yaml:"name-prefix"`
	Members    []*Member    `yaml:"members"`
	ConfigCond string       `yaml:"config-cond"`

	// ConstValue is the value of a numeric const definition; ConstString
	// that of a string const (IsString).
	ConstValue  int64  `yaml:"-"`
	ConstString string `yaml:"-"`
	IsString    bool   `yaml:"-"`
	// Size is the byte size of a struct.
	Size int `yaml:"-"`
	// noFlags is an empty []string as an interface value, made once:
	// the names of no flags (an enum or flags definition).
	noFlags any
}

// EnumEntry is one entry of an enum or flags definition. In YAML it is
// either a plain name or an object with a name and optionally a value.
type EnumEntry struct {
	Name string
	Doc  string
	// Value is the entry's value: for an enum the number, for flags the
	// bit mask (1 << position).
	Value uint64
	// explicit is the YAML value, when given.
	explicit *uint64
	// boxed is Name as an interface value, made once: decoding a
	// million enum values then allocates nothing for them.
	boxed any
}

// Member is one member of a struct definition.
type Member struct {
	Name        string     `yaml:"name"`
	Type        string     `yaml:"type"` // u8 ... s64, string, binary, pad
	Len         yamlScalar `yaml:"len"`  // binary, string, pad: bytes (number or const name)
	ByteOrder   string     `yaml:"byte-order"`
	Doc         string     `yaml:"doc"`
	Enum        string     `yaml:"enum"`
	EnumAsFlags bool       `yaml:"enum-as-flags"`
	DisplayHint string     `yaml:"display-hint"`
	Struct      string     `yaml:"struct"`

	// Offset and Size place the member in the struct's bytes.
	Offset, Size int `yaml:"-"`
	// EnumDef is the resolved Enum; StructDef the resolved Struct.
	EnumDef   *Definition `yaml:"-"`
	StructDef *Definition `yaml:"-"`
}

// AttrSet is an attribute set ("attribute-sets"): the attributes of a message
// or of a nest.
type AttrSet struct {
	Name        string  `yaml:"name"`
	NamePrefix  string  `yaml:"name-prefix"`
	EnumName    *string `yaml:"enum-name"`
	Doc         string  `yaml:"doc"`
	SubsetOf    string  `yaml:"subset-of"`
	AttrCntName string  `yaml:"attr-cnt-name"`
	AttrMaxName string  `yaml:"attr-max-name"`
	Attributes  []*Attr `yaml:"attributes"`

	byName  map[string]*Attr
	byValue map[uint16]*Attr
	byID    []*Attr // byValue indexed by id; nil for sparse sets
}

// Attr is one attribute of an attribute set.
type Attr struct {
	Name        string     `yaml:"name"`
	Type        string     `yaml:"type"`
	Doc         string     `yaml:"doc"`
	Value       *int       `yaml:"value"`
	TypeValue   []string   `yaml:"type-value"`
	ByteOrder   string     `yaml:"byte-order"`
	MultiAttr   bool       `yaml:"multi-attr"`
	NestedAttrs string     `yaml:"nested-attributes"`
	Enum        string     `yaml:"enum"`
	EnumAsFlags bool       `yaml:"enum-as-flags"`
	Checks      *Checks    `yaml:"checks"`
	SubType     string     `yaml:"sub-type"`
	DisplayHint string     `yaml:"display-hint"`
	NamePrefix  string     `yaml:"name-prefix"`
	Struct      string     `yaml:"struct"`
	SubMessage  string     `yaml:"sub-message"`
	Selector    string     `yaml:"selector"`
	Len         yamlScalar `yaml:"len"`

	// ID is the attribute's type on the wire (implicit values counted
	// from 1, or after the previous explicit one; a subset's from its
	// parent set).
	ID uint16 `yaml:"-"`
	// index is the attribute's position in its set's Attributes.
	index int
	// Resolved references: the nested set, enum, struct, sub-message.
	NestedSet *AttrSet    `yaml:"-"`
	EnumDef   *Definition `yaml:"-"`
	StructDef *Definition `yaml:"-"`
	SubMsg    *SubMessage `yaml:"-"`
	// Min, Max are the resolved checks (integers); HasMin/HasMax say
	// whether they apply. MaxLen, MinLen bound payload sizes (0: none).
	Min, Max       int64 `yaml:"-"`
	HasMin, HasMax bool  `yaml:"-"`
	MinLen, MaxLen int   `yaml:"-"`
	ExactLen       int   `yaml:"-"`
}

// Checks are an attribute's validation rules (the kernel's policy).
type Checks struct {
	FlagsMask      string     `yaml:"flags-mask"`
	Min            yamlScalar `yaml:"min"`
	Max            yamlScalar `yaml:"max"`
	MinLen         yamlScalar `yaml:"min-len"`
	MaxLen         yamlScalar `yaml:"max-len"`
	ExactLen       yamlScalar `yaml:"exact-len"`
	UnterminatedOK bool       `yaml:"unterminated-ok"`
}

// SubMessage is a "sub-messages" entry: the formats an attribute takes
// depending on the value of a selector attribute.
type SubMessage struct {
	Name    string       `yaml:"name"`
	Formats []*SubFormat `yaml:"formats"`
}

// SubFormat is one format of a sub-message.
type SubFormat struct {
	Value        string `yaml:"value"`
	FixedHeader  string `yaml:"fixed-header"`
	AttributeSet string `yaml:"attribute-set"`

	Header *Definition `yaml:"-"`
	Set    *AttrSet    `yaml:"-"`
}

// Operations is the "operations" section.
type Operations struct {
	EnumModel   string       `yaml:"enum-model"` // unified (default) or directional
	NamePrefix  string       `yaml:"name-prefix"`
	EnumName    *string      `yaml:"enum-name"`
	AsyncPrefix string       `yaml:"async-prefix"`
	AsyncEnum   *string      `yaml:"async-enum"`
	FixedHeader string       `yaml:"fixed-header"`
	List        []*Operation `yaml:"list"`
}

// Operation is one operation: a do and/or dump request, a notification
// (notify: the reply layout of another operation) or an event.
type Operation struct {
	Name         string   `yaml:"name"`
	Doc          string   `yaml:"doc"`
	Value        *int     `yaml:"value"`
	AttributeSet string   `yaml:"attribute-set"`
	Flags        []string `yaml:"flags"`
	DontValidate []string `yaml:"dont-validate"`
	ConfigCond   string   `yaml:"config-cond"`
	FixedHeader  string   `yaml:"fixed-header"`
	Do           *SubOp   `yaml:"do"`
	Dump         *SubOp   `yaml:"dump"`
	Notify       string   `yaml:"notify"`
	Event        *struct {
		Attributes []string `yaml:"attributes"`
	} `yaml:"event"`
	Mcgrp string `yaml:"mcgrp"`

	// RequestID is the message id (genl command or netlink message type)
	// of requests; ReplyID that of replies, notifications and events.
	// HasRequest/HasReply say whether the operation has them.
	RequestID, ReplyID   uint32      `yaml:"-"`
	HasRequest, HasReply bool        `yaml:"-"`
	Set                  *AttrSet    `yaml:"-"` // resolved attribute-set
	Header               *Definition `yaml:"-"` // resolved fixed header, nil if none
}

// SubOp is the do or dump part of an operation.
type SubOp struct {
	Request *Message `yaml:"request"`
	Reply   *Message `yaml:"reply"`
	Pre     string   `yaml:"pre"`
	Post    string   `yaml:"post"`
}

// Message lists the attributes of a request or a reply.
type Message struct {
	Attributes []string `yaml:"attributes"`
	Value      *int     `yaml:"value"`
}

// McastGroup is a multicast group.
type McastGroup struct {
	Name        string   `yaml:"name"`
	CDefineName string   `yaml:"c-define-name"`
	Flags       []string `yaml:"flags"`
	Value       *int     `yaml:"value"` // netlink-raw: the group number
	ConfigCond  string   `yaml:"config-cond"`
}
