//! Pending updates, from a simulated upgrade that needs no network and takes no lock.
//!
//! - Debian/Ubuntu: `apt-get -s -o Debug::NoLocking=1 dist-upgrade`. Each package it would
//!   install is an `Inst NAME [OLD] (NEW ORIGIN:SUITE[, ORIGIN:SUITE…] [ARCH])` line (no
//!   `[OLD]` for a new package). An update is a security one when one of its suites is a
//!   `…-security` suite (`Debian-Security:12/stable-security`, `Ubuntu:22.04/jammy-security`).
//! - RHEL family: `dnf -q -C updateinfo list --security` (`ADVISORY SEVERITY/Sec. NEVRA`
//!   lines) and `dnf -q -C check-update` (`NAME.ARCH VERSION REPO` lines, then an
//!   `Obsoleting Packages` list that is not counted again).

use std::collections::BTreeSet;

use crate::collect::facts::Updates;

/// `apt-get -s … dist-upgrade` output.
pub fn apt(text: &str) -> Updates {
    let mut security = BTreeSet::new();
    let mut pending = 0;
    for line in text.lines() {
        let Some(rest) = line.strip_prefix("Inst ") else {
            continue;
        };
        let Some(name) = rest.split_whitespace().next() else {
            continue;
        };
        pending += 1;
        // The candidate's origins are in the last `( … )` group.
        let origins = rest
            .rfind('(')
            .and_then(|i| rest.get(i..))
            .unwrap_or("")
            .to_ascii_lowercase();
        if origins.contains("-security") || origins.contains("debian-security:") {
            security.insert(name.to_owned());
        }
    }
    Updates {
        security: security.into_iter().collect(),
        pending,
    }
}

/// `ls -1 /var/lib/apt/lists`: whether apt has any package index (`…_Packages`, possibly
/// compressed) to simulate an upgrade from. Without one, `apt-get -s` says "0 upgraded".
pub fn apt_has_lists(listing: &str) -> bool {
    listing.lines().any(|l| {
        l.rsplit_once("_Packages")
            .is_some_and(|(_, ext)| ext.is_empty() || ext.starts_with('.'))
    })
}

/// `dnf updateinfo list --security` and `dnf check-update` outputs.
pub fn dnf(security_list: &str, check_update: &str) -> Updates {
    let security: BTreeSet<String> = security_list
        .lines()
        .filter_map(|l| {
            let w: Vec<&str> = l.split_whitespace().collect();
            match w.as_slice() {
                [_, kind, nevra] if kind.ends_with("/Sec.") || *kind == "security" => {
                    rpm_name(nevra)
                }
                _ => None,
            }
        })
        .collect();
    let mut pending = 0;
    for line in check_update.lines() {
        if line.starts_with("Obsoleting") {
            break;
        }
        // Continuation lines (obsoleted packages, wrapped names) start with a space.
        if line.starts_with(char::is_whitespace) {
            continue;
        }
        let w: Vec<&str> = line.split_whitespace().collect();
        if let [name_arch, _, _] = w.as_slice()
            && name_arch.contains('.')
        {
            pending += 1;
        }
    }
    Updates {
        security: security.into_iter().collect(),
        pending,
    }
}

/// The name of `name-[epoch:]version-release.arch`.
fn rpm_name(nevra: &str) -> Option<String> {
    let no_arch = nevra.rsplit_once('.').map_or(nevra, |(n, _)| n);
    let (rest, _release) = no_arch.rsplit_once('-')?;
    let (name, _version) = rest.rsplit_once('-')?;
    (!name.is_empty()).then(|| name.to_owned())
}

/// The date of the newest `upgrade` line of dpkg's logs (`YYYY-MM-DD HH:MM:SS upgrade …`).
pub fn dpkg_last_upgrade(text: &str) -> Option<jiff::civil::Date> {
    text.lines()
        .filter(|l| l.split_whitespace().nth(2) == Some("upgrade"))
        .filter_map(|l| l.split_whitespace().next()?.parse().ok())
        .max()
}

