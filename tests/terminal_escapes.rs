//! Nothing from an input or a host steers the operator's terminal (or a CI log that renders
//! escape sequences): ESC, CSI (also as the C1 character U+009B), OSC hyperlinks and other
//! control characters are put in every place an attacker could write them (the organisation's
//! name, a datacenter and a system name, an inventory file's name, the inventory folder's name,
//! a waiver's ticket, reason and approver, a policy pack's title, basis, remediation and
//! unconfirmed note, the facts file's name), and every command that shows them is run: its
//! standard output and error must hold no control character but tab and line ends, and must
//! show the masked value (so the test cannot pass because the value was left out).

mod common;

use std::path::{Path, PathBuf};

use common::{Capdo, Run};

/// A TOML string's inside that holds an SGR, a clear screen through the C1 CSI, an OSC 8
/// hyperlink closed by BEL, and a bidirectional override.
const HOSTILE: &str =
    r"\u001b[31mRED\u009b2J\u001b]8;;http://evil.example/\u0007LINK\u001b]8;;\u0007\u202eRLO";

/// What a terminal shows of [`HOSTILE`]'s start once masked: the ESC is one `?`.
const MASKED: &str = "?[31mRED??2J?]8;;http://evil.example/?LINK";

/// A file name with an ESC and a C1 CSI in it.
const FILE_NAME: &str = "sys\u{1b}[31mFILE\u{9b}1m.toml";

/// Where each command writes its output: a folder with the inventory (itself named with an
/// ESC), the policy packs with one control rewritten, and a waivers file.
struct Setup {
    _dir: tempfile::TempDir,
    inventory: PathBuf,
    policies: PathBuf,
    waivers: PathBuf,
    root: PathBuf,
}

fn setup() -> Setup {
    let dir = tempfile::tempdir().expect("tempdir");
    let root = dir.path().to_path_buf();
    let inventory = root.join("inv\u{1b}[32mDIR");
    std::fs::create_dir_all(&inventory).expect("inventory dir");
    let base = std::fs::read_to_string("tests/fixtures/unreachable/inventory.toml")
        .expect("unreachable fixture");
    std::fs::copy(
        "tests/fixtures/unreachable/known_hosts",
        inventory.join("known_hosts"),
    )
    .expect("known_hosts");
    let system_at = base.find("[systems.noi-bo]").expect("the system");
    let main = base[..system_at]
        .replace("name = \"Sở Ví dụ\"", &format!("name = \"Sở {HOSTILE}\""))
        .replace(
            "name = \"Phòng máy chủ\"",
            &format!("name = \"Phòng {HOSTILE}\""),
        );
    std::fs::write(inventory.join("inventory.toml"), main).expect("inventory.toml");
    // The system (level 3: DESIGN-SIEM fails on it, located in this file) in a file whose name
    // carries escapes.
    let system = base[system_at..]
        .replace(
            "name = \"Hệ thống quản lý nội bộ\"",
            &format!("name = \"Hệ thống {HOSTILE}\""),
        )
        .replace("level = 2", "level = 3");
    std::fs::write(inventory.join(FILE_NAME), system).expect("system file");

    // The shipped packs, DESIGN-SIEM's words rewritten as a merge request could.
    let policies = root.join("policies");
    for pack in ["nd85-tt12-tcvn11930", "nd331-tcvn14423"] {
        let to = policies.join(pack);
        std::fs::create_dir_all(&to).expect("mkdir");
        for e in std::fs::read_dir(Path::new("policies").join(pack)).expect("pack") {
            let p = e.expect("entry").path();
            std::fs::copy(&p, to.join(p.file_name().expect("name"))).expect("copy");
        }
    }
    for pack in ["nd85-tt12-tcvn11930", "nd331-tcvn14423"] {
        rewrite_design_siem(&policies.join(pack).join("design.toml"));
    }

    let waivers = root.join("waivers.toml");
    std::fs::write(
        &waivers,
        format!(
            "[[waiver]]\ncontrol = \"ZONE-PLACEMENT\"\ntarget = \"server:app01\"\n\
             reason = \"reason {HOSTILE}\"\napproved_by = \"approver {HOSTILE}\"\n\
             ticket = \"T-1 {HOSTILE}\"\nexpires = 2027-03-31\n"
        ),
    )
    .expect("waivers");
    Setup {
        _dir: dir,
        inventory,
        policies,
        waivers,
        root,
    }
}

