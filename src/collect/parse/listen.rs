//! Listening sockets: `ss -H -tuln -p` output, or the kernel's `/proc/net/{tcp,udp}{,6}`.
//!
//! Rules (both sources): only TCP sockets in LISTEN and unconnected UDP sockets bound to a port;
//! a scope suffix (`127.0.0.53%lo`, `[fe80::1]%eth0`) is dropped from the address; ss's `*`
//! (a dual-stack socket bound to `::`) is `::`, as `/proc/net/tcp6` shows it. The process is
//! the first name in ss's `users:((…))`; it is absent without privilege and always from
//! `/proc`. The result is sorted and deduplicated.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use crate::collect::facts::Listener;

/// `ss -H -tuln [-p]` output.
pub fn ss(text: &str) -> Vec<Listener> {
    let mut out: Vec<Listener> = text.lines().filter_map(ss_line).collect();
    out.sort();
    out.dedup();
    out
}

fn ss_line(line: &str) -> Option<Listener> {
    let fields: Vec<&str> = line.split_whitespace().collect();
    // "Netid State Recv-Q Send-Q Local Peer [Process]"; Netid is absent when ss was asked for
    // one protocol only.
    let (proto, state, local) = match fields.as_slice() {
        [netid @ ("tcp" | "udp"), state, _, _, local, ..] => (*netid, *state, *local),
        [state @ "LISTEN", _, _, local, ..] => ("tcp", *state, *local),
        [state @ "UNCONN", _, _, local, ..] => ("udp", *state, *local),
        _ => return None,
    };
    match (proto, state) {
        ("tcp", "LISTEN") | ("udp", "UNCONN") => {}
        _ => return None,
    }
    let (host, port) = local.rsplit_once(':')?;
    let port: u16 = port.parse().ok()?;
    if proto == "udp" && port == 0 {
        return None;
    }
    let host = host.split('%').next().unwrap_or(host);
    let address = match host {
        "*" => IpAddr::V6(Ipv6Addr::UNSPECIFIED),
        h => h
            .strip_prefix('[')
            .and_then(|h| h.strip_suffix(']'))
            .unwrap_or(h)
            .parse()
            .ok()?,
    };
    Some(Listener {
        proto: proto.to_owned(),
        address,
        port,
        process: process_name(line),
    })
}

/// The first process name in `users:(("sshd",pid=1,fd=3),…)`.
fn process_name(line: &str) -> Option<String> {
    let rest = line.split_once("users:((\"")?.1;
    let name = rest.split_once("\",")?.0;
    (!name.is_empty()).then(|| name.to_owned())
}

/// The kernel's socket tables (little-endian hex addresses, as on x86_64 and aarch64).
pub fn proc_net(tcp: &str, tcp6: &str, udp: &str, udp6: &str) -> Vec<Listener> {
    let mut out = Vec::new();
    for (text, proto, v6) in [
        (tcp, "tcp", false),
        (tcp6, "tcp", true),
        (udp, "udp", false),
        (udp6, "udp", true),
    ] {
        out.extend(text.lines().filter_map(|l| proc_line(l, proto, v6)));
    }
    out.sort();
    out.dedup();
    out
}

fn proc_line(line: &str, proto: &str, v6: bool) -> Option<Listener> {
    let mut fields = line.split_whitespace();
    let _slot = fields.next()?.strip_suffix(':')?;
    let local = fields.next()?;
    let _remote = fields.next()?;
    let state = fields.next()?;
    let (addr, port) = local.split_once(':')?;
    let port = u16::from_str_radix(port, 16).ok()?;
    let listening = match proto {
        "tcp" => state == "0A",
        _ => state == "07" && port != 0,
    };
    if !listening {
        return None;
    }
    let address = if v6 {
        IpAddr::V6(hex_v6(addr)?)
    } else {
        IpAddr::V4(hex_v4(addr)?)
    };
    Some(Listener {
        proto: proto.to_owned(),
        address,
        port,
        process: None,
    })
}

/// One 32-bit word as the kernel prints it: the address bytes in memory order, read as a
/// little-endian integer.
fn hex_word(hex: &str) -> Option<[u8; 4]> {
    if hex.len() != 8 || !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    Some(u32::from_str_radix(hex, 16).ok()?.to_le_bytes())
}

fn hex_v4(hex: &str) -> Option<Ipv4Addr> {
    hex_word(hex).map(Ipv4Addr::from)
}

