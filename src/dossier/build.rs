//! The data of one system's dossier, prepared in Vietnamese for the templates: every value a
//! template shows is here, already worded, with `vi::BLANK` where a person must fill it in.

use std::net::IpAddr;

use ipnetwork::IpNetwork;
use serde::Serialize;

use super::forms::{Filing, Forms, filing, forms};
use super::plan::{Plan, Section, plan, proposed_level, sections};
use super::vi::{join_or, or_blank};
use super::{Input, vi};
use crate::graph::{Graph, Node, export};
use crate::inventory::{Endpoint, Inventory, Level, NodeRef, Regime, Role};

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
    /// The same view as one SVG picture, for the writers that embed an image (Word); not in the
    /// templates' data.
    #[serde(skip)]
    pub logical_svg: String,
    pub devices: Vec<Device>,
    pub apps: Vec<App>,
    pub zones: Vec<ZoneRow>,
    pub level: LevelInfo,
    pub plan: Plan,
    /// The management and application/data requirements the controls do not judge.
    pub requirements: super::requirements::Tables,
    pub sections: Vec<Section>,
    /// The documents, who appraises and who approves.
    pub filing: Filing,
    /// The cover forms, under NĐ 331/2026 only (null otherwise).
    pub forms: Option<Forms>,
    /// The transition debt, under `--regime both` only (null otherwise).
    pub transition: Option<super::transition::Debt>,
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

/// What the dossier covers of the inventory: the targets whose findings belong to the system.
pub use crate::report::SystemTargets as Targets;

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
        personal_basic: s
            .personal_data
            .map_or_else(|| vi::BLANK.into(), |pd| vi::number(pd.basic)),
        personal_sensitive: s
            .personal_data
            .map_or_else(|| vi::BLANK.into(), |pd| vi::number(pd.sensitive)),
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
        personal_data: s.personal_data.map_or_else(
            || vi::BLANK.into(),
            |pd| {
                format!(
                    "{} chủ thể dữ liệu cá nhân cơ bản, {} chủ thể dữ liệu cá nhân nhạy cảm",
                    vi::number(pd.basic),
                    vi::number(pd.sensitive)
                )
            },
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
    // The same view drawn as SVG (nodes classed `st-KIND`) for the Word file's picture.
    let (nodes, edges) = export::view(inv, g, Some(Node::Item(NodeRef::System(system))));
    let nodes: Vec<crate::report::svg::DrawNode> = nodes
        .into_iter()
        .map(|n| crate::report::svg::DrawNode {
            id: n.id,
            label: n.label,
            level: n.level,
            class: n.kind,
        })
        .collect();
    let logical_svg = crate::report::svg::draw(&nodes, &edges);
    Dossier {
        manual: vi::MANUAL,
        date: vi::date(input.today),
        tool_version: env!("CARGO_PKG_VERSION"),
        devices: devices(inv, &targets),
        apps: apps(inv, &targets),
        zones: zones(inv, &targets),
        level: level_info(inv, g, input.regime, system, level),
        plan: plan(input, g, system, level, &targets),
        requirements: super::requirements::tables(input, system, level, &targets),
        sections: sections(input, g, system, level, &targets),
        filing: filing(inv, system, input.regime, level, input.today),
        transition: input
            .transition
            .as_ref()
            .map(|t| super::transition::debt(input, t, system)),
        forms: (input.regime == Regime::Nd331).then(|| forms(inv, system, level, input.today)),
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
        logical_svg,
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
