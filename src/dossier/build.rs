//! The data of one system's dossier, prepared in Vietnamese for the templates: every value a
//! template shows is here, already worded, with `vi::BLANK` where a person must fill it in.

use std::collections::BTreeSet;
use std::net::IpAddr;

use ipnetwork::IpNetwork;
use serde::Serialize;

use super::report::{Standing, Tally};
use super::{Input, vi};
use crate::graph::{Graph, Node, export};
use crate::inventory::{Endpoint, Inventory, Level, NodeRef, Regime, Role, Schedule};
use crate::policy::builtin::DossierScope;
use crate::policy::catalog::AppliesTo;
use crate::policy::catalog::Source;
use crate::policy::{Catalog, Control, Lang};

#[derive(Debug, Serialize)]
pub struct Dossier {
    /// What a cell or line says when a person must complete it.
    pub manual: &'static str,
    pub law: Law,
    pub date: String,
    pub tool_version: &'static str,
    pub system: Sys,
    pub owner: Party,
    pub operator: Party,
    pub security_unit: String,
    pub scope: Scope,
    pub mermaid: String,
    pub devices: Vec<Device>,
    pub apps: Vec<App>,
    pub zones: Vec<ZoneRow>,
    pub level: LevelInfo,
    pub plan: Plan,
    pub sections: Vec<Section>,
    /// The cover forms, under NĐ 331/2026 only (null otherwise).
    pub forms: Option<Forms>,
}

/// The regime's instruments as the templates cite them (`law.decree`, `law.abbr`, …).
#[derive(Debug, Serialize)]
pub struct Law {
    #[serde(flatten)]
    pub instruments: vi::Instruments,
    pub nd331: bool,
}

#[derive(Debug, Serialize)]
pub struct Sys {
    pub id: String,
    pub name: String,
    pub description: String,
    pub kind: &'static str,
    pub kind_clause: String,
    pub information: String,
    pub information_clause: String,
    pub personal_basic: String,
    pub personal_sensitive: String,
    pub users: String,
    pub public_names: String,
    pub always_on: &'static str,
    pub declared_level: String,
    pub approval: String,
}

#[derive(Debug, Serialize)]
pub struct Party {
    pub name: String,
    pub address: String,
    pub contacts: Vec<Contact>,
}

#[derive(Debug, Serialize)]
pub struct Contact {
    pub name: String,
    pub role: String,
    pub phone: String,
    pub email: String,
}

#[derive(Debug, Serialize)]
pub struct Scope {
    pub servers: usize,
    pub datacenters: String,
    pub connected: Vec<Connected>,
    pub users: String,
    pub personal_data: String,
    pub public_names: String,
    pub availability: String,
}

#[derive(Debug, Serialize)]
pub struct Connected {
    pub id: String,
    pub name: String,
    pub relation: &'static str,
    pub level: String,
}

#[derive(Debug, Serialize)]
pub struct Device {
    pub stt: usize,
    pub id: String,
    pub name: String,
    pub roles: String,
    pub os: String,
    pub datacenter: String,
    pub zone: String,
    pub addresses: String,
}

#[derive(Debug, Serialize)]
pub struct App {
    pub stt: usize,
    pub service: String,
    pub host: String,
    pub location: String,
    pub os: String,
    pub purpose: String,
}

#[derive(Debug, Serialize)]
pub struct ZoneRow {
    pub stt: usize,
    pub zone: String,
    pub network: String,
    pub function: String,
    pub private: String,
    pub public: String,
    pub vlan: String,
    pub datacenter: String,
    pub policy: String,
}

#[derive(Debug, Serialize)]
pub struct CriterionRow {
    pub level: u8,
    pub basis: String,
    pub text: String,
    pub facts: String,
}

#[derive(Debug, Serialize)]
pub struct Higher {
    pub level: u8,
    pub criteria: Vec<CriterionRow>,
}

#[derive(Debug, Serialize)]
pub struct LevelInfo {
    pub proposed: u8,
    pub required: u8,
    pub declared: String,
    /// Said when the declared level differs from the required one.
    pub note: String,
    pub deciding: CriterionRow,
    pub matched: Vec<CriterionRow>,
    pub higher: Vec<Higher>,
    /// Level 4–5 extras (TT 12 Đ8.5 / NĐ 331 Đ22.5).
    pub extras: bool,
    pub related: Vec<Connected>,
    /// Systems that stop when this one fails.
    pub stops: Vec<String>,
    pub always_on: String,
}

#[derive(Debug, Serialize)]
pub struct Plan {
    pub level: u8,
    pub rows: Vec<Row>,
    pub counts: Vec<Count>,
    /// Where statuses come from.
    pub source: String,
}

#[derive(Debug, Serialize)]
pub struct Count {
    pub label: &'static str,
    pub n: usize,
}

#[derive(Debug, Serialize)]
pub struct Row {
    pub stt: usize,
    pub id: String,
    pub title: String,
    pub basis: String,
    pub implementation: String,
    pub status: &'static str,
    pub evidence: String,
    pub remediation: String,
    #[serde(skip)]
    pub met: Option<Standing>,
}

#[derive(Debug, Serialize)]
pub struct Section {
    pub letter: &'static str,
    pub heading: String,
    pub filled: Vec<String>,
    pub todo: Vec<String>,
}

