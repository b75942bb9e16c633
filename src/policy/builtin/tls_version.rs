//! `tls-version` (TLS-VERSION): every TLS service the server declares accepts TLS 1.2 or 1.3
//! and refuses TLS 1.0 and 1.1 (regulations.md §11.1 "Encryption in transit": "TLS ≥ 1.2 on
//! service ports"). The versions are measured by handshakes on the host itself
//! (`tls.services`, one `openssl s_client` per version): what the service really does, not
//! what a configuration file says.
//!
//! The declared TLS services are the `tcp` services on a well-known TLS port and the server's
//! `tls` list ([`crate::inventory::model::Server::tls_ports`]). A version the probe could not
//! offer or get an answer for is undecided: when it is TLS 1.0 or 1.1, the control is an
//! error, never a pass.

use super::{DossierScope, Verdict, fail, join_or, not_applicable, pass};
use crate::collect::host::HostFacts;
use crate::collect::parse::tls::{Outcome, Probe, Version};
use crate::inventory::Inventory;
use crate::policy::Status;

pub(super) fn judge(inv: &Inventory, server: usize, f: &HostFacts) -> Result<Verdict, Verdict> {
    let me = &inv.servers[server];
    let id = &me.id;
    let ports = me.tls_ports();
    if ports.is_empty() {
        return Ok(not_applicable(format!(
            "{id} declares no TLS service (a tcp service on a well-known TLS port such as 443, or `tls`)"
        )));
    }
    let mut failures = vec![];
    let mut undecided = vec![];
    let mut evidence = vec![];
    for port in ports {
        let probe = match f.tls.get(&port) {
            Some(Ok(p)) => p,
            Some(Err(why)) => {
                undecided.push(format!("tcp/{port}: {why}"));
                evidence.push(format!("tcp/{port}: {why}"));
                continue;
            }
            None => {
                let why =
                    "not probed (the scan predates TLS probes, or the port was not asked for)";
                undecided.push(format!("tcp/{port}: {why}"));
                evidence.push(format!("tcp/{port}: {why}"));
                continue;
            }
        };
        evidence.push(describe(port, probe));
        let accepted = probe.with(|o| matches!(o, Outcome::Accepted));
        let legacy: Vec<&str> = accepted
            .iter()
            .filter(|v| v.is_legacy())
            .map(|v| v.name())
            .collect();
        if !legacy.is_empty() {
            failures.push(format!("tcp/{port} accepts {}", legacy.join(" and ")));
            continue;
        }
        if accepted.is_empty() {
            let all_refused = Version::ALL
                .iter()
                .all(|v| matches!(probe.outcome(*v), Some(Outcome::Refused(_))));
            if all_refused {
                failures.push(format!(
                    "tcp/{port} completes no TLS handshake at any version (not TLS, or TLS it cannot agree on)"
                ));
            } else {
                undecided.push(format!(
                    "tcp/{port}: no handshake completed and some versions were not decided"
                ));
            }
            continue;
        }
        for v in Version::ALL.into_iter().filter(|v| v.is_legacy()) {
            match probe.outcome(v) {
                Some(Outcome::Refused(_)) => {}
                Some(Outcome::Undecided(why)) => {
                    undecided.push(format!("tcp/{port}: {} undecided: {why}", v.name()))
                }
                Some(Outcome::Accepted) => unreachable!("legacy versions handled above"),
                None => undecided.push(format!("tcp/{port}: {} not probed", v.name())),
            }
        }
    }
    let evidence = format!("tls.services: {}", evidence.join("; "));
    if !failures.is_empty() {
        let mut message = format!("{id}: {}", failures.join("; "));
        if !undecided.is_empty() {
            message.push_str(&format!(" (also undecided: {})", undecided.join("; ")));
        }
        return Ok(fail(message, evidence));
    }
    if !undecided.is_empty() {
        return Err(Verdict {
            status: Status::Error,
            message: format!(
                "cannot decide the TLS versions of {id}: {}",
                undecided.join("; ")
            ),
            evidence,
            severity: None,
        });
    }
    Ok(pass(
        format!("every TLS service of {id} refuses TLS 1.0 and 1.1 and accepts TLS 1.2 or 1.3"),
        evidence,
    ))
}

/// "Dịch vụ TLS (phiên bản được kiểm tra trên máy chủ): web01 tcp/443, …".
pub(super) fn implementation(d: &DossierScope) -> Option<String> {
    let services: Vec<String> = d
        .servers
        .iter()
        .filter_map(|&s| {
            let ports = d.inv.servers[s].tls_ports();
            let ports: Vec<String> = ports.iter().map(|p| format!("tcp/{p}")).collect();
            (!ports.is_empty()).then(|| format!("{} {}", d.inv.servers[s].id, ports.join(" ")))
        })
        .collect();
    Some(format!(
        "Dịch vụ TLS (chỉ chấp nhận TLS 1.2, 1.3; kiểm tra bằng bắt tay trên máy chủ): {}",
        join_or(&services, "không khai báo")
    ))
}

