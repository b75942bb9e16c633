//! The controls capdo evaluates, as data: id, titles, what they apply to, at which levels, how
//! severe, their legal basis, per-level parameters, and how they are decided (a built-in
//! evaluator, a declarative rule, or a human attestation).
//!
//! Controls live in the policy packs (`policies/<pack>/*.toml`, one pack per regime, read by
//! [`super::pack`]); this module is their in-memory form and the [`Catalog`], the value the
//! caller loads once (`Catalog::load`) and passes by reference to evaluation, waivers, the
//! control docs and the dossier. There is no process-wide registry: a test builds its own
//! catalog in one line (`Catalog::embedded()`, `Catalog::from_pack`).

use std::sync::Arc;

use super::rule::Pred;
use crate::inventory::{Level, Regime};

#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Info,
    Low,
    Medium,
    High,
    Critical,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Low => "low",
            Severity::Medium => "medium",
            Severity::High => "high",
            Severity::Critical => "critical",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum AppliesTo {
    Organization,
    Datacenter,
    Network,
    Server,
    System,
}

impl AppliesTo {
    pub fn as_str(self) -> &'static str {
        match self {
            AppliesTo::Organization => "organization",
            AppliesTo::Datacenter => "datacenter",
            AppliesTo::Network => "network",
            AppliesTo::Server => "server",
            AppliesTo::System => "system",
        }
    }
}

/// How sure regulations.md is of the rule's numbers or scope.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Confidence {
    Confirmed,
    /// Marked UNCONFIRMED in regulations.md (`unconfirmed = "why"` in the pack); reports say
    /// so.
    Unconfirmed(String),
}

/// What a control needs to be decided.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Source {
    /// The inventory and the graph (`check --offline`).
    Inventory,
    /// Facts collected from the host over SSH.
    Host,
    /// The waivers file, checked against the findings (`capdo check`, any mode).
    Waivers,
    /// A human attestation (regulations.md §11.2): reported as `manual`.
    Manual,
}

impl Source {
    pub fn as_str(self) -> &'static str {
        match self {
            Source::Inventory => "inventory",
            Source::Host => "host",
            Source::Waivers => "waivers",
            Source::Manual => "manual",
        }
    }
}

/// How a control is decided.
#[derive(Debug, Clone)]
pub enum Check {
    /// A named evaluator written in Rust (graph, flows, parity, …): `evaluator = "…"`, checked
    /// against the known ones when the pack is loaded.
    Builtin(Builtin),
    /// A declarative rule over facts and attributes: `rule`, optionally `when` (otherwise
    /// not applicable), and the messages of a pass and a failure.
    Rule {
        when: Option<Pred>,
        rule: Pred,
        pass: String,
        fail: String,
    },
    /// Needs a human attestation (regulations.md §11.2): always `manual`, never a pass.
    Manual,
}

/// A per-level number of a control (log retention days, password length, …).
#[derive(Debug, Clone)]
pub struct Param {
    pub name: String,
    /// Indexed by level − 1; `None` where the control does not apply.
    pub values: [Option<f64>; 5],
}

/// One control of one pack, as loaded from the pack's TOML. The catalog holds it in an [`Arc`]
/// so that findings and waivers can point at their control without borrowing the catalog.
/// A finding whose severity depends on what was found points at a copy with that severity.
#[derive(Debug, Clone)]
pub struct Control {
    pub id: String,
    /// The pack (and so the regime) it belongs to.
    pub pack: &'static str,
    pub regime: Regime,
    pub source: Source,
    pub title_vi: String,
    pub title_en: String,
    pub applies_to: AppliesTo,
    /// The levels it applies at (index level − 1).
    pub levels: [bool; 5],
    pub severity: Severity,
    /// What is checked, and why (English).
    pub description: String,
    /// Its legal basis in its pack's regime, as listed without a level (a level-dependent
    /// citation names its clause at every level the control applies at).
    pub basis: Vec<String>,
    /// The same, as written: text, or a citation whose clause depends on the level
    /// ([`super::law`]).
    pub cites: Vec<Basis>,
    pub remediation_vi: String,
    pub remediation_en: String,
    pub confidence: Confidence,
    pub params: Vec<Param>,
    pub check: Check,
    /// `file:line` of its `[[control]]` table.
    pub defined_at: String,
}

