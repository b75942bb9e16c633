//! The law as data: the clause of each requirement item of the technical standards at each
//! level, and the appendix of TT 12/2022 per level (regulations.md §5.1, §5.4, §5.6, §11.1).
//!
//! A pack cites an item as `@tcvn11930/network.ips`, `@tcvn14423/account.mfa` or
//! `@tt12/II.1.b`; findings print the clause of the target's level from these tables. No clause
//! number is ever made by substituting a level into a pattern: TCVN 11930 numbers its items
//! differently at level 1 than at levels 2–5, and TCVN 14423's numbering is known only where
//! regulations.md gives it. `tests/law.rs` compares every row with a verbatim copy of
//! regulations.md (`tests/fixtures/law/regulations.md`).

use crate::inventory::Level;

/// The standards and circulars whose clauses depend on the level.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Standard {
    /// TCVN 11930:2017 (legacy regime): level L in chapter §5 … §9.
    Tcvn11930,
    /// TCVN 14423:2026 (current regime): level L in chapter §3 … §7.
    Tcvn14423,
}

impl Standard {
    pub fn title(self) -> &'static str {
        match self {
            Standard::Tcvn11930 => "TCVN 11930:2017",
            Standard::Tcvn14423 => "TCVN 14423:2026",
        }
    }

    /// The name a pack writes after `@`.
    pub fn key(self) -> &'static str {
        match self {
            Standard::Tcvn11930 => "tcvn11930",
            Standard::Tcvn14423 => "tcvn14423",
        }
    }

    /// The chapter of each level (regulations.md §5.1, "TCVN numbering").
    pub fn chapters(self) -> [u8; 5] {
        match self {
            Standard::Tcvn11930 => [5, 6, 7, 8, 9],
            Standard::Tcvn14423 => [3, 4, 5, 6, 7],
        }
    }

    pub fn items(self) -> &'static [Item] {
        match self {
            Standard::Tcvn11930 => TCVN11930,
            Standard::Tcvn14423 => TCVN14423,
        }
    }
}

/// An item's clause at one level.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Clause {
    /// The clause, e.g. `7.2.1.5`.
    At(&'static str),
    /// The standard has no such item at this level ("–" in regulations.md).
    Absent,
    /// regulations.md does not give the clause at this level: capdo prints the level's chapter
    /// and says the clause is unconfirmed.
    Unconfirmed,
}

/// Where in regulations.md an item's clauses are written (the test reads them there).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    /// §5.4, the TCVN 11930:2017 table: one column per level.
    Tcvn11930Table,
    /// §5.6, the TCVN 14423:2026 table: the "Clause" column.
    Tcvn14423Table,
    /// §11.1, the automatically verifiable requirements: a clause quoted in the first column.
    Verifiable,
}

/// One requirement item of a standard.
#[derive(Debug, PartialEq, Eq)]
pub struct Item {
    pub standard: Standard,
    /// The name a pack cites after `@tcvn…/`.
    pub key: &'static str,
    /// What it is, in Vietnamese (printed after the clause).
    pub topic: &'static str,
    /// The first cell of its row in regulations.md (markup removed), where `source` says.
    pub row: &'static str,
    pub source: Source,
    /// Its clause at levels 1 to 5.
    pub clauses: [Clause; 5],
}

use Clause::{Absent as N, At, Unconfirmed as U};

const fn t11930(
    key: &'static str,
    topic: &'static str,
    row: &'static str,
    clauses: [Clause; 5],
) -> Item {
    Item {
        standard: Standard::Tcvn11930,
        key,
        topic,
        row,
        source: Source::Tcvn11930Table,
        clauses,
    }
}

const fn t14423(
    key: &'static str,
    topic: &'static str,
    row: &'static str,
    source: Source,
    clauses: [Clause; 5],
) -> Item {
    Item {
        standard: Standard::Tcvn14423,
        key,
        topic,
        row,
        source,
        clauses,
    }
}

