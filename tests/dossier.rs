//! `capdo dossier` and `capdo annual-report` on the shipped sample and on fixtures: the dossier
//! of every system renders under both regimes with every required section, statuses follow a
//! `check` report, text from the inventory is escaped, and the annual report's CSV parses back.

use std::path::{Path, PathBuf};

use serde_json::Value;

mod common;

/// The sample's systems, from the inventory itself (`capdo graph --format json`).
fn sample_systems() -> Vec<String> {
    let r = capdo(&["graph", "--format", "json"]);
    assert_eq!(r.code, Some(0), "{}", r.stderr);
    let graph: Value = serde_json::from_str(&r.stdout).expect("graph json");
    graph["nodes"]
        .as_array()
        .expect("nodes")
        .iter()
        .filter(|n| n["kind"] == "system")
        .map(|n| {
            n["id"]
                .as_str()
                .and_then(|id| id.strip_prefix("system:"))
                .expect("system id")
                .to_owned()
        })
        .collect()
}

/// capdo on the shipped sample (or `-i` in `args`) with a fixed date and no colour.
fn capdo(args: &[&str]) -> common::Run {
    common::Capdo::new().args(args).run()
}

fn settings() -> insta::Settings {
    let mut s = insta::Settings::clone_current();
    s.add_filter(env!("CARGO_PKG_VERSION"), "[VERSION]");
    s.add_filter(r#"capdo "[^"]*report\.json""#, "capdo \"[REPORT]\"");
    s.add_filter(r"lập lúc [0-9TZ:-]+", "lập lúc [TIME]");
    s
}

/// Headings every dossier has, in Markdown and HTML alike.
const SECTIONS: &[&str] = &[
    "Thành phần hồ sơ, thẩm định và phê duyệt",
    "Phần I. Thuyết minh tổng quan về hệ thống thông tin",
    "1. Thông tin chủ quản hệ thống thông tin",
    "2. Thông tin đơn vị vận hành",
    "3. Phạm vi, quy mô, đối tượng phục vụ",
    "4.1. Mô hình logic",
    "4.3. Danh mục thiết bị",
    "4.4. Danh mục ứng dụng, dịch vụ",
    "4.5. Quy hoạch vùng mạng và địa chỉ IP",
    "Phần II. Thuyết minh đề xuất cấp độ",
    "2. Bảng đề xuất cấp độ",
    "Lý do không thuộc cấp độ cao hơn",
    "Phần III. Thuyết minh phương án bảo đảm",
    "1. Bảng đáp ứng yêu cầu",
    "2. Yêu cầu quản lý",
    "3. Yêu cầu kỹ thuật về ứng dụng và dữ liệu",
    "a) Bảo đảm",
    "b) Bảo đảm",
    "c) Kiểm tra, đánh giá",
    "d) Quản lý rủi ro",
    "đ) Giám sát",
    "e) Dự phòng, ứng cứu sự cố, khôi phục sau thảm họa",
    "g) Kết thúc vận hành, khai thác, thanh lý, hủy bỏ",
];

/// The heading markers of a format: `#…` lines in Markdown, `<hN>` elements in HTML.
fn headings(text: &str, html: bool) -> Vec<String> {
    if html {
        text.split("<h")
            .skip(1)
            .filter_map(|rest| {
                let rest = rest.get(2..)?; // "2>" etc.
                rest.split_once("</h").map(|(h, _)| h.to_owned())
            })
            .collect()
    } else {
        text.lines()
            .filter(|l| l.starts_with('#'))
            .map(|l| l.trim_start_matches('#').trim().to_owned())
            .collect()
    }
}

#[test]
fn every_system_has_a_complete_dossier_in_both_regimes_and_formats() {
    let systems = sample_systems();
    assert!(!systems.is_empty());
    for system in &systems {
        for regime in ["nd85", "nd331"] {
            for format in ["md", "html"] {
                let r = capdo(&["--regime", regime, "dossier", system, "--format", format]);
                assert_eq!(r.code, Some(0), "{system} {regime} {format}: {}", r.stderr);
                assert_eq!(r.stderr, "", "{system} {regime} {format}");
                let html = format == "html";
                let found = headings(&r.stdout, html);
                let mut wanted: Vec<&str> = SECTIONS.to_vec();
                let level: u8 = (1..=5)
                    .find(|l| {
                        r.stdout.contains(&format!("**Cấp độ {l}**"))
                            || r.stdout.contains(&format!("<strong>Cấp độ {l}</strong>"))
                    })
                    .expect("the proposed level");
                // The forms that apply at the level (regulations.md §4.4): Mẫu 01 at 1–2,
                // Mẫu 02 from 3, Mẫu 03 at 4–5, Mẫu 05 at 3–4.
                let forms = [
                    ("Mẫu 01", level <= 2),
                    ("Mẫu 02", level >= 3),
                    ("Mẫu 03", level >= 4),
                    ("Mẫu 05", (3..=4).contains(&level)),
                ];
                if regime == "nd331" {
                    wanted.push("Nhận diện sơ bộ rủi ro");
                    for (form, applies) in forms {
                        if applies {
                            wanted.push(form);
                        } else {
                            assert!(
                                !found.iter().any(|h| h.contains(form)),
                                "{system} {format}: {form} does not apply at level {level}"
                            );
                        }
                    }
                }
                for w in wanted {
                    assert!(
                        found.iter().any(|h| h.contains(w)),
                        "{system} {regime} {format}: no heading with `{w}` in {found:#?}"
                    );
                }
                if regime == "nd85" {
                    assert!(
                        !found.iter().any(|h| h.contains("Mẫu 0")),
                        "{system}: forms only under nd331"
                    );
                    // The legacy dossier lists the professional opinion at levels 4–5 (NĐ 85/2016
                    // Đ15) without a form.
                    assert_eq!(
                        r.stdout
                            .contains("Ý kiến chuyên môn của đơn vị chuyên trách"),
                        level >= 4,
                        "{system} {format}"
                    );
                }
                if html {
                    assert!(r.stdout.starts_with("<!DOCTYPE html>"));
                    assert!(r.stdout.trim_end().ends_with("</html>"));
                    // Self-contained: nothing is fetched.
                    assert!(!r.stdout.contains("<script"), "{system}");
                    assert!(!r.stdout.contains("src=\"http"), "{system}");
                } else {
                    assert!(r.stdout.contains("```mermaid\nflowchart LR\n"), "{system}");
                }
            }
        }
    }
}

#[test]
fn dossier_of_a_declared_level_2_system_markdown() {
    // baocao is declared level 2 but its 25,000 users require level 3: the dossier proposes 3
    // and says why.
    let settings = settings();
    for regime in ["nd85", "nd331"] {
        let r = capdo(&["--regime", regime, "dossier", "baocao"]);
        assert_eq!(r.code, Some(0), "{}", r.stderr);
        assert!(
            r.stdout
                .contains("Cấp độ đã khai báo (2) thấp hơn cấp độ theo tiêu chí (3)")
        );
        settings.bind(|| insta::assert_snapshot!(format!("dossier_baocao_{regime}"), r.stdout));
    }
}

#[test]
fn dossier_of_a_level_4_system_markdown() {
    let settings = settings();
    for regime in ["nd85", "nd331"] {
        let r = capdo(&["--regime", regime, "dossier", "system:csdl-cbccvc"]);
        assert_eq!(r.code, Some(0), "{}", r.stderr);
        assert!(r.stdout.contains("Nội dung bổ sung đối với cấp độ 4, 5"));
        settings
            .bind(|| insta::assert_snapshot!(format!("dossier_csdl_cbccvc_{regime}"), r.stdout));
    }
}

/// The line of the protection-plan table for `control`.
fn plan_row<'a>(dossier: &'a str, control: &str) -> &'a str {
    dossier
        .lines()
        .find(|l| l.starts_with("| ") && l.contains(&format!("| `{control}` |")))
        .unwrap_or_else(|| panic!("no plan row for {control}"))
}

