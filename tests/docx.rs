//! The Word files (`dossier --format docx`, `annual-report --format docx`) read by real
//! readers: python-docx (Debian's python3-docx) finds every heading, table and text of the
//! HTML document of the same input, the NĐ 30/2020 page setup and the highlighted blanks;
//! LibreOffice converts them to PDF without a warning, and the PDF's text (pdftotext) holds the
//! national motto, every form's title and every table's header.
//!
//! Without the readers these tests say so and pass; with `CAPDO_REQUIRE_PYTHON_DOCX` or
//! `CAPDO_REQUIRE_LIBREOFFICE` set (`.ci/run` sets both) their absence fails.

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

mod common;

/// Debian's Python, which python3-docx installs into (a `python3` earlier on the PATH, such as
/// pyenv's, may not have it).
const PYTHON: &str = "/usr/bin/python3";
const READER: &str = "tests/docx/read.py";
/// The HTML paragraph that introduces the Mermaid source; the Word file shows the picture
/// instead, and says so without "(cú pháp Mermaid)".
const MERMAID_CAPTION: &str = "Sơ đồ do capdo sinh từ inventory (cú pháp Mermaid)";
const MANUAL: &str = "Cần hoàn thiện thủ công";

fn python_docx() -> bool {
    let present = Command::new(PYTHON)
        .args(["-c", "import docx"])
        .output()
        .is_ok_and(|o| o.status.success());
    common::needs_tool(
        "python-docx",
        present,
        "CAPDO_REQUIRE_PYTHON_DOCX",
        "apt-get install python3-docx",
    )
}

fn on_path(program: &str) -> bool {
    std::env::var_os("PATH")
        .is_some_and(|p| std::env::split_paths(&p).any(|d| d.join(program).is_file()))
}

fn libreoffice() -> bool {
    common::needs_tool(
        "LibreOffice (soffice) and pdftotext",
        on_path("soffice") && on_path("pdftotext"),
        "CAPDO_REQUIRE_LIBREOFFICE",
        "apt-get install libreoffice-writer-nogui poppler-utils fonts-liberation2",
    )
}

/// `capdo ARGS --output DIR/NAME`, which must succeed.
fn write(dir: &Path, args: &[&str], name: &str) -> PathBuf {
    let path = dir.join(name);
    let r = common::Capdo::new()
        .args(args)
        .arg("--output")
        .arg(&path)
        .run();
    assert_eq!(r.code, Some(0), "capdo {args:?}: {}", r.stderr);
    path
}

