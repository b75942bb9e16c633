//! The `check` use case, in the order of DESIGN.md's pipeline: the inventory and its graph per
//! regime → the inventory controls → (unless offline) the hosts scanned or replayed and the host
//! controls → only the servers asked for → transition debt → waivers → the exit gate → the
//! report model.
//!
//! Plan in, outcome out: everything it reads is an argument (the inventory, the waivers, the
//! evaluation date, a [`Transport`] to the hosts); it prints nothing and writes no file. The
//! command line renders the outcome and writes the evidence bundle.

use std::collections::{BTreeMap, BTreeSet};

use crate::collect::hosts::Options;
use crate::collect::record::FactsFile;
use crate::collect::scan::Progress;
use crate::collect::transport::Transport;
use crate::diag::Sources;
use crate::exit::Exit;
use crate::graph::Graph;
use crate::inventory::{Inventory, NodeRef, Regime};
use crate::policy::catalog::{Catalog, Source as Decided};
use crate::policy::waiver::{self, Waiver};
use crate::policy::{self, Finding, Lang, Severity, Status, offline, online};
use crate::report::{self, JudgedBy, Report};

/// The regimes a check judges by.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Regimes {
    One(Regime),
    /// `--regime both`: each regime in turn; findings name their regime and the current
    /// regime's new failures are marked as transition debt. Targets and levels follow `main`.
    Both {
        main: Regime,
    },
}

impl Regimes {
    /// The regime that decides the targets' levels and the waivers.
    pub fn main(self) -> Regime {
        match self {
            Regimes::One(r) | Regimes::Both { main: r } => r,
        }
    }

    pub fn list(self) -> Vec<Regime> {
        match self {
            Regimes::One(r) => vec![r],
            Regimes::Both { .. } => vec![Regime::Nd85, Regime::Nd331],
        }
    }

    fn both(self) -> bool {
        matches!(self, Regimes::Both { .. })
    }

    /// As the report records it.
    pub fn judged_by(self) -> JudgedBy {
        match self {
            Regimes::One(r) => JudgedBy::One(r),
            Regimes::Both { .. } => JudgedBy::Both,
        }
    }
}

/// Where host facts come from.
pub enum Hosts<'a> {
    /// No host is read: the host controls that apply are counted as not made.
    Offline,
    /// Each server is read through `transport`: live SSH, or a replay of a saved scan.
    Scan {
        transport: &'a dyn Transport,
        options: &'a Options,
        jobs: usize,
        progress: &'a dyn Progress,
        /// Keep each host's raw output in [`CheckOutcome::scan`] (for an evidence bundle);
        /// otherwise it is dropped as soon as the host's output is parsed.
        keep_raw: bool,
    },
}

/// What to check, and how to judge it.
pub struct CheckPlan<'a> {
    pub regimes: Regimes,
    /// The servers to check (indices into the inventory).
    pub servers: Vec<usize>,
    /// Only the servers asked for: findings elsewhere are dropped (and waivers know it).
    pub partial: bool,
    pub hosts: Hosts<'a>,
    /// The evaluation date of age checks and waiver expiry.
    pub today: jiff::civil::Date,
    /// Time stamp written into the report and the scan record (RFC 3339).
    pub generated_at: String,
    pub fail_on: Severity,
    pub lang: Lang,
}

/// What a check concluded.
pub struct CheckOutcome {
    pub report: Report,
    pub exit: Exit,
    /// The graph of the main regime, which the report's views draw.
    pub graph: Graph,
    /// What was read from the hosts (not offline); with their raw output only when the plan
    /// asked to keep it.
    pub scan: Option<FactsFile>,
}

