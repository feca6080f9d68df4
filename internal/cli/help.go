package cli

const mainHelp = `Usage: nl [ OPTIONS ] OBJECT { COMMAND | help }
       nl [ -force ] -batch filename
where  OBJECT := { address | link | neighbour | route | rule | monitor | xfrm |
                   netns | mptcp | genl | ethtool | nfqueue | conntrack | ynl | nflog |
                   audit | ss }
       OPTIONS := { -j[son] | -p[retty] | -d[etails] | -s[tatistics] |
                    -4 | -6 | -0 | -f[amily] { inet | inet6 | link } |
                    -n[etns] name | -b[atch] filename | -force | -o[neline] }
`
