package xfrm

import (
	"encoding/binary"
	"fmt"
	"net/netip"

	"github.com/nlkit/nlkit/netlink"
)

// Message types (enum XFRM_MSG_* of linux/xfrm.h).
const (
	msgNewSA       netlink.MessageType = 0x10 // XFRM_MSG_NEWSA
	msgDelSA       netlink.MessageType = 0x11 // XFRM_MSG_DELSA
	msgGetSA       netlink.MessageType = 0x12 // XFRM_MSG_GETSA
	msgNewPolicy   netlink.MessageType = 0x13 // XFRM_MSG_NEWPOLICY
	msgDelPolicy   netlink.MessageType = 0x14 // XFRM_MSG_DELPOLICY
	msgGetPolicy   netlink.MessageType = 0x15 // XFRM_MSG_GETPOLICY
	msgAllocSPI    netlink.MessageType = 0x16 // XFRM_MSG_ALLOCSPI
	msgAcquire     netlink.MessageType = 0x17 // XFRM_MSG_ACQUIRE
	msgExpire      netlink.MessageType = 0x18 // XFRM_MSG_EXPIRE
	msgUpdPolicy   netlink.MessageType = 0x19 // XFRM_MSG_UPDPOLICY
	msgUpdSA       netlink.MessageType = 0x1a // XFRM_MSG_UPDSA
	msgPolExpire   netlink.MessageType = 0x1b // XFRM_MSG_POLEXPIRE
	msgFlushSA     netlink.MessageType = 0x1c // XFRM_MSG_FLUSHSA
	msgFlushPolicy netlink.MessageType = 0x1d // XFRM_MSG_FLUSHPOLICY
	msgNewAE       netlink.MessageType = 0x1e // XFRM_MSG_NEWAE
	msgGetAE       netlink.MessageType = 0x1f // XFRM_MSG_GETAE
	msgReport      netlink.MessageType = 0x20 // XFRM_MSG_REPORT
	msgMigrate     netlink.MessageType = 0x21 // XFRM_MSG_MIGRATE
	msgNewSADInfo  netlink.MessageType = 0x22 // XFRM_MSG_NEWSADINFO
	msgGetSADInfo  netlink.MessageType = 0x23 // XFRM_MSG_GETSADINFO
	msgNewSPDInfo  netlink.MessageType = 0x24 // XFRM_MSG_NEWSPDINFO
	msgGetSPDInfo  netlink.MessageType = 0x25 // XFRM_MSG_GETSPDINFO
	msgMapping     netlink.MessageType = 0x26 // XFRM_MSG_MAPPING
	msgSetDefault  netlink.MessageType = 0x27 // XFRM_MSG_SETDEFAULT
	msgGetDefault  netlink.MessageType = 0x28 // XFRM_MSG_GETDEFAULT
)