#[test]
fn statuses_come_from_a_check_report() {
    let dir = tempfile::tempdir().expect("tempdir");
    let report_path = dir.path().join("report.json");
    let report_arg = report_path.to_str().expect("path");
    let check = capdo(&[
        "check",
        "--offline",
        "--format",
        "json",
        "--output",
        report_arg,
    ]);
    assert!(
        check.code == Some(0) || check.code == Some(1),
        "{}",
        check.stderr
    );
    let report: Value =
        serde_json::from_str(&std::fs::read_to_string(&report_path).expect("report"))
            .expect("json");
    let findings = report["findings"].as_array().expect("findings");
    // A system-level control that fails in the sample, and one that passes, on khen-thuong.
    let on = |status: &str| -> Vec<String> {
        findings
            .iter()
            .filter(|f| f["target"] == "system:khen-thuong" && f["status"] == status)
            .map(|f| f["control"].as_str().expect("control").to_owned())
            .collect()
    };
    let failing = on("fail");
    let passing = on("pass");
    assert!(
        !failing.is_empty(),
        "the sample plants a failure on khen-thuong"
    );
    assert!(!passing.is_empty());

    let without = capdo(&["dossier", "khen-thuong"]);
    assert_eq!(without.code, Some(0), "{}", without.stderr);
    let with = capdo(&["dossier", "khen-thuong", "--report", report_arg]);
    assert_eq!(with.code, Some(0), "{}", with.stderr);
    for control in &failing {
        assert!(plan_row(&without.stdout, control).contains("| Cần hoàn thiện thủ công |"));
        let row = plan_row(&with.stdout, control);
        assert!(
            row.contains("| Chưa đáp ứng |") || row.contains("| Đáp ứng một phần |"),
            "{row}"
        );
        // The failure's message is the evidence, and the control's remediation the plan.
        assert!(row.contains("system:khen-thuong: "), "{row}");
        assert!(!row.ends_with("| — |"), "{row}");
    }
    for control in &passing {
        // A system control passing on the system is met (its findings are all on systems).
        let system_control = findings
            .iter()
            .filter(|f| f["control"] == control.as_str())
            .all(|f| {
                f["target"]
                    .as_str()
                    .is_some_and(|t| t.starts_with("system:"))
            });
        if system_control {
            assert!(
                plan_row(&with.stdout, control).contains("| Đã đáp ứng |"),
                "{control}"
            );
        }
    }
    // Host checks were not made offline: still to be completed by hand.
    assert!(plan_row(&with.stdout, "SSH-ROOT-LOGIN").contains("| Cần hoàn thiện thủ công |"));

    // A report of another regime is refused, as is a file that is not a report.
    let other = capdo(&[
        "--regime",
        "nd331",
        "dossier",
        "khen-thuong",
        "--report",
        report_arg,
    ]);
    assert_eq!(other.code, Some(2));
    assert!(
        other.stderr.contains("judged under `nd85`"),
        "{}",
        other.stderr
    );
    let inventory_file = "inventory/systems.toml";
    let bad = capdo(&["dossier", "khen-thuong", "--report", inventory_file]);
    assert_eq!(bad.code, Some(2));
    assert!(
        bad.stderr.contains("is not a capdo.report/v1 JSON report"),
        "{}",
        bad.stderr
    );

    // The annual report's column 10 follows the report too.
    let annual = capdo(&["annual-report", "--format", "csv", "--report", report_arg]);
    assert_eq!(annual.code, Some(0), "{}", annual.stderr);
    let mut rows = csv::Reader::from_reader(annual.stdout.as_bytes());
    let khen = rows
        .records()
        .map(|r| r.expect("csv record"))
        .find(|r| r.get(1).is_some_and(|n| n.contains("khen thưởng")))
        .expect("khen-thuong row");
    assert!(
        khen.get(9)
            .is_some_and(|c| c.starts_with("Đã triển khai một số hạng mục")
                || c.starts_with("Chưa triển khai")),
        "{khen:?}"
    );
}

