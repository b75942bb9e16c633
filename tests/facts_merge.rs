//! Sharding by datacenter (docs/performance.md): one runner per site writes `scan --facts-out`,
//! and one `check --facts A --facts B` judges them together, exactly as one scan of every host
//! would be judged. A host in two files is refused. The HTML report of such a check shows each
//! scanned server's exposure matrix, cell for cell what `exposure.listeners` says.

mod common;

use std::path::Path;

use common::capdo;
use serde_json::{Value, json};

/// The captured Debian 12 collector output as a saved scan of `hosts`.
fn facts(hosts: &[&str]) -> Value {
    let raw =
        std::fs::read_to_string("tests/fixtures/collect/sections/collector-debian12-full.txt")
            .expect("fixture");
    let host = json!({
        "status": "scanned", "error": null, "duration_ms": 1, "facts": {},
        "raw": {"nonce": "5e1f0c9a7b3d2e41", "output": raw, "exit": 0, "signal": null, "truncated": false}
    });
    let hosts: serde_json::Map<String, Value> = hosts
        .iter()
        .map(|h| (h.to_string(), host.clone()))
        .collect();
    json!({"schema": "capdo.facts/v1", "tool": "capdo test",
           "generated_at": "2026-11-22T08:00:00Z", "hosts": hosts})
}

fn write(dir: &Path, name: &str, v: &Value) -> String {
    let p = dir.join(name);
    std::fs::write(&p, v.to_string()).expect("write");
    p.to_str().expect("utf-8").to_owned()
}

fn report(r: &common::Run) -> Value {
    let mut v: Value =
        serde_json::from_str(&r.stdout).unwrap_or_else(|e| panic!("{e}: {}", r.stderr));
    v["generated_at"] = Value::Null;
    v
}

#[test]
fn two_fact_files_are_judged_as_one_scan() {
    let dir = tempfile::tempdir().expect("tempdir");
    let inv = Path::new("tests/fixtures/clean");
    let both = write(dir.path(), "both.json", &facts(&["app01", "bk01"]));
    let site_a = write(dir.path(), "a.json", &facts(&["app01"]));
    let site_b = write(dir.path(), "b.json", &facts(&["bk01"]));
    let one = capdo(inv, &["check", "--facts", &both, "--format", "json"]);
    let merged = capdo(
        inv,
        &[
            "check", "--facts", &site_a, "--facts", &site_b, "--format", "json",
        ],
    );
    assert_eq!(merged.code, one.code, "{}", merged.stderr);
    let (one, merged) = (report(&one), report(&merged));
    assert_eq!(merged, one);
    // Both hosts were judged from the files, none left unscanned.
    let scanned = merged["targets"]
        .as_array()
        .expect("targets")
        .iter()
        .filter(|t| t["status"] == "scanned")
        .count();
    assert_eq!(scanned, 2, "{:#}", merged["targets"]);

    // Only one site's file: the other site's host is an error, never a pass.
    let half = report(&capdo(
        inv,
        &["check", "--facts", &site_a, "--format", "json"],
    ));
    let bk01 = half["targets"]
        .as_array()
        .expect("targets")
        .iter()
        .find(|t| t["id"] == "server:bk01")
        .expect("bk01")
        .clone();
    assert_ne!(bk01["status"], "scanned", "{bk01:#}");
    assert!(
        bk01["error"]
            .as_str()
            .is_some_and(|e| e.contains("not in the facts file")),
        "{bk01:#}"
    );
}

#[test]
fn a_host_in_two_fact_files_is_refused() {
    let dir = tempfile::tempdir().expect("tempdir");
    let a = write(dir.path(), "a.json", &facts(&["app01", "bk01"]));
    let b = write(dir.path(), "b.json", &facts(&["bk01"]));
    let r = capdo(
        Path::new("tests/fixtures/clean"),
        &["check", "--facts", &a, "--facts", &b, "--format", "json"],
    );
    assert_eq!(r.code, Some(2), "{}", r.stdout);
    assert!(
        r.stderr.contains("bk01 is recorded in both") && r.stderr.contains("b.json"),
        "{}",
        r.stderr
    );
}

