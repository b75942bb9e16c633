//! The streaming report writers (`Renderer::write`, what `capdo check` uses) write byte for
//! byte what the writers that build the whole text in memory (`Renderer::render`, the code of
//! release 592b406 kept as the reference) write: every format, on the shipped sample (both
//! languages, one regime and both), on a generated inventory of 10,000 servers, and through
//! overriding templates that use every form of `each` the streaming engine takes over.

use std::path::Path;

use capdo::check::{CheckPlan, Hosts, Regimes};
use capdo::diag::Sources;
use capdo::inventory::Regime;
use capdo::policy::catalog::Catalog;
use capdo::policy::{Lang, Severity};
use capdo::report::{Format, Renderer};

#[allow(dead_code)]
#[path = "../examples/gen_inventory.rs"]
mod gen_inventory;

const FORMATS: [Format; 6] = [
    Format::Text,
    Format::Json,
    Format::Sarif,
    Format::Junit,
    Format::Html,
    Format::Md,
];

/// Check `dir` offline and compare both writers on every format; returns the number of
/// findings compared.
fn same_bytes(dir: &Path, regimes: Regimes, lang: Lang, templates: Option<&Path>) -> usize {
    let mut sources = Sources::new();
    let inv = capdo::inventory::load(dir, &mut sources)
        .unwrap_or_else(|_| panic!("{} is a valid inventory", dir.display()));
    let plan = CheckPlan {
        regimes,
        servers: (0..inv.servers.len()).collect(),
        partial: false,
        hosts: Hosts::Offline,
        today: jiff::civil::date(2026, 11, 22),
        generated_at: "2026-11-22T08:00:00Z".into(),
        fail_on: Severity::High,
        lang,
    };
    let out = capdo::check::run(&Catalog::embedded(), &inv, &sources, &[], plan);
    let r = Renderer {
        report: &out.report,
        inventory: &inv,
        graph: &out.graph,
        lang,
        templates,
        style: capdo::report::text::Style { verbose: true },
    };
    for format in FORMATS {
        let whole = r.render(format).expect("the in-memory writer renders");
        let mut streamed = Vec::new();
        r.write(format, &mut streamed)
            .expect("the streaming writer renders");
        assert!(
            !whole.is_empty(),
            "{format:?} of {} is empty",
            dir.display()
        );
        if whole.as_bytes() != streamed.as_slice() {
            let streamed = String::from_utf8_lossy(&streamed);
            let at = whole
                .bytes()
                .zip(streamed.bytes())
                .position(|(a, b)| a != b)
                .unwrap_or(whole.len().min(streamed.len()));
            let from = at.saturating_sub(200);
            panic!(
                "{format:?} of {} differs at byte {at} (lengths {} and {}):\nin memory: {}\nstreamed:  {}",
                dir.display(),
                whole.len(),
                streamed.len(),
                whole.get(from..(at + 200).min(whole.len())).unwrap_or("?"),
                streamed
                    .get(from..(at + 200).min(streamed.len()))
                    .unwrap_or("?"),
            );
        }
    }
    out.report.findings.len()
}

#[test]
fn the_sample_streams_to_the_same_bytes() {
    let sample = Path::new("inventory");
    assert!(same_bytes(sample, Regimes::One(Regime::Nd85), Lang::Vi, None) > 100);
    same_bytes(
        sample,
        Regimes::Both {
            main: Regime::Nd331,
        },
        Lang::En,
        None,
    );
}

/// Names that close a script and open one, in the page's header and in its finding rows; also
/// through the repository's copies of the shipped templates (an override holding the shipped
/// text counts as the shipped page: its rows are written by the row writers).
#[test]
fn script_tags_in_names_stream_to_the_same_bytes() {
    let dir = tempfile::tempdir().expect("tempdir");
    let text = std::fs::read_to_string("tests/fixtures/minimal/inventory.toml").expect("fixture");
    let hostile = text
        .replace(
            "name = \"Bộ Nội vụ\"",
            "name = \"</script><script>alert(1)</script>\"",
        )
        .replace(
            "name = \"Cổng thông tin điện tử\"",
            "name = \"<script src=x>\\n</script \"",
        );
    assert_ne!(hostile, text);
    std::fs::write(dir.path().join("inventory.toml"), hostile).expect("write");
    for templates in [None, Some(Path::new("templates"))] {
        assert!(same_bytes(dir.path(), Regimes::One(Regime::Nd85), Lang::En, templates) > 10);
    }
    same_bytes(
        Path::new("inventory"),
        Regimes::One(Regime::Nd85),
        Lang::Vi,
        Some(Path::new("templates")),
    );
}

#[test]
fn a_generated_10k_inventory_streams_to_the_same_bytes() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (servers, _, _) = gen_inventory::generate(10_000, 1, dir.path());
    assert!(servers >= 10_000);
    let findings = same_bytes(dir.path(), Regimes::One(Regime::Nd85), Lang::Vi, None);
    assert!(findings > 70_000, "{findings} findings");
}

#[test]
fn overriding_templates_stream_to_the_same_bytes() {
    let dir = tempfile::tempdir().expect("tempdir");
    let report = dir.path().join("report");
    std::fs::create_dir_all(&report).expect("mkdir");
    // Every form of `each` over the page's lists: plain, with block parameters, with `else`,
    // inside `if`, nested (`../`, `@root`), and a list of another context that is not streamed.
    let body = "{{#each findings}}{{@index}}{{#if @first}}F{{/if}}{{#if @last}}L{{/if}} {{control}} {{../organization}} {{@root.t.fail}}\n{{/each}}\
        {{#each attention as |f i|}}[{{i}} {{f.target}} {{f.status_label}}]{{else}}nothing{{/each}}\n\
        {{#if attention}}{{#each attention}}<{{message}}>{{/each}}{{/if}}\
        {{#unless findings}}none{{else}}some{{/unless}}\n\
        {{#each systems}}{{id}}{{#each ../levels}}:{{label}}{{/each}}\n{{/each}}\
        <script>{{organization}}</script>\n";
    std::fs::write(report.join("report.md.hbs"), body).expect("md");
    std::fs::write(
        report.join("report.html.hbs"),
        format!("<meta content=\"script-src 'capdo-script-hashes'\">{body}"),
    )
    .expect("html");
    same_bytes(
        Path::new("inventory"),
        Regimes::One(Regime::Nd85),
        Lang::En,
        Some(dir.path()),
    );
    // With no finding in a list: `else` and the empty loop, as handlebars' own `each`.
    same_bytes(
        Path::new("tests/fixtures/minimal"),
        Regimes::One(Regime::Nd85),
        Lang::En,
        Some(dir.path()),
    );
}