impl Control {
    pub fn title(&self, lang: Lang) -> &str {
        match lang {
            Lang::Vi => &self.title_vi,
            Lang::En => &self.title_en,
        }
    }

    pub fn remediation(&self, lang: Lang) -> &str {
        match lang {
            Lang::Vi => &self.remediation_vi,
            Lang::En => &self.remediation_en,
        }
    }

    /// The built-in evaluator that decides it, if one does.
    pub fn builtin(&self) -> Option<Builtin> {
        match self.check {
            Check::Builtin(b) => Some(b),
            _ => None,
        }
    }

    /// Whether the control applies at `level`; a target without a level (a server serving no
    /// system) is held to the level-1 controls.
    pub fn applies_at(&self, level: Option<Level>) -> bool {
        self.levels[level.map_or(0, |l| l.get() as usize - 1)]
    }

    /// The levels it applies at, as text: "1–5", "3–5", "3, 4".
    pub fn levels_text(&self) -> String {
        let on: Vec<u8> = (1..=5).filter(|&l| self.levels[l as usize - 1]).collect();
        match on.as_slice() {
            [] => "none".into(),
            [one] => one.to_string(),
            [first, .., last] if (*last - *first) as usize + 1 == on.len() => {
                format!("{first}–{last}")
            }
            _ => on
                .iter()
                .map(|l| l.to_string())
                .collect::<Vec<_>>()
                .join(", "),
        }
    }

    /// Why the control does not apply to `target` (an id, for the message) at `level`.
    pub fn outside_levels(&self, target: &str, level: Option<Level>) -> String {
        match level {
            Some(l) => format!("applies at level {}; this is level {l}", self.levels_text()),
            None => format!(
                "applies at level {}; {target} has no level (it serves no system)",
                self.levels_text()
            ),
        }
    }

    /// The parameters' values at `level` (empty for a target without a level: level 1).
    pub fn params_at(&self, level: Option<Level>) -> std::collections::BTreeMap<String, f64> {
        let i = level.map_or(0, |l| l.get() as usize - 1);
        self.params
            .iter()
            .filter_map(|p| p.values[i].map(|v| (p.name.to_owned(), v)))
            .collect()
    }

    /// The basis at the target's level, each citation with the clause of that level (a target
    /// without a level is held to the level-1 controls, so to their level-1 clauses).
    pub fn basis_at(&self, level: Option<Level>) -> Vec<String> {
        let level = level.unwrap_or(Level::MIN);
        self.cites
            .iter()
            .filter_map(|b| match b {
                Basis::Text(t) => Some(t.clone()),
                Basis::Law(c) => c.at(level),
            })
            .collect()
    }
}

/// One entry of a control's `basis`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Basis {
    /// An article or clause that does not depend on the level, as written.
    Text(String),
    /// `@tcvn11930/ITEM`, `@tcvn14423/ITEM`, `@tt12/SECTION`: the clause of the level.
    Law(super::law::Cite),
}

