//! Policy packs on disk: they replace the built-in ones, and a broken pack is reported located,
//! every problem at once, before anything is checked.

mod common;

use std::path::Path;

use serde_json::Value;

fn run(args: &[&str]) -> common::Run {
    common::capdo(Path::new("inventory"), args)
}

/// The shipped packs copied into a fresh policies folder.
fn copy_packs() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    for pack in ["nd85-tt12-tcvn11930", "nd331-tcvn14423"] {
        let to = dir.path().join(pack);
        std::fs::create_dir_all(&to).expect("mkdir");
        for e in std::fs::read_dir(Path::new("policies").join(pack)).expect("pack") {
            let p = e.expect("entry").path();
            std::fs::copy(&p, to.join(p.file_name().expect("name"))).expect("copy");
        }
    }
    dir
}

/// The targets `control` was judged on (pass, fail or error).
fn judged(report: &Value, control: &str) -> Vec<String> {
    report["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter(|f| f["control"] == control && f["status"] != "not-applicable")
        .map(|f| f["target"].as_str().expect("target").to_owned())
        .collect()
}

#[test]
fn a_pack_on_disk_replaces_the_built_in_one() {
    let dir = copy_packs();
    let p = dir.path().to_str().expect("utf-8");
    let check = |policies: &str| -> Value {
        let r = run(&["-p", policies, "check", "--offline", "--format", "json"]);
        serde_json::from_str(&r.stdout).unwrap_or_else(|e| panic!("{e}: {}", r.stderr))
    };
    // The copy judges as the built-in packs do.
    let built_in = check("does-not-exist");
    assert_eq!(check(p)["summary"], built_in["summary"]);
    assert!(!judged(&built_in, "DESIGN-PAM").contains(&"system:dvc".to_owned()));
    // The organisation asks for PAM from level 3 too: the level-3 citizen service is now
    // judged.
    let design = dir.path().join("nd85-tt12-tcvn11930/design.toml");
    let text = std::fs::read_to_string(&design).expect("design.toml");
    let at = text.find("id = \"DESIGN-PAM\"").expect("DESIGN-PAM");
    let edited = format!(
        "{}{}",
        &text[..at],
        text[at..].replacen("levels = [4, 5]", "levels = [3, 4, 5]", 1)
    );
    std::fs::write(&design, edited).expect("write");
    let wider = check(p);
    assert!(judged(&wider, "DESIGN-PAM").contains(&"system:dvc".to_owned()));
    let explained = run(&["-p", p, "explain", "DESIGN-PAM"]).stdout;
    assert!(explained.contains("Levels: 3–5"), "{explained}");
}

#[test]
fn a_broken_pack_is_reported_located_and_nothing_is_checked() {
    let dir = copy_packs();
    std::fs::write(
        dir.path().join("nd331-tcvn14423/zz-local.toml"),
        r#"[[control]]
id = "local-rule"
source = "host"
applies_to = "server"
levels = [0, 3]
severity = "severe"
title.vi = "Thử"
title.en = "Test"
description = "A broken control."
basis = []
remediation.vi = "…"
remediation.en = "…"
[control.params]
max_days = { 3 = 30 }
[control.rule]
all = [{ fact = "password.max_days", le = "$max_age" }, { fact = "sshd.port" }]

[[control]]
id = "FW-HOST-DEFAULT-DENY"
source = "host"
evaluator = "fw-host-defualt-deny"
applies_to = "server"
levels = [1, 2, 3, 4, 5]
severity = "high"
title = { vi = "x", en = "x" }
description = "x"
basis = ["x"]
remediation = { vi = "x", en = "x" }
colour = "red"
"#,
    )
    .expect("write");
    let p = dir.path().to_str().expect("utf-8");
    for cmd in [&["validate"][..], &["check", "--offline"], &["controls"]] {
        let r = run(&[&["-p", p][..], cmd].concat());
        assert_eq!(r.code, Some(2), "{cmd:?}: {}", r.stdout);
        assert!(
            r.stdout.is_empty(),
            "{cmd:?} printed a result: {}",
            r.stdout
        );
    }
    // Commands that do not judge by the controls are not stopped by a broken pack.
    for cmd in [
        &["graph", "--format", "json"][..],
        &["impact", "datacenter:hq"],
    ] {
        let r = run(&[&["-p", p][..], cmd].concat());
        assert_eq!(r.code, Some(0), "{cmd:?}: {}", r.stderr);
    }
    let r = run(&["-p", p, "validate"]);
    let stderr = r.stderr.replace(p, "[DIR]");
    insta::assert_snapshot!("broken_pack", stderr);
}

#[test]
fn a_misspelt_fact_or_attribute_is_a_pack_problem_located_with_a_suggestion() {
    let dir = copy_packs();
    std::fs::write(
        dir.path().join("nd331-tcvn14423/zz-local.toml"),
        r#"[[control]]
id = "LOCAL-SSH-ROOT"
source = "host"
applies_to = "server"
levels = [1, 2, 3, 4, 5]
severity = "high"
title = { vi = "x", en = "x" }
description = "x"
basis = ["x"]
remediation = { vi = "x", en = "x" }
messages = { pass = "{target} ok", fail = "{target} not ok" }
rule = { all = [
  { fact = "sshd.permit_rot_login", ne = "yes" },
  { attr = "server.zone", ne = "dmz" },
] }

[[control]]
id = "LOCAL-WAF"
source = "inventory"
applies_to = "system"
levels = [3, 4, 5]
severity = "medium"
title = { vi = "x", en = "x" }
description = "x"
basis = ["x"]
remediation = { vi = "x", en = "x" }
messages = { pass = "{target} ok", fail = "{target} not ok" }
when = { attr = "system.knd", eq = "citizen-service" }
rule = { attr = "system.measures", contains = "waf" }
"#,
    )
    .expect("write");
    let p = dir.path().to_str().expect("utf-8");
    let r = run(&["-p", p, "check", "--offline"]);
    assert_eq!(r.code, Some(2), "{}", r.stdout);
    assert!(r.stdout.is_empty(), "printed a result: {}", r.stdout);
    let stderr = r.stderr.replace(p, "[DIR]");
    insta::assert_snapshot!("misspelt_names", stderr);
}