#[derive(Debug, Serialize)]
pub struct Forms {
    /// Mẫu 01 (levels 1–2) or Mẫu 02 (levels 3–5).
    pub request_form: &'static str,
    pub request_title: &'static str,
    pub request_to: String,
    pub sender: String,
    pub address: String,
    pub attachments: Vec<String>,
    /// Mẫu 02's footnote: ask for listing as a system important to national security.
    pub security_list: bool,
    pub submission_to: String,
    pub submission_attachments: Vec<String>,
}

fn or_blank(s: Option<&str>) -> String {
    match s {
        Some(s) if !s.trim().is_empty() => s.to_owned(),
        _ => vi::BLANK.to_owned(),
    }
}

fn join_or(items: &[String], empty: &str) -> String {
    if items.is_empty() {
        empty.to_owned()
    } else {
        items.join(", ")
    }
}

/// Private (RFC 1918, ULA, link-local, loopback) as opposed to public addresses.
fn is_private(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => v4.is_private() || v4.is_loopback() || v4.is_link_local(),
        IpAddr::V6(v6) => {
            let s = v6.segments()[0];
            v6.is_loopback() || (s & 0xfe00) == 0xfc00 || (s & 0xffc0) == 0xfe80
        }
    }
}

/// The level the dossier proposes: the declared level, unless the criteria require more (a
/// dossier may not propose less than the criteria require: NĐ 331 Đ8.3 forbids lowering a level
/// on paper, and NĐ 85 Đ5.2 / NĐ 331 Đ8.2 take the highest criterion met).
pub fn proposed_level(inv: &Inventory, g: &Graph, system: usize) -> Level {
    let required = g.required[system].level;
    inv.systems[system]
        .level
        .map_or(required, |d| d.max(required))
}

/// What the dossier covers of the inventory: the targets whose findings belong to the system.
pub use crate::report::SystemTargets as Targets;

/// The requirements of the protection plan at `level`: every control that applies at it and
/// whose target is part of a system (the system, its servers, networks and datacenters, the
/// organisation). The waiver controls are about the waivers file, not requirements of a level.
/// The requirements of `level` under `regime`: every control of the regime's pack that
/// applies there, human attestations included; the waiver findings are not requirements.
pub fn requirements(
    catalog: &Catalog,
    regime: Regime,
    level: Level,
) -> impl Iterator<Item = &std::sync::Arc<Control>> {
    catalog
        .controls(regime)
        .iter()
        .filter(move |c| c.applies_at(Some(level)) && c.source != Source::Waivers)
}

pub fn dossier(input: &Input, g: &Graph, system: usize) -> Dossier {
    let inv = input.inv;
    let s = &inv.systems[system];
    let law = vi::instruments(input.regime);
    let targets = Targets::of(inv, system);
    let level = proposed_level(inv, g, system);
    let (kind, point) = vi::kind(s.kind);
    let info: Vec<String> = s
        .information
        .iter()
        .map(|&t| vi::info_type(t).to_owned())
        .collect();
    let approval = match &s.approval {
        None => "Chưa khai báo".to_owned(),
        Some(a) => {
            let mut t = vi::approval_status(a.status).to_owned();
            if let Some(d) = &a.decision {
                t.push_str(&format!(": Quyết định số {d}"));
            }
            if let Some(d) = a.date {
                t.push_str(&format!(" ngày {}", vi::date(d)));
            }
            if let Some(by) = &a.authority {
                t.push_str(&format!(" ({by})"));
            }
            t
        }
    };
    let public_names = join_or(&s.public_names, "Không có");
    let sys = Sys {
        id: s.id.clone(),
        name: s.name.clone(),
        description: or_blank(s.description.as_deref()),
        kind,
        kind_clause: format!("{}.2.{point}", law.classification_article),
        information: join_or(&info, "Chưa khai báo"),
        information_clause: format!("{}.1", law.classification_article),
        personal_basic: vi::number(s.personal_data.basic),
        personal_sensitive: vi::number(s.personal_data.sensitive),
        users: s.users.map(vi::number).unwrap_or_else(|| vi::BLANK.into()),
        public_names: public_names.clone(),
        always_on: vi::yes_no(s.always_on),
        declared_level: s
            .level
            .map(|l| l.to_string())
            .unwrap_or_else(|| "chưa khai báo".into()),
        approval,
    };
    let org = &inv.organization;
    let contacts: Vec<Contact> = org
        .contacts
        .iter()
        .map(|c| Contact {
            name: c.name.clone(),
            role: c.role.clone().unwrap_or_else(|| "—".into()),
            phone: c.phone.clone().unwrap_or_else(|| vi::BLANK.into()),
            email: c.email.clone().unwrap_or_else(|| vi::BLANK.into()),
        })
        .collect();
    let owner = Party {
        name: s
            .owner
            .clone()
            .or_else(|| org.owner.clone())
            .unwrap_or_else(|| org.name.clone()),
        address: or_blank(org.address.as_deref()),
        contacts: Vec::new(),
    };
    let operator = Party {
        name: or_blank(s.operator.as_deref().or(org.operator.as_deref())),
        address: vi::BLANK.into(),
        contacts,
    };
    let level_text = |n: NodeRef| {
        g.level_of(inv, n)
            .map(|l| l.to_string())
            .unwrap_or_else(|| "—".into())
    };
    let mut connected = Vec::new();
    for &d in &s.depends_on {
        connected.push(Connected {
            id: inv.target_id(d),
            name: node_name(inv, d),
            relation: "hệ thống này phụ thuộc",
            level: level_text(d),
        });
    }
    for (i, other) in inv.systems.iter().enumerate() {
        if other.depends_on.contains(&NodeRef::System(system)) {
            connected.push(Connected {
                id: inv.target_id(NodeRef::System(i)),
                name: other.name.clone(),
                relation: "phụ thuộc vào hệ thống này",
                level: level_text(NodeRef::System(i)),
            });
        }
    }
    let dc_names: Vec<String> = targets
        .datacenters
        .iter()
        .map(|&d| inv.datacenters[d].name.clone())
        .collect();
    let scope = Scope {
        servers: targets.servers.len(),
        datacenters: join_or(&dc_names, "Chưa khai báo"),
        connected,
        users: s
            .users
            .map(|u| format!("{} người sử dụng", vi::number(u)))
            .unwrap_or_else(|| vi::BLANK.into()),
        personal_data: format!(
            "{} chủ thể dữ liệu cá nhân cơ bản, {} chủ thể dữ liệu cá nhân nhạy cảm",
            vi::number(s.personal_data.basic),
            vi::number(s.personal_data.sensitive)
        ),
        public_names,
        availability: if s.always_on {
            "Yêu cầu vận hành 24/7, không chấp nhận ngừng vận hành ngoài kế hoạch".into()
        } else {
            "Không khai báo yêu cầu vận hành 24/7".into()
        },
    };
    // The export escapes every label for Mermaid (crate::escape::mermaid).
    let mermaid = export::mermaid(inv, g, Some(Node::Item(NodeRef::System(system))));
    Dossier {
        manual: vi::MANUAL,
        date: vi::date(input.today),
        tool_version: env!("CARGO_PKG_VERSION"),
        devices: devices(inv, &targets),
        apps: apps(inv, &targets),
        zones: zones(inv, &targets),
        level: level_info(inv, g, input.regime, system, level),
        plan: plan(input, g, system, level, &targets),
        sections: sections(input, g, system, level, &targets),
        forms: (input.regime == Regime::Nd331).then(|| forms(inv, system, level)),
        security_unit: or_blank(org.security_unit.as_deref()),
        law: Law {
            instruments: law,
            nd331: input.regime == Regime::Nd331,
        },
        system: sys,
        owner,
        operator,
        scope,
        mermaid,
    }
}

