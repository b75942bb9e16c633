//! The validated inventory: every reference resolved to an index, every value checked.
//!
//! Code after validation uses only these types. They keep the [`Loc`] of each item (its id in
//! `[servers.ID]`) and of the keys that findings point at, so a finding can say file:line.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::fmt;
use std::net::IpAddr;

use ipnetwork::IpNetwork;
use jiff::civil::Date;

use crate::diag::Loc;
pub use crate::inventory::raw::{
    ApprovalStatus, Contact, DeviceRole, ExternalKind, InfoType, Measure, Medium, PersonalData,
    Proto, Regime, Role, Schedule, Scope, SecurityImpact, Service, SystemKind, WorksGrade, Zone,
};

/// A security level (cấp độ), 1 to 5.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Level(u8);

impl Level {
    pub const MIN: Level = Level(1);
    pub const MAX: Level = Level(5);

    pub fn new(n: i64) -> Option<Level> {
        (1..=5).contains(&n).then_some(Level(n as u8))
    }

    pub fn get(self) -> u8 {
        self.0
    }
}

impl fmt::Display for Level {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

impl serde::Serialize for Level {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_u8(self.0)
    }
}

impl Regime {
    pub fn as_str(self) -> &'static str {
        match self {
            Regime::Nd85 => "nd85",
            Regime::Nd331 => "nd331",
        }
    }

    /// The instruments of the regime, as reports name them.
    pub fn title(self) -> &'static str {
        match self {
            Regime::Nd85 => "NĐ 85/2016 + TT 12/2022 + TCVN 11930:2017",
            Regime::Nd331 => "Luật 116/2025 + NĐ 331/2026 + TCVN 14423:2026",
        }
    }
}

impl Zone {
    pub const ALL: [Zone; 10] = [
        Zone::InternetEdge,
        Zone::Dmz,
        Zone::Server,
        Zone::Database,
        Zone::Management,
        Zone::DeviceManagement,
        Zone::User,
        Zone::Wireless,
        Zone::Backup,
        Zone::SpecialPurpose,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Zone::InternetEdge => "internet-edge",
            Zone::Dmz => "dmz",
            Zone::Server => "server",
            Zone::Database => "database",
            Zone::Management => "management",
            Zone::DeviceManagement => "device-management",
            Zone::User => "user",
            Zone::Wireless => "wireless",
            Zone::Backup => "backup",
            Zone::SpecialPurpose => "special-purpose",
        }
    }
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Web => "web",
            Role::App => "app",
            Role::Api => "api",
            Role::Database => "database",
            Role::Cache => "cache",
            Role::Queue => "queue",
            Role::File => "file",
            Role::Storage => "storage",
            Role::Backup => "backup",
            Role::Siem => "siem",
            Role::Log => "log",
            Role::Monitoring => "monitoring",
            Role::Dns => "dns",
            Role::Mail => "mail",
            Role::Proxy => "proxy",
            Role::LoadBalancer => "load-balancer",
            Role::Ntp => "ntp",
            Role::Patch => "patch",
            Role::Directory => "directory",
            Role::Sso => "sso",
            Role::Bastion => "bastion",
            Role::Firewall => "firewall",
            Role::Waf => "waf",
            Role::Hypervisor => "hypervisor",
            Role::ContainerHost => "container-host",
            Role::Other => "other",
        }
    }
}

impl Schedule {
    pub fn as_str(self) -> &'static str {
        match self {
            Schedule::Hourly => "hourly",
            Schedule::Daily => "daily",
            Schedule::Weekly => "weekly",
            Schedule::Monthly => "monthly",
        }
    }
}

impl Measure {
    pub fn as_str(self) -> &'static str {
        match self {
            Measure::Waf => "waf",
            Measure::AntiDdos => "anti-ddos",
            Measure::DbFirewall => "db-firewall",
            Measure::Nac => "nac",
            Measure::Siem => "siem",
            Measure::Pam => "pam",
            Measure::Dlp => "dlp",
            Measure::Vpn => "vpn",
            Measure::Edr => "edr",
            Measure::Ips => "ips",
            Measure::Nms => "nms",
            Measure::MailSecurity => "mail-security",
        }
    }
}

/// What an id names. Ids are unique across all kinds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum NodeRef {
    Datacenter(usize),
    Network(usize),
    Server(usize),
    System(usize),
    External(usize),
}

impl NodeRef {
    pub fn kind(self) -> &'static str {
        match self {
            NodeRef::Datacenter(_) => "datacenter",
            NodeRef::Network(_) => "network",
            NodeRef::Server(_) => "server",
            NodeRef::System(_) => "system",
            NodeRef::External(_) => "external",
        }
    }
}

