//! Policy packs: `policies/<pack>/*.toml`, one pack per regime, each file a list of
//! `[[control]]` tables (docs/policies.md is the reference).
//!
//! The shipped packs are built into the binary; a `-p/--policies DIR` that holds a pack folder
//! replaces that pack. Packs are read with the inventory's reader, so every problem of every
//! file is reported at once, located, with a hint.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

use serde::Deserialize;
use toml::Spanned;

use super::catalog::{AppliesTo, Check, Confidence, Control, Param, Severity, Source};
use super::rule::RawPred;
use crate::diag::{Diagnostic, Loc, Sources, suggest};
use crate::inventory::{LoadError, Regime};

/// The packs, by regime (contract: the folder names).
pub const PACKS: [(&str, Regime); 2] = [
    ("nd85-tt12-tcvn11930", Regime::Nd85),
    ("nd331-tcvn14423", Regime::Nd331),
];

macro_rules! embed {
    ($pack:literal, $file:literal) => {
        (
            $pack,
            $file,
            include_str!(concat!("../../policies/", $pack, "/", $file)),
        )
    };
}

/// The shipped packs' files, built in, in name order (the order a pack folder is read in).
const EMBEDDED: &[(&str, &str, &str)] = &[
    embed!("nd85-tt12-tcvn11930", "design.toml"),
    embed!("nd85-tt12-tcvn11930", "host.toml"),
    embed!("nd85-tt12-tcvn11930", "inventory.toml"),
    embed!("nd85-tt12-tcvn11930", "manual.toml"),
    embed!("nd85-tt12-tcvn11930", "meta.toml"),
    embed!("nd331-tcvn14423", "design.toml"),
    embed!("nd331-tcvn14423", "host.toml"),
    embed!("nd331-tcvn14423", "inventory.toml"),
    embed!("nd331-tcvn14423", "manual.toml"),
    embed!("nd331-tcvn14423", "meta.toml"),
];

/// The built-in evaluators a pack may name, and what they read.
pub const BUILTINS: &[(&str, Source)] = &[
    ("level-underclassified", Source::Inventory),
    ("dep-weaker-level", Source::Inventory),
    ("dep-cycle", Source::Inventory),
    ("ha-single-point", Source::Inventory),
    ("zone-placement", Source::Inventory),
    ("zone-required", Source::Inventory),
    ("backup-declared", Source::Inventory),
    ("backup-offsite", Source::Inventory),
    ("fourlayer-onsite", Source::Inventory),
    ("fourlayer-monitoring", Source::Inventory),
    ("fourlayer-assessment", Source::Inventory),
    ("fourlayer-national", Source::Inventory),
    ("fw-host-default-deny", Source::Host),
    ("fw-ipv6-parity", Source::Host),
    ("net-undeclared-port", Source::Host),
    ("ipv6-ready", Source::Host),
    ("ssh-root-login", Source::Host),
    ("ssh-password-auth", Source::Host),
    ("backup-job", Source::Host),
    ("backup-fresh", Source::Host),
    ("log-forward", Source::Host),
    ("agent-running", Source::Host),
    ("time-sync", Source::Host),
    ("waiver-expired", Source::Waivers),
    ("waiver-unused", Source::Waivers),
];

/// Both packs, loaded.
#[derive(Debug)]
pub struct Packs {
    nd85: &'static [Control],
    nd331: &'static [Control],
    /// Where they came from, for `controls` and reports.
    pub origin: &'static str,
    /// Every file read: `<pack>/<file>`, where it was read from, and its text (for evidence
    /// bundles).
    pub files: Vec<PackFile>,
}

/// One file of a pack as it was read.
#[derive(Debug)]
pub struct PackFile {
    /// `<pack>/<file name>`.
    pub name: String,
    /// The path it was read from, or "built in".
    pub origin: String,
    pub text: &'static str,
}

impl Packs {
    pub fn get(&self, regime: Regime) -> &'static [Control] {
        match regime {
            Regime::Nd85 => self.nd85,
            Regime::Nd331 => self.nd331,
        }
    }
}

fn leak(s: String) -> &'static str {
    Box::leak(s.into_boxed_str())
}

