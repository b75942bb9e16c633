//! `os-eol` (OS-EOL): the operating system the host runs (its os-release) is past the end of
//! its vendor's security support, by the table below. An OS the table does not know is
//! `error` ("cannot decide"), never `pass`; a host that was not scanned is `error` too.

use jiff::civil::Date;

use super::{Verdict, fail, need, pass};
use crate::collect::host::HostFacts;
use crate::inventory::Inventory;
use crate::policy::Status;

/// End of security support, by os-release `ID` and the major version of `VERSION_ID` (Ubuntu:
/// the whole `YY.MM`). The vendors' published dates:
/// - Debian: the end of Debian LTS (wiki.debian.org/LTS, "Debian LTS … until"): 9 2022-06-30,
///   10 2024-06-30, 11 2026-08-31, 12 2028-06-30, 13 2030-06-30. The regular security
///   support ends earlier (www.debian.org/security/faq); LTS is run by the Debian project and
///   is free, so it counts.
/// - Ubuntu: the end of standard support (ubuntu.com/about/release-cycle, which gives the
///   month: the month's last day here): 16.04 Apr 2021, 18.04 May 2023, 20.04 May 2025, 22.04
///   May 2027, 24.04 Apr 2029, 24.10 Jul 2025, 25.04 Jan 2026, 25.10 Jul 2026. Expanded
///   Security Maintenance needs an Ubuntu Pro subscription that capdo cannot see, so it does
///   not count (a waiver records it).
/// - Red Hat Enterprise Linux: the end of the Maintenance Support phase
///   (access.redhat.com/support/policy/updates/errata, "Life Cycle Dates"): 6 2020-11-30,
///   7 2024-06-30, 8 2029-05-31, 9 2032-05-31, 10 2035-05-31. Extended Life-cycle Support is
///   a paid add-on and does not count.
/// - Rebuilds follow RHEL's dates: Rocky Linux (wiki.rockylinux.org/rocky/version) and
///   AlmaLinux (wiki.almalinux.org/release-notes) 8 2029-05-31, 9 2032-05-31, 10 2035-05-31;
///   CentOS Linux (centos.org/centos-linux-eol) 7 2024-06-30, 8 2021-12-31; CentOS Stream
///   (centos.org/cl-vs-cs) 8 2024-05-31, 9 2027-05-31 (CentOS Linux 8 and Stream 8 both write
///   `ID=centos VERSION_ID=8`: the later date); Oracle Linux (Oracle Linux and
///   Virtualization lifetime support policy, Premier Support) 7 2024-12-31, 8 2029-07-31,
///   9 2032-06-30.
const END_OF_SUPPORT: &[(&str, &str, &str)] = &[
    ("debian", "9", "2022-06-30"),
    ("debian", "10", "2024-06-30"),
    ("debian", "11", "2026-08-31"),
    ("debian", "12", "2028-06-30"),
    ("debian", "13", "2030-06-30"),
    ("ubuntu", "16.04", "2021-04-30"),
    ("ubuntu", "18.04", "2023-05-31"),
    ("ubuntu", "20.04", "2025-05-31"),
    ("ubuntu", "22.04", "2027-05-31"),
    ("ubuntu", "24.04", "2029-04-30"),
    ("ubuntu", "24.10", "2025-07-31"),
    ("ubuntu", "25.04", "2026-01-31"),
    ("ubuntu", "25.10", "2026-07-31"),
    ("rhel", "6", "2020-11-30"),
    ("rhel", "7", "2024-06-30"),
    ("rhel", "8", "2029-05-31"),
    ("rhel", "9", "2032-05-31"),
    ("rhel", "10", "2035-05-31"),
    ("rocky", "8", "2029-05-31"),
    ("rocky", "9", "2032-05-31"),
    ("rocky", "10", "2035-05-31"),
    ("almalinux", "8", "2029-05-31"),
    ("almalinux", "9", "2032-05-31"),
    ("almalinux", "10", "2035-05-31"),
    ("centos", "7", "2024-06-30"),
    ("centos", "8", "2024-05-31"),
    ("centos", "9", "2027-05-31"),
    ("ol", "7", "2024-12-31"),
    ("ol", "8", "2029-07-31"),
    ("ol", "9", "2032-06-30"),
];

