//! Reading an inventory folder: find the `*.toml` files, parse each one, and deserialize every
//! item (each datacenter, network, server, system, external and flow) on its own.
//!
//! toml + serde stop at the first error of a document. To report every problem at once we parse
//! into toml's spanned document tree first (which recovers from syntax errors) and deserialize
//! item by item; when an item fails we record the error, drop the key it points at and try
//! again, so one item yields all of its problems too. Semantic checks happen later, in
//! `validate.rs`.

use std::collections::{BTreeMap, HashMap};
use std::ops::Range;
use std::path::{Path, PathBuf};

use anyhow::{Context, bail};
use serde::de::DeserializeOwned;
use toml::Spanned;
use toml::de::{DeTable, DeValue, ValueDeserializer};

use super::raw;
use crate::diag::{Diagnostic, FileId, Loc, Sources, suggest};
use crate::infile::Refused;

/// Top-level tables of an inventory file.
const TOP_LEVEL: &[&str] = &[
    "organization",
    "defaults",
    "datacenters",
    "networks",
    "servers",
    "systems",
    "externals",
    "flows",
];

/// An item read from a `[kind.ID]` table: its id, where the id is written, and its content.
#[derive(Debug)]
pub struct Item<T> {
    pub id: String,
    pub loc: Loc,
    pub value: T,
}

/// Every item of the folder, merged, before semantic validation.
#[derive(Debug, Default)]
pub struct RawInventory {
    pub organization: Option<Item<raw::Organization>>,
    pub defaults: Option<Item<raw::Defaults>>,
    pub datacenters: Vec<Item<raw::Datacenter>>,
    pub networks: Vec<Item<raw::Network>>,
    pub servers: Vec<Item<raw::Server>>,
    pub systems: Vec<Item<raw::System>>,
    pub externals: Vec<Item<raw::External>>,
    pub flows: Vec<Item<raw::Flow>>,
    /// Ids whose item could not be read at all: references to them are not reported again.
    pub broken: HashMap<String, &'static str>,
    /// Where the folder lives, for messages about the whole inventory.
    pub root: PathBuf,
    /// An `[organization]` table exists but could not be read (its problems were reported).
    pub organization_broken: bool,
}

/// The `*.toml` files of an inventory: a folder (searched recursively, in sorted order, hidden
/// entries skipped) or a single file.
pub fn inventory_files(root: &Path) -> anyhow::Result<Vec<PathBuf>> {
    let meta = std::fs::metadata(root)
        .with_context(|| format!("cannot read inventory `{}`", root.display()))?;
    if meta.is_file() {
        return Ok(vec![root.to_path_buf()]);
    }
    let mut files = Vec::new();
    let mut seen = std::collections::HashSet::new();
    let real_root = root
        .canonicalize()
        .with_context(|| format!("cannot read inventory `{}`", root.display()))?;
    collect_files(root, &real_root, &mut files, &mut seen)?;
    files.sort();
    if files.is_empty() {
        bail!(
            "no *.toml files in inventory folder `{}` (hint: `-i DIR` selects another folder)",
            root.display()
        );
    }
    Ok(files)
}

fn collect_files(
    dir: &Path,
    real_root: &Path,
    files: &mut Vec<PathBuf>,
    seen: &mut std::collections::HashSet<PathBuf>,
) -> anyhow::Result<()> {
    // Canonical paths guard against symlink loops.
    let canonical = dir
        .canonicalize()
        .with_context(|| format!("cannot read `{}`", dir.display()))?;
    if !canonical.starts_with(real_root) {
        // A link to a folder elsewhere: listed as it is, so that reading it is refused (and
        // reported once) instead of reading what it holds.
        files.push(dir.to_path_buf());
        return Ok(());
    }
    if !seen.insert(canonical) {
        return Ok(());
    }
    let entries =
        std::fs::read_dir(dir).with_context(|| format!("cannot read `{}`", dir.display()))?;
    for entry in entries {
        let entry = entry.with_context(|| format!("cannot read `{}`", dir.display()))?;
        let path = entry.path();
        let name = entry.file_name();
        if name.to_string_lossy().starts_with('.') {
            continue;
        }
        if path.is_dir() {
            collect_files(&path, real_root, files, seen)?;
        } else if path.extension().is_some_and(|e| e == "toml") {
            files.push(path);
        }
    }
    Ok(())
}

