//! `ssh-root-login` (SSH-ROOT-LOGIN): sshd lets root log in with a password
//! (`permitrootlogin yes`, globally or in a Match block).

use super::{Verdict, fail, need, pass};
use crate::collect::host::HostFacts;
use crate::inventory::Inventory;

pub(super) fn judge(inv: &Inventory, server: usize, f: &HostFacts) -> Result<Verdict, Verdict> {
    let id = &inv.servers[server].id;
    let (sshd, source) = need(&f.sshd, "the sshd configuration")?;
    let value = sshd
        .permit_root_login
        .as_deref()
        .unwrap_or("prohibit-password");
    let mut evidence = format!("sshd.permit_root_login = {value} (from {source})");
    let overrides: Vec<&String> = sshd
        .match_overrides
        .iter()
        .filter(|m| m.to_ascii_lowercase().contains("permitrootlogin yes"))
        .collect();
    if !overrides.is_empty() {
        evidence.push_str(&format!(
            "; Match blocks: {}",
            overrides
                .iter()
                .map(|s| s.as_str())
                .collect::<Vec<_>>()
                .join("; ")
        ));
    }
    Ok(if value == "yes" {
        fail(
            format!("{id} lets root log in with a password (permitrootlogin yes)"),
            evidence,
        )
    } else if !overrides.is_empty() {
        fail(
            format!("{id} lets root log in with a password for some clients (Match block)"),
            evidence,
        )
    } else {
        pass(
            format!("{id} does not let root log in with a password"),
            evidence,
        )
    })
}

#[cfg(test)]
mod tests {
    use super::super::HostBuiltin;
    use super::super::testing::{DEBIAN12, Host, HostCase, h1, host_table, with_section};
    use crate::policy::Status;

    #[test]
    fn cases() {
        let plain = h1("");
        let yes = DEBIAN12.replace("permitrootlogin without-password", "permitrootlogin yes");
        let in_match = with_section(
            DEBIAN12,
            "file /etc/ssh/sshd_config",
            "PermitRootLogin prohibit-password\nMatch Address 10.0.0.0/8\n    PermitRootLogin yes",
            0,
        );
        let unreadable = with_section(
            &with_section(DEBIAN12, "sshd-t", "Permission denied", 1),
            "file /etc/ssh/sshd_config",
            "Permission denied",
            1,
        );
        let cases = [
            HostCase {
                name: "root logs in with a key only (the capture)",
                inventory: &plain,
                server: "h1",
                host: Host::Output(DEBIAN12.into()),
                expect: Status::Pass,
                message: "h1 does not let root log in with a password",
            },
            HostCase {
                name: "permitrootlogin yes",
                inventory: &plain,
                server: "h1",
                host: Host::Output(yes.clone()),
                expect: Status::Fail,
                message: "h1 lets root log in with a password (permitrootlogin yes)",
            },
            HostCase {
                name: "permitrootlogin yes in a Match block",
                inventory: &plain,
                server: "h1",
                host: Host::Output(in_match.clone()),
                expect: Status::Fail,
                message: "for some clients (Match block)",
            },
            HostCase {
                name: "neither sshd -T nor the configuration could be read",
                inventory: &plain,
                server: "h1",
                host: Host::Output(unreadable.clone()),
                expect: Status::Error,
                message: "the sshd configuration could not be read",
            },
        ];
        host_table(HostBuiltin::SshRootLogin, &cases);
    }
}
