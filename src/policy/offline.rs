//! The controls decided from the inventory and the graph alone (`capdo check --offline`).
//!
//! Every control is evaluated on every target of its kind: `pass`, `fail`, or `not-applicable`
//! with the reason (below the control's level, nothing to check).

use jiff::civil::Date;

use super::catalog::{self, Check, Control, Source, tcvn14423, tt12_appendix};
use super::declarative;
use super::{Finding, Status};
use crate::diag::Loc;
use crate::graph::Graph;
use crate::inventory::{Inventory, Level, NodeRef, Regime, Role, Zone};

/// Everything an offline evaluation needs.
pub struct Context<'a> {
    pub inv: &'a Inventory,
    pub graph: &'a Graph,
    pub regime: Regime,
    /// The evaluation date (assessment ages are measured to it).
    pub today: Date,
}

pub fn evaluate(cx: &Context) -> Vec<Finding> {
    let mut out = Vec::new();
    for control in catalog::controls(cx.regime) {
        match (&control.check, control.source) {
            (Check::Builtin(name), Source::Inventory) => match *name {
                "level-underclassified" => underclassified(cx, control, &mut out),
                "dep-weaker-level" => weaker_dependency(cx, control, &mut out),
                "dep-cycle" => cycles(cx, control, &mut out),
                "ha-single-point" => single_points(cx, control, &mut out),
                "zone-placement" => zone_placement(cx, control, &mut out),
                "zone-required" => zones_required(cx, control, &mut out),
                "backup-declared" => backup_declared(cx, control, &mut out),
                "backup-offsite" => backup_offsite(cx, control, &mut out),
                "fourlayer-onsite"
                | "fourlayer-monitoring"
                | "fourlayer-assessment"
                | "fourlayer-national" => four_layer(cx, control, &mut out),
                _ => {}
            },
            (Check::Rule { .. }, Source::Inventory) | (Check::Manual, _) => {
                declarative::inventory_findings(control, cx.inv, cx.graph, &mut out)
            }
            _ => {}
        }
    }
    out
}

struct Builder<'c> {
    control: &'static Control,
    cx: &'c Context<'c>,
}

