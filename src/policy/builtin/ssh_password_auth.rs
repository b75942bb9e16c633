//! `ssh-password-auth` (SSH-PASSWORD-AUTH): sshd accepts password authentication.

use super::{Verdict, fail, need, pass};
use crate::collect::host::HostFacts;
use crate::inventory::Inventory;

pub(super) fn judge(inv: &Inventory, server: usize, f: &HostFacts) -> Result<Verdict, Verdict> {
    let id = &inv.servers[server].id;
    let (sshd, source) = need(&f.sshd, "the sshd configuration")?;
    let value = sshd.password_authentication.unwrap_or(true);
    let evidence = format!(
        "sshd.password_authentication = {} (from {source})",
        if value { "yes" } else { "no" }
    );
    Ok(if value {
        fail(format!("{id} accepts passwords over SSH"), evidence)
    } else {
        pass(format!("{id} does not accept passwords over SSH"), evidence)
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
        let no = DEBIAN12.replace("passwordauthentication yes", "passwordauthentication no");
        let unreadable = with_section(
            &with_section(DEBIAN12, "sshd-t", "Permission denied", 1),
            "file /etc/ssh/sshd_config",
            "Permission denied",
            1,
        );
        let cases = [
            HostCase {
                name: "passwordauthentication no",
                inventory: &plain,
                server: "h1",
                host: Host::Output(no.clone()),
                expect: Status::Pass,
                message: "h1 does not accept passwords over SSH",
            },
            HostCase {
                name: "the capture accepts passwords",
                inventory: &plain,
                server: "h1",
                host: Host::Output(DEBIAN12.into()),
                expect: Status::Fail,
                message: "h1 accepts passwords over SSH",
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
        host_table(HostBuiltin::SshPasswordAuth, &cases);
    }
}
