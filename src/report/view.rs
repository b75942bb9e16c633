//! What the Markdown and HTML templates see: the finished [`Report`] arranged for people (counts
//! per level and per system, findings with their labels) plus the UI strings of the chosen
//! language, and the engines that render the shipped or overriding templates.
//!
//! Strings here are raw, as they came from the inventory or a host: escaping is the template
//! engine's job ([`escape::html`] for the HTML template, [`escape::markdown`] for the Markdown one),
//! so an overriding template is escaped the same way. Nothing here reads SSH or prints.

use std::collections::BTreeMap;
use std::path::Path;

use anyhow::anyhow;
use serde::Serialize;

use super::{Coverage, JudgedBy, Report, ReportFinding, Summary, TargetStatus};
use crate::escape;
use crate::inventory::Regime;
use crate::policy::{Lang, Severity, Status};

/// The report templates shipped in the binary, by name (`templates/report/<name>.hbs`).
pub(crate) const HTML_TEMPLATE: (&str, &str) = (
    "report.html",
    include_str!("../../templates/report/report.html.hbs"),
);
pub(crate) const MARKDOWN_TEMPLATE: (&str, &str) = (
    "report.md",
    include_str!("../../templates/report/report.md.hbs"),
);

/// The inventory side of a report that the findings alone do not carry.
#[derive(Debug, Clone, Default)]
pub struct Scope {
    /// The organisation's name.
    pub organization: String,
    /// Every system, in inventory order.
    pub systems: Vec<SystemScope>,
    /// Display names of the targets that have one (systems, datacenters), by target id.
    pub names: BTreeMap<String, String>,
}

/// A system and the targets whose findings count towards it.
#[derive(Debug, Clone)]
pub struct SystemScope {
    pub id: String,
    pub name: String,
    /// Declared level, or the required one when none is declared.
    pub level: Option<u8>,
    /// The target ids whose findings are its own: itself and the servers it runs on
    /// ([`super::SystemTargets::owns`]).
    pub own: std::collections::BTreeSet<String>,
}

impl Scope {
    /// The scope of a report on `inv`, with levels from `g`.
    pub fn of(inv: &crate::inventory::Inventory, g: &crate::graph::Graph) -> Scope {
        use crate::inventory::NodeRef;
        let mut names = BTreeMap::new();
        for (i, s) in inv.systems.iter().enumerate() {
            names.insert(inv.target_id(NodeRef::System(i)), s.name.clone());
        }
        for (i, d) in inv.datacenters.iter().enumerate() {
            names.insert(inv.target_id(NodeRef::Datacenter(i)), d.name.clone());
        }
        Scope {
            names,
            organization: inv.organization.name.clone(),
            systems: inv
                .systems
                .iter()
                .enumerate()
                .map(|(i, s)| SystemScope {
                    id: s.id.clone(),
                    name: s.name.clone(),
                    level: g.level_of(inv, NodeRef::System(i)).map(|l| l.get()),
                    own: super::SystemTargets::of(inv, i).own,
                })
                .collect(),
        }
    }
}

/// Counts of findings by status.
#[derive(Debug, Default, Clone, Copy, Serialize, PartialEq, Eq)]
pub struct Counts {
    pub pass: usize,
    pub fail: usize,
    pub error: usize,
    pub waived: usize,
    pub not_applicable: usize,
    pub manual: usize,
    pub total: usize,
}

impl Counts {
    pub fn add(&mut self, s: Status) {
        match s {
            Status::Pass => self.pass += 1,
            Status::Fail => self.fail += 1,
            Status::Error => self.error += 1,
            Status::Waived => self.waived += 1,
            Status::NotApplicable => self.not_applicable += 1,
            Status::Manual => self.manual += 1,
        }
        self.total += 1;
    }

    pub fn merge(&mut self, o: &Counts) {
        self.pass += o.pass;
        self.fail += o.fail;
        self.error += o.error;
        self.waived += o.waived;
        self.not_applicable += o.not_applicable;
        self.manual += o.manual;
        self.total += o.total;
    }

