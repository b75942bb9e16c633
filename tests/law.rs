//! The law as data, checked against the law as written: every clause of the tables of
//! `src/policy/law.rs`, and every clause every control prints at every level in both regimes,
//! compared with regulations.md (§5.1 numbering, §5.4 TCVN 11930, §5.6 TCVN 14423, §11.1), read
//! from its verbatim copy in tests/fixtures/law/regulations.md.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use capdo::inventory::{Level, Regime};
use capdo::policy::catalog::Catalog;
use capdo::policy::law::{Clause, Source, Standard};

const COPY: &str = include_str!("fixtures/law/regulations.md");

/// The rows of the markdown table that follows `heading`, as cells with markup removed.
fn table(text: &str, heading: &str) -> Vec<Vec<String>> {
    let at = text
        .find(heading)
        .unwrap_or_else(|| panic!("no section {heading}"));
    let rest = &text[at..];
    let start = rest.find("\n|").expect("a table") + 1;
    rest[start..]
        .lines()
        .take_while(|l| l.starts_with('|'))
        .filter(|l| !l.starts_with("|---"))
        .map(|l| {
            l.trim_matches('|')
                .split('|')
                .map(|c| c.replace("**", "").replace('*', "").trim().to_owned())
                .collect()
        })
        .collect()
}

/// The chapter of each level, read from §5.1 ("§5 = level 1, … §9 = level 5").
fn chapters(standard: Standard) -> [u8; 5] {
    let (marker, first) = match standard {
        Standard::Tcvn11930 => ("TCVN 11930:2017: **§5 = level 1", 5),
        Standard::Tcvn14423 => ("TCVN 14423:2026: **§3 = level 1", 3),
    };
    assert!(COPY.contains(marker), "§5.1 no longer says {marker}");
    let chapters = std::array::from_fn(|i| first + i as u8);
    assert_eq!(chapters, standard.chapters(), "{}", standard.title());
    chapters
}

/// What regulations.md gives for one row: the clause at each level, where it gives one.
type Given = [Option<String>; 5];

/// §5.4: one column per level, "–" where the item does not exist.
fn tcvn11930_rows() -> BTreeMap<String, (Given, [bool; 5])> {
    table(COPY, "### 5.4 ")
        .into_iter()
        .skip(1)
        .map(|cells| {
            let given = std::array::from_fn(|i| {
                let c = &cells[i + 1];
                (c != "–").then(|| c.clone())
            });
            let absent = std::array::from_fn(|i| cells[i + 1] == "–");
            (cells[0].clone(), (given, absent))
        })
        .collect()
}

/// §5.6: the "Clause" column. `x.REST` stands for every level's chapter; an explicit clause
/// belongs to the level of its chapter. A level's value "–" means the item does not exist.
fn tcvn14423_rows() -> BTreeMap<String, (Given, [bool; 5])> {
    let ch = chapters(Standard::Tcvn14423);
    table(COPY, "### 5.6 ")
        .into_iter()
        .skip(1)
        .map(|cells| {
            let mut given: Given = Default::default();
            for token in cells[6].split([',', '…']).map(str::trim) {
                if let Some(rest) = token.strip_prefix("x.") {
                    for (i, c) in ch.iter().enumerate() {
                        given[i] = Some(format!("{c}.{rest}"));
                    }
                } else if let Some((chapter, _)) = token.split_once('.')
                    && let Some(i) = chapter
                        .parse::<u8>()
                        .ok()
                        .and_then(|c| ch.iter().position(|&x| x == c))
                {
                    given[i] = Some(token.to_owned());
                }
            }
            let absent = std::array::from_fn(|i| cells[i + 1] == "–");
            (cells[0].clone(), (given, absent))
        })
        .collect()
}

