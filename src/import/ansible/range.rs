//! Ansible host ranges: `web[01:03]`, `db-[a:c]`, `node[1:10:2]`, several in one name.

/// Expand every `[start:end(:stride)]` in `pattern`; a name without one is returned as is.
pub fn expand(pattern: &str) -> Result<Vec<String>, String> {
    let Some(open) = pattern.find('[') else {
        if pattern.contains(']') {
            return Err(format!("`{pattern}` has `]` without `[`"));
        }
        return Ok(vec![pattern.to_owned()]);
    };
    let close = pattern[open..]
        .find(']')
        .map(|i| open + i)
        .ok_or_else(|| format!("`{pattern}` has `[` without `]`"))?;
    let (head, body, tail) = (
        &pattern[..open],
        &pattern[open + 1..close],
        &pattern[close + 1..],
    );
    let parts: Vec<&str> = body.split(':').collect();
    // An empty start is 0, as Ansible reads `host[:5]`.
    let parts: Vec<&str> = parts
        .iter()
        .enumerate()
        .map(|(i, p)| if i == 0 && p.is_empty() { "0" } else { *p })
        .collect();
    let (start, end, stride) = match parts.as_slice() {
        [s, e] => (*s, *e, 1),
        [s, e, st] => (
            *s,
            *e,
            st.parse::<usize>()
                .ok()
                .filter(|&n| n > 0)
                .ok_or_else(|| format!("`{st}` in `{pattern}` is not a positive step"))?,
        ),
        _ => {
            return Err(format!(
                "`[{body}]` in `{pattern}` is not a range (write `[01:10]`, `[a:f]` or `[1:10:2]`)"
            ));
        }
    };
    if start.len() > MAX_NAME {
        return Err(format!(
            "`{pattern}` makes host names longer than {MAX_NAME} characters"
        ));
    }
    let items = items(start, end, stride).ok_or_else(|| {
        format!("`[{body}]` in `{pattern}` is not a range (write `[01:10]`, `[a:f]` or `[1:10:2]`)")
    })?;
    let rests = expand(tail)?;
    if items.len().saturating_mul(rests.len()) > MAX_HOSTS {
        return Err(format!("`{pattern}` names more than {MAX_HOSTS} hosts"));
    }
    // Checked before a name is built: a zero-padded width of thousands would otherwise make
    // 100,000 names of that length (gigabytes from a few bytes of input).
    let longest = head.len()
        + items.iter().map(String::len).max().unwrap_or(0)
        + rests.iter().map(String::len).max().unwrap_or(0);
    if longest > MAX_NAME {
        return Err(format!(
            "`{pattern}` makes host names longer than {MAX_NAME} characters"
        ));
    }
    let mut out = Vec::new();
    for item in &items {
        for rest in &rests {
            out.push(format!("{head}{item}{rest}"));
        }
    }
    Ok(out)
}

/// The most hosts one pattern may name: more is a typo, not a data centre.
const MAX_HOSTS: usize = 100_000;

/// The longest host name (a DNS name has at most 253 characters).
const MAX_NAME: usize = 253;

/// The values of one range; `None` when it is not one, is backwards, or is absurdly long.
fn items(start: &str, end: &str, stride: usize) -> Option<Vec<String>> {
    const MAX: usize = MAX_HOSTS;
    if let (Ok(a), Ok(b)) = (start.parse::<usize>(), end.parse::<usize>()) {
        if a > b || (b - a) / stride >= MAX {
            return None;
        }
        // Leading zeros set the width, as Ansible does; no name may be longer than a DNS name.
        let width = if start.len() > 1 && start.starts_with('0') {
            start.len()
        } else {
            0
        };
        if width > MAX_NAME {
            return None;
        }
        return Some(
            (a..=b)
                .step_by(stride)
                .map(|n| format!("{n:0width$}"))
                .collect(),
        );
    }
    let (mut a, mut b) = (start.chars(), end.chars());
    match (a.next(), a.next(), b.next(), b.next()) {
        (Some(a), None, Some(b), None)
            if a.is_ascii_alphabetic() && b.is_ascii_alphabetic() && a <= b =>
        {
            Some((a..=b).step_by(stride).map(|c| c.to_string()).collect())
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::expand;

    /// Issue 14, item 9: a zero-padded width of thousands is refused before any name is made.
    #[test]
    fn a_range_wider_than_a_host_name_is_refused_before_expanding() {
        let wide = format!("h[{}1:99999]", "0".repeat(5000));
        let err = expand(&wide).expect_err("refused");
        assert!(err.contains("longer than 253"), "{err}");
        let long_head = format!("{}[1:3]", "a".repeat(260));
        assert!(expand(&long_head).is_err());
        assert_eq!(expand("web[001:002]").expect("range"), ["web001", "web002"]);
    }

    #[test]
    fn numeric_ranges_keep_leading_zeros() {
        assert_eq!(
            expand("web[01:03].example").expect("range"),
            ["web01.example", "web02.example", "web03.example"]
        );
        assert_eq!(expand("n[8:10]").expect("range"), ["n8", "n9", "n10"]);
        assert_eq!(expand("n[1:6:2]").expect("range"), ["n1", "n3", "n5"]);
    }

    /// Issue 17: Ansible reads a range without a start as starting at 0.
    #[test]
    fn a_range_without_a_start_begins_at_zero() {
        assert_eq!(
            expand("thrudgelmir[:2]").expect("range"),
            ["thrudgelmir0", "thrudgelmir1", "thrudgelmir2"]
        );
    }

    #[test]
    fn letters_and_several_ranges() {
        assert_eq!(
            expand("db-[a:b][1:2]").expect("range"),
            ["db-a1", "db-a2", "db-b1", "db-b2"]
        );
    }

    #[test]
    fn bad_ranges_are_errors() {
        assert!(expand("web[03:01]").is_err());
        assert!(expand("web[01:").is_err());
        assert!(expand("web[1]").is_err());
        assert!(expand("web[a:9]").is_err());
        assert!(expand("web[1:3:0]").is_err());
        assert!(expand("web[1:]").is_err());
        let too_many = expand("h[1:1000][1:1000]").expect_err("a million hosts");
        assert!(too_many.contains("more than 100000 hosts"), "{too_many}");
    }
}