    fn of(s: &Summary) -> Counts {
        Counts {
            pass: s.pass,
            fail: s.fail,
            error: s.error,
            waived: s.waived,
            not_applicable: s.not_applicable,
            manual: s.manual,
            total: s.pass + s.fail + s.error + s.waived + s.not_applicable + s.manual,
        }
    }

    /// The status that most needs attention among those counted (none when nothing was).
    pub fn worst_status(&self) -> Option<Status> {
        [
            (self.fail, Status::Fail),
            (self.error, Status::Error),
            (self.waived, Status::Waived),
            (self.manual, Status::Manual),
            (self.pass, Status::Pass),
            (self.not_applicable, Status::NotApplicable),
        ]
        .iter()
        .find(|(n, _)| *n > 0)
        .map(|(_, s)| *s)
    }

    /// [`Counts::worst_status`] as the templates' CSS class: the status, or `none`.
    pub fn worst(&self) -> &'static str {
        self.worst_status().map_or("none", Status::as_str)
    }
}

/// The template context.
#[derive(Debug, Serialize)]
pub struct View<'a> {
    /// `vi` or `en`.
    pub lang: &'static str,
    /// UI strings in `lang`.
    pub t: &'static Labels,
    pub organization: &'a str,
    pub tool_version: &'a str,
    pub generated_at: &'a str,
    pub regime: JudgedBy,
    pub regime_title: String,
    pub summary: Counts,
    /// Share of the checks made that pass, one decimal ("97.6"), or null when none was made.
    pub compliance: Option<String>,
    /// How many applicable checks were evaluated, in `lang`: what stands beside `compliance`
    /// wherever it is shown ("331 of 2030 applicable checks evaluated (16.3%)").
    pub evaluated: String,
    /// What the totals do not cover, for the first lines of the report (no information
    /// system; servers not scanned), in `lang`.
    pub notes: Vec<String>,
    pub levels: Vec<LevelRow>,
    pub systems: Vec<SystemRow>,
    /// Every finding, in report order.
    pub findings: Rows<FindingRow<'a>>,
    /// The findings that need a reader: fail, error, waived, manual; most severe first.
    pub attention: Rows<FindingRow<'a>>,
    /// Per scanned server, who can connect to each listening service (HTML only; empty in
    /// Markdown): see [`super::exposure`].
    pub exposure: Rows<super::exposure::Table>,
    /// Servers that could not be scanned.
    pub unscanned: Vec<Unscanned<'a>>,
    /// The dependency drawing (SVG markup, already escaped); empty when not drawn.
    pub graph_svg: String,
}

/// Rows of a list as the template context holds them: the rows themselves, or (when the page
/// is streamed, see [`super::stream`]) one `null` per row, so that `{{#if findings}}` still
/// holds while the rows are rendered one at a time by the `each` blocks the streaming engine
/// takes over.
#[derive(Debug)]
pub struct Rows<T> {
    pub rows: Vec<T>,
    /// Streamed: how many rows there are (`rows` may then be empty, made on demand).
    pub(crate) placeholders: Option<usize>,
}

impl<T: Serialize> Serialize for Rows<T> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self.placeholders {
            Some(n) => s.collect_seq((0..n).map(|_| ())),
            None => self.rows.serialize(s),
        }
    }
}

impl<T> From<Vec<T>> for Rows<T> {
    fn from(rows: Vec<T>) -> Rows<T> {
        Rows {
            rows,
            placeholders: None,
        }
    }
}

#[derive(Debug, Serialize)]
pub struct LevelRow {
    pub level: Option<u8>,
    /// "Cấp độ 3" / "Level 3" / "Không có cấp độ".
    pub label: String,
    pub counts: Counts,
    pub coverage: Option<Coverage>,
}

#[derive(Debug, Serialize)]
pub struct SystemRow {
    pub id: String,
    pub name: String,
    pub level: Option<u8>,
    /// Findings on the system and on its servers (a server shared by two systems counts in
    /// both).
    pub counts: Counts,
    /// The status needing most attention (`fail`, …, `none`), and its label.
    pub worst: &'static str,
    pub worst_label: &'static str,
}