/// Read and parse every file of the inventory. I/O failures are tool errors; everything wrong
/// inside the files is a diagnostic.
pub fn read(root: &Path, sources: &mut Sources) -> anyhow::Result<(RawInventory, Vec<Diagnostic>)> {
    let mut files = Vec::new();
    let mut problems = Vec::new();
    // Files are read only inside the inventory's folder (the folder of a single file).
    let folder = if root.is_dir() {
        root
    } else {
        root.parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(Path::new("."))
    };
    for path in inventory_files(root)? {
        // A file that cannot be read is reported, and the others are still checked.
        match crate::infile::read(&path, folder, MAX_FILE) {
            Ok(bytes) => files.push((path, bytes)),
            Err(Refused::TooLarge(_)) => problems.push(
                Diagnostic::new(
                    "file-too-large",
                    format!("`{}` is larger than {} MiB", path.display(), MAX_FILE >> 20),
                )
                .hint("split the inventory into several files"),
            ),
            Err(why @ Refused::OutsideRoot { .. }) => problems.push(
                Diagnostic::new(
                    "link-outside-inventory",
                    format!("`{}` is not read: {why}", path.display()),
                )
                .hint("copy the file into the inventory folder, or remove the link"),
            ),
            Err(why @ Refused::NotRegular(_)) => problems.push(
                Diagnostic::new(
                    "not-a-file",
                    format!("`{}` is not read: {why}", path.display()),
                )
                .hint("an inventory holds regular TOML files only; remove it"),
            ),
            Err(Refused::Io(why)) => problems.push(
                Diagnostic::new(
                    "unreadable-file",
                    format!("cannot read `{}`: {why}", path.display()),
                )
                .hint(
                    "check that it exists and is readable, or remove it from the inventory folder",
                ),
            ),
        }
    }
    let (raw, mut diags) = read_files(root, files, sources);
    problems.append(&mut diags);
    Ok((raw, problems))
}

/// Largest inventory file read (a 50,000-server inventory is about 6 MiB).
pub const MAX_FILE: u64 = 32 << 20;

/// Parse inventory files already in memory, as `(path, content)`; `root` names the inventory
/// in messages.
pub fn read_files(
    root: &Path,
    files: Vec<(PathBuf, Vec<u8>)>,
    sources: &mut Sources,
) -> (RawInventory, Vec<Diagnostic>) {
    let mut diags = Vec::new();
    let mut parseable = Vec::new();
    for (path, bytes) in files {
        match String::from_utf8(bytes) {
            Ok(text) => parseable.push(sources.add(&path, text)),
            Err(e) => {
                let valid = e.utf8_error().valid_up_to();
                let lossy = String::from_utf8_lossy(e.as_bytes()).into_owned();
                // Maybe not a text file at all (a key, a binary): its content is never quoted.
                let file = sources.add_unshown(&path, lossy);
                diags.push(
                    Diagnostic::new("invalid-utf8", "file is not valid UTF-8")
                        .at(Loc::new(file, valid..valid + 1), "invalid byte here")
                        .hint("save the file as UTF-8"),
                );
                // Read the rest anyway (bad bytes become U+FFFD) so that its items still
                // resolve and the report is not buried under follow-on errors.
                parseable.push(file);
            }
        }
    }
    let sources: &Sources = sources;
    let mut reader = Reader {
        sources,
        inv: RawInventory {
            root: root.to_path_buf(),
            ..RawInventory::default()
        },
        diags,
        syntax_errors: Vec::new(),
        dropped: Vec::new(),
        flow_diags: Vec::new(),
    };
    let mut parts = Parts::default();
    for file in parseable {
        reader.parse_file(file, &mut parts);
    }
    reader.merge_and_read(parts);
    (reader.inv, reader.diags)
}

/// Read a file made of one array of tables (`[[NAME]]`, e.g. the waivers file) with the same
/// diagnostics as the inventory: every entry is deserialized on its own and every problem is
/// reported. Returns the entries that could be read, each with the location of its table and
/// the keys dropped from it because they were in error (already reported: make such keys
/// optional in `T` and the rest of the entry is still read and can be checked).
pub(crate) type Entry<T> = (Loc, T, Vec<String>);