#[test]
fn unknown_system_and_both_regimes_are_refused() {
    let r = capdo(&["dossier", "baocoa"]);
    assert_eq!(r.code, Some(2));
    assert_eq!(r.stdout, "");
    assert!(r.stderr.contains("did you mean `baocao`?"), "{}", r.stderr);
    let r = capdo(&["dossier", "baocao-web01"]);
    assert_eq!(r.code, Some(2));
    assert!(
        r.stderr.contains("is a server, not a system"),
        "{}",
        r.stderr
    );
    // `--regime both` only during the transition (01/07/2026 – 30/06/2027), for both documents.
    for (date, ok) in [
        ("2026-06-30", false),
        ("2026-07-01", true),
        ("2027-06-30", true),
        ("2027-07-01", false),
    ] {
        for cmd in [&["dossier", "baocao"][..], &["annual-report"]] {
            let r = common::Capdo::bare()
                .args(["--color", "never", "--as-of", date, "--regime", "both"])
                .args(cmd)
                .run();
            if ok {
                assert_eq!(r.code, Some(0), "{date} {cmd:?}: {}", r.stderr);
            } else {
                assert_eq!(r.code, Some(2), "{date} {cmd:?}");
                assert_eq!(r.stdout, "");
                assert!(
                    r.stderr
                        .contains("exists only from 01/07/2026 to 30/06/2027")
                        && r.stderr
                            .contains("choose `--regime nd85` or `--regime nd331`"),
                    "{}",
                    r.stderr
                );
            }
        }
    }
}

#[test]
fn annual_report_markdown() {
    let r = capdo(&["annual-report"]);
    assert_eq!(r.code, Some(0), "{}", r.stderr);
    settings().bind(|| insta::assert_snapshot!("annual_report_md", r.stdout));
}

#[test]
fn annual_report_csv_parses_back_with_one_row_per_system() {
    let r = capdo(&["--regime", "nd331", "annual-report", "--format", "csv"]);
    assert_eq!(r.code, Some(0), "{}", r.stderr);
    settings().bind(|| insta::assert_snapshot!("annual_report_csv", r.stdout));
    let mut reader = csv::Reader::from_reader(r.stdout.as_bytes());
    assert_eq!(reader.headers().expect("header").len(), 12);
    let records: Vec<csv::StringRecord> = reader.records().map(|r| r.expect("record")).collect();
    let systems = sample_systems();
    assert_eq!(records.len(), systems.len());
    for (i, rec) in records.iter().enumerate() {
        assert_eq!(rec.len(), 12);
        assert_eq!(rec.get(0), Some((i + 1).to_string().as_str()));
    }
}

#[test]
fn annual_report_html_is_one_page() {
    let r = capdo(&["annual-report", "--format", "html"]);
    assert_eq!(r.code, Some(0), "{}", r.stderr);
    assert!(r.stdout.starts_with("<!DOCTYPE html>"));
    assert!(r.stdout.matches("<tr><td>").count() >= sample_systems().len());
}

/// A copy of the DESIGN.md minimal inventory whose system name carries markup and table syntax.
fn hostile_inventory(dir: &Path) -> PathBuf {
    let text = std::fs::read_to_string("tests/fixtures/design/inventory.toml").expect("fixture");
    let text = text.replace(
        "name = \"Cổng thông tin điện tử\"",
        "name = \"<script>alert(1)</script> | Cổng \\\"A&B\\\"\"\noperator = \"Đơn vị <b>X</b>\"",
    );
    assert!(text.contains("<script>"), "the fixture changed");
    let path = dir.join("inventory.toml");
    std::fs::write(&path, text).expect("write");
    path
}

#[test]
fn inventory_text_is_escaped_in_html_and_markdown() {
    let dir = tempfile::tempdir().expect("tempdir");
    let inv = hostile_inventory(dir.path());
    let inv = inv.to_str().expect("path");
    for regime in ["nd85", "nd331"] {
        let html = capdo(&[
            "-i", inv, "--regime", regime, "dossier", "portal", "--format", "html",
        ]);
        assert_eq!(html.code, Some(0), "{}", html.stderr);
        assert!(!html.stdout.contains("<script>alert"), "raw script in HTML");
        assert!(!html.stdout.contains("<b>X</b>"));
        assert!(
            html.stdout
                .contains("&lt;script&gt;alert(1)&lt;/script&gt;")
        );
        let md = capdo(&["-i", inv, "--regime", regime, "dossier", "portal"]);
        assert_eq!(md.code, Some(0), "{}", md.stderr);
        assert!(
            !md.stdout.contains("<script>alert"),
            "raw script in Markdown"
        );
        assert!(
            md.stdout
                .contains("&lt;script&gt;alert(1)&lt;/script&gt; \\| Cổng \"A&amp;B\"")
        );
    }
    let annual = capdo(&["-i", inv, "annual-report", "--format", "html"]);
    assert_eq!(annual.code, Some(0), "{}", annual.stderr);
    assert!(!annual.stdout.contains("<script>alert"));
    let csv = capdo(&["-i", inv, "annual-report", "--format", "csv"]);
    let mut reader = csv::Reader::from_reader(csv.stdout.as_bytes());
    let row = reader.records().next().expect("a row").expect("record");
    assert_eq!(row.get(1), Some("<script>alert(1)</script> | Cổng \"A&B\""));
}

