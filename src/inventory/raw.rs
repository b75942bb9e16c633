//! The inventory as written: serde structs that mirror the TOML file format v1 one to one.
//!
//! Every key a user may write is a field here, and every field is documented in
//! `docs/inventory.md`. These types only say what is *well-formed*; what is *valid* (references
//! resolve, addresses lie in their networks, levels are in range, …) is decided in
//! `validate.rs`, which turns them into the checked model of `model.rs`. Values that a later check
//! must point at are kept as `Spanned` so the diagnostic can show file:line:col.

use std::fmt;
use std::marker::PhantomData;

use serde::Deserialize;
use serde::de::{self, Deserializer, IntoDeserializer, SeqAccess, Visitor};
use toml::Spanned;
use toml::value::Datetime;

/// A value that may be written as one item or as an array of items (`"a"` or `["a", "b"]`).
///
/// Items written alone carry an empty span; [`List::items`] substitutes the span of the whole
/// value so diagnostics still point at the right place.
#[derive(Debug, Clone)]
pub struct List<T>(pub Vec<Spanned<T>>);

impl<T> Default for List<T> {
    fn default() -> Self {
        Self(Vec::new())
    }
}

impl<T> List<T> {
    /// The items with their spans; `outer` is the span of the whole value.
    pub fn items<'a>(
        &'a self,
        outer: &std::ops::Range<usize>,
    ) -> impl Iterator<Item = (&'a T, std::ops::Range<usize>)> + 'a {
        let outer = outer.clone();
        self.0.iter().map(move |s| {
            let span = s.span();
            let span = if span.is_empty() { outer.clone() } else { span };
            (s.get_ref(), span)
        })
    }
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for List<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct ListVisitor<T>(PhantomData<T>);

        impl<T> ListVisitor<T> {
            fn one<'de, E: de::Error>(value: impl IntoDeserializer<'de, E>) -> Result<List<T>, E>
            where
                T: Deserialize<'de>,
            {
                let item = T::deserialize(value.into_deserializer())?;
                Ok(List(vec![Spanned::new(0..0, item)]))
            }
        }

        impl<'de, T: Deserialize<'de>> Visitor<'de> for ListVisitor<T> {
            type Value = List<T>;

            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a value or an array of values")
            }

            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<List<T>, A::Error> {
                let mut items = Vec::new();
                while let Some(item) = seq.next_element::<Spanned<T>>()? {
                    items.push(item);
                }
                Ok(List(items))
            }

            fn visit_str<E: de::Error>(self, v: &str) -> Result<List<T>, E> {
                Self::one(v.to_owned())
            }

            fn visit_string<E: de::Error>(self, v: String) -> Result<List<T>, E> {
                Self::one(v)
            }

            fn visit_i64<E: de::Error>(self, v: i64) -> Result<List<T>, E> {
                Self::one(v)
            }

            fn visit_bool<E: de::Error>(self, v: bool) -> Result<List<T>, E> {
                Self::one(v)
            }

            fn visit_f64<E: de::Error>(self, v: f64) -> Result<List<T>, E> {
                Self::one(v)
            }
        }

        deserializer.deserialize_any(ListVisitor(PhantomData))
    }
}

/// `[organization]`: the system owner's organisation.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Organization {
    pub name: String,
    /// The governing body (cơ quan chủ quản).
    pub owner: Option<String>,
    /// The specialised security unit (đơn vị chuyên trách về ATTT/ANM).
    pub security_unit: Option<Spanned<String>>,
    /// The operating unit (đơn vị vận hành).
    pub operator: Option<Spanned<String>>,
    /// Who appraises level dossiers when the security unit also operates the systems (TT 12
    /// Đ6; NĐ 331 Đ18.4): another competent unit, or an independent appraisal council.
    pub appraiser: Option<Spanned<String>>,
    pub address: Option<String>,
    pub regime: Option<Spanned<Regime>>,
    #[serde(default)]
    pub contacts: Vec<Contact>,
    pub protection: Option<Protection>,
}