/// The hosts the package manager downloads from: the hosts of apt's proxies when one is set
/// (`Acquire::http::Proxy "http://host:port";`, any case), else of the source URIs: one-line
/// `deb`/`deb-src` lines (after an `[options]` group), deb822 `URIs:` fields, and dnf's
/// `baseurl=`, `mirrorlist=`, `metalink=`. `file:`, `cdrom:` and `copy:` sources are local and
/// not listed. Each host once, in the order read.
pub fn sources(files: &[(String, String)], proxies: &[(String, String)]) -> Vec<String> {
    let mut out: Vec<String> = vec![];
    let mut push = |uri: &str| {
        if let Some(h) = uri_host(uri)
            && !out.contains(&h)
        {
            out.push(h);
        }
    };
    let proxy_uris: Vec<&str> = proxies
        .iter()
        .flat_map(|(_, t)| t.lines())
        .filter(|l| {
            let l = l.trim_start().to_ascii_lowercase();
            !l.starts_with("//") && !l.starts_with('#') && l.contains("::proxy")
        })
        .filter_map(|l| l.split('"').nth(1))
        .filter(|u| !u.eq_ignore_ascii_case("DIRECT") && !u.is_empty())
        .collect();
    if !proxy_uris.is_empty() {
        proxy_uris.into_iter().for_each(&mut push);
        return out;
    }
    for (path, text) in files {
        for line in text.lines() {
            let line = line.trim();
            if line.starts_with('#') {
                continue;
            }
            if path.ends_with(".list") {
                let mut words = line.split_whitespace();
                if !matches!(words.next(), Some("deb" | "deb-src")) {
                    continue;
                }
                let mut in_options = false;
                for w in words {
                    if in_options || w.starts_with('[') {
                        in_options = !w.ends_with(']');
                        continue;
                    }
                    push(w);
                    break;
                }
            } else if path.ends_with(".sources") {
                if let Some(v) = line.strip_prefix("URIs:") {
                    v.split_whitespace().for_each(&mut push);
                }
            } else if let Some((k, v)) = line.split_once('=')
                && matches!(k.trim(), "baseurl" | "mirrorlist" | "metalink")
            {
                v.split_whitespace().for_each(&mut push);
            }
        }
    }
    out
}