// Attribute types (enum xfrm_attr_type_t).
const (
	attrAlgAuth       = 1  // XFRMA_ALG_AUTH: struct xfrm_algo
	attrAlgCrypt      = 2  // XFRMA_ALG_CRYPT: struct xfrm_algo
	attrAlgComp       = 3  // XFRMA_ALG_COMP: struct xfrm_algo
	attrEncap         = 4  // XFRMA_ENCAP: struct xfrm_encap_tmpl
	attrTmpl          = 5  // XFRMA_TMPL: struct xfrm_user_tmpl[]
	attrSA            = 6  // XFRMA_SA: struct xfrm_usersa_info
	attrPolicy        = 7  // XFRMA_POLICY: struct xfrm_userpolicy_info
	attrSecCtx        = 8  // XFRMA_SEC_CTX: struct xfrm_user_sec_ctx + context
	attrLifetimeVal   = 9  // XFRMA_LTIME_VAL: struct xfrm_lifetime_cur
	attrReplayVal     = 10 // XFRMA_REPLAY_VAL: struct xfrm_replay_state
	attrReplayThresh  = 11 // XFRMA_REPLAY_THRESH: u32
	attrETimerThresh  = 12 // XFRMA_ETIMER_THRESH: u32
	attrSrcAddr       = 13 // XFRMA_SRCADDR: xfrm_address_t
	attrCoAddr        = 14 // XFRMA_COADDR: xfrm_address_t
	attrLastUsed      = 15 // XFRMA_LASTUSED: u64
	attrPolicyType    = 16 // XFRMA_POLICY_TYPE: struct xfrm_userpolicy_type
	attrMigrate       = 17 // XFRMA_MIGRATE: struct xfrm_user_migrate[]
	attrAlgAEAD       = 18 // XFRMA_ALG_AEAD: struct xfrm_algo_aead
	attrKMAddress     = 19 // XFRMA_KMADDRESS: struct xfrm_user_kmaddress
	attrAlgAuthTrunc  = 20 // XFRMA_ALG_AUTH_TRUNC: struct xfrm_algo_auth
	attrMark          = 21 // XFRMA_MARK: struct xfrm_mark
	attrTFCPad        = 22 // XFRMA_TFCPAD: u32
	attrReplayESNVal  = 23 // XFRMA_REPLAY_ESN_VAL: struct xfrm_replay_state_esn
	attrSAExtraFlags  = 24 // XFRMA_SA_EXTRA_FLAGS: u32
	attrProto         = 25 // XFRMA_PROTO: u8
	attrAddressFilter = 26 // XFRMA_ADDRESS_FILTER: struct xfrm_address_filter
	attrOffloadDev    = 28 // XFRMA_OFFLOAD_DEV: struct xfrm_user_offload
	attrSetMark       = 29 // XFRMA_SET_MARK (XFRMA_OUTPUT_MARK): u32
	attrSetMarkMask   = 30 // XFRMA_SET_MARK_MASK: u32
	attrIfID          = 31 // XFRMA_IF_ID: u32
	attrMTimerThresh  = 32 // XFRMA_MTIMER_THRESH: u32
	attrSADir         = 33 // XFRMA_SA_DIR: u8
	attrNATKeepalive  = 34 // XFRMA_NAT_KEEPALIVE_INTERVAL: u32
	attrSAPCPU        = 35 // XFRMA_SA_PCPU: u32
)

// SAD and SPD info attributes (enum xfrm_sadattr_type_t, xfrm_spdattr_type_t).
const (
	attrSADCount    = 1 // XFRMA_SAD_CNT: u32
	attrSADHashInfo = 2 // XFRMA_SAD_HINFO: struct xfrmu_sadhinfo
	attrSPDInfo     = 1 // XFRMA_SPD_INFO: struct xfrmu_spdinfo
	attrSPDHashInfo = 2 // XFRMA_SPD_HINFO: struct xfrmu_spdhinfo
	attrSPDIPv4Hthr = 3 // XFRMA_SPD_IPV4_HTHRESH: struct xfrmu_spdhthresh
	attrSPDIPv6Hthr = 4 // XFRMA_SPD_IPV6_HTHRESH: struct xfrmu_spdhthresh
)

// Sizes of the UAPI structures (x86-64 and every other Linux ABI: the
// structures hold no pointers and their u64 fields are 8-aligned).
const (
	sizeSelector      = 56  // struct xfrm_selector
	sizeID            = 24  // struct xfrm_id
	sizeLifetimeCfg   = 64  // struct xfrm_lifetime_cfg
	sizeLifetimeCur   = 32  // struct xfrm_lifetime_cur
	sizeUserSAInfo    = 224 // struct xfrm_usersa_info
	sizeUserSAID      = 24  // struct xfrm_usersa_id
	sizeAEventID      = 48  // struct xfrm_aevent_id
	sizeUserSPIInfo   = 232 // struct xfrm_userspi_info
	sizePolicyInfo    = 168 // struct xfrm_userpolicy_info
	sizePolicyID      = 64  // struct xfrm_userpolicy_id
	sizeAcquire       = 280 // struct xfrm_user_acquire
	sizeExpire        = 232 // struct xfrm_user_expire
	sizePolExpire     = 176 // struct xfrm_user_polexpire
	sizeReport        = 60  // struct xfrm_user_report
	sizeTmpl          = 64  // struct xfrm_user_tmpl
	sizeEncap         = 24  // struct xfrm_encap_tmpl
	sizeMapping       = 64  // struct xfrm_user_mapping
	sizeMigrate       = 76  // struct xfrm_user_migrate
	sizeKMAddress     = 40  // struct xfrm_user_kmaddress
	sizeSecCtx        = 8   // struct xfrm_user_sec_ctx (the context follows)
	sizeOffload       = 8   // struct xfrm_user_offload
	sizePolicyType    = 6   // struct xfrm_userpolicy_type
	sizeDefault       = 3   // struct xfrm_userpolicy_default
	sizeReplay        = 12  // struct xfrm_replay_state
	sizeReplayESN     = 24  // struct xfrm_replay_state_esn (the bitmap follows)
	sizeAlgo          = 68  // struct xfrm_algo (the key follows)
	sizeAlgoAuth      = 72  // struct xfrm_algo_auth, struct xfrm_algo_aead
	sizeMark          = 8   // struct xfrm_mark
	sizeAddressFilter = 36  // struct xfrm_address_filter
	algNameLen        = 64  // alg_name[64]
)

