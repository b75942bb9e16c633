//! One list of what the build, the tests and the lab need (`tests/lab/packages.tsv`): the
//! README shows it as generated, `.ci/run` installs from it, and `lab.sh doctor` names every
//! package of it. Needs no root and no lab.

use std::process::Command;

fn lab_sh(args: &[&str]) -> std::process::Output {
    Command::new("tests/lab/lab.sh")
        .args(args)
        .output()
        .expect("run tests/lab/lab.sh")
}

fn packages() -> Vec<String> {
    let out = lab_sh(&["packages"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout)
        .expect("utf-8")
        .lines()
        .map(str::to_owned)
        .collect()
}

#[test]
fn lab_readme_lists_the_packages_of_packages_tsv() {
    let out = lab_sh(&["packages", "--markdown"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let generated = String::from_utf8(out.stdout).expect("utf-8");
    let readme = std::fs::read_to_string("tests/lab/README.md").expect("tests/lab/README.md");
    let first = generated.lines().next().expect("a first line");
    let last = generated.lines().last().expect("a last line");
    let start = readme
        .find(first)
        .expect("tests/lab/README.md holds the generated package list");
    let end = readme[start..].find(last).expect("the list's end marker") + start + last.len() + 1;
    assert!(
        readme[start..end] == generated,
        "tests/lab/README.md's package list differs from packages.tsv: replace it with the \
         output of `tests/lab/lab.sh packages --markdown`"
    );
    // The install line in the README names exactly those packages, in order.
    let install = format!("apt-get install -y {}\n", packages().join(" "));
    assert!(generated.contains(&install), "{generated}");
}

#[test]
fn ci_installs_every_package_of_packages_tsv_then_runs_the_doctor() {
    let ci = std::fs::read_to_string(".ci/run").expect(".ci/run");
    let install = ci
        .find("mapfile -t packages < <(tests/lab/lab.sh packages)")
        .expect(".ci/run reads the packages from tests/lab/lab.sh packages");
    let apt = ci
        .find(r#"apt-get install -y -qq "${missing[@]}""#)
        .expect(".ci/run installs the missing ones");
    assert!(
        ci.contains("mapfile -t missing < <(tests/lab/lab.sh packages --missing)"),
        ".ci/run installs what `lab.sh packages --missing` names"
    );
    let doctor = ci
        .find("\ntests/lab/lab.sh doctor\n")
        .expect(".ci/run runs the doctor");
    let test = ci.find("\ncargo test").expect(".ci/run runs cargo test");
    assert!(install < apt && apt < doctor && doctor < test);
    let all = packages();
    for needed in ["cron", "openssh-server", "sudo", "chromium", "libssl-dev"] {
        assert!(all.iter().any(|p| p == needed), "{needed} in {all:?}");
    }
    // `--missing` names only packages of the list, and none whose rows this machine meets:
    // after the doctor passes, nothing is missing.
    let missing = lab_sh(&["packages", "--missing"]);
    let missing = String::from_utf8_lossy(&missing.stdout);
    for p in missing.lines() {
        assert!(all.iter().any(|a| a == p), "{p} is not in packages.tsv");
    }
    let doctor = lab_sh(&["doctor"]);
    if doctor.status.success() {
        assert!(
            missing.trim().is_empty(),
            "the doctor passes, yet missing: {missing}"
        );
    }
}

#[test]
fn doctor_prints_every_package_in_one_table_and_names_the_missing_ones() {
    let out = lab_sh(&["doctor"]);
    let table = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    let header = table.lines().next().unwrap_or_default();
    assert!(
        header.starts_with("what") && header.contains("package"),
        "{table}"
    );
    for p in packages() {
        assert!(
            table
                .lines()
                .any(|l| l.split_whitespace().nth(1) == Some(p.as_str())),
            "the doctor's table names {p}:\n{table}"
        );
    }
    let missing: Vec<&str> = table
        .lines()
        .filter(|l| l.ends_with(" MISSING"))
        .filter_map(|l| l.split_whitespace().nth(1))
        .collect();
    if missing.is_empty() {
        assert_eq!(out.status.code(), Some(0), "{stderr}");
    } else {
        assert_eq!(out.status.code(), Some(1), "{table}{stderr}");
        for p in missing {
            assert!(
                stderr.contains("apt-get install -y") && stderr.contains(p),
                "{stderr}"
            );
        }
    }
}