/// DESIGN-SIEM of the pack file `design` with its title, basis and remediation replaced by
/// [`HOSTILE`] text, and an `unconfirmed` note added.
fn rewrite_design_siem(design: &Path) {
    let text = std::fs::read_to_string(design).expect("design.toml");
    let at = text.find("id = \"DESIGN-SIEM\"").expect("DESIGN-SIEM");
    let end = at + text[at..].find("[control.").expect("its rule");
    let mut words = String::from("id = \"DESIGN-SIEM\"\n");
    for line in text[at..end].lines().skip(1) {
        let key = line.split(" = ").next().unwrap_or("");
        match key {
            "title.vi" | "title.en" | "remediation.vi" | "remediation.en" => {
                words.push_str(&format!("{key} = \"{key} {HOSTILE}\"\n"));
            }
            "basis" => words.push_str(&format!("basis = [\"basis {HOSTILE}\"]\n")),
            "unconfirmed" => {}
            _ => {
                words.push_str(line);
                words.push('\n');
            }
        }
    }
    words.push_str(&format!("unconfirmed = \"unconfirmed {HOSTILE}\"\n"));
    std::fs::write(design, format!("{}{words}{}", &text[..at], &text[end..]))
        .expect("write design.toml");
}

impl Setup {
    /// capdo on this inventory and these packs.
    fn capdo(&self, args: &[&str]) -> Run {
        Capdo::new()
            .arg("-i")
            .arg(&self.inventory)
            .arg("-p")
            .arg(&self.policies)
            .args(["--timeout", "2"])
            .args(args)
            .run()
    }
}

/// Every character of `text` a terminal could act on: controls but tab and line ends, a
/// carriage return that does not end a line, bidirectional overrides.
fn steering(text: &str) -> Vec<(usize, char)> {
    let chars: Vec<char> = text.chars().collect();
    chars
        .iter()
        .enumerate()
        .filter(|&(i, &c)| {
            let lone_cr = c == '\r' && chars.get(i + 1) != Some(&'\n');
            lone_cr
                || (c.is_control() && !matches!(c, '\t' | '\n' | '\r'))
                || matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
        })
        .map(|(i, &c)| (i, c))
        .collect()
}

/// Neither stream of `r` carries a steering character, and `shown` (the masked value) is in
/// one of them.
fn assert_clean(what: &str, r: &Run, shown: &[&str]) {
    for (name, text) in [("stdout", &r.stdout), ("stderr", &r.stderr)] {
        let bad = steering(text);
        assert!(
            bad.is_empty(),
            "{what}: {name} carries {:?}:\n{text}",
            &bad[..bad.len().min(5)]
        );
    }
    for s in shown {
        assert!(
            r.stdout.contains(s) || r.stderr.contains(s),
            "{what}: `{s}` is not shown:\n{}\n{}",
            r.stdout,
            r.stderr
        );
    }
}

