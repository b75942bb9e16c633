//! Waivers: an approved, dated exception to a control on a target or a scope.
//!
//! The waivers file (`policies/waivers.toml` or `--waivers FILE`) is a list of `[[waiver]]`
//! tables, read with the inventory's located diagnostics. [`apply`] turns each failure a live
//! waiver covers into `waived`; an expired waiver no longer covers anything and is reported
//! (`WAIVER-EXPIRED`), and so is a waiver that matches no failure (`WAIVER-UNUSED`).

use std::path::Path;

use jiff::civil::Date;
use serde::{Deserialize, Serialize};
use toml::Spanned;

use std::sync::Arc;

use super::builtin::{Builtin, WaiverBuiltin};
use super::catalog::{Catalog, Control, Source};
use super::{Finding, Status};
use crate::diag::{Diagnostic, Loc, Sources, suggest};
use crate::inventory::{Inventory, Level, LoadError, NodeRef, Regime, Zone};

/// One `[[waiver]]` table as written. Required keys are optional here so that a waiver missing
/// one is still checked for its other problems; [`check`] reports the missing ones.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawWaiver {
    #[serde(default)]
    control: Option<Spanned<String>>,
    #[serde(default)]
    target: Option<Spanned<String>>,
    #[serde(default)]
    system: Option<Spanned<String>>,
    #[serde(default)]
    zone: Option<Zone>,
    #[serde(default)]
    level: Option<Spanned<i64>>,
    #[serde(default)]
    reason: Option<Spanned<String>>,
    #[serde(default)]
    approved_by: Option<Spanned<String>>,
    #[serde(default)]
    ticket: Option<String>,
    #[serde(default)]
    expires: Option<Spanned<toml::value::Datetime>>,
}

/// A validated waiver. Every condition given must hold for a finding to be covered.
#[derive(Debug, Clone)]
pub struct Waiver {
    pub control: Arc<Control>,
    pub target: Option<NodeRef>,
    pub system: Option<usize>,
    pub zone: Option<Zone>,
    pub level: Option<Level>,
    pub reason: String,
    pub approved_by: String,
    pub ticket: Option<String>,
    /// Last day the waiver applies.
    pub expires: Date,
    /// Where its `[[waiver]]` table is.
    pub loc: Loc,
}

/// The waiver a finding carries in the report (`waiver` of `capdo.report/v1`); read back with
/// the report, where a hand-made one may leave out its reason and approver.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Applied {
    /// `file:line` of the waiver.
    pub at: String,
    #[serde(default)]
    pub reason: String,
    #[serde(default)]
    pub approved_by: String,
    pub ticket: Option<String>,
    pub expires: String,
    /// The waiver has expired: the failure counts again.
    pub expired: bool,
}

/// Largest waivers file read.
const MAX_WAIVERS: u64 = 4 << 20;

/// Read and check a waivers file against the inventory and the controls. Every problem is
/// reported at once, located; nothing is returned unless the whole file is valid.
pub fn load(
    path: &Path,
    inv: &Inventory,
    catalog: &Catalog,
    sources: &mut Sources,
) -> Result<Vec<Waiver>, LoadError> {
    // Read only a regular file of its own folder (a merge request could make `waivers.toml`
    // a link to a key, or to /dev/zero).
    let folder = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let text = crate::infile::read_text(path, folder, MAX_WAIVERS).map_err(|why| {
        LoadError::Io(anyhow::anyhow!(
            "cannot read waivers file `{}`: {why}",
            path.display()
        ))
    })?;
    let file = sources.add(path, text);
    let sources: &Sources = sources;
    let (entries, mut diags) =
        crate::inventory::load::read_entries::<RawWaiver>(file, sources, "waiver", "waiver");
    let mut out = Vec::new();
    for (loc, raw, dropped) in entries {
        if let Some(w) = check(raw, loc, &dropped, inv, catalog, sources, &mut diags) {
            out.push(w);
        }
    }
    if diags.is_empty() {
        Ok(out)
    } else {
        Err(LoadError::Invalid(diags))
    }
}