/// The shipped packs. They are checked by a test, so a problem here is a bug of capdo.
pub fn embedded() -> Packs {
    let mut sources = Sources::new();
    match load(&mut sources, |_| None) {
        Ok(p) => p,
        Err(LoadError::Invalid(d)) => panic!(
            "the built-in policy packs are invalid:\n{}",
            crate::diag::render_plain(&sources, &d)
        ),
        Err(LoadError::Io(e)) => panic!("the built-in policy packs cannot be read: {e}"),
    }
}

/// The packs under `dir`, each pack folder found there replacing the built-in one.
pub fn load_dir(dir: &Path, sources: &mut Sources) -> Result<Packs, LoadError> {
    load(sources, |pack| {
        let folder = dir.join(pack);
        folder.is_dir().then_some(folder)
    })
}

fn load(
    sources: &mut Sources,
    folder_of: impl Fn(&str) -> Option<PathBuf>,
) -> Result<Packs, LoadError> {
    let mut diags = Vec::new();
    let mut loaded: Vec<&'static [Control]> = Vec::new();
    let mut origins = Vec::new();
    let mut pack_files = Vec::new();
    for (pack, regime) in PACKS {
        let built_in = folder_of(pack).is_none();
        let files: Vec<(PathBuf, String)> = match folder_of(pack) {
            Some(folder) => {
                origins.push(folder.display().to_string());
                read_folder(&folder)?
            }
            None => {
                origins.push(format!("{pack} (built in)"));
                EMBEDDED
                    .iter()
                    .filter(|(p, _, _)| *p == pack)
                    .map(|(p, f, text)| (Path::new("policies").join(p).join(f), (*text).to_owned()))
                    .collect()
            }
        };
        let mut controls: Vec<Control> = Vec::new();
        let mut seen: HashMap<String, Loc> = HashMap::new();
        for (path, text) in files {
            let leaked = leak(text.clone());
            pack_files.push(PackFile {
                name: format!(
                    "{pack}/{}",
                    path.file_name()
                        .map_or_else(String::new, |n| n.to_string_lossy().into_owned())
                ),
                origin: if built_in {
                    "built in".to_owned()
                } else {
                    path.display().to_string()
                },
                text: leaked,
            });
            let file = sources.add(&path, text);
            let (entries, mut d) = crate::inventory::load::read_entries::<RawControl>(
                file, sources, "control", "control",
            );
            diags.append(&mut d);
            for (loc, raw, dropped) in entries {
                if let Some(c) = build(raw, &loc, &dropped, pack, regime, sources, &mut diags) {
                    if let Some(first) = seen.get(c.id) {
                        diags.push(
                            Diagnostic::new(
                                "duplicate-id",
                                format!("control `{}` is defined twice in pack {pack}", c.id),
                            )
                            .at(loc.clone(), "second definition")
                            .also(first.clone(), "first definition")
                            .hint("keep one definition; a control id is unique in its pack"),
                        );
                        continue;
                    }
                    seen.insert(c.id.to_owned(), loc);
                    controls.push(c);
                }
            }
        }
        loaded.push(Box::leak(controls.into_boxed_slice()));
    }
    if !diags.is_empty() {
        return Err(LoadError::Invalid(diags));
    }
    Ok(Packs {
        nd85: loaded[0],
        nd331: loaded[1],
        origin: leak(origins.join(", ")),
        files: pack_files,
    })
}

