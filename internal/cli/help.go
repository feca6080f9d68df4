package cli

const mainHelp = `Usage: nl [ OPTIONS ] OBJECT { COMMAND | help }
       nl [ -force ] -batch filename
where  OBJECT := { address | link | neighbour | route | rule | monitor | xfrm | netns |
                   tunnel | tuntap | addrlabel | maddress | netconf | token | nexthop | vrf |
                   ntable | mptcp | genl | ethtool | nfqueue | conntrack | ynl |
                   nflog | audit | ss | mroute | stats }
       OPTIONS := { -V[ersion] | -s[tatistics] | -d[etails] | -r[esolve] |
                    -h[uman-readable] | -iec | -j[son] | -p[retty] |
                    -f[amily] { inet | inet6 | link } |
                    -4 | -6 | -0 |
                    -l[oops] { maximum-addr-flush-attempts } | -br[ief] |
                    -o[neline] | -t[imestamp] | -ts[hort] | -b[atch] [filename] |
                    -rc[vbuf] [size] | -n[etns] name | -N[umeric] | -a[ll] |
                    -c[olor]}
`
