//! The built-in evaluators: what a declarative rule cannot say (the graph, redundancy,
//! schedules, parity between rule sets), written in Rust and named by `evaluator = "…"` in a
//! pack.
//!
//! A pack's evaluator name becomes a [`Builtin`] when the pack is loaded (an unknown name is a
//! located pack problem), so evaluation and the dossier match on the enum, never on a string.
//! Each evaluator lives in its own module with the sentence the dossier's protection plan says
//! of how the inventory implements it, and its table of unit cases. The waiver built-ins are
//! decided by [`super::waiver::apply`], which owns the waivers.
//!
//! Nothing here prints, reads files or touches the network.

use std::sync::Arc;

use jiff::civil::Date;

use super::catalog::Control;
use super::{Finding, Status};
use crate::collect::host::{Fact, HostFacts};
use crate::diag::Loc;
use crate::graph::Graph;
use crate::inventory::{Inventory, Level, NodeRef, Regime, Role};

mod account_unapproved;
mod agent_running;
mod asset_record;
mod backup_321;
mod backup_declared;
mod backup_fresh;
mod backup_job;
mod backup_offsite;
pub(crate) mod declared_flows;
mod dep_cycle;
mod dep_weaker_level;
mod exposure_severity;
mod flow_blocked;
mod fourlayer;
mod fw_exposed_service;
mod fw_host_default_deny;
mod fw_ipv6_parity;
mod ha_network;
mod ha_single_point;
mod https_redirect;
mod ipv6_ready;
mod level_underclassified;
mod log_forward;
mod net_undeclared_port;
mod os_eol;
mod patch_central;
mod ssh_admin_source;
mod ssh_password_auth;
mod ssh_root_login;
mod time_source;
mod time_sync;
mod tls_version;
mod zone_placement;
mod zone_required;

#[cfg(test)]
pub(crate) mod testing;

pub use super::catalog::{Builtin, HostBuiltin, InventoryBuiltin, WaiverBuiltin};

impl Builtin {
    /// How the inventory implements the requirement, in the dossier's words (Vietnamese), or
    /// `None` where the inventory says nothing of it.
    pub fn implementation(self, d: &DossierScope) -> Option<String> {
        use HostBuiltin as H;
        use InventoryBuiltin as I;
        match self {
            Builtin::Inventory(b) => match b {
                I::LevelUnderclassified => level_underclassified::implementation(d),
                I::DepWeakerLevel => dep_weaker_level::implementation(d),
                I::DepCycle => dep_cycle::implementation(d),
                I::HaSinglePoint => ha_single_point::implementation(d),
                I::ZonePlacement => zone_placement::implementation(d),
                I::ZoneRequired => zone_required::implementation(d),
                I::BackupDeclared => backup_declared::implementation(d),
                I::BackupOffsite => backup_offsite::implementation(d),
                I::FourlayerOnsite
                | I::FourlayerMonitoring
                | I::FourlayerAssessment
                | I::FourlayerNational => fourlayer::implementation(b, d),
                I::AssetRecord => asset_record::implementation(d),
                I::HaNetwork => ha_network::implementation(d),
                I::Backup321 => super::builtin::backups_wording(d),
            },
            Builtin::Host(b) => match b {
                H::FwHostDefaultDeny
                | H::FwIpv6Parity
                | H::SshRootLogin
                | H::SshPasswordAuth
                | H::SshAdminSource => None,
                H::FwExposedService | H::FlowBlocked => declared_flows::implementation(d),
                H::NetUndeclaredPort => net_undeclared_port::implementation(d),
                H::Ipv6Ready => ipv6_ready::implementation(d),
                H::BackupJob => backup_job::implementation(d),
                H::BackupFresh => backup_fresh::implementation(d),
                H::LogForward => log_forward::implementation(d),
                H::AgentRunning => agent_running::implementation(d),
                H::TimeSync | H::TimeSource => time_sync::implementation(d),
                H::AccountUnapproved => account_unapproved::implementation(d),
                H::OsEol | H::PatchCentral => None,
                H::TlsVersion => tls_version::implementation(d),
                H::HttpsRedirect => https_redirect::implementation(d),
            },
            Builtin::Waiver(_) => None,
        }
    }
}

