//! Graph unit tests on hand-written inventories, and property tests on generated ones.

use std::collections::{BTreeSet, VecDeque};
use std::path::{Path, PathBuf};

use proptest::prelude::*;

use super::*;
use crate::diag::Sources;
use crate::inventory::{self, Inventory, NodeRef, Regime};

fn load(text: &str) -> Inventory {
    let mut sources = Sources::new();
    let files = vec![(PathBuf::from("test.toml"), text.as_bytes().to_vec())];
    match inventory::load_files(Path::new("test"), files, &mut sources) {
        Ok(inv) => inv,
        Err(d) => panic!("{}\n{text}", crate::diag::render_plain(&sources, &d)),
    }
}

const HEAD: &str = r#"
[organization]
name = "Test"
regime = "nd85"

[datacenters.hq]
name = "HQ"

[networks.lan]
datacenter = "hq"
zone = "server"
cidr = "10.0.0.0/16"
"#;

fn server(id: &str, n: u8, extra: &str) -> String {
    format!("[servers.{id}]\nnetwork = \"lan\"\naddress = \"10.0.0.{n}\"\n{extra}\n")
}

fn system(id: &str, level: u8, servers: &[&str], deps: &[&str]) -> String {
    format!(
        "[systems.{id}]\nname = \"{id}\"\nkind = \"internal\"\nlevel = {level}\nservers = {servers:?}\ndepends_on = {deps:?}\n"
    )
}

fn server_ix(inv: &Inventory, id: &str) -> usize {
    match inv.lookup(id) {
        Some(NodeRef::Server(i)) => i,
        other => panic!("{id}: {other:?}"),
    }
}

fn system_ix(inv: &Inventory, id: &str) -> usize {
    match inv.lookup(id) {
        Some(NodeRef::System(i)) => i,
        other => panic!("{id}: {other:?}"),
    }
}

#[test]
fn mermaid_labels_never_carry_markup_but_keep_line_breaks_and_arrows() {
    let text = format!(
        "{HEAD}{}{}",
        server("db01", 2, ""),
        "[systems.x]\nname = \"<script>x</script> a```\\nb \\\"q\\\"\"\nkind = \"internal\"\nlevel = 2\nservers = [\"db01\"]\n"
    );
    let inv = load(&text);
    let g = Graph::build(&inv, Regime::Nd85);
    let out = export::mermaid(&inv, &g, None);
    assert!(
        out.contains(
            "system:x<br/>#60;script#62;x#60;/script#62; a#96;#96;#96; b #quot;q#quot;<br/>cấp độ 2"
        ),
        "{out}"
    );
    assert!(
        !out.contains('<') || out.matches('<').count() == out.matches("<br/>").count(),
        "{out}"
    );
    assert!(out.contains("-->|\"runs-on\"|"), "{out}");
}

#[test]
fn a_server_takes_the_highest_level_of_the_systems_it_serves_and_says_why() {
    let text = [
        HEAD.to_owned(),
        server(
            "db01",
            1,
            "backup = { to = \"bk01\", schedule = \"daily\" }",
        ),
        server("bk01", 2, ""),
        system("portal", 3, &["db01"], &[]),
        system("intranet", 2, &["db01"], &[]),
    ]
    .concat();
    let inv = load(&text);
    let g = Graph::build(&inv, Regime::Nd85);
    let db = server_ix(&inv, "db01");
    let bk = server_ix(&inv, "bk01");
    assert_eq!(g.server_levels[db].as_ref().map(|s| s.level.get()), Some(3));
    assert_eq!(
        g.explain_server_level(&inv, db),
        "db01 is level 3 because it serves portal (level 3)"
    );
    assert_eq!(
        g.explain_server_level(&inv, bk),
        "bk01 is level 3 because it stores backups of db01, which serves portal (level 3)"
    );
    assert_eq!(
        g.explain_network_level(&inv, 0),
        "lan is level 3 because it holds db01, which is level 3 because it serves portal (level 3)"
    );
}

#[test]
fn cycles_are_reported_with_their_full_path() {
    let text = [
        HEAD.to_owned(),
        system("a", 3, &[], &["b"]),
        system("b", 3, &[], &["c"]),
        system("c", 3, &[], &["a"]),
        system("d", 3, &[], &["a"]),
    ]
    .concat();
    let inv = load(&text);
    let g = Graph::build(&inv, Regime::Nd85);
    let named: Vec<Vec<&str>> = g
        .dependency_cycles(&inv)
        .iter()
        .map(|c| c.iter().map(|&i| inv.systems[i].id.as_str()).collect())
        .collect();
    assert_eq!(
        named,
        vec![
            vec!["a", "b", "c", "a"],
            vec!["b", "c", "a", "b"],
            vec!["c", "a", "b", "c"]
        ]
    );
}