#[derive(Debug, Clone, Serialize)]
pub struct FindingRow<'a> {
    pub control: &'a str,
    pub target: &'a str,
    pub status: Status,
    pub status_label: &'static str,
    pub severity: Severity,
    /// 4 critical … 0 info: what the HTML sorts by.
    pub severity_rank: u8,
    pub level: Option<u8>,
    pub title: &'a str,
    pub message: &'a str,
    pub evidence: &'a str,
    pub basis: String,
    /// `file:line:column`, or null.
    pub location: Option<String>,
    /// "reason (approved by …, until …) at file:line", or null.
    pub waiver: Option<String>,
    pub remediation: &'a str,
    pub regime: Option<Regime>,
    pub transition_debt: bool,
    pub unconfirmed: Option<&'a str>,
}

#[derive(Debug, Serialize)]
pub struct Unscanned<'a> {
    pub id: &'a str,
    pub status: TargetStatus,
    pub error: &'a str,
}

/// UI strings of one language.
#[derive(Debug, Serialize)]
pub struct Labels {
    pub title: &'static str,
    pub organization: &'static str,
    pub regime: &'static str,
    pub generated_at: &'static str,
    pub summary: &'static str,
    pub compliance: &'static str,
    pub by_level: &'static str,
    pub by_system: &'static str,
    pub level: &'static str,
    pub no_level: &'static str,
    pub system: &'static str,
    pub findings: &'static str,
    pub attention: &'static str,
    pub nothing_to_report: &'static str,
    pub status: &'static str,
    pub severity: &'static str,
    pub control: &'static str,
    pub target: &'static str,
    pub message: &'static str,
    pub evidence: &'static str,
    pub basis: &'static str,
    pub location: &'static str,
    pub waiver: &'static str,
    pub remediation: &'static str,
    pub unconfirmed: &'static str,
    pub transition_debt: &'static str,
    pub total: &'static str,
    pub pass: &'static str,
    pub fail: &'static str,
    pub error: &'static str,
    pub waived: &'static str,
    pub not_applicable: &'static str,
    pub manual: &'static str,
    pub applicable: &'static str,
    pub evaluated: &'static str,
    pub host_unreachable: &'static str,
    pub fact_missing: &'static str,
    pub manual_attestation: &'static str,
    pub not_scanned: &'static str,
    pub unscanned_hosts: &'static str,
    pub graph: &'static str,
    pub graph_note: &'static str,
    pub filter: &'static str,
    pub sort: &'static str,
    pub all: &'static str,
    pub shown: &'static str,
    pub compliance_note: &'static str,
    pub exposure: &'static str,
    pub exposure_note: &'static str,
    pub service: &'static str,
    pub open: &'static str,
    pub partly: &'static str,
    pub closed: &'static str,
    pub unknown: &'static str,
    pub no_address: &'static str,
    pub anywhere_else: &'static str,
}

