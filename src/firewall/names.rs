//! The names nft and iptables print for numbers: protocols, services, conntrack states.

/// An IP protocol by name or number (`/etc/protocols` names that firewalls print).
pub(crate) fn proto(name: &str) -> Option<u8> {
    if let Ok(n) = name.parse::<u8>() {
        return Some(n);
    }
    Some(match name.to_ascii_lowercase().as_str() {
        "icmp" => 1,
        "igmp" => 2,
        "ipip" | "ipencap" => 4,
        "tcp" => 6,
        "egp" => 8,
        "udp" => 17,
        "ipv6" => 41,
        "ipv6-route" => 43,
        "ipv6-frag" => 44,
        "gre" => 47,
        "esp" | "ipv6-crypt" => 50,
        "ah" | "ipv6-auth" => 51,
        "ipv6-icmp" | "icmpv6" => 58,
        "ipv6-nonxt" => 59,
        "ipv6-opts" => 60,
        "ospf" | "ospfigp" => 89,
        "pim" => 103,
        "vrrp" => 112,
        "l2tp" => 115,
        "sctp" => 132,
        "udplite" => 136,
        "dccp" => 33,
        _ => return None,
    })
}

pub(crate) fn proto_name(n: u8) -> String {
    match n {
        1 => "icmp".into(),
        6 => "tcp".into(),
        17 => "udp".into(),
        58 => "ipv6-icmp".into(),
        132 => "sctp".into(),
        n => n.to_string(),
    }
}

/// A port by number or by the service names firewalls print (`/etc/services`, the usual ones).
pub(crate) fn port(name: &str) -> Option<u16> {
    if let Ok(n) = name.parse::<u16>() {
        return Some(n);
    }
    Some(match name {
        "ftp-data" => 20,
        "ftp" => 21,
        "ssh" => 22,
        "telnet" => 23,
        "smtp" => 25,
        "domain" => 53,
        "bootps" => 67,
        "bootpc" => 68,
        "tftp" => 69,
        "http" | "www" => 80,
        "kerberos" => 88,
        "pop3" => 110,
        "sunrpc" => 111,
        "ntp" => 123,
        "netbios-ns" => 137,
        "netbios-dgm" => 138,
        "netbios-ssn" => 139,
        "imap2" | "imap" => 143,
        "snmp" => 161,
        "snmp-trap" => 162,
        "ldap" => 389,
        "https" => 443,
        "microsoft-ds" => 445,
        "isakmp" => 500,
        "syslog" => 514,
        "submission" => 587,
        "ldaps" => 636,
        "imaps" => 993,
        "pop3s" => 995,
        "ms-sql-s" => 1433,
        "openvpn" => 1194,
        "nfs" => 2049,
        "mysql" => 3306,
        "ms-wbt-server" => 3389,
        "postgresql" => 5432,
        "dhcpv6-client" => 546,
        "dhcpv6-server" => 547,
        "http-alt" | "webcache" => 8080,
        _ => return None,
    })
}

/// nft's conntrack state bits.
pub(crate) fn ct_state(name: &str) -> Option<u128> {
    Some(match name.to_ascii_lowercase().as_str() {
        "invalid" => 1,
        "established" => 2,
        "related" => 4,
        "new" => 8,
        "untracked" => 64,
        // iptables' `--ctstate SNAT,DNAT` are virtual states of the status.
        _ => return None,
    })
}

/// nft's conntrack status bits.
pub(crate) fn ct_status(name: &str) -> Option<u128> {
    Some(match name.to_ascii_lowercase().as_str() {
        "expected" => 1,
        "seen-reply" => 2,
        "assured" => 4,
        "confirmed" => 8,
        "snat" => 16,
        "dnat" => 32,
        "dying" => 512,
        _ => return None,
    })
}

/// Route types of `fib daddr type` and `-m addrtype`.
pub(crate) fn addr_type(name: &str) -> Option<u128> {
    Some(match name.to_ascii_lowercase().as_str() {
        "unspec" => 0,
        "unicast" => 1,
        "local" => 2,
        "broadcast" => 3,
        "anycast" => 4,
        "multicast" => 5,
        "blackhole" => 6,
        "unreachable" => 7,
        "prohibit" => 8,
        "throw" | "nat" | "xresolve" => 9,
        _ => return None,
    })
}

pub(crate) fn pkttype(name: &str) -> Option<u128> {
    Some(match name {
        "host" | "unicast" => 0,
        "broadcast" => 1,
        "multicast" => 2,
        "other" => 3,
        _ => return None,
    })
}

pub(crate) fn nfproto(name: &str) -> Option<u128> {
    Some(match name {
        "ipv4" | "ip" => 2,
        "ipv6" | "ip6" => 10,
        _ => return None,
    })
}

/// TCP flag bits.
pub(crate) fn tcp_flag(name: &str) -> Option<u128> {
    Some(match name.to_ascii_lowercase().as_str() {
        "fin" => 1,
        "syn" => 2,
        "rst" => 4,
        "psh" => 8,
        "ack" => 16,
        "urg" => 32,
        "ecn" => 64,
        "cwr" => 128,
        "all" => 255,
        "none" => 0,
        _ => return None,
    })
}
