//! The controls decided from facts collected on the host (`capdo check`, or `--facts FILE`).
//!
//! Each is evaluated on every scanned server at its effective level. A host that could not be
//! scanned, or a fact that could not be read, gives `error` with the reason: never a pass.

use std::collections::BTreeMap;
use std::net::IpAddr;

use super::catalog::{self, Check, Control, Source};
use super::declarative;
use super::{Finding, Status};
use crate::collect::facts::{Listener, Policy};
use crate::collect::host::{Fact, HostFacts};
use crate::graph::Graph;
use crate::inventory::{Inventory, NodeRef, Regime, Role, Schedule};

pub use crate::collect::HostState;

pub struct Context<'a> {
    pub inv: &'a Inventory,
    pub graph: &'a Graph,
    pub regime: Regime,
    /// The servers scanned (by inventory index) and what came of each.
    pub hosts: &'a BTreeMap<usize, HostState>,
    /// The same scan as recorded (by server id): each host's facts under their report names,
    /// which the declarative controls read.
    pub record: &'a BTreeMap<String, crate::collect::record::HostRecord>,
}

/// One control's verdict on one host, before it becomes a finding.
struct Verdict {
    status: Status,
    message: String,
    evidence: String,
}

fn pass(message: String, evidence: String) -> Verdict {
    Verdict {
        status: Status::Pass,
        message,
        evidence,
    }
}

fn fail(message: String, evidence: String) -> Verdict {
    Verdict {
        status: Status::Fail,
        message,
        evidence,
    }
}

fn not_applicable(message: String) -> Verdict {
    Verdict {
        status: Status::NotApplicable,
        message,
        evidence: String::new(),
    }
}

/// A fact that could not be read makes the control's status `error`.
fn need<'f, T>(fact: &'f Fact<T>, what: &str) -> Result<&'f T, Verdict> {
    fact.as_ref().map_err(|why| Verdict {
        status: Status::Error,
        message: format!("{what} could not be read: {why}"),
        evidence: String::new(),
    })
}

pub fn evaluate(cx: &Context) -> Vec<Finding> {
    let mut out = Vec::new();
    // For the declarative controls: each scanned host's recorded facts, and its attributes
    // computed once.
    type Named<'r> = (
        &'r serde_json::Map<String, serde_json::Value>,
        serde_json::Map<String, serde_json::Value>,
    );
    let named: BTreeMap<usize, Named> = cx
        .hosts
        .iter()
        .filter_map(|(&i, state)| match state {
            HostState::Scanned(_) => {
                let facts = &cx.record.get(&cx.inv.servers[i].id)?.facts;
                Some((i, (facts, declarative::server_attrs(cx.inv, cx.graph, i))))
            }
            HostState::Failed(_) => None,
        })
        .collect();
    for control in catalog::controls(cx.regime)
        .iter()
        .filter(|c| c.source == Source::Host)
    {
        for (&server, state) in cx.hosts {
            out.push(match (&control.check, named.get(&server)) {
                (Check::Rule { .. }, Some((facts, attrs))) => {
                    let node = NodeRef::Server(server);
                    let level = cx.graph.server_levels[server].as_ref().map(|l| l.level);
                    declarative::judge(
                        control,
                        cx.inv.target_id(node),
                        level,
                        attrs,
                        Some(facts),
                        &cx.inv.servers[server].loc,
                    )
                }
                _ => judge(cx, control, server, state),
            });
        }
    }
    out
}