fn hex_v6(hex: &str) -> Option<Ipv6Addr> {
    if hex.len() != 32 {
        return None;
    }
    let mut bytes = [0u8; 16];
    for (i, chunk) in bytes.chunks_mut(4).enumerate() {
        let word = hex_word(hex.get(i * 8..i * 8 + 8)?)?;
        chunk.copy_from_slice(&word);
    }
    Some(Ipv6Addr::from(bytes))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    macro_rules! fx {
        ($name:literal) => {
            include_str!(concat!("../../../tests/fixtures/collect/listen/", $name))
        };
    }

    fn l(proto: &str, addr: &str, port: u16, process: Option<&str>) -> Listener {
        Listener {
            proto: proto.into(),
            address: addr.parse().expect("test address"),
            port,
            process: process.map(Into::into),
        }
    }

    /// What the capture namespace had open (see the fixtures README), without processes.
    fn expected(root: bool) -> Vec<Listener> {
        let p = |name: &'static str| root.then_some(name);
        let mut v = vec![
            l("tcp", "0.0.0.0", 22, p("sshd")),
            l("tcp", "0.0.0.0", 80, p("python3")),
            l("tcp", "0.0.0.0", 8443, Some("python3")),
            l("tcp", "10.99.0.5", 3306, p("python3")),
            l("tcp", "127.0.0.1", 5432, p("python3")),
            l("tcp", "127.0.0.53", 53, p("python3")),
            l("tcp", "::", 22, p("sshd")),
            l("tcp", "::", 8080, p("python3")),
            l("tcp", "fd00:10::5", 9100, p("python3")),
            l("udp", "0.0.0.0", 161, p("python3")),
            l("udp", "127.0.0.53", 53, p("python3")),
            l("udp", "::", 123, p("python3")),
            l("udp", "::1", 323, p("python3")),
            l("udp", "fe80::98f3:13ff:fe88:ab0f", 546, p("python3")),
        ];
        v.sort();
        v
    }

    #[test]
    fn ss_as_root_names_processes() {
        assert_eq!(ss(fx!("ss-root.txt")), expected(true));
    }

    #[test]
    fn ss_as_nobody_sees_only_its_own_process() {
        assert_eq!(ss(fx!("ss-nobody.txt")), expected(false));
    }

    #[test]
    fn ss_without_p() {
        let mut want = expected(false);
        for w in &mut want {
            w.process = None;
        }
        assert_eq!(ss(fx!("ss-no-p.txt")), want);
    }

    #[test]
    fn ss_on_this_host_shows_no_process_even_as_root() {
        assert_eq!(
            ss(fx!("ss-host-no-process.txt")),
            [l("tcp", "0.0.0.0", 2024, None)]
        );
    }

    #[test]
    fn ss_with_one_protocol_has_no_netid_column() {
        let got = ss(
            "LISTEN 0 4096 127.0.0.53%lo:53 0.0.0.0:* users:((\"systemd-resolve\",pid=612,fd=14))\nUNCONN 0 0 [::]:5353 [::]:*\nESTAB 0 0 10.0.0.1:22 10.0.0.2:5000\n",
        );
        assert_eq!(
            got,
            [
                l("tcp", "127.0.0.53", 53, Some("systemd-resolve")),
                l("udp", "::", 5353, None)
            ]
        );
    }

    #[test]
    fn proc_net_tables_of_the_same_namespace() {
        let got = proc_net(
            fx!("proc-net-tcp.txt"),
            fx!("proc-net-tcp6.txt"),
            fx!("proc-net-udp.txt"),
            fx!("proc-net-udp6.txt"),
        );
        let mut want = expected(false);
        for w in &mut want {
            w.process = None;
        }
        // The connected UDP socket (state 01) in the capture is not listed.
        assert_eq!(got, want);
    }

    #[test]
    fn hex_addresses_decode_little_endian() {
        assert_eq!(hex_v4("0100007F"), Some(Ipv4Addr::LOCALHOST));
        assert_eq!(
            hex_v6("00000000000000000000000001000000"),
            Some(Ipv6Addr::LOCALHOST)
        );
        assert_eq!(
            hex_v6("000080FE00000000FF13F3980FAB88FE"),
            "fe80::98f3:13ff:fe88:ab0f".parse().ok()
        );
        assert_eq!(hex_v4("+100007F"), None);
        assert_eq!(hex_v6("é0000000000000000000000001000000"), None);
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]
        #[test]
        fn never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..512)) {
            let text = String::from_utf8_lossy(&bytes);
            let _ = ss(&text);
            let _ = proc_net(&text, &text, &text, &text);
        }

        #[test]
        fn never_panics_on_near_lines(
            addr in "[0-9A-Fa-f:\\[\\]%*.é]{0,40}",
            state in "(0A|07|01|LISTEN|UNCONN)",
        ) {
            let _ = ss(&format!("tcp {state} 0 0 {addr} 0.0.0.0:* users:((\"x\n"));
            let _ = proc_net(&format!("0: {addr} 0:0 {state}"), "", &format!("1: {addr} x {state}"), &format!("2: {addr} y {state}"));
        }
    }
}