/// Reports a required key absent from an entry read by [`read_entries`] (unless it was dropped
/// for an error already reported): `kind` names the entry ("waiver"), `doc` the page listing
/// its keys.
pub(crate) struct MissingKeys<'a> {
    pub kind: &'static str,
    pub doc: &'static str,
    pub loc: &'a Loc,
    pub dropped: &'a [String],
}

impl MissingKeys<'_> {
    pub fn report(&self, diags: &mut Vec<Diagnostic>, key: &str, example: &str) {
        if self.dropped.iter().any(|d| d == key) {
            return;
        }
        diags.push(
            Diagnostic::new(
                "missing-key",
                format!("{} is missing required key `{key}`", self.kind),
            )
            .at(self.loc.clone(), format!("`{key}` is required"))
            .hint(format!(
                "add `{key} = {example}`; {} lists every key",
                self.doc
            )),
        );
    }
}

pub(crate) fn read_entries<T: DeserializeOwned>(
    file: FileId,
    sources: &Sources,
    name: &'static str,
    kind: &'static str,
) -> (Vec<Entry<T>>, Vec<Diagnostic>) {
    let mut reader = Reader {
        sources,
        inv: RawInventory::default(),
        diags: Vec::new(),
        syntax_errors: Vec::new(),
        dropped: Vec::new(),
        flow_diags: Vec::new(),
    };
    let (body, base) = reader.body(file);
    let doc = reader.parse_doc(body, base);
    let mut out = Vec::new();
    for (key, value) in doc {
        let key_name = key.get_ref().as_ref();
        let key_span = shift(key.span(), base);
        if key_name != name {
            let hint = suggest(key_name, [name])
                .unwrap_or_else(|| format!("this file holds only `[[{name}]]` tables"));
            let d = Diagnostic::new("unknown-key", format!("unknown top-level key `{key_name}`"))
                .at(reader.loc(key_span), format!("not a `[[{name}]]` table"))
                .hint(hint);
            reader.diags.push(d);
            continue;
        }
        let value = rebase(value, base);
        let span = value.span();
        match value.into_inner() {
            DeValue::Array(items) => {
                for v in items {
                    let loc = reader.loc(v.span());
                    if let Some(t) = reader.item::<T>(v, kind) {
                        out.push((loc, t, std::mem::take(&mut reader.dropped)));
                    }
                }
            }
            _ => {
                let d =
                    Diagnostic::new("wrong-type", format!("`{name}` must be an array of tables"))
                        .at(reader.loc(span), "expected an array of tables")
                        .hint(format!("write one `[[{name}]]` header per {kind}"));
                reader.diags.push(d);
            }
        }
    }
    (out, reader.diags)
}

/// A piece of an item found in one file: the global span of its key and its value.
struct Part<'i> {
    key: Range<usize>,
    value: Spanned<DeValue<'i>>,
}

/// Every top-level piece of every file, before merging. Items keep their ids' sorted order.
#[derive(Default)]
struct Parts<'i> {
    organization: Vec<Part<'i>>,
    defaults: Vec<Part<'i>>,
    /// Indexed like [`KINDS`].
    items: [BTreeMap<String, Vec<Part<'i>>>; 5],
}

/// Item kinds in the order ids are claimed when two kinds share one.
const KINDS: [(&str, &str); 5] = [
    ("datacenters", "datacenter"),
    ("networks", "network"),
    ("servers", "server"),
    ("systems", "system"),
    ("externals", "external"),
];

struct Reader<'s> {
    sources: &'s Sources,
    inv: RawInventory,
    diags: Vec<Diagnostic>,
    /// Global spans of TOML syntax errors: a value the parser could not read is not reported
    /// a second time when it fails to deserialize.
    syntax_errors: Vec<Range<usize>>,
    /// The keys the last [`Reader::item`] call dropped because they were in error.
    dropped: Vec<String>,
    /// The problems of the flows, read as each piece is parsed, reported after the items'.
    flow_diags: Vec<Diagnostic>,
}

impl<'s> Reader<'s> {
    fn loc(&self, global: Range<usize>) -> Loc {
        self.sources.locate(global)
    }

    /// The TOML text of `file` and where it starts in the global offset space: a byte-order
    /// mark is legal UTF-8 but not TOML, and is skipped without shifting spans.
    fn body(&self, file: FileId) -> (&'s str, usize) {
        let text = self.sources.text(file);
        let (bom, body) = match text.strip_prefix('\u{feff}') {
            Some(rest) => (text.len() - rest.len(), rest),
            None => (0, text),
        };
        (body, self.sources.base(file) + bom)
    }

