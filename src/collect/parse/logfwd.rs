//! Where logs are forwarded, from the configuration of rsyslog, syslog-ng, systemd-journal-upload,
//! the Wazuh agent and Filebeat.
//!
//! Files are dispatched on their path: `ossec.conf` → Wazuh; `filebeat.yml`/`.yaml` → Filebeat;
//! a path containing `journal-upload` → journald; `syslog-ng` → syslog-ng; `rsyslog` → rsyslog.
//! Commented-out settings never count. The result is sorted and deduplicated. Rules per format:
//! - rsyslog, legacy: an action word `@host[:port]` (UDP) or `@@host[:port]` (TCP) after a
//!   selector, `&` or `then`, with optional `(o,z9)` options before the host, `[v6]` brackets,
//!   and a `;Template` suffix; `:omrelp:host:port`. RainerScript: `action(type="omfwd"
//!   target=… port=… protocol=…)` over any number of lines (parameter names case-insensitive;
//!   protocol default udp), `omrelp` (relp), `omelasticsearch` (`server`, `serverport` default
//!   9200, http or https with `usehttps`). Default port 514. `#` comments (outside quotes) and
//!   `/* */` are removed first.
//! - syslog-ng: drivers inside `destination NAME { … }` (or an inline `destination { … }`):
//!   `network()` (default tcp, 514), `syslog()` (default tcp; port 601 for tcp, 514 for udp,
//!   6514 for tls), `tcp()`/`tcp6()`, `udp()`/`udp6()` (514); `port()`/`destport()`,
//!   `transport()`. `#` comments removed. Sources' `tcp()`/`udp()` are not destinations.
//! - journald: `URL=` in `[Upload]`; drop-ins (`journal-upload.conf.d/*.conf`, by name) after the
//!   main file and the last value wins, as systemd reads it; scheme http/https is the protocol
//!   (https when none is written), port 19532 unless written.
//! - Wazuh: each `<server>` in `<client>`: `<address>`, `<port>` (1514), `<protocol>` (tcp);
//!   the old OSSEC `<server-ip>`/`<server-hostname>` (1514, udp). `<!-- -->` removed.
//! - Filebeat: `output.logstash.hosts` (5044, tcp) and `output.elasticsearch.hosts` (9200;
//!   the URL scheme or `protocol`, else http), in the dotted or the nested YAML form, flow
//!   (`[…]`) or block (`- …`) lists; an output with `enabled: false` is off.

use std::collections::BTreeMap;

use super::basename;
use crate::collect::facts::ForwardTarget;

pub fn parse(files: &[(String, String)]) -> Vec<ForwardTarget> {
    let mut out = Vec::new();
    let mut journal: Vec<(&str, &str)> = Vec::new();
    for (path, content) in files {
        let name = basename(path);
        if name == "ossec.conf" {
            wazuh(content, &mut out);
        } else if name == "filebeat.yml" || name == "filebeat.yaml" {
            filebeat(content, &mut out);
        } else if path.contains("journal-upload") {
            journal.push((path, content));
        } else if path.contains("syslog-ng") {
            syslog_ng(content, &mut out);
        } else if path.contains("rsyslog") {
            rsyslog(content, &mut out);
        }
    }
    journal.sort_by_key(|(path, _)| (path.contains(".conf.d/"), basename(path)));
    let url = journal
        .iter()
        .filter_map(|(_, content)| journal_url(content))
        .next_back();
    if let Some(url) = url {
        out.extend(url_target(&url, "https", 19532, "journald"));
    }
    out.sort();
    out.dedup();
    out
}

fn target(host: &str, port: u16, protocol: &str, via: &str) -> Option<ForwardTarget> {
    let host = host.trim();
    (!host.is_empty()).then(|| ForwardTarget {
        host: host.to_owned(),
        port,
        protocol: protocol.to_ascii_lowercase(),
        via: via.to_owned(),
    })
}

/// Remove `#` comments (to the end of the line) and, with `blocks`, `/* … */` starting a word,
/// outside quoted strings. Quotes do not span lines, so an unbalanced quote cannot hide the rest of a file.
fn strip_comments(text: &str, blocks: bool) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    let mut quote: Option<char> = None;
    while let Some(c) = chars.next() {
        match quote {
            Some(q) => {
                out.push(c);
                if c == '\\' {
                    if let Some(n) = chars.next_if(|n| *n != '\n') {
                        out.push(n);
                    }
                } else if c == q || c == '\n' {
                    quote = None;
                }
            }
            None => match c {
                '"' | '\'' => {
                    quote = Some(c);
                    out.push(c);
                }
                '#' => while chars.next_if(|n| *n != '\n').is_some() {},
                // `/*` opens a comment only at the start of a word: `/etc/rsyslog.d/*.conf` is a
                // path.
                '/' if blocks
                    && chars.peek() == Some(&'*')
                    && out.chars().next_back().is_none_or(|p| {
                        p.is_whitespace() || matches!(p, ';' | '{' | '}' | ')')
                    }) =>
                {
                    chars.next();
                    let mut prev = ' ';
                    for n in chars.by_ref() {
                        if n == '\n' {
                            out.push('\n');
                        }
                        if prev == '*' && n == '/' {
                            break;
                        }
                        prev = n;
                    }
                }
                _ => out.push(c),
            },
        }
    }
    out
}

