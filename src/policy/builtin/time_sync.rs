//! `time-sync` (TIME-SYNC): the clock is not synchronised.

use super::servers_with_role;
use super::{DossierScope, Verdict, fail, need, pass};
use crate::collect::host::HostFacts;
use crate::inventory::Inventory;
use crate::inventory::Role;

pub(super) fn judge(inv: &Inventory, server: usize, f: &HostFacts) -> Result<Verdict, Verdict> {
    let id = &inv.servers[server].id;
    let synced = need(&f.time_synchronized, "the time synchronisation state")?;
    let evidence = format!("time.synchronized = {synced}");
    Ok(if *synced {
        pass(format!("{id}'s clock is synchronised"), evidence)
    } else {
        fail(format!("{id}'s clock is not synchronised"), evidence)
    })
}

/// How the inventory implements it, in the dossier's words.
pub(super) fn implementation(d: &DossierScope) -> Option<String> {
    let inv = d.inv;
    let text = {
        let ntp = servers_with_role(inv, Role::Ntp);
        if ntp.is_empty() {
            return None;
        }
        format!("Máy chủ thời gian nội bộ: {}", ntp.join(", "))
    };
    Some(text)
}

#[cfg(test)]
mod tests {
    use super::super::HostBuiltin;
    use super::super::testing::{DEBIAN12, Host, HostCase, h1, host_table, with_section};
    use crate::policy::Status;

    #[test]
    fn cases() {
        let plain = h1("");
        let synced = |yes: &str| {
            with_section(
                DEBIAN12,
                "timedatectl",
                &format!("NTP=yes\nNTPSynchronized={yes}"),
                0,
            )
        };
        let unknown = with_section(DEBIAN12, "chronyc", "Permission denied", 1);
        // chronyd stopped, and no other time daemon running.
        let stopped: String = DEBIAN12
            .lines()
            .filter(|l| *l != "chronyd")
            .map(|l| format!("{l}\n"))
            .collect();
        let cases = [
            HostCase {
                name: "timedatectl says synchronised",
                inventory: &plain,
                server: "h1",
                host: Host::Output(synced("yes")),
                expect: Status::Pass,
                message: "h1's clock is synchronised",
            },
            HostCase {
                name: "timedatectl says not synchronised",
                inventory: &plain,
                server: "h1",
                host: Host::Output(synced("no")),
                expect: Status::Fail,
                message: "h1's clock is not synchronised",
            },
            HostCase {
                name: "chronyd does not answer and no time daemon runs",
                inventory: &plain,
                server: "h1",
                host: Host::Output(stopped.clone()),
                expect: Status::Fail,
                message: "h1's clock is not synchronised",
            },
            HostCase {
                name: "timedatectl cannot run and chronyd does not answer (the capture)",
                inventory: &plain,
                server: "h1",
                host: Host::Output(DEBIAN12.into()),
                expect: Status::Error,
                message: "neither timedatectl (timedatectl failed (exit 1)",
            },
            HostCase {
                name: "neither timedatectl nor chronyc could tell",
                inventory: &plain,
                server: "h1",
                host: Host::Output(unknown.clone()),
                expect: Status::Error,
                message: "the time synchronisation state could not be read",
            },
        ];
        host_table(HostBuiltin::TimeSync, &cases);
    }
}