impl<'c> Builder<'c> {
    fn new(cx: &'c Context<'c>, control: &'static Control) -> Self {
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
            control: self.control,
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

fn underclassified(cx: &Context, control: &'static Control, out: &mut Vec<Finding>) {
    let b = Builder::new(cx, control);
    for (i, s) in cx.inv.systems.iter().enumerate() {
        let node = NodeRef::System(i);
        let req = &cx.graph.required[i];
        let decide = req.deciding();
        let evidence = format!(
            "required level {} by {}: {}",
            req.level, decide.basis, decide.reason
        );
        let (status, message, level) = match s.level {
            None => (
                Status::Fail,
                format!(
                    "{} declares no level; its attributes require level {}",
                    s.id, req.level
                ),
                req.level,
            ),
            Some(l) if l < req.level => (
                Status::Fail,
                format!(
                    "{} is declared at level {l} but its attributes require level {}",
                    s.id, req.level
                ),
                l,
            ),
            Some(l) => (
                Status::Pass,
                format!(
                    "{} is declared at level {l}; its attributes require level {}",
                    s.id, req.level
                ),
                l,
            ),
        };
        let mut f = b.finding(node, Some(level), status, message, evidence, &s.level_loc);
        f.basis.push(decide.basis.clone());
        out.push(f);
    }
}

fn weaker_dependency(cx: &Context, control: &'static Control, out: &mut Vec<Finding>) {
    let b = Builder::new(cx, control);
    for (i, s) in cx.inv.systems.iter().enumerate() {
        let node = NodeRef::System(i);
        let level = cx.graph.system_level(cx.inv, i);
        let systems: Vec<usize> = s
            .depends_on
            .iter()
            .filter_map(|d| match d {
                NodeRef::System(j) => Some(*j),
                _ => None,
            })
            .collect();
        if systems.is_empty() {
            out.push(b.not_applicable(
                node,
                Some(level),
                format!("{} depends on no other system", s.id),
            ));
            continue;
        }
        let weaker: Vec<String> = systems
            .iter()
            .filter(|&&j| cx.graph.system_level(cx.inv, j) < level)
            .map(|&j| {
                format!(
                    "{} (level {})",
                    cx.inv.systems[j].id,
                    cx.graph.system_level(cx.inv, j)
                )
            })
            .collect();
        let all: Vec<String> = systems
            .iter()
            .map(|&j| {
                format!(
                    "{} (level {})",
                    cx.inv.systems[j].id,
                    cx.graph.system_level(cx.inv, j)
                )
            })
            .collect();
        let evidence = format!("{} is level {level}; depends on {}", s.id, all.join(", "));
        let f = if weaker.is_empty() {
            b.finding(
                node,
                Some(level),
                Status::Pass,
                format!(
                    "every system {} depends on is level {level} or higher",
                    s.id
                ),
                evidence,
                &s.depends_loc,
            )
        } else {
            b.finding(
                node,
                Some(level),
                Status::Fail,
                format!(
                    "{} (level {level}) depends on lower-level {}",
                    s.id,
                    weaker.join(", ")
                ),
                evidence,
                &s.depends_loc,
            )
        };
        out.push(f);
    }
}

fn cycles(cx: &Context, control: &'static Control, out: &mut Vec<Finding>) {
    let b = Builder::new(cx, control);
    let cycles = cx.graph.dependency_cycles(cx.inv);
    for (i, s) in cx.inv.systems.iter().enumerate() {
        let node = NodeRef::System(i);
        let level = Some(cx.graph.system_level(cx.inv, i));
        let on = cycles
            .binary_search_by_key(&i, |c| c[0])
            .ok()
            .map(|k| &cycles[k]);
        let f = match on {
            Some(cycle) => {
                let path: Vec<&str> = cycle
                    .iter()
                    .map(|&j| cx.inv.systems[j].id.as_str())
                    .collect();
                b.finding(
                    node,
                    level,
                    Status::Fail,
                    format!("{} is on a dependency cycle: {}", s.id, path.join(" → ")),
                    format!("cycle: {}", path.join(" → ")),
                    &s.depends_loc,
                )
            }
            None => b.finding(
                node,
                level,
                Status::Pass,
                format!("{} is on no dependency cycle", s.id),
                String::new(),
                &s.depends_loc,
            ),
        };
        out.push(f);
    }
}

/// Great-circle distance in km.
fn distance_km(a: (f64, f64), b: (f64, f64)) -> f64 {
    let (la1, lo1) = (a.0.to_radians(), a.1.to_radians());
    let (la2, lo2) = (b.0.to_radians(), b.1.to_radians());
    let h = ((la2 - la1) / 2.0).sin().powi(2)
        + la1.cos() * la2.cos() * ((lo2 - lo1) / 2.0).sin().powi(2);
    2.0 * 6371.0 * h.sqrt().asin()
}

fn single_points(cx: &Context, control: &'static Control, out: &mut Vec<Finding>) {
    let b = Builder::new(cx, control);
    for (i, s) in cx.inv.systems.iter().enumerate() {
        let node = NodeRef::System(i);
        let level = cx.graph.system_level(cx.inv, i);
        if !control.applies_at(Some(level)) {
            out.push(b.below_level(node, Some(level)));
            continue;
        }
        if s.servers.is_empty() {
            out.push(b.not_applicable(
                node,
                Some(level),
                format!("{} declares no servers in this inventory", s.id),
            ));
            continue;
        }
        let mut problems = Vec::new();
        let mut groups = Vec::new();
        for (role, servers) in &cx.graph.role_groups[i] {
            let name = role.map(Role::as_str).unwrap_or("(no role)");
            let ids: Vec<&str> = servers
                .iter()
                .map(|&x| cx.inv.servers[x].id.as_str())
                .collect();
            groups.push(format!("{name}: {}", ids.join(", ")));
            if servers.len() < 2 {
                problems.push(format!(
                    "role {name} has a single server ({})",
                    ids.join(", ")
                ));
            }
        }
        let mut basis_extra = vec![match cx.regime {
            Regime::Nd85 => tt12_appendix(level, "II.1.b"),
            Regime::Nd331 => tcvn14423(level, "12.2.2"),
        }];
        let mut evidence = groups.join("; ");
        if level.get() >= 5 {
            let dcs: std::collections::BTreeSet<usize> = s
                .servers
                .iter()
                .map(|&x| cx.inv.server_datacenter(x))
                .collect();
            let coords: Vec<(usize, (f64, f64))> = dcs
                .iter()
                .filter_map(|&d| cx.inv.datacenters[d].coordinates.map(|c| (d, c)))
                .collect();
            let far = coords
                .iter()
                .any(|(_, a)| coords.iter().any(|(_, c)| distance_km(*a, *c) >= 30.0));
            let names: Vec<&str> = dcs
                .iter()
                .map(|&d| cx.inv.datacenters[d].id.as_str())
                .collect();
            evidence.push_str(&format!("; datacenters: {}", names.join(", ")));
            if dcs.len() < 2 {
                problems.push(format!(
                    "all servers are in one datacenter ({})",
                    names.join(", ")
                ));
            } else if coords.len() == dcs.len() && !far {
                problems.push("no two of its datacenters are 30 km or more apart".into());
            } else if coords.len() < dcs.len() {
                problems.push("the datacenters' coordinates are not all declared, so the 30 km distance cannot be shown".into());
            }
            basis_extra.push(match cx.regime {
                Regime::Nd85 => tt12_appendix(level, "II.1.b (≥ 30 km)"),
                Regime::Nd331 => tcvn14423(level, "12.2.2 (≥ 30 km)"),
            });
        }
        let mut f = if problems.is_empty() {
            b.finding(
                node,
                Some(level),
                Status::Pass,
                format!("every role of {} has at least two servers", s.id),
                evidence,
                &s.loc,
            )
        } else {
            b.finding(
                node,
                Some(level),
                Status::Fail,
                format!("{}: {}", s.id, problems.join("; ")),
                evidence,
                &s.loc,
            )
        };
        f.basis.extend(basis_extra);
        out.push(f);
    }
}

fn server_level(cx: &Context, i: usize) -> Option<Level> {
    cx.graph.server_levels[i].as_ref().map(|s| s.level)
}

fn zone_placement(cx: &Context, control: &'static Control, out: &mut Vec<Finding>) {
    let b = Builder::new(cx, control);
    for (i, s) in cx.inv.servers.iter().enumerate() {
        let node = NodeRef::Server(i);
        let level = server_level(cx, i);
        let zone = cx.inv.server_zone(i);
        let network = &cx.inv.networks[s.network].id;
        let mut problems = Vec::new();
        let is_db = s.roles.contains(&Role::Database);
        if is_db
            && matches!(
                zone,
                Zone::Dmz | Zone::InternetEdge | Zone::User | Zone::Wireless
            )
        {
            problems.push(format!("a database server in the {} zone", zone.as_str()));
        } else if is_db && level.is_some_and(|l| l.get() >= 3) && zone != Zone::Database {
            problems.push(format!(
                "a level-{} database server outside the database zone (in {})",
                level.map(|l| l.get()).unwrap_or(0),
                zone.as_str()
            ));
        }
        if level.is_some_and(|l| l.get() >= 3) && matches!(zone, Zone::User | Zone::Wireless) {
            problems.push(format!(
                "a level-{} server in the {} zone",
                level.map(|l| l.get()).unwrap_or(0),
                zone.as_str()
            ));
        }
        let roles: Vec<&str> = s.roles.iter().map(|r| r.as_str()).collect();
        let evidence = format!(
            "network {network} (zone {}); roles: {}; effective level: {}",
            zone.as_str(),
            if roles.is_empty() {
                "none".into()
            } else {
                roles.join(", ")
            },
            level
                .map(|l| l.to_string())
                .unwrap_or_else(|| "none".into())
        );
        let f = if problems.is_empty() {
            b.finding(
                node,
                level,
                Status::Pass,
                format!("{} sits in an allowed zone ({})", s.id, zone.as_str()),
                evidence,
                &s.network_loc,
            )
        } else {
            b.finding(
                node,
                level,
                Status::Fail,
                format!("{} is {}", s.id, problems.join(" and ")),
                evidence,
                &s.network_loc,
            )
        };
        out.push(f);
    }
}

/// Zones required at a level (TT 12 appendices, section II.1.a; regulations.md §5.2).
pub fn required_zones(level: Level) -> Vec<Zone> {
    let mut z = vec![Zone::User, Zone::InternetEdge, Zone::Dmz];
    if level.get() >= 2 {
        z.push(Zone::Server);
    }
    if level.get() >= 3 {
        z.push(Zone::Database);
        z.push(Zone::Management);
    }
    if level.get() >= 4 {
        z.push(Zone::DeviceManagement);
    }
    z
}

fn zones_required(cx: &Context, control: &'static Control, out: &mut Vec<Finding>) {
    let b = Builder::new(cx, control);
    for (d, dc) in cx.inv.datacenters.iter().enumerate() {
        let node = NodeRef::Datacenter(d);
        let Some((level, sys)) = cx.graph.datacenter_levels[d] else {
            out.push(b.not_applicable(node, None, format!("{} runs no system's servers", dc.id)));
            continue;
        };
        let present: std::collections::BTreeSet<Zone> = cx
            .inv
            .networks
            .iter()
            .filter(|n| n.datacenter == d)
            .map(|n| n.zone)
            .collect();
        let missing: Vec<&str> = required_zones(level)
            .into_iter()
            .filter(|z| !present.contains(z))
            .map(|z| z.as_str())
            .collect();
        let have: Vec<&str> = present.iter().map(|z| z.as_str()).collect();
        let evidence = format!(
            "hosts systems up to level {level} ({}); zones present: {}",
            cx.inv.systems[sys].id,
            if have.is_empty() {
                "none".into()
            } else {
                have.join(", ")
            }
        );
        let f = if missing.is_empty() {
            b.finding(
                node,
                Some(level),
                Status::Pass,
                format!("{} has every zone level {level} requires", dc.id),
                evidence,
                &dc.loc,
            )
        } else {
            b.finding(
                node,
                Some(level),
                Status::Fail,
                format!(
                    "{} lacks the {} zone(s) required at level {level}",
                    dc.id,
                    missing.join(", ")
                ),
                evidence,
                &dc.loc,
            )
        };
        out.push(f);
    }
}

fn backup_declared(cx: &Context, control: &'static Control, out: &mut Vec<Finding>) {
    let b = Builder::new(cx, control);
    for (i, s) in cx.inv.servers.iter().enumerate() {
        let node = NodeRef::Server(i);
        let level = server_level(cx, i);
        let data_roles: Vec<&str> = s
            .roles
            .iter()
            .filter(|r| matches!(r, Role::Database | Role::File | Role::Storage))
            .map(|r| r.as_str())
            .collect();
        if data_roles.is_empty() {
            out.push(b.not_applicable(
                node,
                level,
                format!("{} has no database, file or storage role", s.id),
            ));
            continue;
        }
        if s.roles.contains(&Role::Backup) {
            out.push(b.not_applicable(
                node,
                level,
                format!("{} is a backup server: it holds the copies", s.id),
            ));
            continue;
        }
        let f = match &s.backup {
            Some(bk) => b.finding(
                node,
                level,
                Status::Pass,
                format!(
                    "{} backs up to {} ({})",
                    s.id,
                    cx.inv.servers[bk.to].id,
                    bk.schedule.as_str()
                ),
                format!(
                    "roles: {}; backup.to = {}",
                    data_roles.join(", "),
                    cx.inv.servers[bk.to].id
                ),
                &bk.loc,
            ),
            None => b.finding(
                node,
                level,
                Status::Fail,
                format!(
                    "{} holds data ({}) but declares no backup",
                    s.id,
                    data_roles.join(", ")
                ),
                format!("roles: {}; no `backup` key", data_roles.join(", ")),
                &s.loc,
            ),
        };
        out.push(f);
    }
}

fn backup_offsite(cx: &Context, control: &'static Control, out: &mut Vec<Finding>) {
    let b = Builder::new(cx, control);
    for (i, s) in cx.inv.servers.iter().enumerate() {
        let node = NodeRef::Server(i);
        let level = server_level(cx, i);
        if !control.applies_at(level) {
            out.push(b.below_level(node, level));
            continue;
        }
        let Some(bk) = &s.backup else {
            out.push(b.not_applicable(node, level, format!("{} declares no backup", s.id)));
            continue;
        };
        let here = cx.inv.server_datacenter(i);
        let there = cx.inv.server_datacenter(bk.to);
        let (here_id, there_id) = (&cx.inv.datacenters[here].id, &cx.inv.datacenters[there].id);
        let evidence = format!(
            "{} is in datacenter {here_id}; backup target {} is in datacenter {there_id}",
            s.id, cx.inv.servers[bk.to].id
        );
        let f = if here == there {
            b.finding(
                node,
                level,
                Status::Fail,
                format!(
                    "{} backs up to {} in the same datacenter ({here_id})",
                    s.id, cx.inv.servers[bk.to].id
                ),
                evidence,
                &bk.loc,
            )
        } else {
            b.finding(
                node,
                level,
                Status::Pass,
                format!("{} backs up off-site, to {there_id}", s.id),
                evidence,
                &bk.loc,
            )
        };
        out.push(f);
    }
}

/// Longest age allowed for the last independent assessment, in months.
pub fn assessment_max_months(regime: Regime, level: Level) -> i32 {
    match (regime, level.get()) {
        (Regime::Nd85, 1..=2) => 24,
        (Regime::Nd85, 3..=4) => 12,
        (Regime::Nd85, _) => 6,
        (Regime::Nd331, 1..=2) => 12,
        (Regime::Nd331, 3..=4) => 6,
        (Regime::Nd331, _) => 3,
    }
}

fn four_layer(cx: &Context, control: &'static Control, out: &mut Vec<Finding>) {
    let b = Builder::new(cx, control);
    for (i, s) in cx.inv.systems.iter().enumerate() {
        let node = NodeRef::System(i);
        let level = cx.graph.system_level(cx.inv, i);
        let p = cx.inv.system_protection(i);
        let own = &s.protection;
        let whose = |own_set: bool| {
            if own_set {
                "the system"
            } else {
                "the organization"
            }
        };
        // Layers 1 and 2 are attested by naming who provides them.
        let named =
            |value: &Option<String>, own_set: bool, key: &str, ok: String, missing: String| {
                match value {
                    Some(t) if !t.trim().is_empty() => (
                        true,
                        ok,
                        format!("{key} = \"{t}\" (from {})", whose(own_set)),
                        s.loc.clone(),
                    ),
                    _ => (
                        false,
                        missing,
                        format!("protection.{key} is not set"),
                        s.loc.clone(),
                    ),
                }
            };
        let layer = match control.check {
            Check::Builtin(name) => name,
            _ => "",
        };
        let (ok, message, evidence, loc) = match layer {
            "fourlayer-onsite" => named(
                &p.onsite_team,
                own.onsite_team.is_some(),
                "onsite_team",
                format!("{} has an on-site security team", s.id),
                format!("no on-site security team is named for {}", s.id),
            ),
            "fourlayer-monitoring" => named(
                &p.monitoring_provider,
                own.monitoring_provider.is_some(),
                "monitoring_provider",
                format!("{} is monitored by a professional provider", s.id),
                format!("no professional monitoring provider is named for {}", s.id),
            ),
            "fourlayer-national" => match p.national_monitoring {
                Some(true) => (
                    true,
                    format!("{} is connected to the national monitoring system", s.id),
                    format!(
                        "national_monitoring = true (from {})",
                        whose(own.national_monitoring.is_some())
                    ),
                    s.loc.clone(),
                ),
                Some(false) => (
                    false,
                    format!(
                        "{} is not connected to the national monitoring system",
                        s.id
                    ),
                    format!(
                        "national_monitoring = false (from {})",
                        whose(own.national_monitoring.is_some())
                    ),
                    s.loc.clone(),
                ),
                None => (
                    false,
                    format!(
                        "no connection to the national monitoring system is attested for {}",
                        s.id
                    ),
                    "protection.national_monitoring is not set".into(),
                    s.loc.clone(),
                ),
            },
            _ => {
                let max = assessment_max_months(cx.regime, level);
                let loc = p
                    .locs
                    .last_assessment
                    .clone()
                    .unwrap_or_else(|| s.loc.clone());
                match p.last_assessment {
                    None => (
                        false,
                        format!("no independent assessment of {} is recorded", s.id),
                        "protection.last_assessment is not set".into(),
                        loc,
                    ),
                    Some(date) => {
                        let limit = cx
                            .today
                            .checked_sub(jiff::Span::new().months(max))
                            .unwrap_or(cx.today);
                        let evidence = format!(
                            "last_assessment = {date} (from {}); at level {level} the assessment may be at most {max} months old, so on {} it must be on or after {limit}",
                            whose(own.last_assessment.is_some()),
                            cx.today
                        );
                        if date > cx.today {
                            (
                                false,
                                format!(
                                    "the last assessment date of {} ({date}) is in the future",
                                    s.id
                                ),
                                evidence,
                                loc,
                            )
                        } else if date < limit {
                            (
                                false,
                                format!(
                                    "the last independent assessment of {} ({date}) is older than {max} months",
                                    s.id
                                ),
                                evidence,
                                loc,
                            )
                        } else {
                            (
                                true,
                                format!("{} was assessed independently on {date}", s.id),
                                evidence,
                                loc,
                            )
                        }
                    }
                }
            }
        };
        let status = if ok { Status::Pass } else { Status::Fail };
        out.push(b.finding(node, Some(level), status, message, evidence, &loc));
    }
}
