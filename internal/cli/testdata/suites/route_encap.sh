for i in 10 20 30; do ip link add d$i type veth peer p$i; ip link set d$i up; ip link set p$i up; ip addr add 198.18.$i.2/24 dev d$i; ip -6 addr add 2001:$i::2/64 dev d$i nodad; done
ip route add 10.0.0.0/24 nexthop via 198.18.10.1 dev d10 nexthop encap ip dst 198.19.10.20 via 198.18.20.1 dev d20 nexthop encap ip dst 198.19.10.30 ttl 3 via 198.18.30.1 dev d30 weight 2; echo "mp: $?"
ip -6 route add 2001:db8::/64 nexthop via 2001:10::1 dev d10 nexthop encap ip6 dst 2002::20 via 2001:20::1 dev d20; echo "mp6: $?"
ip route add 10.1.0.0/24 encap ip dst 1.2.3.4 key via 198.18.10.1; echo "top: $?"
ip route add 10.2.0.0/24 encap ip dst 1.2.3.4 dev d10; echo "dev: $?"
ip route add 10.3.0.0/24 encap mpls 100 via 198.18.10.1; echo "mpls: $?"
ip route replace 10.2.0.0/24 encap ip dst 1.2.3.5 dev d10; echo "replace: $?"
ip route prepend 10.1.0.0/24 encap ip dst 1.2.3.6 via 198.18.20.1; echo "prepend: $?"
ip route add 10.4.0.0/24 nexthop encap ip dst 1.1.1.1 via inet6 2001:10::1 dev d10; echo "via6: $?"
ip route del 10.2.0.0/24 encap ip dst 1.2.3.5 dev d10; echo "del: $?"
ip route add 10.5.0.0/24 encap ip dst x dev d10; echo "bad: $?"
"$REAL_IP" -d route
"$REAL_IP" -d -j route | jq -c ".[]"
"$REAL_IP" -6 route show 2001:db8::/64