#[derive(Debug, Clone, Default)]
pub struct Ssh {
    pub user: Option<String>,
    pub port: Option<u16>,
    pub identity: Option<String>,
    pub known_hosts: Option<String>,
    pub jump: Option<usize>,
    pub timeout: Option<u32>,
    pub sudo: Option<bool>,
}

/// 4-layer attestations and design measures; every field optional so that a system's own
/// values can be merged over the organisation's.
#[derive(Debug, Clone, Default)]
pub struct Protection {
    pub onsite_team: Option<String>,
    pub monitoring_provider: Option<String>,
    pub last_assessment: Option<Date>,
    pub assessor: Option<String>,
    pub national_monitoring: Option<bool>,
    pub measures: Option<BTreeSet<Measure>>,
    /// Human attestations recorded, by control id (a `manual` control of the packs): the
    /// evidence a person vouches for. The system's and the organisation's are merged, the
    /// system's winning for the same control.
    pub attestations: BTreeMap<String, Attestation>,
    /// Where each attestation is written, for findings.
    pub locs: ProtectionLocs,
}

/// One recorded human attestation.
#[derive(Debug, Clone)]
pub struct Attestation {
    /// The evidence: document number and date, or what the person vouches for.
    pub evidence: String,
    /// Where the control id is written.
    pub loc: Loc,
}

#[derive(Debug, Clone, Default)]
pub struct ProtectionLocs {
    pub last_assessment: Option<Loc>,
}

impl Protection {
    /// `self` (a system's own values) over `base` (the organisation's).
    pub fn over(&self, base: &Protection) -> Protection {
        Protection {
            onsite_team: self
                .onsite_team
                .clone()
                .or_else(|| base.onsite_team.clone()),
            monitoring_provider: self
                .monitoring_provider
                .clone()
                .or_else(|| base.monitoring_provider.clone()),
            last_assessment: self.last_assessment.or(base.last_assessment),
            assessor: self.assessor.clone().or_else(|| base.assessor.clone()),
            national_monitoring: self.national_monitoring.or(base.national_monitoring),
            measures: self.measures.clone().or_else(|| base.measures.clone()),
            attestations: base
                .attestations
                .iter()
                .chain(&self.attestations)
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect(),
            locs: ProtectionLocs {
                last_assessment: if self.last_assessment.is_some() {
                    self.locs.last_assessment.clone()
                } else {
                    base.locs.last_assessment.clone()
                },
            },
        }
    }
}

/// Where the units of an organisation or a system are named, for diagnostics.
#[derive(Debug, Clone, Default)]
pub struct UnitLocs {
    pub security_unit: Option<Loc>,
    pub operator: Option<Loc>,
    pub appraiser: Option<Loc>,
}

#[derive(Debug, Clone)]
pub struct Organization {
    pub name: String,
    pub owner: Option<String>,
    pub security_unit: Option<String>,
    pub operator: Option<String>,
    /// Who appraises the level dossiers of levels 1–3 instead of the security unit (TT 12/2022
    /// Đ6; NĐ 331/2026 Đ18.4).
    pub appraiser: Option<String>,
    pub unit_locs: UnitLocs,
    pub address: Option<String>,
    pub regime: Regime,
    pub contacts: Vec<Contact>,
    pub protection: Protection,
    pub loc: Option<Loc>,
}

#[derive(Debug, Clone)]
pub struct Datacenter {
    pub id: String,
    pub name: String,
    pub address: Option<String>,
    pub tier: Option<u8>,
    /// (latitude, longitude) in degrees.
    pub coordinates: Option<(f64, f64)>,
    /// Internet uplinks (provider or circuit of each).
    pub uplinks: Vec<String>,
    /// Main network devices.
    pub devices: Vec<Device>,
    pub loc: Loc,
}

/// A main network device of a datacenter.
#[derive(Debug, Clone)]
pub struct Device {
    pub id: String,
    pub role: DeviceRole,
    pub ha_group: Option<String>,
    pub model: Option<String>,
    pub loc: Loc,
}

#[derive(Debug, Clone)]
pub struct Network {
    pub id: String,
    pub name: Option<String>,
    pub datacenter: usize,
    pub zone: Zone,
    pub cidrs: Vec<IpNetwork>,
    pub vlan: Option<u16>,
    pub loc: Loc,
}

