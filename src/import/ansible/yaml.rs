//! Ansible's YAML inventory format and the YAML variable files of `group_vars/` and
//! `host_vars/`, read with saphyr so every node keeps its line.

use std::path::Path;

use saphyr::{LoadableYamlNode, MarkedYaml, Scalar, YamlData};

use super::{Origin, Parsed, Problem, Value, Var, Vars, range};

type Node<'a> = MarkedYaml<'a>;

/// Deeper block nesting than this is refused before parsing: the YAML loader recurses on
/// nesting, and no inventory comes near it.
const MAX_NESTING: usize = 256;

fn load<'a>(file: &Path, text: &'a str) -> Result<Option<Node<'a>>, Vec<Problem>> {
    for (i, line) in text.lines().enumerate() {
        // Indentation, counting the `- ` of compact nested sequences.
        let rest = line.trim_start_matches([' ', '-']);
        if line.len() - rest.len() > MAX_NESTING {
            return Err(vec![Problem {
                at: Origin {
                    file: file.to_owned(),
                    line: i + 1,
                },
                message: format!("nesting deeper than {MAX_NESTING} levels"),
            }]);
        }
    }
    let docs = Node::load_from_str(text.trim_start_matches('\u{feff}')).map_err(|e| {
        vec![Problem {
            at: Origin {
                file: file.to_owned(),
                line: e.marker().line(),
            },
            message: format!("not valid YAML: {}", e.info()),
        }]
    })?;
    Ok(docs.into_iter().next())
}

fn at(file: &Path, node: &Node<'_>) -> Origin {
    Origin {
        file: file.to_owned(),
        line: node.span.start.line(),
    }
}

fn is_null(node: &Node<'_>) -> bool {
    matches!(node.data, YamlData::Value(Scalar::Null))
}

/// A scalar as text (keys, host names).
fn text(node: &Node<'_>) -> Option<String> {
    match &node.data {
        YamlData::Value(s) => Some(match s {
            Scalar::Null => return None,
            Scalar::Boolean(b) => b.to_string(),
            Scalar::Integer(n) => n.to_string(),
            Scalar::FloatingPoint(f) => f.to_string(),
            Scalar::String(s) => s.to_string(),
        }),
        YamlData::Representation(s, _, _) => Some(s.to_string()),
        _ => None,
    }
}

fn value(node: &Node<'_>) -> Value {
    match &node.data {
        YamlData::Value(Scalar::Boolean(b)) => Value::Bool(*b),
        YamlData::Value(Scalar::Integer(n)) => Value::Int(*n),
        YamlData::Value(Scalar::Null) => Value::Other,
        _ => text(node).map(Value::Str).unwrap_or(Value::Other),
    }
}

/// The mapping at `node`, or a problem saying what was expected (`null` is an empty one).
fn mapping<'n, 'a>(
    file: &Path,
    node: &'n Node<'a>,
    what: &str,
    problems: &mut Vec<Problem>,
) -> Vec<(&'n Node<'a>, &'n Node<'a>)> {
    match &node.data {
        YamlData::Mapping(m) => m.iter().collect(),
        _ if is_null(node) => Vec::new(),
        _ => {
            problems.push(Problem {
                at: at(file, node),
                message: format!("{what} must be a mapping"),
            });
            Vec::new()
        }
    }
}

fn vars_of(file: &Path, node: &Node<'_>, what: &str, problems: &mut Vec<Problem>) -> Vars {
    let mut vars = Vars::new();
    for (k, v) in mapping(file, node, what, problems) {
        match text(k) {
            Some(name) => {
                vars.insert(
                    name,
                    Var {
                        value: value(v),
                        at: at(file, k),
                    },
                );
            }
            None => problems.push(Problem {
                at: at(file, k),
                message: format!("a key of {what} is not a name"),
            }),
        }
    }
    vars
}

/// A YAML inventory: top-level keys are groups (usually only `all`), each with optional
/// `hosts`, `children` and `vars`.
pub fn parse_inventory(file: &Path, text_in: &str) -> Result<Parsed, Vec<Problem>> {
    let mut out = Parsed::default();
    let mut problems = Vec::new();
    let Some(root) = load(file, text_in)? else {
        return Ok(out);
    };
    for (k, v) in mapping(file, &root, "the inventory", &mut problems) {
        group(file, k, v, &mut out, &mut problems);
    }
    if problems.is_empty() {
        Ok(out)
    } else {
        Err(problems)
    }
}

