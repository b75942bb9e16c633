//! The controls capdo evaluates, as data: id, titles, what they apply to, from which level, how
//! severe, their legal basis in each regime, and how to fix a failure.
//!
//! Bases cite regulations.md; where a clause depends on the level (TCVN numbering puts each level
//! in its own chapter) the control's `level_basis` adds the level-specific clause at evaluation.

use crate::inventory::{Level, Regime};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
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

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
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
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Confidence {
    Confirmed,
    /// Marked UNCONFIRMED in regulations.md; reports say so.
    Unconfirmed(&'static str),
}

/// What a control needs to be decided.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    /// The inventory and the graph (`check --offline`).
    Inventory,
    /// Facts collected from the host over SSH.
    Host,
    /// The waivers file, checked against the findings (`capdo check`, any mode).
    Waivers,
}

impl Source {
    pub fn as_str(self) -> &'static str {
        match self {
            Source::Inventory => "inventory",
            Source::Host => "host",
            Source::Waivers => "waivers",
        }
    }
}

#[derive(Debug)]
pub struct Control {
    pub id: &'static str,
    pub source: Source,
    pub title_vi: &'static str,
    pub title_en: &'static str,
    pub applies_to: AppliesTo,
    /// Lowest level the control applies at.
    pub min_level: u8,
    pub severity: Severity,
    /// What is checked, and why (English).
    pub description: &'static str,
    pub basis_nd85: &'static [&'static str],
    pub basis_nd331: &'static [&'static str],
    pub remediation_vi: &'static str,
    pub remediation_en: &'static str,
    pub confidence: Confidence,
}

