//! The layout of the code, as docs/architecture.md draws it, kept true by a test:
//! - no module imports a sibling that imports it back (the pipeline runs one way);
//! - no file in `src/` has more than 1,000 lines outside its tests;
//! - `src/cli/` is an adapter: it evaluates nothing, renders no template, discovers no SSH
//!   settings, escapes nothing itself.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

type Module = Vec<String>;

/// Every `.rs` file under `src/`, as (module path, text without its tests and comments).
/// Modules that exist only for tests (`#[cfg(test)] mod x;`) are left out.
fn modules() -> BTreeMap<Module, String> {
    fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
        for e in std::fs::read_dir(dir).expect("src") {
            let p = e.expect("entry").path();
            if p.is_dir() {
                walk(&p, out);
            } else if p.extension().is_some_and(|x| x == "rs") {
                out.push(p);
            }
        }
    }
    let mut files = Vec::new();
    walk(Path::new("src"), &mut files);
    let module_of = |p: &Path| -> Module {
        let rel = p.strip_prefix("src").expect("under src").with_extension("");
        let mut parts: Module = rel
            .components()
            .map(|c| c.as_os_str().to_string_lossy().into_owned())
            .collect();
        if matches!(
            parts.last().map(String::as_str),
            Some("mod" | "lib" | "main")
        ) {
            parts.pop();
        }
        parts
    };
    let test_only =
        regex::Regex::new(r"#\[cfg\(test\)\]\s*(?:pub(?:\([a-z]+\))?\s+)?mod\s+(\w+)\s*;")
            .expect("regex");
    let mut skip = BTreeSet::new();
    let mut out = BTreeMap::new();
    for f in &files {
        let full = std::fs::read_to_string(f).expect("read");
        let m = module_of(f);
        for c in test_only.captures_iter(&full) {
            let mut t = m.clone();
            t.push(c[1].to_owned());
            skip.insert(t);
        }
        let code = full.split("#[cfg(test)]").next().unwrap_or("");
        let code: String = code
            .lines()
            .map(|l| l.split("//").next().unwrap_or(""))
            .collect::<Vec<_>>()
            .join("\n");
        out.insert(m, code);
    }
    out.retain(|m, _| !skip.contains(m));
    out
}

/// The modules each module names (`crate::…`, `super::…`, `use crate::a::{b, c}`).
fn imports(mods: &BTreeMap<Module, String>) -> BTreeSet<(Module, Module)> {
    let path =
        regex::Regex::new(r"\b((?:crate|super|self)(?:::(?:super|[A-Za-z_][A-Za-z0-9_]*))+)")
            .expect("regex");
    let group =
        regex::Regex::new(r"(?s)use\s+((?:crate|super)(?:::\w+)*)::\{([^;]*)\};").expect("regex");
    let resolve = |from: &Module, text: &str| -> Option<Module> {
        let mut parts = text.split("::").peekable();
        let mut base: Module = match parts.next()? {
            "crate" => Vec::new(),
            "self" => from.clone(),
            "super" => {
                let mut b = from.clone();
                b.pop();
                while parts.peek() == Some(&"super") {
                    parts.next();
                    b.pop();
                }
                b
            }
            _ => return None,
        };
        base.extend(parts.map(str::to_owned));
        (0..=base.len())
            .rev()
            .map(|n| base[..n].to_vec())
            .find(|m| mods.contains_key(m))
    };
    let mut edges = BTreeSet::new();
    for (m, text) in mods {
        for c in path.captures_iter(text) {
            if let Some(t) = resolve(m, &c[1]).filter(|t| t != m) {
                edges.insert((m.clone(), t));
            }
        }
        for c in group.captures_iter(text) {
            for item in c[2].split([',', '{', '}', ' ', '\n']) {
                let item = item.split("::").next().unwrap_or("");
                if item.is_empty() || item == "self" {
                    continue;
                }
                if let Some(t) = resolve(m, &format!("{}::{item}", &c[1])).filter(|t| t != m) {
                    edges.insert((m.clone(), t));
                }
            }
        }
    }
    edges
}

#[test]
fn no_module_imports_a_sibling_that_imports_it_back() {
    let mods = modules();
    // An import between two modules counts between the children of their common ancestor
    // (`policy::builtin::x` using `policy::catalog` is `builtin` using `catalog`); a module
    // using its own parent or child is not a cycle of siblings.
    let lifted: BTreeSet<(Module, Module)> = imports(&mods)
        .into_iter()
        .filter_map(|(a, b)| {
            let n = a.iter().zip(&b).take_while(|(x, y)| x == y).count();
            (n < a.len() && n < b.len()).then(|| (a[..=n].to_vec(), b[..=n].to_vec()))
        })
        .collect();
    let both: Vec<String> = lifted
        .iter()
        .filter(|(a, b)| a < b && lifted.contains(&(b.clone(), a.clone())))
        .map(|(a, b)| format!("{} <-> {}", a.join("::"), b.join("::")))
        .collect();
    assert!(both.is_empty(), "modules importing each other: {both:#?}");
    // The check sees real imports: the CLI uses the check use case.
    assert!(lifted.contains(&(vec!["cli".into()], vec!["check".into()])));
}

#[test]
fn no_source_file_is_over_1000_lines_outside_its_tests() {
    let mods = modules();
    let long: Vec<String> = mods
        .iter()
        .map(|(m, text)| (m.join("::"), text.lines().count()))
        .filter(|(_, n)| *n > 1000)
        .map(|(m, n)| format!("{m}: {n} lines"))
        .collect();
    assert!(long.is_empty(), "{long:#?}");
}

#[test]
fn the_command_line_holds_no_domain_logic() {
    // What belongs to the stages, not to the adapter that calls them.
    let forbidden = [
        ("evaluate(", "evaluation belongs to policy / check"),
        (
            "Handlebars",
            "templates belong to template / report / dossier / render",
        ),
        ("SshConfig", "SSH discovery belongs to collect::hosts"),
        ("HOME", "SSH discovery belongs to collect::hosts"),
        ("escape::", "escaping belongs to the writers"),
        (
            "mark_transition_debt",
            "the check use case marks transition debt",
        ),
        ("waiver::apply", "the check use case applies waivers"),
    ];
    let mods = modules();
    let mut found = Vec::new();
    for (m, text) in mods
        .iter()
        .filter(|(m, _)| m.first().is_some_and(|f| f == "cli"))
    {
        for (word, why) in forbidden {
            if text.contains(word) {
                found.push(format!("{}: `{word}` ({why})", m.join("::")));
            }
        }
    }
    assert!(found.is_empty(), "{found:#?}");
}