/// What an inventory built-in reads.
pub struct Inputs<'a> {
    pub inv: &'a Inventory,
    pub graph: &'a Graph,
    pub regime: Regime,
    /// The evaluation date (assessment ages are measured to it).
    pub today: Date,
}

impl InventoryBuiltin {
    /// Its findings on every target of its kind.
    pub fn evaluate(self, cx: &Inputs, control: &Arc<Control>, out: &mut Vec<Finding>) {
        use InventoryBuiltin as I;
        match self {
            I::LevelUnderclassified => level_underclassified::evaluate(cx, control, out),
            I::DepWeakerLevel => dep_weaker_level::evaluate(cx, control, out),
            I::DepCycle => dep_cycle::evaluate(cx, control, out),
            I::HaSinglePoint => ha_single_point::evaluate(cx, control, out),
            I::ZonePlacement => zone_placement::evaluate(cx, control, out),
            I::ZoneRequired => zone_required::evaluate(cx, control, out),
            I::BackupDeclared => backup_declared::evaluate(cx, control, out),
            I::BackupOffsite => backup_offsite::evaluate(cx, control, out),
            I::FourlayerOnsite
            | I::FourlayerMonitoring
            | I::FourlayerAssessment
            | I::FourlayerNational => fourlayer::evaluate(self, cx, control, out),
            I::AssetRecord => asset_record::evaluate(cx, control, out),
            I::HaNetwork => ha_network::evaluate(cx, control, out),
            I::Backup321 => backup_321::evaluate(cx, control, out),
        }
    }
}

impl HostBuiltin {
    /// Its verdict on scanned server `server` (the level is the caller's business).
    pub fn judge(self, inv: &Inventory, server: usize, facts: &HostFacts) -> Verdict {
        use HostBuiltin as H;
        let rule = match self {
            H::FwHostDefaultDeny => fw_host_default_deny::judge,
            H::FwIpv6Parity => fw_ipv6_parity::judge,
            H::NetUndeclaredPort => net_undeclared_port::judge,
            H::FwExposedService => fw_exposed_service::judge,
            H::FlowBlocked => flow_blocked::judge,
            H::Ipv6Ready => ipv6_ready::judge,
            H::SshRootLogin => ssh_root_login::judge,
            H::SshPasswordAuth => ssh_password_auth::judge,
            H::BackupJob => backup_job::judge,
            H::BackupFresh => backup_fresh::judge,
            H::LogForward => log_forward::judge,
            H::AgentRunning => agent_running::judge,
            H::TimeSync => time_sync::judge,
            H::SshAdminSource => ssh_admin_source::judge,
            H::TimeSource => time_source::judge,
            H::AccountUnapproved => account_unapproved::judge,
            H::OsEol => os_eol::judge,
            H::PatchCentral => patch_central::judge,
            H::TlsVersion => tls_version::judge,
            H::HttpsRedirect => https_redirect::judge,
        };
        rule(inv, server, facts).unwrap_or_else(|v| v)
    }
}

/// What the dossier's protection plan covers, for the built-ins' wording: the system, the
/// servers and networks it runs on, and the values the dossier has already worded.
pub struct DossierScope<'a> {
    pub inv: &'a Inventory,
    pub graph: &'a Graph,
    pub system: usize,
    pub servers: &'a [usize],
    pub networks: &'a [usize],
    /// The level the dossier proposes.
    pub proposed_level: Level,
    /// The backups of the system's servers, as the dossier words them.
    pub backups: &'a [String],
    /// The dossier's date format.
    pub date: fn(Date) -> String,
}