/// TCVN 11930:2017, regulations.md §5.4 (TT 12/2022 Phụ lục, mục II.2).
const TCVN11930: &[Item] = &[
    t11930(
        "network.external-access",
        "kiểm soát truy cập từ bên ngoài mạng",
        "Network: external-access control",
        [
            At("5.2.1.2"),
            At("6.2.1.2"),
            At("7.2.1.2"),
            At("8.2.1.2"),
            At("9.2.1.2"),
        ],
    ),
    t11930(
        "network.internal-access",
        "kiểm soát truy cập từ bên trong mạng",
        "Network: internal-access control",
        [
            N,
            At("6.2.1.3"),
            At("7.2.1.3"),
            At("8.2.1.3"),
            At("9.2.1.3"),
        ],
    ),
    t11930(
        "network.log",
        "nhật ký hệ thống mạng",
        "Network: system log",
        [
            At("5.2.1.3"),
            At("6.2.1.4"),
            At("7.2.1.4"),
            At("8.2.1.4"),
            At("9.2.1.4"),
        ],
    ),
    t11930(
        "network.ips",
        "phòng chống xâm nhập mạng",
        "Network: intrusion prevention",
        [
            At("5.2.1.4"),
            At("6.2.1.5"),
            At("7.2.1.5"),
            At("8.2.1.5"),
            At("9.2.1.5"),
        ],
    ),
    t11930(
        "network.malware",
        "phòng chống phần mềm độc hại trên môi trường mạng",
        "Network: malware on the network",
        [N, N, At("7.2.1.6"), At("8.2.1.6"), At("9.2.1.6")],
    ),
    t11930(
        "network.devices",
        "bảo vệ thiết bị hệ thống",
        "Network: device protection",
        [
            At("5.2.1.5"),
            At("6.2.1.6"),
            At("7.2.1.7"),
            At("8.2.1.7"),
            At("9.2.1.7"),
        ],
    ),
    t11930(
        "server.authentication",
        "xác thực trên máy chủ",
        "Server: authentication",
        [
            At("5.2.2.1"),
            At("6.2.2.1"),
            At("7.2.2.1"),
            At("8.2.2.1"),
            At("9.2.2.1"),
        ],
    ),
    t11930(
        "server.access",
        "kiểm soát truy cập máy chủ",
        "Server: access control",
        [
            At("5.2.2.2"),
            At("6.2.2.2"),
            At("7.2.2.2"),
            At("8.2.2.2"),
            At("9.2.2.2"),
        ],
    ),
    t11930(
        "server.log",
        "nhật ký hệ thống máy chủ",
        "Server: system log",
        [
            At("5.2.2.3"),
            At("6.2.2.3"),
            At("7.2.2.3"),
            At("8.2.2.3"),
            At("9.2.2.3"),
        ],
    ),
    t11930(
        "server.intrusion",
        "phòng chống xâm nhập máy chủ",
        "Server: intrusion prevention",
        [
            At("5.2.2.4"),
            At("6.2.2.4"),
            At("7.2.2.4"),
            At("8.2.2.4"),
            At("9.2.2.4"),
        ],
    ),
    t11930(
        "server.malware",
        "phòng chống mã độc trên máy chủ",
        "Server: malware protection",
        [
            At("5.2.2.5"),
            At("6.2.2.5"),
            At("7.2.2.5"),
            At("8.2.2.5"),
            At("9.2.2.5"),
        ],
    ),
    t11930(
        "app.encryption",
        "bảo mật thông tin liên lạc (mã hóa trên đường truyền)",
        "Application: communications confidentiality (encryption in transit)",
        [N, N, At("7.2.3.4"), At("8.2.3.4"), At("9.2.3.4")],
    ),
    t11930(
        "data.confidentiality",
        "bảo mật dữ liệu",
        "Data: confidentiality (bảo mật dữ liệu)",
        [
            N,
            At("6.2.4.1"),
            At("7.2.4.2"),
            At("8.2.4.2"),
            At("9.2.4.2"),
        ],
    ),
    t11930(
        "data.backup",
        "sao lưu dự phòng",
        "Data: backup (sao lưu dự phòng)",
        [
            At("5.2.4.1"),
            At("6.2.4.2"),
            At("7.2.4.3"),
            At("8.2.4.3"),
            At("9.2.4.3"),
        ],
    ),
];