/// The text from `open` (a `(` or `{` at byte `start`) to its matching closer, exclusive, and the
/// byte offset after the closer; quotes are skipped. `None` when it is not closed.
fn balanced(text: &str, start: usize) -> Option<(&str, usize)> {
    let open = text.get(start..)?.chars().next()?;
    let close = match open {
        '(' => ')',
        '{' => '}',
        _ => return None,
    };
    let mut depth = 0usize;
    let mut quote: Option<char> = None;
    let mut escaped = false;
    for (i, c) in text.get(start..)?.char_indices() {
        if let Some(q) = quote {
            if escaped {
                escaped = false;
            } else if c == '\\' {
                escaped = true;
            } else if c == q {
                quote = None;
            }
            continue;
        }
        match c {
            '"' | '\'' => quote = Some(c),
            c if c == open => depth += 1,
            c if c == close => {
                depth = depth.saturating_sub(1);
                if depth == 0 {
                    let inner = text.get(start + open.len_utf8()..start + i)?;
                    return Some((inner, start + i + close.len_utf8()));
                }
            }
            _ => {}
        }
    }
    None
}

/// Byte offsets just after each place where `word` (ASCII, case-insensitive) stands as a whole
/// word.
fn find_words(text: &str, word: &str) -> Vec<usize> {
    let lower = text.to_ascii_lowercase();
    let mut found = Vec::new();
    let mut from = 0;
    while let Some(i) = lower.get(from..).and_then(|s| s.find(word)) {
        let at = from + i;
        from = at + word.len();
        let before_ok = lower
            .get(..at)
            .and_then(|s| s.chars().next_back())
            .is_none_or(|c| !(c.is_alphanumeric() || matches!(c, '_' | '-' | '.' | '$')));
        let after_ok = lower
            .get(from..)
            .and_then(|s| s.chars().next())
            .is_none_or(|c| !(c.is_alphanumeric() || matches!(c, '_' | '-' | '.')));
        if before_ok && after_ok {
            found.push(from);
        }
    }
    found
}

/// Byte offsets of the `(` of each `word(` call.
fn find_calls(text: &str, word: &str) -> Vec<usize> {
    find_words(text, word)
        .into_iter()
        .filter_map(|end| {
            let rest = text.get(end..)?;
            let ws = rest.len() - rest.trim_start().len();
            rest.trim_start().starts_with('(').then_some(end + ws)
        })
        .collect()
}

// --- rsyslog ---------------------------------------------------------------------------------

fn rsyslog(content: &str, out: &mut Vec<ForwardTarget>) {
    let text = strip_comments(content, true);
    // Calls are taken in order and never overlap, and an unclosed one ends the scan: each byte
    // is looked at a bounded number of times, whatever the file holds.
    let mut done = 0;
    for paren in find_calls(&text, "action") {
        if paren < done {
            continue;
        }
        let Some((inner, end)) = balanced(&text, paren) else {
            break;
        };
        done = end;
        let params = rainer_params(inner);
        let get = |k: &str| params.get(k).map(String::as_str);
        match get("type").map(str::to_ascii_lowercase).as_deref() {
            Some("omfwd") => {
                let port = get("port")
                    .and_then(|p| p.trim().parse().ok())
                    .unwrap_or(514);
                let proto = get("protocol").unwrap_or("udp");
                for host in list_values(get("target").unwrap_or("")) {
                    out.extend(target(&host, port, proto, "rsyslog"));
                }
            }
            Some("omrelp") => {
                let port = get("port")
                    .and_then(|p| p.trim().parse().ok())
                    .unwrap_or(514);
                for host in list_values(get("target").unwrap_or("")) {
                    out.extend(target(&host, port, "relp", "rsyslog"));
                }
            }
            Some("omelasticsearch") => {
                let port = get("serverport")
                    .and_then(|p| p.trim().parse().ok())
                    .unwrap_or(9200);
                let https = get("usehttps").is_some_and(|v| v.eq_ignore_ascii_case("on"));
                for server in list_values(get("server").unwrap_or("localhost")) {
                    out.extend(url_target(
                        &server,
                        if https { "https" } else { "http" },
                        port,
                        "rsyslog",
                    ));
                }
            }
            _ => {}
        }
    }
    for line in text.lines() {
        let words = unquoted_words(line);
        let Some(first) = words.first() else {
            continue;
        };
        // An action follows a selector (`*.*`, `auth,authpriv.*`, `:msg, contains, "x"`), `&`
        // (another action for the previous selector) or `then`.
        let after_selector = first.contains('.') || first == "&" || first.starts_with(':');
        for (i, w) in words.iter().enumerate().skip(1) {
            let after_then = words
                .get(i - 1)
                .is_some_and(|p| p.eq_ignore_ascii_case("then"));
            if after_selector || after_then {
                out.extend(legacy_action(w));
            }
        }
    }
}