/// §11.1: "TCVN 14423 5.12.2.4 a" quoted in a requirement's first cell.
fn verifiable_rows() -> BTreeMap<String, (Given, [bool; 5])> {
    let ch = chapters(Standard::Tcvn14423);
    table(COPY, "### 11.1 ")
        .into_iter()
        .map(|cells| {
            let mut given: Given = Default::default();
            let first = &cells[0];
            // "(c32; 5.13.2.2)", "(c23/c64; TCVN 14423 5.12.2.5)", "(TCVN 14423 3.6.2.4, 5.6.2.3)".
            let quoted = first.split_once(" (").map_or("", |(_, q)| q);
            for part in quoted.trim_end_matches(')').split([';', ',']) {
                let part = part.trim();
                let clause = part.strip_prefix("TCVN 14423 ").unwrap_or(part);
                let numeric = clause.split(' ').next().is_some_and(|n| {
                    n.contains('.') && n.chars().all(|c| c.is_ascii_digit() || c == '.')
                });
                if !numeric || part.starts_with("TCVN 11930") {
                    continue;
                }
                if let Some(i) = clause
                    .split('.')
                    .next()
                    .and_then(|c| c.parse::<u8>().ok())
                    .and_then(|c| ch.iter().position(|&x| x == c))
                {
                    given[i] = Some(clause.to_owned());
                }
            }
            let label = first.split(" (").next().unwrap_or(first).to_owned();
            (label, (given, [false; 5]))
        })
        .collect()
}

#[test]
fn every_clause_of_the_law_tables_is_the_one_regulations_md_gives() {
    chapters(Standard::Tcvn11930);
    let sources = [
        (Source::Tcvn11930Table, tcvn11930_rows()),
        (Source::Tcvn14423Table, tcvn14423_rows()),
        (Source::Verifiable, verifiable_rows()),
    ];
    let mut checked = 0;
    for standard in [Standard::Tcvn11930, Standard::Tcvn14423] {
        for item in standard.items() {
            let rows = &sources
                .iter()
                .find(|(s, _)| *s == item.source)
                .expect("a source")
                .1;
            let (given, absent) = rows.get(item.row).unwrap_or_else(|| {
                panic!(
                    "{}/{}: no row `{}` in regulations.md ({:?}); rows: {:?}",
                    standard.key(),
                    item.key,
                    item.row,
                    item.source,
                    rows.keys().collect::<Vec<_>>()
                )
            });
            for level in 0..5 {
                let what = format!("{}/{} at level {}", standard.key(), item.key, level + 1);
                match (item.clauses[level], &given[level]) {
                    (Clause::At(c), Some(g)) => assert_eq!(c, g, "{what}"),
                    (Clause::At(c), None) => panic!("{what}: {c}, but regulations.md gives none"),
                    (Clause::Absent, g) => assert!(
                        g.is_none() && absent[level],
                        "{what}: absent, but regulations.md gives {g:?}"
                    ),
                    (Clause::Unconfirmed, g) => assert!(
                        g.is_none(),
                        "{what}: unconfirmed, but regulations.md gives {g:?}"
                    ),
                }
                checked += 1;
            }
        }
    }
    assert!(checked >= 150, "only {checked} cells checked");
}

