//! The `http PORT` sections: what a public web server's cleartext HTTP port answers to one
//! `GET /` for the public name (see collector.sh), through curl (`status NNN`, `location
//! URL`) or wget (`-S`: its `HTTP/1.1 NNN …` and `Location:` lines).

/// What the port answered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Answer {
    /// Nothing listens: the connection was refused.
    Closed,
    /// An HTTP status, and the redirect's target when it is a redirect.
    Status { code: u16, location: Option<String> },
    /// The probe could not tell (a timeout, an error of the tool, output it does not know).
    Undecided(String),
}

impl Answer {
    /// Whether the answer enforces HTTPS: nothing listens, or a redirect to an `https://` URL.
    pub fn enforces_https(&self) -> Option<bool> {
        match self {
            Answer::Closed => Some(true),
            Answer::Status { code, location } => Some(
                (300..400).contains(code)
                    && location
                        .as_deref()
                        .is_some_and(|l| l.to_ascii_lowercase().starts_with("https://")),
            ),
            Answer::Undecided(_) => None,
        }
    }
}

/// The answer in one `http PORT` section's body, with the section's exit status.
pub fn answer(body: &str, rc: Option<i32>) -> Answer {
    let lower = body.to_ascii_lowercase();
    // curl: exit 7 (could not connect); wget: "failed: Connection refused.".
    if rc == Some(7) || lower.contains("failed: connection refused") {
        return Answer::Closed;
    }
    if rc == Some(127) {
        return Answer::Undecided(first(body).unwrap_or("not installed").to_owned());
    }
    let mut code = None;
    let mut location = None;
    for line in body.lines().map(str::trim) {
        if let Some(c) = line.strip_prefix("status ") {
            code = c.trim().parse::<u16>().ok().filter(|c| *c != 0);
        } else if let Some(l) = line.strip_prefix("location ") {
            location = Some(l.trim().to_owned()).filter(|l| !l.is_empty());
        } else if line.starts_with("HTTP/") {
            // wget: the last status line is the answer (after a 100 Continue, say).
            code = line.split_whitespace().nth(1).and_then(|c| c.parse().ok());
        } else if let Some(l) = line
            .strip_prefix("Location:")
            .or_else(|| line.strip_prefix("location:"))
        {
            // wget repeats the header as "Location: URL [following]": the first one is kept.
            if location.is_none() {
                let url = l.trim().trim_end_matches("[following]").trim();
                location = Some(url.to_owned()).filter(|u| !u.is_empty());
            }
        }
    }
    match code {
        Some(code) => Answer::Status { code, location },
        None => Answer::Undecided(match first(body) {
            Some(l) => format!(
                "no HTTP status: {}",
                l.chars().take(200).collect::<String>()
            ),
            None => "no answer".into(),
        }),
    }
}

fn first(body: &str) -> Option<&str> {
    body.lines().map(str::trim).find(|l| !l.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::collect::parse::sections::split;

    /// Real sections (tests/fixtures/collect/README.md): curl on 18080 (`python3 -m
    /// http.server`: 200), 18081 (a server redirecting to https://NAME/), 18082 (200, on the
    /// declared address 127.0.0.3 only), 18089 (closed); through wget 28080, 28081, 28089.
    const REAL: &str = include_str!("../../../tests/fixtures/collect/http/http-debian12.txt");

    #[test]
    fn real_answers_of_curl_and_wget() {
        let all: Vec<(String, Answer)> = split(REAL, "0123456789abcdef")
            .into_iter()
            .map(|s| (s.name.clone(), answer(&s.body, s.rc)))
            .collect();
        let get = |n: &str| {
            all.iter()
                .find(|(name, _)| name == n)
                .map(|(_, a)| a.clone())
                .expect(n)
        };
        for tool in ["1", "2"] {
            let ok = get(&format!("http {tool}8080"));
            assert_eq!(
                ok,
                Answer::Status {
                    code: 200,
                    location: None
                }
            );
            assert_eq!(ok.enforces_https(), Some(false));
            let redirect = get(&format!("http {tool}8081"));
            assert_eq!(
                redirect,
                Answer::Status {
                    code: 301,
                    location: Some("https://portal.example.vn/".into())
                }
            );
            assert_eq!(redirect.enforces_https(), Some(true));
            assert_eq!(get(&format!("http {tool}8089")), Answer::Closed);
        }
        // Bound to a declared address only: refused at 127.0.0.1, answered there.
        assert_eq!(
            get("http 18082"),
            Answer::Status {
                code: 200,
                location: None
            }
        );
    }

    #[test]
    fn a_redirect_to_cleartext_or_nothing_known_is_no_pass() {
        let to_http = answer("status 302\nlocation http://portal/login\n", Some(0));
        assert_eq!(to_http.enforces_https(), Some(false));
        let timeout = answer(
            "curl: (28) Operation timed out after 10001 milliseconds\nstatus 000\nlocation \n",
            Some(28),
        );
        assert!(matches!(timeout, Answer::Undecided(w) if w.contains("timed out")));
        assert_eq!(
            answer("capdo: curl, wget: not installed\n", Some(127)).enforces_https(),
            None
        );
        assert_eq!(answer("", Some(0)).enforces_https(), None);
    }
}