#[test]
fn templates_can_be_replaced_and_strict_mode_catches_a_wrong_field() {
    let dir = tempfile::tempdir().expect("tempdir");
    let tpl = dir.path().join("dossier");
    std::fs::create_dir_all(&tpl).expect("mkdir");
    std::fs::write(
        tpl.join("dossier.md.hbs"),
        "Hệ thống {{system.id}}: cấp độ {{level.proposed}}\n",
    )
    .expect("write");
    let templates = dir.path().to_str().expect("path");
    let r = capdo(&["--templates", templates, "dossier", "dvc"]);
    assert_eq!(r.code, Some(0), "{}", r.stderr);
    assert_eq!(r.stdout, "Hệ thống dvc: cấp độ 3\n");
    std::fs::write(tpl.join("dossier.md.hbs"), "{{system.no_such_field}}\n").expect("write");
    let r = capdo(&["--templates", templates, "dossier", "dvc"]);
    assert_eq!(r.code, Some(2));
    assert!(r.stderr.contains("no_such_field"), "{}", r.stderr);
}

#[test]
fn output_is_written_to_a_file() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = dir.path().join("dvc.html");
    let r = capdo(&[
        "dossier",
        "dvc",
        "--format",
        "html",
        "--output",
        out.to_str().expect("path"),
    ]);
    assert_eq!(r.code, Some(0), "{}", r.stderr);
    assert_eq!(r.stdout, "");
    let text = std::fs::read_to_string(&out).expect("written");
    assert!(text.contains("Cổng dịch vụ công Bộ Nội vụ"));
}

#[test]
fn the_security_regulation_fills_section_b_and_column_8() {
    let dir = tempfile::tempdir().expect("tempdir");
    let text = std::fs::read_to_string("tests/fixtures/design/inventory.toml").expect("fixture");
    let inv = dir.path().join("inventory.toml");
    let inv_arg = inv.to_str().expect("path");
    std::fs::write(&inv, &text).expect("write");
    let without = capdo(&["-i", inv_arg, "annual-report", "--format", "csv"]);
    assert_eq!(without.code, Some(0), "{}", without.stderr);
    let mut reader = csv::Reader::from_reader(without.stdout.as_bytes());
    let row = reader.records().next().expect("a row").expect("record");
    assert_eq!(row.get(7), Some(""));

    let text = text.replace(
        "depends_on = []",
        "depends_on = []\nregulation = { decision = \"512/QĐ-BNV\", date = 2023-02-10 }",
    );
    std::fs::write(&inv, text).expect("write");
    let annual = capdo(&["-i", inv_arg, "annual-report", "--format", "csv"]);
    assert_eq!(annual.code, Some(0), "{}", annual.stderr);
    let mut reader = csv::Reader::from_reader(annual.stdout.as_bytes());
    let row = reader.records().next().expect("a row").expect("record");
    assert_eq!(row.get(7), Some("Quyết định số 512/QĐ-BNV ngày 10/02/2023"));
    let dossier = capdo(&["-i", inv_arg, "dossier", "portal"]);
    assert_eq!(dossier.code, Some(0), "{}", dossier.stderr);
    assert!(dossier.stdout.contains(
        "- Quy chế bảo đảm an toàn thông tin của hệ thống (TT 12/2022 Đ9.7): Quyết định số 512/QĐ-BNV ngày 10/02/2023."
    ));
}

#[test]
fn a_level_2_system_under_nd331_gets_form_01_and_no_appraisal_opinion() {
    let dir = tempfile::tempdir().expect("tempdir");
    let text = std::fs::read_to_string("tests/fixtures/design/inventory.toml").expect("fixture");
    assert!(text.contains("level = 3\n"), "the fixture changed");
    let inv = dir.path().join("inventory.toml");
    std::fs::write(&inv, text.replace("level = 3\n", "level = 2\n")).expect("write");
    let inv = inv.to_str().expect("path");
    let r = capdo(&["-i", inv, "--regime", "nd331", "dossier", "portal"]);
    assert_eq!(r.code, Some(0), "{}", r.stderr);
    assert!(r.stdout.contains("**Cấp độ 2**"));
    assert!(
        r.stdout
            .contains("### Mẫu 01: Đề nghị thẩm định và phê duyệt hồ sơ đề xuất cấp độ")
    );
    // Mẫu 01 asks for approval too: no submission to the owner (NĐ 331/2026 Đ18.1, Đ20.3.a).
    assert!(!r.stdout.contains("### Mẫu 05"));
    assert!(r.stdout.contains("Không lập Mẫu 05"));
    assert!(!r.stdout.contains("Mẫu 02"));
    assert!(!r.stdout.contains("### Mẫu 03"));
    assert!(!r.stdout.contains("Ý kiến thẩm định"));
    assert!(!r.stdout.contains("Nội dung bổ sung đối với cấp độ 4, 5"));
}

