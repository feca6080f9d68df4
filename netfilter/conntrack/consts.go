package conntrack

// Message types of NFNL_SUBSYS_CTNETLINK (enum cntl_msg_types in
// linux/netfilter/nfnetlink_conntrack.h).
const (
	msgNew         = 0 // IPCTNL_MSG_CT_NEW
	msgGet         = 1 // IPCTNL_MSG_CT_GET
	msgDelete      = 2 // IPCTNL_MSG_CT_DELETE
	msgGetCtrZero  = 3 // IPCTNL_MSG_CT_GET_CTRZERO
	msgGetStatsCPU = 4 // IPCTNL_MSG_CT_GET_STATS_CPU
	msgGetStats    = 5 // IPCTNL_MSG_CT_GET_STATS
	msgGetDying    = 6 // IPCTNL_MSG_CT_GET_DYING
	msgGetUnconf   = 7 // IPCTNL_MSG_CT_GET_UNCONFIRMED
)

// Message types of NFNL_SUBSYS_CTNETLINK_EXP (enum ctnl_exp_msg_types).
const (
	msgExpNew         = 0 // IPCTNL_MSG_EXP_NEW
	msgExpGet         = 1 // IPCTNL_MSG_EXP_GET
	msgExpDelete      = 2 // IPCTNL_MSG_EXP_DELETE
	msgExpGetStatsCPU = 3 // IPCTNL_MSG_EXP_GET_STATS_CPU
)

// Top-level attributes of a flow (enum ctattr_type). Flow.Has takes them.
const (
	AttrTupleOrig      = 1  // CTA_TUPLE_ORIG
	AttrTupleReply     = 2  // CTA_TUPLE_REPLY
	AttrStatus         = 3  // CTA_STATUS
	AttrProtoInfo      = 4  // CTA_PROTOINFO
	AttrHelp           = 5  // CTA_HELP
	AttrNATSrc         = 6  // CTA_NAT_SRC
	AttrTimeout        = 7  // CTA_TIMEOUT
	AttrMark           = 8  // CTA_MARK
	AttrCountersOrig   = 9  // CTA_COUNTERS_ORIG
	AttrCountersReply  = 10 // CTA_COUNTERS_REPLY
	AttrUse            = 11 // CTA_USE
	AttrID             = 12 // CTA_ID
	AttrNATDst         = 13 // CTA_NAT_DST
	AttrTupleMaster    = 14 // CTA_TUPLE_MASTER
	AttrSeqAdjOrig     = 15 // CTA_SEQ_ADJ_ORIG
	AttrSeqAdjReply    = 16 // CTA_SEQ_ADJ_REPLY
	AttrSecMark        = 17 // CTA_SECMARK (obsolete)
	AttrZone           = 18 // CTA_ZONE
	AttrSecCtx         = 19 // CTA_SECCTX
	AttrTimestamp      = 20 // CTA_TIMESTAMP
	AttrMarkMask       = 21 // CTA_MARK_MASK
	AttrLabels         = 22 // CTA_LABELS
	AttrLabelsMask     = 23 // CTA_LABELS_MASK
	AttrSynproxy       = 24 // CTA_SYNPROXY
	AttrFilter         = 25 // CTA_FILTER
	AttrStatusMask     = 26 // CTA_STATUS_MASK
	AttrTimestampEvent = 27 // CTA_TIMESTAMP_EVENT
)

// enum ctattr_tuple
const (
	ctaTupleIP    = 1
	ctaTupleProto = 2
	ctaTupleZone  = 3
)

// enum ctattr_ip
const (
	ctaIPv4Src = 1
	ctaIPv4Dst = 2
	ctaIPv6Src = 3
	ctaIPv6Dst = 4
)

// enum ctattr_l4proto
const (
	ctaProtoNum        = 1
	ctaProtoSrcPort    = 2
	ctaProtoDstPort    = 3
	ctaProtoICMPID     = 4
	ctaProtoICMPType   = 5
	ctaProtoICMPCode   = 6
	ctaProtoICMPv6ID   = 7
	ctaProtoICMPv6Type = 8
	ctaProtoICMPv6Code = 9
)

// enum ctattr_protoinfo and its TCP, DCCP and SCTP nests.
const (
	ctaProtoInfoTCP  = 1
	ctaProtoInfoDCCP = 2
	ctaProtoInfoSCTP = 3

	ctaProtoInfoTCPState       = 1
	ctaProtoInfoTCPWScaleOrig  = 2
	ctaProtoInfoTCPWScaleReply = 3
	ctaProtoInfoTCPFlagsOrig   = 4
	ctaProtoInfoTCPFlagsReply  = 5

	ctaProtoInfoDCCPState = 1
	ctaProtoInfoDCCPRole  = 2

	ctaProtoInfoSCTPState     = 1
	ctaProtoInfoSCTPVTagOrig  = 2
	ctaProtoInfoSCTPVTagReply = 3
)