static VI: Labels = Labels {
    title: "Báo cáo kiểm tra tuân thủ an toàn hệ thống thông tin",
    organization: "Cơ quan, tổ chức",
    regime: "Căn cứ pháp lý",
    generated_at: "Thời điểm lập",
    summary: "Tổng hợp",
    compliance: "Tỷ lệ đạt",
    by_level: "Theo cấp độ",
    by_system: "Theo hệ thống thông tin",
    level: "Cấp độ",
    no_level: "Không có cấp độ",
    system: "Hệ thống",
    findings: "Kết quả kiểm tra",
    attention: "Cần xử lý",
    nothing_to_report: "Không có nội dung cần xử lý.",
    status: "Trạng thái",
    severity: "Mức độ nghiêm trọng",
    control: "Yêu cầu kiểm tra",
    target: "Đối tượng",
    message: "Nội dung",
    evidence: "Bằng chứng",
    basis: "Căn cứ",
    location: "Vị trí trong inventory",
    waiver: "Miễn trừ",
    remediation: "Khắc phục",
    unconfirmed: "Chưa xác nhận",
    transition_debt: "Nợ chuyển đổi",
    total: "Tổng",
    pass: "Đạt",
    fail: "Không đạt",
    error: "Lỗi",
    waived: "Được miễn trừ",
    not_applicable: "Không áp dụng",
    manual: "Cần xác nhận thủ công",
    applicable: "Áp dụng",
    evaluated: "Đã đánh giá",
    host_unreachable: "Máy chủ không kết nối được",
    fact_missing: "Thiếu dữ kiện",
    manual_attestation: "Xác nhận thủ công",
    not_scanned: "Chưa quét máy chủ",
    unscanned_hosts: "Máy chủ không quét được",
    graph: "Sơ đồ phụ thuộc giữa các hệ thống",
    graph_note: "Mũi tên chỉ từ hệ thống tới thành phần nó phụ thuộc; màu theo kết quả xấu nhất của hệ thống và các máy chủ của nó.",
    filter: "Lọc",
    sort: "Sắp xếp",
    all: "Tất cả",
    shown: "Đang hiển thị",
    compliance_note: "trên số kiểm tra đã thực hiện; kiểm tra không thực hiện được tính là không đạt",
    exposure: "Khả năng kết nối tới dịch vụ qua tường lửa máy chủ",
    exposure_note: "Mỗi dòng là một dịch vụ đang lắng nghe, mỗi cột một nhóm nguồn (nguồn của từng luồng đã khai báo tới máy chủ, từng vùng mạng, mọi nơi khác); ô cho biết nhóm nguồn đó có mở được kết nối mới qua tường lửa đang chạy hay không. Di chuột lên ô để xem quy tắc quyết định.",
    service: "Dịch vụ",
    open: "mở",
    partly: "mở một phần",
    closed: "đóng",
    unknown: "không xác định",
    no_address: "–",
    anywhere_else: "mọi nơi khác",
};

static EN: Labels = Labels {
    title: "Information system security compliance report",
    organization: "Organization",
    regime: "Legal regime",
    generated_at: "Generated at",
    summary: "Summary",
    compliance: "Compliance",
    by_level: "By level",
    by_system: "By information system",
    level: "Level",
    no_level: "No level",
    system: "System",
    findings: "Findings",
    attention: "Needs attention",
    nothing_to_report: "Nothing needs attention.",
    status: "Status",
    severity: "Severity",
    control: "Control",
    target: "Target",
    message: "Message",
    evidence: "Evidence",
    basis: "Basis",
    location: "Inventory location",
    waiver: "Waiver",
    remediation: "Remediation",
    unconfirmed: "Unconfirmed",
    transition_debt: "Transition debt",
    total: "Total",
    pass: "Pass",
    fail: "Fail",
    error: "Error",
    waived: "Waived",
    not_applicable: "Not applicable",
    manual: "Manual",
    applicable: "Applicable",
    evaluated: "Evaluated",
    host_unreachable: "Host unreachable",
    fact_missing: "Fact missing",
    manual_attestation: "Manual attestation",
    not_scanned: "Host not scanned",
    unscanned_hosts: "Hosts not scanned",
    graph: "Dependencies between systems",
    graph_note: "Arrows point from a system to what it depends on; colours show the worst result of the system and its servers.",
    filter: "Filter",
    sort: "Sort",
    all: "All",
    shown: "Shown",
    compliance_note: "of the checks made pass; a check that could not be made counts against it",
    exposure: "Who can connect to each service through the host firewall",
    exposure_note: "One row per listening service, one column per class of sources (the sources of each declared flow that reaches the server, each zone, anywhere else); a cell says whether that class can open a new connection through the live firewall. Hover over a cell for the rule that decided it.",
    service: "Service",
    open: "open",
    partly: "partly open",
    closed: "closed",
    unknown: "unknown",
    no_address: "–",
    anywhere_else: "anywhere else",
};

pub fn labels(lang: Lang) -> &'static Labels {
    match lang {
        Lang::Vi => &VI,
        Lang::En => &EN,
    }
}