/// Every `*.toml` of a pack folder, by name.
fn read_folder(folder: &Path) -> Result<Vec<(PathBuf, String)>, LoadError> {
    let io = |e: String| LoadError::Io(anyhow::anyhow!(e));
    let mut paths: Vec<PathBuf> = std::fs::read_dir(folder)
        .map_err(|e| {
            io(format!(
                "cannot read policy pack `{}`: {e}",
                folder.display()
            ))
        })?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "toml") && p.is_file())
        .collect();
    paths.sort();
    paths
        .into_iter()
        .map(|p| {
            let bytes = std::fs::read(&p)
                .map_err(|e| io(format!("cannot read policy file `{}`: {e}", p.display())))?;
            let text = String::from_utf8(bytes)
                .map_err(|_| io(format!("policy file `{}` is not valid UTF-8", p.display())))?;
            Ok((p, text))
        })
        .collect()
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Text {
    vi: String,
    en: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Messages {
    pass: String,
    fail: String,
}

#[derive(Debug, Clone, Copy, Deserialize)]
#[serde(untagged)]
enum Num {
    Int(i64),
    Float(f64),
}

/// One `[[control]]` as written; required keys are optional here so that one missing key does
/// not hide the control's other problems.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawControl {
    id: Option<Spanned<String>>,
    source: Option<Source>,
    evaluator: Option<Spanned<String>>,
    applies_to: Option<AppliesTo>,
    levels: Option<Spanned<Vec<i64>>>,
    severity: Option<Severity>,
    title: Option<Text>,
    description: Option<String>,
    basis: Option<Spanned<Vec<String>>>,
    unconfirmed: Option<String>,
    remediation: Option<Text>,
    params: Option<BTreeMap<String, Spanned<BTreeMap<String, Num>>>>,
    when: Option<Spanned<RawPred>>,
    rule: Option<Spanned<RawPred>>,
    messages: Option<Messages>,
}

