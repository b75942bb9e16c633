//! Cutting a large inventory file into pieces the TOML parser reads one at a time.
//!
//! The parser lexes a whole document into tokens before building it, about 15 bytes of memory
//! per byte of input; a 16 MB file would need a quarter of a gigabyte for that alone. A file
//! larger than [`PIECE`] is therefore cut before a table header that starts a new item
//! (`[servers.web02]` after `[servers.web01.ssh]`, `[[flows]]`, `[systems]`): never inside a
//! string, a multi-line array or an inline table, and never between an item and its sub-tables,
//! so each piece is a whole TOML document and every item stays in one piece. The loader reads
//! the pieces as it reads several files (an id defined in two of them is reported as defined
//! twice, as TOML itself would).

/// Files up to this size are read in one piece; larger ones in pieces of about this size.
pub const PIECE: usize = 1 << 20;

/// The pieces of `text`, as (byte offset, piece): one piece when it is small or cannot be cut.
pub fn pieces(text: &str) -> Vec<(usize, &str)> {
    if text.len() <= PIECE {
        return vec![(0, text)];
    }
    let mut out = Vec::new();
    let mut start = 0;
    let mut group: Option<String> = None;
    for at in header_lines(text) {
        let g = header_group(&text[at..]);
        // A new item begins here: cut, if the current piece is big enough.
        let new_item = g.is_some() && g != group;
        if new_item && at - start >= PIECE && at > start {
            out.push((start, &text[start..at]));
            start = at;
        }
        if g.is_some() {
            group = g;
        }
    }
    out.push((start, &text[start..]));
    out
}

/// The byte offsets of the lines that start (at column 0) with `[` outside any string,
/// comment, array or inline table: the table headers.
fn header_lines(text: &str) -> Vec<usize> {
    #[derive(Clone, Copy, PartialEq)]
    enum S {
        Code,
        Comment,
        Basic,
        Literal,
        MlBasic,
        MlLiteral,
    }
    let b = text.as_bytes();
    let mut out = Vec::new();
    let mut s = S::Code;
    let mut depth: usize = 0;
    let mut i = 0;
    let mut line_start = true;
    while i < b.len() {
        let c = b[i];
        if line_start && s == S::Code && depth == 0 && c == b'[' {
            out.push(i);
        }
        line_start = false;
        match s {
            S::Code => match c {
                b'#' => s = S::Comment,
                b'"' if b[i..].starts_with(b"\"\"\"") => {
                    s = S::MlBasic;
                    i += 2;
                }
                b'\'' if b[i..].starts_with(b"'''") => {
                    s = S::MlLiteral;
                    i += 2;
                }
                b'"' => s = S::Basic,
                b'\'' => s = S::Literal,
                b'[' | b'{' => depth += 1,
                b']' | b'}' => depth = depth.saturating_sub(1),
                _ => {}
            },
            S::Comment => {
                if c == b'\n' {
                    s = S::Code;
                }
            }
            S::Basic => match c {
                b'\\' => i += 1,
                b'"' | b'\n' => s = S::Code,
                _ => {}
            },
            S::Literal => {
                if c == b'\'' || c == b'\n' {
                    s = S::Code;
                }
            }
            S::MlBasic => {
                if c == b'\\' {
                    i += 1;
                } else if b[i..].starts_with(b"\"\"\"") {
                    // Up to two more quotes may belong to the string.
                    let mut end = i + 3;
                    while end < b.len() && b[end] == b'"' && end < i + 5 {
                        end += 1;
                    }
                    i = end - 1;
                    s = S::Code;
                }
            }
            S::MlLiteral => {
                if b[i..].starts_with(b"'''") {
                    let mut end = i + 3;
                    while end < b.len() && b[end] == b'\'' && end < i + 5 {
                        end += 1;
                    }
                    i = end - 1;
                    s = S::Code;
                }
            }
        }
        if i < b.len() && b[i] == b'\n' {
            line_start = true;
        }
        i += 1;
    }
    out
}

/// What a header belongs to: `servers.web01` for `[servers.web01]` and `[servers.web01.ssh]`,
/// `flows#OFFSET` for each `[[flows]]`, `organization` for `[organization.protection]`. `None`
/// when the header is not plain enough to read (then no cut is made before it).
fn header_group(line: &str) -> Option<String> {
    let line = &line[..line.find('\n').unwrap_or(line.len())];
    let array = line.starts_with("[[");
    let inner = line.trim_start_matches('[');
    let end = inner.find(']')?;
    let path: Vec<&str> = inner[..end].split('.').map(str::trim).collect();
    if path.iter().any(|p| {
        p.is_empty()
            || !p
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
    }) {
        return None;
    }
    let first = path.first()?;
    if array {
        // Every `[[flows]]` is an item of its own.
        return Some(format!("{first}#{}", line.as_ptr() as usize));
    }
    let item_table = matches!(
        *first,
        "datacenters" | "networks" | "servers" | "systems" | "externals"
    );
    Some(match (item_table, path.get(1)) {
        (true, Some(id)) => format!("{first}.{id}"),
        _ => (*first).to_owned(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn servers(n: usize) -> String {
        (0..n)
            .map(|i| {
                format!(
                    "[servers.s{i}]\nnetwork = \"lan\"\naddress = \"10.0.0.1\"\nnote = \"\"\"\n[servers.fake]\n\"\"\"\n\n[servers.s{i}.ssh]\nport = 22\nlist = [\n[1], [2],\n]\n# [servers.comment]\n"
                )
            })
            .collect()
    }

    #[test]
    fn a_small_file_is_one_piece() {
        let t = servers(10);
        assert_eq!(pieces(&t), vec![(0, t.as_str())]);
    }

    #[test]
    fn a_large_file_is_cut_only_before_a_new_item_and_every_piece_parses() {
        let t = servers(40_000);
        assert!(t.len() > 3 * PIECE);
        let p = pieces(&t);
        assert!(p.len() >= 3, "{}", p.len());
        // The pieces cover the text, in order, without a gap.
        let mut at = 0;
        for (off, piece) in &p {
            assert_eq!(*off, at);
            at += piece.len();
        }
        assert_eq!(at, t.len());
        for (_, piece) in &p {
            assert!(piece.starts_with("[servers.s"), "{}", &piece[..40]);
            assert!(!piece.starts_with("[servers.fake]"));
            let doc: toml::Table = toml::from_str(piece).expect("each piece is a document");
            // Every item has its ssh sub-table in the same piece.
            let servers = doc["servers"].as_table().expect("servers");
            assert!(servers.values().all(|s| s.get("ssh").is_some()));
        }
    }

    #[test]
    fn headers_inside_strings_arrays_and_comments_are_not_headers() {
        let t = "a = \"\"\"\n[x]\n\"\"\"\nb = '''\n[y]\n'''\nc = [\n[1],\n]\n# [z]\n[real]\n";
        let found: Vec<&str> = header_lines(t).iter().map(|&i| &t[i..i + 6]).collect();
        assert_eq!(found, ["[real]"]);
    }
}