fn status_label(t: &Labels, s: Status) -> &'static str {
    match s {
        Status::Pass => t.pass,
        Status::Fail => t.fail,
        Status::Error => t.error,
        Status::Waived => t.waived,
        Status::NotApplicable => t.not_applicable,
        Status::Manual => t.manual,
    }
}

/// 4 critical, 3 high, 2 medium, 1 low, 0 info: the number the HTML page sorts by.
fn severity_rank(s: Severity) -> u8 {
    match s {
        Severity::Critical => 4,
        Severity::High => 3,
        Severity::Medium => 2,
        Severity::Low => 1,
        Severity::Info => 0,
    }
}

fn row<'a>(t: &Labels, f: &'a ReportFinding) -> FindingRow<'a> {
    FindingRow {
        control: &f.control,
        target: &f.target,
        status: f.status,
        status_label: status_label(t, f.status),
        severity: f.severity,
        severity_rank: severity_rank(f.severity),
        level: f.level,
        title: &f.title,
        message: &f.message,
        evidence: &f.evidence,
        basis: f.basis.join("; "),
        location: f
            .location
            .as_ref()
            .map(|l| format!("{}:{}:{}", l.file, l.line, l.column)),
        waiver: f.waiver.as_ref().map(|w| {
            let ticket = w
                .ticket
                .as_deref()
                .map(|t| format!(", {t}"))
                .unwrap_or_default();
            let state = if w.expired { "expired" } else { "until" };
            format!(
                "{} ({}{ticket}, {state} {}) — {}",
                w.reason, w.approved_by, w.expires, w.at
            )
        }),
        remediation: &f.remediation,
        regime: f.regime,
        transition_debt: f.transition_debt,
        unconfirmed: f.unconfirmed.as_deref(),
    }
}

/// Arrange `report` for the templates. `graph_svg` is trusted markup (see [`super::svg`]).
pub fn build<'a>(
    report: &'a Report,
    scope: &'a Scope,
    lang: Lang,
    graph_svg: String,
    exposure: Rows<super::exposure::Table>,
) -> View<'a> {
    let t = labels(lang);
    let mut per_level: BTreeMap<Option<u8>, Counts> = BTreeMap::new();
    let mut per_target: BTreeMap<&str, Counts> = BTreeMap::new();
    for f in &report.findings {
        per_level.entry(f.level).or_default().add(f.status);
        per_target.entry(&f.target).or_default().add(f.status);
    }
    let coverage: BTreeMap<Option<u8>, &Coverage> =
        report.coverage.iter().map(|c| (c.level, c)).collect();
    let mut level_keys: Vec<Option<u8>> = per_level.keys().copied().collect();
    level_keys.extend(coverage.keys().filter(|k| !per_level.contains_key(k)));
    level_keys.sort();
    let levels = level_keys
        .into_iter()
        .map(|level| LevelRow {
            level,
            label: match level {
                Some(l) => format!("{} {l}", t.level),
                None => t.no_level.to_owned(),
            },
            counts: per_level.get(&level).copied().unwrap_or_default(),
            coverage: coverage.get(&level).map(|c| (*c).clone()),
        })
        .collect();
    let systems = scope
        .systems
        .iter()
        .map(|s| {
            let mut counts = Counts::default();
            for target in &s.own {
                if let Some(c) = per_target.get(target.as_str()) {
                    counts.merge(c);
                }
            }
            let worst = counts.worst_status();
            SystemRow {
                id: s.id.clone(),
                name: s.name.clone(),
                level: s.level,
                worst: counts.worst(),
                worst_label: worst.map_or("–", |s| status_label(t, s)),
                counts,
            }
        })
        .collect();
    let findings: Vec<FindingRow> = report.findings.iter().map(|f| row(t, f)).collect();
    let rank = |s: Status| match s {
        Status::Fail => 0,
        Status::Error => 1,
        Status::Waived => 2,
        _ => 3,
    };
    let mut attention: Vec<FindingRow> = findings
        .iter()
        .filter(|f| {
            matches!(
                f.status,
                Status::Fail | Status::Error | Status::Waived | Status::Manual
            )
        })
        .cloned()
        .collect();
    attention.sort_by(|a, b| {
        rank(a.status)
            .cmp(&rank(b.status))
            .then(b.severity_rank.cmp(&a.severity_rank))
            .then(a.target.cmp(b.target))
            .then(a.control.cmp(b.control))
    });
    let s = &report.summary;
    let checked = s.pass + s.fail + s.error;
    let footing = super::Footing::of(report, scope.systems.len());
    View {
        lang: match lang {
            Lang::Vi => "vi",
            Lang::En => "en",
        },
        t,
        organization: &scope.organization,
        tool_version: &report.tool.version,
        generated_at: &report.generated_at,
        regime: report.regime,
        regime_title: report.regime.title("; "),
        summary: Counts::of(s),
        compliance: (checked > 0).then(|| format!("{:.1}", 100.0 * s.pass as f64 / checked as f64)),
        evaluated: evaluated(lang, &footing),
        notes: notes(lang, report, &footing),
        levels,
        systems,
        findings: findings.into(),
        attention: attention.into(),
        exposure,
        unscanned: report
            .targets
            .iter()
            .filter_map(|t| {
                t.error.as_deref().map(|e| Unscanned {
                    id: &t.id,
                    status: t.status,
                    error: e,
                })
            })
            .collect(),
        graph_svg,
    }
}

