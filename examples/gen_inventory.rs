//! Generate a valid, realistic synthetic inventory for benchmarks, deterministic from a seed.
//!
//! ```sh
//! cargo run --release --example gen_inventory -- --servers 10000 --seed 1 --out /tmp/inv10k
//! ```
//!
//! Shape: one datacenter per 2,500 servers (at least 2), each with the eight usual zones; one
//! system per 5 servers (2 web in the DMZ, 2 app in the server zone, 1 database), levels 1–4,
//! dependencies on earlier systems (and now and then a later one, so cycles exist), database
//! backups to a backup server in another datacenter, and the flows between the tiers.

use std::fmt::Write as _;
use std::path::PathBuf;

/// xorshift64*: small, fast, and the same sequence for the same seed everywhere.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
}

const ZONES: [&str; 8] = [
    "internet-edge",
    "dmz",
    "server",
    "database",
    "management",
    "device-management",
    "user",
    "backup",
];

fn main() {
    let mut servers = 1000usize;
    let mut seed = 1u64;
    let mut out = PathBuf::from("inventory-synthetic");
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        let v = args.next().unwrap_or_default();
        match a.as_str() {
            "--servers" => servers = v.parse().unwrap_or(servers),
            "--seed" => seed = v.parse().unwrap_or(seed),
            "--out" => out = PathBuf::from(v),
            _ => {
                eprintln!("usage: gen_inventory [--servers N] [--seed S] [--out DIR]");
                std::process::exit(2);
            }
        }
    }
    let (total, systems, dcs) = generate(servers, seed, &out);
    eprintln!(
        "wrote {} with {total} servers ({} per system, plus backup and SIEM servers), {systems} systems, {dcs} datacenters",
        out.display(),
        5
    );
}

