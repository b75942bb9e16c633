//! Ansible's INI inventory dialect. No maintained crate reads it: host lines are not
//! `key=value` pairs, sections are typed by suffix (`[web:children]`, `[web:vars]`), names hold
//! ranges, and host variables are shell-quoted.

use std::path::Path;

use super::{Origin, Parsed, Problem, Value, Var, Vars, range};

pub fn parse(file: &Path, text: &str) -> Result<Parsed, Vec<Problem>> {
    let mut out = Parsed::default();
    let mut problems = Vec::new();
    // Hosts before any section are ungrouped.
    let mut section = Section::Hosts("ungrouped".to_owned());
    for (i, raw) in text.trim_start_matches('\u{feff}').lines().enumerate() {
        let at = Origin {
            file: file.to_owned(),
            line: i + 1,
        };
        let line = raw.trim();
        if line.starts_with('#') || line.starts_with(';') {
            // A host line put out of use: counted, so an inventory without hosts can say why.
            let inner = line.trim_start_matches(['#', ';']).trim();
            if matches!(section, Section::Hosts(_))
                && host_line(inner, &at).is_ok_and(|(_, vars)| {
                    vars.keys().any(|k| k.starts_with("ansible_"))
                        || (!inner.contains(char::is_whitespace)
                            && inner.contains(|c: char| c == '.' || c.is_ascii_digit()))
                })
            {
                out.commented_hosts += 1;
            }
            continue;
        }
        if line.is_empty() {
            continue;
        }
        let mut problem = |message: String| {
            problems.push(Problem {
                at: at.clone(),
                message,
            })
        };
        if line.starts_with('[') {
            match header(line) {
                Ok(s) => {
                    let name = match &s {
                        Section::Hosts(n) | Section::Children(n) | Section::Vars(n) => n,
                    };
                    out.group(name, &at);
                    section = s;
                }
                Err(m) => problem(m),
            }
            continue;
        }
        match &section {
            Section::Hosts(group) => match host_line(line, &at) {
                Ok((names, vars)) => {
                    for name in names {
                        out.add_host(group, &name, vars.clone(), at.clone());
                    }
                }
                Err(m) => problem(m),
            },
            Section::Children(group) => {
                if let Err(m) = group_name(line) {
                    problem(m);
                    continue;
                }
                out.group(line, &at);
                let g = out.group(group, &at);
                if !g.children.iter().any(|c| c == line) {
                    g.children.push(line.to_owned());
                }
            }
            Section::Vars(group) => match line.split_once('=') {
                Some((k, v)) if !k.trim().is_empty() && !k.trim().contains(char::is_whitespace) => {
                    let var = Var {
                        value: Value::Str(unquote(v.trim())),
                        at: at.clone(),
                    };
                    out.group(group, &at).vars.insert(k.trim().to_owned(), var);
                }
                _ => problem(format!(
                    "`{line}` in [{group}:vars] is not a `key=value` line"
                )),
            },
        }
    }
    if problems.is_empty() {
        Ok(out)
    } else {
        Err(problems)
    }
}

enum Section {
    Hosts(String),
    Children(String),
    Vars(String),
}

fn header(line: &str) -> Result<Section, String> {
    let inner = line
        .strip_prefix('[')
        .and_then(|l| l.split_once(']'))
        .filter(|(_, rest)| {
            let rest = rest.trim();
            rest.is_empty() || rest.starts_with('#') || rest.starts_with(';')
        })
        .map(|(inner, _)| inner.trim())
        .ok_or_else(|| format!("`{line}` is not a section header (write `[group]`)"))?;
    let section = match inner.rsplit_once(':') {
        None => Section::Hosts(inner.to_owned()),
        Some((g, "children")) => Section::Children(g.to_owned()),
        Some((g, "vars")) => Section::Vars(g.to_owned()),
        Some((_, kind)) => {
            return Err(format!(
                "section `[{inner}]`: `:{kind}` is not a section type (write `:children` or `:vars`)"
            ));
        }
    };
    let name = match &section {
        Section::Hosts(n) | Section::Children(n) | Section::Vars(n) => n,
    };
    group_name(name)?;
    Ok(section)
}

fn group_name(name: &str) -> Result<(), String> {
    if name.is_empty() || name.contains(|c: char| c.is_whitespace() || "[]:=".contains(c)) {
        return Err(format!("`{name}` is not a group name"));
    }
    Ok(())
}

/// `web[01:03].example:2222 ansible_user=ops key="a b" # comment`
fn host_line(line: &str, at: &Origin) -> Result<(Vec<String>, Vars), String> {
    let tokens = split(line)?;
    let Some((first, rest)) = tokens.split_first() else {
        return Err("empty host line".to_owned());
    };
    let mut vars = Vars::new();
    let (pattern, port) = super::host_port(first);
    if let Some(port) = port {
        vars.insert(
            "ansible_port".to_owned(),
            Var {
                value: Value::Str(port.to_owned()),
                at: at.clone(),
            },
        );
    }
    if pattern.contains('=') {
        return Err(format!(
            "`{first}` is not a host name (a host line starts with the host)"
        ));
    }
    for t in rest {
        let Some((k, v)) = t.split_once('=').filter(|(k, _)| !k.is_empty()) else {
            return Err(format!(
                "`{t}` after host `{first}` is not a `key=value` variable"
            ));
        };
        vars.insert(
            k.to_owned(),
            Var {
                value: literal(v),
                at: at.clone(),
            },
        );
    }
    let names = range::expand(pattern)?;
    Ok((names, vars))
}