#[test]
fn a_system_stops_only_when_a_role_loses_its_last_server() {
    let text = [
        HEAD.to_owned(),
        server("web01", 1, "roles = \"web\""),
        server("web02", 2, "roles = \"web\""),
        server("db01", 3, "roles = \"database\""),
        system("portal", 3, &["web01", "web02", "db01"], &[]),
        system("app", 3, &[], &["portal"]),
    ]
    .concat();
    let inv = load(&text);
    let g = Graph::build(&inv, Regime::Nd85);
    let web = g.impact(&inv, Node::Item(NodeRef::Server(server_ix(&inv, "web01"))));
    assert!(web.stopped.is_empty());
    assert_eq!(
        web.degraded,
        vec![NodeRef::System(system_ix(&inv, "portal"))]
    );
    let db = g.impact(&inv, Node::Item(NodeRef::Server(server_ix(&inv, "db01"))));
    let stopped: Vec<&str> = db.stopped.iter().map(|s| inv.node_id(s.node)).collect();
    assert_eq!(stopped, vec!["portal", "app"]);
}

#[test]
fn the_required_level_names_its_clause() {
    let text = format!(
        "{HEAD}[systems.dvc]\nname = \"DVC\"\nkind = \"citizen-service\"\ninformation = [\"personal\"]\nusers = 25000\nlevel = 2\n\n[systems.hub]\nname = \"Hub\"\nkind = \"infrastructure\"\nscope = \"nationwide\"\nalways_on = true\nlevel = 4\n"
    );
    let inv = load(&text);
    let g = Graph::build(&inv, Regime::Nd85);
    let dvc = &g.required[system_ix(&inv, "dvc")];
    assert_eq!(
        (dvc.level.get(), dvc.deciding().basis.as_str()),
        (3, "NĐ 85/2016 Đ9.2.c")
    );
    let hub = &g.required[system_ix(&inv, "hub")];
    assert_eq!(
        (hub.level.get(), hub.deciding().basis.as_str()),
        (4, "NĐ 85/2016 Đ10.3")
    );
    // Under NĐ 331 a citizen service counts data subjects: 25,000 users without counts is level
    // 2 decided, and level 3 if 10,000 of them have sensitive data: the system is held to 3.
    let g = Graph::build(&inv, Regime::Nd331);
    let dvc = &g.required[system_ix(&inv, "dvc")];
    assert_eq!(
        (dvc.level.get(), dvc.deciding().basis.as_str()),
        (2, "NĐ 331/2026 Đ12.2.a")
    );
    let missing: Vec<&str> = dvc.missing.iter().map(|m| m.key).collect();
    assert_eq!(
        (dvc.held().get(), missing),
        (3, vec!["administrative_procedures", "personal_data"])
    );
    let hub = &g.required[system_ix(&inv, "hub")];
    assert_eq!(
        (hub.level.get(), hub.deciding().basis.as_str()),
        (4, "NĐ 331/2026 Đ14.2")
    );
}

/// A generated inventory: servers with roles and backups, systems with levels, servers and
/// dependencies (cycles allowed).
#[derive(Debug, Clone)]
struct Spec {
    /// Per server: network index, roles bitmask, backup target.
    servers: Vec<(usize, u8, Option<usize>)>,
    /// Per system: level, server indexes, system dependencies.
    systems: Vec<(u8, Vec<usize>, Vec<usize>)>,
    networks: usize,
}

fn spec() -> impl Strategy<Value = Spec> {
    (1usize..4, 1usize..14, 1usize..9).prop_flat_map(|(networks, n_srv, n_sys)| {
        let servers =
            proptest::collection::vec((0..networks, 0u8..8, proptest::option::of(0..n_srv)), n_srv);
        let systems = proptest::collection::vec(
            (
                1u8..=5,
                proptest::collection::vec(0..n_srv, 0..4),
                proptest::collection::vec(0..n_sys, 0..3),
            ),
            n_sys,
        );
        (servers, systems).prop_map(move |(servers, systems)| Spec {
            servers,
            systems,
            networks,
        })
    })
}