fn judge(cx: &Context, control: &'static Control, server: usize, state: &HostState) -> Finding {
    let s = &cx.inv.servers[server];
    let level = cx.graph.server_levels[server].as_ref().map(|l| l.level);
    let verdict = if !control.applies_at(level) {
        not_applicable(control.outside_levels(&s.id, level))
    } else {
        match state {
            HostState::Failed(e) => Verdict {
                status: Status::Error,
                message: format!(
                    "{} could not be scanned ({}): {}",
                    s.id,
                    e.kind.as_str(),
                    e.message
                ),
                evidence: String::new(),
            },
            HostState::Scanned(facts) => {
                let rule: Rule = match control.check {
                    Check::Builtin("fw-host-default-deny") => fw_default_deny,
                    Check::Builtin("fw-ipv6-parity") => fw_ipv6_parity,
                    Check::Builtin("net-undeclared-port") => undeclared_port,
                    Check::Builtin("ipv6-ready") => ipv6_ready,
                    Check::Builtin("ssh-root-login") => ssh_root_login,
                    Check::Builtin("ssh-password-auth") => ssh_password_auth,
                    Check::Builtin("backup-job") => backup_job,
                    Check::Builtin("backup-fresh") => backup_fresh,
                    Check::Builtin("log-forward") => log_forward,
                    Check::Builtin("agent-running") => agent_running,
                    Check::Builtin("time-sync") => time_sync,
                    _ => unknown_rule,
                };
                rule(cx, server, facts).unwrap_or_else(|v| v)
            }
        }
    };
    Finding {
        control,
        target: cx.inv.target_id(NodeRef::Server(server)),
        status: verdict.status,
        level,
        message: verdict.message,
        evidence: verdict.evidence,
        basis: control.basis_at(level),
        location: Some(s.loc.clone()),
        waiver: None,
        regime: None,
        transition_debt: false,
    }
}

type Rule = fn(&Context, usize, &HostFacts) -> Result<Verdict, Verdict>;

/// A host control whose rule could not be evaluated on a scanned host: cannot happen for a
/// loaded pack (the loader checks evaluator names), but never a pass if it does.
fn unknown_rule(_: &Context, _: usize, _: &HostFacts) -> Result<Verdict, Verdict> {
    Err(Verdict {
        status: Status::Error,
        message: "the control's evaluator is unknown to this version of capdo".into(),
        evidence: String::new(),
    })
}

fn denies(p: Policy) -> bool {
    matches!(p, Policy::Drop | Policy::Reject)
}

fn policy_name(p: Policy) -> &'static str {
    match p {
        Policy::Drop => "drop",
        Policy::Reject => "reject",
        Policy::Accept => "accept",
        Policy::None => "none (no input filtering)",
    }
}

fn backend_name(fw: &crate::collect::facts::Firewall) -> &'static str {
    match fw.backend {
        crate::collect::facts::Backend::Nftables => "nftables",
        crate::collect::facts::Backend::Iptables => "iptables",
        crate::collect::facts::Backend::None => "none",
    }
}

fn fw_default_deny(cx: &Context, server: usize, f: &HostFacts) -> Result<Verdict, Verdict> {
    let id = &cx.inv.servers[server].id;
    let fw = need(&f.firewall, "the firewall")?;
    let evidence = format!(
        "firewall.backend = {}; firewall.input_policy_v4 = {}",
        backend_name(fw),
        policy_name(fw.input_policy_v4)
    );
    Ok(if denies(fw.input_policy_v4) {
        pass(
            format!("{id} drops unsolicited inbound IPv4 by default"),
            evidence,
        )
    } else {
        fail(
            format!(
                "{id} accepts unsolicited inbound IPv4 (input policy {})",
                policy_name(fw.input_policy_v4)
            ),
            evidence,
        )
    })
}

fn fw_ipv6_parity(cx: &Context, server: usize, f: &HostFacts) -> Result<Verdict, Verdict> {
    let id = &cx.inv.servers[server].id;
    let v6 = need(&f.ipv6, "the IPv6 state")?;
    if !v6.enabled {
        return Ok(pass(
            format!("IPv6 is disabled on {id}"),
            "ipv6.enabled = false".into(),
        ));
    }
    let fw = need(&f.firewall, "the firewall")?;
    let evidence = format!(
        "ipv6.enabled = true; firewall.backend = {}; firewall.input_policy_v6 = {}; firewall.input_policy_v4 = {}",
        backend_name(fw),
        policy_name(fw.input_policy_v6),
        policy_name(fw.input_policy_v4)
    );
    Ok(if denies(fw.input_policy_v6) {
        pass(format!("{id} filters inbound IPv6 by default"), evidence)
    } else {
        fail(
            format!(
                "{id} has IPv6 enabled but inbound IPv6 is {}",
                policy_name(fw.input_policy_v6)
            ),
            evidence,
        )
    })
}

fn is_loopback(l: &Listener) -> bool {
    l.address.is_loopback()
}