    /// Parse one piece of a file, recovering from syntax errors (each one reported); spans
    /// of the returned document are piece-local, to be shifted by `base`.
    fn parse_doc(&mut self, piece: &'s str, base: usize) -> DeTable<'s> {
        let (doc, errors) = DeTable::parse_recoverable(piece);
        for e in errors {
            let span = shift(e.span().unwrap_or(0..0), base);
            self.syntax_errors.push(span.clone());
            self.diags.push(
                Diagnostic::new("toml-syntax", "invalid TOML")
                    .at(self.loc(span), e.message().to_owned()),
            );
        }
        doc.into_inner()
    }

    /// Read one file: a large one piece by piece ([`super::chunk`]), so the parser's working
    /// memory is bounded by a piece, not by the file.
    fn parse_file(&mut self, file: FileId, parts: &mut Parts<'s>) {
        let (body, base) = self.body(file);
        for (offset, piece) in super::chunk::pieces(body) {
            let doc = self.parse_doc(piece, base + offset);
            self.parse_piece(doc, base + offset, parts);
        }
    }

    fn parse_piece(&mut self, doc: DeTable<'s>, base: usize, parts: &mut Parts<'s>) {
        for (key, value) in doc {
            let name = key.get_ref().as_ref();
            let key_span = shift(key.span(), base);
            let value = rebase(value, base);
            match name {
                "organization" => parts.organization.push(Part {
                    key: key_span,
                    value,
                }),
                "defaults" => parts.defaults.push(Part {
                    key: key_span,
                    value,
                }),
                "flows" => self.flows(value),
                other => match KINDS.iter().position(|(table, _)| *table == other) {
                    Some(k) => self.items(value, KINDS[k].1, &mut parts.items[k]),
                    None => self.diags.push(
                        Diagnostic::new(
                            "unknown-key",
                            format!("unknown top-level table `{other}`"),
                        )
                        .at(self.loc(key_span), "not an inventory table")
                        .hint(
                            suggest(other, TOP_LEVEL.iter().copied()).unwrap_or_else(|| {
                                format!("expected one of {}", quoted(TOP_LEVEL))
                            }),
                        ),
                    ),
                },
            }
        }
    }

    /// `[servers.ID]` and its siblings: a table whose keys are ids.
    fn items(
        &mut self,
        value: Spanned<DeValue<'s>>,
        kind: &'static str,
        into: &mut BTreeMap<String, Vec<Part<'s>>>,
    ) {
        let span = value.span();
        let DeValue::Table(table) = value.into_inner() else {
            self.diags.push(
                Diagnostic::new(
                    "wrong-type",
                    format!("`{kind}s` must be a table of {kind}s"),
                )
                .at(self.loc(span), "expected a table")
                .hint(format!("write `[{kind}s.ID]` headers, one per {kind}")),
            );
            return;
        };
        for (key, value) in table {
            into.entry(key.get_ref().to_string())
                .or_default()
                .push(Part {
                    key: key.span(),
                    value,
                });
        }
    }

    /// `[[flows]]`: each flow is read at once (a flow is never split across files), so the
    /// parsed tree of a large list of flows is not held until the end. Their problems are
    /// reported after the items', in file order, as when they were read last.
    fn flows(&mut self, value: Spanned<DeValue<'s>>) {
        let span = value.span();
        match value.into_inner() {
            DeValue::Array(items) => {
                let others = std::mem::take(&mut self.diags);
                for value in items {
                    let loc = self.loc(value.span());
                    if let Some(v) = self.item::<raw::Flow>(value, "flow") {
                        self.inv.flows.push(Item {
                            id: String::new(),
                            loc,
                            value: v,
                        });
                    }
                }
                let mine = std::mem::replace(&mut self.diags, others);
                self.flow_diags.extend(mine);
            }
            _ => self.diags.push(
                Diagnostic::new("wrong-type", "`flows` must be an array of tables")
                    .at(self.loc(span), "expected an array of tables")
                    .hint("write one `[[flows]]` header per flow"),
            ),
        }
    }

    /// Merge the pieces of each item found in several files (allowed when they define disjoint
    /// keys, e.g. `[systems.x]` in one file and `[systems.x.protection]` in another), check ids,
    /// and read every item.
    fn merge_and_read(&mut self, parts: Parts<'s>) {
        let Parts {
            organization,
            defaults,
            items,
        } = parts;
        if let Some((key, value)) = self.merge(organization, "organization", |_| {
            "`[organization]` defines the same keys twice".to_owned()
        }) {
            let loc = self.loc(key);
            match self.item::<raw::Organization>(value, "organization") {
                Some(v) => {
                    self.inv.organization = Some(Item {
                        id: "organization".into(),
                        loc,
                        value: v,
                    })
                }
                None => self.inv.organization_broken = true,
            }
        }
        if let Some((key, value)) = self.merge(defaults, "defaults", |_| {
            "`[defaults]` is defined twice".to_owned()
        }) {
            let loc = self.loc(key);
            if let Some(v) = self.item::<raw::Defaults>(value, "defaults") {
                self.inv.defaults = Some(Item {
                    id: "defaults".into(),
                    loc,
                    value: v,
                });
            }
        }

        let mut claimed: HashMap<String, (&'static str, Range<usize>)> = HashMap::new();
        for (k, by_id) in items.into_iter().enumerate() {
            let kind = KINDS[k].1;
            for (id, pieces) in by_id {
                let Some((key, value)) = self.merge(pieces, kind, |id_kind| {
                    format!("duplicate {id_kind} id `{id}`")
                }) else {
                    continue;
                };
                if let Some((first_kind, first)) = claimed.get(&id) {
                    self.diags.push(
                        Diagnostic::new(
                            "duplicate-id",
                            format!("id `{id}` is used by a {first_kind} and a {kind}"),
                        )
                        .at(self.loc(key), "defined again here")
                        .also(self.loc(first.clone()), "first defined here")
                        .hint("ids must be unique across the whole inventory folder; rename one"),
                    );
                    continue;
                }
                claimed.insert(id.clone(), (kind, key.clone()));
                let loc = self.loc(key);
                if !is_valid_id(&id) {
                    self.diags.push(
                        Diagnostic::new("invalid-id", format!("invalid {kind} id `{id}`"))
                            .at(loc.clone(), "not a valid id")
                            .hint("ids use lowercase letters, digits, `-` and `_`, start with a letter or digit, and have at most 64 characters"),
                    );
                }
                let ok = match k {
                    0 => self.read_into(value, kind, id.clone(), loc, |inv| &mut inv.datacenters),
                    1 => self.read_into(value, kind, id.clone(), loc, |inv| &mut inv.networks),
                    2 => self.read_into(value, kind, id.clone(), loc, |inv| &mut inv.servers),
                    3 => self.read_into(value, kind, id.clone(), loc, |inv| &mut inv.systems),
                    _ => self.read_into(value, kind, id.clone(), loc, |inv| &mut inv.externals),
                };
                if !ok {
                    self.inv.broken.insert(id, kind);
                }
            }
        }

        let flow_diags = std::mem::take(&mut self.flow_diags);
        self.diags.extend(flow_diags);
    }

    fn read_into<T: DeserializeOwned>(
        &mut self,
        value: Spanned<DeValue<'s>>,
        kind: &'static str,
        id: String,
        loc: Loc,
        slot: impl FnOnce(&mut RawInventory) -> &mut Vec<Item<T>>,
    ) -> bool {
        match self.item::<T>(value, kind) {
            Some(v) => {
                slot(&mut self.inv).push(Item { id, loc, value: v });
                true
            }
            None => false,
        }
    }

    /// One item from its pieces; a piece that redefines keys of an earlier one is a duplicate.
    fn merge(
        &mut self,
        pieces: Vec<Part<'s>>,
        kind: &'static str,
        duplicate: impl Fn(&str) -> String,
    ) -> Option<(Range<usize>, Spanned<DeValue<'s>>)> {
        let mut pieces = pieces.into_iter();
        let first = pieces.next()?;
        let (key, mut value) = (first.key, first.value);
        for piece in pieces {
            let clash = match (value.get_ref(), piece.value.get_ref()) {
                (DeValue::Table(a), DeValue::Table(b)) => {
                    b.iter().any(|(k, _)| a.contains_key(k.get_ref().as_ref()))
                }
                _ => true,
            };
            if clash {
                self.diags.push(
                    Diagnostic::new("duplicate-id", duplicate(kind))
                        .at(self.loc(piece.key), "defined again here")
                        .also(self.loc(key.clone()), "first defined here")
                        .hint(if kind == "organization" || kind == "defaults" {
                            "write each key once: one file may hold the table and another its sub-tables".to_owned()
                        } else {
                            format!("ids must be unique across the whole inventory folder; rename one {kind}, or keep each of its keys in one file")
                        }),
                );
                continue;
            }
            if let (DeValue::Table(a), DeValue::Table(b)) =
                (value.get_mut(), piece.value.into_inner())
            {
                for (k, v) in b {
                    a.insert(k, v);
                }
            }
        }
        Some((key, value))
    }

    /// Deserialize one item, reporting every error in it. Returns the item if it could be read
    /// once its faulty keys were dropped.
    fn item<T: DeserializeOwned>(
        &mut self,
        value: Spanned<DeValue<'s>>,
        kind: &'static str,
    ) -> Option<T> {
        let span = value.span();
        let mut value = value.into_inner();
        let mut removed: Vec<String> = Vec::new();
        // Each round removes one key, so this ends.
        loop {
            let attempt = Spanned::new(span.clone(), value.clone());
            let err = match T::deserialize(ValueDeserializer::from(attempt)) {
                Ok(v) => {
                    self.dropped = removed;
                    return Some(v);
                }
                Err(e) => e,
            };
            let message = err.message().to_owned();
            let err_span = narrow(&value, err.span().unwrap_or(span.clone()), &message);
            // The top-level key that holds the problem, in its name or anywhere in its value
            // (sub-tables written with their own header do not lie inside the key's span).
            let culprit = match &value {
                DeValue::Table(table) => table
                    .iter()
                    .find(|(k, v)| contains(&k.span(), &err_span) || holds(v, &err_span))
                    .map(|(k, v)| {
                        // A problem in a sub-table is named after it; one in the key itself is not.
                        let inside = !contains(&k.span(), &err_span) && is_nested(v.get_ref());
                        (k.get_ref().to_string(), inside)
                    }),
                _ => None,
            };
            let Some((key, nested)) = culprit else {
                // A problem of the item itself, e.g. a required key missing. A required key we
                // dropped ourselves is not a second problem.
                let ours = removed
                    .iter()
                    .any(|k| message == format!("missing field `{k}`"));
                if !ours {
                    let loc = self.loc(err_span.clone());
                    self.diags.push(serde_diagnostic(kind, &message, loc));
                    // Serde names the first missing key only; every other one of the same item
                    // is reported now, so one `validate` lists them all (issue 17).
                    if let (Some(first), DeValue::Table(table)) =
                        (message.strip_prefix("missing field `"), &value)
                    {
                        let first = first.trim_end_matches('`');
                        for key in required_keys(kind) {
                            if *key != first
                                && !table.contains_key(*key)
                                && !removed.iter().any(|r| r == key)
                            {
                                let loc = self.loc(err_span.clone());
                                let message = format!("missing field `{key}`");
                                self.diags.push(serde_diagnostic(kind, &message, loc));
                            }
                        }
                    }
                }
                return None;
            };
            let place = if nested {
                format!("{kind}.{key}")
            } else {
                kind.to_owned()
            };
            let reported = self.syntax_errors.iter().any(|e| {
                e.start < err_span.end.max(err_span.start + 1)
                    && err_span.start < e.end.max(e.start + 1)
            });
            if !reported {
                let loc = self.loc(err_span);
                self.diags.push(serde_diagnostic(&place, &message, loc));
            }
            if let DeValue::Table(table) = &mut value {
                table.remove(key.as_str());
            }
            removed.push(key);
        }
    }
}

/// The keys an item of `kind` must have, in the order its raw struct declares them (a test
/// below keeps this list equal to what serde requires).
fn required_keys(kind: &str) -> &'static [&'static str] {
    match kind {
        "organization" | "datacenter" => &["name"],
        "network" => &["datacenter", "zone", "cidr"],
        "server" => &["network", "address"],
        "system" | "external" => &["name", "kind"],
        _ => &[],
    }
}

/// Whether `span` lies in `value`: its own span, or a key or value anywhere inside it.
fn holds(value: &Spanned<DeValue<'_>>, span: &Range<usize>) -> bool {
    contains(&value.span(), span)
        || match value.get_ref() {
            DeValue::Table(t) => t
                .iter()
                .any(|(k, v)| contains(&k.span(), span) || holds(v, span)),
            DeValue::Array(a) => a.iter().any(|v| holds(v, span)),
            _ => false,
        }
}

fn is_nested(value: &DeValue<'_>) -> bool {
    match value {
        DeValue::Table(_) => true,
        DeValue::Array(a) => a.iter().any(|v| matches!(v.get_ref(), DeValue::Table(_))),
        _ => false,
    }
}

/// serde reports a bad list item at the span of the whole list; point at the item whose text
/// the message quotes instead.
fn narrow(value: &DeValue<'_>, span: Range<usize>, message: &str) -> Range<usize> {
    fn find<'a>(
        v: &'a Spanned<DeValue<'a>>,
        span: &Range<usize>,
    ) -> Option<&'a Spanned<DeValue<'a>>> {
        if v.span() == *span && matches!(v.get_ref(), DeValue::Array(_)) {
            return Some(v);
        }
        match v.get_ref() {
            DeValue::Table(t) => t.values().find_map(|c| find(c, span)),
            DeValue::Array(a) => a.iter().find_map(|c| find(c, span)),
            _ => None,
        }
    }
    let DeValue::Table(table) = value else {
        return span;
    };
    let Some(array) = table.values().find_map(|v| find(v, &span)) else {
        return span;
    };
    let DeValue::Array(items) = array.get_ref() else {
        return span;
    };
    items
        .iter()
        .find(|item| {
            item.get_ref()
                .as_str()
                .is_some_and(|s| !s.is_empty() && message.contains(s))
        })
        .map(|item| item.span())
        .unwrap_or(span)
}