/// `name="value"` pairs of a RainerScript parameter list, names lowercased. Values may be
/// quoted, bare, or `[…]` lists (kept as written).
fn rainer_params(inner: &str) -> BTreeMap<String, String> {
    let mut params = BTreeMap::new();
    let mut chars = inner.chars().peekable();
    loop {
        while chars.next_if(|c| c.is_whitespace() || *c == ',').is_some() {}
        let mut name = String::new();
        while let Some(c) = chars.next_if(|c| c.is_alphanumeric() || matches!(c, '.' | '_' | '-')) {
            name.push(c);
        }
        while chars.next_if(|c| c.is_whitespace()).is_some() {}
        if name.is_empty() || chars.next_if_eq(&'=').is_none() {
            // Not a parameter: skip one character and look again (never loops forever).
            if chars.next().is_none() {
                break;
            }
            continue;
        }
        while chars.next_if(|c| c.is_whitespace()).is_some() {}
        let mut value = String::new();
        match chars.peek() {
            Some('"') | Some('\'') => {
                let q = chars.next().unwrap_or('"');
                while let Some(c) = chars.next() {
                    match c {
                        '\\' => value.extend(chars.next()),
                        c if c == q => break,
                        c => value.push(c),
                    }
                }
            }
            Some('[') => {
                for c in chars.by_ref() {
                    value.push(c);
                    if c == ']' {
                        break;
                    }
                }
            }
            _ => {
                while let Some(c) = chars.next_if(|c| !c.is_whitespace() && *c != ')') {
                    value.push(c);
                }
            }
        }
        params.entry(name.to_ascii_lowercase()).or_insert(value);
    }
    params
}

/// A value that may be a `["a", "b"]` list.
fn list_values(v: &str) -> Vec<String> {
    let v = v.trim();
    match v.strip_prefix('[').and_then(|v| v.strip_suffix(']')) {
        Some(items) => items
            .split(',')
            .map(|s| s.trim().trim_matches(['"', '\'']).trim().to_owned())
            .filter(|s| !s.is_empty())
            .collect(),
        None => vec![v.to_owned()],
    }
}

/// Whitespace-separated words of a line, quoted parts kept inside their word.
fn unquoted_words(line: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut cur = String::new();
    let mut quote: Option<char> = None;
    for c in line.chars() {
        match quote {
            Some(q) => {
                cur.push(c);
                if c == q {
                    quote = None;
                }
            }
            None if c == '"' || c == '\'' => {
                quote = Some(c);
                cur.push(c);
            }
            None if c.is_whitespace() => {
                if !cur.is_empty() {
                    words.push(std::mem::take(&mut cur));
                }
            }
            None => cur.push(c),
        }
    }
    if !cur.is_empty() {
        words.push(cur);
    }
    words
}

/// `@host`, `@@(o)host:port;Template`, `@[fd00::1]:514`, `:omrelp:host:port`.
fn legacy_action(word: &str) -> Option<ForwardTarget> {
    if let Some(rest) = word.strip_prefix(":omrelp:") {
        let rest = rest.split(';').next().unwrap_or("");
        let (host, port) = host_port(rest)?;
        return target(&host, port.unwrap_or(514), "relp", "rsyslog");
    }
    let (proto, rest) = match word.strip_prefix("@@") {
        Some(r) => ("tcp", r),
        None => ("udp", word.strip_prefix('@')?),
    };
    let rest = match rest.strip_prefix('(') {
        Some(r) => r.split_once(')').map_or("", |(_, after)| after),
        None => rest,
    };
    let rest = rest.split(';').next().unwrap_or("");
    let (host, port) = host_port(rest)?;
    target(&host, port.unwrap_or(514), proto, "rsyslog")
}