fn undeclared_port(cx: &Context, server: usize, f: &HostFacts) -> Result<Verdict, Verdict> {
    let s = &cx.inv.servers[server];
    let listening = need(&f.listening, "the listening sockets")?;
    let ssh_ports: Vec<u16> = match &f.sshd {
        Ok((sshd, _)) if !sshd.ports.is_empty() => sshd.ports.clone(),
        _ => vec![22],
    };
    let declared = |l: &Listener| {
        s.services
            .iter()
            .any(|svc| svc.port == l.port && svc.to_string().starts_with(&l.proto))
    };
    let mut undeclared: Vec<String> = listening
        .iter()
        .filter(|l| !is_loopback(l))
        .filter(|l| !(l.proto == "tcp" && ssh_ports.contains(&l.port)))
        .filter(|l| !declared(l))
        .map(|l| {
            let who = l
                .process
                .as_deref()
                .map(|p| format!(" ({p})"))
                .unwrap_or_default();
            format!("{}/{} on {}{who}", l.proto, l.port, l.address)
        })
        .collect();
    undeclared.dedup();
    let declared_list: Vec<String> = s.services.iter().map(|x| x.to_string()).collect();
    let evidence = format!(
        "declared: {}; sshd port(s): {}; listening on non-loopback addresses: {}",
        if declared_list.is_empty() {
            "none".into()
        } else {
            declared_list.join(", ")
        },
        ssh_ports
            .iter()
            .map(|p| p.to_string())
            .collect::<Vec<_>>()
            .join(", "),
        listening
            .iter()
            .filter(|l| !is_loopback(l))
            .map(|l| format!("{}/{}", l.proto, l.port))
            .collect::<std::collections::BTreeSet<_>>()
            .into_iter()
            .collect::<Vec<_>>()
            .join(", ")
    );
    Ok(if undeclared.is_empty() {
        pass(
            format!("every port {} listens on is declared", s.id),
            evidence,
        )
    } else {
        fail(
            format!("{} listens on undeclared {}", s.id, undeclared.join(", ")),
            evidence,
        )
    })
}

fn ipv6_ready(cx: &Context, server: usize, f: &HostFacts) -> Result<Verdict, Verdict> {
    let s = &cx.inv.servers[server];
    if !s.ipv6 {
        return Err(not_applicable(format!(
            "{} is not marked `ipv6 = true`",
            s.id
        )));
    }
    let v6 = need(&f.ipv6, "the IPv6 state")?;
    let wanted: Vec<IpAddr> = s
        .addresses
        .iter()
        .filter(|a| a.is_ipv6())
        .copied()
        .collect();
    let missing: Vec<String> = wanted
        .iter()
        .filter(|a| !v6.addresses.contains(a))
        .map(|a| a.to_string())
        .collect();
    let evidence = format!(
        "ipv6.enabled = {}; ipv6.addresses = [{}]; inventory IPv6 addresses = [{}]",
        v6.enabled,
        v6.addresses
            .iter()
            .map(|a| a.to_string())
            .collect::<Vec<_>>()
            .join(", "),
        wanted
            .iter()
            .map(|a| a.to_string())
            .collect::<Vec<_>>()
            .join(", ")
    );
    Ok(if !v6.enabled {
        fail(
            format!("{} must be IPv6-ready but IPv6 is disabled", s.id),
            evidence,
        )
    } else if wanted.is_empty() {
        fail(
            format!(
                "{} is marked IPv6-ready but the inventory lists no IPv6 address for it",
                s.id
            ),
            evidence,
        )
    } else if !missing.is_empty() {
        fail(
            format!("{} lacks its IPv6 address {}", s.id, missing.join(", ")),
            evidence,
        )
    } else {
        pass(
            format!("{} has IPv6 with its inventory address", s.id),
            evidence,
        )
    })
}