fn node_name(inv: &Inventory, n: NodeRef) -> String {
    match n {
        NodeRef::System(i) => inv.systems[i].name.clone(),
        NodeRef::External(i) => inv.externals[i].name.clone(),
        NodeRef::Datacenter(i) => inv.datacenters[i].name.clone(),
        NodeRef::Network(i) => inv.networks[i]
            .name
            .clone()
            .unwrap_or_else(|| inv.networks[i].id.clone()),
        NodeRef::Server(i) => inv.servers[i]
            .name
            .clone()
            .unwrap_or_else(|| inv.servers[i].id.clone()),
    }
}

fn roles(roles: &[Role]) -> String {
    if roles.is_empty() {
        return "Chưa khai báo".into();
    }
    roles
        .iter()
        .map(|&r| vi::role(r))
        .collect::<Vec<_>>()
        .join(", ")
}

fn os(inv: &Inventory, server: usize) -> String {
    inv.servers[server]
        .os
        .clone()
        .unwrap_or_else(|| "Chưa khai báo".into())
}

fn devices(inv: &Inventory, t: &Targets) -> Vec<Device> {
    t.servers
        .iter()
        .enumerate()
        .map(|(i, &s)| {
            let srv = &inv.servers[s];
            Device {
                stt: i + 1,
                id: srv.id.clone(),
                name: srv.name.clone().unwrap_or_else(|| "—".into()),
                roles: roles(&srv.roles),
                os: os(inv, s),
                datacenter: inv.datacenters[inv.server_datacenter(s)].name.clone(),
                zone: vi::zone(inv.server_zone(s)).to_owned(),
                addresses: srv
                    .addresses
                    .iter()
                    .map(|a| a.to_string())
                    .collect::<Vec<_>>()
                    .join(", "),
            }
        })
        .collect()
}

fn apps(inv: &Inventory, t: &Targets) -> Vec<App> {
    let mut out = Vec::new();
    for &s in &t.servers {
        let srv = &inv.servers[s];
        let location = inv.datacenters[inv.server_datacenter(s)].name.clone();
        let services: Vec<String> = if srv.services.is_empty() {
            vec!["Chưa khai báo".into()]
        } else {
            srv.services
                .iter()
                .map(|svc| match vi::service_name(svc.port) {
                    Some(name) => format!("{svc} ({name})"),
                    None => svc.to_string(),
                })
                .collect()
        };
        for service in services {
            out.push(App {
                stt: out.len() + 1,
                service,
                host: srv.id.clone(),
                location: location.clone(),
                os: os(inv, s),
                purpose: roles(&srv.roles),
            });
        }
    }
    out
}