fn check(
    raw: RawWaiver,
    loc: Loc,
    dropped: &[String],
    inv: &Inventory,
    catalog: &Catalog,
    sources: &Sources,
    diags: &mut Vec<Diagnostic>,
) -> Option<Waiver> {
    let at = |s: std::ops::Range<usize>| sources.locate(s);
    let before = diags.len();
    let keys = crate::inventory::load::MissingKeys {
        kind: "waiver",
        doc: "docs/waivers.md",
        loc: &loc,
        dropped,
    };
    let mut missing = |key: &str, example: &str| keys.report(diags, key, example);
    if raw.control.is_none() {
        missing("control", "\"SSH-PASSWORD-AUTH\"");
    }
    if raw.reason.is_none() {
        missing("reason", "\"…\"");
    }
    if raw.approved_by.is_none() {
        missing("approved_by", "\"…\"");
    }
    if raw.expires.is_none() {
        missing("expires", "2027-06-30");
    }
    let control = raw.control.as_ref().and_then(|name| {
        let found = catalog
            .find_any(name.get_ref())
            .filter(|c| !matches!(c.source, Source::Waivers | Source::Manual))
            .cloned();
        if found.is_none() {
            let text = name.get_ref();
            diags.push(
                Diagnostic::new("unknown-control", format!("unknown control `{text}`"))
                    .at(at(name.span()), "no such control")
                    .hint(
                        suggest(
                            &text.to_ascii_uppercase(),
                            catalog.all_ids().into_iter().filter(|id| {
                                catalog.find_any(id).is_some_and(|c| {
                                    !matches!(c.source, Source::Waivers | Source::Manual)
                                })
                            }),
                        )
                        .unwrap_or_else(|| "`capdo controls` lists them".into()),
                    ),
            );
        }
        found
    });
    let target = raw.target.as_ref().and_then(|t| {
        let text = t.get_ref();
        let found = inv
            .resolve_target(text)
            .filter(|n| !matches!(n, NodeRef::External(_)));
        if found.is_none() {
            let ids: Vec<String> = inv
                .nodes()
                .filter(|n| !matches!(n, NodeRef::External(_)))
                .map(|n| inv.target_id(n))
                .collect();
            let guess = suggest(text, ids.iter().map(String::as_str));
            diags.push(
                Diagnostic::new("unknown-target", format!("unknown target `{text}`"))
                    .at(at(t.span()), "no such item in the inventory")
                    .hint(guess.unwrap_or_else(|| {
                        "write `kind:id` as in reports, e.g. \"server:web01\" or \"system:portal\""
                            .into()
                    })),
            );
        }
        found
    });
    let system = raw.system.as_ref().and_then(|s| {
        let id = s.get_ref();
        let found = inv.systems.iter().position(|x| &x.id == id);
        if found.is_none() {
            diags.push(
                Diagnostic::new("unknown-system", format!("unknown system `{id}`"))
                    .at(at(s.span()), "no such system")
                    .hint(
                        suggest(id, inv.systems.iter().map(|x| x.id.as_str()))
                            .unwrap_or_else(|| "`system` takes a system id".into()),
                    ),
            );
        }
        found
    });
    let level = raw.level.as_ref().and_then(|l| {
        let found = Level::new(*l.get_ref());
        if found.is_none() {
            diags.push(
                Diagnostic::new("invalid-level", "`level` must be 1 to 5")
                    .at(at(l.span()), format!("{} is not a level", l.get_ref())),
            );
        }
        found
    });
    if raw.target.is_none() && raw.system.is_none() && raw.zone.is_none() && raw.level.is_none() {
        diags.push(
            Diagnostic::new("waiver-scope", "a waiver needs a target or a scope")
                .at(loc.clone(), "covers nothing in particular")
                .hint("add `target = \"server:ID\"`, or a scope: `system`, `zone` and/or `level`"),
        );
    }
    for (value, key) in [(&raw.reason, "reason"), (&raw.approved_by, "approved_by")] {
        if let Some(value) = value
            && value.get_ref().trim().is_empty()
        {
            diags.push(
                Diagnostic::new("empty-value", format!("`{key}` must not be empty"))
                    .at(at(value.span()), "empty")
                    .hint("a waiver is an approved decision: say why, and who approved it"),
            );
        }
    }
    let expires = raw.expires.as_ref().and_then(|v| {
        let dt = v.get_ref();
        let date = crate::inventory::validate::plain_date(dt);
        if date.is_none() {
            diags.push(
                Diagnostic::new("invalid-date", "`expires` must be a date")
                    .at(at(v.span()), format!("`{dt}` is not a plain date"))
                    .hint("write a TOML date without quotes, e.g. 2027-06-30"),
            );
        }
        date
    });
    if diags.len() > before {
        return None;
    }
    Some(Waiver {
        control: control?,
        target,
        system,
        zone: raw.zone,
        level,
        reason: raw.reason?.into_inner(),
        approved_by: raw.approved_by?.into_inner(),
        ticket: raw.ticket,
        expires: expires?,
        loc,
    })
}