impl Control {
    pub fn basis(&self, regime: Regime) -> &'static [&'static str] {
        match regime {
            Regime::Nd85 => self.basis_nd85,
            Regime::Nd331 => self.basis_nd331,
        }
    }

    pub fn title(&self, lang: Lang) -> &'static str {
        match lang {
            Lang::Vi => self.title_vi,
            Lang::En => self.title_en,
        }
    }

    pub fn remediation(&self, lang: Lang) -> &'static str {
        match lang {
            Lang::Vi => self.remediation_vi,
            Lang::En => self.remediation_en,
        }
    }

    pub fn applies_at(&self, level: Option<Level>) -> bool {
        self.min_level <= 1 || level.is_some_and(|l| l.get() >= self.min_level)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Lang {
    #[default]
    Vi,
    En,
}

/// TCVN 11930:2017 puts level L in chapter L+4 (§5 = level 1 … §9 = level 5).
pub fn tcvn11930(level: Level, rest: &str) -> String {
    format!("TCVN 11930:2017 §{}.{rest}", level.get() + 4)
}

/// TCVN 14423:2026 puts level L in chapter L+2 (§3 = level 1 … §7 = level 5).
pub fn tcvn14423(level: Level, rest: &str) -> String {
    format!("TCVN 14423:2026 §{}.{rest}", level.get() + 2)
}

/// TT 12/2022 has one appendix per level (Phụ lục I … V).
pub fn tt12_appendix(level: Level, section: &str) -> String {
    let roman = ["I", "II", "III", "IV", "V"][level.get() as usize - 1];
    format!("TT 12/2022 Phụ lục {roman} mục {section}")
}

const FOURLAYER_SCOPE: Confidence = Confidence::Unconfirmed(
    "Chỉ thị 14/CT-TTg speaks of agencies; whether the 4-layer model is due per system is unconfirmed (regulations.md §7, §12.6)",
);

pub static CONTROLS: &[Control] = &[
    Control {
        source: Source::Inventory,
        id: "LEVEL-UNDERCLASSIFIED",
        title_vi: "Cấp độ đề xuất thấp hơn cấp độ theo tiêu chí",
        title_en: "Declared level below what the criteria require",
        applies_to: AppliesTo::System,
        min_level: 1,
        severity: Severity::High,
        description: "Computes the level a system's attributes require by the regime's criteria (information types, system kind, personal-data subjects or users, online public service level, administrative procedures, scope, 24/7, state secrets, works grade) and fails when the declared level is lower or missing. A system meeting several criteria takes the highest.",
        basis_nd85: &["NĐ 85/2016 Đ5.2", "NĐ 85/2016 Đ7–Đ11"],
        basis_nd331: &[
            "NĐ 331/2026 Đ8.2",
            "NĐ 331/2026 Đ10.5",
            "NĐ 331/2026 Đ11–Đ16",
        ],
        remediation_vi: "Đề xuất lại cấp độ theo tiêu chí đã khớp (hồ sơ đề xuất cấp độ mới), hoặc sửa thuộc tính của hệ thống trong inventory nếu khai báo sai.",
        remediation_en: "Propose the system again at the required level (a new level-proposal dossier), or correct its attributes in the inventory if they are wrong.",
        confidence: Confidence::Confirmed,
    },
    Control {
        source: Source::Inventory,
        id: "DEP-WEAKER-LEVEL",
        title_vi: "Phụ thuộc vào hệ thống có cấp độ thấp hơn",
        title_en: "Depends on a system of a lower level",
        applies_to: AppliesTo::System,
        min_level: 1,
        severity: Severity::Medium,
        description: "A system that needs another system to work is only as protected as that system; a composite takes the highest level of its parts. Fails when a system depends on a system whose level is lower than its own.",
        basis_nd85: &["NĐ 85/2016 Đ5.2"],
        basis_nd331: &["NĐ 331/2026 Đ8.2"],
        remediation_vi: "Nâng cấp độ của hệ thống được phụ thuộc lên bằng cấp độ của hệ thống phụ thuộc, hoặc loại bỏ sự phụ thuộc.",
        remediation_en: "Raise the level of the system depended on to that of the dependent system, or remove the dependency.",
        confidence: Confidence::Confirmed,
    },
    Control {
        source: Source::Inventory,
        id: "DEP-CYCLE",
        title_vi: "Vòng phụ thuộc giữa các hệ thống",
        title_en: "Dependency cycle between systems",
        applies_to: AppliesTo::System,
        min_level: 1,
        severity: Severity::Medium,
        description: "Systems that depend on each other in a cycle cannot run independently and cannot be recovered one at a time. Fails for every system on a cycle of `depends_on`, and shows the full cycle.",
        basis_nd85: &["NĐ 85/2016 Đ5"],
        basis_nd331: &["NĐ 331/2026 Đ7"],
        remediation_vi: "Tách vòng phụ thuộc: xác định hệ thống nào thực sự cần hệ thống nào và sửa `depends_on`.",
        remediation_en: "Break the cycle: decide which system really needs which and fix `depends_on`.",
        confidence: Confidence::Confirmed,
    },
    Control {
        source: Source::Inventory,
        id: "HA-SINGLE-POINT",
        title_vi: "Điểm lỗi đơn (thiếu dự phòng nóng)",
        title_en: "Single point of failure (no hot standby)",
        applies_to: AppliesTo::System,
        min_level: 3,
        severity: Severity::High,
        description: "From level 3, load balancing and hot standby are required: every role of a system (web, app, database, …) needs at least two servers. At level 5 the system also needs a second site at least 30 km away.",
        basis_nd85: &["TT 12/2022 Đ3 (dự phòng nóng)"],
        basis_nd331: &["NĐ 331/2026 Đ30"],
        remediation_vi: "Bổ sung máy chủ thứ hai cho vai trò chỉ có một máy chủ (cân bằng tải và dự phòng nóng); với cấp độ 5, bố trí site dự phòng cách tối thiểu 30 km.",
        remediation_en: "Add a second server for each role served by one (load balancing and hot standby); at level 5, add a backup site at least 30 km away.",
        confidence: Confidence::Confirmed,
    },
    Control {
        source: Source::Inventory,
        id: "ZONE-PLACEMENT",
        title_vi: "Máy chủ đặt sai vùng mạng",
        title_en: "Server placed in a forbidden zone",
        applies_to: AppliesTo::Server,
        min_level: 1,
        severity: Severity::High,
        description: "A database server never sits in the DMZ, the Internet edge, the user LAN or the wireless zone, and from level 3 sits in the database zone; nothing of level 3 or more sits in the user LAN or the wireless zone.",
        basis_nd85: &["TT 12/2022 Phụ lục I–V mục II.1.a"],
        basis_nd331: &["NĐ 331/2026 Đ30", "TCVN 14423:2026 §4–§7 (phân vùng mạng)"],
        remediation_vi: "Chuyển máy chủ sang mạng thuộc vùng phù hợp (CSDL vào vùng máy chủ CSDL; hệ thống cấp độ 3 trở lên ra khỏi vùng người dùng).",
        remediation_en: "Move the server to a network of the right zone (databases to the database zone; level-3+ systems out of the user and wireless zones).",
        confidence: Confidence::Confirmed,
    },
    Control {
        source: Source::Inventory,
        id: "ZONE-REQUIRED",
        title_vi: "Thiếu vùng mạng bắt buộc theo cấp độ",
        title_en: "A zone required at the level is missing",
        applies_to: AppliesTo::Datacenter,
        min_level: 1,
        severity: Severity::High,
        description: "Each datacenter that runs systems must have the zones required at the highest level it hosts: user LAN, Internet edge and DMZ from level 1; server zone from level 2; database and management zones from level 3; device-management zone from level 4. A wireless zone is required only if wireless exists, so it is not checked.",
        basis_nd85: &["TT 12/2022 Phụ lục I–V mục II.1.a"],
        basis_nd331: &["NĐ 331/2026 Đ30", "TCVN 14423:2026 §4–§7 (phân vùng mạng)"],
        remediation_vi: "Thiết lập vùng mạng còn thiếu và khai báo trong inventory (`[networks.ID]` với `zone` tương ứng).",
        remediation_en: "Set up the missing zone and declare it in the inventory (a `[networks.ID]` with that `zone`).",
        confidence: Confidence::Confirmed,
    },
    Control {
        source: Source::Inventory,
        id: "BACKUP-DECLARED",
        title_vi: "Máy chủ dữ liệu không có sao lưu",
        title_en: "Data server without a declared backup",
        applies_to: AppliesTo::Server,
        min_level: 1,
        severity: Severity::Medium,
        description: "Backup is required at every level. A server with a database, file or storage role must declare `backup = { to, schedule }`; backup servers themselves (role `backup`) are exempt.",
        basis_nd85: &["TCVN 11930:2017 §5–§9 (x.2.4 an toàn dữ liệu: sao lưu dự phòng)"],
        basis_nd331: &["TCVN 14423:2026 §3–§7 (x.11 sao lưu)"],
        remediation_vi: "Thiết lập sao lưu định kỳ sang máy chủ sao lưu và khai báo `backup` cho máy chủ.",
        remediation_en: "Set up a periodic backup to a backup server and declare it as the server's `backup`.",
        confidence: Confidence::Confirmed,
    },
    Control {
        source: Source::Inventory,
        id: "BACKUP-OFFSITE",
        title_vi: "Bản sao lưu nằm cùng trung tâm dữ liệu",
        title_en: "Backup target in the same datacenter",
        applies_to: AppliesTo::Server,
        min_level: 3,
        severity: Severity::High,
        description: "From level 3, backups are centralised and a copy is kept off-site (3-2-1): the server's declared backup target must be in another datacenter.",
        basis_nd85: &[
            "TCVN 11930:2017 §7.2.4",
            "TT 12/2022 Phụ lục III mục II.1.b",
        ],
        basis_nd331: &["TCVN 14423:2026 §5.11 (quy tắc 3-2-1)"],
        remediation_vi: "Sao lưu sang máy chủ sao lưu đặt ở trung tâm dữ liệu khác (trung tâm dự phòng).",
        remediation_en: "Back up to a backup server in another datacenter (the DR site).",
        confidence: Confidence::Confirmed,
    },
    Control {
        source: Source::Inventory,
        id: "FOURLAYER-ONSITE",
        title_vi: "Mô hình 4 lớp — lớp 1: thiếu lực lượng tại chỗ",
        title_en: "4-layer model, layer 1: no on-site team",
        applies_to: AppliesTo::System,
        min_level: 1,
        severity: Severity::High,
        description: "Layer 1 of the 4-layer model: the agency's own security team or unit. Fails when neither the system nor the organisation names `protection.onsite_team`.",
        basis_nd85: &["Chỉ thị 14/CT-TTg 2019", "NĐ 85/2016 Đ20.1"],
        basis_nd331: &[
            "Chỉ thị 14/CT-TTg 2019",
            "Luật 116/2025 Đ40.2.b",
            "NĐ 331/2026 Đ31.1.b",
        ],
        remediation_vi: "Giao đơn vị/cá nhân chuyên trách ATTT (quyết định phân công) và khai báo `protection.onsite_team`.",
        remediation_en: "Appoint the security unit or person (a decision) and declare it as `protection.onsite_team`.",
        confidence: FOURLAYER_SCOPE,
    },
    Control {
        source: Source::Inventory,
        id: "FOURLAYER-MONITORING",
        title_vi: "Mô hình 4 lớp — lớp 2: thiếu tổ chức giám sát, bảo vệ chuyên nghiệp",
        title_en: "4-layer model, layer 2: no professional monitoring provider",
        applies_to: AppliesTo::System,
        min_level: 1,
        severity: Severity::High,
        description: "Layer 2: an in-house or outsourced SOC monitors and protects the system. Fails when `protection.monitoring_provider` is missing.",
        basis_nd85: &["Chỉ thị 14/CT-TTg 2019", "TT 31/2017/TT-BTTTT Đ5"],
        basis_nd331: &["Chỉ thị 14/CT-TTg 2019", "Luật 116/2025 Đ10.2.g"],
        remediation_vi: "Thuê hoặc thiết lập SOC giám sát hệ thống và khai báo `protection.monitoring_provider`.",
        remediation_en: "Contract or set up a SOC for the system and declare it as `protection.monitoring_provider`.",
        confidence: FOURLAYER_SCOPE,
    },
    Control {
        source: Source::Inventory,
        id: "FOURLAYER-ASSESSMENT",
        title_vi: "Mô hình 4 lớp — lớp 3: chưa được kiểm tra, đánh giá độc lập định kỳ",
        title_en: "4-layer model, layer 3: no recent independent assessment",
        applies_to: AppliesTo::System,
        min_level: 1,
        severity: Severity::Medium,
        description: "Layer 3: an independent organisation inspects and assesses the system periodically. Fails when `protection.last_assessment` is missing or older than allowed at the level: legacy regime 24 months at levels 1–2 (organisation-wide every 2 years), 12 months at levels 3–4, 6 months at level 5; current regime 12, 6 and 3 months (the TCVN 14423 scan cadence).",
        basis_nd85: &["Chỉ thị 14/CT-TTg 2019", "NĐ 85/2016 Đ20.2.c"],
        basis_nd331: &[
            "Chỉ thị 14/CT-TTg 2019",
            "NĐ 331/2026 Đ31.2.c",
            "TCVN 14423:2026 x.7.2.1",
        ],
        remediation_vi: "Thuê tổ chức độc lập kiểm tra, đánh giá hệ thống và cập nhật `protection.last_assessment`.",
        remediation_en: "Have an independent organisation assess the system and update `protection.last_assessment`.",
        confidence: FOURLAYER_SCOPE,
    },
    Control {
        source: Source::Inventory,
        id: "FOURLAYER-NATIONAL",
        title_vi: "Mô hình 4 lớp — lớp 4: chưa kết nối hệ thống giám sát quốc gia",
        title_en: "4-layer model, layer 4: not connected to the national monitoring system",
        applies_to: AppliesTo::System,
        min_level: 1,
        severity: Severity::High,
        description: "Layer 4: the system's monitoring (and anti-malware) data is shared with the national monitoring centre. Fails unless `protection.national_monitoring = true`.",
        basis_nd85: &["Chỉ thị 14/CT-TTg 2019", "TT 31/2017/TT-BTTTT Đ5.2.e"],
        basis_nd331: &["Chỉ thị 14/CT-TTg 2019", "Luật 116/2025 Đ40.1.b"],
        remediation_vi: "Kết nối hệ thống giám sát và phòng chống mã độc với Trung tâm An ninh mạng quốc gia và khai báo `protection.national_monitoring = true`.",
        remediation_en: "Connect the monitoring and anti-malware systems to the national cybersecurity centre and set `protection.national_monitoring = true`.",
        confidence: FOURLAYER_SCOPE,
    },
    Control {
        source: Source::Host,
        id: "FW-HOST-DEFAULT-DENY",
        title_vi: "Tường lửa máy chủ không chặn mặc định kết nối IPv4 đến",
        title_en: "Host firewall does not deny inbound IPv4 by default",
        applies_to: AppliesTo::Server,
        min_level: 1,
        severity: Severity::High,
        description: "Reads the host firewall (nftables input hooks of the ip and inet families, else iptables INPUT) and fails unless unsolicited inbound IPv4 ends in drop or reject.",
        basis_nd85: &[
            "TT 12/2022 Phụ lục I–V mục II.2 (an toàn máy chủ)",
            "TCVN 11930:2017 §5–§9 (x.2.2 an toàn máy chủ)",
        ],
        basis_nd331: &["NĐ 331/2026 Đ30", "TCVN 14423:2026 x.13.2.2"],
        remediation_vi: "Bật tường lửa máy chủ với chính sách mặc định chặn (policy drop) cho chiều vào, chỉ mở các dịch vụ đã khai báo.",
        remediation_en: "Enable the host firewall with a default-drop input policy and open only the declared services.",
        confidence: Confidence::Confirmed,
    },
    Control {
        source: Source::Host,
        id: "FW-IPV6-PARITY",
        title_vi: "IPv6 được bật nhưng không chặn mặc định kết nối IPv6 đến",
        title_en: "IPv6 is enabled but inbound IPv6 is not denied by default",
        applies_to: AppliesTo::Server,
        min_level: 1,
        severity: Severity::High,
        description: "When IPv6 is enabled on the host, inbound IPv6 must be filtered as IPv4 is: the ip6 and inet input hooks (or ip6tables INPUT) must end in drop or reject. A host with IPv6 disabled passes.",
        basis_nd85: &[
            "TCVN 11930:2017 §5–§9 (x.2.2 an toàn máy chủ)",
            "QĐ 38/QĐ-BTTTT 2021 (IPv6 For Gov)",
        ],
        basis_nd331: &["TCVN 14423:2026 x.13.2.2", "NĐ 224/2026 Đ11.4"],
        remediation_vi: "Áp dụng cùng chính sách tường lửa cho IPv6 như IPv4 (dùng bảng `inet` của nftables), hoặc tắt IPv6 nếu máy chủ không cần.",
        remediation_en: "Apply the same firewall policy to IPv6 as to IPv4 (an nftables `inet` table), or disable IPv6 where the host does not need it.",
        confidence: Confidence::Unconfirmed(
            "no official definition of IPv6 firewall parity was found; this is the checker's reading of regulations.md §8",
        ),
    },
    Control {
        source: Source::Host,
        id: "NET-UNDECLARED-PORT",
        title_vi: "Cổng dịch vụ đang mở nhưng không khai báo",
        title_en: "A port listens that the inventory does not declare",
        applies_to: AppliesTo::Server,
        min_level: 1,
        severity: Severity::Medium,
        description: "Compares the sockets listening on non-loopback addresses with the server's declared `services`; the sshd port is always allowed. Every other listener is an undeclared service (insecure services must be off).",
        basis_nd85: &["TCVN 11930:2017 §5–§9 (x.2.2 an toàn máy chủ: tắt dịch vụ không cần thiết)"],
        basis_nd331: &["TCVN 14423:2026 x.12.2.4 a"],
        remediation_vi: "Tắt dịch vụ không cần thiết, hoặc khai báo nó trong `services` của máy chủ (và luồng `[[flows]]` được phép).",
        remediation_en: "Stop the service, or declare it in the server's `services` (and the `[[flows]]` that may reach it).",
        confidence: Confidence::Confirmed,
    },
    Control {
        source: Source::Host,
        id: "IPV6-READY",
        title_vi: "Máy chủ phải sẵn sàng IPv6 nhưng chưa có IPv6",
        title_en: "A host marked IPv6-ready lacks IPv6",
        applies_to: AppliesTo::Server,
        min_level: 1,
        severity: Severity::Medium,
        description: "For a server with `ipv6 = true`, IPv6 must be enabled and every IPv6 address the inventory lists must be configured on the host.",
        basis_nd85: &[
            "TT 32/2017/TT-BTTTT Đ15.4",
            "QĐ 38/QĐ-BTTTT 2021 (IPv6 For Gov)",
        ],
        basis_nd331: &["NĐ 224/2026 Đ11.4", "QĐ 38/QĐ-BTTTT 2021 (IPv6 For Gov)"],
        remediation_vi: "Bật IPv6 và cấu hình địa chỉ IPv6 đã khai báo trong inventory.",
        remediation_en: "Enable IPv6 and configure the IPv6 addresses the inventory declares.",
        confidence: Confidence::Unconfirmed(
            "whether TT 32/2017 is still in force is unconfirmed (regulations.md §12.7); NĐ 224/2026 keeps IPv6 for portals",
        ),
    },
    Control {
        source: Source::Host,
        id: "SSH-ROOT-LOGIN",
        title_vi: "sshd cho phép đăng nhập root bằng mật khẩu",
        title_en: "sshd permits root login with a password",
        applies_to: AppliesTo::Server,
        min_level: 1,
        severity: Severity::High,
        description: "Fails when sshd's effective `permitrootlogin` is `yes` (root may log in with a password). `prohibit-password`, `forced-commands-only` and `no` pass. A `Match` block that sets `yes` for some clients is shown in the evidence.",
        basis_nd85: &["TCVN 11930:2017 §5–§9 (x.2.2 an toàn máy chủ: quản trị từ xa an toàn)"],
        basis_nd331: &["TCVN 14423:2026 x.12.2.4", "TCVN 14423:2026 x.6.2"],
        remediation_vi: "Đặt `PermitRootLogin no` (hoặc `prohibit-password`) trong sshd_config và quản trị bằng tài khoản cá nhân.",
        remediation_en: "Set `PermitRootLogin no` (or `prohibit-password`) and administer with personal accounts.",
        confidence: Confidence::Confirmed,
    },
    Control {
        source: Source::Host,
        id: "SSH-PASSWORD-AUTH",
        title_vi: "sshd cho phép xác thực bằng mật khẩu",
        title_en: "sshd allows password authentication",
        applies_to: AppliesTo::Server,
        min_level: 1,
        severity: Severity::Medium,
        description: "Fails when sshd's effective `passwordauthentication` is `yes`; keys (and MFA) are the expected way in.",
        basis_nd85: &["TCVN 11930:2017 §5–§9 (x.2.2 an toàn máy chủ: xác thực)"],
        basis_nd331: &["TCVN 14423:2026 x.6.2.3 (MFA)", "TCVN 14423:2026 x.12.2.4"],
        remediation_vi: "Đặt `PasswordAuthentication no`, dùng khóa SSH (và MFA cho tài khoản quản trị).",
        remediation_en: "Set `PasswordAuthentication no` and use SSH keys (and MFA for administrators).",
        confidence: Confidence::Confirmed,
    },
    Control {
        source: Source::Host,
        id: "BACKUP-JOB",
        title_vi: "Không có tác vụ sao lưu trên máy chủ cần sao lưu",
        title_en: "No backup job on a host that must be backed up",
        applies_to: AppliesTo::Server,
        min_level: 1,
        severity: Severity::High,
        description: "For a server with `backup` in the inventory, looks for a scheduled job (cron file, crontab, /etc/cron.* script, systemd timer) whose command names the backup path, the backup target, or a backup tool (rsync, borg, restic, pg_dump, mysqldump, tar, …).",
        basis_nd85: &["TCVN 11930:2017 §5–§9 (x.2.4 an toàn dữ liệu: sao lưu dự phòng)"],
        basis_nd331: &["TCVN 14423:2026 x.11"],
        remediation_vi: "Lập lịch sao lưu (cron hoặc systemd timer) theo `backup.schedule` đã khai báo.",
        remediation_en: "Schedule the backup (cron or a systemd timer) as the declared `backup.schedule` says.",
        confidence: Confidence::Confirmed,
    },
    Control {
        source: Source::Host,
        id: "BACKUP-FRESH",
        title_vi: "Bản sao lưu mới nhất đã quá hạn theo lịch",
        title_en: "The newest backup is older than the schedule allows",
        applies_to: AppliesTo::Server,
        min_level: 1,
        severity: Severity::High,
        description: "The newest file under the declared `backup.path` must be younger than the schedule allows: hourly 2 h, daily 26 h, weekly 8 days, monthly 32 days. An empty or missing folder fails.",
        basis_nd85: &["TCVN 11930:2017 §5–§9 (x.2.4 an toàn dữ liệu: sao lưu dự phòng)"],
        basis_nd331: &["TCVN 14423:2026 x.11"],
        remediation_vi: "Kiểm tra tác vụ sao lưu (nhật ký, dung lượng, quyền ghi) và chạy lại; xác nhận khôi phục được.",
        remediation_en: "Check the backup job (its log, disk space, permissions), run it again and test a restore.",
        confidence: Confidence::Confirmed,
    },
    Control {
        source: Source::Host,
        id: "LOG-FORWARD",
        title_vi: "Nhật ký không được chuyển về hệ thống SIEM",
        title_en: "Logs are not forwarded to the SIEM collector",
        applies_to: AppliesTo::Server,
        min_level: 3,
        severity: Severity::High,
        description: "From level 3 logs are managed centrally: the host's log forwarding (rsyslog, syslog-ng, journal-upload, Wazuh, Filebeat) must send to a server the inventory gives the `siem` role (by address or id). The SIEM servers themselves are exempt.",
        basis_nd85: &[
            "TCVN 11930:2017 §7.2.2 (quản lý nhật ký tập trung)",
            "TT 12/2022 Phụ lục III mục II.1.b (SIEM)",
        ],
        basis_nd331: &["TCVN 14423:2026 x.8.2.1 a"],
        remediation_vi: "Cấu hình chuyển nhật ký (rsyslog `@@siem:514` hoặc tác tử) về máy chủ SIEM.",
        remediation_en: "Forward logs (rsyslog `@@siem:514` or an agent) to the SIEM collector.",
        confidence: Confidence::Confirmed,
    },
    Control {
        source: Source::Host,
        id: "AGENT-RUNNING",
        title_vi: "Tác tử giám sát / phòng chống mã độc không chạy",
        title_en: "An expected monitoring or anti-malware agent is not running",
        applies_to: AppliesTo::Server,
        min_level: 1,
        severity: Severity::High,
        description: "Every process named in the server's `agents` must be running (process names as `ps -o comm` shows them, at most 15 characters).",
        basis_nd85: &[
            "TCVN 11930:2017 §5–§9 (x.2.2 phòng chống mã độc)",
            "Chỉ thị 14/CT-TTg 2018",
        ],
        basis_nd331: &["TCVN 14423:2026 x.10.2.1"],
        remediation_vi: "Cài đặt và khởi động tác tử, kiểm tra kết nối với máy chủ quản lý tập trung.",
        remediation_en: "Install and start the agent, and check it reports to its central console.",
        confidence: Confidence::Confirmed,
    },
    Control {
        source: Source::Host,
        id: "TIME-SYNC",
        title_vi: "Đồng hồ hệ thống chưa được đồng bộ",
        title_en: "The clock is not synchronised",
        applies_to: AppliesTo::Server,
        min_level: 1,
        severity: Severity::Medium,
        description: "`timedatectl show` (NTPSynchronized) or `chronyc tracking` (leap status) must say the clock is synchronised; with neither tool answering and no time daemon running, it is not.",
        basis_nd85: &["TCVN 11930:2017 §5–§9 (x.2.2 đồng bộ thời gian)"],
        basis_nd331: &["TCVN 14423:2026 x.8.2.1 a"],
        remediation_vi: "Cấu hình chrony/systemd-timesyncd đồng bộ với máy chủ NTP nội bộ.",
        remediation_en: "Configure chrony or systemd-timesyncd against the internal NTP servers.",
        confidence: Confidence::Confirmed,
    },
    Control {
        source: Source::Waivers,
        id: "WAIVER-EXPIRED",
        title_vi: "Miễn trừ đã hết hạn",
        title_en: "A waiver has expired",
        applies_to: AppliesTo::Organization,
        min_level: 1,
        severity: Severity::Low,
        description: "A waiver whose `expires` date has passed covers nothing any more: the failures it covered count again (their `waiver` says `expired`) and this finding names the waiver so that it is renewed, with a new approval, or removed.",
        basis_nd85: &["NĐ 85/2016 Đ19.2.d (quản lý rủi ro)"],
        basis_nd331: &["NĐ 331/2026 Đ29.2.d (quản lý rủi ro)"],
        remediation_vi: "Khắc phục các lỗi còn tồn tại, hoặc trình phê duyệt lại miễn trừ với thời hạn mới; xóa miễn trừ không còn cần.",
        remediation_en: "Fix the failures it covered, or have the waiver approved again with a new date; delete it when it is no longer needed.",
        confidence: Confidence::Confirmed,
    },
    Control {
        source: Source::Waivers,
        id: "WAIVER-UNUSED",
        title_vi: "Miễn trừ không khớp lỗi nào",
        title_en: "A waiver matches no failure",
        applies_to: AppliesTo::Organization,
        min_level: 1,
        severity: Severity::Info,
        description: "A live waiver that covers no failing finding: either the control now passes there (the exception is no longer needed) or its target or scope is wrong and it silently waives nothing. Not reported for host controls under `--offline`, nor when only some servers are checked.",
        basis_nd85: &["NĐ 85/2016 Đ19.2.d (quản lý rủi ro)"],
        basis_nd331: &["NĐ 331/2026 Đ29.2.d (quản lý rủi ro)"],
        remediation_vi: "Xóa miễn trừ nếu lỗi đã được khắc phục, hoặc sửa `target`/phạm vi cho đúng.",
        remediation_en: "Delete the waiver if the failure is fixed, or correct its `target` or scope.",
        confidence: Confidence::Confirmed,
    },
];

pub fn find(id: &str) -> Option<&'static Control> {
    CONTROLS.iter().find(|c| c.id.eq_ignore_ascii_case(id))
}