fn render(spec: &Spec) -> String {
    let mut t = String::from("[organization]\nname = \"P\"\nregime = \"nd85\"\n\n");
    t.push_str("[datacenters.dc0]\nname = \"0\"\n[datacenters.dc1]\nname = \"1\"\n");
    for n in 0..spec.networks {
        t.push_str(&format!(
            "[networks.n{n}]\ndatacenter = \"dc{}\"\nzone = \"server\"\ncidr = \"10.{n}.0.0/16\"\n",
            n % 2
        ));
    }
    let role_names = ["web", "app", "database"];
    for (i, (net, roles, backup)) in spec.servers.iter().enumerate() {
        let roles: Vec<&str> = (0..3)
            .filter(|b| roles & (1 << b) != 0)
            .map(|b| role_names[b])
            .collect();
        t.push_str(&format!(
            "[servers.s{i}]\nnetwork = \"n{net}\"\naddress = \"10.{net}.0.{}\"\nroles = {roles:?}\n",
            i + 1
        ));
        if let Some(b) = backup.filter(|b| *b != i) {
            t.push_str(&format!(
                "backup = {{ to = \"s{b}\", schedule = \"daily\" }}\n"
            ));
        }
    }
    for (i, (level, servers, deps)) in spec.systems.iter().enumerate() {
        let servers: Vec<String> = servers
            .iter()
            .collect::<BTreeSet<_>>()
            .iter()
            .map(|s| format!("s{s}"))
            .collect();
        let deps: Vec<String> = deps
            .iter()
            .filter(|d| **d != i)
            .collect::<BTreeSet<_>>()
            .iter()
            .map(|d| format!("y{d}"))
            .collect();
        t.push_str(&format!(
            "[systems.y{i}]\nname = \"{i}\"\nkind = \"internal\"\nlevel = {level}\nservers = {servers:?}\ndepends_on = {deps:?}\n"
        ));
    }
    t
}

fn reaches(inv: &Inventory, from: usize, to: usize) -> bool {
    let mut queue = VecDeque::from([from]);
    let mut seen = BTreeSet::new();
    while let Some(at) = queue.pop_front() {
        for d in &inv.systems[at].depends_on {
            if let NodeRef::System(n) = *d {
                if n == to {
                    return true;
                }
                if seen.insert(n) {
                    queue.push_back(n);
                }
            }
        }
    }
    false
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    /// A server's level is the maximum over the systems it serves and the servers whose
    /// backups it stores.
    #[test]
    fn effective_level_is_the_maximum_over_what_a_server_serves(spec in spec()) {
        let inv = load(&render(&spec));
        let g = Graph::build(&inv, Regime::Nd85);
        for i in 0..inv.servers.len() {
            let mut expected = inv
                .systems
                .iter()
                .enumerate()
                .filter(|(_, s)| s.servers.contains(&i))
                .map(|(j, _)| g.system_level(&inv, j))
                .max();
            for (t, other) in inv.servers.iter().enumerate() {
                if other.backup.as_ref().is_some_and(|b| b.to == i) {
                    expected = expected.max(g.server_levels[t].as_ref().map(|s| s.level));
                }
            }
            prop_assert_eq!(g.server_levels[i].as_ref().map(|s| s.level), expected, "server {}", i);
        }
        for (n, level) in g.network_levels.iter().enumerate() {
            let max = inv
                .servers
                .iter()
                .enumerate()
                .filter(|(_, s)| s.network == n)
                .filter_map(|(i, _)| g.server_levels[i].as_ref().map(|s| s.level))
                .max();
            prop_assert_eq!(level.as_ref().map(|(s, _)| s.level), max);
        }
    }

    /// Every reported cycle is a real one, and every system on a cycle has one reported.
    #[test]
    fn reported_cycles_are_real_and_complete(spec in spec()) {
        let inv = load(&render(&spec));
        let g = Graph::build(&inv, Regime::Nd85);
        let cycles = g.dependency_cycles(&inv);
        for c in &cycles {
            prop_assert!(c.len() >= 3, "{:?}", c);
            prop_assert_eq!(c.first(), c.last());
            let inner: BTreeSet<usize> = c[..c.len() - 1].iter().copied().collect();
            prop_assert_eq!(inner.len(), c.len() - 1, "no repeated system inside {:?}", c);
            for w in c.windows(2) {
                prop_assert!(inv.systems[w[0]].depends_on.contains(&NodeRef::System(w[1])), "{:?}", c);
            }
        }
        for i in 0..inv.systems.len() {
            let reported = cycles.iter().any(|c| c[0] == i);
            prop_assert_eq!(reported, reaches(&inv, i, i), "system {}", i);
        }
    }

    /// The impact of a node is closed: whatever depends on, runs only on, or is contained in
    /// something that stopped, stops too; and nothing stops without a reason.
    #[test]
    fn impact_contains_every_transitive_dependent(spec in spec(), pick in any::<prop::sample::Index>()) {
        let inv = load(&render(&spec));
        let g = Graph::build(&inv, Regime::Nd85);
        let nodes: Vec<Node> = g.graph.node_indices().map(|ix| g.graph[ix]).collect();
        let failed = nodes[pick.index(nodes.len())];
        let impact = g.impact(&inv, failed);
        let mut down: BTreeSet<Node> = impact.stopped.iter().map(|s| Node::Item(s.node)).collect();
        down.insert(failed);
        for e in g.graph.edge_indices() {
            let (a, b) = g.graph.edge_endpoints(e).expect("edge");
            let (a, b) = (g.graph[a], g.graph[b]);
            match g.graph[e] {
                Edge::Contains if down.contains(&a) => prop_assert!(down.contains(&b), "{:?} contains {:?}", a, b),
                Edge::DependsOn if down.contains(&b) => prop_assert!(down.contains(&a), "{:?} needs {:?}", a, b),
                _ => {}
            }
        }
        for (s, groups) in g.role_groups.iter().enumerate() {
            let dead = groups.values().any(|servers| {
                servers.iter().all(|x| down.contains(&Node::Item(NodeRef::Server(*x))))
            });
            if dead {
                prop_assert!(down.contains(&Node::Item(NodeRef::System(s))), "system {}", s);
            }
        }
        for s in &impact.stopped {
            prop_assert!(down.contains(&s.because));
        }
    }
}

