//! `check --evidence DIR`: the bundle of an offline check of the sample and of a saved scan
//! (built from the collector output captured in `tests/fixtures/collect/sections/`), every
//! manifest hash recomputed, no secret in the bundle, and the rules for an existing DIR.

mod common;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use common::{capdo, capdo_env};
use serde_json::{Value, json};

fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::Digest as _;
    sha2::Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Every file under `dir`, relative, `/`-separated.
fn files_under(dir: &Path) -> BTreeSet<String> {
    fn walk(root: &Path, dir: &Path, out: &mut BTreeSet<String>) {
        for e in std::fs::read_dir(dir).expect("read_dir") {
            let path = e.expect("entry").path();
            if path.is_dir() {
                walk(root, &path, out);
            } else {
                let rel = path.strip_prefix(root).expect("under root");
                out.insert(rel.to_str().expect("utf-8").replace('\\', "/"));
            }
        }
    }
    let mut out = BTreeSet::new();
    walk(dir, dir, &mut out);
    out
}

/// Read the manifest and check it against the folder: every file but the manifest is listed,
/// nothing listed is missing, and every size and SHA-256 is recomputed from the file.
fn verified_manifest(dir: &Path) -> Value {
    let manifest: Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("manifest.json")).expect("read"))
            .expect("manifest json");
    assert_eq!(manifest["schema"], "capdo.evidence/v1");
    assert_eq!(manifest["tool"]["version"], env!("CARGO_PKG_VERSION"));
    let entries = manifest["files"].as_array().expect("files");
    let listed: BTreeSet<String> = entries
        .iter()
        .map(|f| f["path"].as_str().expect("path").to_owned())
        .collect();
    let mut on_disk = files_under(dir);
    assert!(on_disk.remove("manifest.json"));
    assert_eq!(listed, on_disk, "manifest and folder differ");
    for f in entries {
        let path = f["path"].as_str().expect("path");
        let bytes = std::fs::read(dir.join(path)).expect("listed file");
        assert_eq!(f["size"], bytes.len(), "{path}");
        assert_eq!(f["sha256"], sha256_hex(&bytes), "{path}");
    }
    manifest
}