/// "host", "host:port", "[v6]", "[v6]:port"; `None` when the port is not a number.
fn host_port(s: &str) -> Option<(String, Option<u16>)> {
    if let Some(rest) = s.strip_prefix('[') {
        let (host, after) = rest.split_once(']')?;
        let port = match after.strip_prefix(':') {
            Some(p) => Some(p.parse().ok()?),
            None if after.is_empty() => None,
            None => return None,
        };
        return Some((host.to_owned(), port));
    }
    match s.split_once(':') {
        // More than one colon without brackets: a bare IPv6 address.
        Some((_, p)) if p.contains(':') => Some((s.to_owned(), None)),
        Some((h, "")) => Some((h.to_owned(), None)),
        Some((h, p)) => Some((h.to_owned(), Some(p.parse().ok()?))),
        None => Some((s.to_owned(), None)),
    }
}

// --- syslog-ng -------------------------------------------------------------------------------

fn syslog_ng(content: &str, out: &mut Vec<ForwardTarget>) {
    let text = strip_comments(content, false);
    let mut done = 0;
    for brace in destination_blocks(&text) {
        if brace < done {
            continue;
        }
        let Some((body, end)) = balanced(&text, brace) else {
            break;
        };
        done = end;
        for (name, args) in sng_calls(body) {
            let (default_proto, tcp_port) = match name.as_str() {
                "network" => ("tcp", 514),
                "syslog" => ("tcp", 601),
                "tcp" | "tcp6" => ("tcp", 514),
                "udp" | "udp6" => ("udp", 514),
                _ => continue,
            };
            let items = sng_items(args);
            let host = items.iter().find_map(|i| match i {
                SngItem::Positional(h) => Some(h.clone()),
                SngItem::Option(..) => None,
            });
            let option = |want: &[&str]| {
                items.iter().find_map(|i| match i {
                    SngItem::Option(n, v) if want.contains(&n.replace('_', "-").as_str()) => {
                        Some(v.trim().trim_matches(['"', '\'']).to_ascii_lowercase())
                    }
                    _ => None,
                })
            };
            let proto = match name.as_str() {
                "network" | "syslog" => {
                    option(&["transport"]).unwrap_or_else(|| default_proto.to_owned())
                }
                _ => default_proto.to_owned(),
            };
            let default_port = match (name.as_str(), proto.as_str()) {
                ("syslog", "udp") => 514,
                ("syslog", "tls") => 6514,
                _ => tcp_port,
            };
            let port = option(&["port", "destport"])
                .and_then(|p| p.parse().ok())
                .unwrap_or(default_port);
            if let Some(host) = host {
                out.extend(target(&host, port, &proto, "syslog-ng"));
            }
        }
    }
}

/// Byte offsets of the `{` of each `destination NAME {` or inline `destination {` block.
/// References in log paths (`destination(d_x)`) are not blocks.
fn destination_blocks(text: &str) -> Vec<usize> {
    find_words(text, "destination")
        .into_iter()
        .filter_map(|end| {
            let rest = text.get(end..)?;
            let mut at = end + (rest.len() - rest.trim_start().len());
            let rest = rest.trim_start();
            if !rest.starts_with('{') {
                let name_len =
                    rest.find(|c: char| !(c.is_alphanumeric() || matches!(c, '_' | '-' | '.')))?;
                if name_len == 0 {
                    return None;
                }
                let after = rest.get(name_len..)?;
                at += name_len + (after.len() - after.trim_start().len());
                if !after.trim_start().starts_with('{') {
                    return None;
                }
            }
            Some(at)
        })
        .collect()
}

/// Top-level `name(args)` calls in a syslog-ng block.
fn sng_calls(body: &str) -> Vec<(String, &str)> {
    let mut calls = Vec::new();
    let mut i = 0;
    while let Some(c) = body.get(i..).and_then(|s| s.chars().next()) {
        if c.is_alphabetic() {
            let len = body
                .get(i..)
                .unwrap_or("")
                .find(|c: char| !(c.is_alphanumeric() || c == '_' || c == '-'))
                .unwrap_or(body.len() - i);
            let name = body.get(i..i + len).unwrap_or("").to_ascii_lowercase();
            let after = body.get(i + len..).unwrap_or("");
            let ws = after.len() - after.trim_start().len();
            if after.trim_start().starts_with('(') {
                // Unclosed: the rest of the block is inside it.
                let Some((args, end)) = balanced(body, i + len + ws) else {
                    break;
                };
                calls.push((name, args));
                i = end;
                continue;
            }
            i += len.max(1);
        } else if c == '"' || c == '\'' {
            // Skip a string.
            let rest = body.get(i + 1..).unwrap_or("");
            i += 1 + rest.find(c).map_or(rest.len(), |j| j + 1);
        } else {
            i += c.len_utf8();
        }
    }
    calls
}