fn ssh_root_login(cx: &Context, server: usize, f: &HostFacts) -> Result<Verdict, Verdict> {
    let id = &cx.inv.servers[server].id;
    let (sshd, source) = need(&f.sshd, "the sshd configuration")?;
    let value = sshd
        .permit_root_login
        .as_deref()
        .unwrap_or("prohibit-password");
    let mut evidence = format!("sshd.permit_root_login = {value} (from {source})");
    let overrides: Vec<&String> = sshd
        .match_overrides
        .iter()
        .filter(|m| m.to_ascii_lowercase().contains("permitrootlogin yes"))
        .collect();
    if !overrides.is_empty() {
        evidence.push_str(&format!(
            "; Match blocks: {}",
            overrides
                .iter()
                .map(|s| s.as_str())
                .collect::<Vec<_>>()
                .join("; ")
        ));
    }
    Ok(if value == "yes" {
        fail(
            format!("{id} lets root log in with a password (permitrootlogin yes)"),
            evidence,
        )
    } else if !overrides.is_empty() {
        fail(
            format!("{id} lets root log in with a password for some clients (Match block)"),
            evidence,
        )
    } else {
        pass(
            format!("{id} does not let root log in with a password"),
            evidence,
        )
    })
}

fn ssh_password_auth(cx: &Context, server: usize, f: &HostFacts) -> Result<Verdict, Verdict> {
    let id = &cx.inv.servers[server].id;
    let (sshd, source) = need(&f.sshd, "the sshd configuration")?;
    let value = sshd.password_authentication.unwrap_or(true);
    let evidence = format!(
        "sshd.password_authentication = {} (from {source})",
        if value { "yes" } else { "no" }
    );
    Ok(if value {
        fail(format!("{id} accepts passwords over SSH"), evidence)
    } else {
        pass(format!("{id} does not accept passwords over SSH"), evidence)
    })
}

/// Tools whose presence in a scheduled command marks it as a backup job.
const BACKUP_TOOLS: &[&str] = &[
    "backup",
    "rsync",
    "borg",
    "restic",
    "pg_dump",
    "pg_basebackup",
    "mysqldump",
    "mariabackup",
    "xtrabackup",
    "rman",
    "tar ",
    "duplicity",
    "rsnapshot",
    "bacula",
    "bareos",
    "veeam",
    "rclone",
];

fn backup_job(cx: &Context, server: usize, f: &HostFacts) -> Result<Verdict, Verdict> {
    let s = &cx.inv.servers[server];
    let Some(backup) = &s.backup else {
        return Err(not_applicable(format!("{} declares no backup", s.id)));
    };
    let jobs = need(&f.jobs, "the scheduled jobs")?;
    let target = &cx.inv.servers[backup.to];
    let mut markers: Vec<String> = BACKUP_TOOLS.iter().map(|t| t.to_string()).collect();
    markers.push(target.id.clone());
    markers.extend(target.addresses.iter().map(|a| a.to_string()));
    if let Some(p) = &backup.path {
        markers.push(p.clone());
    }
    let found: Vec<String> = jobs
        .iter()
        .filter(|j| {
            let c = j.command.to_ascii_lowercase();
            markers.iter().any(|m| c.contains(&m.to_ascii_lowercase()))
        })
        .map(|j| format!("{} [{}] {}", j.source, j.schedule, j.command))
        .collect();
    let evidence = if found.is_empty() {
        format!(
            "{} scheduled job(s), none names a backup tool, {} or the backup path",
            jobs.len(),
            target.id
        )
    } else {
        format!("backup job(s): {}", found.join("; "))
    };
    Ok(if found.is_empty() {
        fail(format!("{} has no scheduled backup job", s.id), evidence)
    } else {
        pass(format!("{} has a scheduled backup job", s.id), evidence)
    })
}

/// Largest age of the newest backup file, in hours, for a schedule.
pub fn allowed_age_hours(schedule: Schedule) -> f64 {
    match schedule {
        Schedule::Hourly => 2.0,
        Schedule::Daily => 26.0,
        Schedule::Weekly => 8.0 * 24.0,
        Schedule::Monthly => 32.0 * 24.0,
    }
}