// enum ctattr_counters, ctattr_tstamp, ctattr_seqadj, ctattr_help,
// ctattr_secctx, ctattr_synproxy.
const (
	ctaCountersPackets   = 1
	ctaCountersBytes     = 2
	ctaCounters32Packets = 3
	ctaCounters32Bytes   = 4

	ctaTimestampStart = 1
	ctaTimestampStop  = 2

	ctaSeqAdjCorrectionPos = 1
	ctaSeqAdjOffsetBefore  = 2
	ctaSeqAdjOffsetAfter   = 3

	ctaHelpName = 1

	ctaSecCtxName = 1

	ctaSynproxyISN   = 1
	ctaSynproxyITS   = 2
	ctaSynproxyTSOff = 3
)

// enum ctattr_filter and the CTA_FILTER_FLAG bits.
const (
	ctaFilterOrigFlags  = 1
	ctaFilterReplyFlags = 2

	filterIPSrc     = 1 << 0
	filterIPDst     = 1 << 1
	filterTupleZone = 1 << 2
	filterProtoNum  = 1 << 3
	filterSrcPort   = 1 << 4
	filterDstPort   = 1 << 5
	filterICMPType  = 1 << 6
	filterICMPCode  = 1 << 7
	filterICMPID    = 1 << 8
	filterICMPv6Typ = 1 << 9
	filterICMPv6Cod = 1 << 10
	filterICMPv6ID  = 1 << 11
)

// enum ctattr_expect and its NAT nest.
const (
	ctaExpectMaster   = 1
	ctaExpectTuple    = 2
	ctaExpectMask     = 3
	ctaExpectTimeout  = 4
	ctaExpectID       = 5
	ctaExpectHelpName = 6
	ctaExpectZone     = 7
	ctaExpectFlags    = 8
	ctaExpectClass    = 9
	ctaExpectNAT      = 10
	ctaExpectFn       = 11

	ctaExpectNATDir   = 1
	ctaExpectNATTuple = 2
)

// enum ctattr_stats_cpu, ctattr_stats_global, ctattr_expect_stats.
const (
	ctaStatsSearched      = 1
	ctaStatsFound         = 2
	ctaStatsNew           = 3
	ctaStatsInvalid       = 4
	ctaStatsIgnore        = 5
	ctaStatsDelete        = 6
	ctaStatsDeleteList    = 7
	ctaStatsInsert        = 8
	ctaStatsInsertFailed  = 9
	ctaStatsDrop          = 10
	ctaStatsEarlyDrop     = 11
	ctaStatsError         = 12
	ctaStatsSearchRestart = 13
	ctaStatsClashResolve  = 14
	ctaStatsChainTooLong  = 15

	ctaStatsGlobalEntries    = 1
	ctaStatsGlobalMaxEntries = 2

	ctaStatsExpNew    = 1
	ctaStatsExpCreate = 2
	ctaStatsExpDelete = 3
)

// Multicast groups (enum nfnetlink_groups in linux/netfilter/nfnetlink.h).
const (
	groupNew        = 1 // NFNLGRP_CONNTRACK_NEW
	groupUpdate     = 2 // NFNLGRP_CONNTRACK_UPDATE
	groupDestroy    = 3 // NFNLGRP_CONNTRACK_DESTROY
	groupExpNew     = 4 // NFNLGRP_CONNTRACK_EXP_NEW
	groupExpUpdate  = 5 // NFNLGRP_CONNTRACK_EXP_UPDATE
	groupExpDestroy = 6 // NFNLGRP_CONNTRACK_EXP_DESTROY
)

// IP protocol numbers used by the tuple codec.
const (
	ProtoICMP    = 1   // IPPROTO_ICMP
	ProtoTCP     = 6   // IPPROTO_TCP
	ProtoUDP     = 17  // IPPROTO_UDP
	ProtoDCCP    = 33  // IPPROTO_DCCP
	ProtoGRE     = 47  // IPPROTO_GRE
	ProtoICMPv6  = 58  // IPPROTO_ICMPV6
	ProtoSCTP    = 132 // IPPROTO_SCTP
	ProtoUDPLite = 136 // IPPROTO_UDPLITE
)