/// What tests/docx/read.py sees in `path` (`kind` docx or html).
fn read(kind: &str, path: &Path) -> Value {
    let out = Command::new(PYTHON)
        .arg(READER)
        .arg(kind)
        .arg(path)
        .output()
        .expect("run tests/docx/read.py");
    assert!(
        out.status.success(),
        "read.py {kind} {}: {}",
        path.display(),
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("read.py writes JSON")
}

fn strs(v: &Value) -> Vec<String> {
    v.as_array()
        .expect("array")
        .iter()
        .map(|x| x.as_str().expect("string").to_owned())
        .collect()
}

fn rows(v: &Value) -> Vec<Vec<String>> {
    v.as_array().expect("rows").iter().map(strs).collect()
}

/// The Word file's headings as the HTML's levels: Title is h1, Heading N is h(N+1).
fn headings(docx: &Value) -> Vec<(u64, String)> {
    body(docx)
        .filter(|e| e["kind"] == "p")
        .filter_map(|e| {
            let level = match e["style"].as_str()? {
                "Title" => 1,
                "Heading 1" => 2,
                "Heading 2" => 3,
                "Heading 3" => 4,
                _ => return None,
            };
            Some((level, e["text"].as_str()?.to_owned()))
        })
        .collect()
}

fn body(docx: &Value) -> impl Iterator<Item = &Value> {
    docx["body"].as_array().expect("body").iter()
}

/// Every paragraph's text, in the body and inside tables.
fn texts(docx: &Value) -> Vec<String> {
    let mut out = Vec::new();
    for e in body(docx) {
        if e["kind"] == "p" {
            out.push(e["text"].as_str().expect("text").to_owned());
        } else {
            for p in e["paragraphs"].as_array().expect("paragraphs") {
                out.push(p["text"].as_str().expect("text").to_owned());
            }
        }
    }
    out
}

fn highlighted(docx: &Value) -> Vec<String> {
    let mut out = Vec::new();
    for e in body(docx) {
        let ps = if e["kind"] == "p" {
            vec![e]
        } else {
            e["paragraphs"]
                .as_array()
                .expect("paragraphs")
                .iter()
                .collect()
        };
        for p in ps {
            out.extend(strs(&p["highlighted"]));
        }
    }
    out
}

/// The Word file holds what the HTML file holds: the same headings at the same levels in the
/// same order, the same data tables cell for cell, and every paragraph and list item.
fn assert_same_content(what: &str, docx: &Value, html: &Value) {
    let want: Vec<(u64, String)> = html["headings"]
        .as_array()
        .expect("headings")
        .iter()
        .map(|h| {
            (
                h[0].as_u64().expect("level"),
                h[1].as_str().expect("text").to_owned(),
            )
        })
        .collect();
    assert_eq!(headings(docx), want, "{what}: headings");
    let tables: Vec<Vec<Vec<String>>> = body(docx)
        .filter(|e| e["kind"] == "table" && e["style"] == "Table Grid")
        .map(|e| rows(&e["rows"]))
        .collect();
    let want: Vec<Vec<Vec<String>>> = html["tables"]
        .as_array()
        .expect("tables")
        .iter()
        .map(rows)
        .collect();
    assert_eq!(tables.len(), want.len(), "{what}: number of tables");
    for (i, (got, want)) in tables.iter().zip(&want).enumerate() {
        assert_eq!(got, want, "{what}: table {}", i + 1);
    }
    let texts = texts(docx);
    let missing: Vec<String> = strs(&html["blocks"])
        .into_iter()
        .filter(|b| !b.starts_with(MERMAID_CAPTION))
        .filter(|b| !texts.iter().any(|t| t.contains(b.as_str())))
        .collect();
    assert!(
        missing.is_empty(),
        "{what}: not in the Word file: {missing:#?}"
    );
}

/// NĐ 30/2020 Phụ lục I: A4, margins top/bottom 20–25 mm, left 30–35, right 15–20; Times New
/// Roman 13–14 pt; Word's heading styles; every text in NFC; the blanks highlighted.
fn assert_nd30(what: &str, docx: &Value) {
    for s in docx["sections"].as_array().expect("sections") {
        let f = |k: &str| s[k].as_f64().expect("mm");
        let (w, h) = (f("width_mm"), f("height_mm"));
        let landscape = s["orientation"] == "landscape";
        assert_eq!(
            if landscape { (h, w) } else { (w, h) },
            (210.0, 297.0),
            "{what}: A4 {s}"
        );
        assert!((20.0..=25.0).contains(&f("top_mm")), "{what}: top {s}");
        assert!(
            (20.0..=25.0).contains(&f("bottom_mm")),
            "{what}: bottom {s}"
        );
        assert!((30.0..=35.0).contains(&f("left_mm")), "{what}: left {s}");
        assert!((15.0..=20.0).contains(&f("right_mm")), "{what}: right {s}");
    }
    for k in ["ascii", "hAnsi", "cs"] {
        assert_eq!(
            docx["default_fonts"][k], "Times New Roman",
            "{what}: font {k}"
        );
    }
    let size = docx["default_size_pt"].as_f64().expect("size");
    assert!((13.0..=14.0).contains(&size), "{what}: body {size} pt");
    assert_eq!(
        strs(&docx["heading_styles"]),
        ["Heading 1", "Heading 2", "Heading 3"],
        "{what}"
    );
    assert_eq!(strs(&docx["not_nfc"]), Vec::<String>::new(), "{what}: NFC");
    // The heading block: the motto with its second line, "Số: ……/……" with its blank highlighted.
    let layout: Vec<String> = body(docx)
        .filter(|e| e["style"] == "Layout Table")
        .flat_map(|e| e["paragraphs"].as_array().expect("paragraphs"))
        .map(|p| p["text"].as_str().expect("text").to_owned())
        .collect();
    for line in [
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "Độc lập - Tự do - Hạnh phúc",
        "Số: ……/……",
        "Nơi nhận:",
    ] {
        assert!(
            layout.iter().any(|t| t == line),
            "{what}: no `{line}` in {layout:#?}"
        );
    }
    let marks = highlighted(docx);
    assert!(
        marks.iter().any(|m| m == "……"),
        "{what}: the number's blank"
    );
    for m in &marks {
        assert!(
            m == MANUAL || (!m.is_empty() && m.chars().all(|c| c == '…')),
            "{what}: highlighted text that is no placeholder: {m:?}"
        );
    }
}

/// Each form and each part starts a page: the form's heading block comes right after a page
/// break, each Heading 1 has "page break before".
fn assert_forms_start_pages(what: &str, docx: &Value) -> usize {
    let els: Vec<&Value> = body(docx).collect();
    let mut forms = 0;
    for (i, e) in els.iter().enumerate() {
        if e["style"] == "Heading 1" {
            assert_eq!(
                e["page_break"], true,
                "{what}: {} starts no page",
                e["text"]
            );
        }
        let text = e["text"].as_str().unwrap_or("");
        if e["style"] != "Heading 2" || !text.starts_with("Mẫu 0") {
            continue;
        }
        forms += 1;
        let before = els[..i]
            .iter()
            .rev()
            .find(|x| !(x["style"] == "Layout Table" || x["kind"] == "p" && x["text"] == ""));
        let broken = els[..i]
            .iter()
            .rev()
            .take_while(|x| x["style"] == "Layout Table" || x["kind"] == "p")
            .any(|x| x["page_break"] == true);
        assert!(
            broken && before.is_none_or(|b| b["kind"] != "table" || b["style"] == "Layout Table"),
            "{what}: {text} does not start a page"
        );
    }
    forms
}

#[test]
fn every_part_of_the_html_dossier_is_in_the_word_dossier_on_nd30_pages() {
    if !python_docx() {
        return;
    }
    let dir = tempfile::tempdir().expect("tempdir");
    // A level-3 system (Mẫu 02 and 05), a level-4 one (Mẫu 02, 03, 05; the extras of levels
    // 4–5), the legacy regime (no forms) and the transition (Phần IV).
    let cases: [(&[&str], usize); 4] = [
        (&["--regime", "nd331", "dossier", "dvc"], 2),
        (&["--regime", "nd331", "dossier", "csdl-cbccvc"], 3),
        (&["--regime", "nd85", "dossier", "baocao"], 0),
        (&["--regime", "both", "dossier", "dvc"], 0),
    ];
    for (i, (args, forms)) in cases.iter().enumerate() {
        let what = args.join(" ");
        let mut html_args = args.to_vec();
        html_args.extend(["--format", "html"]);
        let mut docx_args = args.to_vec();
        docx_args.extend(["--format", "docx"]);
        let html = read("html", &write(dir.path(), &html_args, &format!("{i}.html")));
        let docx = read("docx", &write(dir.path(), &docx_args, &format!("{i}.docx")));
        assert_same_content(&what, &docx, &html);
        assert_nd30(&what, &docx);
        assert_eq!(docx["toc_field"], true, "{what}: a table of contents field");
        assert_eq!(docx["pictures"], 1, "{what}: the logical model's picture");
        // Portrait, except the sections of tables too wide for it.
        assert_eq!(docx["sections"][0]["orientation"], "portrait", "{what}");
        assert_eq!(
            assert_forms_start_pages(&what, &docx),
            *forms,
            "{what}: forms"
        );
        // The file's date is the document's (--as-of), so the same input writes the same file.
        assert_eq!(docx["core_created"], "2026-11-22 00:00:00", "{what}");
    }
}

#[test]
fn the_word_annual_report_has_every_part_of_the_html_one_and_mau_08_in_landscape() {
    if !python_docx() {
        return;
    }
    let dir = tempfile::tempdir().expect("tempdir");
    for (i, args) in [
        &["annual-report"][..],
        &["--regime", "both", "annual-report"],
    ]
    .iter()
    .enumerate()
    {
        let what = args.join(" ");
        let mut html_args = args.to_vec();
        html_args.extend(["--format", "html"]);
        let mut docx_args = args.to_vec();
        docx_args.extend(["--format", "docx"]);
        let html = read("html", &write(dir.path(), &html_args, &format!("{i}.html")));
        let docx = read("docx", &write(dir.path(), &docx_args, &format!("{i}.docx")));
        assert_same_content(&what, &docx, &html);
        assert_nd30(&what, &docx);
        let orientations: Vec<&str> = docx["sections"]
            .as_array()
            .expect("sections")
            .iter()
            .map(|s| s["orientation"].as_str().expect("orientation"))
            .collect();
        assert_eq!(orientations, ["portrait", "landscape"], "{what}");
        // Mẫu 08's table comes after the section break, in the landscape section.
        let els: Vec<&Value> = body(&docx).collect();
        let brk = els
            .iter()
            .position(|e| e["section_break"] == true)
            .expect("a section break");
        let mau08 = els
            .iter()
            .position(|e| e["kind"] == "table" && e["rows"][0].as_array().map(Vec::len) == Some(12))
            .expect("Mẫu 08's twelve columns");
        assert!(mau08 > brk, "{what}: Mẫu 08 before the section break");
    }
}

/// pdftotext's words, whitespace-normalised.
fn pdf_text(pdf: &Path) -> String {
    let out = Command::new("pdftotext")
        .arg("-raw")
        .arg(pdf)
        .arg("-")
        .output()
        .expect("run pdftotext");
    assert!(out.status.success(), "pdftotext {}", pdf.display());
    String::from_utf8_lossy(&out.stdout)
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

#[test]
fn libreoffice_converts_the_word_files_to_pdf_without_warnings_and_keeps_their_text() {
    if !libreoffice() || !python_docx() {
        return;
    }
    let dir = tempfile::tempdir().expect("tempdir");
    let dossier = write(
        dir.path(),
        &["--regime", "nd331", "dossier", "dvc", "--format", "docx"],
        "dvc.docx",
    );
    let html = read(
        "html",
        &write(
            dir.path(),
            &["--regime", "nd331", "dossier", "dvc", "--format", "html"],
            "dvc.html",
        ),
    );
    let annual = write(
        dir.path(),
        &["annual-report", "--format", "docx"],
        "mau08.docx",
    );
    let annual_html = read(
        "html",
        &write(
            dir.path(),
            &["annual-report", "--format", "html"],
            "mau08.html",
        ),
    );
    // LibreOffice as root wants a profile it can write: its own, in the test's directory.
    let profile = format!("file://{}/profile", dir.path().display());
    let out = Command::new("soffice")
        .arg(format!("-env:UserInstallation={profile}"))
        .args([
            "--headless",
            "--norestore",
            "--convert-to",
            "pdf",
            "--outdir",
        ])
        .arg(dir.path())
        .arg(&dossier)
        .arg(&annual)
        .env("HOME", dir.path())
        .output()
        .expect("run soffice");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "soffice: {stderr}");
    // The one line LibreOffice writes on a machine without Java is about LibreOffice, not
    // the file: anything else is a warning about the document.
    let warnings: Vec<&str> = stderr
        .lines()
        .filter(|l| !l.trim().is_empty())
        .filter(|l| !l.contains("failed to launch javaldx"))
        .collect();
    assert!(warnings.is_empty(), "LibreOffice warned: {warnings:#?}");
    for (pdf, html) in [("dvc.pdf", &html), ("mau08.pdf", &annual_html)] {
        let pdf = dir.path().join(pdf);
        assert!(
            pdf.is_file(),
            "no {}: {}",
            pdf.display(),
            String::from_utf8_lossy(&out.stdout)
        );
        let text = pdf_text(&pdf);
        for motto in [
            "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
            "Độc lập - Tự do - Hạnh phúc",
        ] {
            assert!(text.contains(motto), "{}: no `{motto}`", pdf.display());
        }
        let mut want: Vec<String> = html["headings"]
            .as_array()
            .expect("headings")
            .iter()
            .map(|h| h[1].as_str().expect("text").to_owned())
            .filter(|h| h.starts_with("Mẫu 0"))
            .collect();
        for t in html["tables"].as_array().expect("tables") {
            want.extend(strs(&t[0]));
        }
        let missing: Vec<&String> = want.iter().filter(|w| !text.contains(w.as_str())).collect();
        assert!(
            missing.is_empty(),
            "{}: not in the PDF text: {missing:#?}",
            pdf.display()
        );
    }
}

#[test]
fn vietnamese_in_nfd_and_markup_in_the_inventory_come_out_as_nfc_text_in_the_word_file() {
    if !python_docx() {
        return;
    }
    let dir = tempfile::tempdir().expect("tempdir");
    let text = std::fs::read_to_string("tests/fixtures/design/inventory.toml").expect("fixture");
    // "Cổng thông tin" with its tones as combining marks (NFD), and markup around it.
    let nfd = "Co\u{302}\u{309}ng tho\u{302}ng tin <b>&amp;</b> | ]]>";
    let text = text.replace(
        "name = \"Cổng thông tin điện tử\"",
        &format!("name = \"{nfd}\""),
    );
    assert!(text.contains(nfd), "the fixture changed");
    let inv = dir.path().join("inventory.toml");
    std::fs::write(&inv, text).expect("write");
    let inv = inv.to_str().expect("path");
    let docx = read(
        "docx",
        &write(
            dir.path(),
            &[
                "-i", inv, "--regime", "nd331", "dossier", "portal", "--format", "docx",
            ],
            "portal.docx",
        ),
    );
    assert_eq!(strs(&docx["not_nfc"]), Vec::<String>::new());
    let title = "Hồ sơ đề xuất cấp độ: Cổng thông tin <b>&amp;</b> | ]]>";
    assert!(
        headings(&docx).iter().any(|(l, t)| *l == 1 && t == title),
        "{:#?}",
        headings(&docx)
    );
}

#[test]
fn a_word_file_without_output_goes_to_a_named_file_never_to_stdout() {
    // Standard output is masked for terminals and logs: a binary file there would be corrupt.
    // Without --output the file is named after the document, in the current folder, and an
    // existing one (perhaps already filled in by the unit) is never overwritten.
    let dir = tempfile::tempdir().expect("tempdir");
    let root = env!("CARGO_MANIFEST_DIR");
    let run = || {
        let mut cmd = assert_cmd::Command::cargo_bin("capdo").expect("binary");
        cmd.current_dir(dir.path()).args([
            "--color",
            "never",
            "--as-of",
            "2026-11-22",
            "--inventory",
            &format!("{root}/inventory"),
            "--policies",
            &format!("{root}/policies"),
            "--templates",
            &format!("{root}/templates"),
            "--regime",
            "nd331",
            "annual-report",
            "--format",
            "docx",
        ]);
        cmd.output().expect("run capdo")
    };
    let first = run();
    let stderr = String::from_utf8_lossy(&first.stderr);
    assert_eq!(first.status.code(), Some(0), "{stderr}");
    assert!(
        first.stdout.is_empty(),
        "a Word file went to standard output"
    );
    let file = dir.path().join("annual-report-2026.docx");
    let bytes = std::fs::read(&file).expect("annual-report-2026.docx written");
    assert!(bytes.starts_with(b"PK"), "not a zip (docx) file");
    assert!(stderr.contains("wrote annual-report-2026.docx"), "{stderr}");
    std::fs::write(&file, b"filled in by the unit").expect("write");
    let second = run();
    let stderr = String::from_utf8_lossy(&second.stderr);
    assert_eq!(second.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("--output FILE.docx"), "{stderr}");
    assert_eq!(
        std::fs::read(&file).expect("still there"),
        b"filled in by the unit"
    );
}