fn group(
    file: &Path,
    key: &Node<'_>,
    node: &Node<'_>,
    out: &mut Parsed,
    problems: &mut Vec<Problem>,
) -> Option<String> {
    let Some(name) = text(key).filter(|n| !n.is_empty() && !n.contains(char::is_whitespace)) else {
        problems.push(Problem {
            at: at(file, key),
            message: "a group name must be a word".to_owned(),
        });
        return None;
    };
    let here = at(file, key);
    out.group(&name, &here);
    let what = format!("group `{name}`");
    for (k, v) in mapping(file, node, &what, problems) {
        match text(k).as_deref() {
            Some("hosts") => {
                for (h, hv) in mapping(file, v, &format!("`hosts` of {what}"), problems) {
                    let Some(pattern) = text(h) else {
                        problems.push(Problem {
                            at: at(file, h),
                            message: format!("a host of {what} is not a name"),
                        });
                        continue;
                    };
                    let mut vars = vars_of(file, hv, &format!("host `{pattern}`"), problems);
                    // `host:2222` as a key: the port is Ansible's `ansible_port`, unless the
                    // host's own variables set it.
                    let (pattern, port) = match super::host_port(&pattern) {
                        (p, Some(port)) => (p.to_owned(), Some(port.to_owned())),
                        (p, None) => (p.to_owned(), None),
                    };
                    if let Some(port) = port {
                        vars.entry("ansible_port".to_owned()).or_insert(Var {
                            value: Value::Str(port),
                            at: at(file, h),
                        });
                    }
                    match range::expand(&pattern) {
                        Ok(names) => {
                            for n in names {
                                out.add_host(&name, &n, vars.clone(), at(file, h));
                            }
                        }
                        Err(m) => problems.push(Problem {
                            at: at(file, h),
                            message: m,
                        }),
                    }
                }
            }
            Some("children") => {
                for (c, cv) in mapping(file, v, &format!("`children` of {what}"), problems) {
                    if let Some(child) = group(file, c, cv, out, problems) {
                        let g = out.group(&name, &here);
                        if !g.children.contains(&child) {
                            g.children.push(child);
                        }
                    }
                }
            }
            Some("vars") => {
                let vars = vars_of(file, v, &format!("`vars` of {what}"), problems);
                out.group(&name, &here).vars.extend(vars);
            }
            other => problems.push(Problem {
                at: at(file, k),
                message: format!(
                    "`{}` in {what} is not `hosts`, `children` or `vars`",
                    other.unwrap_or("?")
                ),
            }),
        }
    }
    Some(name)
}

/// A `group_vars/` or `host_vars/` file: one mapping of variables (empty is fine).
pub fn parse_vars_file(file: &Path, text_in: &str) -> Result<Vars, Vec<Problem>> {
    let mut problems = Vec::new();
    let vars = match load(file, text_in)? {
        Some(root) => vars_of(file, &root, "a variables file", &mut problems),
        None => Vars::new(),
    };
    if problems.is_empty() {
        Ok(vars)
    } else {
        Err(problems)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn groups_children_hosts_and_vars_keep_lines() {
        let p = parse_inventory(
            Path::new("inv.yml"),
            "all:\n  vars:\n    ansible_user: ops\n  children:\n    web:\n      hosts:\n        web[1:2]:\n          ansible_port: 2222\n        api:\n",
        )
        .expect("parses");
        let names: Vec<&str> = p.hosts.iter().map(|(h, _, _)| h.as_str()).collect();
        assert_eq!(names, ["web1", "web2", "api"]);
        assert_eq!(p.groups["all"].children, ["web"]);
        assert_eq!(p.hosts[0].1["ansible_port"].value, Value::Int(2222));
        assert_eq!(p.hosts[0].1["ansible_port"].at.line, 8);
        assert_eq!(p.groups["all"].vars["ansible_user"].at.line, 3);
    }

    /// Issue 17: a host key with a port (`db:2222`) is the host `db` on port 2222.
    #[test]
    fn host_keys_with_a_port_are_split() {
        let p = parse_inventory(
            Path::new("inv.yml"),
            "all:\n  hosts:\n    db.example:2222:\n    web[1:2]:2200:\n      x: 1\n",
        )
        .expect("parses");
        let names: Vec<&str> = p.hosts.iter().map(|(h, _, _)| h.as_str()).collect();
        assert_eq!(names, ["db.example", "web1", "web2"]);
        assert_eq!(
            p.hosts[0].1["ansible_port"].value,
            Value::Str("2222".into())
        );
        assert_eq!(
            p.hosts[2].1["ansible_port"].value,
            Value::Str("2200".into())
        );
    }

    #[test]
    fn bad_shapes_name_their_line() {
        let err =
            parse_inventory(Path::new("inv.yml"), "all:\n  hostz:\n    a:\n").expect_err("bad key");
        assert_eq!(err[0].at.line, 2);
        let err =
            parse_inventory(Path::new("inv.yml"), "all:\n  hosts: [a, b]\n").expect_err("list");
        assert_eq!(err[0].at.line, 2);
        let err = parse_inventory(Path::new("inv.yml"), "all:\n  hosts:\n    a: {\n")
            .expect_err("syntax");
        assert!(
            err[0].message.starts_with("not valid YAML"),
            "{}",
            err[0].message
        );
    }
}