fn snapshot_settings(tmp: &Path) -> insta::Settings {
    let mut s = insta::Settings::clone_current();
    // Hashes first: an unescaped version (`0.1.0`, where `.` matches any character) once
    // matched inside a hash and made the snapshot depend on the report's bytes.
    s.add_filter(r#""sha256": "[0-9a-f]{64}""#, r#""sha256": "[SHA256]""#);
    s.add_filter(&regex::escape(env!("CARGO_PKG_VERSION")), "[VERSION]");
    s.add_filter(&regex::escape(&tmp.display().to_string()), "[TMP]");
    s.add_filter(r#""generated_at": "[^"]+""#, r#""generated_at": "[TIME]""#);
    // The tests recompute every size and hash (scan durations vary); the snapshot shows the
    // layout.
    s.add_filter(r#""size": \d+"#, r#""size": "[SIZE]""#);
    s.add_filter(r#""[^"]*/capdo""#, r#""[CAPDO]""#);
    s
}

mod regex {
    /// A literal for an insta filter.
    pub fn escape(text: &str) -> String {
        text.chars()
            .flat_map(|c| {
                let special = "\\.+*?()|[]{}^$".contains(c);
                special.then_some('\\').into_iter().chain([c])
            })
            .collect()
    }
}

#[test]
fn an_offline_check_bundles_the_inventory_and_the_report() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = tmp.path().join("bundle");
    let d = dir.to_str().expect("path");
    // A waivers file outside the policies folder goes under `inputs/`.
    let waivers = tmp.path().join("exceptions.toml");
    std::fs::copy("policies/waivers.example.toml", &waivers).expect("copy waivers");
    let r = capdo(
        Path::new("inventory"),
        &[
            "--as-of",
            "2026-11-22",
            "check",
            "--offline",
            "--waivers",
            waivers.to_str().expect("path"),
            "--evidence",
            d,
        ],
    );
    // The same verdict as without --evidence.
    assert_eq!(r.code, Some(1), "{}", r.stderr);
    assert_eq!(r.stderr, "");
    let manifest = verified_manifest(&dir);
    assert_eq!(manifest["mode"], "offline");
    assert_eq!(manifest["exit_code"], 1);
    // Every inventory file, byte for byte, at its path relative to the inventory folder.
    for e in std::fs::read_dir("inventory").expect("inventory") {
        let path = e.expect("entry").path();
        let name = path.file_name().expect("name").to_str().expect("utf-8");
        assert_eq!(
            std::fs::read(dir.join("inventory").join(name)).expect("copied"),
            std::fs::read(&path).expect("original"),
            "{name}"
        );
    }
    assert_eq!(
        std::fs::read(dir.join("inputs/exceptions.toml")).expect("copied waivers"),
        std::fs::read(&waivers).expect("original")
    );
    // The report is the check's JSON report; offline there is no scan to keep.
    let report: Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("report.json")).expect("report"))
            .expect("json");
    assert_eq!(report["schema"], "capdo.report/v1");
    assert_eq!(report["generated_at"], manifest["generated_at"]);
    assert!(!dir.join("facts.json").exists());
    assert!(!dir.join("hosts").exists());
    snapshot_settings(tmp.path()).bind(|| {
        insta::assert_snapshot!(
            "offline_manifest",
            std::fs::read_to_string(dir.join("manifest.json")).expect("manifest")
        )
    });
}

/// A saved scan of the `clean` fixture: app01 and bk01 answered with the real collector output
/// captured on Debian 12, app02 was unreachable.
fn facts_file(path: &Path) -> String {
    let raw = std::fs::read_to_string("tests/fixtures/collect/sections/collector-debian12.txt")
        .expect("captured collector output");
    let mut file = saved_scan(&raw);
    file["hosts"]["app02"] = json!({
        "status": "unreachable", "error": "TCP connect to 10.1.2.12:22: No route to host",
        "duration_ms": 3001, "facts": {}
    });
    std::fs::write(path, serde_json::to_string_pretty(&file).expect("json")).expect("write");
    raw
}

/// A `capdo.facts/v1` file in which app01 and bk01 of the `clean` fixture answered with `raw`.
fn saved_scan(raw: &str) -> Value {
    let scanned = json!({
        "status": "scanned", "error": null, "duration_ms": 412, "facts": {},
        "raw": {"nonce": "5e1f0c9a7b3d2e41", "output": raw, "exit": 0, "signal": null,
                "truncated": false}
    });
    json!({
        "schema": "capdo.facts/v1", "tool": "capdo test", "generated_at": "2026-11-22T08:00:00Z",
        "hosts": {"app01": scanned, "bk01": scanned}
    })
}

#[test]
fn a_saved_scan_bundles_each_hosts_raw_output_and_no_secret() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let facts = tmp.path().join("facts.json");
    let raw = facts_file(&facts);
    // A waiver in a policies folder of its own, and a key file that must never be copied.
    let policies = tmp.path().join("policies");
    std::fs::create_dir(&policies).expect("mkdir");
    std::fs::write(
        policies.join("waivers.toml"),
        "[[waiver]]\ncontrol = \"SSH-PASSWORD-AUTH\"\ntarget = \"server:app01\"\nreason = \"Key-only login after the vendor migration\"\napproved_by = \"Trưởng phòng\"\nexpires = 2027-01-31\n",
    )
    .expect("waivers");
    let key_marker = "KEY-MATERIAL-c0ffee-never-in-a-bundle";
    let key = tmp.path().join("audit_ed25519");
    std::fs::write(
        &key,
        format!(
            "-----BEGIN OPENSSH PRIVATE KEY-----\n{key_marker}\n-----END OPENSSH PRIVATE KEY-----\n"
        ),
    )
    .expect("key");
    let passphrase = "pass-phrase-7d1e9a-never-in-a-bundle";

    let dir = tmp.path().join("bundle");
    let r = capdo_env(
        Path::new("tests/fixtures/clean"),
        &[
            "--as-of",
            "2026-11-22",
            "-p",
            policies.to_str().expect("path"),
            "--identity",
            key.to_str().expect("path"),
            "check",
            "--facts",
            facts.to_str().expect("path"),
            "--evidence",
            dir.to_str().expect("path"),
        ],
        &[("CAPDO_SSH_PASSPHRASE", passphrase)],
    );
    assert!(
        matches!(r.code, Some(0..=3)) && r.code != Some(2),
        "{}",
        r.stderr
    );
    let manifest = verified_manifest(&dir);
    assert_eq!(manifest["mode"], "facts");
    assert_eq!(manifest["facts_input"], facts.to_str().expect("path"));
    assert_eq!(manifest["exit_code"], r.code.expect("code"));

    // Per scanned host, its collector output; the unreachable host has none.
    for host in ["app01", "bk01"] {
        let kept = std::fs::read_to_string(dir.join(format!("hosts/{host}/collector-output.txt")))
            .expect("raw output");
        assert_eq!(kept, raw, "{host}");
    }
    assert!(!dir.join("hosts/app02").exists());
    let scan: Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("facts.json")).expect("facts"))
            .expect("json");
    assert_eq!(scan["schema"], "capdo.facts/v1");
    assert_eq!(scan["hosts"]["app02"]["status"], "unreachable");
    assert_eq!(scan["hosts"]["app01"]["facts"]["os.id"], "debian");
    // The inputs: the inventory file and the waivers file of the policies folder.
    assert_eq!(
        std::fs::read(dir.join("inventory/inventory.toml")).expect("inventory"),
        std::fs::read("tests/fixtures/clean/inventory.toml").expect("original")
    );
    assert_eq!(
        std::fs::read(dir.join("policies/waivers.toml")).expect("waivers"),
        std::fs::read(policies.join("waivers.toml")).expect("original")
    );

    // No secret anywhere in the bundle: the identity's path may appear, its content never, and
    // never the passphrase from the environment.
    let mut key_path_seen = false;
    for rel in files_under(&dir) {
        let bytes = std::fs::read(dir.join(&rel)).expect("read");
        let text = String::from_utf8_lossy(&bytes);
        assert!(!text.contains(passphrase), "passphrase in {rel}");
        assert!(!text.contains(key_marker), "key material in {rel}");
        assert!(!text.contains("PRIVATE KEY"), "key material in {rel}");
        key_path_seen |= text.contains(key.to_str().expect("path"));
    }
    assert!(
        key_path_seen,
        "the command line (with --identity) is recorded"
    );

    // The bundle replays: its own inventory and facts give the same report.
    let replay = capdo(
        &dir.join("inventory"),
        &[
            "--as-of",
            "2026-11-22",
            "-p",
            dir.join("policies").to_str().expect("path"),
            "check",
            "--facts",
            dir.join("facts.json").to_str().expect("path"),
            "--format",
            "json",
        ],
    );
    let replayed: Value = serde_json::from_str(&replay.stdout).expect("json");
    let bundled: Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("report.json")).expect("report"))
            .expect("json");
    // The same verdicts (locations name the bundle's copies instead of the originals).
    let verdicts = |r: &Value| -> Vec<(Value, Value, Value, Value)> {
        r["findings"]
            .as_array()
            .expect("findings")
            .iter()
            .map(|f| {
                (
                    f["control"].clone(),
                    f["target"].clone(),
                    f["status"].clone(),
                    f["message"].clone(),
                )
            })
            .collect()
    };
    assert_eq!(verdicts(&replayed), verdicts(&bundled));
    assert!(
        bundled["findings"]
            .as_array()
            .expect("findings")
            .iter()
            .any(|f| f["status"] == "waived"),
        "the bundled waiver applied"
    );

    snapshot_settings(tmp.path()).bind(|| {
        insta::assert_snapshot!(
            "facts_manifest",
            std::fs::read_to_string(dir.join("manifest.json")).expect("manifest")
        )
    });
}

