//! The bad-input corpus: every folder under `tests/bad-inputs/` is an inventory with something
//! wrong (or odd but valid: the `-valid` cases), and its expected `capdo validate` output
//! (exit code, stdout, stderr) is the snapshot next to it, `<case>/expected.snap`.
//!
//! Generated cases (too big or too strange to commit: a 40 MiB file, 100,000-entry arrays,
//! deep nesting, hundreds of errors, a symlink loop, a dangling symlink) are built in temporary
//! folders by the tests below.

use std::path::Path;

mod common;

fn validate(dir: &Path) -> String {
    let out = common::Capdo::bare()
        .args(["--color", "never", "-i"])
        .arg(dir)
        .arg("validate")
        .timeout(std::time::Duration::from_secs(60))
        .run();
    let text = format!(
        "exit: {:?}\n--- stdout\n{}--- stderr\n{}",
        out.code, out.stdout, out.stderr
    );
    // Temporary folders differ from run to run.
    text.replace(&dir.display().to_string(), "[DIR]")
}

#[test]
fn corpus() {
    let root = Path::new("tests/bad-inputs");
    let mut cases: Vec<_> = std::fs::read_dir(root)
        .expect("corpus")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.is_dir())
        .collect();
    cases.sort();
    assert!(cases.len() >= 40, "the corpus keeps at least 40 cases");
    for case in cases {
        let name = case
            .file_name()
            .expect("name")
            .to_string_lossy()
            .into_owned();
        let output = validate(&case);
        // Nothing from an inventory may steer the operator's terminal: no control character
        // (ESC, C1 such as the CSI U+009B, BEL, NUL…) but tab and line ends, no bidirectional
        // override.
        assert!(
            !output
                .chars()
                .any(|c| (c.is_control() && !matches!(c, '\t' | '\n' | '\r'))
                    || matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')),
            "{name}: control characters reach the output"
        );
        if name.ends_with("-valid") {
            assert!(output.starts_with("exit: Some(0)"), "{name}:\n{output}");
        } else {
            assert!(output.starts_with("exit: Some(2)"), "{name}:\n{output}");
            assert!(!output.contains("panicked"), "{name}:\n{output}");
        }
        let mut settings = insta::Settings::clone_current();
        settings.set_snapshot_path(Path::new("bad-inputs").join(&name));
        settings.set_prepend_module_to_snapshot(false);
        settings.set_input_file(&case);
        settings.bind(|| insta::assert_snapshot!("expected", output));
    }
}

/// The clean fixture, to build generated cases from.
fn clean() -> String {
    std::fs::read_to_string("tests/fixtures/clean/inventory.toml").expect("clean fixture")
}

#[test]
fn a_file_over_the_size_limit_is_refused_and_the_rest_still_checked() {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(dir.path().join("inventory.toml"), clean()).expect("write");
    let huge = "# padding\n".repeat(4 << 20); // 40 MiB
    std::fs::write(dir.path().join("huge.toml"), huge).expect("write");
    insta::assert_snapshot!("huge_file", validate(dir.path()));
}

#[test]
fn arrays_of_100k_entries_are_read_in_bounded_time() {
    let dir = tempfile::tempdir().expect("tempdir");
    let agents: Vec<String> = (0..100_000).map(|i| format!("\"agent-{i}\"")).collect();
    let text = clean().replace(
        "roles = \"backup\"",
        &format!("roles = \"backup\"\nagents = [{}]", agents.join(", ")),
    );
    std::fs::write(dir.path().join("inventory.toml"), text).expect("write");
    let out = validate(dir.path());
    assert!(out.starts_with("exit: Some(0)"), "{out}");

    // 100,000 bad addresses: one diagnostic for the key, not 100,000.
    let bad: Vec<String> = (0..100_000).map(|i| format!("\"10.1.2.{i}\"")).collect();
    let text = clean().replace(
        "address = \"10.2.5.10\"",
        &format!("address = [{}]", bad.join(", ")),
    );
    std::fs::write(dir.path().join("inventory.toml"), text).expect("write");
    insta::assert_snapshot!("bad_address_array", validate(dir.path()));
}

#[test]
fn deep_nesting_is_an_error_not_a_crash() {
    let dir = tempfile::tempdir().expect("tempdir");
    let text = format!(
        "{}\n[externals.x]\nname = {}1{}\nkind = \"other\"\n",
        clean(),
        "[".repeat(50_000),
        "]".repeat(50_000)
    );
    std::fs::write(dir.path().join("inventory.toml"), text).expect("write");
    insta::assert_snapshot!("deep_nesting", validate(dir.path()));
}