/// A cell a spreadsheet would run (OWASP "CSV injection") is written as text: a system named
/// `=HYPERLINK(…)` and an operator starting with `@`, `+`, `-` get a leading `'`, both to
/// standard output and to a file; the other cells are as they were.
#[test]
fn annual_report_csv_cells_never_become_formulas() {
    let dir = tempfile::tempdir().expect("tempdir");
    let text = std::fs::read_to_string("tests/fixtures/design/inventory.toml").expect("fixture");
    let text = text.replace(
        "name = \"Cổng thông tin điện tử\"",
        "name = \"=HYPERLINK(\\\"http://x\\\",\\\"y\\\")\"\noperator = \"@SUM(1+1)\"\nowner = \"-2+3\"",
    );
    assert!(text.contains("HYPERLINK"), "the fixture changed");
    let inv = dir.path().join("inventory.toml");
    std::fs::write(&inv, text).expect("write");
    let inv = inv.to_str().expect("path");
    let out = dir.path().join("annual.csv");
    let to_file = capdo(&[
        "-i",
        inv,
        "annual-report",
        "--format",
        "csv",
        "--output",
        out.to_str().expect("path"),
    ]);
    assert_eq!(to_file.code, Some(0), "{}", to_file.stderr);
    let stdout = capdo(&["-i", inv, "annual-report", "--format", "csv"]);
    assert_eq!(stdout.code, Some(0), "{}", stdout.stderr);
    let file = std::fs::read_to_string(&out).expect("annual.csv");
    assert_eq!(file, stdout.stdout);
    let mut reader = csv::Reader::from_reader(file.as_bytes());
    let row = reader.records().next().expect("a row").expect("record");
    assert_eq!(row.get(0), Some("1"));
    assert_eq!(row.get(1), Some("'=HYPERLINK(\"http://x\",\"y\")"));
    assert_eq!(row.get(2), Some("'-2+3"));
    assert_eq!(row.get(3), Some("'@SUM(1+1)"));
    for cell in row.iter() {
        assert!(
            !cell.starts_with(['=', '+', '-', '@', '\t', '\r']),
            "a formula cell: {cell:?}"
        );
    }
}

/// A level-4 dossier goes to the ministry in charge on its date, under either regime (NĐ 331/2026
/// Đ35.4.b, Luật 116/2025 Đ39.2): Bộ Công an after 19/8/2026, never the Ministry of Information
/// and Communications that no longer exists; before, the regime's decree's body (merged into Bộ
/// Khoa học và Công nghệ in 2025, a date regulations.md leaves unconfirmed). Under nd331 the
/// level-4 dossier carries Mẫu 03, the request for the professional opinion, to the security unit.
#[test]
fn a_level_4_dossier_is_addressed_by_its_date_with_the_professional_opinion() {
    let on = |date: &str, regime: &str| {
        let r = common::Capdo::bare()
            .args(["--color", "never", "--as-of", date, "--regime", regime])
            .args(["dossier", "csdl-cbccvc"])
            .run();
        assert_eq!(r.code, Some(0), "{}", r.stderr);
        r.stdout
    };
    for regime in ["nd85", "nd331"] {
        let after = on("2026-11-22", regime);
        assert!(
            after.contains("- Thẩm định: Bộ Công an chủ trì thẩm định"),
            "{regime}"
        );
        assert!(!after.contains("Thẩm định: Bộ Thông tin và Truyền thông"));
        assert!(after.contains("Ý kiến chuyên môn của đơn vị chuyên trách"));
        let before = on("2026-03-02", regime);
        assert!(
            before.contains("- Thẩm định: Bộ Khoa học và Công nghệ"),
            "{regime}"
        );
        assert!(before.contains("chưa được xác nhận"));
    }
    let legacy = on("2026-11-22", "nd85");
    assert!(legacy.contains(
        "NĐ 85/2016 Đ12 giao việc thẩm định cho Bộ Thông tin và Truyền thông; vào ngày lập hồ sơ (22/11/2026)"
    ));
    let current = on("2026-11-22", "nd331");
    let mau03 = current
        .split("### Mẫu 03: Đề nghị cho ý kiến chuyên môn về hồ sơ đề xuất cấp độ")
        .nth(1)
        .expect("Mẫu 03 at level 4");
    assert!(mau03.contains("Kính gửi: Trung tâm Thông tin, Bộ Nội vụ"));
    assert!(current.contains("### Mẫu 02: Đề nghị thẩm định hồ sơ đề xuất cấp độ\n\n**Trung tâm Thông tin, Bộ Nội vụ**\n\nKính gửi: Bộ Công an"));
    assert!(current.contains("### Mẫu 05: Tờ trình về việc phê duyệt đề xuất cấp độ"));
}

/// The DESIGN.md minimal inventory with its organisation's units (and `extra` lines after them),
/// in `dir`; returns the path as an argument.
fn with_units(dir: &Path, units: &str) -> String {
    let text = std::fs::read_to_string("tests/fixtures/design/inventory.toml").expect("fixture");
    assert!(text.contains("regime = \"nd85\"\n"), "the fixture changed");
    let text = text.replace(
        "regime = \"nd85\"\n",
        &format!("regime = \"nd85\"\n{units}"),
    );
    let path = dir.join("inventory.toml");
    std::fs::write(&path, text).expect("write");
    path.to_str().expect("path").to_owned()
}

