//! The keys the inventory-side coverage controls read (regulations.md §11.1): a server's
//! approved accounts and asset record, its backup targets with their media, and a
//! datacenter's Internet uplinks and main network devices. Each problem is a diagnostic at the
//! value's file:line:col.

use std::collections::BTreeSet;

use toml::Spanned;

use super::{Validator, Want};
use crate::diag::Diagnostic;
use crate::inventory::model::{
    ApprovedAccounts, Asset, Backup, BackupTarget, Device, NodeRef, Software,
};
use crate::inventory::raw;

impl Validator<'_> {
    /// Account names of `accounts` (of `[defaults]` or a server): each a user name as
    /// /etc/passwd writes it.
    pub(super) fn account_names(
        &mut self,
        list: Option<Spanned<raw::List<String>>>,
    ) -> Option<BTreeSet<String>> {
        let list = list?;
        let span = list.span();
        let mut names = BTreeSet::new();
        for (name, at) in list.get_ref().items(&span) {
            let bad = name.is_empty()
                || name.len() > 32
                || name
                    .chars()
                    .any(|c| c == ':' || c.is_whitespace() || c.is_control());
            if bad {
                self.diags.push(
                    Diagnostic::new("invalid-account", format!("`{name}` is not an account name"))
                        .at(self.loc(at), "not a user name")
                        .hint("write the user names of /etc/passwd (no `:`, no spaces, at most 32 characters)"),
                );
            } else {
                names.insert(name.clone());
            }
        }
        Some(names)
    }

    /// The server's approved accounts: `[defaults] accounts` with its own added.
    pub(super) fn approved_accounts(
        &mut self,
        defaults: Option<&BTreeSet<String>>,
        own: Option<Spanned<raw::List<String>>>,
    ) -> Option<ApprovedAccounts> {
        let own = self.account_names(own);
        if defaults.is_none() && own.is_none() {
            return None;
        }
        let mut names: BTreeSet<String> = defaults.cloned().unwrap_or_default();
        names.extend(own.iter().flatten().cloned());
        Some(ApprovedAccounts {
            names,
            from_defaults: defaults.is_some(),
            from_server: own.is_some(),
        })
    }

    /// The asset keys of a server.
    pub(super) fn asset(&mut self, s: &mut raw::Server) -> Asset {
        let mac = s.mac.take().and_then(|m| {
            if is_mac(m.get_ref()) {
                Some(m.into_inner())
            } else {
                self.diags.push(
                    Diagnostic::new(
                        "invalid-mac",
                        format!("`{}` is not a MAC address", m.get_ref()),
                    )
                    .at(self.loc(m.span()), "not six hexadecimal octets")
                    .hint("write it as 00:1a:2b:3c:4d:5e"),
                );
                None
            }
        });
        let support_end = s
            .support_end
            .as_ref()
            .and_then(|d| self.date(d, "support_end"));
        let software = s
            .software
            .take()
            .unwrap_or_default()
            .into_iter()
            .map(|x| Software {
                support_end: x
                    .support_end
                    .as_ref()
                    .and_then(|d| self.date(d, "software.support_end")),
                name: x.name,
                version: x.version,
            })
            .collect();
        Asset {
            software,
            serial: s.serial.take().filter(|x| !x.trim().is_empty()),
            mac,
            support_end,
            rack: s.rack.take().filter(|x| !x.trim().is_empty()),
            owner: s.owner.take().filter(|x| !x.trim().is_empty()),
            purpose: s.purpose.take().filter(|x| !x.trim().is_empty()),
        }
    }

    /// `backup = { to, medium, schedule, path }` or `{ targets = [{ to, medium }, …], … }`.
    pub(super) fn backup(&mut self, index: usize, b: Spanned<raw::Backup>) -> Option<Backup> {
        let loc = self.loc(b.span());
        let b = b.into_inner();
        let mut wanted: Vec<(Spanned<String>, Option<raw::Medium>)> = Vec::new();
        match (b.to, b.targets) {
            (Some(to), None) => wanted.push((to, b.medium)),
            (None, Some(targets)) => {
                if b.medium.is_some() {
                    self.diags.push(
                        Diagnostic::new(
                            "backup-targets",
                            "`backup.medium` goes with `to`, not with `targets`",
                        )
                        .at(loc.clone(), "both `medium` and `targets`")
                        .hint("write the medium of each copy in its `targets` item"),
                    );
                }
                if targets.get_ref().is_empty() {
                    self.diags.push(
                        Diagnostic::new("backup-targets", "`backup.targets` is empty")
                            .at(self.loc(targets.span()), "no target")
                            .hint("list each copy as `{ to = \"bk01\", medium = \"disk\" }`"),
                    );
                    return None;
                }
                wanted.extend(targets.into_inner().into_iter().map(|t| (t.to, t.medium)));
            }
            (Some(to), Some(_)) => {
                self.diags.push(
                    Diagnostic::new("backup-targets", "`backup` has both `to` and `targets`")
                        .at(self.loc(to.span()), "one target here")
                        .hint("write one target with `to`, or every target in `targets`"),
                );
                return None;
            }
            (None, None) => {
                self.diags.push(
                    Diagnostic::new("backup-targets", "`backup` names no target")
                        .at(loc, "no `to` and no `targets`")
                        .hint("add `to = \"<backup server>\"`, or `targets = [{ to, medium }, …]`"),
                );
                return None;
            }
        }
        let mut targets: Vec<BackupTarget> = Vec::new();
        for (to, medium) in wanted {
            let t = match self.resolve(&to, Want::Server, "backup.to")? {
                NodeRef::Server(t) if t == index => {
                    self.diags.push(
                        Diagnostic::new("self-reference", "a server cannot back up to itself")
                            .at(self.loc(to.span()), "this server itself")
                            .hint("name a backup server, preferably in another datacenter"),
                    );
                    return None;
                }
                NodeRef::Server(t) => t,
                _ => return None,
            };
            if targets.iter().any(|x| x.to == t) {
                self.diags.push(
                    Diagnostic::new("duplicate-target", format!("`{}` is a backup target twice", to.get_ref()))
                        .at(self.loc(to.span()), "named again")
                        .hint("a second copy on the same server is one target with several media: list it once"),
                );
                return None;
            }
            targets.push(BackupTarget { to: t, medium });
        }
        Some(Backup {
            to: targets[0].to,
            targets,
            schedule: b.schedule,
            path: b.path.map(|p| self.rendered_path(p, "backup.path")),
            loc,
        })
    }

    /// A datacenter's uplinks and devices.
    pub(super) fn network_gear(
        &mut self,
        uplinks: Option<Spanned<raw::List<String>>>,
        devices: Option<std::collections::BTreeMap<Spanned<String>, Spanned<raw::Device>>>,
    ) -> (Vec<String>, Vec<Device>) {
        let mut links = Vec::new();
        if let Some(list) = uplinks {
            let span = list.span();
            for (name, at) in list.get_ref().items(&span) {
                if name.trim().is_empty() {
                    self.diags.push(
                        Diagnostic::new("empty-value", "an uplink names no provider or circuit")
                            .at(self.loc(at), "empty")
                            .hint("write the provider or circuit of each Internet link, e.g. \"VNPT\""),
                    );
                } else {
                    links.push(name.clone());
                }
            }
        }
        let mut out = Vec::new();
        for (id, d) in devices.into_iter().flatten() {
            let loc = self.loc(id.span());
            let d_span = d.span();
            let d = d.into_inner();
            if d.ha_group.as_deref().is_some_and(|g| g.trim().is_empty()) {
                self.diags.push(
                    Diagnostic::new("empty-value", "`ha_group` names no group")
                        .at(self.loc(d_span), "empty `ha_group`")
                        .hint("name the HA pair or cluster, or remove `ha_group`"),
                );
            }
            out.push(Device {
                id: id.into_inner(),
                role: d.role,
                ha_group: d.ha_group.filter(|g| !g.trim().is_empty()),
                model: d.model,
                loc,
            });
        }
        (links, out)
    }
}

/// Six hexadecimal octets separated by `:` or `-`.
fn is_mac(text: &str) -> bool {
    let parts: Vec<&str> = text.split([':', '-']).collect();
    parts.len() == 6
        && parts
            .iter()
            .all(|p| p.len() == 2 && p.bytes().all(|b| b.is_ascii_hexdigit()))
}

#[cfg(test)]
mod tests {
    #[test]
    fn mac_addresses() {
        assert!(super::is_mac("00:1a:2B:3c:4d:5e"));
        assert!(super::is_mac("00-1a-2b-3c-4d-5e"));
        assert!(!super::is_mac("00:1a:2b:3c:4d"));
        assert!(!super::is_mac("00:1a:2b:3c:4d:5g"));
        assert!(!super::is_mac("001a.2b3c.4d5e"));
    }
}