/// The required level of one system written with `keys`, under `regime`: (decided, held).
fn levels_of(keys: &str, regime: Regime) -> (u8, u8, Vec<&'static str>, Vec<String>) {
    let text = format!("{HEAD}[systems.s]\nname = \"S\"\n{keys}\n");
    let inv = load(&text);
    let r = super::level::required(&inv.systems[0], regime);
    (
        r.level.get(),
        r.held().get(),
        r.missing.iter().map(|m| m.key).collect(),
        r.criteria.iter().map(|c| c.basis.clone()).collect(),
    )
}

#[test]
fn an_online_public_service_handles_administrative_procedures_under_nd331() {
    let dvc = "kind = \"citizen-service\"\ninformation = [\"public\"]\npublic_service_level = 4";
    let (level, held, missing, basis) = levels_of(dvc, Regime::Nd331);
    assert_eq!((level, held), (3, 3), "{basis:?}");
    assert!(missing.is_empty(), "{missing:?}");
    assert!(
        basis.contains(&"NĐ 331/2026 Đ13.2.b".to_owned()),
        "{basis:?}"
    );
    // Written explicitly, the key wins.
    let (level, ..) = levels_of(
        &format!("{dvc}\nadministrative_procedures = false"),
        Regime::Nd331,
    );
    assert_eq!(level, 2);
    // A citizen service that says nothing cannot be decided: held to 3, never read as "no".
    let bare = "kind = \"citizen-service\"\ninformation = [\"public\"]";
    let (level, held, missing, _) = levels_of(bare, Regime::Nd331);
    assert_eq!(
        (level, held, missing),
        (2, 3, vec!["administrative_procedures"])
    );
}

#[test]
fn users_are_evidence_of_data_subjects_when_personal_data_is_absent() {
    let base = "kind = \"citizen-service\"\ninformation = [\"personal\"]\nadministrative_procedures = false";
    let cases = [
        ("users = 150000", 3, 3, vec![]),
        ("users = 25000", 2, 3, vec!["personal_data"]),
        ("users = 5000", 2, 2, vec![]),
        ("", 2, 3, vec!["personal_data"]),
        ("personal_data = { basic = 5000 }", 2, 2, vec![]),
    ];
    for (keys, level, held, missing) in cases {
        let got = levels_of(&format!("{base}\n{keys}"), Regime::Nd331);
        assert_eq!(
            (got.0, got.1, got.2),
            (level, held, missing),
            "{keys}: {:?}",
            got.3
        );
    }
    // NĐ 85 reads the same count of users; without one the level is open up to 3.
    let got = levels_of(base, Regime::Nd85);
    assert_eq!((got.0, got.1, got.2), (2, 3, vec!["users"]));
}