#[derive(Debug, Clone)]
pub struct Backup {
    /// The first target (`targets[0].to`).
    pub to: usize,
    /// Every target, the first being `to`.
    pub targets: Vec<BackupTarget>,
    pub schedule: Schedule,
    pub path: Option<String>,
    pub loc: Loc,
}

/// One copy of a server's backup.
#[derive(Debug, Clone)]
pub struct BackupTarget {
    pub to: usize,
    /// `None` when not declared.
    pub medium: Option<Medium>,
}

/// The accounts approved on a server: `[defaults] accounts` and its own `accounts`.
#[derive(Debug, Clone, Default)]
pub struct ApprovedAccounts {
    pub names: BTreeSet<String>,
    /// Some came from `[defaults] accounts`.
    pub from_defaults: bool,
    /// Some came from the server's own `accounts`.
    pub from_server: bool,
}

/// A server's asset record (TCVN 14423 x.2: quản lý, kiểm kê tài sản).
#[derive(Debug, Clone, Default)]
pub struct Asset {
    pub serial: Option<String>,
    pub mac: Option<String>,
    /// End of the vendor's support (hardware or subscription).
    pub support_end: Option<Date>,
    pub rack: Option<String>,
    pub owner: Option<String>,
    pub purpose: Option<String>,
    pub software: Vec<Software>,
}

/// A software asset of a server.
#[derive(Debug, Clone)]
pub struct Software {
    pub name: String,
    pub version: Option<String>,
    /// `None` when not declared.
    pub support_end: Option<Date>,
}

/// Ports where TLS is spoken from the first byte: HTTPS (443, 8443, 9443), SMTPS/submissions
/// (465), LDAPS (636), DNS over TLS (853), FTPS (989, 990), telnets (992), IMAPS (993), ircs
/// (994), POP3S (995), SIP-TLS (5061), WinRM over HTTPS (5986), syslog over TLS (6514).
pub const WELL_KNOWN_TLS_PORTS: [u16; 15] = [
    443, 465, 636, 853, 989, 990, 992, 993, 994, 995, 5061, 5986, 6514, 8443, 9443,
];

#[derive(Debug, Clone)]
pub struct Server {
    pub id: String,
    pub name: Option<String>,
    pub network: usize,
    pub addresses: Vec<IpAddr>,
    pub os: Option<String>,
    pub roles: Vec<Role>,
    pub services: Vec<Service>,
    /// TCP ports that speak TLS besides the well-known ones (`tls`).
    pub tls: Vec<u16>,
    pub ssh: Ssh,
    pub backup: Option<Backup>,
    pub agents: Vec<String>,
    pub ipv6: bool,
    /// `None` when neither the server nor `[defaults]` declares `accounts`.
    pub accounts: Option<ApprovedAccounts>,
    pub asset: Asset,
    pub loc: Loc,
    pub network_loc: Loc,
}

#[derive(Debug, Clone)]
pub struct Approval {
    pub status: ApprovalStatus,
    pub decision: Option<String>,
    pub date: Option<Date>,
    pub authority: Option<String>,
}

/// The decision issuing a system's security regulation (quy chế bảo đảm ATTT/ANM).
#[derive(Debug, Clone)]
pub struct Regulation {
    pub decision: Option<String>,
    pub date: Option<Date>,
}

#[derive(Debug, Clone)]
pub struct System {
    pub id: String,
    pub name: String,
    pub description: Option<String>,
    pub kind: SystemKind,
    pub information: BTreeSet<InfoType>,
    /// `None` when not written (never read as zero data subjects).
    pub personal_data: Option<PersonalData>,
    pub users: Option<u64>,
    pub public_service_level: Option<u8>,
    /// `None` when not written: under NĐ 331 an online public service then counts as handling
    /// administrative procedures, and another citizen service cannot be decided.
    pub administrative_procedures: Option<bool>,
    pub conditional_business: bool,
    pub scope: Option<Scope>,
    pub national: bool,
    pub always_on: bool,
    pub security_impact: Option<SecurityImpact>,
    pub works_grade: Option<WorksGrade>,
    /// Industrial control of construction works tied to national security (level 5).
    pub national_security_works: bool,
    pub national_data_store: bool,
    pub international_gateway: bool,
    pub national_security_list: bool,
    pub risk_level: Option<Level>,
    pub public_names: Vec<String>,
    pub level: Option<Level>,
    pub approval: Option<Approval>,
    pub regulation: Option<Regulation>,
    pub owner: Option<String>,
    pub operator: Option<String>,
    /// This system's appraiser, over the organisation's.
    pub appraiser: Option<String>,
    pub unit_locs: UnitLocs,
    pub servers: Vec<usize>,
    /// Systems or externals.
    pub depends_on: Vec<NodeRef>,
    /// The system's own protection keys (not merged with the organisation's).
    pub protection: Protection,
    pub loc: Loc,
    /// Where `level` is written (or the system's id when it is absent).
    pub level_loc: Loc,
    pub depends_loc: Loc,
}