/// TCVN 14423:2026, regulations.md §5.6 ("Clause" column; `x.` there is the level's chapter)
/// and the clauses §11.1 quotes. [S]: from a third-party summary (regulations.md §12.3).
const TCVN14423: &[Item] = &[
    t14423(
        "log.retention",
        "dung lượng, thời gian lưu trữ nhật ký",
        "Log retention capacity",
        Source::Tcvn14423Table,
        [
            At("3.8.2.1 a"),
            At("4.8.2.1 a"),
            At("5.8.2.1 a"),
            At("6.8.2.1 a"),
            At("7.8.2.1 a"),
        ],
    ),
    t14423(
        "log.time-sync",
        "đồng bộ thời gian",
        "Time sync (NTP) for all monitored components",
        Source::Tcvn14423Table,
        [
            At("3.8.2.1 a"),
            At("4.8.2.1 a"),
            At("5.8.2.1 a"),
            At("6.8.2.1 a"),
            At("7.8.2.1 a"),
        ],
    ),
    t14423(
        "log.types",
        "các loại nhật ký phải ghi (nhật ký tiến trình từ cấp độ 3, SIEM)",
        "Required log types",
        Source::Tcvn14423Table,
        [At("3.8"), At("4.8"), At("5.8"), At("6.8"), At("7.8")],
    ),
    t14423(
        "account.inactive",
        "vô hiệu hóa tài khoản không hoạt động",
        "Inactive accounts disabled after",
        Source::Tcvn14423Table,
        [
            At("3.6.2.3"),
            At("4.6.2.3"),
            At("5.6.2.3"),
            At("6.6.2.3"),
            At("7.6.2.3"),
        ],
    ),
    t14423(
        "account.management",
        "quản lý tài khoản",
        "Inactive accounts disabled after",
        Source::Tcvn14423Table,
        [
            At("3.6.2.3"),
            At("4.6.2.3"),
            At("5.6.2.3"),
            At("6.6.2.3"),
            At("7.6.2.3"),
        ],
    ),
    t14423(
        "account.password",
        "mật khẩu",
        "Admin password change",
        Source::Tcvn14423Table,
        [
            At("3.6.2.2 b"),
            At("4.6.2.2 b"),
            At("5.6.2.2 b"),
            At("6.6.2.2 b"),
            At("7.6.2.2 b"),
        ],
    ),
    t14423(
        "account.mfa",
        "xác thực đa yếu tố cho tài khoản quản trị và truy cập từ xa",
        "MFA",
        Source::Tcvn14423Table,
        [At("3.6.2.4"), U, At("5.6.2.3"), At("6.6.2.3"), U],
    ),
    t14423(
        "session.lock",
        "khóa phiên làm việc",
        "Session lock sugg.",
        Source::Tcvn14423Table,
        [
            At("3.5.2.2 a"),
            At("4.5.2.2 a"),
            At("5.5.2.2 a"),
            At("6.5.2.2 a"),
            At("7.5.2.2 a"),
        ],
    ),
    t14423(
        "session.lockout",
        "khóa sau số lần đăng nhập sai",
        "Lockout after failed logins sugg.",
        Source::Tcvn14423Table,
        [
            At("3.5.2.2 a"),
            At("4.5.2.2 a"),
            At("5.5.2.2 a"),
            At("6.5.2.2 a"),
            At("7.5.2.2 a"),
        ],
    ),
    t14423(
        "remote.access",
        "truy cập, quản trị từ xa",
        "Remote access",
        Source::Tcvn14423Table,
        [At("3.12.2.5"), U, At("5.12.2.4–5"), At("6.12.2.5"), U],
    ),
    t14423(
        "secure-services",
        "chỉ dùng giao thức an toàn, tắt dịch vụ không an toàn",
        "Remote admin over secure channels only; no Telnet/rsh/FTP; insecure services off",
        Source::Verifiable,
        [U, U, At("5.12.2.4 a"), U, U],
    ),
    t14423(
        "remote.admin-source",
        "giới hạn địa chỉ nguồn được quản trị từ xa",
        "Admin source restriction",
        Source::Verifiable,
        [U, U, At("5.12.2.5"), U, U],
    ),
    t14423(
        "firewall.host",
        "tường lửa máy chủ, mặc định chặn",
        "Host firewall default-deny, IPv4 and IPv6",
        Source::Verifiable,
        [U, U, At("5.13.2.2"), U, U],
    ),
    t14423(
        "firewall",
        "tường lửa, IPS, WAF, tường lửa CSDL, NAC, chống DDoS",
        "Firewall",
        Source::Tcvn14423Table,
        [At("3.12.2.2"), U, U, U, At("7.13.2.3")],
    ),
    t14423(
        "malware",
        "phòng chống mã độc",
        "Anti-malware",
        Source::Tcvn14423Table,
        [At("3.10"), At("4.10"), At("5.10"), At("6.10"), At("7.10")],
    ),
    t14423(
        "patch",
        "cập nhật bản vá",
        "Patching of user devices",
        Source::Tcvn14423Table,
        [
            At("3.7.2.2"),
            At("4.7.2.2"),
            At("5.7.2.2"),
            At("6.7.2.2"),
            At("7.7.2.2"),
        ],
    ),
    t14423(
        "vulnerability-scan",
        "rà quét điểm yếu, đánh giá định kỳ",
        "Vulnerability scan, whole system",
        Source::Tcvn14423Table,
        [
            At("3.7.2.1"),
            At("4.7.2.1"),
            At("5.7.2.1"),
            At("6.7.2.1"),
            At("7.7.2.1"),
        ],
    ),
    t14423(
        "pentest",
        "kiểm thử xâm nhập",
        "Penetration test (external and internal)",
        Source::Tcvn14423Table,
        [N, N, At("5.18"), At("6.18.2.2/.5"), At("7.18")],
    ),
    t14423(
        "backup",
        "sao lưu dự phòng",
        "Backup",
        Source::Tcvn14423Table,
        [At("3.11"), At("4.11"), At("5.11"), At("6.11"), At("7.11")],
    ),
    t14423(
        "redundancy",
        "dự phòng (cân bằng tải, dự phòng nóng; site dự phòng ≥ 30 km ở cấp độ 5)",
        "Redundancy",
        Source::Tcvn14423Table,
        [
            At("3.12"),
            U,
            At("5.12.2.2"),
            At("6.12.2.2"),
            At("7.12.2.2"),
        ],
    ),
    t14423(
        "encryption.transit",
        "mã hóa trên đường truyền",
        "Encryption in transit (important data)",
        Source::Tcvn14423Table,
        [N, N, At("5.4.2.4 b"), At("6.4.2.4 c"), At("7.4.2.4 d/f")],
    ),
    t14423(
        "monitoring",
        "giám sát an toàn (SIEM)",
        "Security monitoring",
        Source::Tcvn14423Table,
        [N, N, At("5.13"), At("6.13"), At("7.13")],
    ),
    t14423(
        "dlp",
        "chống thất thoát dữ liệu (DLP)",
        "DLP",
        Source::Tcvn14423Table,
        [N, N, At("5.12.2.2 a"), At("6.4.2.8"), U],
    ),
    t14423(
        "drill",
        "diễn tập ứng cứu sự cố",
        "Incident-response exercise",
        Source::Tcvn14423Table,
        [N, N, At("5.16.1"), At("6.17.2.6"), U],
    ),
];

