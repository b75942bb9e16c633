//! `patch-central` (PATCH-CENTRAL): from level 3 the host takes its packages from the central
//! patch server (regulations.md §5.6 "Patching": "+ central patch server"; §11.1 "host
//! registered to central patch server"). Every host apt or dnf downloads from (its proxy when
//! one is set) must be a server of the inventory with role `patch`, named by one of its
//! addresses or by its id as the first label of a DNS name (`repo01.bnv.local` → `repo01`).

use std::net::IpAddr;

use super::{Verdict, fail, need, pass, servers_with_role};
use crate::collect::host::HostFacts;
use crate::inventory::{Inventory, Role};

pub(super) fn judge(inv: &Inventory, server: usize, f: &HostFacts) -> Result<Verdict, Verdict> {
    let id = &inv.servers[server].id;
    if inv.servers[server].roles.contains(&Role::Patch) {
        return Ok(pass(
            format!("{id} is a patch server of the inventory (its own upstream is not judged)"),
            "roles include patch".into(),
        ));
    }
    let hosts = need(&f.package_sources, "the package sources")?;
    let patch = servers_with_role(inv, Role::Patch);
    let evidence = format!(
        "updates.sources = [{}]; patch servers of the inventory: {}",
        hosts.join(", "),
        if patch.is_empty() {
            "none".to_owned()
        } else {
            patch.join(", ")
        }
    );
    let central = |host: &str| -> Option<&str> {
        let ip = host.parse::<IpAddr>().ok();
        let label = host.split('.').next().unwrap_or(host);
        inv.servers
            .iter()
            .filter(|s| s.roles.contains(&Role::Patch))
            .find(|s| match ip {
                Some(a) => s.addresses.contains(&a),
                None => s.id.eq_ignore_ascii_case(label),
            })
            .map(|s| s.id.as_str())
    };
    if hosts.is_empty() {
        return Ok(fail(
            format!(
                "{id} has no network package source: it cannot take updates from a patch server"
            ),
            evidence,
        ));
    }
    let outside: Vec<&str> = hosts
        .iter()
        .map(String::as_str)
        .filter(|h| central(h).is_none())
        .collect();
    if outside.is_empty() {
        let via: Vec<&str> = hosts.iter().filter_map(|h| central(h)).collect();
        return Ok(pass(
            format!(
                "{id} takes its packages from the patch server {}",
                via.join(", ")
            ),
            evidence,
        ));
    }
    Ok(fail(
        if patch.is_empty() {
            format!(
                "{id} downloads packages from {}, and the inventory declares no patch server (role `patch`)",
                outside.join(", ")
            )
        } else {
            format!(
                "{id} downloads packages from {}, not only from the inventory's patch servers",
                outside.join(", ")
            )
        },
        evidence,
    ))
}

#[cfg(test)]
mod tests {
    use super::super::HostBuiltin;
    use super::super::testing::{DEBIAN12, Host, HostCase, h1, host_table, with_added_section};
    use crate::policy::Status;

    const DEBIAN: &str =
        include_str!("../../../tests/fixtures/collect/updates/sources/debian.sources");
    const MIRROR: &str =
        include_str!("../../../tests/fixtures/collect/updates/sources/mirror.list");
    const PROXY: &str = include_str!("../../../tests/fixtures/collect/updates/sources/proxy.conf");

    fn host(files: &[(&str, &str)]) -> String {
        files.iter().fold(DEBIAN12.to_owned(), |raw, (path, body)| {
            with_added_section(&raw, &format!("file {path}"), body, 0)
        })
    }

    #[test]
    fn cases() {
        let repo = format!(
            "{}\n[servers.repo01]\nnetwork = \"lan\"\naddress = [\"10.0.9.30\"]\nroles = [\"patch\"]\n",
            h1("")
        );
        let mirror = MIRROR.replace("10.10.9.30", "10.0.9.30");
        let proxy = PROXY.replace("10.10.9.30", "10.0.9.30");
        let cases = [
            HostCase {
                name: "the central mirror by name and by address",
                inventory: &repo,
                server: "h1",
                host: Host::Output(host(&[("/etc/apt/sources.list.d/mirror.list", &mirror)])),
                expect: Status::Pass,
                message: "h1 takes its packages from the patch server repo01",
            },
            HostCase {
                name: "Debian's own mirror",
                inventory: &repo,
                server: "h1",
                host: Host::Output(host(&[("/etc/apt/sources.list.d/debian.sources", DEBIAN)])),
                expect: Status::Fail,
                message: "h1 downloads packages from deb.debian.org, not only from the inventory's patch servers",
            },
            HostCase {
                name: "Debian's mirror through the central proxy",
                inventory: &repo,
                server: "h1",
                host: Host::Output(host(&[
                    ("/etc/apt/sources.list.d/debian.sources", DEBIAN),
                    ("/etc/apt/apt.conf.d/01proxy", &proxy),
                ])),
                expect: Status::Pass,
                message: "h1 takes its packages from the patch server repo01",
            },
            HostCase {
                name: "no patch server in the inventory",
                inventory: &h1(""),
                server: "h1",
                host: Host::Output(host(&[("/etc/apt/sources.list.d/debian.sources", DEBIAN)])),
                expect: Status::Fail,
                message: "the inventory declares no patch server (role `patch`)",
            },
            HostCase {
                name: "no source file read",
                inventory: &repo,
                server: "h1",
                host: Host::Output(DEBIAN12.into()),
                expect: Status::Error,
                message: "the package sources could not be read",
            },
        ];
        host_table(HostBuiltin::PatchCentral, &cases);
    }
}
