ip link add v1 type veth peer v2; ip link add v3 type veth peer v4; ip link set v1 up; ip link set v2 up; ip link set v3 up; ip link set v4 up
ip addr add 198.18.101.1/24 dev v1; ip addr add 198.18.103.1/24 dev v3; ip -6 addr add 2001:db8:101::1/64 dev v1 nodad
ip route add 198.18.104.0/24 via 198.18.101.2
ip ro prepend 198.18.104.0/24 via 198.18.103.2; echo "prepend: $?"
ip ro p 198.18.105.0/24 dev v1; echo "p: $?"
ip route ls
for tos in 0x01 0x02 0x03 0x04 0x10 0xfc; do ip route add 198.18.102.0/24 tos $tos dev v1; echo "tos $tos: $?"; done
ip route add 198.18.106.0/24 dsfield 0x10 via 198.18.101.2; echo "dsfield: $?"
ip route add 198.18.107.0/24 tos zzz dev v1; echo "bad: $?"
ip route add 198.18.107.0/24 tos 0x100 dev v1; echo "bad: $?"
ip -6 route add 2001:db8:102::/64 dsfield 0x04 via 2001:db8:101::2; echo "v6 dsfield: $?"
ip route ls; ip -j route ls tos 0x10 | head -c 300; echo
ip route del 198.18.106.0/24 tos 0x10; echo "del: $?"
ip route change 198.18.102.0/24 tos 0x04 dev v1 metric 0; echo "chg: $?"
ip route ls
ip route ls tos 0x10; ip route ls dsfield 0xfc; ip route flush tos 0x10; ip route ls; ip route ls tos x; echo $?
ip route add to 198.18.110.0/24 dev v1; echo "to: $?"; ip route add 198.18.111.0/24 t 0x04 dev v1; echo "t: $?"; ip route ls t 0x04; ip route show to 198.18.110.0/24