#[test]
fn hundreds_of_problems_show_the_first_hundred_and_count_the_rest() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut text = clean();
    // 300 unknown keys, and 100 addresses used twice (200 distinct addresses for 300 servers).
    for i in 0..300 {
        text.push_str(&format!(
            "\n[servers.s{i}]\nnetwork = \"hq-srv\"\naddress = \"10.1.2.{}\"\nroel = \"app\"\n",
            20 + i % 200
        ));
    }
    std::fs::write(dir.path().join("inventory.toml"), text).expect("write");
    let out = validate(dir.path());
    assert!(
        out.contains("and 300 more problems not shown"),
        "{}",
        &out[out.len().saturating_sub(400)..]
    );
    assert!(
        out.ends_with("has 400 problems; nothing was checked\n"),
        "{}",
        &out[out.len().saturating_sub(400)..]
    );
    assert_eq!(out.matches("error[").count(), 100);
}

#[test]
fn a_symlink_loop_in_the_folder_is_followed_once() {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(dir.path().join("inventory.toml"), clean()).expect("write");
    std::os::unix::fs::symlink(".", dir.path().join("loop")).expect("symlink");
    std::os::unix::fs::symlink(dir.path(), dir.path().join("again")).expect("symlink");
    let out = validate(dir.path());
    assert!(out.starts_with("exit: Some(0)"), "{out}");
}

#[test]
fn a_dangling_symlink_is_reported_and_the_rest_still_checked() {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(
        dir.path().join("inventory.toml"),
        clean().replace("level = 2", "level = 9"),
    )
    .expect("write");
    std::os::unix::fs::symlink("nowhere.toml", dir.path().join("broken.toml")).expect("symlink");
    insta::assert_snapshot!("dangling_symlink", validate(dir.path()));
}

/// The inventory, waivers file, policy packs and template overrides are read only as regular
/// files inside their own folder (issue 14, item 2): a merge request that adds `x.toml ->
/// ~/.ssh/id_ed25519` must not print the key into the CI log, a FIFO must not hang validate,
/// and `/dev/zero` must not fill memory.
mod hostile_files {
    use super::*;

    const SECRET: &str = "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAA\n";

    /// A folder with the clean inventory and a secret file beside it (outside the inventory).
    fn setup() -> (tempfile::TempDir, std::path::PathBuf, std::path::PathBuf) {
        let tmp = tempfile::tempdir().expect("tempdir");
        let inv = tmp.path().join("inventory");
        std::fs::create_dir_all(&inv).expect("inventory");
        std::fs::write(inv.join("inventory.toml"), clean()).expect("write");
        let secret = tmp.path().join("id_ed25519");
        std::fs::write(&secret, SECRET).expect("secret");
        (tmp, inv, secret)
    }

    fn mkfifo(path: &Path) {
        let made = std::process::Command::new("mkfifo")
            .arg(path)
            .status()
            .expect("mkfifo");
        assert!(made.success());
    }

    #[test]
    fn an_inventory_file_linked_outside_the_folder_is_refused_unread() {
        let (_tmp, inv, secret) = setup();
        std::os::unix::fs::symlink(&secret, inv.join("x.toml")).expect("link");
        let out = validate(&inv);
        assert!(out.starts_with("exit: Some(2)"), "{out}");
        assert!(out.contains("[link-outside-inventory]"), "{out}");
        assert!(
            !out.contains("PRIVATE KEY") && !out.contains("b3BlbnNz"),
            "{out}"
        );
    }

    #[test]
    fn a_folder_linked_outside_the_inventory_is_refused_unread() {
        let (tmp, inv, _secret) = setup();
        let elsewhere = tmp.path().join("elsewhere");
        std::fs::create_dir_all(&elsewhere).expect("dir");
        std::fs::write(elsewhere.join("a.toml"), "[servers.x]\nnetwork = 1\n").expect("write");
        std::os::unix::fs::symlink(&elsewhere, inv.join("more")).expect("link");
        let out = validate(&inv);
        assert!(out.contains("[link-outside-inventory]"), "{out}");
        assert!(!out.contains("a.toml"), "{out}");
    }

    #[test]
    fn a_fifo_in_the_inventory_is_refused_without_waiting() {
        let (_tmp, inv, _secret) = setup();
        mkfifo(&inv.join("pipe.toml"));
        let out = validate(&inv);
        assert!(out.starts_with("exit: Some(2)"), "{out}");
        assert!(
            out.contains("[not-a-file]") && out.contains("a FIFO"),
            "{out}"
        );
    }

    #[test]
    fn a_waivers_file_linked_to_dev_zero_or_a_key_or_a_fifo_is_refused() {
        for target in ["zero", "key", "fifo"] {
            let (tmp, inv, secret) = setup();
            let policies = tmp.path().join("policies");
            std::fs::create_dir_all(&policies).expect("dir");
            let waivers = policies.join("waivers.toml");
            match target {
                "zero" => std::os::unix::fs::symlink("/dev/zero", &waivers).expect("link"),
                "key" => std::os::unix::fs::symlink(&secret, &waivers).expect("link"),
                _ => mkfifo(&waivers),
            }
            let out = common::Capdo::bare()
                .args(["--color", "never", "-p"])
                .arg(&policies)
                .arg("-i")
                .arg(&inv)
                .arg("validate")
                .timeout(std::time::Duration::from_secs(60))
                .run();
            assert_eq!(out.code, Some(2), "{target}: {}", out.stderr);
            assert!(
                out.stderr.contains("cannot read waivers file"),
                "{target}: {}",
                out.stderr
            );
            assert!(!out.stderr.contains("PRIVATE KEY"), "{}", out.stderr);
        }
    }