#[test]
fn the_html_report_shows_each_servers_exposure_as_the_facts_say() {
    let dir = tempfile::tempdir().expect("tempdir");
    let f = write(dir.path(), "facts.json", &facts(&["app01", "bk01"]));
    let html = dir.path().join("r.html");
    let json = dir.path().join("r.json");
    let r = capdo(
        Path::new("tests/fixtures/clean"),
        &[
            "--lang",
            "en",
            "check",
            "--facts",
            &f,
            "--out-html",
            html.to_str().expect("utf-8"),
            "--out-json",
            json.to_str().expect("utf-8"),
        ],
    );
    assert!(matches!(r.code, Some(0..=3)), "{}", r.stderr);
    let report: Value =
        serde_json::from_str(&std::fs::read_to_string(&json).expect("json")).expect("json");
    let page = std::fs::read_to_string(&html).expect("html");
    let doc = roxmltree_free_tables(&page);
    for host in ["app01", "bk01"] {
        let listeners = report["facts"][host]["exposure.listeners"]
            .as_array()
            .unwrap_or_else(|| panic!("{host}: {:#}", report["facts"][host]));
        assert!(!listeners.is_empty());
        let table = doc
            .iter()
            .find(|t| t.server == format!("server:{host}"))
            .unwrap_or_else(|| panic!("no exposure table for {host}"));
        assert_eq!(table.rows.len(), listeners.len(), "{host}");
        let anywhere = table
            .columns
            .iter()
            .position(|c| c == "anywhere else")
            .expect("an `anywhere else` column");
        for (row, l) in table.rows.iter().zip(listeners) {
            // The last column, sources outside every declared network: open exactly when the
            // facts say every source is accepted, closed when none is.
            let sources: Vec<&str> = l["sources"]
                .as_array()
                .map(|a| a.iter().filter_map(Value::as_str).collect())
                .unwrap_or_default();
            let state = row.states[anywhere].as_str();
            match sources.as_slice() {
                ["any"] => assert_eq!(state, "open", "{host} {l}"),
                [] if l.get("error").is_none() => assert_eq!(state, "closed", "{host} {l}"),
                _ => assert!(
                    ["open", "partly", "closed", "unknown"].contains(&state),
                    "{host} {l}: {state}"
                ),
            }
            assert!(row.rules[anywhere].len() > 3, "{host}: no deciding rule");
        }
    }
}

/// One exposure table of the page: its server, column labels, and per row each cell's state
/// and hover text.
struct Table {
    server: String,
    columns: Vec<String>,
    rows: Vec<Row>,
}

struct Row {
    states: Vec<String>,
    rules: Vec<String>,
}

/// The exposure tables of a page, read with a small scanner (the page is HTML, not XML).
fn roxmltree_free_tables(page: &str) -> Vec<Table> {
    let attr = |tag: &str, name: &str| -> String {
        let key = format!("{name}=\"");
        tag.find(&key)
            .map(|i| {
                let rest = &tag[i + key.len()..];
                rest[..rest.find('"').unwrap_or(0)].to_owned()
            })
            .unwrap_or_default()
    };
    let mut out = Vec::new();
    for part in page.split("<table class=\"exposure\"").skip(1) {
        let body = &part[..part.find("</table>").expect("table end")];
        let server = attr(body, "data-server");
        let head = &body[..body.find("</thead>").expect("thead")];
        let columns = head
            .split("<th title=")
            .skip(1)
            .map(|c| {
                let t = &c[c.find('>').expect(">") + 1..];
                t[..t.find("</th>").expect("</th>")].to_owned()
            })
            .collect();
        let rows = body[body.find("<tbody>").expect("tbody")..]
            .split("<tr><th>")
            .skip(1)
            .map(|r| {
                let cells: Vec<&str> = r.split("<td ").skip(1).collect();
                Row {
                    states: cells.iter().map(|c| attr(c, "data-state")).collect(),
                    rules: cells.iter().map(|c| attr(c, "title")).collect(),
                }
            })
            .collect();
        out.push(Table {
            server,
            columns,
            rows,
        });
    }
    out
}