#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Deserialize, serde::Serialize,
)]
#[serde(rename_all = "kebab-case")]
pub enum Regime {
    /// NĐ 85/2016 + TT 12/2022 + TCVN 11930:2017 (legacy).
    Nd85,
    /// Luật 116/2025 + NĐ 331/2026 + TCVN 14423:2026 (current).
    Nd331,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Contact {
    pub name: String,
    pub role: Option<String>,
    pub phone: Option<String>,
    pub email: Option<String>,
}

/// `protection`: the 4-layer model attestations and design measures, organisation-wide or per
/// system (a system's key wins over the organisation's).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Protection {
    /// Layer 1: the on-site security team (lực lượng tại chỗ).
    pub onsite_team: Option<String>,
    /// Layer 2: the professional monitoring provider (SOC).
    pub monitoring_provider: Option<String>,
    /// Layer 3: date of the last independent assessment.
    pub last_assessment: Option<Spanned<Datetime>>,
    /// Layer 3: who did it.
    pub assessor: Option<String>,
    /// Layer 4: connected to the national monitoring centre.
    pub national_monitoring: Option<bool>,
    /// Design measures present.
    pub measures: Option<Spanned<List<Measure>>>,
    /// Human attestations recorded: control id → the evidence (document number and date).
    pub attestations: Option<std::collections::BTreeMap<Spanned<String>, Spanned<String>>>,
}

#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Deserialize, serde::Serialize,
)]
#[serde(rename_all = "kebab-case")]
pub enum Measure {
    Waf,
    AntiDdos,
    DbFirewall,
    Nac,
    Siem,
    Pam,
    Dlp,
    Vpn,
    Edr,
    Ips,
    Nms,
    MailSecurity,
}

/// `[defaults]`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Defaults {
    pub ssh: Option<Ssh>,
    /// The accounts approved on every server (a server's own `accounts` add to them).
    pub accounts: Option<Spanned<List<String>>>,
}

/// `[defaults.ssh]` and a server's `ssh = { … }` override.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Ssh {
    pub user: Option<String>,
    pub port: Option<Spanned<u16>>,
    pub identity: Option<String>,
    pub known_hosts: Option<String>,
    /// A server id to jump through.
    pub jump: Option<Spanned<String>>,
    /// Connect and per-command timeout, in seconds.
    pub timeout: Option<u32>,
    /// Use `sudo -n` for the collector sections that need privilege.
    pub sudo: Option<bool>,
}

/// `[datacenters.ID]`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Datacenter {
    pub name: String,
    pub address: Option<String>,
    /// Uptime / TIA-942 tier (1–4).
    pub tier: Option<Spanned<i64>>,
    pub coordinates: Option<Coordinates>,
    /// The site's Internet uplinks, one item per link (its provider or circuit).
    pub uplinks: Option<Spanned<List<String>>>,
    /// The site's main network devices, by id.
    pub devices: Option<std::collections::BTreeMap<Spanned<String>, Spanned<Device>>>,
}

/// A main network device of a datacenter: `{ role, ha_group }`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Device {
    pub role: DeviceRole,
    /// The HA pair or cluster it belongs to; devices of one role sharing a group back each
    /// other up.
    pub ha_group: Option<String>,
    pub model: Option<String>,
}

/// What a network device is, for the redundancy rules (TT 12 Phụ lục II.1.b).
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Deserialize, serde::Serialize,
)]
#[serde(rename_all = "kebab-case")]
pub enum DeviceRole {
    CoreSwitch,
    Firewall,
    Waf,
    Storage,
    DbFirewall,
    Router,
    LoadBalancer,
    Switch,
    Ips,
    Other,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Coordinates {
    pub lat: Spanned<f64>,
    pub lon: Spanned<f64>,
}

/// `[networks.ID]`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Network {
    pub name: Option<String>,
    pub datacenter: Spanned<String>,
    pub zone: Spanned<Zone>,
    pub cidr: Spanned<List<ipnetwork::IpNetwork>>,
    pub vlan: Option<Spanned<i64>>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Zone {
    InternetEdge,
    Dmz,
    Server,
    Database,
    Management,
    DeviceManagement,
    User,
    Wireless,
    Backup,
    SpecialPurpose,
}

/// `[servers.ID]`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Server {
    pub name: Option<String>,
    pub network: Spanned<String>,
    pub address: Spanned<List<std::net::IpAddr>>,
    pub os: Option<String>,
    pub roles: Option<Spanned<List<Role>>>,
    pub services: Option<Spanned<List<Service>>>,
    /// Services speaking TLS on ports other than the well-known TLS ports.
    pub tls: Option<Spanned<List<Service>>>,
    pub ssh: Option<Ssh>,
    pub backup: Option<Spanned<Backup>>,
    pub agents: Option<Spanned<List<String>>>,
    #[serde(default)]
    pub ipv6: bool,
    /// Accounts approved on this server, over `[defaults] accounts`.
    pub accounts: Option<Spanned<List<String>>>,
    /// Asset record (TCVN 14423 x.2): serial number, MAC address, end of vendor support,
    /// rack position, owner and purpose.
    pub serial: Option<String>,
    pub mac: Option<Spanned<String>>,
    pub support_end: Option<Spanned<Datetime>>,
    pub rack: Option<String>,
    pub owner: Option<String>,
    pub purpose: Option<String>,
    /// Software installed besides the OS, with the end of its vendor's support.
    pub software: Option<Vec<Software>>,
}