#[derive(Debug, Clone)]
pub struct External {
    pub id: String,
    pub name: String,
    pub kind: ExternalKind,
    pub cidrs: Vec<IpNetwork>,
    pub public_names: Vec<String>,
    pub loc: Loc,
}

/// One end of a flow.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Endpoint {
    Zone(Zone),
    Node(NodeRef),
}

#[derive(Debug, Clone)]
pub struct Flow {
    pub from: Endpoint,
    pub to: Endpoint,
    pub services: Vec<Service>,
    pub description: Option<String>,
    pub loc: Loc,
}

/// The whole validated inventory.
#[derive(Debug, Clone)]
pub struct Inventory {
    pub organization: Organization,
    pub default_ssh: Ssh,
    pub datacenters: Vec<Datacenter>,
    pub networks: Vec<Network>,
    pub servers: Vec<Server>,
    pub systems: Vec<System>,
    pub externals: Vec<External>,
    pub flows: Vec<Flow>,
    pub ids: HashMap<String, NodeRef>,
}

impl Inventory {
    pub fn lookup(&self, id: &str) -> Option<NodeRef> {
        self.ids.get(id).copied()
    }

    /// Every item, kind by kind (datacenters, networks, servers, systems, externals), each
    /// kind in inventory order.
    pub fn nodes(&self) -> impl Iterator<Item = NodeRef> + '_ {
        (0..self.datacenters.len())
            .map(NodeRef::Datacenter)
            .chain((0..self.networks.len()).map(NodeRef::Network))
            .chain((0..self.servers.len()).map(NodeRef::Server))
            .chain((0..self.systems.len()).map(NodeRef::System))
            .chain((0..self.externals.len()).map(NodeRef::External))
    }

    pub fn node_id(&self, node: NodeRef) -> &str {
        match node {
            NodeRef::Datacenter(i) => &self.datacenters[i].id,
            NodeRef::Network(i) => &self.networks[i].id,
            NodeRef::Server(i) => &self.servers[i].id,
            NodeRef::System(i) => &self.systems[i].id,
            NodeRef::External(i) => &self.externals[i].id,
        }
    }

    pub fn node_loc(&self, node: NodeRef) -> &Loc {
        match node {
            NodeRef::Datacenter(i) => &self.datacenters[i].loc,
            NodeRef::Network(i) => &self.networks[i].loc,
            NodeRef::Server(i) => &self.servers[i].loc,
            NodeRef::System(i) => &self.systems[i].loc,
            NodeRef::External(i) => &self.externals[i].loc,
        }
    }

    /// `kind:id`, as target ids are written in reports.
    pub fn target_id(&self, node: NodeRef) -> String {
        // Made for every finding: concatenated rather than formatted.
        let (kind, id) = (node.kind(), self.node_id(node));
        let mut s = String::with_capacity(kind.len() + 1 + id.len());
        s.push_str(kind);
        s.push(':');
        s.push_str(id);
        s
    }

    /// The item a target id names: `kind:id` as [`Inventory::target_id`] writes it, or a bare id.
    /// `organization` names the organisation, not an item.
    pub fn resolve_target(&self, text: &str) -> Option<NodeRef> {
        if text == "organization" {
            return None;
        }
        let (kind, id) = split_target(text);
        self.lookup(id)
            .filter(|n| kind.is_none_or(|k| k == n.kind()))
    }

    /// The node a command line names: `kind:id`, a bare id, or `organization`; an unknown name
    /// is an error with a "did you mean".
    pub fn resolve_node(&self, text: &str) -> anyhow::Result<Node> {
        if text == "organization" {
            return Ok(Node::Organization);
        }
        let (kind, id) = split_target(text);
        match self.lookup(id) {
            Some(n) if kind.is_none_or(|k| k == n.kind()) => Ok(Node::Item(n)),
            Some(n) => Err(anyhow::anyhow!(
                "`{id}` is a {}, not a {}; write `{}:{id}`",
                n.kind(),
                kind.unwrap_or(""),
                n.kind()
            )),
            None => {
                let mut ids: Vec<&str> = self.ids.keys().map(|k| k.as_str()).collect();
                ids.sort_unstable();
                let hint = crate::diag::suggest(id, ids)
                    .map(|h| format!(" ({h})"))
                    .unwrap_or_default();
                Err(anyhow::anyhow!("no node `{text}` in the inventory{hint}"))
            }
        }
    }

    /// The servers a command line names (`id` or `server:id`, each once, in order), or all of
    /// them when it names none.
    pub fn select_servers(&self, names: &[String]) -> anyhow::Result<Vec<usize>> {
        if names.is_empty() {
            return Ok((0..self.servers.len()).collect());
        }
        let mut out = Vec::new();
        let mut seen = vec![false; self.servers.len()];
        let mut add = |i: usize, out: &mut Vec<usize>| {
            if !std::mem::replace(&mut seen[i], true) {
                out.push(i);
            }
        };
        for name in names {
            match self.resolve_node(name)? {
                Node::Item(NodeRef::Server(i)) => add(i, &mut out),
                // A datacenter stands for its servers (a runner per site scans its own).
                Node::Item(NodeRef::Datacenter(d)) => {
                    for i in (0..self.servers.len()).filter(|&i| self.server_datacenter(i) == d) {
                        add(i, &mut out);
                    }
                }
                Node::Organization => anyhow::bail!("`{name}` is the organization, not a server"),
                Node::Item(r) => anyhow::bail!("`{name}` is a {}, not a server", r.kind()),
            }
        }
        Ok(out)
    }

    /// The name of a node as reports write it: `kind:id`, or `organization`.
    pub fn node_name(&self, n: Node) -> String {
        match n {
            Node::Organization => "organization".into(),
            Node::Item(r) => self.target_id(r),
        }
    }

    /// The server to jump through to reach `server`: its own `ssh.jump`, else the default
    /// jump host (which is itself reached directly).
    pub fn jump_of(&self, server: usize) -> Option<usize> {
        jump_of(&self.servers, self.default_ssh.jump, server)
    }

    pub fn server_datacenter(&self, server: usize) -> usize {
        self.networks[self.servers[server].network].datacenter
    }

    /// The first portal or online public service (mức độ 3–4) that `server` fronts, as a web,
    /// proxy, load-balancer or API server in the DMZ: the servers PUBLIC-IPV6-HTTPS and
    /// HTTPS-REDIRECT judge (TT 32/2017 Đ15.4, Đ20).
    pub fn public_web_front(&self, server: usize) -> Option<usize> {
        let front = self.servers[server]
            .roles
            .iter()
            .any(|r| matches!(r, Role::Web | Role::Proxy | Role::LoadBalancer | Role::Api));
        if !front || self.server_zone(server) != Zone::Dmz {
            return None;
        }
        self.systems.iter().position(|s| {
            s.servers.contains(&server)
                && (s.public_service_level.is_some_and(|l| l >= 3)
                    || (s.kind == SystemKind::CitizenService && !s.public_names.is_empty()))
        })
    }

    pub fn server_zone(&self, server: usize) -> Zone {
        self.networks[self.servers[server].network].zone
    }

    /// A system's protection with the organisation's values filled in.
    pub fn system_protection(&self, system: usize) -> Protection {
        self.systems[system]
            .protection
            .over(&self.organization.protection)
    }
}