fn endpoint(inv: &Inventory, e: Endpoint) -> String {
    match e {
        Endpoint::Zone(z) => format!("zone:{}", z.as_str()),
        Endpoint::Node(n) => inv.target_id(n),
    }
}

fn zones(inv: &Inventory, t: &Targets) -> Vec<ZoneRow> {
    t.networks
        .iter()
        .enumerate()
        .map(|(i, &n)| {
            let net = &inv.networks[n];
            let (private, public): (Vec<IpNetwork>, Vec<IpNetwork>) =
                net.cidrs.iter().partition(|c| is_private(c.ip()));
            let list = |v: &[IpNetwork]| {
                join_or(&v.iter().map(|c| c.to_string()).collect::<Vec<_>>(), "—")
            };
            // Flows allowed into this network: to its zone, to it, or to one of its servers.
            let into = |e: Endpoint| match e {
                Endpoint::Zone(z) => z == net.zone,
                Endpoint::Node(NodeRef::Network(m)) => m == n,
                Endpoint::Node(NodeRef::Server(s)) => inv.servers[s].network == n,
                Endpoint::Node(_) => false,
            };
            let policy: Vec<String> = inv
                .flows
                .iter()
                .filter(|f| into(f.to))
                .map(|f| {
                    let services: Vec<String> = f.services.iter().map(|s| s.to_string()).collect();
                    format!(
                        "{} → {}: {}",
                        endpoint(inv, f.from),
                        endpoint(inv, f.to),
                        services.join(" ")
                    )
                })
                .collect();
            ZoneRow {
                stt: i + 1,
                zone: format!("{} ({})", vi::zone(net.zone), net.zone.as_str()),
                network: net.id.clone(),
                function: net
                    .name
                    .clone()
                    .unwrap_or_else(|| vi::zone(net.zone).into()),
                private: list(&private),
                public: list(&public),
                vlan: net
                    .vlan
                    .map(|v| v.to_string())
                    .unwrap_or_else(|| "—".into()),
                datacenter: inv.datacenters[net.datacenter].name.clone(),
                policy: if policy.is_empty() {
                    "Không khai báo luồng vào".into()
                } else {
                    policy.join("; ")
                },
            }
        })
        .collect()
}

fn row(c: vi::Criterion, s: &crate::inventory::System) -> CriterionRow {
    CriterionRow {
        level: c.level,
        basis: c.basis.to_owned(),
        text: c.text.to_owned(),
        facts: c.facts(s),
    }
}

fn level_info(
    inv: &Inventory,
    g: &Graph,
    regime: Regime,
    system: usize,
    level: Level,
) -> LevelInfo {
    let s = &inv.systems[system];
    let required = &g.required[system];
    let matched_row = |c: &crate::graph::Criterion| {
        // A level-1 system that is not internal meets no criterion at all: say so rather than
        // quoting the internal-system clause the level code cites for it.
        if c.level == Level::MIN && s.kind != crate::inventory::SystemKind::Internal {
            return CriterionRow {
                level: 1,
                basis: c.basis.clone(),
                text: "Không đáp ứng tiêu chí nào của cấp độ 2 trở lên".into(),
                facts: vi::Criterion::facts(&vi::criteria(regime)[0], s),
            };
        }
        match vi::criterion(regime, &c.basis) {
            Some(v) => CriterionRow {
                level: c.level.get(),
                ..row(v, s)
            },
            None => CriterionRow {
                level: c.level.get(),
                basis: c.basis.clone(),
                text: c.reason.clone(),
                facts: String::new(),
            },
        }
    };
    let mut matched: Vec<CriterionRow> = required.criteria.iter().map(matched_row).collect();
    // NĐ 331 Đ14.2 covers both national e-government systems and nationwide infrastructure:
    // one row per clause (criteria come sorted, so equal clauses are adjacent).
    matched.dedup_by(|a, b| a.basis == b.basis);
    let deciding = matched_row(required.deciding());
    let higher = ((required.level.get() + 1)..=5)
        .map(|l| Higher {
            level: l,
            criteria: vi::criteria(regime)
                .iter()
                .filter(|c| c.level == l)
                .map(|&c| row(c, s))
                .collect(),
        })
        .collect();
    let note = match s.level {
        None => format!(
            "Hệ thống chưa khai báo cấp độ; hồ sơ đề xuất cấp độ {} theo tiêu chí.",
            level
        ),
        Some(d) if d < required.level => format!(
            "Cấp độ đã khai báo ({d}) thấp hơn cấp độ theo tiêu chí ({}); hồ sơ đề xuất cấp độ {} (không được đề xuất thấp hơn tiêu chí, {}).",
            required.level,
            level,
            match regime {
                Regime::Nd85 => "NĐ 85/2016 Đ5.2",
                Regime::Nd331 => "NĐ 331/2026 Đ8.2, Đ8.3",
            }
        ),
        Some(d) if d > required.level => format!(
            "Chủ quản đề xuất cấp độ {d}, cao hơn cấp độ theo tiêu chí ({}){}.",
            required.level,
            match regime {
                Regime::Nd85 => "",
                Regime::Nd331 => " theo kết quả đánh giá rủi ro (NĐ 331/2026 Đ10.5)",
            }
        ),
        Some(_) => String::new(),
    };
    let related: Vec<Connected> = s
        .depends_on
        .iter()
        .map(|&d| Connected {
            id: inv.target_id(d),
            name: node_name(inv, d),
            relation: "kết nối, phụ thuộc",
            level: g
                .level_of(inv, d)
                .map(|l| l.to_string())
                .unwrap_or_else(|| "—".into()),
        })
        .collect();
    let stops: Vec<String> = g
        .impact(inv, Node::Item(NodeRef::System(system)))
        .stopped
        .iter()
        .filter(|i| matches!(i.node, NodeRef::System(_)))
        .map(|i| format!("{} ({})", node_name(inv, i.node), inv.target_id(i.node)))
        .collect();
    LevelInfo {
        proposed: level.get(),
        required: required.level.get(),
        declared: s
            .level
            .map(|l| l.to_string())
            .unwrap_or_else(|| "chưa khai báo".into()),
        note,
        deciding,
        matched,
        higher,
        extras: level.get() >= 4,
        related,
        stops,
        always_on: if s.always_on {
            "Hệ thống được khai báo yêu cầu vận hành 24/7 và không chấp nhận ngừng vận hành ngoài kế hoạch (inventory: always_on = true). Lý do nghiệp vụ: ".to_owned() + vi::BLANK
        } else {
            "Hệ thống không khai báo yêu cầu vận hành 24/7 (inventory: always_on = false).".into()
        },
    }
}