/// `software = [{ name, version, support_end }]`: a server's software asset.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Software {
    pub name: String,
    pub version: Option<String>,
    pub support_end: Option<Spanned<Datetime>>,
}

#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Deserialize, serde::Serialize,
)]
#[serde(rename_all = "kebab-case")]
pub enum Role {
    Web,
    App,
    Api,
    Database,
    Cache,
    Queue,
    File,
    Storage,
    Backup,
    Siem,
    Log,
    Monitoring,
    Dns,
    Mail,
    Proxy,
    LoadBalancer,
    Ntp,
    Patch,
    Directory,
    Sso,
    Bastion,
    Firewall,
    Waf,
    Hypervisor,
    ContainerHost,
    Other,
}

/// A declared service, written `"tcp/443"` or `"udp/514"`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Service {
    pub proto: Proto,
    pub port: u16,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Proto {
    Tcp,
    Udp,
}

impl fmt::Display for Service {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let proto = match self.proto {
            Proto::Tcp => "tcp",
            Proto::Udp => "udp",
        };
        write!(f, "{proto}/{}", self.port)
    }
}

impl std::str::FromStr for Service {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        let bad = || format!("invalid service `{s}`: expected \"tcp/PORT\" or \"udp/PORT\"");
        let (proto, port) = s.split_once('/').ok_or_else(bad)?;
        let proto = match proto {
            "tcp" => Proto::Tcp,
            "udp" => Proto::Udp,
            _ => return Err(bad()),
        };
        let port: u16 = port.parse().map_err(|_| bad())?;
        if port == 0 {
            return Err(bad());
        }
        Ok(Self { proto, port })
    }
}

impl<'de> Deserialize<'de> for Service {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let s = String::deserialize(deserializer)?;
        s.parse().map_err(de::Error::custom)
    }
}

/// A server's `backup = { to, schedule, path }`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Backup {
    /// One target (or use `targets`).
    pub to: Option<Spanned<String>>,
    /// The medium of `to`'s copy.
    pub medium: Option<Medium>,
    /// Several targets, each `{ to, medium }`.
    pub targets: Option<Spanned<Vec<BackupTarget>>>,
    pub schedule: Schedule,
    pub path: Option<Spanned<String>>,
}

/// One copy of a backup: `{ to, medium }`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BackupTarget {
    pub to: Spanned<String>,
    pub medium: Option<Medium>,
}

