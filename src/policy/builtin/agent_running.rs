//! `agent-running` (AGENT-RUNNING): a monitoring or anti-malware agent the inventory expects is
//! not running.

use super::{DossierScope, Verdict, fail, need, not_applicable, pass};
use crate::collect::host::HostFacts;
use crate::inventory::Inventory;
use std::collections::BTreeSet;

pub(super) fn judge(inv: &Inventory, server: usize, f: &HostFacts) -> Result<Verdict, Verdict> {
    let s = &inv.servers[server];
    if s.agents.is_empty() {
        return Err(not_applicable(format!("{} expects no agent", s.id)));
    }
    let procs = need(&f.processes, "the process list")?;
    // `ps -o comm` shows at most 15 characters of a name.
    let short = |n: &str| n.chars().take(15).collect::<String>();
    let missing: Vec<&str> = s
        .agents
        .iter()
        .filter(|a| !procs.iter().any(|p| short(p) == short(a)))
        .map(|a| a.as_str())
        .collect();
    let evidence = format!(
        "expected: {}; running: {}",
        s.agents.join(", "),
        s.agents
            .iter()
            .filter(|a| !missing.contains(&a.as_str()))
            .map(|a| a.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    );
    Ok(if missing.is_empty() {
        pass(format!("every agent {} expects is running", s.id), evidence)
    } else {
        fail(
            format!("{} does not run {}", s.id, missing.join(", ")),
            evidence,
        )
    })
}

/// How the inventory implements it, in the dossier's words.
pub(super) fn implementation(d: &DossierScope) -> Option<String> {
    let inv = d.inv;
    let text = {
        let agents: BTreeSet<&str> = d
            .servers
            .iter()
            .flat_map(|&srv| inv.servers[srv].agents.iter().map(String::as_str))
            .collect();
        if agents.is_empty() {
            return None;
        }
        let with = d
            .servers
            .iter()
            .filter(|&&srv| !inv.servers[srv].agents.is_empty())
            .count();
        format!(
            "Tác tử giám sát, phòng chống mã độc: {} (trên {with}/{} máy chủ)",
            agents.into_iter().collect::<Vec<_>>().join(", "),
            d.servers.len()
        )
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
        let expects = h1("agents = [\"kthreadd\", \"falcon-sensor\"]");
        let plain = h1("");
        let running = DEBIAN12.replace("\nps\n", "\nps\nfalcon-sensor\n");
        let unreadable = with_section(DEBIAN12, "processes", "Permission denied", 1);
        let cases = [
            HostCase {
                name: "every expected agent runs",
                inventory: &expects,
                server: "h1",
                host: Host::Output(running.clone()),
                expect: Status::Pass,
                message: "every agent h1 expects is running",
            },
            HostCase {
                name: "falcon-sensor does not run (the capture)",
                inventory: &expects,
                server: "h1",
                host: Host::Output(DEBIAN12.into()),
                expect: Status::Fail,
                message: "h1 does not run falcon-sensor",
            },
            HostCase {
                name: "no agent expected",
                inventory: &plain,
                server: "h1",
                host: Host::Output(DEBIAN12.into()),
                expect: Status::NotApplicable,
                message: "h1 expects no agent",
            },
            HostCase {
                name: "the process list could not be read",
                inventory: &expects,
                server: "h1",
                host: Host::Output(unreadable.clone()),
                expect: Status::Error,
                message: "the process list could not be read",
            },
        ];
        host_table(HostBuiltin::AgentRunning, &cases);
    }
}