/// `tcp/443 at 127.0.0.1:443: accepts TLSv1.2, TLSv1.3; refuses TLSv1.0 (…), …`.
fn describe(port: u16, p: &Probe) -> String {
    let mut parts = vec![];
    let accepted: Vec<&str> = p
        .with(|o| matches!(o, Outcome::Accepted))
        .iter()
        .map(|v| v.name())
        .collect();
    if !accepted.is_empty() {
        parts.push(format!("accepts {}", accepted.join(", ")));
    }
    for (v, o) in &p.versions {
        match o {
            Outcome::Accepted => {}
            Outcome::Refused(why) => parts.push(format!("refuses {} ({why})", v.name())),
            Outcome::Undecided(why) => parts.push(format!("{} undecided ({why})", v.name())),
        }
    }
    format!("tcp/{port} at {}: {}", p.address, parts.join(", "))
}

#[cfg(test)]
mod tests {
    use super::super::HostBuiltin;
    use super::super::testing::{DEBIAN12, Host, HostCase, h1, host_table, with_added_section};
    use crate::collect::parse::sections::split;
    use crate::policy::Status;

    /// Real `tls PORT` sections (collect/parse/tls.rs says how they were made).
    const PROBES: &str =
        include_str!("../../../tests/fixtures/collect/tls/openssl-3.0-debian12.txt");

    /// The captured host with the real section of `from_port` as its `tls 443` section.
    fn host_443(from_port: u16) -> Host {
        let s = split(PROBES, "0123456789abcdef")
            .into_iter()
            .find(|s| s.name == format!("tls {from_port}"))
            .expect("a captured probe");
        Host::Output(with_added_section(
            DEBIAN12,
            "tls 443",
            &s.body,
            s.rc.expect("rc"),
        ))
    }

    #[test]
    fn cases() {
        let https = h1("services = [\"tcp/443\"]");
        let none = h1("services = [\"tcp/22\"]");
        let cases = [
            HostCase {
                name: "TLS 1.2 and 1.3 only",
                inventory: &https,
                server: "h1",
                host: host_443(14432),
                expect: Status::Pass,
                message: "every TLS service of h1 refuses TLS 1.0 and 1.1",
            },
            HostCase {
                name: "TLS 1.3 only",
                inventory: &https,
                server: "h1",
                host: host_443(14435),
                expect: Status::Pass,
                message: "accepts TLS 1.2 or 1.3",
            },
            HostCase {
                name: "TLS 1.0 accepted",
                inventory: &https,
                server: "h1",
                host: host_443(14431),
                expect: Status::Fail,
                message: "h1: tcp/443 accepts TLSv1.0 and TLSv1.1",
            },
            HostCase {
                name: "plain HTTP on 443",
                inventory: &https,
                server: "h1",
                host: host_443(14433),
                expect: Status::Fail,
                message: "completes no TLS handshake at any version",
            },
            HostCase {
                name: "nothing listens",
                inventory: &https,
                server: "h1",
                host: host_443(14439),
                expect: Status::Error,
                message: "nothing answers on port 14439",
            },
            HostCase {
                name: "a scan without the probe",
                inventory: &https,
                server: "h1",
                host: Host::Output(DEBIAN12.into()),
                expect: Status::Error,
                message: "tcp/443: not probed",
            },
            HostCase {
                name: "a TLS 1.0 probe the host's openssl cannot make",
                inventory: &https,
                server: "h1",
                host: Host::Output(with_added_section(
                    DEBIAN12,
                    "tls 443",
                    "address 127.0.0.1:443\n== tls1\n  40E7:error:0A0000BF:SSL routines:tls_setup_handshake:no protocols available:../ssl/statem/statem_lib.c:104:\n== tls1_1\n  40E7:error:0A00042E:SSL routines:ssl3_read_bytes:tlsv1 alert protocol version:x.c:1:\n== tls1_2\n  CONNECTION ESTABLISHED\n  Protocol version: TLSv1.2",
                    0,
                )),
                expect: Status::Error,
                message: "TLSv1.0 undecided: the host's openssl cannot offer it",
            },
            HostCase {
                name: "no TLS service declared",
                inventory: &none,
                server: "h1",
                host: Host::Output(DEBIAN12.into()),
                expect: Status::NotApplicable,
                message: "h1 declares no TLS service",
            },
        ];
        host_table(HostBuiltin::TlsVersion, &cases);
    }
}