/// When the security unit that appraises levels 1–3 also operates the system, it may not
/// appraise its own dossier (TT 12/2022 Đ6; NĐ 331/2026 Đ18.4): `validate` warns at the place
/// the operator is named (exit 0, the input is valid) and the dossier says so and addresses the
/// request for appraisal to the unit the owner must assign, not to the operator. An `appraiser`
/// named by the owner clears the warning and receives the request.
#[test]
fn an_operator_that_would_appraise_its_own_dossier_is_flagged() {
    let dir = tempfile::tempdir().expect("tempdir");
    let same = "security_unit = \"Trung tâm Thông tin\"\noperator = \"Trung tâm  thông tin.\"\n";
    let inv = with_units(dir.path(), same);
    let v = capdo(&["-i", &inv, "validate"]);
    assert_eq!(v.code, Some(0), "{}", v.stderr);
    assert!(v.stdout.contains("is valid"), "{}", v.stdout);
    assert!(
        v.stderr.contains(
            "warning[appraisal-not-independent]: the level dossier of system `portal` (level 3) would be appraised by `Trung tâm Thông tin`, which also operates it\n"
        ),
        "{}",
        v.stderr
    );
    let file = format!("{inv}:5:12");
    assert!(v.stderr.contains(&file), "no {file} in {}", v.stderr);
    assert!(v.stderr.contains("TT 12/2022 Đ6"), "{}", v.stderr);

    let d = capdo(&["-i", &inv, "--regime", "nd331", "dossier", "portal"]);
    assert_eq!(d.code, Some(0), "{}", d.stderr);
    assert!(d.stdout.contains("**Tính độc lập của thẩm định:** Đơn vị thẩm định (Trung tâm Thông tin) đồng thời là đơn vị vận hành hệ thống"));
    assert!(d.stdout.contains("Kính gửi: …………………… (đơn vị được chủ quản giao thẩm định hoặc Hội đồng thẩm định độc lập, NĐ 331/2026 Đ18.4)"));
    assert!(!d.stdout.contains("Kính gửi: Trung tâm Thông tin"));

    // The owner set up a council: no warning, and the request goes to it.
    let council = "Hội đồng thẩm định độc lập";
    let inv = with_units(dir.path(), &format!("{same}appraiser = \"{council}\"\n"));
    let v = capdo(&["-i", &inv, "validate"]);
    assert_eq!(v.code, Some(0), "{}", v.stderr);
    assert!(
        !v.stderr.contains("appraisal-not-independent"),
        "{}",
        v.stderr
    );
    let d = capdo(&["-i", &inv, "--regime", "nd331", "dossier", "portal"]);
    assert!(d.stdout.contains(&format!("Kính gửi: {council}\n")));
    assert!(!d.stdout.contains("Tính độc lập của thẩm định"));

    // A security unit that does not operate the system appraises it.
    let inv = with_units(
        dir.path(),
        "security_unit = \"Cục An ninh\"\noperator = \"Trung tâm Thông tin\"\n",
    );
    let v = capdo(&["-i", &inv, "validate"]);
    assert_eq!(v.code, Some(0), "{}", v.stderr);
    assert!(
        !v.stderr.contains("appraisal-not-independent"),
        "{}",
        v.stderr
    );

    // An empty appraiser names no unit: an input error with its place.
    let inv = with_units(dir.path(), &format!("{same}appraiser = \" \"\n"));
    let v = capdo(&["-i", &inv, "validate"]);
    assert_eq!(v.code, Some(2));
    assert!(
        v.stderr
            .contains("error[empty-value]: `appraiser` names no unit"),
        "{}",
        v.stderr
    );
    assert!(v.stderr.contains(&format!("{inv}:6:13")), "{}", v.stderr);
}

/// Mẫu 08 column 12 reads each system's own assessment date: the organisation's
/// `last_assessment` is not passed off as every system's (the fixture sets it on the
/// organisation only, in a second file).
#[test]
fn annual_report_column_12_is_each_systems_own_assessment() {
    let column_12 = |inv: &str| -> String {
        let r = capdo(&["-i", inv, "annual-report", "--format", "csv"]);
        assert_eq!(r.code, Some(0), "{}", r.stderr);
        let mut reader = csv::Reader::from_reader(r.stdout.as_bytes());
        let row = reader
            .records()
            .map(|r| r.expect("record"))
            .find(|r| r.get(1) == Some("Cổng thông tin điện tử"))
            .expect("the portal's row");
        row.get(11).expect("column 12").to_owned()
    };
    let dir = tempfile::tempdir().expect("tempdir");
    for f in ["inventory.toml", "protection.toml"] {
        std::fs::copy(format!("tests/fixtures/design/{f}"), dir.path().join(f)).expect("copy");
    }
    let inv = dir.path().to_str().expect("path");
    let org_only = column_12(inv);
    assert!(org_only.starts_with("Chưa có ("), "{org_only}");
    assert!(
        org_only.ends_with("đánh giá chung của tổ chức: 01/11/2025)"),
        "{org_only}"
    );
    let text = std::fs::read_to_string(dir.path().join("protection.toml")).expect("read");
    let portal = "measures = [\"waf\", \"siem\", \"vpn\", \"anti-ddos\"]\n";
    assert!(text.contains(portal), "the fixture changed");
    std::fs::write(
        dir.path().join("protection.toml"),
        text.replace(portal, &format!("{portal}last_assessment = 2026-03-02\n")),
    )
    .expect("write");
    assert_eq!(column_12(inv), "Định kỳ (02/03/2026)");
}