/// Run a check: judge `inv` (its files in `sources`) by the controls of `catalog` under `plan`,
/// with `waivers` applied.
pub fn run(
    catalog: &Catalog,
    inv: &Inventory,
    sources: &Sources,
    waivers: &[Waiver],
    plan: CheckPlan,
) -> CheckOutcome {
    let main = plan.regimes.main();
    let mut graphs: Vec<(Regime, Graph)> = plan
        .regimes
        .list()
        .into_iter()
        .map(|r| (r, Graph::build(inv, r)))
        .collect();
    let tag = |mut found: Vec<Finding>, r: Regime| {
        if plan.regimes.both() {
            for f in &mut found {
                f.regime = Some(r);
            }
        }
        found
    };

    let mut findings = Vec::new();
    for (r, g) in &graphs {
        let cx = offline::Context {
            catalog,
            inv,
            graph: g,
            regime: *r,
            today: plan.today,
        };
        findings.extend(tag(offline::evaluate(&cx), *r));
    }
    let main_at = graphs.iter().position(|(r, _)| *r == main).unwrap_or(0);
    let mut targets = report::offline_targets(inv, &graphs[main_at].1);

    let mut facts = serde_json::Map::new();
    let mut scan = None;
    let mut not_scanned = BTreeMap::new();
    match plan.hosts {
        Hosts::Scan {
            transport,
            options,
            jobs,
            progress,
            keep_raw,
        } => {
            let collected = crate::collect::collect(
                inv,
                &plan.servers,
                transport,
                options,
                jobs,
                progress,
                plan.generated_at.clone(),
                if keep_raw {
                    crate::collect::Keep::All
                } else {
                    crate::collect::Keep::Facts
                },
            );
            for (r, g) in &graphs {
                let ocx = online::Context {
                    catalog,
                    inv,
                    graph: g,
                    regime: *r,
                    hosts: &collected.hosts,
                    record: &collected.record.hosts,
                };
                findings.extend(tag(online::evaluate(&ocx), *r));
            }
            report::apply_scan(&mut targets, inv, &collected);
            for (id, rec) in &collected.record.hosts {
                facts.insert(id.clone(), serde_json::Value::Object(rec.facts.clone()));
            }
            scan = Some(collected.record);
        }
        // Offline, the host checks that apply were not made: say how many, per level.
        Hosts::Offline => {
            for &s in &plan.servers {
                for (r, g) in &graphs {
                    let level = g.level_of(inv, NodeRef::Server(s));
                    let n = catalog
                        .controls(*r)
                        .iter()
                        .filter(|c| c.source == Decided::Host && c.applies_at(level))
                        .count();
                    *not_scanned.entry(level.map(|l| l.get())).or_insert(0) += n;
                }
            }
        }
    }
    let offline = scan.is_none();

    if plan.partial {
        let keep: BTreeSet<String> = plan
            .servers
            .iter()
            .map(|&i| inv.target_id(NodeRef::Server(i)))
            .collect();
        findings.retain(|f| keep.contains(&f.target));
        targets.retain(|t| keep.contains(&t.id));
    }
    if plan.regimes.both() {
        policy::mark_transition_debt(&mut findings);
    }
    let coverage = waiver::Coverage {
        hosts: !offline,
        partial: plan.partial,
    };
    waiver::apply(
        waivers,
        &mut findings,
        catalog,
        inv,
        sources,
        main,
        plan.today,
        coverage,
    );

    let failed = findings
        .iter()
        .any(|f| f.status == Status::Fail && f.control.severity >= plan.fail_on);
    let unproven = targets.iter().any(|t| t.error.is_some())
        || findings
            .iter()
            .any(|f| f.status == Status::Error && f.control.severity >= plan.fail_on);
    let meta = report::Meta {
        regime: plan.regimes.judged_by(),
        lang: plan.lang,
        generated_at: plan.generated_at,
    };
    let report = report::build(findings, targets, facts, &not_scanned, sources, &meta);
    CheckOutcome {
        report,
        exit: Exit::gate(failed, unproven),
        graph: graphs.swap_remove(main_at).1,
        scan,
    }
}