#[derive(Debug)]
enum SngItem {
    Positional(String),
    Option(String, String),
}

/// A driver's arguments: positional values (strings or bare words) and `name(value)` options.
fn sng_items(args: &str) -> Vec<SngItem> {
    let mut items = Vec::new();
    let mut i = 0;
    while let Some(c) = args.get(i..).and_then(|s| s.chars().next()) {
        if c == '"' || c == '\'' {
            let rest = args.get(i + 1..).unwrap_or("");
            let end = rest.find(c).unwrap_or(rest.len());
            items.push(SngItem::Positional(
                rest.get(..end).unwrap_or("").to_owned(),
            ));
            i += 1 + end + 1;
        } else if c.is_alphanumeric() || c == '_' || c == '-' || c == '.' || c == ':' || c == '[' {
            let rest = args.get(i..).unwrap_or("");
            let len = rest
                .find(|c: char| c.is_whitespace() || c == '(' || c == ')')
                .unwrap_or(rest.len());
            let word = rest.get(..len).unwrap_or("");
            let after = rest.get(len..).unwrap_or("");
            let ws = after.len() - after.trim_start().len();
            if after.trim_start().starts_with('(') {
                match balanced(args, i + len + ws) {
                    Some((inner, end)) => {
                        items.push(SngItem::Option(word.to_ascii_lowercase(), inner.to_owned()));
                        i = end;
                    }
                    None => break,
                }
            } else {
                items.push(SngItem::Positional(word.to_owned()));
                i += len.max(1);
            }
        } else {
            i += c.len_utf8();
        }
    }
    items
}

// --- journald --------------------------------------------------------------------------------

fn journal_url(content: &str) -> Option<String> {
    let mut section = "";
    let mut url = None;
    for line in content.lines() {
        let line = line.trim();
        if line.starts_with('#') || line.starts_with(';') {
            continue;
        }
        if let Some(s) = line.strip_prefix('[').and_then(|s| s.strip_suffix(']')) {
            section = s;
        } else if section == "Upload"
            && let Some((k, v)) = line.split_once('=')
            && k.trim() == "URL"
        {
            let v = v.trim();
            url = (!v.is_empty()).then(|| v.to_owned());
        }
    }
    url
}

/// A target from "scheme://host:port/path", "host:port" or "host".
fn url_target(
    url: &str,
    default_scheme: &str,
    default_port: u16,
    via: &str,
) -> Option<ForwardTarget> {
    let url = url.trim();
    let (scheme, rest) = match url.split_once("://") {
        Some((s, r)) => (s.to_ascii_lowercase(), r),
        None => (default_scheme.to_owned(), url),
    };
    let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
    let authority = authority.rsplit('@').next().unwrap_or(authority);
    let (host, port) = host_port(authority)?;
    target(&host, port.unwrap_or(default_port), &scheme, via)
}

// --- Wazuh -----------------------------------------------------------------------------------

fn wazuh(content: &str, out: &mut Vec<ForwardTarget>) {
    let text = strip_xml_comments(content);
    for client in xml_elements(&text, "client") {
        for server in xml_elements(client, "server") {
            let address = xml_elements(server, "address").into_iter().next();
            let port = xml_elements(server, "port")
                .into_iter()
                .next()
                .and_then(|p| p.trim().parse().ok());
            let proto = xml_elements(server, "protocol")
                .into_iter()
                .next()
                .map(str::trim);
            if let Some(a) = address {
                out.extend(target(
                    a,
                    port.unwrap_or(1514),
                    proto.unwrap_or("tcp"),
                    "wazuh",
                ));
            }
        }
        for tag in ["server-ip", "server-hostname"] {
            for a in xml_elements(client, tag) {
                let port = xml_elements(client, "port")
                    .into_iter()
                    .next()
                    .and_then(|p| p.trim().parse().ok());
                let proto = xml_elements(client, "protocol")
                    .into_iter()
                    .next()
                    .map(str::trim);
                out.extend(target(
                    a,
                    port.unwrap_or(1514),
                    proto.unwrap_or("udp"),
                    "wazuh",
                ));
            }
        }
    }
}

fn strip_xml_comments(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(i) = rest.find("<!--") {
        out.push_str(rest.get(..i).unwrap_or(""));
        rest = rest.get(i + 4..).unwrap_or("");
        rest = match rest.find("-->") {
            Some(j) => rest.get(j + 3..).unwrap_or(""),
            None => "",
        };
    }
    out.push_str(rest);
    out
}