fn build(
    raw: RawControl,
    loc: &Loc,
    dropped: &[String],
    pack: &'static str,
    regime: Regime,
    sources: &Sources,
    diags: &mut Vec<Diagnostic>,
) -> Option<Control> {
    let at = |s: std::ops::Range<usize>| sources.locate(s);
    let before = diags.len();
    let keys = crate::inventory::load::MissingKeys {
        kind: "control",
        doc: "docs/policies.md",
        loc,
        dropped,
    };
    let mut missing = |key: &str, example: &str| keys.report(diags, key, example);
    let RawControl {
        id,
        source,
        evaluator,
        applies_to,
        levels,
        severity,
        title,
        description,
        basis,
        unconfirmed,
        remediation,
        params,
        when,
        rule,
        messages,
    } = raw;
    if id.is_none() {
        missing("id", "\"SSH-IDLE-TIMEOUT\"");
    }
    if source.is_none() {
        missing("source", "\"host\"");
    }
    if applies_to.is_none() {
        missing("applies_to", "\"server\"");
    }
    if levels.is_none() {
        missing("levels", "[1, 2, 3, 4, 5]");
    }
    if severity.is_none() {
        missing("severity", "\"medium\"");
    }
    if title.is_none() {
        missing("title", "{ vi = \"…\", en = \"…\" }");
    }
    if description.is_none() {
        missing("description", "\"…\"");
    }
    if remediation.is_none() {
        missing("remediation", "{ vi = \"…\", en = \"…\" }");
    }
    match &basis {
        None => missing("basis", "[\"TCVN 11930:2017 x.2.2.1\"]"),
        Some(b) if b.get_ref().iter().all(|s| s.trim().is_empty()) => diags.push(
            Diagnostic::new("no-basis", "a control must cite its legal basis")
                .at(at(b.span()), "empty")
                .hint("cite the article, clause or TCVN clause from regulations.md"),
        ),
        Some(_) => {}
    }
    if let Some(id) = &id {
        let ok = !id.get_ref().is_empty()
            && id
                .get_ref()
                .chars()
                .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '-');
        if !ok {
            diags.push(
                Diagnostic::new(
                    "bad-id",
                    format!("control id `{}` is not in the id style", id.get_ref()),
                )
                .at(at(id.span()), "upper-case letters, digits and `-` only")
                .hint("write ids like `SSH-IDLE-TIMEOUT`"),
            );
        }
    }
    let mut level_set = [false; 5];
    if let Some(ls) = &levels {
        for &l in ls.get_ref() {
            match usize::try_from(l) {
                Ok(i @ 1..=5) => level_set[i - 1] = true,
                _ => diags.push(
                    Diagnostic::new("bad-level", format!("level {l} is not 1–5"))
                        .at(at(ls.span()), "levels are 1 to 5")
                        .hint("list the levels the control applies at, e.g. [3, 4, 5]"),
                ),
            }
        }
        if ls.get_ref().is_empty() {
            diags.push(
                Diagnostic::new("bad-level", "a control applies at one level at least")
                    .at(at(ls.span()), "empty")
                    .hint("e.g. `levels = [1, 2, 3, 4, 5]`"),
            );
        }
    }

    // Parameters: one value per level the control applies at.
    let mut param_list = Vec::new();
    for (name, table) in params.unwrap_or_default() {
        let mut values = [None; 5];
        for (k, v) in table.get_ref() {
            let value = match *v {
                Num::Int(i) => i as f64,
                Num::Float(f) => f,
            };
            match k.parse::<usize>() {
                Ok(i @ 1..=5) => values[i - 1] = Some(value),
                _ => diags.push(
                    Diagnostic::new(
                        "bad-level",
                        format!("parameter `{name}` has a value for `{k}`, not a level"),
                    )
                    .at(at(table.span()), "keys are levels 1 to 5")
                    .hint(format!("write `{name} = {{ 3 = 90, 4 = 180 }}`")),
                ),
            }
        }
        let uncovered: Vec<String> = (1..=5)
            .filter(|&l| level_set[l - 1] && values[l - 1].is_none())
            .map(|l| l.to_string())
            .collect();
        if !uncovered.is_empty() {
            diags.push(
                Diagnostic::new(
                    "missing-param",
                    format!(
                        "parameter `{name}` has no value for level {}",
                        uncovered.join(", ")
                    ),
                )
                .at(
                    at(table.span()),
                    "one value per level the control applies at",
                )
                .hint("add the missing levels, or remove them from `levels`"),
            );
        }
        param_list.push(Param {
            name: leak(name),
            values,
        });
    }
    let param_names: Vec<&str> = param_list.iter().map(|p| p.name).collect();

    // How it is decided.
    let builtin = |name: &str| BUILTINS.iter().find(|(n, _)| *n == name);
    let check = match (source, evaluator, rule) {
        (Some(Source::Manual), None, None) => Some(Check::Manual),
        (Some(Source::Manual), _, _) => {
            diags.push(
                Diagnostic::new("bad-check", "a manual control has no `evaluator` or `rule`")
                    .at(loc.clone(), "manual")
                    .hint("it is reported as `manual` until a human attests it"),
            );
            None
        }
        (Some(src), Some(ev), None) => match builtin(ev.get_ref()) {
            Some((name, s)) if *s == src => Some(Check::Builtin(name)),
            Some((name, s)) => {
                diags.push(
                    Diagnostic::new(
                        "bad-check",
                        format!(
                            "evaluator `{name}` reads the {}, not the {}",
                            s.as_str(),
                            src.as_str()
                        ),
                    )
                    .at(at(ev.span()), "wrong source")
                    .hint(format!("set `source = \"{}\"`", s.as_str())),
                );
                None
            }
            None => {
                let hint = suggest(ev.get_ref(), BUILTINS.iter().map(|(n, _)| *n))
                    .unwrap_or_else(|| "docs/policies.md lists the built-in evaluators".into());
                diags.push(
                    Diagnostic::new(
                        "unknown-evaluator",
                        format!("unknown evaluator `{}`", ev.get_ref()),
                    )
                    .at(at(ev.span()), "no such built-in evaluator")
                    .hint(hint),
                );
                None
            }
        },
        (Some(src @ (Source::Host | Source::Inventory)), None, Some(r)) => {
            let span = r.span();
            let mut errors = Vec::new();
            let rule = r.into_inner().build(&param_names, &mut errors);
            let when = when.and_then(|w| {
                let mut e = Vec::new();
                let span = w.span();
                let built = w.into_inner().build(&param_names, &mut e);
                for m in e {
                    diags.push(
                        Diagnostic::new("bad-rule", m)
                            .at(at(span.clone()), "in `when`")
                            .hint("docs/policies.md describes predicates"),
                    );
                }
                built
            });
            for m in errors {
                diags.push(
                    Diagnostic::new("bad-rule", m)
                        .at(at(span.clone()), "in `rule`")
                        .hint("docs/policies.md describes predicates"),
                );
            }
            let targets_ok = match src {
                Source::Host => applies_to == Some(AppliesTo::Server),
                _ => matches!(applies_to, Some(AppliesTo::Server | AppliesTo::System)),
            };
            if !targets_ok {
                diags.push(
                    Diagnostic::new(
                        "bad-check",
                        "a rule applies to servers (host facts) or to servers and systems (inventory)",
                    )
                    .at(loc.clone(), "`applies_to`")
                    .hint("set `applies_to = \"server\"` or `\"system\"`"),
                );
            }
            match messages {
                Some(m) => rule.map(|rule| Check::Rule {
                    when,
                    rule,
                    pass: leak(m.pass),
                    fail: leak(m.fail),
                }),
                None => {
                    missing_messages(loc, diags);
                    None
                }
            }
        }
        (Some(_), Some(ev), Some(_)) => {
            diags.push(
                Diagnostic::new(
                    "bad-check",
                    "a control has an `evaluator` or a `rule`, not both",
                )
                .at(at(ev.span()), "here")
                .hint("remove one of them"),
            );
            None
        }
        (Some(src), None, None) => {
            diags.push(
                Diagnostic::new("bad-check", "the control says nothing of how it is decided")
                    .at(loc.clone(), "no `evaluator` or `rule`")
                    .hint(match src {
                        Source::Waivers => {
                            "name a built-in evaluator: `evaluator = \"waiver-expired\"`"
                        }
                        _ => "add `rule = { fact = \"…\", eq = … }` or `evaluator = \"…\"`",
                    }),
            );
            None
        }
        (Some(Source::Waivers), None, Some(r)) => {
            diags.push(
                Diagnostic::new("bad-check", "waiver controls use a built-in evaluator")
                    .at(at(r.span()), "a rule cannot judge waivers")
                    .hint("use `evaluator = \"waiver-expired\"` or `\"waiver-unused\"`"),
            );
            None
        }
        (None, _, _) => None,
    };
    if diags.len() > before {
        return None;
    }
    let (id, source, applies_to, severity, title, description, basis, remediation, check) = (
        id?,
        source?,
        applies_to?,
        severity?,
        title?,
        description?,
        basis?,
        remediation?,
        check?,
    );
    let line = sources.line_col(loc);
    Some(Control {
        id: leak(id.into_inner()),
        pack,
        regime,
        source,
        title_vi: leak(title.vi),
        title_en: leak(title.en),
        applies_to,
        levels: level_set,
        severity,
        description: leak(description),
        basis: Box::leak(
            basis
                .into_inner()
                .into_iter()
                .map(leak)
                .collect::<Vec<_>>()
                .into_boxed_slice(),
        ),
        remediation_vi: leak(remediation.vi),
        remediation_en: leak(remediation.en),
        confidence: match unconfirmed {
            Some(why) => Confidence::Unconfirmed(leak(why)),
            None => Confidence::Confirmed,
        },
        params: param_list,
        check,
        defined_at: leak(format!("{}:{}", line.file, line.line)),
    })
}