/// `--regime both` during the transition, as `check` takes it: the dossier is written under the
/// inventory's regime (nd85 in the sample) and adds Phần IV, the transition debt; with a report
/// of both regimes it lists what fails under NĐ 331/2026 while passing under NĐ 85/2016. The
/// annual report adds a section, and a 13th CSV column after the form's 12.
#[test]
fn both_regimes_add_the_transition_debt_to_the_dossier_and_the_annual_report() {
    let dir = tempfile::tempdir().expect("tempdir");
    let report = dir.path().join("both.json");
    let report = report.to_str().expect("path");
    let check = capdo(&[
        "--regime",
        "both",
        "check",
        "--offline",
        "--format",
        "json",
        "--output",
        report,
    ]);
    assert!(matches!(check.code, Some(0 | 1)), "{}", check.stderr);

    let plain = capdo(&["--regime", "both", "dossier", "dvc"]);
    assert_eq!(plain.code, Some(0), "{}", plain.stderr);
    // Filed under the inventory's regime, with the debt after Phần III.
    assert!(plain.stdout.contains("Căn cứ: TT 12/2022 Đ8.3."));
    let debt = plain
        .stdout
        .split("## Phần IV. Nợ chuyển đổi sang NĐ 331/2026")
        .nth(1)
        .expect("Phần IV");
    assert!(debt.contains("trước ngày 01/07/2027"), "{debt}");
    assert!(
        debt.contains("chỉ liệt kê các yêu cầu mới của NĐ 331/2026"),
        "{debt}"
    );
    assert!(debt.contains("| Yêu cầu mới theo NĐ 331/2026"), "{debt}");
    assert!(!capdo(&["dossier", "dvc"]).stdout.contains("Phần IV"));
    let html = capdo(&["--regime", "both", "dossier", "dvc", "--format", "html"]);
    assert!(
        html.stdout
            .contains("<h2>Phần IV. Nợ chuyển đổi sang NĐ 331/2026</h2>")
    );

    let judged = capdo(&["--regime", "both", "dossier", "dvc", "--report", report]);
    assert_eq!(judged.code, Some(0), "{}", judged.stderr);
    let row = plan_row(&judged.stdout, "FOURLAYER-ASSESSMENT");
    assert!(
        judged
            .stdout
            .lines()
            .any(|l| l.contains("| `FOURLAYER-ASSESSMENT` |")
                && l.contains("| Đạt theo NĐ 85/2016, không đạt theo NĐ 331/2026 |")),
        "{row}"
    );

    let annual = capdo(&[
        "--regime",
        "both",
        "annual-report",
        "--format",
        "csv",
        "--report",
        report,
    ]);
    assert_eq!(annual.code, Some(0), "{}", annual.stderr);
    let mut reader = csv::Reader::from_reader(annual.stdout.as_bytes());
    let header = reader.headers().expect("header").clone();
    assert_eq!(header.len(), 13);
    assert_eq!(
        header.get(12),
        Some("Nợ chuyển đổi sang NĐ 331/2026 (hạn 01/07/2027)")
    );
    let dvc = reader
        .records()
        .map(|r| r.expect("record"))
        .find(|r| r.get(1) == Some("Cổng dịch vụ công Bộ Nội vụ"))
        .expect("dvc row");
    assert!(
        dvc.get(12)
            .is_some_and(|c| c.contains("FOURLAYER-ASSESSMENT") && c.ends_with("hạn 01/07/2027")),
        "{dvc:?}"
    );
    let md = capdo(&["--regime", "both", "annual-report"]);
    assert!(md.stdout.contains("## 4. Nợ chuyển đổi sang NĐ 331/2026"));
    let html = capdo(&["--regime", "both", "annual-report", "--format", "html"]);
    assert!(
        html.stdout
            .contains("<h2>4. Nợ chuyển đổi sang NĐ 331/2026</h2>")
    );
    // One regime: the form's 12 columns only.
    let one = capdo(&["annual-report", "--format", "csv"]);
    let mut reader = csv::Reader::from_reader(one.stdout.as_bytes());
    assert_eq!(reader.headers().expect("header").len(), 12);
}

/// The rows of a Markdown table that follows `heading`, up to the next heading.
fn table_after<'a>(text: &'a str, heading: &str) -> Vec<&'a str> {
    text.split(heading)
        .nth(1)
        .unwrap_or_else(|| panic!("no {heading}"))
        .lines()
        .take_while(|l| !l.starts_with('#'))
        .filter(|l| l.starts_with("| ") && !l.starts_with("| STT"))
        .collect()
}

/// The protection plan lists the management requirements of the level (the seven groups, the
/// items TT 12/2022 adds at levels 2 and 3) and the application and data items with their
/// TCVN 11930:2017 clause at that level, each marked for the security unit: capdo does not judge
/// them. Human-attestation controls say so in the controls table too.
#[test]
fn the_plan_lists_management_application_and_data_requirements_for_the_security_unit() {
    let dir = tempfile::tempdir().expect("tempdir");
    let fixture = std::fs::read_to_string("tests/fixtures/design/inventory.toml").expect("fixture");
    let inv = dir.path().join("inventory.toml");
    let inv_arg = inv.to_str().expect("path");
    for (level, management, backup) in [(2, 13, "6.2.4.2"), (3, 17, "7.2.4.3")] {
        std::fs::write(
            &inv,
            fixture.replace("level = 3\n", &format!("level = {level}\n")),
        )
        .expect("write");
        let r = capdo(&["-i", inv_arg, "dossier", "portal"]);
        assert_eq!(r.code, Some(0), "{}", r.stderr);
        let rows = table_after(&r.stdout, "### 2. Yêu cầu quản lý");
        assert_eq!(rows.len(), management, "level {level}: {rows:#?}");
        for group in [
            "| Chính sách |",
            "| Tổ chức |",
            "| Nguồn nhân lực |",
            "| Quản lý rủi ro |",
            "| Kết thúc vận hành |",
        ] {
            assert!(rows.iter().any(|r| r.contains(group)), "{group}");
        }
        assert!(
            rows.iter()
                .all(|r| r.ends_with("| Đơn vị chuyên trách đánh giá, xác nhận |"))
        );
        let technical = table_after(&r.stdout, "### 3. Yêu cầu kỹ thuật về ứng dụng và dữ liệu");
        let backup_row = technical
            .iter()
            .find(|r| r.contains("sao lưu dự phòng"))
            .expect("backup row");
        assert!(
            backup_row.contains(&format!("| TCVN 11930:2017 {backup} |")),
            "{backup_row}"
        );
        assert_eq!(
            technical.iter().any(|r| r.contains("chống chối bỏ")),
            level >= 3,
            "non-repudiation from level 3"
        );
    }
    let current = capdo(&["-i", inv_arg, "--regime", "nd331", "dossier", "portal"]);
    let technical = table_after(
        &current.stdout,
        "### 3. Yêu cầu kỹ thuật về ứng dụng và dữ liệu",
    );
    assert!(
        technical
            .iter()
            .any(|r| r.contains("| NĐ 331/2026 Đ30.4.d |"))
    );
    assert!(
        current
            .stdout
            .contains("TCVN 14423:2026 chưa được công bố công khai")
    );
    let manual = plan_row(&current.stdout, "MANUAL-RISK-ASSESSMENT");
    assert!(
        manual.contains("capdo không kiểm tra được, đơn vị chuyên trách đánh giá, xác nhận"),
        "{manual}"
    );
}