fn schedule(s: Schedule) -> &'static str {
    match s {
        Schedule::Hourly => "hằng giờ",
        Schedule::Daily => "hằng ngày",
        Schedule::Weekly => "hằng tuần",
        Schedule::Monthly => "hằng tháng",
    }
}

/// Backups of the system's servers: "db01 (hq) → dr-bk01 (dr), hằng ngày".
fn backups(inv: &Inventory, t: &Targets) -> Vec<String> {
    t.servers
        .iter()
        .filter_map(|&s| {
            let b = inv.servers[s].backup.as_ref()?;
            Some(format!(
                "{} ({}) → {} ({}), {}",
                inv.servers[s].id,
                inv.datacenters[inv.server_datacenter(s)].id,
                inv.servers[b.to].id,
                inv.datacenters[inv.server_datacenter(b.to)].id,
                schedule(b.schedule)
            ))
        })
        .collect()
}

fn servers_with_role(inv: &Inventory, role: Role) -> Vec<String> {
    inv.servers
        .iter()
        .filter(|s| s.roles.contains(&role))
        .map(|s| s.id.clone())
        .collect()
}

/// How the inventory says a requirement is implemented, where it says so: in the built-in's
/// words (each built-in evaluator words its own), or for a design measure.
fn implementation(
    inv: &Inventory,
    g: &Graph,
    system: usize,
    t: &Targets,
    c: &Control,
) -> Option<String> {
    if let Some(b) = c.builtin() {
        let backups = backups(inv, t);
        return b.implementation(&DossierScope {
            inv,
            graph: g,
            system,
            servers: &t.servers,
            networks: &t.networks,
            proposed_level: proposed_level(inv, g, system),
            backups: &backups,
            date: vi::date,
        });
    }
    let s = &inv.systems[system];
    let p = inv.system_protection(system);
    let text = match c.id.as_str() {
        design if design.starts_with("DESIGN-") => {
            // DESIGN-ANTI-DDOS reads the measure `anti-ddos`, and so on.
            let wanted = design["DESIGN-".len()..].to_ascii_lowercase();
            let declared = p.measures.as_ref()?.iter().any(|m| {
                serde_json::to_value(m)
                    .ok()
                    .is_some_and(|v| v.as_str() == Some(wanted.as_str()))
            });
            if !declared {
                return None;
            }
            let whose = if s.protection.measures.is_some() {
                "hệ thống"
            } else {
                "tổ chức"
            };
            format!("Đã triển khai {wanted} (khai báo trong protection.measures của {whose})")
        }
        _ => return None,
    };
    Some(text)
}

/// Evidence and status of one requirement from the report's findings on the system's targets.
fn judge(input: &Input, c: &Control, t: &Targets) -> (Standing, String) {
    let Some(report) = input.report else {
        return (Standing::Manual, "—".into());
    };
    let mut tally = Tally::default();
    let mut failing = Vec::new();
    for f in report
        .findings
        .iter()
        .filter(|f| f.control == c.id && t.ids.contains(&f.target))
    {
        tally.add(f.status);
        if matches!(
            f.status,
            super::report::FindingStatus::Fail | super::report::FindingStatus::Waived
        ) {
            failing.push(format!("{}: {}", f.target, f.message));
        }
    }
    if tally.total() == 0 {
        return (
            Standing::Manual,
            "Báo cáo không có kết quả cho yêu cầu này (cần kiểm tra trên máy chủ hoặc xác nhận thủ công)".into(),
        );
    }
    let mut parts = Vec::new();
    for (n, label) in [
        (tally.pass, "đạt"),
        (tally.fail, "không đạt"),
        (tally.waived, "miễn trừ"),
        (tally.undecided, "chưa kiểm tra được"),
        (tally.not_applicable, "không áp dụng"),
    ] {
        if n > 0 {
            parts.push(format!("{label} {n}"));
        }
    }
    let mut evidence = format!("Kết quả kiểm tra: {}", parts.join(", "));
    const SHOWN: usize = 3;
    for f in failing.iter().take(SHOWN) {
        evidence.push_str("; ");
        evidence.push_str(f);
    }
    if failing.len() > SHOWN {
        evidence.push_str(&format!("; … và {} đối tượng khác", failing.len() - SHOWN));
    }
    (tally.met(), evidence)
}