/// A node of the dependency graph: the organisation, or an item of the inventory.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Node {
    Organization,
    Item(NodeRef),
}

/// The server to jump through to reach `server`, if any (validation uses it before the
/// inventory is built).
pub fn jump_of(servers: &[Server], default_jump: Option<usize>, server: usize) -> Option<usize> {
    servers[server]
        .ssh
        .jump
        .or(default_jump.filter(|&d| d != server))
}

/// A target id split into its kind and id: `kind:id` → (`Some(kind)`, `id`); a bare id →
/// (`None`, `id`). The one parser of the `kind:id` form.
pub fn split_target(text: &str) -> (Option<&str>, &str) {
    match text.split_once(':') {
        Some((kind, id)) => (Some(kind), id),
        None => (None, text),
    }
}

impl Server {
    /// The TCP ports whose TLS versions TLS-VERSION probes: the declared `tcp` services on a
    /// [well-known TLS port](WELL_KNOWN_TLS_PORTS), and `tls`; ascending, each once.
    pub fn tls_ports(&self) -> Vec<u16> {
        let mut ports: Vec<u16> = self
            .services
            .iter()
            .filter(|s| s.proto == Proto::Tcp && WELL_KNOWN_TLS_PORTS.contains(&s.port))
            .map(|s| s.port)
            .chain(self.tls.iter().copied())
            .collect();
        ports.sort_unstable();
        ports.dedup();
        ports
    }
}