/// The items, or `empty` when there are none.
fn join_or(items: &[String], empty: &str) -> String {
    if items.is_empty() {
        empty.to_owned()
    } else {
        items.join(", ")
    }
}

/// The ids of the inventory's servers with `role`.
fn servers_with_role(inv: &Inventory, role: Role) -> Vec<String> {
    inv.servers
        .iter()
        .filter(|s| s.roles.contains(&role))
        .map(|s| s.id.clone())
        .collect()
}

/// "Sao lưu: …" of the backup built-ins.
fn backups_wording(d: &DossierScope) -> Option<String> {
    if d.backups.is_empty() {
        return None;
    }
    Some(format!("Sao lưu: {}", d.backups.join("; ")))
}

/// Builds the findings of one inventory built-in.
struct Builder<'c> {
    control: &'c Arc<Control>,
    cx: &'c Inputs<'c>,
}

impl<'c> Builder<'c> {
    fn new(cx: &'c Inputs<'c>, control: &'c Arc<Control>) -> Self {
        Self { control, cx }
    }

    /// A finding with the control's basis; `status` is decided by the caller.
    fn finding(
        &self,
        node: NodeRef,
        level: Option<Level>,
        status: Status,
        message: String,
        evidence: String,
        loc: &Loc,
    ) -> Finding {
        Finding {
            control: Arc::clone(self.control),
            target: self.cx.inv.target_id(node),
            status,
            level,
            message,
            evidence,
            // `x.` clauses made concrete for the level, as for host and declarative controls.
            basis: self.control.basis_at(level),
            location: Some(loc.clone()),
            waiver: None,
            regime: None,
            transition_debt: false,
        }
    }

    fn not_applicable(&self, node: NodeRef, level: Option<Level>, why: String) -> Finding {
        let loc = self.cx.inv.node_loc(node).clone();
        self.finding(node, level, Status::NotApplicable, why, String::new(), &loc)
    }

    fn below_level(&self, node: NodeRef, level: Option<Level>) -> Finding {
        let why = self
            .control
            .outside_levels(self.cx.inv.node_id(node), level);
        self.not_applicable(node, level, why)
    }
}

/// The effective level of server `i`.
fn server_level(cx: &Inputs, i: usize) -> Option<Level> {
    cx.graph.server_levels[i].as_ref().map(|s| s.level)
}

/// One host built-in's verdict on one host, before it becomes a finding.
#[derive(Debug)]
pub struct Verdict {
    pub status: Status,
    pub message: String,
    pub evidence: String,
    /// The finding's severity when it depends on what was found (FW-EXPOSED-SERVICE: by the
    /// service and where it is reachable from); `None`: the control's.
    pub severity: Option<crate::policy::Severity>,
}

fn pass(message: String, evidence: String) -> Verdict {
    Verdict {
        status: Status::Pass,
        message,
        evidence,
        severity: None,
    }
}

fn fail(message: String, evidence: String) -> Verdict {
    Verdict {
        status: Status::Fail,
        message,
        evidence,
        severity: None,
    }
}

fn not_applicable(message: String) -> Verdict {
    Verdict {
        status: Status::NotApplicable,
        message,
        evidence: String::new(),
        severity: None,
    }
}

/// A fact that could not be read makes the control's status `error`.
fn need<'f, T>(fact: &'f Fact<T>, what: &str) -> Result<&'f T, Verdict> {
    fact.as_ref().map_err(|why| Verdict {
        status: Status::Error,
        message: format!("{what} could not be read: {why}"),
        evidence: String::new(),
        severity: None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_builtins_match_one_to_one() {
        for b in Builtin::ALL {
            assert_eq!(Builtin::from_name(b.name()), Some(b));
        }
        let mut names: Vec<&str> = Builtin::ALL.iter().map(|b| b.name()).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), Builtin::ALL.len());
        assert_eq!(Builtin::from_name("Time-Sync"), None);
    }
}