/// Write the inventory of about `servers` servers into `out`; returns the number of servers,
/// systems and datacenters written. (Also used by tests/stream_identity.rs.)
pub fn generate(servers: usize, seed: u64, out: &std::path::Path) -> (usize, usize, usize) {
    let mut rng = Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1);
    let systems = servers / 5;
    let dcs = servers.div_ceil(2500).max(2);

    let mut org = String::from(
        "[organization]\nname = \"Bộ Tổng hợp\"\nregime = \"nd85\"\n\n[organization.protection]\n\
         onsite_team = \"Phòng ATTT\"\nmonitoring_provider = \"SOC\"\nlast_assessment = 2026-06-01\n\
         national_monitoring = true\nmeasures = [\"waf\", \"siem\", \"vpn\", \"anti-ddos\"]\n",
    );
    org.push_str("\n[defaults.ssh]\nuser = \"capdo-audit\"\nport = 22\n");

    let mut dc = String::new();
    let mut nets = String::new();
    for d in 0..dcs {
        let _ = writeln!(
            dc,
            "[datacenters.dc{d}]\nname = \"Trung tâm dữ liệu {d}\"\ntier = 3\n"
        );
        for (z, zone) in ZONES.iter().enumerate() {
            // 10.<dc>.<zone*16>.0/20: 4,094 addresses per network.
            let _ = writeln!(
                nets,
                "[networks.dc{d}-{zone}]\ndatacenter = \"dc{d}\"\nzone = \"{zone}\"\ncidr = [\"10.{d}.{}.0/20\", \"fd00:{d:x}:{z:x}::/64\"]\nvlan = {}\n",
                z * 16,
                100 + z
            );
        }
    }

    // Addresses: the next free host number in each (datacenter, zone).
    let mut next = vec![[0u32; 8]; dcs];
    let mut address = |d: usize, z: usize| -> (String, String) {
        next[d][z] += 1;
        let n = next[d][z];
        (
            format!("10.{d}.{}.{}", z * 16 + (n / 254) as usize, n % 254 + 1),
            format!("fd00:{d:x}:{z:x}::{n:x}"),
        )
    };

    // Backup and SIEM servers: a few per datacenter.
    let mut srv = String::new();
    let mut backup_servers = Vec::new();
    for d in 0..dcs {
        for k in 0..2 {
            let (a, _) = address(d, 7);
            let id = format!("dc{d}-bk{k}");
            let _ = writeln!(
                srv,
                "[servers.{id}]\nnetwork = \"dc{d}-backup\"\naddress = \"{a}\"\nroles = [\"backup\", \"storage\"]\n"
            );
            backup_servers.push((d, id));
        }
        let (a, _) = address(d, 4);
        let _ = writeln!(
            srv,
            "[servers.dc{d}-siem]\nnetwork = \"dc{d}-management\"\naddress = \"{a}\"\nroles = \"siem\"\nservices = [\"tcp/514\", \"udp/514\"]\n"
        );
    }

    let mut sys = String::new();
    let mut flows = String::new();
    let kinds = ["internal", "citizen-service", "infrastructure"];
    for y in 0..systems {
        let d = y % dcs;
        let level = 1 + rng.below(4);
        let mut ids = Vec::new();
        for (role, zone, count) in [("web", 1usize, 2), ("app", 2, 2), ("database", 3, 1)] {
            for k in 0..count {
                let (a4, a6) = address(d, zone);
                let id = format!("y{y}-{role}{k}");
                let services = match role {
                    "web" => "[\"tcp/443\"]",
                    "app" => "[\"tcp/8080\"]",
                    _ => "[\"tcp/5432\"]",
                };
                let backup = if role == "database" {
                    let (_, target) = &backup_servers[((d + 1) % dcs) * 2 + (y % 2)];
                    format!(
                        "backup = {{ to = \"{target}\", schedule = \"daily\", path = \"/var/backups/{id}\" }}\n"
                    )
                } else {
                    String::new()
                };
                let v6 = role == "web";
                let _ = writeln!(
                    srv,
                    "[servers.{id}]\nnetwork = \"dc{d}-{}\"\naddress = [\"{a4}\"{}]\nos = \"Debian 12\"\nroles = \"{role}\"\nservices = {services}\nagents = [\"wazuh-agentd\"]\nipv6 = {v6}\n{backup}",
                    ZONES[zone],
                    if v6 {
                        format!(", \"{a6}\"")
                    } else {
                        String::new()
                    },
                );
                ids.push(id);
            }
        }
        let mut deps = Vec::new();
        for _ in 0..rng.below(3) {
            // Mostly earlier systems; one in fifty points forward, which makes cycles.
            let target = if rng.below(50) == 0 {
                rng.below(systems as u64) as usize
            } else if y > 0 {
                rng.below(y as u64) as usize
            } else {
                continue;
            };
            if target != y && !deps.contains(&target) {
                deps.push(target);
            }
        }
        let kind = kinds[rng.below(3) as usize];
        let scope = if kind == "infrastructure" {
            "scope = \"ministry\"\n"
        } else {
            ""
        };
        let _ = writeln!(
            sys,
            "[systems.y{y}]\nname = \"Hệ thống {y}\"\nkind = \"{kind}\"\n{scope}information = [\"public\", \"private\"]\nlevel = {level}\nservers = [{}]\ndepends_on = [{}]\n",
            ids.iter()
                .map(|i| format!("\"{i}\""))
                .collect::<Vec<_>>()
                .join(", "),
            deps.iter()
                .map(|t| format!("\"y{t}\""))
                .collect::<Vec<_>>()
                .join(", "),
        );
        let _ = writeln!(
            flows,
            "[[flows]]\nfrom = \"zone:internet-edge\"\nto = \"y{y}-web0\"\nservices = \"tcp/443\"\n\n\
             [[flows]]\nfrom = \"y{y}-web0\"\nto = \"y{y}-app0\"\nservices = \"tcp/8080\"\n\n\
             [[flows]]\nfrom = \"y{y}-app0\"\nto = \"y{y}-database0\"\nservices = \"tcp/5432\"\n"
        );
    }
    let _ = writeln!(
        flows,
        "[[flows]]\nfrom = \"zone:management\"\nto = \"zone:server\"\nservices = \"tcp/22\"\n"
    );

    std::fs::create_dir_all(out).unwrap_or_else(|e| panic!("{}: {e}", out.display()));
    for (name, text) in [
        ("organization.toml", &org),
        ("datacenters.toml", &dc),
        ("networks.toml", &nets),
        ("servers.toml", &srv),
        ("systems.toml", &sys),
        ("flows.toml", &flows),
    ] {
        std::fs::write(out.join(name), text).unwrap_or_else(|e| panic!("{name}: {e}"));
    }
    (servers + dcs * 3, systems, dcs)
}