/// Contents of each `<tag>…</tag>` (attributes allowed on the opening tag; not nested in itself).
fn xml_elements<'t>(text: &'t str, tag: &str) -> Vec<&'t str> {
    let open = format!("<{tag}");
    let close = format!("</{tag}>");
    let mut found = Vec::new();
    let mut rest = text;
    while let Some(i) = rest.find(&open) {
        let after = rest.get(i + open.len()..).unwrap_or("");
        // `<server>` must not match `<server-ip>`.
        if !after.starts_with(['>', ' ', '\t', '\n', '\r']) {
            rest = after;
            continue;
        }
        let Some(gt) = after.find('>') else {
            break;
        };
        let body = after.get(gt + 1..).unwrap_or("");
        let Some(end) = body.find(&close) else {
            break;
        };
        found.push(body.get(..end).unwrap_or("").trim());
        rest = body.get(end + close.len()..).unwrap_or("");
    }
    found
}

// --- Filebeat --------------------------------------------------------------------------------

fn filebeat(content: &str, out: &mut Vec<ForwardTarget>) {
    let values = yaml_flatten(content);
    let get = |k: &str| {
        values
            .iter()
            .filter(|(key, _)| key == k)
            .map(|(_, v)| v.as_str())
            .collect::<Vec<_>>()
    };
    let enabled = |out: &str| {
        get(&format!("output.{out}.enabled"))
            .last()
            .is_none_or(|v| !v.eq_ignore_ascii_case("false"))
    };
    if enabled("logstash") {
        for host in get("output.logstash.hosts") {
            out.extend(url_target(host, "tcp", 5044, "filebeat"));
        }
    }
    if enabled("elasticsearch") {
        let scheme = get("output.elasticsearch.protocol")
            .last()
            .map_or("http", |p| *p)
            .to_owned();
        for host in get("output.elasticsearch.hosts") {
            out.extend(url_target(host, &scheme, 9200, "filebeat"));
        }
    }
}

/// A YAML subset: (dotted key, scalar) pairs, one per scalar and per list item. Keys nest by
/// indentation; flow lists `[a, "b"]` and block lists `- a` give one pair per item.
fn yaml_flatten(text: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    // (indent, key) of the open mappings.
    let mut stack: Vec<(usize, String)> = Vec::new();
    for raw in text.lines() {
        let line = yaml_strip_comment(raw);
        if line.trim().is_empty() || line.trim_start().starts_with("---") {
            continue;
        }
        let indent = line.len() - line.trim_start().len();
        let body = line.trim();
        if let Some(item) = body
            .strip_prefix('-')
            .filter(|i| i.is_empty() || i.starts_with(' '))
        {
            // A list item belongs to the closest key less indented than it (or equally, as
            // YAML allows "key:\n- a").
            while stack.last().is_some_and(|(i, _)| *i > indent) {
                stack.pop();
            }
            let key = dotted(&stack);
            let item = item.trim();
            if !item.is_empty() && !item.contains(": ") && !item.ends_with(':') {
                out.push((key, unquote_yaml(item)));
            }
            continue;
        }
        while stack.last().is_some_and(|(i, _)| *i >= indent) {
            stack.pop();
        }
        let Some((key, value)) = body
            .split_once(':')
            .filter(|(k, v)| !k.is_empty() && (v.is_empty() || v.starts_with(' ')))
        else {
            continue;
        };
        let key = unquote_yaml(key.trim());
        let value = value.trim();
        stack.push((indent, key));
        if value.is_empty() {
            continue;
        }
        let full = dotted(&stack);
        stack.pop();
        match value.strip_prefix('[').and_then(|v| v.strip_suffix(']')) {
            Some(items) => {
                for item in items.split(',').map(str::trim).filter(|i| !i.is_empty()) {
                    out.push((full.clone(), unquote_yaml(item)));
                }
            }
            None => out.push((full, unquote_yaml(value))),
        }
    }
    out
}

fn dotted(stack: &[(usize, String)]) -> String {
    stack
        .iter()
        .map(|(_, k)| k.as_str())
        .collect::<Vec<_>>()
        .join(".")
}

/// Cut a `#` comment that starts the line or follows whitespace, outside quotes.
fn yaml_strip_comment(line: &str) -> &str {
    let mut quote: Option<char> = None;
    let mut prev = ' ';
    for (i, c) in line.char_indices() {
        match quote {
            Some(q) if c == q => quote = None,
            Some(_) => {}
            None if c == '"' || c == '\'' => quote = Some(c),
            None if c == '#' && prev.is_whitespace() => return line.get(..i).unwrap_or(""),
            None => {}
        }
        prev = c;
    }
    line
}