pub fn plan_rows(input: &Input, g: &Graph, system: usize, level: Level, t: &Targets) -> Vec<Row> {
    requirements(input.catalog, input.regime, level)
        .enumerate()
        .map(|(i, c)| {
            let (met, evidence) = judge(input, c, t);
            let scope = match c.applies_to {
                AppliesTo::System => "hệ thống",
                AppliesTo::Server => "từng máy chủ",
                AppliesTo::Network => "từng mạng",
                AppliesTo::Datacenter => "từng trung tâm dữ liệu",
                AppliesTo::Organization => "tổ chức",
            };
            let mut basis = c.basis_at(Some(level)).join("; ");
            if basis.is_empty() {
                basis = vi::BLANK.into();
            }
            Row {
                stt: i + 1,
                id: c.id.clone(),
                title: c.title(Lang::Vi).to_owned(),
                basis,
                implementation: match implementation(input.inv, g, system, t, c) {
                    Some(text) => format!("{text} (áp dụng cho {scope})"),
                    None => format!("{} (áp dụng cho {scope})", vi::MANUAL),
                },
                status: met.label(),
                evidence,
                remediation: match met {
                    Standing::NotMet | Standing::Partly => c.remediation(Lang::Vi).to_owned(),
                    _ => "—".into(),
                },
                met: input.report.map(|_| met),
            }
        })
        .collect()
}

fn plan(input: &Input, g: &Graph, system: usize, level: Level, t: &Targets) -> Plan {
    let rows = plan_rows(input, g, system, level, t);
    let counts = [
        Standing::Met,
        Standing::Partly,
        Standing::NotMet,
        Standing::NotApplicable,
        Standing::Manual,
    ]
    .into_iter()
    .map(|m| Count {
        label: m.label(),
        n: rows.iter().filter(|r| r.status == m.label()).count(),
    })
    .collect();
    let source = match input.report {
        Some(r) => format!(
            "Trạng thái lấy từ báo cáo kiểm tra capdo \"{}\"{} (các phát hiện của hệ thống, máy chủ, mạng, trung tâm dữ liệu của hệ thống và của tổ chức).",
            r.path,
            if r.generated_at.is_empty() {
                String::new()
            } else {
                format!(" lập lúc {}", r.generated_at)
            }
        ),
        None => format!(
            "Chưa có báo cáo kiểm tra (tùy chọn --report): trạng thái của mọi yêu cầu là \"{}\".",
            vi::MANUAL
        ),
    };
    Plan {
        level: level.get(),
        rows,
        counts,
        source,
    }
}

fn measure(m: crate::inventory::Measure) -> &'static str {
    use crate::inventory::Measure::*;
    match m {
        Waf => "tường lửa ứng dụng web (WAF)",
        AntiDdos => "chống tấn công từ chối dịch vụ (anti-DDoS)",
        DbFirewall => "tường lửa cơ sở dữ liệu",
        Nac => "kiểm soát truy cập mạng (NAC)",
        Siem => "quản lý, phân tích sự kiện an toàn thông tin tập trung (SIEM)",
        Pam => "quản lý truy cập đặc quyền (PAM)",
        Dlp => "chống thất thoát dữ liệu (DLP)",
        Vpn => "mạng riêng ảo (VPN)",
        Edr => "phát hiện và phản ứng trên máy chủ, máy trạm (EDR)",
        Ips => "phòng chống xâm nhập (IPS)",
        Nms => "giám sát mạng, hệ thống (NMS)",
        MailSecurity => "bảo mật thư điện tử",
    }
}