/// Move every span of a parsed value from file-local to global offsets.
fn rebase<'i>(value: Spanned<DeValue<'i>>, base: usize) -> Spanned<DeValue<'i>> {
    let span = shift(value.span(), base);
    let inner = match value.into_inner() {
        DeValue::Table(table) => {
            let mut out = DeTable::new();
            for (k, v) in table {
                let key_span = shift(k.span(), base);
                out.insert(Spanned::new(key_span, k.into_inner()), rebase(v, base));
            }
            DeValue::Table(out)
        }
        DeValue::Array(mut items) => {
            for item in items.iter_mut() {
                let taken = std::mem::replace(item, Spanned::new(0..0, DeValue::Boolean(false)));
                *item = rebase(taken, base);
            }
            DeValue::Array(items)
        }
        other => other,
    };
    Spanned::new(span, inner)
}

fn contains(outer: &Range<usize>, inner: &Range<usize>) -> bool {
    outer.start <= inner.start && inner.end <= outer.end && !outer.is_empty()
}

fn shift(span: Range<usize>, offset: usize) -> Range<usize> {
    span.start + offset..span.end + offset
}

/// Longest id accepted: ids appear in reports, file names and host names.
const MAX_ID: usize = 64;

fn is_valid_id(id: &str) -> bool {
    if id.len() > MAX_ID {
        return false;
    }
    let mut chars = id.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
        && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '_')
}