/// The end of security support of `id` `version_id`, when the table knows it.
pub fn end_of_support(id: &str, version_id: &str) -> Option<Date> {
    let key = if id == "ubuntu" {
        version_id
    } else {
        version_id.split('.').next().unwrap_or(version_id)
    };
    END_OF_SUPPORT
        .iter()
        .find(|(i, v, _)| *i == id && *v == key)
        .and_then(|(_, _, d)| d.parse().ok())
}

pub(super) fn judge(inv: &Inventory, server: usize, f: &HostFacts) -> Result<Verdict, Verdict> {
    let id = &inv.servers[server].id;
    let os = need(&f.os, "/etc/os-release")?;
    let undecided = |why: String| Verdict {
        status: Status::Error,
        message: format!("cannot decide: {why}"),
        evidence: String::new(),
        severity: None,
    };
    let (Some(os_id), Some(version)) = (&os.id, &os.version_id) else {
        return Err(undecided(format!(
            "{id}'s os-release has no ID or VERSION_ID"
        )));
    };
    let name = os
        .pretty_name
        .clone()
        .unwrap_or_else(|| format!("{os_id} {version}"));
    let Some(end) = end_of_support(os_id, version) else {
        return Err(undecided(format!(
            "no end-of-support date is known for {name} (ID={os_id}, VERSION_ID={version})"
        )));
    };
    // The host's date (UTC) when the collector ran: a saved scan is judged on its own day.
    let now = f
        .clock
        .and_then(|c| jiff::Timestamp::from_second(c as i64).ok())
        .map(|t| t.to_zoned(jiff::tz::TimeZone::UTC).date());
    let Some(now) = now else {
        return Err(undecided(format!("{id}'s clock could not be read")));
    };
    let evidence =
        format!("ID={os_id} VERSION_ID={version}; vendor support ends {end}; host date {now}");
    Ok(if now > end {
        fail(
            format!("{id} runs {name}, whose vendor support ended on {end}"),
            evidence,
        )
    } else {
        pass(format!("{id} runs {name}, supported until {end}"), evidence)
    })
}

#[cfg(test)]
mod tests {
    use super::super::HostBuiltin;
    use super::super::testing::{DEBIAN12, Host, HostCase, h1, host_table, with_section};
    use crate::policy::Status;

    #[test]
    fn table_dates_parse() {
        for (id, v, d) in super::END_OF_SUPPORT {
            assert!(super::end_of_support(id, v).is_some(), "{id} {v} {d}");
        }
        assert_eq!(
            super::end_of_support("rhel", "8.9").map(|d| d.to_string()),
            Some("2029-05-31".into())
        );
        assert_eq!(super::end_of_support("ubuntu", "22.10"), None);
    }

    #[test]
    fn cases() {
        let plain = h1("");
        let os = |id: &str, v: &str| {
            Host::Output(with_section(
                DEBIAN12,
                "os-release",
                &format!("PRETTY_NAME=\"{id} {v}\"\nID={id}\nVERSION_ID=\"{v}\""),
                0,
            ))
        };
        let cases = [
            HostCase {
                name: "Debian 12 in LTS",
                inventory: &plain,
                server: "h1",
                host: Host::Output(DEBIAN12.to_owned()),
                expect: Status::Pass,
                message: "h1 runs Debian GNU/Linux 12 (bookworm), supported until 2028-06-30",
            },
            HostCase {
                name: "Debian 9 past LTS",
                inventory: &plain,
                server: "h1",
                host: os("debian", "9"),
                expect: Status::Fail,
                message: "vendor support ended on 2022-06-30",
            },
            HostCase {
                name: "an OS the table does not know",
                inventory: &plain,
                server: "h1",
                host: os("gentoo", "2.17"),
                expect: Status::Error,
                message: "cannot decide: no end-of-support date is known for gentoo 2.17",
            },
        ];
        host_table(HostBuiltin::OsEol, &cases);
    }
}
