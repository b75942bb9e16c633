//! Every kind of inventory problem, rendered exactly as `capdo validate` prints it.
//!
//! Each case is a folder under `tests/fixtures/invalid/`; the snapshot is the whole standard
//! error, and the exit code must be 2 with nothing on standard output.

mod common;

use common::Capdo;

fn validate(case: &str) -> String {
    let dir = format!("tests/fixtures/invalid/{case}");
    let out = Capdo::bare()
        .args(["--color", "never", "-i", &dir, "validate"])
        .run();
    assert_eq!(out.code, Some(2), "{case}: exit code");
    assert!(out.stdout.is_empty(), "{case}: nothing on stdout");
    out.stderr
}

macro_rules! cases {
    ($($name:ident => $dir:literal,)*) => {
        $(
            #[test]
            fn $name() {
                insta::assert_snapshot!(stringify!($name), validate($dir));
            }
        )*
    };
}

cases! {
    toml_syntax => "toml-syntax",
    unknown_key => "unknown-key",
    wrong_type => "wrong-type",
    duplicate_id_across_files => "duplicate-id",
    unknown_reference => "unknown-reference",
    wrong_reference => "wrong-reference",
    address_outside_network => "address-outside-network",
    duplicate_address => "duplicate-address",
    overlapping_networks => "overlapping-networks",
    invalid_cidr => "invalid-cidr",
    invalid_address => "invalid-address",
    cidr_host_bits => "cidr-host-bits",
    level_range => "level-range",
    backup_not_server => "backup-not-server",
    backup_itself => "backup-itself",
    unknown_flow_endpoint => "unknown-flow-endpoint",
    unknown_zone => "unknown-zone",
    unknown_regime => "unknown-regime",
    missing_key => "missing-key",
    missing_organization => "missing-organization",
    jump_cycle => "jump-cycle",
    invalid_service => "invalid-service",
    many_problems_at_once => "many-problems",
    problems_inside_sub_tables => "nested-errors",
    invalid_utf8 => "invalid-utf8",
    invalid_backup_path => "backup-path",
    jump_cycle_through_the_default_bastion => "jump-cycle-default",
}

#[test]
fn a_missing_inventory_folder_is_a_tool_error() {
    let out = Capdo::bare()
        .args(["-i", "tests/fixtures/no-such-folder", "validate"])
        .run();
    assert_eq!(out.code, Some(2));
    let err = out.stderr;
    assert!(
        err.starts_with("error: cannot read inventory `tests/fixtures/no-such-folder`"),
        "{err}"
    );
}

#[test]
fn an_empty_inventory_folder_is_a_tool_error() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = Capdo::bare()
        .arg("-i")
        .arg(dir.path())
        .arg("validate")
        .run();
    assert_eq!(out.code, Some(2));
    assert!(out.stderr.contains("no *.toml files in inventory folder"));
}

#[test]
fn valid_fixtures_validate() {
    // The two examples of DESIGN.md, a clean inventory, one with a UTF-8 BOM and CRLF line
    // ends, and one whose default bastion is reached directly.
    for dir in [
        "tests/fixtures/minimal",
        "tests/fixtures/design",
        "tests/fixtures/clean",
        "tests/fixtures/bom-crlf",
        "tests/fixtures/jump-default",
    ] {
        let out = Capdo::bare().args(["-i", dir, "validate"]).run();
        assert_eq!(out.code, Some(0), "{dir}: {}", out.stderr);
    }
}

#[test]
fn a_table_split_across_files_is_merged() {
    // tests/fixtures/design keeps [organization.protection] and [systems.portal.protection] in a
    // second file; the check must see them.
    let out = Capdo::new()
        .args([
            "-i",
            "tests/fixtures/design",
            "check",
            "--offline",
            "--format",
            "json",
        ])
        .run();
    let report: serde_json::Value = serde_json::from_str(&out.stdout).expect("json");
    let onsite = report["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .find(|f| f["control"] == "FOURLAYER-ONSITE" && f["target"] == "system:portal")
        .expect("finding");
    assert_eq!(onsite["status"], "pass");
}