fn quoted(words: &[&str]) -> String {
    words
        .iter()
        .map(|w| format!("`{w}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The words between backticks in a serde message, e.g. the expected keys of
/// "unknown field `rack`, expected one of `address`, `port`".
fn backticked(message: &str) -> Vec<&str> {
    message.split('`').skip(1).step_by(2).collect()
}

/// serde names Rust types ("expected u16"); say what to write instead.
fn plain_types(message: &str) -> String {
    let mut m = message.to_owned();
    for (rust, plain) in [
        ("expected i64", "expected an integer"),
        ("expected u64", "expected a whole number ≥ 0"),
        ("expected u32", "expected a whole number ≥ 0"),
        ("expected u16", "expected a whole number from 0 to 65535"),
        ("expected f64", "expected a number"),
        (
            "expected a TOML datetime",
            "expected a date written without quotes, e.g. 2025-11-01",
        ),
    ] {
        m = m.replace(rust, plain);
    }
    m
}

/// Turn a serde error from deserializing an item into a diagnostic with a code and a hint.
fn serde_diagnostic(kind: &str, message: &str, loc: Loc) -> Diagnostic {
    let words = backticked(message);
    if let Some(rest) = message.strip_prefix("unknown field ") {
        let key = words.first().copied().unwrap_or_default();
        let expected = words.get(1..).unwrap_or_default();
        let hint = suggest(key, expected.iter().copied())
            .unwrap_or_else(|| format!("expected one of {}", quoted(expected)));
        let _ = rest;
        return Diagnostic::new("unknown-key", format!("unknown key `{key}` in {kind}"))
            .at(loc, "unknown key")
            .hint(hint);
    }
    if message.starts_with("unknown variant ") {
        let value = words.first().copied().unwrap_or_default();
        let expected = words.get(1..).unwrap_or_default();
        let hint = suggest(value, expected.iter().copied())
            .unwrap_or_else(|| format!("expected one of {}", quoted(expected)));
        return Diagnostic::new(
            "unknown-value",
            format!("unknown value `{value}` in {kind}"),
        )
        .at(loc, "not an accepted value")
        .hint(hint);
    }
    if message.starts_with("missing field ") {
        let key = words.first().copied().unwrap_or_default();
        return Diagnostic::new(
            "missing-key",
            format!("{kind} is missing required key `{key}`"),
        )
        .at(loc, format!("`{key}` is required"))
        .hint(format!(
            "add `{key} = …`; {} lists every key",
            if kind == "waiver" {
                "docs/waivers.md"
            } else {
                "docs/inventory.md"
            }
        ));
    }
    if message.starts_with("invalid type") || message.starts_with("invalid value") {
        return Diagnostic::new("wrong-type", format!("wrong type in {kind}"))
            .at(loc, plain_types(message));
    }
    if message.starts_with("invalid service") {
        return Diagnostic::new("invalid-service", message.to_owned())
            .at(loc, "not a service")
            .hint("write services as \"tcp/443\" or \"udp/514\"");
    }
    if (kind == "network" || kind == "external")
        && (message.contains("invalid address")
            || message.contains("prefix")
            || message.contains("cidr"))
    {
        return Diagnostic::new("invalid-cidr", format!("invalid CIDR in {kind}"))
            .at(loc, message.to_owned())
            .hint("write a CIDR such as \"10.10.1.0/24\" or \"fd00:10:1::/64\" (IPv4 prefixes go up to /32, IPv6 up to /128)");
    }
    if message.starts_with("invalid IP address syntax") || message.contains("invalid address") {
        return Diagnostic::new("invalid-address", format!("invalid address in {kind}"))
            .at(loc, message.to_owned())
            .hint("write an IPv4 or IPv6 address such as \"10.10.1.11\" or \"fd00:10:1::11\"");
    }
    Diagnostic::new("invalid-value", format!("invalid value in {kind}")).at(loc, message.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// [`required_keys`] is exactly what serde requires of each kind: an item with only those
    /// keys reads, and one without any of them is refused for that key.
    #[test]
    fn required_keys_match_the_raw_structs() {
        fn check<T: DeserializeOwned>(kind: &str, minimal: &str) {
            let keys = required_keys(kind);
            let table: toml::Table = toml::from_str(minimal).expect("toml");
            assert_eq!(
                table.keys().map(String::as_str).collect::<Vec<_>>().len(),
                keys.len(),
                "{kind}: the minimal item has exactly the required keys"
            );
            assert!(toml::from_str::<T>(minimal).is_ok(), "{kind}: {minimal}");
            for key in keys {
                let mut without = table.clone();
                without.remove(*key);
                let text = toml::to_string(&without).expect("toml");
                let err = toml::from_str::<T>(&text).err().map(|e| e.to_string());
                assert!(
                    err.as_deref()
                        .is_some_and(|e| e.contains(&format!("missing field `{key}`"))),
                    "{kind} without `{key}`: {err:?}"
                );
            }
        }
        check::<raw::Organization>("organization", "name = \"x\"");
        check::<raw::Datacenter>("datacenter", "name = \"x\"");
        check::<raw::Network>(
            "network",
            "datacenter = \"hq\"\nzone = \"dmz\"\ncidr = \"10.0.0.0/24\"",
        );
        check::<raw::Server>("server", "network = \"n\"\naddress = \"10.0.0.1\"");
        check::<raw::System>("system", "name = \"x\"\nkind = \"internal\"");
        check::<raw::External>("external", "name = \"x\"\nkind = \"internet\"");
    }
}
