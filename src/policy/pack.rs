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

use std::sync::Arc;

use super::catalog::{
    AppliesTo, Basis, Builtin, Catalog, Check, Confidence, Control, Param, Severity, Source,
};
use super::rule::{Name, RawPred};
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
    embed!("nd85-tt12-tcvn11930", "assets.toml"),
    embed!("nd85-tt12-tcvn11930", "design.toml"),
    embed!("nd85-tt12-tcvn11930", "host.toml"),
    embed!("nd85-tt12-tcvn11930", "inventory.toml"),
    embed!("nd85-tt12-tcvn11930", "manual.toml"),
    embed!("nd85-tt12-tcvn11930", "meta.toml"),
    embed!("nd331-tcvn14423", "assets.toml"),
    embed!("nd331-tcvn14423", "design.toml"),
    embed!("nd331-tcvn14423", "host.toml"),
    embed!("nd331-tcvn14423", "inventory.toml"),
    embed!("nd331-tcvn14423", "manual.toml"),
    embed!("nd331-tcvn14423", "meta.toml"),
];

pub use super::catalog::PackFile;

/// The shipped packs. They are checked by a test, so a problem here is a bug of capdo.
pub fn embedded() -> Catalog {
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
pub fn load_dir(dir: &Path, sources: &mut Sources) -> Result<Catalog, LoadError> {
    load(sources, |pack| {
        let folder = dir.join(pack);
        folder.is_dir().then_some(folder)
    })
}

/// One pack written inline (`Catalog::from_pack`): the pack of `regime`, the other one empty.
pub fn from_text(regime: Regime, text: &str, sources: &mut Sources) -> Result<Catalog, LoadError> {
    let mut diags = Vec::new();
    let mut pack_files = Vec::new();
    let (pack, _) = PACKS
        .into_iter()
        .find(|(_, r)| *r == regime)
        .unwrap_or(PACKS[0]);
    let files = vec![(PathBuf::from(format!("{pack}.toml")), text.to_owned())];
    let controls = read_pack(
        pack,
        regime,
        files,
        true,
        sources,
        &mut pack_files,
        &mut diags,
    );
    if !diags.is_empty() {
        return Err(LoadError::Invalid(diags));
    }
    let mut catalog = Catalog {
        origin: format!("{pack} (inline)"),
        files: pack_files,
        ..Catalog::default()
    };
    match regime {
        Regime::Nd85 => catalog.nd85 = controls,
        Regime::Nd331 => catalog.nd331 = controls,
    }
    Ok(catalog)
}

fn load(
    sources: &mut Sources,
    folder_of: impl Fn(&str) -> Option<PathBuf>,
) -> Result<Catalog, LoadError> {
    let mut diags = Vec::new();
    let mut loaded: Vec<Vec<Arc<Control>>> = Vec::new();
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
        loaded.push(read_pack(
            pack,
            regime,
            files,
            built_in,
            sources,
            &mut pack_files,
            &mut diags,
        ));
    }
    if !diags.is_empty() {
        return Err(LoadError::Invalid(diags));
    }
    let nd331 = loaded.pop().unwrap_or_default();
    let nd85 = loaded.pop().unwrap_or_default();
    Ok(Catalog {
        nd85,
        nd331,
        origin: origins.join(", "),
        files: pack_files,
    })
}

/// The controls of one pack's files; problems go to `diags`.
fn read_pack(
    pack: &'static str,
    regime: Regime,
    files: Vec<(PathBuf, String)>,
    built_in: bool,
    sources: &mut Sources,
    pack_files: &mut Vec<PackFile>,
    diags: &mut Vec<Diagnostic>,
) -> Vec<Arc<Control>> {
    let mut controls: Vec<Arc<Control>> = Vec::new();
    let mut seen: HashMap<String, Loc> = HashMap::new();
    for (path, text) in files {
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
            text: text.clone(),
        });
        let file = sources.add(&path, text);
        let (entries, mut d) =
            crate::inventory::load::read_entries::<RawControl>(file, sources, "control", "control");
        diags.append(&mut d);
        for (loc, raw, dropped) in entries {
            if let Some(c) = build(raw, &loc, &dropped, pack, regime, sources, diags) {
                if let Some(first) = seen.get(&c.id) {
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
                seen.insert(c.id.clone(), loc);
                controls.push(Arc::new(c));
            }
        }
    }
    controls
}