/// TT 12/2022 has one appendix per level (Phụ lục I … V), each with the same sections.
pub const TT12_APPENDIX: [&str; 5] = ["I", "II", "III", "IV", "V"];

/// The sections of each TT 12/2022 appendix a pack may cite as `@tt12/SECTION`.
pub const TT12_SECTIONS: &[(&str, &str)] = &[
    ("I", "yêu cầu quản lý"),
    ("II.1.a", "phân vùng mạng"),
    ("II.1.b", "phương án thiết kế"),
    ("II.2", "yêu cầu cấu hình kỹ thuật"),
];

/// A level-dependent citation, resolved from `@…` when a pack is loaded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cite {
    Item(&'static Item),
    /// A section of the TT 12/2022 appendix of the level, with its topic.
    Tt12(&'static str, &'static str),
}

/// Why an `@…` citation cannot be resolved.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CiteError {
    UnknownStandard(String),
    UnknownItem { standard: Standard, key: String },
    UnknownSection(String),
}

impl std::fmt::Display for CiteError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            CiteError::UnknownStandard(s) => write!(
                f,
                "unknown standard `@{s}`: write `@tcvn11930/ITEM`, `@tcvn14423/ITEM` or `@tt12/SECTION`"
            ),
            CiteError::UnknownItem { standard, key } => {
                let keys: Vec<&str> = standard.items().iter().map(|i| i.key).collect();
                write!(
                    f,
                    "{} has no item `{key}` in capdo's table; known: {}",
                    standard.title(),
                    keys.join(", ")
                )
            }
            CiteError::UnknownSection(s) => {
                let keys: Vec<&str> = TT12_SECTIONS.iter().map(|(k, _)| *k).collect();
                write!(
                    f,
                    "TT 12/2022 has no appendix section `{s}` in capdo's table; known: {}",
                    keys.join(", ")
                )
            }
        }
    }
}