/// Host-line values are Python literals to Ansible: numbers and booleans are typed.
fn literal(v: &str) -> Value {
    if let Ok(n) = v.parse::<i64>() {
        return Value::Int(n);
    }
    match v {
        "True" | "true" => Value::Bool(true),
        "False" | "false" => Value::Bool(false),
        _ => Value::Str(v.to_owned()),
    }
}

fn unquote(v: &str) -> String {
    for q in ['"', '\''] {
        if v.len() >= 2 && v.starts_with(q) && v.ends_with(q) {
            return v[1..v.len() - 1].to_owned();
        }
    }
    v.to_owned()
}

/// Split on blanks, honouring quotes (which are removed) and a `#` that starts a comment.
fn split(line: &str) -> Result<Vec<String>, String> {
    let mut tokens = Vec::new();
    let mut cur = String::new();
    let mut in_token = false;
    let mut chars = line.chars();
    while let Some(c) = chars.next() {
        match c {
            '#' if !in_token => break,
            c if c.is_whitespace() => {
                if in_token {
                    tokens.push(std::mem::take(&mut cur));
                    in_token = false;
                }
            }
            '"' | '\'' => {
                in_token = true;
                loop {
                    match chars.next() {
                        Some(x) if x == c => break,
                        Some('\\') if c == '"' => match chars.next() {
                            Some(x) => cur.push(x),
                            None => return Err(format!("unclosed {c} quote in `{line}`")),
                        },
                        Some(x) => cur.push(x),
                        None => return Err(format!("unclosed {c} quote in `{line}`")),
                    }
                }
            }
            c => {
                in_token = true;
                cur.push(c);
            }
        }
    }
    if in_token {
        tokens.push(cur);
    }
    Ok(tokens)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_str(text: &str) -> Result<Parsed, Vec<Problem>> {
        parse(Path::new("hosts"), text)
    }

    #[test]
    fn hosts_children_vars_ranges_and_ports() {
        let p = parse_str(
            "bastion ansible_host=10.0.0.1\n\
             [web]\n\
             web[01:02] ansible_user=\"ops team\" # front\n\
             db.example:2222\n\
             [prod:children]\n\
             web\n\
             [prod:vars]\n\
             ntp = 'pool.example'\n",
        )
        .expect("parses");
        let names: Vec<&str> = p.hosts.iter().map(|(h, _, _)| h.as_str()).collect();
        assert_eq!(names, ["bastion", "web01", "web02", "db.example"]);
        assert_eq!(p.groups["ungrouped"].hosts, ["bastion"]);
        assert_eq!(p.groups["prod"].children, ["web"]);
        assert_eq!(
            p.hosts[1].1["ansible_user"].value,
            Value::Str("ops team".into())
        );
        assert_eq!(
            p.hosts[3].1["ansible_port"].value,
            Value::Str("2222".into())
        );
        assert_eq!(
            p.groups["prod"].vars["ntp"].value,
            Value::Str("pool.example".into())
        );
    }

    /// Issue 17: commented-out host lines are counted; prose comments are not.
    #[test]
    fn commented_host_lines_are_counted() {
        let p = parse_str(
            "# This inventory describes a cluster\n[nodes]\n# node1 ansible_host=95.54.0.12  # ip=10.3.0.1\n\
             # node2.example\n# see the docs\n[nodes:vars]\n# x=1\n",
        )
        .expect("parses");
        assert!(p.hosts.is_empty());
        assert_eq!(p.commented_hosts, 2);
    }

    #[test]
    fn problems_name_their_line() {
        let err = parse_str("[web]\nweb01\n[web:kids]\nweb02 port\n[db:vars]\nnothing\nweb[3:1]\n")
            .expect_err("bad input");
        let lines: Vec<usize> = err.iter().map(|p| p.at.line).collect();
        assert_eq!(lines, [3, 4, 6, 7]);
        assert!(err[0].message.contains(":kids"), "{}", err[0].message);
    }

    /// Issue 17: a range and a port on one host (`host-[10:16].example.net:1234`).
    #[test]
    fn a_range_with_a_port_splits_the_port_off() {
        let p = parse_str("[e]\nhost-e-[10:11].example.net:1234\n").expect("parses");
        let names: Vec<&str> = p.hosts.iter().map(|(h, _, _)| h.as_str()).collect();
        assert_eq!(names, ["host-e-10.example.net", "host-e-11.example.net"]);
        assert_eq!(
            p.hosts[1].1["ansible_port"].value,
            Value::Str("1234".into())
        );
    }
}