/// Largest policy file read.
const MAX_PACK_FILE: u64 = 4 << 20;

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
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        .collect();
    paths.sort();
    // Each file is read only if it is a regular file inside the policies folder (a link
    // leaving it, a FIFO or a device is refused, never followed or waited on).
    paths
        .into_iter()
        .map(|p| {
            let root = folder.parent().unwrap_or(folder);
            let text = crate::infile::read_text(&p, root, MAX_PACK_FILE)
                .map_err(|why| io(format!("cannot read policy file `{}`: {why}", p.display())))?;
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
        None => missing(
            "basis",
            "[\"NĐ 331/2026 Đ30\", \"@tcvn14423/account.password\"]",
        ),
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
    let cites = basis
        .as_ref()
        .map(|b| cites(b, level_set, &at, diags))
        .unwrap_or_default();

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
        param_list.push(Param { name, values });
    }
    let param_names: Vec<&str> = param_list.iter().map(|p| p.name.as_str()).collect();

    // How it is decided.
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
        (Some(src), Some(ev), None) => match Builtin::from_name(ev.get_ref()) {
            Some(b) if b.source() == src => Some(Check::Builtin(b)),
            Some(b) => {
                diags.push(
                    Diagnostic::new(
                        "bad-check",
                        format!(
                            "evaluator `{}` reads the {}, not the {}",
                            b.name(),
                            b.source().as_str(),
                            src.as_str()
                        ),
                    )
                    .at(at(ev.span()), "wrong source")
                    .hint(format!("set `source = \"{}\"`", b.source().as_str())),
                );
                None
            }
            None => {
                let hint = suggest(ev.get_ref(), Builtin::ALL.iter().map(|b| b.name()))
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
            // The facts and attributes it names, checked against the ones that exist.
            let mut names = Vec::new();
            r.get_ref().names(&mut names);
            if let Some(w) = &when {
                w.get_ref().names(&mut names);
            }
            check_names(&names, applies_to, sources, diags);
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
                    pass: m.pass,
                    fail: m.fail,
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
    let (id, source, applies_to, severity, title, description, _basis, remediation, check) = (
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
        id: id.into_inner(),
        pack,
        regime,
        source,
        title_vi: title.vi,
        title_en: title.en,
        applies_to,
        levels: level_set,
        severity,
        description,
        basis: cites.iter().map(|c| c.over(level_set)).collect(),
        cites,
        remediation_vi: remediation.vi,
        remediation_en: remediation.en,
        confidence: match unconfirmed {
            Some(why) => Confidence::Unconfirmed(why),
            None => Confidence::Confirmed,
        },
        params: param_list,
        check,
        defined_at: format!("{}:{}", line.file, line.line),
    })
}

/// A fact a rule reads must be one the collector records (`facts.<server>` of the report), and
/// an attribute one of the target's kind: a misspelt name would otherwise make the control an
/// `error` (or read null) on every host instead of being caught here.
fn check_names(
    names: &[Name],
    applies_to: Option<AppliesTo>,
    sources: &Sources,
    diags: &mut Vec<Diagnostic>,
) {
    for name in names {
        match name {
            Name::Fact(fact) => {
                let text = fact.get_ref().as_str();
                if crate::collect::host::FACT_NAMES.contains(&text) {
                    continue;
                }
                diags.push(
                    Diagnostic::new("unknown-fact", format!("unknown fact `{text}`"))
                        .at(
                            sources.locate(fact.span()),
                            "the collector records no such fact",
                        )
                        .hint(
                            suggest(text, crate::collect::host::FACT_NAMES.iter().copied())
                                .unwrap_or_else(|| "docs/collector.md lists the facts".into()),
                        ),
                );
            }
            Name::Attr(attr) => {
                let text = attr.get_ref().as_str();
                let (kind, known) = match applies_to {
                    Some(AppliesTo::Server) => ("server", super::declarative::SERVER_ATTRS),
                    Some(AppliesTo::System) => ("system", super::declarative::SYSTEM_ATTRS),
                    // A rule on another kind is reported as such (`bad-check`).
                    _ => continue,
                };
                if known.contains(&text) {
                    continue;
                }
                diags.push(
                    Diagnostic::new(
                        "unknown-attribute",
                        format!("unknown attribute `{text}` of a {kind}"),
                    )
                    .at(
                        sources.locate(attr.span()),
                        format!("not an attribute of a {kind}"),
                    )
                    .hint(suggest(text, known.iter().copied()).unwrap_or_else(|| {
                        "docs/policies.md lists the inventory attributes".into()
                    })),
                );
            }
        }
    }
}

fn missing_messages(loc: &Loc, diags: &mut Vec<Diagnostic>) {
    diags.push(
        Diagnostic::new("missing-key", "a rule needs `messages`")
            .at(loc.clone(), "`messages` is required with `rule`")
            .hint("add `messages = { pass = \"{target} …\", fail = \"{target} …\" }`"),
    );
}

/// How a catalog is made: from the shipped packs, from a policies folder, or from one pack
/// written inline.
impl Catalog {
    /// The shipped packs, built into the binary. They are checked by a test, so a problem here
    /// is a bug of capdo (and panics).
    pub fn embedded() -> Catalog {
        embedded()
    }

    /// The packs found under `dir` (`-p/--policies`), each pack folder there replacing the
    /// built-in one. Problems in a pack on disk are returned located, every one at once.
    pub fn load(dir: &Path, sources: &mut Sources) -> Result<Catalog, LoadError> {
        load_dir(dir, sources)
    }

    /// A catalog of one pack written inline (the other regime's pack is empty): for tests and
    /// tools. The problems come back rendered as text.
    pub fn from_pack(regime: Regime, toml: &str) -> Result<Catalog, String> {
        let mut sources = Sources::new();
        from_text(regime, toml, &mut sources).map_err(|e| match e {
            LoadError::Invalid(d) => crate::diag::render_plain(&sources, &d),
            LoadError::Io(e) => format!("{e:#}"),
        })
    }
}

/// A control's `basis` as written: text, or `@standard/item` citations resolved against the
/// law tables ([`super::law`]). A citation must name a known item that the standard has at
/// every level the control applies at; a `x.` clause pattern is refused (clause numbers are
/// data, never made by substituting the level).
fn cites(
    basis: &Spanned<Vec<String>>,
    levels: [bool; 5],
    at: &dyn Fn(std::ops::Range<usize>) -> Loc,
    diags: &mut Vec<Diagnostic>,
) -> Vec<Basis> {
    let mut out = Vec::new();
    for text in basis.get_ref() {
        if let Some(reference) = text.strip_prefix('@') {
            match super::law::resolve(reference) {
                Ok(cite) => {
                    let applies: Vec<crate::inventory::Level> = (1..=5u8)
                        .filter(|&l| levels[l as usize - 1])
                        .filter_map(|l| crate::inventory::Level::new(l.into()))
                        .collect();
                    let absent = applies
                        .iter()
                        .all(|&l| cite.clause(l) == super::law::Clause::Absent);
                    if absent && !applies.is_empty() {
                        diags.push(
                            Diagnostic::new(
                                "bad-basis",
                                format!(
                                    "`{text}` has no clause at any level the control applies at (regulations.md: \"–\")"
                                ),
                            )
                            .at(at(basis.span()), "cited here")
                            .hint("cite an item the standard has at those levels, or widen `levels`"),
                        );
                    }
                    out.push(Basis::Law(cite));
                }
                Err(e) => diags.push(
                    Diagnostic::new("bad-basis", format!("`{text}`: {e}"))
                        .at(at(basis.span()), "cited here")
                        .hint("the items are in src/policy/law.rs and docs/policies.md"),
                ),
            }
        } else if text.contains(" x.") {
            diags.push(
                Diagnostic::new(
                    "bad-basis",
                    format!("`{text}`: a clause pattern with `x.` is not a clause"),
                )
                .at(at(basis.span()), "cited here")
                .hint("TCVN numbers items differently per level: cite `@tcvn11930/ITEM` or `@tcvn14423/ITEM` (docs/policies.md)"),
            );
        } else {
            out.push(Basis::Text(text.clone()));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shipped_packs_load_and_share_ids() {
        let packs = embedded();
        for (_, regime) in PACKS {
            assert!(!packs.controls(regime).is_empty());
        }
        // The core ids of DESIGN.md are in both packs.
        for id in [
            "FW-HOST-DEFAULT-DENY",
            "LEVEL-UNDERCLASSIFIED",
            "FOURLAYER-NATIONAL",
        ] {
            for (_, regime) in PACKS {
                assert!(
                    packs.controls(regime).iter().any(|c| c.id == id),
                    "{id} in {regime:?}"
                );
            }
        }
    }

    #[test]
    fn every_builtin_is_used() {
        let packs = embedded();
        for b in Builtin::ALL {
            let used = PACKS.iter().any(|(_, r)| packs.by_builtin(*r, b).is_some());
            assert!(
                used,
                "built-in evaluator {} is named by no control",
                b.name()
            );
        }
    }

    const ONE: &str = r#"[[control]]
id = "TIME-SYNC"
source = "host"
evaluator = "time-sync"
applies_to = "server"
levels = [1, 2, 3, 4, 5]
severity = "medium"
title = { vi = "x", en = "x" }
description = "x"
basis = ["x"]
remediation = { vi = "x", en = "x" }
"#;

    #[test]
    fn a_test_builds_a_catalog_of_one_pack_in_one_line() {
        let c = Catalog::from_pack(Regime::Nd331, ONE).expect("valid");
        assert_eq!(c.all_ids(), ["TIME-SYNC"]);
        assert!(c.controls(Regime::Nd85).is_empty());
        let b = Builtin::Host(crate::policy::builtin::HostBuiltin::TimeSync);
        assert_eq!(
            c.by_builtin(Regime::Nd331, b).map(|c| c.id.as_str()),
            Some("TIME-SYNC")
        );
        // Two catalogs live side by side.
        let shipped = Catalog::embedded();
        assert!(shipped.controls(Regime::Nd85).len() > 1);
    }

    #[test]
    fn an_unknown_evaluator_is_a_located_pack_problem_with_a_suggestion() {
        let bad = ONE.replace("\"time-sync\"", "\"time-synch\"");
        let e = Catalog::from_pack(Regime::Nd331, &bad).expect_err("invalid");
        assert!(e.contains("unknown evaluator `time-synch`"), "{e}");
        assert!(e.contains(":4:13"), "{e}");
        assert!(e.contains("did you mean `time-sync`?"), "{e}");
    }

    /// Level-dependent clauses come from the law tables: a citation prints the clause of each
    /// level; an unknown item, an item the standard lacks at every level of the control, and a
    /// `x.` pattern are located pack problems.
    #[test]
    fn citations_resolve_per_level_and_bad_ones_are_located() {
        use crate::inventory::Level;
        let with = |basis: &str, levels: &str| {
            ONE.replace("basis = [\"x\"]", &format!("basis = {basis}"))
                .replace("levels = [1, 2, 3, 4, 5]", &format!("levels = {levels}"))
        };
        let c = Catalog::from_pack(
            Regime::Nd85,
            &with(
                r#"["@tcvn11930/network.ips", "@tt12/II.1.b"]"#,
                "[1, 2, 3, 4, 5]",
            ),
        )
        .expect("valid");
        let control = &c.controls(Regime::Nd85)[0];
        let at = |l: i64| control.basis_at(Level::new(l)).join("; ");
        assert!(
            at(1).contains("§5.2.1.4") && at(1).contains("Phụ lục I mục II.1.b"),
            "{}",
            at(1)
        );
        assert!(
            at(3).contains("§7.2.1.5") && at(3).contains("Phụ lục III mục"),
            "{}",
            at(3)
        );
        assert!(
            control.basis[0].contains("cấp độ 2: §6.2.1.5"),
            "{:?}",
            control.basis
        );
        for (basis, levels, says) in [
            (
                r#"["@tcvn11930/network.ipz"]"#,
                "[3]",
                "has no item `network.ipz`",
            ),
            (
                r#"["@tcvn11930/network.malware"]"#,
                "[1, 2]",
                "has no clause at any level",
            ),
            (
                r#"["@iso27001/a.5"]"#,
                "[3]",
                "unknown standard `@iso27001`",
            ),
            (
                r#"["TCVN 11930:2017 x.2.1.5"]"#,
                "[3]",
                "a clause pattern with `x.`",
            ),
        ] {
            let e = Catalog::from_pack(Regime::Nd85, &with(basis, levels)).expect_err(basis);
            assert!(e.contains("bad-basis") && e.contains(says), "{basis}: {e}");
            assert!(e.contains(":10:9"), "{basis}: located at the basis: {e}");
        }
    }
}