// inf is XFRM_INF, "no limit" in struct xfrm_lifetime_cfg.
const inf = NoLimit

var ne = binary.NativeEndian

// Family is an address family: AF_INET or AF_INET6.
type Family uint16

// Address families.
const (
	FamilyUnspec Family = 0  // AF_UNSPEC
	FamilyIPv4   Family = 2  // AF_INET
	FamilyIPv6   Family = 10 // AF_INET6
)

// String gives ip's words: "inet", "inet6", or the number.
func (f Family) String() string {
	switch f {
	case FamilyUnspec:
		return "unspec"
	case FamilyIPv4:
		return "inet"
	case FamilyIPv6:
		return "inet6"
	}
	return fmt.Sprint(uint16(f))
}

// familyOf is the family of a (FamilyUnspec if a is the zero Addr).
func familyOf(a netip.Addr) Family {
	switch {
	case !a.IsValid():
		return FamilyUnspec
	case a.Is4():
		return FamilyIPv4
	}
	return FamilyIPv6
}

// putAddr writes a as an xfrm_address_t (16 bytes) at b.
func putAddr(b []byte, a netip.Addr) {
	clear(b[:16])
	switch {
	case a.Is4():
		v := a.As4()
		copy(b, v[:])
	case a.IsValid():
		v := a.As16()
		copy(b, v[:])
	}
}

// getAddr reads an xfrm_address_t of family f; the zero Addr for another
// family, or when the address is all zeros and zero says so.
func getAddr(b []byte, f Family) netip.Addr {
	switch f {
	case FamilyIPv4:
		return netip.AddrFrom4([4]byte(b[:4]))
	case FamilyIPv6:
		return netip.AddrFrom16([16]byte(b[:16]))
	}
	return netip.Addr{}
}

// getAddrOpt is getAddr giving the zero Addr for an unspecified address,
// for fields where all zeros means "none" (template addresses, the source
// of a larval SA's id is never zero, a wildcard template's is).
func getAddrOpt(b []byte, f Family) netip.Addr {
	a := getAddr(b, f)
	if a.IsValid() && a.IsUnspecified() {
		return netip.Addr{}
	}
	return a
}

// be16 and be32 read and write network-order fields.
func be16(b []byte) uint16       { return binary.BigEndian.Uint16(b) }
func be32(b []byte) uint32       { return binary.BigEndian.Uint32(b) }
func putBE16(b []byte, v uint16) { binary.BigEndian.PutUint16(b, v) }
func putBE32(b []byte, v uint32) { binary.BigEndian.PutUint32(b, v) }

// cString reads a NUL-terminated name from a fixed-size field.
func cString(b []byte) string {
	for i, c := range b {
		if c == 0 {
			return string(b[:i])
		}
	}
	return string(b)
}

// malformed is the error for a structure of the wrong size.
func malformed(what string, got, want int) error {
	return fmt.Errorf("xfrm: %s: %d bytes, want %d: %w", what, got, want, netlink.ErrMalformed)
}

// grow extends b by n zero bytes and returns the extended slice and the
// new n bytes.
func grow(b []byte, n int) ([]byte, []byte) {
	l := len(b)
	b = append(b, make([]byte, n)...)
	return b, b[l:]
}