#[test]
fn check_in_every_format_on_standard_output() {
    let s = setup();
    let w = s.waivers.to_str().expect("utf-8");
    let text = s.capdo(&["check", "--offline", "--waivers", w]);
    assert_eq!(text.code, Some(1), "{}", text.stderr);
    assert_clean(
        "check (text)",
        &text,
        &[
            // The organisation, the system, the pack's words, the waiver, the file name.
            &format!("Sở {MASKED}"),
            &format!("── system noi-bo: Hệ thống {MASKED}"),
            &format!("basis: basis {MASKED}"),
            &format!("unconfirmed: unconfirmed {MASKED}"),
            &format!("fix: remediation.vi {MASKED}"),
            &format!("waiver: reason {MASKED}"),
            &format!("approved by approver {MASKED}"),
            &format!("ticket T-1 {MASKED}"),
            "sys?[31mFILE??1m.toml:",
        ],
    );
    let verbose = s.capdo(&["-v", "check", "--offline", "--waivers", w]);
    assert_clean("check -v", &verbose, &[MASKED]);
    for format in ["json", "md", "html", "sarif", "junit"] {
        let r = s.capdo(&["check", "--offline", "--waivers", w, "--format", format]);
        assert_eq!(r.code, Some(1), "{format}: {}", r.stderr);
        assert_clean(&format!("check --format {format}"), &r, &["RED"]);
    }
}

#[test]
fn colour_is_kept_and_is_the_only_escape_sequence() {
    let s = setup();
    let w = s.waivers.to_str().expect("utf-8");
    let r = Capdo::bare()
        .args(["--color", "always", "--as-of", common::AS_OF, "-i"])
        .arg(&s.inventory)
        .arg("-p")
        .arg(&s.policies)
        .args(["check", "--offline", "--waivers", w])
        .run();
    assert_eq!(r.code, Some(1), "{}", r.stderr);
    // capdo's own colours: bold red FAIL, and only SGR sequences.
    assert!(r.stdout.contains("\u{1b}[31mFAIL"), "{}", r.stdout);
    let sgr = regex_lite_sgr(&r.stdout);
    assert_clean(
        "check --color always",
        &Run {
            code: r.code,
            stdout: sgr,
            stderr: r.stderr.clone(),
        },
        &[&format!("ticket T-1 {MASKED}")],
    );
}

/// `text` without capdo's colour sequences (`ESC [ digits ; … m`).
fn regex_lite_sgr(text: &str) -> String {
    let mut out = String::new();
    let mut rest = text;
    while let Some(at) = rest.find("\u{1b}[") {
        out.push_str(&rest[..at]);
        let after = &rest[at + 2..];
        let len = after
            .find(|c: char| !(c.is_ascii_digit() || c == ';'))
            .unwrap_or(after.len());
        if after[len..].starts_with('m') {
            rest = &after[len + 1..];
        } else {
            // Not a colour: keep it, so the check below finds the ESC.
            out.push_str("\u{1b}[");
            rest = after;
        }
    }
    out.push_str(rest);
    out
}

#[test]
fn diagnostics_never_print_a_file_name_raw() {
    let s = setup();
    // A second file, named with escapes, with a problem in it.
    std::fs::write(
        s.inventory.join("bad\u{1b}]0;title\u{7}\u{9b}2J.toml"),
        format!("[datacenters.x]\nname = \"{HOSTILE}\"\ntier = 99\n"),
    )
    .expect("bad file");
    let r = s.capdo(&["validate"]);
    assert_eq!(r.code, Some(2), "{}", r.stderr);
    assert_clean(
        "validate (diagnostics)",
        &r,
        &["bad?]0;title???2J.toml:", "inv?[32mDIR"],
    );
}

#[test]
fn validate_explain_and_controls() {
    let s = setup();
    let r = s.capdo(&["validate"]);
    assert_eq!(r.code, Some(0), "{}", r.stderr);
    assert_clean("validate", &r, &["inv?[32mDIR"]);
    let r = s.capdo(&["explain", "DESIGN-SIEM"]);
    assert_eq!(r.code, Some(0), "{}", r.stderr);
    assert_clean(
        "explain",
        &r,
        &[
            &format!("basis {MASKED}"),
            &format!("unconfirmed {MASKED}"),
            &format!("remediation.vi {MASKED}"),
            &format!("title.vi {MASKED}"),
        ],
    );
    for args in [
        &["controls"][..],
        &["--lang", "en", "controls"][..],
        &["controls", "--format", "md"][..],
    ] {
        let r = s.capdo(args);
        assert_eq!(r.code, Some(0), "{args:?}: {}", r.stderr);
        assert_clean(&format!("{args:?}"), &r, &["RED"]);
    }
}