/// A control whose numbers or scope regulations.md marks UNCONFIRMED says so in the dossier's
/// basis column, as the findings do; the others do not.
#[test]
fn unconfirmed_rules_stay_marked_in_the_dossier() {
    let check = capdo(&[
        "--regime",
        "nd331",
        "check",
        "--offline",
        "--format",
        "json",
    ]);
    let report: Value = serde_json::from_str(&check.stdout).expect("json");
    let findings = report["findings"].as_array().expect("findings");
    let dossier = capdo(&["--regime", "nd331", "dossier", "dvc"]);
    assert_eq!(dossier.code, Some(0), "{}", dossier.stderr);
    let mut marked = 0;
    for f in findings.iter().filter(|f| f["target"] == "system:dvc") {
        let control = f["control"].as_str().expect("control");
        // Controls outside the proposed level have no row.
        let Some(row) = dossier
            .stdout
            .lines()
            .find(|l| l.starts_with("| ") && l.contains(&format!("| `{control}` |")))
        else {
            continue;
        };
        assert_eq!(
            row.contains("(CHƯA XÁC NHẬN: "),
            f["unconfirmed"].is_string(),
            "{row}"
        );
        marked += usize::from(f["unconfirmed"].is_string());
    }
    assert!(marked > 0, "the sample has unconfirmed system controls");
}

/// A human attestation recorded in the inventory (`protection.attestations`: control id →
/// evidence) meets that requirement of the protection plan, with its evidence; `validate`
/// refuses, at their place, an id that is no control, a control capdo checks itself, and an
/// attestation without evidence.
#[test]
fn recorded_attestations_meet_manual_requirements_and_are_validated() {
    let dir = tempfile::tempdir().expect("tempdir");
    let fixture = std::fs::read_to_string("tests/fixtures/design/inventory.toml").expect("fixture");
    let inv = dir.path().join("inventory.toml");
    let inv_arg = inv.to_str().expect("path");
    let write = |lines: &str| {
        std::fs::write(
            &inv,
            format!("{fixture}\n[systems.portal.protection.attestations]\n{lines}"),
        )
        .expect("write")
    };
    write("MANUAL-RISK-ASSESSMENT = \"Báo cáo đánh giá rủi ro số 12/BC-TTTT ngày 02/03/2026\"\n");
    let v = capdo(&["-i", inv_arg, "validate"]);
    assert_eq!(v.code, Some(0), "{}", v.stderr);
    let d = capdo(&["-i", inv_arg, "dossier", "portal"]);
    assert_eq!(d.code, Some(0), "{}", d.stderr);
    let row = plan_row(&d.stdout, "MANUAL-RISK-ASSESSMENT");
    assert!(
        row.contains(
            "| Đã đáp ứng | Đã xác nhận: Báo cáo đánh giá rủi ro số 12/BC-TTTT ngày 02/03/2026 |"
        ),
        "{row}"
    );
    // Another human attestation, not recorded, still waits for one.
    assert!(plan_row(&d.stdout, "MANUAL-INCIDENT-DRILL").contains("| Cần hoàn thiện thủ công |"));

    let lines = fixture.lines().count();
    write("MANUAL-RISK-ASESSMENT = \"x\"\nSSH-ROOT-LOGIN = \"x\"\nMANUAL-INCIDENT-DRILL = \" \"\n");
    let v = capdo(&["-i", inv_arg, "validate"]);
    assert_eq!(v.code, Some(2), "{}", v.stderr);
    // The empty evidence is an inventory problem; the ids are checked once the inventory is valid.
    assert!(
        v.stderr.contains(
            "error[empty-value]: the attestation of `MANUAL-INCIDENT-DRILL` gives no evidence"
        ),
        "{}",
        v.stderr
    );
    write("MANUAL-RISK-ASESSMENT = \"x\"\nSSH-ROOT-LOGIN = \"x\"\n");
    let v = capdo(&["-i", inv_arg, "validate"]);
    assert_eq!(v.code, Some(2), "{}", v.stderr);
    assert!(
        v.stderr.contains(
            "error[unknown-control]: `MANUAL-RISK-ASESSMENT` is not a control of the policy packs"
        ),
        "{}",
        v.stderr
    );
    assert!(
        v.stderr.contains("did you mean `MANUAL-RISK-ASSESSMENT`?"),
        "{}",
        v.stderr
    );
    assert!(
        v.stderr.contains(&format!("{inv_arg}:{}:1", lines + 3)),
        "{}",
        v.stderr
    );
    assert!(
        v.stderr
            .contains("error[not-attestable]: `SSH-ROOT-LOGIN` is decided by capdo (host)"),
        "{}",
        v.stderr
    );
    assert!(
        v.stderr.contains(&format!("{inv_arg}:{}:1", lines + 4)),
        "{}",
        v.stderr
    );
}