/// Resolve `standard/key` (the text after `@`).
pub fn resolve(reference: &str) -> Result<Cite, CiteError> {
    let (standard, key) = reference.split_once('/').unwrap_or((reference, ""));
    let standard = match standard {
        "tcvn11930" => Standard::Tcvn11930,
        "tcvn14423" => Standard::Tcvn14423,
        "tt12" => {
            return TT12_SECTIONS
                .iter()
                .find(|(s, _)| *s == key)
                .map(|(s, topic)| Cite::Tt12(s, topic))
                .ok_or_else(|| CiteError::UnknownSection(key.to_owned()));
        }
        other => return Err(CiteError::UnknownStandard(other.to_owned())),
    };
    standard
        .items()
        .iter()
        .find(|i| i.key == key)
        .map(Cite::Item)
        .ok_or_else(|| CiteError::UnknownItem {
            standard,
            key: key.to_owned(),
        })
}

impl Cite {
    /// Its clause at `level` (`Absent` only for an item the standard lacks at that level).
    pub fn clause(self, level: Level) -> Clause {
        match self {
            Cite::Item(item) => item.clauses[level.get() as usize - 1],
            Cite::Tt12(..) => Clause::At(TT12_APPENDIX[level.get() as usize - 1]),
        }
    }

    /// The citation at one level: "TCVN 11930:2017 §7.2.1.5 (phòng chống xâm nhập mạng)",
    /// "TT 12/2022 Phụ lục III mục II.1.b (phương án thiết kế)", or for a clause regulations.md
    /// does not give, the level's chapter marked unconfirmed. `None` where the standard has no
    /// such item at that level (a control citing an item from level 3 on cites it from there).
    pub fn at(self, level: Level) -> Option<String> {
        let i = level.get() as usize - 1;
        match self {
            Cite::Tt12(section, topic) => Some(format!(
                "TT 12/2022 Phụ lục {} mục {section} ({topic})",
                TT12_APPENDIX[i]
            )),
            Cite::Item(item) => match item.clauses[i] {
                Clause::At(c) => Some(format!("{} §{c} ({})", item.standard.title(), item.topic)),
                Clause::Absent => None,
                Clause::Unconfirmed => Some(format!(
                    "{} §{} ({}; số khoản ở cấp độ {level} chưa xác nhận)",
                    item.standard.title(),
                    item.standard.chapters()[i],
                    item.topic
                )),
            },
        }
    }

    /// The citation over the levels `on` (index level − 1), for lists without a level:
    /// "TCVN 11930:2017 (phòng chống xâm nhập mạng; cấp độ 1: §5.2.1.4, cấp độ 2: §6.2.1.5, …)".
    pub fn over(self, on: [bool; 5]) -> String {
        let levels: Vec<Level> = (1..=5)
            .filter(|&l| on[l as usize - 1])
            .filter_map(Level::new)
            .collect();
        match self {
            Cite::Tt12(section, topic) => {
                let romans: Vec<&str> = levels
                    .iter()
                    .map(|l| TT12_APPENDIX[l.get() as usize - 1])
                    .collect();
                // Contiguous levels read as a range, as the circular's own tables do.
                let contiguous = levels.windows(2).all(|w| w[1].get() == w[0].get() + 1);
                let appendices = match romans.as_slice() {
                    [first, .., last] if contiguous => format!("{first}–{last}"),
                    _ => romans.join(", "),
                };
                format!("TT 12/2022 Phụ lục {appendices} mục {section} ({topic})")
            }
            Cite::Item(item) => {
                let per_level: Vec<String> = levels
                    .iter()
                    .filter_map(|&l| match item.clauses[l.get() as usize - 1] {
                        Clause::At(c) => Some(format!("cấp độ {l}: §{c}")),
                        Clause::Absent => None,
                        Clause::Unconfirmed => Some(format!("cấp độ {l}: chưa xác nhận")),
                    })
                    .collect();
                format!(
                    "{} ({}; {})",
                    item.standard.title(),
                    item.topic,
                    per_level.join(", ")
                )
            }
        }
    }
}
