ip link add v1 type veth peer v2; ip link set v1 up; ip link set v2 up; ip addr add 198.18.1.1/24 dev v1; ip -6 addr add 2001:db8:1::1/64 dev v1 nodad
ip nexthop add id 5 encap mpls 101/102 ttl 5 via 198.18.1.2 dev v1; echo $?
ip nexthop add id 6 encap mpls 101 via 198.18.1.2 dev v1 fdb; echo $?
ip nexthop add id 7 encap ip dst 1.2.3.4 via 198.18.1.2 dev v1; echo $?
ip nexthop add id 8 encap ip id 7 src 1.1.1.1 dst 1.2.3.4 ttl 9 tos 0x10 key csum seq via 198.18.1.2 dev v1; echo $?
ip nexthop add id 9 encap ip6 dst 2001:db8::5 hoplimit 4 tc 0x08 via 2001:db8:1::2 dev v1; echo $?
ip nexthop add id 10 encap bogus via 2001:db8:1::2 dev v1; echo $?
ip nexthop add id 11 encap ip dst x via 2001:db8:1::2 dev v1; echo $?
ip nexthop ls; ip -j nexthop ls; ip -d nexthop ls id 8