/// Every clause a control prints at every level it applies at, in both regimes: TCVN clauses
/// come from the law tables and exist at that level (or say they are unconfirmed), TT 12 cites
/// the appendix of that level, and no `x.` pattern is left.
#[test]
fn every_control_prints_the_clause_of_its_level() {
    let catalog = Catalog::embedded();
    let given: BTreeMap<Standard, BTreeSet<(usize, String)>> = [
        (
            Standard::Tcvn11930,
            tcvn11930_rows()
                .into_values()
                .flat_map(|(g, _)| g.into_iter().enumerate())
                .filter_map(|(i, c)| c.map(|c| (i, c)))
                .collect(),
        ),
        (
            Standard::Tcvn14423,
            tcvn14423_rows()
                .into_values()
                .chain(verifiable_rows().into_values())
                .flat_map(|(g, _)| g.into_iter().enumerate())
                .filter_map(|(i, c)| c.map(|c| (i, c)))
                .collect(),
        ),
    ]
    .into_iter()
    .collect();
    let roman = ["I", "II", "III", "IV", "V"];
    let mut printed = 0;
    for regime in [Regime::Nd85, Regime::Nd331] {
        for control in catalog.controls(regime) {
            for l in 1..=5u8 {
                let level = Level::new(l.into()).expect("level");
                if !control.applies_at(Some(level)) {
                    continue;
                }
                let i = l as usize - 1;
                for b in control.basis_at(Some(level)) {
                    let what = format!("{} ({regime:?}) at level {l}: `{b}`", control.id);
                    assert!(!b.contains(" x."), "{what}: a clause pattern");
                    for standard in [Standard::Tcvn11930, Standard::Tcvn14423] {
                        let Some(rest) = b.strip_prefix(standard.title()) else {
                            continue;
                        };
                        let clause = rest
                            .trim_start()
                            .strip_prefix('§')
                            .and_then(|r| r.split(" (").next())
                            .unwrap_or("");
                        if b.contains("chưa xác nhận") {
                            assert_eq!(
                                clause,
                                standard.chapters()[i].to_string(),
                                "{what}: an unconfirmed clause names the level's chapter"
                            );
                        } else if clause.starts_with(|c: char| c.is_ascii_digit())
                            && clause.contains('.')
                        {
                            // ("§4–§7 (phân vùng mạng)" names chapters, not an item.)
                            assert!(
                                given[&standard].contains(&(i, clause.to_owned())),
                                "{what}: §{clause} is not a level-{l} clause of regulations.md"
                            );
                        }
                    }
                    if let Some(rest) = b.strip_prefix("TT 12/2022 Phụ lục ") {
                        assert!(
                            rest.starts_with(&format!("{} ", roman[i])),
                            "{what}: level {l} is Phụ lục {}",
                            roman[i]
                        );
                    }
                    printed += 1;
                }
            }
        }
    }
    assert!(printed > 400, "only {printed} citations printed");
}

/// The clauses the review found wrong, at the level it found them.
#[test]
fn the_clauses_found_wrong_are_right() {
    let catalog = Catalog::embedded();
    let at = |regime, id: &str, l: i64| -> String {
        catalog
            .find(regime, id)
            .unwrap_or_else(|| panic!("{id}"))
            .basis_at(Level::new(l))
            .join("; ")
    };
    let ips = at(Regime::Nd85, "DESIGN-IPS", 3);
    assert!(
        ips.contains("§7.2.1.5 (phòng chống xâm nhập mạng)"),
        "{ips}"
    );
    assert!(at(Regime::Nd85, "DESIGN-IPS", 1).contains("§5.2.1.4"));
    let siem = at(Regime::Nd85, "DESIGN-SIEM", 3);
    assert!(!siem.contains("7.2.1.3"), "{siem}");
    let fwd = at(Regime::Nd85, "LOG-FORWARD", 4);
    assert!(
        fwd.contains("§8.2.2.3") && fwd.contains("Phụ lục IV"),
        "{fwd}"
    );
    let offsite = at(Regime::Nd85, "BACKUP-OFFSITE", 5);
    assert!(
        offsite.contains("§9.2.4.3") && offsite.contains("Phụ lục V"),
        "{offsite}"
    );
    let ha = at(Regime::Nd85, "HA-SINGLE-POINT", 3);
    assert!(ha.contains("Phụ lục III mục II.1.b"), "{ha}");
    let parity = at(Regime::Nd331, "FW-IPV6-PARITY", 3);
    assert!(!parity.contains("NĐ 224"), "{parity}");
    let drill = at(Regime::Nd331, "MANUAL-INCIDENT-DRILL", 3);
    assert!(
        drill.contains("§5.16.1") && !drill.contains("17.2.6"),
        "{drill}"
    );
    let password = at(Regime::Nd331, "SSH-PASSWORD-AUTH", 3);
    assert!(
        !password.contains("MFA") && !password.contains("đa yếu tố"),
        "{password}"
    );
}

