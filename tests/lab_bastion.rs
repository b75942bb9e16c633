//! Many hosts behind one jump host: 40 lab hosts all reached through `bench002`, scanned 64 at
//! a time. The jump host's sshd drops connections past its `MaxStartups` (10 unauthenticated),
//! so capdo must pace its connections to it. Needs root; CI runs it.

mod common;

use common::{Lab, capdo};
use serde_json::Value;

#[test]
fn forty_hosts_through_one_jump_host() {
    if !common::needs_root("the SSH lab") {
        return;
    }
    let lab = Lab::up_with(&["bench-up"], "40");
    let org = lab.inventory().join("organization.toml");
    let text = std::fs::read_to_string(&org).expect("organization.toml");
    assert!(text.contains("[defaults.ssh]\n"));
    std::fs::write(
        &org,
        text.replace("[defaults.ssh]\n", "[defaults.ssh]\njump = \"bench002\"\n"),
    )
    .expect("write");

    let facts = lab.dir.join("facts.json");
    let r = capdo(
        &lab.inventory(),
        &[
            "-j",
            "64",
            "scan",
            "--facts-out",
            facts.to_str().expect("path"),
        ],
    );
    assert_eq!(r.code, Some(0), "{}", r.stderr);
    let saved: Value =
        serde_json::from_str(&std::fs::read_to_string(&facts).expect("facts")).expect("json");
    let hosts = saved["hosts"].as_object().expect("hosts");
    assert_eq!(hosts.len(), 40);
    let bastion = "10.231.0.11";
    for (id, h) in hosts {
        assert_eq!(h["status"], "scanned", "{id}: {h}");
        let client = h["facts"]["collector.client"].as_str().expect("client");
        if id == "bench002" {
            assert_eq!(
                client, "10.231.0.1",
                "the jump host itself is reached directly"
            );
        } else {
            assert_eq!(client, bastion, "{id} is reached through bench002");
        }
    }
}