impl Waiver {
    /// Whether the waiver's control, target and scope fit a finding (whatever its status).
    fn matches(&self, inv: &Inventory, f: &Finding) -> bool {
        if f.control.id != self.control.id {
            return false;
        }
        let node = inv.resolve_target(&f.target);
        if let Some(t) = self.target
            && node != Some(t)
        {
            return false;
        }
        if let Some(s) = self.system {
            let inside = match node {
                Some(NodeRef::System(i)) => i == s,
                Some(NodeRef::Server(i)) => inv.systems[s].servers.contains(&i),
                _ => false,
            };
            if !inside {
                return false;
            }
        }
        if let Some(z) = self.zone {
            let inside = match node {
                Some(NodeRef::Server(i)) => inv.server_zone(i) == z,
                Some(NodeRef::Network(i)) => inv.networks[i].zone == z,
                _ => false,
            };
            if !inside {
                return false;
            }
        }
        self.level.is_none_or(|l| f.level == Some(l))
    }

    fn expired(&self, today: Date) -> bool {
        self.expires < today
    }

    /// What the waiver covers, as a target id for its own findings.
    fn subject(&self, inv: &Inventory) -> String {
        match (self.target, self.system) {
            (Some(t), _) => inv.target_id(t),
            (None, Some(s)) => inv.target_id(NodeRef::System(s)),
            (None, None) => "organization".into(),
        }
    }

    fn applied(&self, sources: &Sources, expired: bool) -> Applied {
        let lc = sources.line_col(&self.loc);
        Applied {
            at: format!("{}:{}", lc.file, lc.line),
            reason: self.reason.clone(),
            approved_by: self.approved_by.clone(),
            ticket: self.ticket.clone(),
            expires: self.expires.to_string(),
            expired,
        }
    }
}

/// What was evaluated, so that a waiver is not called unused for a control that did not run.
#[derive(Debug, Clone, Copy)]
pub struct Coverage {
    /// Host controls ran (not `--offline`).
    pub hosts: bool,
    /// Only some servers were asked for: findings elsewhere are missing.
    pub partial: bool,
}

/// Apply the waivers to the findings: waive the failures a live waiver covers, mark the ones an
/// expired waiver would have covered, and add a finding for each expired or unused waiver.
#[allow(clippy::too_many_arguments)]
pub fn apply(
    waivers: &[Waiver],
    findings: &mut Vec<Finding>,
    catalog: &Catalog,
    inv: &Inventory,
    sources: &Sources,
    regime: Regime,
    today: Date,
    coverage: Coverage,
) {
    // Per waiver: failures it waived, failures it would have covered, findings it matched.
    let mut hits = vec![(0usize, 0usize, 0usize); waivers.len()];
    for f in findings.iter_mut() {
        let all: Vec<usize> = waivers
            .iter()
            .enumerate()
            .filter(|(_, w)| w.matches(inv, f))
            .map(|(i, _)| i)
            .collect();
        for &i in &all {
            hits[i].2 += 1;
        }
        if f.status != Status::Fail {
            continue;
        }
        if let Some(&i) = all.iter().find(|&&i| !waivers[i].expired(today)) {
            f.status = Status::Waived;
            f.waiver = Some(Box::new(waivers[i].applied(sources, false)));
            hits[i].0 += 1;
        } else if let Some(&i) = all.first() {
            f.waiver = Some(Box::new(waivers[i].applied(sources, true)));
            hits[i].1 += 1;
        }
    }
    for (w, &(waived, lapsed, matched)) in waivers.iter().zip(&hits) {
        let id = &w.control.id;
        let (builtin, message) = if w.expired(today) {
            let what = if lapsed > 0 {
                format!(
                    "; {lapsed} failure{} it covered count{} again",
                    if lapsed == 1 { "" } else { "s" },
                    if lapsed == 1 { "s" } else { "" }
                )
            } else {
                "; it covers no failure now, remove it".into()
            };
            (
                WaiverBuiltin::Expired,
                format!("the waiver for {id} expired on {}{what}", w.expires),
            )
        } else if waived > 0 {
            continue;
        } else if matched > 0 {
            (
                WaiverBuiltin::Unused,
                format!("the waiver for {id} covers no failure: the control passes there now"),
            )
        } else {
            let not_run = (w.control.source == Source::Host && !coverage.hosts) || coverage.partial;
            if not_run {
                continue;
            }
            (
                WaiverBuiltin::Unused,
                format!(
                    "the waiver for {id} matches no finding: check its target and scope (the control applies to {}s)",
                    w.control.applies_to.as_str()
                ),
            )
        };
        // The pack's control that the waiver built-in decides (WAIVER-EXPIRED, WAIVER-UNUSED).
        let Some(control) = catalog.by_builtin(regime, Builtin::Waiver(builtin)) else {
            continue;
        };
        findings.push(Finding {
            control: Arc::clone(control),
            target: w.subject(inv),
            status: Status::Fail,
            level: w.level,
            message,
            evidence: format!(
                "approved by {}{}; reason: {}",
                w.approved_by,
                w.ticket
                    .as_deref()
                    .map(|t| format!(", ticket {t}"))
                    .unwrap_or_default(),
                w.reason
            ),
            basis: catalog.basis(control, regime).to_vec(),
            location: Some(w.loc.clone()),
            waiver: None,
            regime: None,
            transition_debt: false,
        });
    }
}