/// "331 of 2030 applicable checks evaluated (16.3%)", in `lang`.
fn evaluated(lang: Lang, f: &super::Footing) -> String {
    let pct = f.evaluated_percent();
    match lang {
        Lang::Vi => format!(
            "đã đánh giá {} trên {} kiểm tra áp dụng ({}%)",
            f.evaluated, f.applicable, pct
        ),
        Lang::En => format!(
            "{} of {} applicable checks evaluated ({pct}%)",
            f.evaluated, f.applicable
        ),
    }
}

/// The report's first lines: what its totals do not cover.
fn notes(lang: Lang, report: &Report, f: &super::Footing) -> Vec<String> {
    let mut notes = Vec::new();
    let offline = super::Footing::all_offline(report);
    if f.systems == 0 {
        notes.push(match lang {
            Lang::Vi => "Inventory không mô tả hệ thống thông tin nào: không suy ra được cấp độ và không đánh giá kiểm tra nào của hệ thống.".to_owned(),
            Lang::En => "The inventory describes no information system: no level is derived and no system control is judged.".to_owned(),
        });
    }
    if f.servers_not_scanned > 0 {
        let (n, m, share) = (f.servers_not_scanned, f.servers, evaluated(lang, f));
        notes.push(match (lang, offline) {
            (Lang::Vi, true) => format!("{n} trên {m} máy chủ chưa được quét (chạy ngoại tuyến, không kết nối máy nào): các kiểm tra trên máy chủ không nằm trong tổng số; {share}."),
            (Lang::Vi, false) => format!("{n} trên {m} máy chủ không quét được (xem danh sách bên dưới): các kiểm tra trên các máy đó không nằm trong tổng số; {share}."),
            (Lang::En, true) => format!("{n} of {m} servers not scanned (offline: no host was contacted): their host checks are not in the totals; {share}."),
            (Lang::En, false) => format!("{n} of {m} servers could not be scanned (listed below): their host checks are not in the totals; {share}."),
        });
    }
    notes
}

/// Render the shipped report template `(name, text)`, or `<templates>/report/<name>.hbs` when
/// that file exists, over `view`, escaping every `{{value}}` with `escape`.
fn render(
    view: &View,
    templates: Option<&Path>,
    template: (&str, &str),
    escape: fn(&str) -> String,
) -> anyhow::Result<String> {
    let overrides = templates.map(|d| d.join("report"));
    let hb = crate::template::engine(escape, &[template], overrides.as_deref())?;
    hb.render(template.0, view)
        .map_err(|e| anyhow!("report template `{}`: {e}", template.0))
}