fn sections(input: &Input, g: &Graph, system: usize, level: Level, t: &Targets) -> Vec<Section> {
    let inv = input.inv;
    let law = vi::instruments(input.regime);
    let nd331 = input.regime == Regime::Nd331;
    let p = inv.system_protection(system);
    let sec = law.security;
    let zones: BTreeSet<String> = t
        .networks
        .iter()
        .map(|&n| vi::zone(inv.networks[n].zone).to_owned())
        .collect();
    let mut design = vec![format!(
        "Vùng mạng của hệ thống: {}.",
        join_or(&zones.into_iter().collect::<Vec<_>>(), "chưa khai báo")
    )];
    match &p.measures {
        Some(m) if !m.is_empty() => design.push(format!(
            "Biện pháp bảo đảm an toàn theo thiết kế đã khai báo: {}.",
            m.iter().map(|&x| measure(x)).collect::<Vec<_>>().join("; ")
        )),
        _ => design.push("Chưa khai báo biện pháp bảo đảm an toàn theo thiết kế.".into()),
    }
    let groups: Vec<String> = g.role_groups[system]
        .iter()
        .map(|(role, servers)| {
            format!(
                "{} {} máy chủ",
                role.map(vi::role).unwrap_or("Không vai trò"),
                servers.len()
            )
        })
        .collect();
    if !groups.is_empty() {
        design.push(format!("Dự phòng theo vai trò: {}.", groups.join("; ")));
    }
    let mut operation = Vec::new();
    if let Some(o) = inv.systems[system]
        .operator
        .as_deref()
        .or(inv.organization.operator.as_deref())
    {
        operation.push(format!("Đơn vị vận hành: {o}."));
    }
    if let Some(team) = p.onsite_team.as_deref().filter(|x| !x.trim().is_empty()) {
        operation.push(format!(
            "Lực lượng tại chỗ (lớp 1 của mô hình 4 lớp): {team}."
        ));
    }
    let mut inspection = Vec::new();
    if let Some(d) = p.last_assessment {
        inspection.push(format!(
            "Lần kiểm tra, đánh giá độc lập gần nhất: {}{}.",
            vi::date(d),
            p.assessor
                .as_deref()
                .map(|a| format!(" ({a})"))
                .unwrap_or_default()
        ));
    }
    let mut risk = Vec::new();
    if let Some(r) = input.report {
        let mine: Vec<&super::report::Finding> = r
            .findings
            .iter()
            .filter(|f| t.ids.contains(&f.target))
            .collect();
        let count = |s: super::report::FindingStatus| mine.iter().filter(|f| f.status == s).count();
        inspection.push(format!(
            "Kiểm tra tự động bằng capdo ({}): {} đạt, {} không đạt, {} miễn trừ, {} chưa kiểm tra được.",
            r.path,
            count(super::report::FindingStatus::Pass),
            count(super::report::FindingStatus::Fail),
            count(super::report::FindingStatus::Waived),
            count(super::report::FindingStatus::Error) + count(super::report::FindingStatus::Manual),
        ));
        let waived = count(super::report::FindingStatus::Waived);
        if waived > 0 {
            risk.push(format!(
                "{waived} ngoại lệ (miễn trừ) đã được phê duyệt, có thời hạn, được chấp nhận như rủi ro còn lại."
            ));
        }
    }
    let mut monitoring = Vec::new();
    if let Some(m) = p
        .monitoring_provider
        .as_deref()
        .filter(|x| !x.trim().is_empty())
    {
        monitoring.push(format!("Giám sát, bảo vệ chuyên nghiệp (lớp 2): {m}."));
    }
    match p.national_monitoring {
        Some(true) => monitoring.push(
            "Kết nối, chia sẻ thông tin với Trung tâm giám sát quốc gia (lớp 4): đã kết nối."
                .into(),
        ),
        Some(false) => monitoring.push(
            "Kết nối, chia sẻ thông tin với Trung tâm giám sát quốc gia (lớp 4): chưa kết nối."
                .into(),
        ),
        None => {}
    }
    let siem = servers_with_role(inv, Role::Siem);
    if !siem.is_empty() {
        monitoring.push(format!(
            "Máy chủ thu thập nhật ký (SIEM): {}.",
            siem.join(", ")
        ));
    }
    let mut recovery: Vec<String> = backups(inv, t)
        .into_iter()
        .map(|b| format!("Sao lưu {b}."))
        .collect();
    let dcs: Vec<String> = t
        .datacenters
        .iter()
        .map(|&d| inv.datacenters[d].name.clone())
        .collect();
    if !dcs.is_empty() {
        recovery.push(format!("Máy chủ của hệ thống đặt tại: {}.", dcs.join("; ")));
    }
    for c in &inv.organization.contacts {
        recovery.push(format!(
            "Đầu mối: {}{}{}.",
            c.name,
            c.role
                .as_deref()
                .map(|r| format!(" ({r})"))
                .unwrap_or_default(),
            c.phone
                .as_deref()
                .map(|ph| format!(", {ph}"))
                .unwrap_or_default()
        ));
    }
    let quy_che = if nd331 {
        "NĐ 331/2026 Đ30.7"
    } else {
        "TT 12/2022 Đ9.7"
    };
    let mut operation_todo = Vec::new();
    match &inv.systems[system].regulation {
        Some(r) => operation.push(format!(
            "Quy chế bảo đảm {sec} của hệ thống ({quy_che}): {}{}.",
            r.decision
                .as_deref()
                .map(|d| format!("Quyết định số {d}"))
                .unwrap_or_else(|| vi::BLANK.into()),
            r.date
                .map(|d| format!(" ngày {}", vi::date(d)))
                .unwrap_or_default()
        )),
        None => operation_todo.push(format!(
            "Quy chế bảo đảm {sec} của hệ thống (ban hành trước khi phê duyệt hồ sơ, {quy_che})."
        )),
    }
    operation_todo.push("Quản lý tài khoản, phân quyền, quản lý thay đổi cấu hình, vá lỗi.".into());
    if nd331 && level.get() >= 3 {
        operation_todo.push(
            "Chứng chỉ đào tạo chuyên ngành của người quản trị, vận hành hệ thống cấp độ 3 trở lên (Luật 116/2025 Đ34.2).".into(),
        );
    }
    let mut inspection_todo =
        vec!["Kế hoạch kiểm tra, đánh giá định kỳ và đột xuất; đơn vị kiểm tra độc lập.".into()];
    if nd331 {
        inspection_todo.push(
            "Đánh giá điều kiện an ninh mạng trước khi đưa vào vận hành (NĐ 331/2026 Đ28.3)."
                .into(),
        );
    }
    let mut risk_todo = vec!["Báo cáo đánh giá rủi ro, danh mục rủi ro và biện pháp xử lý.".into()];
    if nd331 {
        risk_todo[0] = "Báo cáo đánh giá rủi ro an ninh mạng (NĐ 331/2026 Đ10.2.a), danh mục rủi ro và biện pháp xử lý.".into();
    }
    let mut recovery_todo = vec![
        "Mục tiêu thời gian khôi phục (RTO) và điểm khôi phục (RPO); kế hoạch diễn tập, biên bản thử khôi phục.".into(),
        "Phương án ứng cứu sự cố, đội ứng cứu sự cố.".into(),
    ];
    if nd331 {
        recovery_todo.push(
            "Quy trình báo cáo sự cố: thông báo ban đầu trong 24 giờ, báo cáo nguyên nhân và khắc phục trong 72 giờ (NĐ 331/2026 Đ31.2.d).".into(),
        );
    }
    vec![
        Section {
            letter: "a",
            heading: format!("Bảo đảm {sec} trong thiết kế, xây dựng hệ thống"),
            filled: design,
            todo: vec![
                "Thiết kế sơ bộ hoặc thiết kế thi công được phê duyệt; danh mục thiết bị mạng chính (core switch, tường lửa trung tâm, WAF, lưu trữ tập trung, tường lửa cơ sở dữ liệu).".into(),
            ],
        },
        Section {
            letter: "b",
            heading: format!("Bảo đảm {sec} trong quá trình vận hành hệ thống"),
            filled: operation,
            todo: operation_todo,
        },
        Section {
            letter: "c",
            heading: format!("Kiểm tra, đánh giá {sec}"),
            filled: inspection,
            todo: inspection_todo,
        },
        Section {
            letter: "d",
            heading: format!("Quản lý rủi ro {sec}"),
            filled: risk,
            todo: risk_todo,
        },
        Section {
            letter: "đ",
            heading: format!("Giám sát {sec}"),
            filled: monitoring,
            todo: vec!["Phương án kết nối giám sát, quản lý và lưu trữ nhật ký theo cấp độ.".into()],
        },
        Section {
            letter: "e",
            heading: "Dự phòng, ứng cứu sự cố, khôi phục sau thảm họa".into(),
            filled: recovery,
            todo: recovery_todo,
        },
        Section {
            letter: "g",
            heading: "Kết thúc vận hành, khai thác, thanh lý, hủy bỏ".into(),
            filled: Vec::new(),
            todo: vec![
                "Xóa dữ liệu, thu hồi tài khoản và quyền truy cập, tiêu hủy phương tiện lưu trữ; điều khoản khi kết thúc thuê dịch vụ.".into(),
            ],
        },
    ]
}