/// The host of a network URI (`http://user@[fd00::1]:3142/x` → `fd00::1`); `None` for a local
/// or malformed one.
fn uri_host(uri: &str) -> Option<String> {
    let (scheme, rest) = uri.split_once("://")?;
    if !matches!(
        scheme.to_ascii_lowercase().as_str(),
        "http" | "https" | "ftp" | "tor+http" | "tor+https" | "mirror+http" | "mirror+https"
    ) {
        return None;
    }
    let authority = rest.split('/').next()?;
    let hostport = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
    let host = if let Some(v6) = hostport.strip_prefix('[') {
        v6.split(']').next()?
    } else {
        hostport.split(':').next()?
    };
    (!host.is_empty()).then(|| host.to_ascii_lowercase())
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    macro_rules! fx {
        ($name:literal) => {
            include_str!(concat!("../../../tests/fixtures/collect/updates/", $name))
        };
    }

    #[test]
    fn apt_simulation_on_this_machine() {
        let u = apt(fx!("apt-dist-upgrade-debian12.txt"));
        let inst = fx!("apt-dist-upgrade-debian12.txt")
            .lines()
            .filter(|l| l.starts_with("Inst "))
            .count();
        assert_eq!(u.pending, inst);
        assert!(u.security.contains(&"libgcrypt20".to_owned()));
        assert!(u.security.contains(&"liblzma-dev".to_owned()));
        // From the point release only, not a security suite.
        assert!(!u.security.contains(&"base-files".to_owned()));
        assert!(!u.security.contains(&"bash".to_owned()));
        // The same answer without root.
        assert_eq!(apt(fx!("apt-dist-upgrade-nobody.txt")), u);
    }

    #[test]
    fn apt_lines_by_hand() {
        let t = "Inst libssl3 [3.0.11-1~deb12u2] (3.0.15-1~deb12u1 Debian-Security:12/stable-security [amd64])\n\
                 Inst openssl (1.1.1f-1ubuntu2.22 Ubuntu:20.04/focal-updates, Ubuntu:20.04/focal-security [amd64])\n\
                 Inst tzdata [2024a-0+deb12u1] (2025b-0+deb12u1 Debian:12.11/stable [all])\n\
                 Conf libssl3 (3.0.15-1~deb12u1 Debian-Security:12/stable-security [amd64])\n";
        assert_eq!(
            apt(t),
            Updates {
                security: vec!["libssl3".into(), "openssl".into()],
                pending: 3
            }
        );
        assert_eq!(
            apt("0 upgraded, 0 newly installed, 0 to remove and 0 not upgraded.\n"),
            Updates::default()
        );
    }

    #[test]
    fn package_lists_present_or_not() {
        assert!(apt_has_lists(fx!("apt-lists-debian12.txt")));
        // After `apt-get clean` and removing the lists (as container images do).
        assert!(!apt_has_lists("auxfiles\nlock\npartial\n"));
        assert!(!apt_has_lists(""));
        assert!(apt_has_lists(
            "ftp.example.org_ubuntu_dists_jammy_main_binary-amd64_Packages\n"
        ));
        assert!(!apt_has_lists("x_Packages-old\n"));
    }

    #[test]
    fn dnf_security_advisories_and_pending() {
        let u = dnf(
            fx!("dnf-updateinfo-security-rhel9.txt"),
            fx!("dnf-check-update-rhel9.txt"),
        );
        assert_eq!(
            u.security,
            [
                "glibc",
                "glibc-common",
                "less",
                "nghttp2",
                "openssl",
                "openssl-libs"
            ]
        );
        assert_eq!(u.pending, 9);
        assert_eq!(
            rpm_name("openssl-libs-1:3.0.7-27.el9.x86_64").as_deref(),
            Some("openssl-libs")
        );
        assert_eq!(rpm_name("noversion"), None);
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]
        #[test]
        fn never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..512)) {
            let text = String::from_utf8_lossy(&bytes);
            let _ = apt(&text);
            let _ = dnf(&text, &text);
            let _ = apt_has_lists(&text);
        }

        #[test]
        fn every_inst_line_is_pending(lines in proptest::collection::vec(
            "Inst [a-z0-9.+-]{1,8}( \\[[0-9.]{0,4}\\])? \\(([a-zA-Z0-9:/.-]|, | ){0,30}\\)", 0..8)) {
            let u = apt(&lines.join("\n"));
            prop_assert_eq!(u.pending, lines.len());
            prop_assert!(u.security.len() <= lines.len());
        }
    }

    fn fx(name: &str) -> (String, String) {
        let dir = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/fixtures/collect/updates/sources/"
        );
        let text = std::fs::read_to_string(format!("{dir}{name}")).unwrap_or_default();
        (format!("/etc/apt/sources.list.d/{name}"), text)
    }

    #[test]
    fn last_upgrade_from_dpkg_log() {
        let line = include_str!("../../../tests/fixtures/collect/updates/dpkg-last-upgrade.txt");
        assert_eq!(
            dpkg_last_upgrade(line),
            Some(jiff::civil::date(2026, 12, 6))
        );
        let two = "2026-11-30 10:00:00 upgrade a:amd64 1 2\n2025-01-02 10:00:00 upgrade b:amd64 1 2\n2026-12-01 10:00:00 install c:amd64 <none> 1\n";
        assert_eq!(
            dpkg_last_upgrade(two),
            Some(jiff::civil::date(2026, 11, 30))
        );
        assert_eq!(dpkg_last_upgrade(""), None);
    }

    #[test]
    fn source_hosts_from_apt_files_and_proxies() {
        let debian = fx("debian.sources");
        let mirror = fx("mirror.list");
        assert_eq!(
            sources(std::slice::from_ref(&debian), &[]),
            ["deb.debian.org"]
        );
        assert_eq!(
            sources(std::slice::from_ref(&mirror), &[]),
            ["repo01.bnv.local", "10.10.9.30"]
        );
        // A proxy carries every download.
        let proxy = ("/etc/apt/apt.conf.d/01proxy".to_owned(), fx("proxy.conf").1);
        assert_eq!(sources(&[debian, mirror], &[proxy]), ["10.10.9.30"]);
        let repo = (
            "/etc/yum.repos.d/local.repo".to_owned(),
            "[base]\nbaseurl=http://[fd00:10:9::30]/rocky/9/\n".to_owned(),
        );
        assert_eq!(sources(&[repo], &[]), ["fd00:10:9::30"]);
        let local = (
            "/etc/apt/sources.list".to_owned(),
            "deb file:/srv/repo ./\n".to_owned(),
        );
        assert!(sources(&[local], &[]).is_empty());
    }
}