impl Basis {
    /// How it is listed without a level, over the levels `on`.
    pub fn over(&self, on: [bool; 5]) -> String {
        match self {
            Basis::Text(t) => t.clone(),
            Basis::Law(c) => c.over(on),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Lang {
    #[default]
    Vi,
    En,
}

/// A built-in evaluator, by what it reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Builtin {
    Inventory(InventoryBuiltin),
    Host(HostBuiltin),
    Waiver(WaiverBuiltin),
}

/// The built-ins decided from the inventory and the graph (`check --offline`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum InventoryBuiltin {
    LevelUnderclassified,
    DepWeakerLevel,
    DepCycle,
    HaSinglePoint,
    ZonePlacement,
    ZoneRequired,
    BackupDeclared,
    BackupOffsite,
    FourlayerOnsite,
    FourlayerMonitoring,
    FourlayerAssessment,
    FourlayerNational,
    AssetRecord,
    HaNetwork,
    Backup321,
}

/// The built-ins decided from the facts collected on a host.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum HostBuiltin {
    FwHostDefaultDeny,
    FwIpv6Parity,
    NetUndeclaredPort,
    FwExposedService,
    FlowBlocked,
    Ipv6Ready,
    SshRootLogin,
    SshPasswordAuth,
    BackupJob,
    BackupFresh,
    LogForward,
    AgentRunning,
    TimeSync,
    SshAdminSource,
    TimeSource,
    AccountUnapproved,
    OsEol,
    PatchCentral,
    TlsVersion,
    HttpsRedirect,
}

/// The built-ins that judge the waivers file against the findings.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum WaiverBuiltin {
    Expired,
    Unused,
}

/// Every built-in with the name a pack gives it (contract: docs/policies.md).
const NAMES: [(Builtin, &str); 37] = {
    use Builtin::{Host as H, Inventory as I, Waiver as W};
    use HostBuiltin as Hb;
    use InventoryBuiltin as Ib;
    [
        (I(Ib::LevelUnderclassified), "level-underclassified"),
        (I(Ib::DepWeakerLevel), "dep-weaker-level"),
        (I(Ib::DepCycle), "dep-cycle"),
        (I(Ib::HaSinglePoint), "ha-single-point"),
        (I(Ib::ZonePlacement), "zone-placement"),
        (I(Ib::ZoneRequired), "zone-required"),
        (I(Ib::BackupDeclared), "backup-declared"),
        (I(Ib::BackupOffsite), "backup-offsite"),
        (I(Ib::FourlayerOnsite), "fourlayer-onsite"),
        (I(Ib::FourlayerMonitoring), "fourlayer-monitoring"),
        (I(Ib::FourlayerAssessment), "fourlayer-assessment"),
        (I(Ib::FourlayerNational), "fourlayer-national"),
        (I(Ib::AssetRecord), "asset-record"),
        (I(Ib::HaNetwork), "ha-network"),
        (I(Ib::Backup321), "backup-3-2-1"),
        (H(Hb::FwHostDefaultDeny), "fw-host-default-deny"),
        (H(Hb::FwIpv6Parity), "fw-ipv6-parity"),
        (H(Hb::NetUndeclaredPort), "net-undeclared-port"),
        (H(Hb::FwExposedService), "fw-exposed-service"),
        (H(Hb::FlowBlocked), "flow-blocked"),
        (H(Hb::Ipv6Ready), "ipv6-ready"),
        (H(Hb::SshRootLogin), "ssh-root-login"),
        (H(Hb::SshPasswordAuth), "ssh-password-auth"),
        (H(Hb::BackupJob), "backup-job"),
        (H(Hb::BackupFresh), "backup-fresh"),
        (H(Hb::LogForward), "log-forward"),
        (H(Hb::AgentRunning), "agent-running"),
        (H(Hb::TimeSync), "time-sync"),
        (H(Hb::SshAdminSource), "ssh-admin-source"),
        (H(Hb::TimeSource), "time-source"),
        (H(Hb::AccountUnapproved), "account-unapproved"),
        (H(Hb::OsEol), "os-eol"),
        (H(Hb::PatchCentral), "patch-central"),
        (H(Hb::TlsVersion), "tls-version"),
        (H(Hb::HttpsRedirect), "https-redirect"),
        (W(WaiverBuiltin::Expired), "waiver-expired"),
        (W(WaiverBuiltin::Unused), "waiver-unused"),
    ]
};