fn check_into(dir: &Path) -> common::Run {
    capdo(
        Path::new("tests/fixtures/clean"),
        &[
            "check",
            "--offline",
            "--evidence",
            dir.to_str().expect("path"),
        ],
    )
}

#[test]
fn a_folder_that_is_not_empty_and_not_a_bundle_is_refused_before_checking() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir: PathBuf = tmp.path().join("notes");
    std::fs::create_dir(&dir).expect("mkdir");
    std::fs::write(dir.join("todo.txt"), "mine").expect("write");
    let r = check_into(&dir);
    assert_eq!(r.code, Some(2));
    assert_eq!(r.stdout, "", "nothing was checked");
    assert_eq!(
        r.stderr,
        format!(
            "error: evidence folder `{}` is not empty and holds no manifest.json (not a previous evidence bundle, or a partial one); choose a new or empty folder\n",
            dir.display()
        )
    );
    assert_eq!(files_under(&dir), BTreeSet::from(["todo.txt".to_owned()]));

    let file = tmp.path().join("a-file");
    std::fs::write(&file, "").expect("write");
    let r = check_into(&file);
    assert_eq!(r.code, Some(2));
    assert!(
        r.stderr.contains("exists and is not a folder"),
        "{}",
        r.stderr
    );
}

#[test]
fn a_previous_bundle_is_replaced_but_not_files_it_does_not_list() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = tmp.path().join("bundle");
    // An empty folder is fine.
    std::fs::create_dir(&dir).expect("mkdir");
    assert_eq!(check_into(&dir).code, Some(0));
    let first = verified_manifest(&dir);
    // A previous bundle is replaced.
    assert_eq!(check_into(&dir).code, Some(0));
    let second = verified_manifest(&dir);
    assert_eq!(
        first["files"].as_array().map(Vec::len),
        second["files"].as_array().map(Vec::len)
    );
    // A file the manifest does not list: refused, and the bundle is left as it was.
    std::fs::write(dir.join("inventory/extra.toml"), "").expect("write");
    let r = check_into(&dir);
    assert_eq!(r.code, Some(2));
    assert!(
        r.stderr
            .contains("also `inventory/extra.toml`, which its manifest does not list"),
        "{}",
        r.stderr
    );
    assert!(dir.join("manifest.json").exists());
    assert!(dir.join("inventory/extra.toml").exists());
}