fn forms(inv: &Inventory, system: usize, level: Level) -> Forms {
    let s = &inv.systems[system];
    let org = &inv.organization;
    let security_unit = or_blank(org.security_unit.as_deref());
    let l = level.get();
    let mut attachments = vec![
        "Tài liệu mô tả, thuyết minh tổng quan về hệ thống thông tin (Phần I của hồ sơ này)".to_owned(),
        "Tài liệu thiết kế: thiết kế sơ bộ hoặc thiết kế thi công được phê duyệt, hoặc tài liệu tương đương".to_owned(),
        "Tài liệu thuyết minh về việc đề xuất cấp độ (Phần II của hồ sơ này)".to_owned(),
        "Tài liệu thuyết minh phương án bảo đảm an ninh mạng theo cấp độ (Phần III của hồ sơ này)".to_owned(),
    ];
    if l >= 4 {
        attachments.push(format!(
            "Ý kiến chuyên môn của đơn vị chuyên trách về an ninh mạng ({security_unit})"
        ));
    }
    let mut submission_attachments = attachments.clone();
    if l >= 3 {
        submission_attachments.push("Ý kiến thẩm định hồ sơ đề xuất cấp độ (Mẫu 04)".into());
    }
    let numbered = |v: Vec<String>| -> Vec<String> {
        v.into_iter()
            .enumerate()
            .map(|(i, a)| format!("{}. {a}", i + 1))
            .collect()
    };
    let attachments = numbered(attachments);
    let submission_attachments = numbered(submission_attachments);
    let owner = s
        .owner
        .clone()
        .or_else(|| org.owner.clone())
        .unwrap_or_else(|| org.name.clone());
    Forms {
        request_form: if l <= 2 { "Mẫu 01" } else { "Mẫu 02" },
        request_title: if l <= 2 {
            "Đề nghị thẩm định và phê duyệt hồ sơ đề xuất cấp độ"
        } else {
            "Đề nghị thẩm định hồ sơ đề xuất cấp độ"
        },
        request_to: match l {
            1..=3 => security_unit,
            _ => "Bộ Công an".into(),
        },
        sender: or_blank(s.operator.as_deref().or(org.operator.as_deref())),
        address: or_blank(org.address.as_deref()),
        attachments,
        security_list: l >= 3 && (l == 5 || s.national_security_list),
        submission_to: owner,
        submission_attachments,
    }
}