#[test]
fn missing_inputs_are_never_read_as_the_lowest_level() {
    let cases = [
        ("kind = \"infrastructure\"", Regime::Nd85, 2, 3, "scope"),
        (
            "kind = \"infrastructure\"\nalways_on = true",
            Regime::Nd331,
            2,
            4,
            "scope",
        ),
        ("kind = \"internal\"", Regime::Nd331, 1, 2, "information"),
        (
            "kind = \"industrial-control\"",
            Regime::Nd85,
            1,
            5,
            "works_grade",
        ),
    ];
    for (keys, regime, level, held, key) in cases {
        let got = levels_of(keys, regime);
        assert_eq!(
            (got.0, got.1, got.2),
            (level, held, vec![key]),
            "{keys} ({regime:?})"
        );
    }
    // Every one is a located warning of `validate`.
    let text = format!("{HEAD}[systems.s]\nname = \"S\"\nkind = \"infrastructure\"\n");
    let inv = load(&text);
    let w = super::level::missing_inputs(&inv, Regime::Nd331);
    assert_eq!(w.len(), 1);
    assert!(
        w[0].warning && w[0].message.contains("`scope` is not written"),
        "{w:?}"
    );
    assert!(w[0].primary.is_some());
}

#[test]
fn the_national_security_list_and_works_tied_to_national_security() {
    // A level-3 system on the list keeps its level and follows the level-5 procedure.
    let listed = "kind = \"infrastructure\"\nscope = \"ministry\"\nnational_security_list = true";
    let text = format!("{HEAD}[systems.s]\nname = \"S\"\n{listed}\n");
    let inv = load(&text);
    let r = super::level::required(&inv.systems[0], Regime::Nd331);
    assert_eq!((r.level.get(), r.held().get()), (3, 3));
    assert_eq!(
        r.level5_procedure.as_deref(),
        Some("NĐ 331/2026 Đ16.4, Đ20.4")
    );
    // Listed without a level-3 or 4 criterion: level 5 cannot be ruled out.
    let got = levels_of(
        "kind = \"internal\"\ninformation = [\"public\"]\nnational_security_list = true",
        Regime::Nd331,
    );
    assert_eq!((got.1, got.2), (5, vec!["national_security_list"]));
    for (regime, clause) in [
        (Regime::Nd85, "NĐ 85/2016 Đ11.4"),
        (Regime::Nd331, "NĐ 331/2026 Đ15.4"),
    ] {
        let got = levels_of(
            "kind = \"industrial-control\"\nworks_grade = \"II\"\nnational_security_works = true",
            regime,
        );
        assert_eq!((got.0, got.3[0].as_str()), (5, clause));
    }
}

#[test]
fn a_level_set_by_risk_assessment_cites_its_level_s_clause() {
    for (n, clause) in [(2, "Đ12.4"), (3, "Đ13.5"), (4, "Đ14.4"), (5, "Đ15.5")] {
        let got = levels_of(
            &format!("kind = \"internal\"\ninformation = [\"public\"]\nrisk_level = {n}"),
            Regime::Nd331,
        );
        assert_eq!(
            (got.0, got.3[0].clone()),
            (n, format!("NĐ 331/2026 {clause}"))
        );
    }
}

#[test]
fn an_inventory_written_for_nd85_never_comes_out_lower_under_nd331() {
    // Every system of the sample (written with NĐ 85 keys) and of the nd85-only fixture.
    for dir in ["inventory", "tests/fixtures/nd85-keys"] {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join(dir);
        let mut sources = Sources::new();
        let inv =
            inventory::load(&root, &mut sources).unwrap_or_else(|_| panic!("{dir} does not load"));
        let old = Graph::build(&inv, Regime::Nd85);
        let new = Graph::build(&inv, Regime::Nd331);
        for (i, s) in inv.systems.iter().enumerate() {
            assert!(
                new.required[i].held() >= old.required[i].held(),
                "{dir}: {} is held to {} under nd85 but {} under nd331",
                s.id,
                old.required[i].held(),
                new.required[i].held()
            );
        }
    }
}

#[test]
fn a_system_declared_below_its_requirement_is_held_to_the_requirement() {
    let text = format!(
        "{HEAD}{}[systems.s]\nname = \"S\"\nkind = \"infrastructure\"\nscope = \"ministry\"\nlevel = 2\nservers = [\"a\"]\n",
        server("a", 1, "")
    );
    let inv = load(&text);
    let g = Graph::build(&inv, Regime::Nd85);
    assert_eq!(g.system_level(&inv, 0).get(), 3);
    assert_eq!(g.declared_or_held(&inv, 0).get(), 2);
    assert_eq!(
        g.level_of(&inv, NodeRef::Server(server_ix(&inv, "a")))
            .map(|l| l.get()),
        Some(3)
    );
    let why = g.held_above_declared(&inv, 0).expect("held above");
    assert!(
        why.contains("held to level 3, above its declared level 2: NĐ 85/2016 Đ9.3"),
        "{why}"
    );
}