/// Evidence bundles hold raw host output: every folder is 0700 and every file 0600, whatever
/// the umask (issue 14, item 6).
#[test]
fn an_evidence_bundle_is_readable_by_its_owner_only() {
    use std::os::unix::fs::MetadataExt as _;
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = tmp.path().join("bundle");
    let r = capdo(
        Path::new("inventory"),
        &[
            "check",
            "--offline",
            "--evidence",
            dir.to_str().expect("path"),
        ],
    );
    assert_eq!(r.code, Some(1), "{}", r.stderr);
    let mut seen = 0;
    let mut stack = vec![dir.clone()];
    while let Some(d) = stack.pop() {
        assert_eq!(
            std::fs::metadata(&d).expect("meta").mode() & 0o777,
            0o700,
            "{d:?}"
        );
        for e in std::fs::read_dir(&d).expect("list") {
            let p = e.expect("entry").path();
            if p.is_dir() {
                stack.push(p);
            } else {
                seen += 1;
                assert_eq!(
                    std::fs::metadata(&p).expect("meta").mode() & 0o777,
                    0o600,
                    "{p:?}"
                );
            }
        }
    }
    assert!(seen > 3, "{seen} files");
}

/// Replay a host that sent a secret of every kind (`tests/fixtures/collect/secrets/`) through
/// `check --facts FILE --evidence DIR --format json`, and return every text capdo wrote: the
/// report on stdout, its stderr, and each file of the bundle (report, facts, raw output).
fn replay_hostile_host() -> Vec<(String, String)> {
    let tmp = tempfile::tempdir().expect("tempdir");
    let raw = std::fs::read_to_string("tests/fixtures/collect/secrets/collector-secrets.txt")
        .expect("fixture");
    let file = saved_scan(&raw);
    let facts = tmp.path().join("facts.json");
    std::fs::write(&facts, serde_json::to_string(&file).expect("json")).expect("write");
    let dir = tmp.path().join("bundle");
    let r = capdo(
        Path::new("tests/fixtures/clean"),
        &[
            "check",
            "--facts",
            facts.to_str().expect("path"),
            "--evidence",
            dir.to_str().expect("path"),
            "--format",
            "json",
        ],
    );
    assert!(matches!(r.code, Some(0 | 1 | 3)), "{}", r.stderr);
    let report: Value = serde_json::from_str(&r.stdout).expect("json report");
    // The host was judged from this output: its facts are there, secrets or not.
    assert!(
        report["facts"]["app01"]["backup.jobs"]
            .as_array()
            .is_some_and(|j| j.len() > 1),
        "{}",
        report["facts"]["app01"]["backup.jobs"]
    );
    let mut out = vec![
        ("stdout".to_owned(), r.stdout),
        ("stderr".to_owned(), r.stderr),
    ];
    for rel in files_under(&dir) {
        let bytes = std::fs::read(dir.join(&rel)).expect("read");
        out.push((rel, String::from_utf8_lossy(&bytes).into_owned()));
    }
    assert!(
        out.iter()
            .any(|(f, _)| f == "hosts/app01/collector-output.txt")
    );
    out
}

/// One test per redaction pattern (docs/collector.md "Secrets"): the secret of that kind is
/// in none of the report, the report's facts, the facts file or the evidence bundle.
macro_rules! secret_never_stored {
    ($($name:ident: $secret:literal,)*) => {$(
        #[test]
        fn $name() {
            for (file, text) in replay_hostile_host() {
                assert!(!text.contains($secret), "{} in {file}", $secret);
            }
        }
    )*};
}

secret_never_stored! {
    a_mysql_dash_p_password_in_cron_is_never_stored: "CRON-DASH-P-c0ffee1",
    a_password_option_is_never_stored: "PASSWORD-OPTION-c0ffee2",
    a_systemd_environment_value_is_never_stored: "ENVIRONMENT-c0ffee3",
    a_dash_p_password_in_a_units_execstart_is_never_stored: "EXEC-DASH-P-c0ffee4",
    an_rsyslog_pwd_is_never_stored: "RSYSLOG-PWD-c0ffee5",
    an_authorization_header_is_never_stored: "AUTHORIZATION-c0ffee6",
    url_credentials_are_never_stored: "URL-CREDENTIALS-c0ffee7",
    a_pem_private_key_is_never_stored: "PEM-BLOCK-c0ffee8",
}