/// The tables of the waiver built-ins (`waiver-expired`, `waiver-unused`): their findings are
/// always failures, or there is none (the waiver is in force and used, or not judged).
#[cfg(test)]
mod tests {
    use super::*;
    use crate::policy::builtin::testing::{HEAD, date, inventory, server};

    /// The waivers of `text` applied to one finding of SSH-PASSWORD-AUTH on h1 with `status`;
    /// the messages of the findings of `builtin`'s control.
    fn run(text: &str, status: Status, coverage: Coverage, builtin: WaiverBuiltin) -> Vec<String> {
        let catalog = Catalog::embedded();
        let inv = inventory(&format!("{HEAD}\n{}", server("h1", "lan", 1, "")));
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("waivers.toml");
        std::fs::write(&path, text).expect("write");
        let mut sources = Sources::new();
        let waivers = match load(&path, &inv, &catalog, &mut sources) {
            Ok(w) => w,
            Err(_) => panic!("the waivers load"),
        };
        let control = catalog
            .find(Regime::Nd85, "SSH-PASSWORD-AUTH")
            .expect("SSH-PASSWORD-AUTH");
        let mut findings = vec![Finding {
            control: Arc::clone(control),
            target: "server:h1".into(),
            status,
            level: None,
            message: "h1 accepts passwords over SSH".into(),
            evidence: String::new(),
            basis: vec![],
            location: None,
            waiver: None,
            regime: None,
            transition_debt: false,
        }];
        let today = date("2026-11-22");
        apply(
            &waivers,
            &mut findings,
            &catalog,
            &inv,
            &sources,
            Regime::Nd85,
            today,
            coverage,
        );
        findings
            .iter()
            .filter(|f| f.control.builtin() == Some(Builtin::Waiver(builtin)))
            .map(|f| {
                assert_eq!(f.status, Status::Fail, "{}", f.message);
                f.message.clone()
            })
            .collect()
    }

    fn waiver(expires: &str) -> String {
        format!(
            "[[waiver]]\ncontrol = \"SSH-PASSWORD-AUTH\"\ntarget = \"server:h1\"\nreason = \"legacy app\"\napproved_by = \"CISO\"\nexpires = {expires}\n"
        )
    }

    const SCANNED: Coverage = Coverage {
        hosts: true,
        partial: false,
    };
    const OFFLINE: Coverage = Coverage {
        hosts: false,
        partial: false,
    };

    #[test]
    fn waiver_expired_cases() {
        let cases: [(&str, String, Status, Option<&str>); 3] = [
            (
                "in force: nothing to report",
                waiver("2027-06-30"),
                Status::Fail,
                None,
            ),
            (
                "expired over a failure: it counts again",
                waiver("2026-01-31"),
                Status::Fail,
                Some(
                    "the waiver for SSH-PASSWORD-AUTH expired on 2026-01-31; 1 failure it covered counts again",
                ),
            ),
            (
                "expired over a pass: remove it",
                waiver("2026-01-31"),
                Status::Pass,
                Some(
                    "the waiver for SSH-PASSWORD-AUTH expired on 2026-01-31; it covers no failure now, remove it",
                ),
            ),
        ];
        for (name, text, status, expect) in cases {
            let got = run(&text, status, SCANNED, WaiverBuiltin::Expired);
            assert_eq!(got, expect.into_iter().collect::<Vec<_>>(), "{name}");
        }
    }

    #[test]
    fn waiver_unused_cases() {
        let elsewhere = waiver("2027-06-30").replace("server:h1", "network:lan");
        let cases: [(&str, String, Status, Coverage, Option<&str>); 4] = [
            (
                "waives a failure: used",
                waiver("2027-06-30"),
                Status::Fail,
                SCANNED,
                None,
            ),
            (
                "the control passes there now",
                waiver("2027-06-30"),
                Status::Pass,
                SCANNED,
                Some(
                    "the waiver for SSH-PASSWORD-AUTH covers no failure: the control passes there now",
                ),
            ),
            (
                "matches no finding",
                elsewhere.clone(),
                Status::Fail,
                SCANNED,
                Some(
                    "the waiver for SSH-PASSWORD-AUTH matches no finding: check its target and scope (the control applies to servers)",
                ),
            ),
            (
                "a host control that did not run (offline) is not judged",
                elsewhere,
                Status::Fail,
                OFFLINE,
                None,
            ),
        ];
        for (name, text, status, coverage, expect) in cases {
            let got = run(&text, status, coverage, WaiverBuiltin::Unused);
            assert_eq!(got, expect.into_iter().collect::<Vec<_>>(), "{name}");
        }
    }
}
