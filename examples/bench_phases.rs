//! Time the in-process phases that `capdo graph` and `capdo check --offline` share, without
//! the command line or any output: load + validate the inventory, then graph build + level
//! propagation (`Graph::build`, which settles every server, network and datacenter level), then
//! reading every server's level back.
//!
//! ```sh
//! cargo run --release --example bench_phases -- --inventory /tmp/inv10k --rounds 5
//! ```
//!
//! Prints one line: `load_ms=… graph_ms=… servers=… systems=… edges=…`, each time the median of the
//! rounds. Used by `bench/offline.sh`; peak RSS is measured around the whole process there.

use std::path::PathBuf;
use std::time::Instant;

use capdo::diag::Sources;
use capdo::graph::Graph;
use capdo::inventory::{self, NodeRef};

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    let n = v.len();
    if n % 2 == 1 {
        v[n / 2]
    } else {
        (v[n / 2 - 1] + v[n / 2]) / 2.0
    }
}

fn main() -> anyhow::Result<()> {
    let mut dir = PathBuf::from("inventory");
    let mut rounds = 5usize;
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        let v = args.next().unwrap_or_default();
        match a.as_str() {
            "--inventory" => dir = PathBuf::from(v),
            "--rounds" => rounds = v.parse().unwrap_or(rounds).max(1),
            _ => anyhow::bail!("usage: bench_phases [--inventory DIR] [--rounds N]"),
        }
    }
    let (mut load, mut build) = (Vec::new(), Vec::new());
    let (mut servers, mut systems, mut edges) = (0, 0, 0);
    for _ in 0..rounds {
        let t = Instant::now();
        let mut sources = Sources::new();
        let inv = inventory::load(&dir, &mut sources)
            .map_err(|_| anyhow::anyhow!("`{}` is not a valid inventory", dir.display()))?;
        load.push(t.elapsed().as_secs_f64() * 1e3);

        let t = Instant::now();
        let g = Graph::build(&inv, inv.organization.regime);
        let leveled = (0..inv.servers.len())
            .filter(|&i| g.level_of(&inv, NodeRef::Server(i)).is_some())
            .count();
        build.push(t.elapsed().as_secs_f64() * 1e3);
        std::hint::black_box(leveled);
        servers = inv.servers.len();
        systems = inv.systems.len();
        edges = g.graph.edge_count();
    }
    println!(
        "load_ms={:.1} graph_ms={:.1} servers={servers} systems={systems} edges={edges}",
        median(load),
        median(build)
    );
    Ok(())
}
