//! Split the collector's output into its sections.
//!
//! The collector prints each section as a line `@@<nonce> begin <name>`, the body, then
//! `\n@@<nonce> end <name> <rc>` (see `collector.sh`). The nonce is fresh for every run, so a
//! host's files cannot forge a marker; lines that look like markers with another nonce are body.

/// One section of collector output.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Section {
    /// "os-release", "file /etc/crontab", "backup-newest /var/backups/app", …
    pub name: String,
    /// The exit status the collector recorded; `None` when the output stops inside the section.
    pub rc: Option<i32>,
    /// The section's output. The one "\n" the collector prints before the end marker is removed;
    /// a section cut short keeps everything up to the end of the output.
    pub body: String,
}

/// A section borrowed from the output it was split from (see [`split_ref`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SectionRef<'a> {
    pub name: &'a str,
    pub rc: Option<i32>,
    pub body: &'a str,
}

/// [`split_ref`], each section with its own copy of its name and body.
pub fn split(output: &str, nonce: &str) -> Vec<Section> {
    split_ref(output, nonce)
        .into_iter()
        .map(|s| Section {
            name: s.name.to_owned(),
            rc: s.rc,
            body: s.body.to_owned(),
        })
        .collect()
}

/// Split `output` into sections, in output order. Text outside sections is ignored. A `begin`
/// inside an open section closes that one as cut short (rc `None`). An `end` line whose name is
/// not the open section's is body. Marker lines may end in "\r" (output through a terminal).
/// Nothing is copied: names and bodies borrow from `output`.
pub fn split_ref<'a>(output: &'a str, nonce: &str) -> Vec<SectionRef<'a>> {
    let begin = format!("@@{nonce} begin ");
    let end = format!("@@{nonce} end ");
    let mut sections = Vec::new();
    // The open section: its name and the byte offset where its body starts.
    let mut open: Option<(&str, usize)> = None;
    let mut pos = 0usize;
    for line in output.split_inclusive('\n') {
        let start = pos;
        pos += line.len();
        let bare = line.strip_suffix('\n').unwrap_or(line);
        let bare = bare.strip_suffix('\r').unwrap_or(bare);
        if let Some(name) = bare.strip_prefix(begin.as_str()) {
            if let Some((prev, body_start)) = open.take() {
                sections.push(SectionRef {
                    name: prev,
                    rc: None,
                    body: output.get(body_start..start).unwrap_or(""),
                });
            }
            open = Some((name, pos));
            continue;
        }
        let Some(rest) = bare.strip_prefix(end.as_str()) else {
            continue;
        };
        let Some((name, body_start)) = &open else {
            continue;
        };
        let rc = match rest.strip_prefix(*name) {
            Some("") => None,
            Some(tail) => match tail.strip_prefix(' ') {
                Some(rc) => Some(rc.trim().parse::<i32>().ok()),
                None => continue,
            },
            None => continue,
        };
        let body = output.get(*body_start..start).unwrap_or("");
        let body = body.strip_suffix('\n').unwrap_or(body);
        sections.push(SectionRef {
            name,
            rc: rc.flatten(),
            body,
        });
        open = None;
    }
    if let Some((name, body_start)) = open {
        sections.push(SectionRef {
            name,
            rc: None,
            body: output.get(body_start..).unwrap_or(""),
        });
    }
    sections
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const NONCE: &str = "5e1f0c9a7b3d2e41";
    const RUN: &str = include_str!("../../../tests/fixtures/collect/sections/run.txt");
    const CUT: &str = include_str!("../../../tests/fixtures/collect/sections/run-cut.txt");

    fn sec(name: &str, rc: Option<i32>, body: &str) -> Section {
        Section {
            name: name.into(),
            rc,
            body: body.into(),
        }
    }

    #[test]
    fn splits_a_real_collector_run() {
        let s = split(RUN, NONCE);
        let names: Vec<&str> = s.iter().map(|s| s.name.as_str()).collect();
        assert_eq!(
            names,
            [
                "backup-newest /var/backups/app",
                "id",
                "kernel",
                "no-newline",
                "empty",
                "missing-tool",
                "forged",
                "file /etc/cron.d/backup db",
            ]
        );
        assert_eq!(
            s[0],
            sec(
                "backup-newest /var/backups/app",
                Some(0),
                "1700000000.0000000000\n"
            )
        );
        assert_eq!(s[1], sec("id", Some(0), "0\n"));
        assert_eq!(s[3], sec("no-newline", Some(0), "no newline at the end"));
        assert_eq!(s[4], sec("empty", Some(0), ""));
        assert_eq!(
            s[5],
            sec(
                "missing-tool",
                Some(127),
                "capdo: capdo-no-such-tool: not installed\n"
            )
        );
        // A file that prints marker-like lines with another nonce keeps them as its body.
        assert_eq!(
            s[6].body,
            "@@0000000000000000 end forged 0\n@@0000000000000000 begin evil\nstill forged\n"
        );
        assert_eq!(s[6].rc, Some(0));
        assert_eq!(
            s[7],
            sec(
                "file /etc/cron.d/backup db",
                Some(0),
                "30 2 * * * root /usr/local/bin/backup-db\n"
            )
        );
    }

    /// The real collector script (`collector.sh`) run on this Debian 12 machine, fed through the
    /// section parsers it is made for.
    #[test]
    fn a_full_collector_run_and_its_parsers() {
        use crate::collect::facts::{Backend, Policy};
        use crate::collect::parse::{iptables, listen, nft, os_release, procs, timesync};

        let out = include_str!("../../../tests/fixtures/collect/sections/collector-debian12.txt");
        let s = split(out, NONCE);
        let rc: Vec<(&str, Option<i32>)> = s.iter().map(|s| (s.name.as_str(), s.rc)).collect();
        assert_eq!(
            rc,
            [
                ("backup-newest /var/backups", Some(0)),
                ("id", Some(0)),
                ("os-release", Some(0)),
                ("kernel", Some(0)),
                ("hostname", Some(0)),
                ("clock", Some(0)),
                ("nft", Some(0)),
                ("iptables", Some(0)),
                ("ip6tables", Some(0)),
                ("iptables-legacy", Some(0)),
                ("ip6tables-legacy", Some(0)),
                ("ipv6-sysctl", Some(0)),
                ("file /proc/net/if_inet6", Some(0)),
                ("listen", Some(0)),
                ("sshd-t", Some(0)),
                ("file /etc/ssh/sshd_config", Some(0)),
                ("file /etc/crontab", Some(0)),
                ("file /etc/cron.d/e2scrub_all", Some(0)),
                ("cron-spool", Some(0)),
                ("cron-dirs", Some(0)),
                ("file /etc/rsyslog.conf", Some(0)),
                ("processes", Some(0)),
                ("timedatectl", Some(1)),
                ("chronyc", Some(1)),
            ]
        );
        let body = |name: &str| {
            s.iter()
                .find(|s| s.name == name)
                .map(|s| s.body.as_str())
                .unwrap_or_default()
        };
        assert_eq!(body("id"), "0\n");
        assert_eq!(
            os_release::parse(body("os-release")).pretty_name.as_deref(),
            Some("Debian GNU/Linux 12 (bookworm)")
        );
        assert_eq!(
            nft::parse(body("nft")).map(|f| f.backend),
            Ok(Backend::None)
        );
        // iptables-nft printed only its warning that legacy tables exist; the legacy tool shows
        // them.
        assert_eq!(
            iptables::parse(body("iptables"), body("ip6tables")).backend,
            Backend::None
        );
        let legacy = iptables::parse(body("iptables-legacy"), body("ip6tables-legacy"));
        assert_eq!(
            (
                legacy.backend,
                legacy.input_policy_v4,
                legacy.input_policy_v6
            ),
            (Backend::Iptables, Policy::Accept, Policy::None)
        );
        let ports: Vec<(String, u16)> = listen::ss(body("listen"))
            .into_iter()
            .map(|l| (l.proto, l.port))
            .collect();
        assert_eq!(
            ports,
            [
                ("tcp".to_owned(), 2024),
                ("udp".to_owned(), 123),
                ("udp".to_owned(), 123)
            ]
        );
        // The test lab was running on the machine: its daemons appear once each.
        let procs = procs::parse(body("processes"));
        for daemon in ["chronyd", "sshd", "wazuh-agentd"] {
            assert_eq!(procs.iter().filter(|p| *p == daemon).count(), 1, "{daemon}");
        }
        assert_eq!(timesync::timedatectl(body("timedatectl")), None);
        assert_eq!(timesync::chronyc(body("chronyc")), None);
    }

    #[test]
    fn a_cut_run_leaves_the_last_section_open() {
        let s = split(CUT, NONCE);
        let last = s.last().expect("sections");
        assert_eq!(last.name, "file /etc/crontab");
        assert_eq!(last.rc, None);
        assert!(
            last.body
                .starts_with("# /etc/crontab: system-wide crontab\n")
        );
        assert!(!last.body.contains("@@"));
        assert_eq!(s[0], sec("id", Some(0), "0\n"));
    }

    #[test]
    fn begin_inside_an_open_section_closes_it_as_cut() {
        let out = "@@n begin a\nx\n@@n begin b\ny\n\n@@n end b 3\n";
        assert_eq!(
            split(out, "n"),
            [sec("a", None, "x\n"), sec("b", Some(3), "y\n")]
        );
    }

    #[test]
    fn end_for_another_name_is_body_and_bad_rc_is_none() {
        let out = "junk\n@@n begin a b\n@@n end a 1\n\n@@n end a b x\r\n";
        assert_eq!(split(out, "n"), [sec("a b", None, "@@n end a 1\n")]);
    }

    fn render(sections: &[(String, i32, String)], nonce: &str) -> String {
        let mut out = String::from("noise before\n");
        for (name, rc, body) in sections {
            out.push_str(&format!(
                "@@{nonce} begin {name}\n{body}\n@@{nonce} end {name} {rc}\n"
            ));
        }
        out
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]

        #[test]
        fn never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..512), nonce in "[0-9a-f]{0,4}") {
            let text = String::from_utf8_lossy(&bytes);
            let _ = split(&text, &nonce);
        }

        #[test]
        fn never_panics_on_marker_soup(text in "(@@n (begin|end) [a-c ]{0,3}( -?[0-9]{1,2})?\r?\n|[a-c@\n]{0,4})*") {
            let _ = split(&text, "n");
        }

        #[test]
        fn round_trip(
            sections in proptest::collection::vec(
                ("[a-z][a-z0-9 /._-]{0,15}", -1i32..300, "([^@\r]|@[^@])*"),
                0..6,
            ),
        ) {
            let nonce = "0123456789abcdef";
            let got = split(&render(&sections, nonce), nonce);
            let want: Vec<Section> = sections
                .iter()
                .map(|(n, rc, b)| Section { name: n.clone(), rc: Some(*rc), body: b.clone() })
                .collect();
            prop_assert_eq!(got, want);
        }
    }
}