impl Builtin {
    /// Every built-in, in the order docs/policies.md lists them.
    pub const ALL: [Builtin; 37] = {
        let mut all = [Builtin::Waiver(WaiverBuiltin::Expired); 37];
        let mut i = 0;
        while i < NAMES.len() {
            all[i] = NAMES[i].0;
            i += 1;
        }
        all
    };

    /// The built-in a pack names `name` (exactly, as written in packs).
    pub fn from_name(name: &str) -> Option<Builtin> {
        NAMES.iter().find(|(_, n)| *n == name).map(|(b, _)| *b)
    }

    /// Its name in packs (`evaluator = "…"`).
    pub fn name(self) -> &'static str {
        NAMES
            .iter()
            .find(|(b, _)| *b == self)
            .map_or("", |(_, n)| n)
    }

    /// What it reads; a control naming it must have this `source`.
    pub fn source(self) -> Source {
        match self {
            Builtin::Inventory(_) => Source::Inventory,
            Builtin::Host(_) => Source::Host,
            Builtin::Waiver(_) => Source::Waivers,
        }
    }
}

/// One file of a pack as it was read.
#[derive(Debug)]
pub struct PackFile {
    /// `<pack>/<file name>`.
    pub name: String,
    /// The path it was read from, or "built in".
    pub origin: String,
    pub text: String,
}

/// The controls of both packs, loaded. Built once by the caller and passed by reference.
#[derive(Debug, Default)]
pub struct Catalog {
    pub(super) nd85: Vec<Arc<Control>>,
    pub(super) nd331: Vec<Arc<Control>>,
    /// Where the packs came from, for `controls` and reports.
    pub(super) origin: String,
    /// Every file read, for evidence bundles.
    pub(super) files: Vec<PackFile>,
}

impl Catalog {
    /// The controls of the pack of `regime`, in pack order.
    pub fn controls(&self, regime: Regime) -> &[Arc<Control>] {
        match regime {
            Regime::Nd85 => &self.nd85,
            Regime::Nd331 => &self.nd331,
        }
    }

    /// The control `id` (case-insensitive) of the pack of `regime`.
    pub fn find(&self, regime: Regime, id: &str) -> Option<&Arc<Control>> {
        self.controls(regime)
            .iter()
            .find(|c| c.id.eq_ignore_ascii_case(id))
    }

    /// The control `id` in whichever pack has it (the current regime's first).
    pub fn find_any(&self, id: &str) -> Option<&Arc<Control>> {
        self.find(Regime::Nd331, id)
            .or_else(|| self.find(Regime::Nd85, id))
    }

    /// The control of the pack of `regime` that the built-in `builtin` decides (the first, if
    /// a pack names it twice).
    pub fn by_builtin(&self, regime: Regime, builtin: Builtin) -> Option<&Arc<Control>> {
        self.controls(regime)
            .iter()
            .find(|c| c.builtin() == Some(builtin))
    }

    /// Every control id of both packs, sorted, once each.
    pub fn all_ids(&self) -> Vec<&str> {
        let mut ids: Vec<&str> = [Regime::Nd85, Regime::Nd331]
            .into_iter()
            .flat_map(|r| self.controls(r).iter().map(|c| c.id.as_str()))
            .collect();
        ids.sort_unstable();
        ids.dedup();
        ids
    }

    /// The basis of `control`'s requirement in `regime`: its own, or that of the control with
    /// the same id in the other regime's pack (empty when that pack has none).
    pub fn basis<'a>(&'a self, control: &'a Control, regime: Regime) -> &'a [String] {
        if regime == control.regime {
            &control.basis
        } else {
            self.find(regime, &control.id)
                .map_or(&[], |c| c.basis.as_slice())
        }
    }

    /// The files of the packs in use, as read.
    pub fn pack_files(&self) -> &[PackFile] {
        &self.files
    }

    /// Where the packs in use came from: the folder, or "built in".
    pub fn origin(&self) -> &str {
        &self.origin
    }
}