#[test]
fn graph_impact_dossier_and_annual_report() {
    let s = setup();
    for format in ["dot", "mermaid", "json"] {
        let r = s.capdo(&["graph", "--format", format]);
        assert_eq!(r.code, Some(0), "{format}: {}", r.stderr);
        assert_clean(&format!("graph --format {format}"), &r, &["RED"]);
    }
    // Impact names nodes by their ids, which the inventory restricts to `[a-z0-9-]`.
    for format in ["text", "json"] {
        let r = s.capdo(&["impact", "datacenter:hq", "--format", format]);
        assert_eq!(r.code, Some(0), "{format}: {}", r.stderr);
        assert_clean(&format!("impact --format {format}"), &r, &["system:noi-bo"]);
    }
    for format in ["md", "html"] {
        let r = s.capdo(&["dossier", "noi-bo", "--format", format]);
        assert_eq!(r.code, Some(0), "{format}: {}", r.stderr);
        assert_clean(&format!("dossier --format {format}"), &r, &["RED"]);
    }
    for format in ["md", "html", "csv"] {
        let r = s.capdo(&["annual-report", "--format", format]);
        assert_eq!(r.code, Some(0), "{format}: {}", r.stderr);
        assert_clean(&format!("annual-report --format {format}"), &r, &["RED"]);
    }
}

#[test]
fn scan_and_drift_summaries() {
    let s = setup();
    let facts = s.root.join("facts\u{1b}[33mOUT\u{9b}.json");
    let r = Capdo::new()
        .arg("-i")
        .arg(&s.inventory)
        .args(["--timeout", "2", "scan", "--facts-out"])
        .arg(&facts)
        .args(["app01", "app02"])
        .run();
    assert_eq!(r.code, Some(3), "{}", r.stderr);
    assert_clean("scan", &r, &["facts?[33mOUT??.json", "not scanned"]);
    let r = s.capdo(&["drift", "app01"]);
    assert_clean("drift", &r, &["app01: not read"]);
}

/// The reason a file could not be read comes from the host: masked in the text form.
#[test]
fn an_unreadable_file_reason_from_a_host_is_masked() {
    use capdo::render::drift::{FileDrift, Format, HostDrift, State, render};
    let report = [HostDrift {
        host: "app01".into(),
        status: "read",
        error: None,
        files: vec![FileDrift {
            path: "/etc/ssh/sshd_config",
            kind: "sshd",
            state: State::Unreadable,
            diff: String::new(),
            error: Some("cat: \u{1b}]0;pwned\u{7}\u{9b}2J: permission denied".into()),
        }],
    }];
    let text = render(&report, Format::Text, false).expect("text");
    assert_eq!(
        text,
        "app01: /etc/ssh/sshd_config UNREADABLE (cat: ?]0;pwned???2J: permission denied)\n"
    );
}

/// codespan prints a diagnostic's file name as given: [`capdo::diag::Sources`] hands it a
/// masked one, whatever writer the diagnostics go to.
#[test]
fn a_diagnostic_names_its_file_masked_on_any_writer() {
    use capdo::diag::{Diagnostic, Loc, Sources, render_to};
    use codespan_reporting::term::termcolor::Buffer;
    let mut sources = Sources::new();
    let file = sources.add(
        Path::new("inv/x\u{1b}]0;t\u{7}\u{9b}2J.toml"),
        "tier = 99\n".into(),
    );
    let d = Diagnostic::new("out-of-range", "bad").at(Loc::new(file, 7..9), "here");
    let mut out = Buffer::no_color();
    render_to(&mut out, &sources, &[d]).expect("render");
    let text = String::from_utf8(out.into_inner()).expect("utf-8");
    assert!(steering(&text).is_empty(), "{text:?}");
    assert!(text.contains("inv/x?]0;t???2J.toml:1:8"), "{text}");
}