fn unquote_yaml(s: &str) -> String {
    let s = s.trim();
    for q in ['"', '\''] {
        if let Some(inner) = s.strip_prefix(q).and_then(|s| s.strip_suffix(q)) {
            return inner.to_owned();
        }
    }
    s.to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    macro_rules! fx {
        ($name:literal) => {
            include_str!(concat!("../../../tests/fixtures/collect/logfwd/", $name))
        };
    }

    fn t(host: &str, port: u16, protocol: &str, via: &str) -> ForwardTarget {
        ForwardTarget {
            host: host.into(),
            port,
            protocol: protocol.into(),
            via: via.into(),
        }
    }

    fn f(path: &str, content: &str) -> (String, String) {
        (path.to_owned(), content.to_owned())
    }

    fn sorted(mut v: Vec<ForwardTarget>) -> Vec<ForwardTarget> {
        v.sort();
        v
    }

    #[test]
    fn rsyslog_legacy_and_rainerscript() {
        let files = [
            f("/etc/rsyslog.conf", fx!("rsyslog/rsyslog.conf")),
            f(
                "/etc/rsyslog.d/60-forward.conf",
                fx!("rsyslog/60-forward.conf"),
            ),
            f("/etc/rsyslog.d/70-relp.conf", fx!("rsyslog/70-relp.conf")),
        ];
        assert_eq!(
            parse(&files),
            sorted(vec![
                t("siem.example.gov.vn", 10514, "tcp", "rsyslog"),
                t("10.10.9.20", 514, "udp", "rsyslog"),
                t("fd00:10::20", 1514, "udp", "rsyslog"),
                t("logs2.example.gov.vn", 514, "tcp", "rsyslog"),
                t("logs.example.gov.vn", 6514, "tcp", "rsyslog"),
                t("10.10.9.21", 514, "udp", "rsyslog"),
                t("archive.example.gov.vn", 2514, "relp", "rsyslog"),
            ])
        );
    }

    #[test]
    fn debian_stock_rsyslog_forwards_nothing() {
        let stock: String = fx!("rsyslog/rsyslog.conf")
            .split("#### REMOTE ###")
            .next()
            .unwrap_or("")
            .to_owned();
        assert_eq!(parse(&[f("/etc/rsyslog.conf", &stock)]), []);
    }

    #[test]
    fn syslog_ng_destinations_only() {
        let files = [
            f(
                "/etc/syslog-ng/syslog-ng.conf",
                fx!("syslog-ng/syslog-ng.conf"),
            ),
            f(
                "/etc/syslog-ng/conf.d/siem.conf",
                fx!("syslog-ng/conf.d-siem.conf"),
            ),
        ];
        assert_eq!(
            parse(&files),
            sorted(vec![
                t("siem.example.gov.vn", 6514, "tls", "syslog-ng"),
                t("10.10.9.30", 514, "udp", "syslog-ng"),
                t("archive.example.gov.vn", 1514, "tcp", "syslog-ng"),
                t("10.10.9.31", 601, "tcp", "syslog-ng"),
                t("fd00:10::30", 514, "udp", "syslog-ng"),
            ])
        );
        // The stock Debian file alone: its only network destination is commented out.
        assert_eq!(
            parse(&[f(
                "/etc/syslog-ng/syslog-ng.conf",
                fx!("syslog-ng/syslog-ng.conf")
            )]),
            []
        );
    }

    #[test]
    fn syslog_ng_inline_destination_and_defaults() {
        let conf = "log { source(s_src); destination { syslog(\"10.0.0.9\"); network(\"10.0.0.8\"); }; };\n\
                    source s_net { tcp(port(514)); udp(); };\n\
                    destination d_t { syslog('10.0.0.7' transport(tls)); };";
        assert_eq!(
            parse(&[f("/etc/syslog-ng/conf.d/x.conf", conf)]),
            sorted(vec![
                t("10.0.0.9", 601, "tcp", "syslog-ng"),
                t("10.0.0.8", 514, "tcp", "syslog-ng"),
                t("10.0.0.7", 6514, "tls", "syslog-ng"),
            ])
        );
    }

    #[test]
    fn journal_upload_drop_in_wins() {
        let main = f(
            "/etc/systemd/journal-upload.conf",
            fx!("journal-upload/journal-upload.conf"),
        );
        assert_eq!(
            parse(std::slice::from_ref(&main)),
            [t("journal.example.gov.vn", 19532, "https", "journald")]
        );
        let dropin = f(
            "/etc/systemd/journal-upload.conf.d/10-backup.conf",
            fx!("journal-upload/10-dropin.conf"),
        );
        assert_eq!(
            parse(&[dropin, main]),
            [t("fd00:10::50", 8080, "http", "journald")]
        );
    }

    #[test]
    fn wazuh_servers_not_comments() {
        let got = parse(&[f("/var/ossec/etc/ossec.conf", fx!("wazuh/ossec.conf"))]);
        assert_eq!(
            got,
            sorted(vec![
                t("10.10.9.40", 1514, "tcp", "wazuh"),
                t("wazuh-2.example.gov.vn", 1514, "udp", "wazuh")
            ])
        );
        let old = "<ossec_config><client><server-ip>10.1.1.1</server-ip></client></ossec_config>";
        assert_eq!(
            parse(&[f("/var/ossec/etc/ossec.conf", old)]),
            [t("10.1.1.1", 1514, "udp", "wazuh")]
        );
    }

    #[test]
    fn filebeat_logstash_flow_list() {
        let got = parse(&[f(
            "/etc/filebeat/filebeat.yml",
            fx!("filebeat/filebeat.yml"),
        )]);
        assert_eq!(
            got,
            sorted(vec![
                t("logstash-1.example.gov.vn", 5044, "tcp", "filebeat"),
                t("10.10.9.61", 5044, "tcp", "filebeat")
            ])
        );
    }

    #[test]
    fn filebeat_elasticsearch_nested_block_list() {
        let got = parse(&[f(
            "/etc/filebeat/filebeat.yml",
            fx!("filebeat/filebeat-es.yml"),
        )]);
        assert_eq!(
            got,
            sorted(vec![
                t("es-1.example.gov.vn", 9243, "https", "filebeat"),
                t("es-2.example.gov.vn", 9200, "https", "filebeat")
            ])
        );
        let off = "output.logstash:\n  enabled: false\n  hosts: [\"a:5044\"]\n";
        assert_eq!(parse(&[f("/etc/filebeat/filebeat.yml", off)]), []);
    }

    #[test]
    fn rsyslog_legacy_positions() {
        let conf = "mail.* @a\n& @@b:20\n:msg, contains, \"x\" @c\nif $x then @@d\n$Foo @e\n@f\n";
        assert_eq!(
            parse(&[f("/etc/rsyslog.d/a.conf", conf)]),
            sorted(vec![
                t("a", 514, "udp", "rsyslog"),
                t("b", 20, "tcp", "rsyslog"),
                t("c", 514, "udp", "rsyslog"),
                t("d", 514, "tcp", "rsyslog"),
            ])
        );
    }

    #[test]
    fn helpers() {
        assert_eq!(
            host_port("[fd00::1]:514"),
            Some(("fd00::1".to_owned(), Some(514)))
        );
        assert_eq!(host_port("fd00::1"), Some(("fd00::1".to_owned(), None)));
        assert_eq!(host_port("h:x"), None);
        assert_eq!(
            legacy_action("@@(o,z9)h:10514;RSYSLOG_ForwardFormat"),
            Some(t("h", 10514, "tcp", "rsyslog"))
        );
        assert_eq!(
            legacy_action(":omrelp:r:2514"),
            Some(t("r", 2514, "relp", "rsyslog"))
        );
        assert_eq!(
            strip_comments("a \"#b\" # c\n/* d\n*/e", true),
            "a \"#b\" \n\ne"
        );
        assert_eq!(
            strip_comments("$IncludeConfig /etc/rsyslog.d/*.conf", true),
            "$IncludeConfig /etc/rsyslog.d/*.conf"
        );
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]
        #[test]
        fn never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..512)) {
            let text = String::from_utf8_lossy(&bytes).into_owned();
            let files: Vec<(String, String)> = [
                "/etc/rsyslog.conf",
                "/etc/syslog-ng/syslog-ng.conf",
                "/etc/systemd/journal-upload.conf",
                "/var/ossec/etc/ossec.conf",
                "/etc/filebeat/filebeat.yml",
            ]
            .iter()
            .map(|p| ((*p).to_owned(), text.clone()))
            .collect();
            let _ = parse(&files);
        }

        #[test]
        fn never_panics_on_syntax_soup(s in "(action\\(|destination|network\\(|\\{|\\}|\\(|\\)|\"|'|#|/\\*|\\*/|@@?|\\[|\\]|:|=|-|<client>|<server>|</server>|<!--|-->|hosts:|output\\.|é|\n| |[a-z0-9])*") {
            let files: Vec<(String, String)> = [
                "/etc/rsyslog.d/a.conf",
                "/etc/syslog-ng/conf.d/a.conf",
                "/etc/systemd/journal-upload.conf",
                "/var/ossec/etc/ossec.conf",
                "/etc/filebeat/filebeat.yml",
            ]
            .iter()
            .map(|p| ((*p).to_owned(), s.clone()))
            .collect();
            let _ = parse(&files);
        }
    }
}