/// The copy is what regulations.md says today, when the reference is beside the repository
/// (the team's machines; CI clones the repository alone and checks against the copy only).
#[test]
fn the_copy_is_still_regulations_md() {
    let reference = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/domain/regulations.md");
    let Ok(text) = std::fs::read_to_string(&reference) else {
        eprintln!(
            "note: {} is not here; the clause tables are checked against tests/fixtures/law/regulations.md alone",
            reference.display()
        );
        return;
    };
    for heading in ["### 5.1 ", "### 5.4 ", "### 5.6 ", "### 11.1 "] {
        let section = |t: &str| -> String {
            let at = t.find(heading).unwrap_or_else(|| panic!("{heading}"));
            let rest = &t[at..];
            let end = rest[1..]
                .find("\n### ")
                .into_iter()
                .chain(rest[1..].find("\n## "))
                .min()
                .map_or(rest.len(), |e| e + 1);
            rest[..end].trim_end().to_owned()
        };
        assert_eq!(
            section(COPY),
            section(&text),
            "{heading} of regulations.md changed: copy it again into tests/fixtures/law/regulations.md"
        );
    }
}

/// docs/policies.md lists every item a pack may cite.
#[test]
fn every_item_is_documented() {
    let doc =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/policies.md"))
            .expect("docs/policies.md");
    for standard in [Standard::Tcvn11930, Standard::Tcvn14423] {
        for item in standard.items() {
            let cite = format!("`@{}/{}`", standard.key(), item.key);
            assert!(doc.contains(&cite), "docs/policies.md does not list {cite}");
        }
    }
}

/// Every requirement of regulations.md §11.1 has a control or a manual attestation in both
/// regimes (or says why the regime does not ask for it), and every control named exists in
/// that regime's pack.
#[test]
fn every_verifiable_requirement_is_covered_in_both_regimes() {
    use capdo::policy::coverage::{Cover, ROWS, counts};
    let catalog = Catalog::embedded();
    // Both tables of §11.1 (host side, then inventory side), without their header rows.
    let at = COPY.find("### 11.1 ").expect("§11.1");
    let section = &COPY[at..];
    let requirements: Vec<String> = section
        .lines()
        .filter(|l| l.starts_with('|') && !l.starts_with("|---"))
        .map(|l| {
            let first = l.trim_matches('|').split('|').next().unwrap_or("");
            let first = first.replace("**", "");
            first.split(" (").next().unwrap_or("").trim().to_owned()
        })
        .filter(|r| r != "Requirement")
        .collect();
    assert!(requirements.len() >= 25, "{requirements:?}");
    for r in &requirements {
        assert!(
            ROWS.iter().any(|row| row.requirement == r),
            "§11.1 `{r}` has no row in src/policy/coverage.rs"
        );
    }
    for row in ROWS {
        assert!(
            requirements.contains(&row.requirement.to_owned()),
            "`{}` is not a requirement of §11.1",
            row.requirement
        );
        for regime in [Regime::Nd85, Regime::Nd331] {
            let cover = row.cover(regime);
            if let Cover::NotRequired(_) = cover {
                continue;
            }
            assert!(
                !cover.controls().is_empty(),
                "{}: no control",
                row.requirement
            );
            for id in cover.controls() {
                assert!(
                    catalog.find(regime, id).is_some(),
                    "{} ({regime:?}): {id} is not in the pack",
                    row.requirement
                );
            }
        }
    }
    // The counts docs/controls.md states; raise them as controls grow.
    assert_eq!(counts(Regime::Nd85), (18, 5, 2, 25));
    assert_eq!(counts(Regime::Nd331), (18, 5, 2, 25));
}