    #[test]
    fn a_policy_file_linked_outside_the_policies_folder_is_refused() {
        let (tmp, inv, secret) = setup();
        let pack = tmp.path().join("policies/nd85-tt12-tcvn11930");
        std::fs::create_dir_all(&pack).expect("dir");
        std::os::unix::fs::symlink(&secret, pack.join("design.toml")).expect("link");
        let out = common::Capdo::bare()
            .args(["--color", "never", "-p"])
            .arg(tmp.path().join("policies"))
            .arg("-i")
            .arg(&inv)
            .arg("validate")
            .run();
        assert_eq!(out.code, Some(2), "{}", out.stderr);
        assert!(
            out.stderr.contains("cannot read policy file"),
            "{}",
            out.stderr
        );
        assert!(!out.stderr.contains("PRIVATE KEY"), "{}", out.stderr);
    }

    #[test]
    fn a_template_linked_outside_its_folder_is_refused_and_nothing_is_rendered() {
        let (tmp, _inv, secret) = setup();
        let templates = tmp.path().join("templates/config");
        std::fs::create_dir_all(&templates).expect("dir");
        std::os::unix::fs::symlink(&secret, templates.join("sshd.hbs")).expect("link");
        let out_dir = tmp.path().join("out");
        let out = common::Capdo::bare()
            .args(["--color", "never", "--templates"])
            .arg(tmp.path().join("templates"))
            .args(["render", "--out"])
            .arg(&out_dir)
            .run();
        assert_eq!(out.code, Some(2), "{}", out.stderr);
        assert!(
            out.stderr.contains("cannot read template"),
            "{}",
            out.stderr
        );
        assert!(!out.stderr.contains("PRIVATE KEY"), "{}", out.stderr);
        assert!(!out_dir.exists());
    }
}

/// Issue 14, item 4: thousands of unknown flow endpoints among thousands of ids each get their
/// did-you-mean (from the index, not a scan of every id per reference) and the run stays
/// well inside the 60 s limit of this harness (bench/validate.sh measures it).
#[test]
fn thousands_of_bad_references_each_get_a_suggestion() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut text = clean();
    text.push_str(
        "\n[networks.big]\ndatacenter = \"hq\"\nzone = \"server\"\ncidr = \"10.50.0.0/16\"\n",
    );
    for i in 0..3000 {
        text.push_str(&format!(
            "\n[servers.node-{i:04}]\nnetwork = \"big\"\naddress = \"10.50.{}.{}\"\n",
            i / 250,
            1 + i % 250
        ));
    }
    for i in 0..2000 {
        // Each endpoint is a typo of a real id: a letter dropped, a digit added.
        text.push_str(&format!(
            "\n[[flows]]\nfrom = \"nde-{i:04}\"\nto = \"node-{i:04}9\"\nservices = \"tcp/443\"\n"
        ));
    }
    std::fs::write(dir.path().join("inventory.toml"), text).expect("write");
    let out = validate(dir.path());
    assert!(
        out.contains("has 4000 problems"),
        "{}",
        &out[out.len().saturating_sub(300)..]
    );
    assert!(
        out.contains("did you mean `node-0000`?"),
        "{}",
        &out[..2000.min(out.len())]
    );
}

/// A file over 1 MiB is parsed piece by piece (inventory::chunk): it still validates, and an
/// id defined twice, far apart in the file, is still reported with both places.
#[test]
fn a_large_single_file_is_read_in_pieces_and_keeps_its_errors() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut text = clean();
    text.push_str(
        "\n[networks.big]\ndatacenter = \"hq\"\nzone = \"server\"\ncidr = \"10.50.0.0/16\"\n",
    );
    for i in 0..15_000 {
        text.push_str(&format!(
            "\n[servers.node-{i:05}]\nnetwork = \"big\"\naddress = \"10.50.{}.{}\"\nroles = [\"app\"]\n\n[servers.node-{i:05}.ssh]\nport = 22\n",
            i / 250,
            1 + i % 250
        ));
    }
    assert!(text.len() > 3 << 19, "{}", text.len());
    std::fs::write(dir.path().join("inventory.toml"), &text).expect("write");
    let out = validate(dir.path());
    assert!(
        out.starts_with("exit: Some(0)"),
        "{}",
        &out[..out.len().min(3000)]
    );
    text.push_str("\n[servers.node-00001]\nnetwork = \"big\"\naddress = \"10.50.200.1\"\n");
    std::fs::write(dir.path().join("inventory.toml"), &text).expect("write");
    let out = validate(dir.path());
    assert!(
        out.starts_with("exit: Some(2)"),
        "{}",
        &out[..out.len().min(3000)]
    );
    assert!(
        out.contains("node-00001"),
        "{}",
        &out[..out.len().min(3000)]
    );
}