/// The medium a backup copy is kept on (3-2-1 counts two different media).
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Deserialize, serde::Serialize,
)]
#[serde(rename_all = "kebab-case")]
pub enum Medium {
    /// Disks: a backup server's file system, NAS or SAN.
    Disk,
    Tape,
    /// Object storage (S3-compatible, a cloud bucket).
    Object,
    /// Optical discs.
    Optical,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Schedule {
    Hourly,
    Daily,
    Weekly,
    Monthly,
}

/// `[systems.ID]`: an information system (hệ thống thông tin).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct System {
    pub name: String,
    pub description: Option<String>,
    pub kind: Spanned<SystemKind>,
    pub information: Option<Spanned<List<InfoType>>>,
    pub personal_data: Option<PersonalData>,
    /// Legacy: number of users whose private or personal information the system processes.
    pub users: Option<u64>,
    /// Legacy online public service level (mức độ 1–4).
    pub public_service_level: Option<Spanned<i64>>,
    /// Handles administrative procedures (NĐ 331 Đ13.2.b).
    pub administrative_procedures: Option<bool>,
    /// Provides an online service on the conditional-business list.
    #[serde(default)]
    pub conditional_business: bool,
    pub scope: Option<Scope>,
    /// A national e-government system (hệ thống CPĐT quốc gia).
    #[serde(default)]
    pub national: bool,
    /// Must run 24/7 with no unplanned outage.
    #[serde(default)]
    pub always_on: bool,
    /// For state-secret or defence/security systems: how badly sabotage would harm defence or
    /// national security.
    pub security_impact: Option<SecurityImpact>,
    /// For industrial-control systems: the grade of the construction works controlled.
    pub works_grade: Option<WorksGrade>,
    /// For industrial-control systems: the works controlled are tied to national security.
    #[serde(default)]
    pub national_security_works: bool,
    /// Centralised storage of especially important national data.
    #[serde(default)]
    pub national_data_store: bool,
    /// National infrastructure connecting Vietnam with international networks.
    #[serde(default)]
    pub international_gateway: bool,
    /// On the Prime Minister's list of systems important to national security.
    #[serde(default)]
    pub national_security_list: bool,
    /// A level set by Prime-Minister decision or demanded by the risk assessment.
    pub risk_level: Option<Spanned<i64>>,
    pub public_names: Option<Spanned<List<String>>>,
    pub level: Option<Spanned<i64>>,
    pub approval: Option<Approval>,
    /// The system's security regulation (quy chế bảo đảm ATTT/ANM, TT 12 Đ9.7 / NĐ 331 Đ30.7).
    pub regulation: Option<Regulation>,
    pub owner: Option<String>,
    pub operator: Option<Spanned<String>>,
    /// This system's appraiser, over the organisation's.
    pub appraiser: Option<Spanned<String>>,
    pub servers: Option<Spanned<List<String>>>,
    pub depends_on: Option<Spanned<List<String>>>,
    pub protection: Option<Protection>,
}

#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Deserialize, serde::Serialize,
)]
#[serde(rename_all = "kebab-case")]
pub enum SystemKind {
    Internal,
    CitizenService,
    Infrastructure,
    IndustrialControl,
    Other,
}

#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Deserialize, serde::Serialize,
)]
#[serde(rename_all = "kebab-case")]
pub enum InfoType {
    Public,
    Private,
    Personal,
    StateSecret,
}

#[derive(Debug, Clone, Copy, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PersonalData {
    #[serde(default)]
    pub basic: u64,
    #[serde(default)]
    pub sensitive: u64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Scope {
    Agency,
    Ministry,
    Sector,
    Province,
    MultiProvince,
    Nationwide,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum SecurityImpact {
    Harm,
    Serious,
    EspeciallySerious,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Deserialize)]
pub enum WorksGrade {
    #[serde(rename = "special")]
    Special,
    I,
    II,
    III,
    IV,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Approval {
    pub status: ApprovalStatus,
    pub decision: Option<String>,
    pub date: Option<Spanned<Datetime>>,
    pub authority: Option<String>,
}

/// `regulation = { decision, date }`: the decision issuing the system's security regulation.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Regulation {
    pub decision: Option<String>,
    pub date: Option<Spanned<Datetime>>,
}

#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Deserialize, serde::Serialize,
)]
#[serde(rename_all = "kebab-case")]
pub enum ApprovalStatus {
    /// Đang dự thảo.
    Draft,
    /// Đã gửi thẩm định.
    Submitted,
    /// Đã thẩm định.
    Appraised,
    /// Đã được phê duyệt.
    Approved,
}

/// `[externals.ID]`: a party outside the ministry's data centres.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct External {
    pub name: String,
    pub kind: ExternalKind,
    pub cidr: Option<Spanned<List<ipnetwork::IpNetwork>>>,
    pub public_names: Option<Spanned<List<String>>>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ExternalKind {
    /// The national cybersecurity / monitoring centre.
    NationalMonitoring,
    /// A data-exchange platform (NGSP, NDXP, LGSP of another body).
    DataExchange,
    /// The national document axis (trục liên thông văn bản quốc gia).
    DocumentAxis,
    /// The national public service portal (Cổng DVC quốc gia).
    PublicServicePortal,
    /// The special-purpose government network (mạng truyền số liệu chuyên dùng).
    SpecialPurposeNetwork,
    Internet,
    Other,
}

/// `[[flows]]`: a network flow the inventory allows.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Flow {
    pub from: Spanned<String>,
    pub to: Spanned<String>,
    pub services: Spanned<List<Service>>,
    pub description: Option<String>,
}
