//! `https-redirect` (HTTPS-REDIRECT): a portal's or online public service's web front serves
//! nothing in cleartext: each of its cleartext HTTP ports ([`crate::collect::http_probe`])
//! is closed or redirects to an `https://` URL (TT 32/2017 Đ20, "HTTPS enforced on portals and
//! DVC", regulations.md §11.1). Measured on the host: one `GET /` for the system's public name
//! at 127.0.0.1 (`http.answers`).

use super::{DossierScope, Verdict, fail, join_or, not_applicable, pass};
use crate::collect::host::HostFacts;
use crate::collect::parse::http::Answer;
use crate::inventory::Inventory;
use crate::policy::Status;

pub(super) fn judge(inv: &Inventory, server: usize, f: &HostFacts) -> Result<Verdict, Verdict> {
    let id = &inv.servers[server].id;
    let (ports, host) = crate::collect::http_probe(inv, server);
    if ports.is_empty() {
        return Ok(not_applicable(format!(
            "{id} is no web, proxy, load-balancer or API server in the DMZ of a portal or online public service"
        )));
    }
    let host = host.unwrap_or_else(|| "127.0.0.1".into());
    let mut cleartext = vec![];
    let mut undecided = vec![];
    let mut evidence = vec![];
    for port in ports {
        let Some(answer) = f.http.get(&port) else {
            undecided.push(format!(
                "tcp/{port}: not probed (the scan predates HTTP probes)"
            ));
            continue;
        };
        evidence.push(match answer {
            Answer::Closed => format!("tcp/{port}: closed"),
            Answer::Status { code, location } => match location {
                Some(l) => format!("tcp/{port}: {code} → {l}"),
                None => format!("tcp/{port}: {code}"),
            },
            Answer::Undecided(why) => format!("tcp/{port}: {why}"),
        });
        match (answer.enforces_https(), answer) {
            (Some(true), _) => {}
            (Some(false), Answer::Status { code, location }) => cleartext.push(match location {
                Some(l) => format!("tcp/{port} answers {code} to {l}"),
                None => format!("tcp/{port} answers {code} in cleartext"),
            }),
            (_, Answer::Undecided(why)) => undecided.push(format!("tcp/{port}: {why}")),
            (_, other) => undecided.push(format!("tcp/{port}: {other:?}")),
        }
    }
    let evidence = format!("http.answers (Host: {host}): {}", evidence.join("; "));
    if !cleartext.is_empty() {
        return Ok(fail(
            format!(
                "{id} serves {host} over cleartext HTTP without redirecting to HTTPS: {}",
                cleartext.join("; ")
            ),
            evidence,
        ));
    }
    if !undecided.is_empty() {
        return Err(Verdict {
            status: Status::Error,
            message: format!(
                "cannot decide whether {id} enforces HTTPS: {}",
                undecided.join("; ")
            ),
            evidence,
            severity: None,
        });
    }
    Ok(pass(
        format!(
            "{id} serves {host} over HTTPS only: its HTTP ports are closed or redirect to https://"
        ),
        evidence,
    ))
}

/// "Máy chủ web công khai (HTTP chuyển hướng sang HTTPS): web01 tcp/80, …".
pub(super) fn implementation(d: &DossierScope) -> Option<String> {
    let fronts: Vec<String> = d
        .servers
        .iter()
        .filter_map(|&s| {
            let (ports, _) = crate::collect::http_probe(d.inv, s);
            let ports: Vec<String> = ports.iter().map(|p| format!("tcp/{p}")).collect();
            (!ports.is_empty()).then(|| format!("{} {}", d.inv.servers[s].id, ports.join(" ")))
        })
        .collect();
    Some(format!(
        "Máy chủ web công khai (cổng HTTP đóng hoặc chuyển hướng sang HTTPS): {}",
        join_or(&fronts, "không có")
    ))
}

#[cfg(test)]
mod tests {
    use super::super::HostBuiltin;
    use super::super::testing::{DEBIAN12, Host, HostCase, host_table, with_added_section};
    use crate::collect::parse::sections::split;
    use crate::policy::Status;

    /// Real `http PORT` sections (collect/parse/http.rs says what each is).
    const ANSWERS: &str = include_str!("../../../tests/fixtures/collect/http/http-debian12.txt");

    /// The captured host, the real section of `from_port` as its `http 80` section.
    fn host_80(from_port: u16) -> Host {
        let s = split(ANSWERS, "0123456789abcdef")
            .into_iter()
            .find(|s| s.name == format!("http {from_port}"))
            .expect("a captured answer");
        Host::Output(with_added_section(
            DEBIAN12,
            "http 80",
            &s.body,
            s.rc.expect("rc"),
        ))
    }

    /// A portal (citizen service with a public name) whose web front `web1` is in the DMZ.
    fn portal(web_roles: &str) -> String {
        format!(
            "[networks.dmz]\ndatacenter = \"hq\"\nzone = \"dmz\"\ncidr = [\"10.1.0.0/16\"]\n\n\
             [servers.web1]\nnetwork = \"dmz\"\naddress = [\"10.1.0.1\"]\nroles = {web_roles}\nservices = [\"tcp/80\", \"tcp/443\"]\n\n\
             [systems.portal]\nname = \"Cổng\"\nkind = \"citizen-service\"\nlevel = 2\nservers = [\"web1\"]\n\
             depends_on = []\ninformation = [\"public\"]\npublic_names = [\"portal.example.vn\"]\nusers = 1000\n"
        )
    }

    #[test]
    fn cases() {
        let web = portal("[\"web\"]");
        let db = portal("[\"database\"]");
        let cases = [
            HostCase {
                name: "port 80 redirects to https (curl)",
                inventory: &web,
                server: "web1",
                host: host_80(18081),
                expect: Status::Pass,
                message: "web1 serves portal.example.vn over HTTPS only",
            },
            HostCase {
                name: "port 80 redirects to https (wget)",
                inventory: &web,
                server: "web1",
                host: host_80(28081),
                expect: Status::Pass,
                message: "redirect to https://",
            },
            HostCase {
                name: "port 80 closed",
                inventory: &web,
                server: "web1",
                host: host_80(18089),
                expect: Status::Pass,
                message: "over HTTPS only",
            },
            HostCase {
                name: "port 80 serves the page",
                inventory: &web,
                server: "web1",
                host: host_80(18080),
                expect: Status::Fail,
                message: "tcp/80 answers 200 in cleartext",
            },
            HostCase {
                name: "a scan without the probe",
                inventory: &web,
                server: "web1",
                host: Host::Output(DEBIAN12.into()),
                expect: Status::Error,
                message: "tcp/80: not probed",
            },
            HostCase {
                name: "not a web front",
                inventory: &db,
                server: "web1",
                host: Host::Output(DEBIAN12.into()),
                expect: Status::NotApplicable,
                message: "is no web, proxy",
            },
        ];
        host_table(HostBuiltin::HttpsRedirect, &cases);
    }
}