fn backup_fresh(cx: &Context, server: usize, f: &HostFacts) -> Result<Verdict, Verdict> {
    let s = &cx.inv.servers[server];
    let Some(backup) = &s.backup else {
        return Err(not_applicable(format!("{} declares no backup", s.id)));
    };
    let Some(path) = &backup.path else {
        return Err(not_applicable(format!(
            "{}'s backup declares no `path` to look at",
            s.id
        )));
    };
    let age = f.backup_age_hours.get(path).ok_or_else(|| Verdict {
        status: Status::Error,
        message: format!("the backup path {path} was not examined"),
        evidence: String::new(),
    })?;
    let age = need(age, &format!("the backup folder {path}"))?;
    let allowed = allowed_age_hours(backup.schedule);
    Ok(match age {
        None => fail(
            format!("{} has no backup file in {path}", s.id),
            format!(
                "{path} is empty; schedule {} allows {allowed} h",
                backup.schedule.as_str()
            ),
        ),
        Some(h) => {
            let evidence = format!(
                "backup.newest_file_age_hours = {:.1} in {path}; schedule {} allows {allowed} h",
                h,
                backup.schedule.as_str()
            );
            if *h <= allowed {
                pass(
                    format!("{}'s newest backup is {:.1} h old", s.id, h),
                    evidence,
                )
            } else {
                fail(
                    format!(
                        "{}'s newest backup is {:.1} h old, more than {allowed} h",
                        s.id, h
                    ),
                    evidence,
                )
            }
        }
    })
}

fn log_forward(cx: &Context, server: usize, f: &HostFacts) -> Result<Verdict, Verdict> {
    let s = &cx.inv.servers[server];
    if s.roles.contains(&Role::Siem) {
        return Err(not_applicable(format!(
            "{} is a SIEM collector itself",
            s.id
        )));
    }
    let targets = need(&f.forward_targets, "the log forwarding configuration")?;
    let siems: Vec<&crate::inventory::Server> = cx
        .inv
        .servers
        .iter()
        .filter(|x| x.roles.contains(&Role::Siem))
        .collect();
    let configured: Vec<String> = targets
        .iter()
        .map(|t| format!("{}:{} ({})", t.host, t.port, t.via))
        .collect();
    let evidence = format!(
        "logging.forward_targets = [{}]; SIEM collectors in the inventory: {}",
        configured.join(", "),
        if siems.is_empty() {
            "none".into()
        } else {
            siems
                .iter()
                .map(|x| x.id.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        }
    );
    if siems.is_empty() {
        return Ok(fail(
            format!(
                "the inventory names no SIEM collector (a server with role `siem`) for {} to forward to",
                s.id
            ),
            evidence,
        ));
    }
    let names_siem = |host: &str| {
        let host = host.trim_start_matches('[').trim_end_matches(']');
        siems.iter().any(|x| {
            x.id == host
                || x.name.as_deref() == Some(host)
                || host
                    .parse::<IpAddr>()
                    .is_ok_and(|a| x.addresses.contains(&a))
        })
    };
    Ok(if targets.iter().any(|t| names_siem(&t.host)) {
        pass(format!("{} forwards its logs to the SIEM", s.id), evidence)
    } else {
        fail(
            format!("{} does not forward its logs to the SIEM", s.id),
            evidence,
        )
    })
}

fn agent_running(cx: &Context, server: usize, f: &HostFacts) -> Result<Verdict, Verdict> {
    let s = &cx.inv.servers[server];
    if s.agents.is_empty() {
        return Err(not_applicable(format!("{} expects no agent", s.id)));
    }
    let procs = need(&f.processes, "the process list")?;
    // `ps -o comm` shows at most 15 characters of a name.
    let short = |n: &str| n.chars().take(15).collect::<String>();
    let missing: Vec<&str> = s
        .agents
        .iter()
        .filter(|a| !procs.iter().any(|p| short(p) == short(a)))
        .map(|a| a.as_str())
        .collect();
    let evidence = format!(
        "expected: {}; running: {}",
        s.agents.join(", "),
        s.agents
            .iter()
            .filter(|a| !missing.contains(&a.as_str()))
            .map(|a| a.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    );
    Ok(if missing.is_empty() {
        pass(format!("every agent {} expects is running", s.id), evidence)
    } else {
        fail(
            format!("{} does not run {}", s.id, missing.join(", ")),
            evidence,
        )
    })
}

fn time_sync(cx: &Context, server: usize, f: &HostFacts) -> Result<Verdict, Verdict> {
    let id = &cx.inv.servers[server].id;
    let synced = need(&f.time_synchronized, "the time synchronisation state")?;
    let evidence = format!("time.synchronized = {synced}");
    Ok(if *synced {
        pass(format!("{id}'s clock is synchronised"), evidence)
    } else {
        fail(format!("{id}'s clock is not synchronised"), evidence)
    })
}