/// Render the HTML template over `view`; every `{{value}}` goes through [`escape::html`], and
/// the page's Content-Security-Policy allows exactly its own inline scripts ([`SCRIPT_HASHES`]).
pub fn render_html(view: &View, templates: Option<&Path>) -> anyhow::Result<String> {
    Ok(with_script_hashes(render(
        view,
        templates,
        HTML_TEMPLATE,
        escape::html,
    )?))
}

/// Where the page's CSP lists the scripts it allows: `script-src 'capdo-script-hashes'` in the
/// template becomes `script-src 'sha256-…'`, one hash per inline script of the rendered page.
/// No value from a report can write it: HTML escaping turns every `'` into `&#x27;`. Left
/// unreplaced (a page without scripts), a browser ignores the unknown source and runs nothing.
pub const SCRIPT_HASHES: &str = "'capdo-script-hashes'";

/// `html` with [`SCRIPT_HASHES`] (its first occurrence, in the head) replaced by the CSP hash of
/// each `<script>…</script>` in it, so the policy allows these scripts and no other inline
/// script (`'unsafe-inline'` would allow any that an escaping bug let in).
pub(crate) fn with_script_hashes(html: String) -> String {
    let mut sources = Vec::new();
    let mut rest = html.as_str();
    while let Some(open) = rest.find("<script") {
        let after = &rest[open..];
        let Some(body) = after.find('>').map(|i| &after[i + 1..]) else {
            break;
        };
        let Some(close) = body.find("</script") else {
            break;
        };
        sources.push(script_source(&body[..close]));
        rest = &body[close..];
    }
    html.replacen(SCRIPT_HASHES, &script_src(&sources), 1)
}

/// What stands for [`SCRIPT_HASHES`]: the sources of the page's scripts, or `'none'`.
pub(crate) fn script_src(sources: &[String]) -> String {
    if sources.is_empty() {
        "'none'".to_owned()
    } else {
        sources.join(" ")
    }
}

/// The CSP source allowing the inline script `body`: `'sha256-…'`.
pub(crate) fn script_source(body: &str) -> String {
    use sha2::Digest as _;
    // The browser hashes the script as parsed: its line ends normalised to LF.
    let text = body.replace("\r\n", "\n").replace('\r', "\n");
    let digest = sha2::Sha256::digest(text.as_bytes());
    format!("'sha256-{}'", crate::escape::base64(&digest))
}

/// Render the Markdown template over `view`; every `{{value}}` goes through
/// [`escape::markdown`].
pub fn render_markdown(view: &View, templates: Option<&Path>) -> anyhow::Result<String> {
    render(view, templates, MARKDOWN_TEMPLATE, escape::markdown)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_csp_allows_exactly_the_scripts_of_the_page() {
        let page = format!(
            "<meta content=\"script-src {SCRIPT_HASHES}\"><p>&#x27;capdo-script-hashes&#x27;</p>\
             <script>alert(1)</script><script type=\"module\">x\r\ny</script>"
        );
        let out = with_script_hashes(page);
        // `echo -n 'alert(1)' | openssl dgst -sha256 -binary | base64`, and the same of "x\ny".
        assert!(
            out.starts_with(
                "<meta content=\"script-src 'sha256-bhHHL3z2vDgxUt0W3dWQOrprscmda2Y5pLsLg4GF+pI=' \
                 'sha256-mrneJXaKwXIjXhGbdjYuzdrTOHj+mneSzd2+RyNvmoc='\">"
            ),
            "{out}"
        );
        assert!(!out.contains(SCRIPT_HASHES), "{out}");
        assert!(out.contains("<p>&#x27;capdo-script-hashes&#x27;</p>"));
        assert_eq!(
            with_script_hashes(format!("script-src {SCRIPT_HASHES}")),
            "script-src 'none'"
        );
    }

    #[test]
    fn worst_status_prefers_failures() {
        let mut c = Counts::default();
        c.add(Status::Pass);
        c.add(Status::Waived);
        assert_eq!(c.worst(), "waived");
        c.add(Status::Fail);
        assert_eq!(c.worst(), "fail");
        assert_eq!(Counts::default().worst(), "none");
    }
}
