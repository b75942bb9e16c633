//! Getting started: `capdo init` writes a starter inventory that validates and refuses a
//! non-empty folder; `capdo completions` and `capdo man` describe the real command line.

mod common;

use std::path::Path;

use common::capdo;

/// `capdo [--regime R] init DIR`, then `capdo -i DIR validate`.
fn init_and_validate(regime: Option<&str>) -> (String, common::Run) {
    let dir = tempfile::tempdir().expect("temp dir");
    let target = dir.path().join("dc");
    let target_s = target.to_str().expect("utf-8 path");
    let mut args = Vec::new();
    if let Some(r) = regime {
        args.extend(["--regime", r]);
    }
    args.extend(["init", target_s]);
    let r = capdo(Path::new("unused"), &args);
    assert_eq!(r.code, Some(0), "{}", r.stderr);
    let text = std::fs::read_to_string(target.join("inventory.toml")).expect("starter written");
    (text, capdo(&target, &["validate"]))
}

#[test]
fn init_writes_an_inventory_that_validates() {
    let (text, v) = init_and_validate(None);
    assert_eq!(v.code, Some(0), "{}", v.stderr);
    assert!(
        v.stdout.contains(
            "is valid: 1 datacenter, 2 networks, 2 servers, 1 system, 0 externals, 0 flows"
        ),
        "{}",
        v.stdout
    );
    // The regime in force since NĐ 331/2026 took effect (19/8/2026) is the default.
    assert!(text.contains("regime = \"nd331\""), "{text}");
    assert!(!text.contains("{{"), "a placeholder was left: {text}");
    insta::assert_snapshot!("starter_nd331", text);
}

#[test]
fn init_takes_the_legacy_regime() {
    let (text, v) = init_and_validate(Some("nd85"));
    assert_eq!(v.code, Some(0), "{}", v.stderr);
    assert!(text.contains("regime = \"nd85\""), "{text}");
    assert!(text.contains("NĐ 85/2016 Đ8.1"), "{text}");
}

#[test]
fn init_refuses_both_regimes() {
    let dir = tempfile::tempdir().expect("temp dir");
    let target = dir.path().join("dc");
    let r = capdo(
        Path::new("unused"),
        &[
            "--regime",
            "both",
            "init",
            target.to_str().expect("utf-8 path"),
        ],
    );
    assert_eq!(r.code, Some(2));
    assert_eq!(
        r.stderr,
        "error: an inventory has one regime; choose `--regime nd85` or `--regime nd331`\n"
    );
    assert!(!target.exists());
}

#[test]
fn init_refuses_a_non_empty_folder() {
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::write(dir.path().join("notes.txt"), "keep me").expect("write");
    let r = capdo(
        Path::new("unused"),
        &["init", dir.path().to_str().expect("utf-8 path")],
    );
    assert_eq!(r.code, Some(2));
    assert_eq!(
        r.stderr
            .replace(dir.path().to_str().expect("utf-8 path"), "[DIR]"),
        "error: `[DIR]` is not empty; `capdo init` only writes into a new or empty folder\n"
    );
    assert!(!dir.path().join("inventory.toml").exists());
    assert_eq!(
        std::fs::read_to_string(dir.path().join("notes.txt")).expect("read"),
        "keep me"
    );
}

#[test]
fn init_into_an_existing_empty_folder() {
    let dir = tempfile::tempdir().expect("temp dir");
    let r = capdo(
        Path::new("unused"),
        &["init", dir.path().to_str().expect("utf-8 path")],
    );
    assert_eq!(r.code, Some(0), "{}", r.stderr);
    assert_eq!(capdo(dir.path(), &["validate"]).code, Some(0));
}

#[test]
fn completions_name_the_subcommands() {
    for shell in ["bash", "zsh", "fish"] {
        let r = capdo(Path::new("unused"), &["completions", shell]);
        assert_eq!(r.code, Some(0), "{shell}: {}", r.stderr);
        for word in ["check", "validate", "import", "inventory"] {
            assert!(r.stdout.contains(word), "{shell} completions lack `{word}`");
        }
    }
    let r = capdo(Path::new("unused"), &["completions", "tcsh"]);
    assert_eq!(r.code, Some(2));
}

#[test]
fn man_prints_the_main_page_in_roff() {
    let r = capdo(Path::new("unused"), &["man"]);
    assert_eq!(r.code, Some(0), "{}", r.stderr);
    // clap_mangen opens with the definition of the quote string, then the title.
    let first = r
        .stdout
        .lines()
        .find(|l| !l.starts_with(".ie") && !l.starts_with(".el"))
        .expect("a line");
    assert!(first.starts_with(".TH capdo 1"), "{first}");
    assert!(
        r.stdout.contains("capdo\\-check(1)"),
        "the page lists subcommands"
    );
}

#[test]
fn man_out_writes_one_page_per_command() {
    let dir = tempfile::tempdir().expect("temp dir");
    let r = capdo(
        Path::new("unused"),
        &["man", "--out", dir.path().to_str().expect("utf-8 path")],
    );
    assert_eq!(r.code, Some(0), "{}", r.stderr);
    let mut pages: Vec<String> = std::fs::read_dir(dir.path())
        .expect("read")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    pages.sort();
    for page in [
        "capdo.1",
        "capdo-check.1",
        "capdo-init.1",
        "capdo-import-ansible.1",
        "capdo-export-ansible.1",
        "capdo-completions.1",
    ] {
        assert!(pages.iter().any(|p| p == page), "no {page} in {pages:?}");
    }
    assert!(
        pages
            .iter()
            .all(|p| p.starts_with("capdo") && p.ends_with(".1"))
    );
    let check = std::fs::read_to_string(dir.path().join("capdo-check.1")).expect("page");
    assert!(check.contains(".TH capdo-check 1"), "{check}");
    assert!(check.contains("offline"));
}
