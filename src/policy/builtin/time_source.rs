//! `time-source` (TIME-SOURCE): the clock follows one of the inventory's NTP servers (role
//! `ntp`), as regulations.md §11.1 "Time sync" asks ("source = internal NTP server from
//! inventory"). An NTP server of the inventory is not judged on its own upstream.

use super::{Verdict, fail, need, pass, servers_with_role};
use crate::collect::host::HostFacts;
use crate::inventory::{Inventory, Role};

pub(super) fn judge(inv: &Inventory, server: usize, f: &HostFacts) -> Result<Verdict, Verdict> {
    let me = &inv.servers[server];
    let id = &me.id;
    if me.roles.contains(&Role::Ntp) {
        return Ok(pass(
            format!("{id} is an NTP server of the inventory (its own upstream is not judged)"),
            "roles include ntp".into(),
        ));
    }
    let ntp: Vec<&crate::inventory::model::Server> = inv
        .servers
        .iter()
        .filter(|s| s.roles.contains(&Role::Ntp))
        .collect();
    let source = need(&f.time_source, "the time source")?;
    let names = servers_with_role(inv, Role::Ntp);
    let evidence = format!(
        "time.source = {source}; NTP servers of the inventory: {}",
        if names.is_empty() {
            "none".to_owned()
        } else {
            names.join(", ")
        }
    );
    if let Some(s) = ntp.iter().find(|s| s.addresses.contains(source)) {
        return Ok(pass(
            format!("{id} takes its time from {} ({source})", s.id),
            evidence,
        ));
    }
    Ok(fail(
        if ntp.is_empty() {
            format!(
                "{id} takes its time from {source}, and the inventory declares no NTP server (role `ntp`)"
            )
        } else {
            format!("{id} takes its time from {source}, not from an NTP server of the inventory")
        },
        evidence,
    ))
}

#[cfg(test)]
mod tests {
    use super::super::HostBuiltin;
    use super::super::testing::{
        DEBIAN12, Host, HostCase, h1, host_table, with_added_section, with_section,
    };
    use crate::policy::Status;

    const SYNCED: &str = include_str!(
        "../../../tests/fixtures/collect/timesync/chronyc-synchronised-10.0.0.123.txt"
    );

    #[test]
    fn cases() {
        let ntp = |addr: &str| {
            format!(
                "{}\n[servers.ntp1]\nnetwork = \"lan\"\naddress = [\"{addr}\"]\nroles = [\"ntp\"]\n",
                h1("")
            )
        };
        let ours = ntp("10.0.0.123");
        let other = ntp("10.0.0.124");
        let none = h1("");
        let followed = with_section(DEBIAN12, "chronyc", SYNCED, 0);
        let timesyncd = with_added_section(
            DEBIAN12,
            "timesyncd",
            "ServerName=10.0.0.123\nServerAddress=10.0.0.123\n",
            0,
        );
        let cases = [
            HostCase {
                name: "chronyd follows the inventory's NTP server",
                inventory: &ours,
                server: "h1",
                host: Host::Output(followed.clone()),
                expect: Status::Pass,
                message: "h1 takes its time from ntp1 (10.0.0.123)",
            },
            HostCase {
                name: "systemd-timesyncd follows it",
                inventory: &ours,
                server: "h1",
                host: Host::Output(timesyncd),
                expect: Status::Pass,
                message: "h1 takes its time from ntp1 (10.0.0.123)",
            },
            HostCase {
                name: "another server",
                inventory: &other,
                server: "h1",
                host: Host::Output(followed.clone()),
                expect: Status::Fail,
                message: "h1 takes its time from 10.0.0.123, not from an NTP server of the inventory",
            },
            HostCase {
                name: "no NTP server in the inventory",
                inventory: &none,
                server: "h1",
                host: Host::Output(followed),
                expect: Status::Fail,
                message: "the inventory declares no NTP server (role `ntp`)",
            },
            HostCase {
                name: "the NTP server itself",
                inventory: &ours,
                server: "ntp1",
                host: Host::Output(DEBIAN12.into()),
                expect: Status::Pass,
                message: "ntp1 is an NTP server of the inventory",
            },
            HostCase {
                name: "no daemon names a server",
                inventory: &ours,
                server: "h1",
                host: Host::Output(with_section(
                    DEBIAN12,
                    "chronyc",
                    "506 Cannot talk to daemon",
                    1,
                )),
                expect: Status::Error,
                message: "the time source could not be read",
            },
        ];
        host_table(HostBuiltin::TimeSource, &cases);
    }
}
