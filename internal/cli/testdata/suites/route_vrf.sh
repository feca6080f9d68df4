ip link add v1 type veth peer v2; ip link set v1 up
ip route add vrf red unreachable default metric 8192; echo "add: $?"
ip -6 route add vrf red unreachable default metric 8192; echo "add6: $?"
ip route add vrf v1 198.18.0.0/24 dev v1; echo "add non-vrf: $?"
ip route show vrf red; echo "show: $?"
ip route flush vrf red; echo "flush: $?"
ip route del vrf red default; echo "del: $?"
ip route get vrf red 1.1.1.1; echo "get: $?"
