//! IPv6 state: the `disable_ipv6` sysctls and `/proc/net/if_inet6`.
//!
//! `sysctl` holds lines "IFACE VALUE", one per `/proc/sys/net/ipv6/conf/*/disable_ipv6`
//! (IFACE also takes the pseudo-names `all` and `default`); other lines (such as a collector
//! message) are ignored. A value other than 0 disables, as the kernel reads it.
//!
//! Rule for `enabled`:
//! - the kernel has no IPv6 (`sysctl_missing`) → false;
//! - else, if no sysctl line could be read → true exactly when `if_inet6` lists an address on an
//!   interface other than `lo` (the kernel lists addresses only where IPv6 is on);
//! - else → `all` is not disabled (an absent `all` line does not disable) and at least one real
//!   interface other than `lo` has `disable_ipv6` 0.
//!
//! `addresses`: every address in `if_inet6` that is not loopback (`::1`), link-local
//! (`fe80::/10`) or unspecified, sorted and deduplicated.

use std::net::{IpAddr, Ipv6Addr};

use crate::collect::facts::Ipv6;

pub fn parse(sysctl: &str, if_inet6: &str, sysctl_missing: bool) -> Ipv6 {
    let entries = if_inet6_entries(if_inet6);
    let mut addresses: Vec<IpAddr> = entries
        .iter()
        .filter(|(a, _)| !a.is_loopback() && !a.is_unspecified() && !is_link_local(a))
        .map(|(a, _)| IpAddr::V6(*a))
        .collect();
    addresses.sort_unstable();
    addresses.dedup();

    let settings: Vec<(&str, bool)> = sysctl
        .lines()
        .filter_map(|line| {
            let mut it = line.split_whitespace();
            let (iface, value, None) = (it.next()?, it.next()?, it.next()) else {
                return None;
            };
            let disabled = value.parse::<i64>().ok()? != 0;
            Some((iface, disabled))
        })
        .collect();

    let enabled = if sysctl_missing {
        false
    } else if settings.is_empty() {
        entries.iter().any(|(_, iface)| *iface != "lo")
    } else {
        let all_disabled = settings.iter().any(|&(i, d)| i == "all" && d);
        let some_iface_on = settings
            .iter()
            .any(|&(i, d)| !matches!(i, "all" | "default" | "lo") && !d);
        !all_disabled && some_iface_on
    };
    Ipv6 { enabled, addresses }
}

/// (interface, address) of the global IPv6 addresses in `/proc/net/if_inet6` (not loopback,
/// link-local or unspecified), for when `ip -o addr` is missing.
pub fn with_interfaces(if_inet6: &str) -> Vec<(String, IpAddr)> {
    if_inet6_entries(if_inet6)
        .into_iter()
        .filter(|(a, _)| !a.is_loopback() && !a.is_unspecified() && !is_link_local(a))
        .map(|(a, i)| (i.to_owned(), IpAddr::V6(a)))
        .collect()
}

/// (address, interface) of each well-formed `/proc/net/if_inet6` line:
/// "<32 hex digits> <ifindex> <prefixlen> <scope> <flags> <name>".
fn if_inet6_entries(text: &str) -> Vec<(Ipv6Addr, &str)> {
    text.lines()
        .filter_map(|line| {
            let fields: Vec<&str> = line.split_whitespace().collect();
            let [hex, _, _, _, _, iface] = fields.as_slice() else {
                return None;
            };
            if hex.len() != 32 || !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
                return None;
            }
            let bits = u128::from_str_radix(hex, 16).ok()?;
            Some((Ipv6Addr::from(bits), *iface))
        })
        .collect()
}

fn is_link_local(a: &Ipv6Addr) -> bool {
    a.segments()[0] & 0xffc0 == 0xfe80
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    macro_rules! fx {
        ($name:literal) => {
            include_str!(concat!("../../../tests/fixtures/collect/ipv6/", $name))
        };
    }

    fn ips(list: &[&str]) -> Vec<IpAddr> {
        list.iter()
            .map(|s| s.parse().expect("test address"))
            .collect()
    }

    #[test]
    fn enabled_namespace_lists_global_and_ula_addresses() {
        let got = parse(
            fx!("sysctl-enabled.txt"),
            fx!("if_inet6-enabled.txt"),
            false,
        );
        assert_eq!(
            got,
            Ipv6 {
                enabled: true,
                addresses: ips(&["2001:db8:a::10", "fd00:10::5"]),
            }
        );
    }

    #[test]
    fn interfaces_disabled_leaves_only_loopback() {
        let got = parse(
            fx!("sysctl-ifaces-disabled.txt"),
            fx!("if_inet6-ifaces-disabled.txt"),
            false,
        );
        assert_eq!(
            got,
            Ipv6 {
                enabled: false,
                addresses: vec![],
            }
        );
    }

    #[test]
    fn all_disabled_turns_every_interface_off() {
        let got = parse(
            fx!("sysctl-all-disabled.txt"),
            fx!("if_inet6-all-disabled.txt"),
            false,
        );
        assert_eq!(
            got,
            Ipv6 {
                enabled: false,
                addresses: vec![],
            }
        );
    }

    #[test]
    fn this_host() {
        let got = parse(fx!("sysctl-host.txt"), fx!("if_inet6-host.txt"), false);
        assert_eq!(
            got,
            Ipv6 {
                enabled: true,
                addresses: ips(&["fd00::2"]),
            }
        );
    }

    #[test]
    fn kernel_without_ipv6() {
        let got = parse("capdo: no IPv6 in this kernel\n", "", true);
        assert_eq!(
            got,
            Ipv6 {
                enabled: false,
                addresses: vec![],
            }
        );
    }

    #[test]
    fn all_off_wins_over_interfaces_on_and_lo_alone_is_not_enough() {
        assert!(!parse("all 1\neth0 0\n", "", false).enabled);
        assert!(!parse("all 0\ndefault 0\nlo 0\n", "", false).enabled);
        assert!(parse("eth0 0\n", "", false).enabled);
        assert!(!parse("all 0\neth0 2\n", "", false).enabled);
    }

    #[test]
    fn unreadable_sysctls_fall_back_to_addresses() {
        assert!(parse("eth0 \n", fx!("if_inet6-enabled.txt"), false).enabled);
        assert!(!parse("", fx!("if_inet6-ifaces-disabled.txt"), false).enabled);
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]
        #[test]
        fn never_panics(a in proptest::collection::vec(any::<u8>(), 0..256), b in proptest::collection::vec(any::<u8>(), 0..256), m: bool) {
            let _ = parse(&String::from_utf8_lossy(&a), &String::from_utf8_lossy(&b), m);
        }

        #[test]
        fn never_panics_on_hex_lines(lines in proptest::collection::vec("[0-9a-fA-Fz]{30,34} [0-9]{1,2} [0-9]{2} [0-9]{2} [0-9]{2} [a-z]{1,5}", 0..6)) {
            let text = lines.join("\n");
            let got = parse("all 0\neth0 0\n", &text, false);
            prop_assert!(got.addresses.iter().all(|a| !a.is_loopback()));
        }
    }
}