fn missing_messages(loc: &Loc, diags: &mut Vec<Diagnostic>) {
    diags.push(
        Diagnostic::new("missing-key", "a rule needs `messages`")
            .at(loc.clone(), "`messages` is required with `rule`")
            .hint("add `messages = { pass = \"{target} …\", fail = \"{target} …\" }`"),
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shipped_packs_load_and_share_ids() {
        let packs = embedded();
        for (_, regime) in PACKS {
            assert!(!packs.get(regime).is_empty());
        }
        // The core ids of DESIGN.md are in both packs.
        for id in [
            "FW-HOST-DEFAULT-DENY",
            "LEVEL-UNDERCLASSIFIED",
            "FOURLAYER-NATIONAL",
        ] {
            for (_, regime) in PACKS {
                assert!(
                    packs.get(regime).iter().any(|c| c.id == id),
                    "{id} in {regime:?}"
                );
            }
        }
    }

    #[test]
    fn every_builtin_is_used() {
        let packs = embedded();
        for (name, _) in BUILTINS {
            let used = PACKS.iter().any(|(_, r)| {
                packs
                    .get(*r)
                    .iter()
                    .any(|c| matches!(c.check, Check::Builtin(n) if n == *name))
            });
            assert!(used, "built-in evaluator {name} is named by no control");
        }
    }
}
