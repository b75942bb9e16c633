//! Logging in to a host: every ssh-agent identity (not only the first, which is all
//! `userauth_agent` tries), then the identity files, the whole login held to the host's
//! deadline. The attempts go through the [`Login`] trait so the order and the deadline are
//! tested without a server.

use std::path::Path;
use std::time::Instant;

use ssh2::Session;

use super::{CollectError, FailKind, HostSpec, LIBSSH2_ERROR_TIMEOUT, classify, ms, remaining};

/// One login attempt at a time, so that [`authenticate`]'s order and deadline can be tested
/// without a server. [`SessionLogin`] is the real one.
pub(super) trait Login {
    /// The longest the next call may block.
    fn set_timeout(&mut self, ms: u32);
    /// The agent's identities (their comments), none without a usable agent.
    fn agent_keys(&mut self) -> Vec<String>;
    /// Log in with the agent's identity `i`.
    fn agent_login(&mut self, user: &str, i: usize) -> bool;
    /// Log in with a private key file; `Ok(false)`: refused without an error.
    fn file_login(
        &mut self,
        user: &str,
        path: &Path,
        passphrase: Option<&str>,
    ) -> Result<bool, ssh2::Error>;
}

/// [`Login`] on a libssh2 session, with its agent connection when there is one.
pub(super) struct SessionLogin<'a> {
    session: &'a Session,
    agent: Option<(ssh2::Agent, Vec<ssh2::PublicKey>)>,
}

impl<'a> SessionLogin<'a> {
    pub(super) fn new(session: &'a Session) -> Self {
        Self {
            session,
            agent: None,
        }
    }
}

impl Login for SessionLogin<'_> {
    fn set_timeout(&mut self, ms: u32) {
        self.session.set_timeout(ms);
    }

    fn agent_keys(&mut self) -> Vec<String> {
        if std::env::var_os("SSH_AUTH_SOCK").is_none() {
            return Vec::new();
        }
        let Ok(mut agent) = self.session.agent() else {
            return Vec::new();
        };
        if agent.connect().is_err() || agent.list_identities().is_err() {
            return Vec::new();
        }
        let ids = agent.identities().unwrap_or_default();
        let comments = ids.iter().map(|id| id.comment().to_owned()).collect();
        self.agent = Some((agent, ids));
        comments
    }

    fn agent_login(&mut self, user: &str, i: usize) -> bool {
        match &self.agent {
            Some((agent, ids)) => ids
                .get(i)
                .is_some_and(|id| agent.userauth(user, id).is_ok() && self.session.authenticated()),
            None => false,
        }
    }

    fn file_login(
        &mut self,
        user: &str,
        path: &Path,
        passphrase: Option<&str>,
    ) -> Result<bool, ssh2::Error> {
        let done = match read_ed25519(path) {
            Some((public, private)) => {
                self.session
                    .userauth_pubkey_memory(user, Some(&public), &private, passphrase)
            }
            None => self
                .session
                .userauth_pubkey_file(user, None, path, passphrase),
        };
        done.map(|()| self.session.authenticated())
    }
}

/// Largest identity file read by capdo itself (an OpenSSH key file is a few KiB).
const MAX_KEY_FILE: u64 = 64 << 10;

/// An unencrypted ed25519 key file in OpenSSH's format: its public key as a `.pub` line and
/// its text. Given the public key, libssh2 parses the private key once (to sign) instead of
/// twice: each parse goes through OpenSSL 3's decoders, which cost about a seventh of a scan's
/// CPU per host (docs/performance.md). Any other key file (PEM, encrypted, another type) is
/// left to libssh2 as before, so its errors (a wrong passphrase) read the same.
fn read_ed25519(path: &Path) -> Option<(String, String)> {
    // Read the safe way (a regular UTF-8 file, bounded); any file it refuses is libssh2's.
    let folder = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let text = crate::infile::read_text(path, folder, MAX_KEY_FILE).ok()?;
    let public = ed25519_public_line(&text)?;
    Some((public, text))
}

/// The `.pub` line (`ssh-ed25519 BASE64`) of an unencrypted ed25519 key in OpenSSH's format
/// (`openssh-key-v1`, PROTOCOL.key in OpenSSH's sources), read from the key's cleartext
/// header: no cryptography involved. `None` for any other text.
fn ed25519_public_line(private: &str) -> Option<String> {
    use base64::Engine as _;
    use base64::engine::general_purpose::STANDARD;
    let body: String = private
        .trim()
        .strip_prefix("-----BEGIN OPENSSH PRIVATE KEY-----")?
        .strip_suffix("-----END OPENSSH PRIVATE KEY-----")?
        .split_whitespace()
        .collect();
    let bytes = STANDARD.decode(body).ok()?;
    let mut r = bytes.strip_prefix(b"openssh-key-v1\0")?;
    let (cipher, kdf, _options) = (take(&mut r)?, take(&mut r)?, take(&mut r)?);
    let (keys, rest) = r.split_first_chunk::<4>()?;
    r = rest;
    if cipher != b"none" || kdf != b"none" || u32::from_be_bytes(*keys) != 1 {
        return None;
    }
    let blob = take(&mut r)?;
    let mut b = blob;
    (take(&mut b)? == b"ssh-ed25519")
        .then(|| format!("ssh-ed25519 {}", crate::escape::base64(blob)))
}

/// The next SSH `string` (a 32-bit big-endian length, then the bytes) of `r`.
fn take<'a>(r: &mut &'a [u8]) -> Option<&'a [u8]> {
    let (len, rest) = r.split_first_chunk::<4>()?;
    let len = usize::try_from(u32::from_be_bytes(*len)).ok()?;
    if rest.len() < len {
        return None;
    }
    let (s, rest) = rest.split_at(len);
    *r = rest;
    Some(s)
}

impl Drop for SessionLogin<'_> {
    fn drop(&mut self) {
        if let Some((agent, _)) = &mut self.agent {
            let _ = agent.disconnect();
        }
    }
}

/// Agent identities first (every one of them), then the identity files. The whole login, every
/// attempt included, ends by the host's deadline: each attempt may block at most the time that
/// is left (a host that stalls every attempt cannot make it last keys × timeout).
pub(super) fn authenticate(
    login: &mut dyn Login,
    host: &HostSpec,
    passphrase: Option<&str>,
    start: Instant,
) -> Result<(), CollectError> {
    let step = |login: &mut dyn Login| -> Result<(), CollectError> {
        let left = remaining(start, host.deadline)?;
        login.set_timeout(ms(host.timeout.min(left)));
        Ok(())
    };
    let mut tried = Vec::new();
    step(login)?;
    for (i, comment) in login.agent_keys().into_iter().enumerate() {
        step(login)?;
        if login.agent_login(&host.user, i) {
            return Ok(());
        }
        tried.push(format!("agent key {comment}"));
    }
    for path in &host.identities {
        if !path.exists() {
            tried.push(format!("{} (missing)", path.display()));
            continue;
        }
        step(login)?;
        match login.file_login(&host.user, path, passphrase) {
            Ok(true) => return Ok(()),
            Ok(false) => tried.push(path.display().to_string()),
            Err(e) => {
                // libssh2 says "Unable to extract public key from private key" for a wrong
                // passphrase; say what it means.
                if e.message().contains("Unable to extract public key") {
                    tried.push(format!(
                        "{} (cannot decrypt it: set CAPDO_SSH_PASSPHRASE or use ssh-agent)",
                        path.display()
                    ));
                } else if matches!(e.code(), ssh2::ErrorCode::Session(LIBSSH2_ERROR_TIMEOUT)) {
                    return Err(classify(&e, "authentication"));
                } else {
                    tried.push(path.display().to_string());
                }
            }
        }
    }
    // A refusal that came after the deadline is still the deadline's doing.
    remaining(start, host.deadline)?;
    Err(CollectError::new(
        FailKind::AuthFailed,
        if tried.is_empty() {
            format!(
                "no key to log in as {} (no ssh-agent and no identity file; set defaults.ssh.identity or --identity)",
                host.user
            )
        } else {
            format!("{} refused: {}", host.user, tried.join(", "))
        },
    ))
}

#[cfg(test)]
mod tests {
    use std::path::PathBuf;
    use std::time::Duration;

    use super::*;

    fn spec(identities: Vec<PathBuf>) -> HostSpec {
        HostSpec {
            id: "app01".into(),
            address: "10.0.0.1".into(),
            port: 22,
            user: "audit".into(),
            identities,
            known_hosts: PathBuf::from("known_hosts"),
            known_hosts_writable: true,
            jump: None,
            timeout: Duration::from_secs(1),
            deadline: Duration::from_secs(4),
        }
    }

    /// A server that lets every attempt wait until the timeout it is given, then refuses.
    struct Stalling {
        agent: usize,
        timeout: Duration,
        attempts: usize,
    }

    impl Login for Stalling {
        fn set_timeout(&mut self, ms: u32) {
            self.timeout = Duration::from_millis(u64::from(ms));
        }
        fn agent_keys(&mut self) -> Vec<String> {
            (0..self.agent).map(|i| format!("key{i}")).collect()
        }
        fn agent_login(&mut self, _: &str, _: usize) -> bool {
            self.attempts += 1;
            std::thread::sleep(self.timeout);
            false
        }
        fn file_login(&mut self, _: &str, _: &Path, _: Option<&str>) -> Result<bool, ssh2::Error> {
            self.attempts += 1;
            std::thread::sleep(self.timeout);
            Ok(false)
        }
    }

    /// ssh-keygen is the oracle: the public key read from an unencrypted ed25519 key is the
    /// one it writes to the `.pub` file; every other key is left to libssh2.
    #[test]
    fn an_unencrypted_ed25519_keys_public_key_is_ssh_keygens() {
        let dir = tempfile::tempdir().expect("tempdir");
        let keygen = |name: &str, args: &[&str]| {
            let path = dir.path().join(name);
            let made = std::process::Command::new("ssh-keygen")
                .args(["-q", "-C", "comment", "-f"])
                .arg(&path)
                .args(args)
                .status()
                .expect("ssh-keygen runs");
            assert!(made.success(), "ssh-keygen {args:?}");
            path
        };
        let ed = keygen("ed", &["-t", "ed25519", "-N", ""]);
        let public = std::fs::read_to_string(ed.with_extension("pub")).expect("pub");
        let want: Vec<&str> = public.split_whitespace().take(2).collect();
        let (line, text) = read_ed25519(&ed).expect("an unencrypted ed25519 key");
        assert_eq!(line, want.join(" "));
        assert_eq!(text, std::fs::read_to_string(&ed).expect("key"));
        for (name, args) in [
            ("enc", &["-t", "ed25519", "-N", "secret phrase"][..]),
            ("rsa", &["-t", "rsa", "-b", "2048", "-N", ""]),
            ("ecdsa", &["-t", "ecdsa", "-N", ""]),
            ("pem", &["-t", "rsa", "-b", "2048", "-N", "", "-m", "PEM"]),
        ] {
            assert_eq!(read_ed25519(&keygen(name, args)), None, "{name}");
        }
        assert_eq!(read_ed25519(&ed.with_extension("pub")), None);
        assert_eq!(read_ed25519(dir.path()), None);
        let text = std::fs::read_to_string(&ed).expect("key");
        for cut in [40, text.len() / 2, text.len() - 40] {
            let broken = format!("{}{}", &text[..cut], "-----END OPENSSH PRIVATE KEY-----\n");
            assert_eq!(ed25519_public_line(&broken), None, "cut at {cut}");
        }
    }

    #[test]
    fn the_whole_login_ends_by_the_hosts_deadline() {
        // 6 agent keys and 6 key files, each attempt stalled to the step timeout (100 ms): without
        // the deadline that is 1.2 s; the deadline (250 ms) ends it after 3 (4 when the clock rounds down).
        let dir = tempfile::tempdir().expect("tempdir");
        let mut host = spec(
            (0..6)
                .map(|i| {
                    let p = dir.path().join(format!("id{i}"));
                    std::fs::write(&p, "key").expect("write");
                    p
                })
                .collect(),
        );
        host.timeout = Duration::from_millis(100);
        host.deadline = Duration::from_millis(250);
        let mut server = Stalling {
            agent: 6,
            timeout: Duration::ZERO,
            attempts: 0,
        };
        let start = Instant::now();
        let e = authenticate(&mut server, &host, None, start).expect_err("no login");
        let took = start.elapsed();
        assert_eq!(e.kind, FailKind::Timeout, "{e}");
        assert!(took < Duration::from_millis(400), "{took:?}");
        assert!(server.attempts <= 4, "{} attempts", server.attempts);
        // The last attempt was only given what was left of the deadline.
        assert!(
            server.timeout <= Duration::from_millis(60),
            "{:?}",
            server.timeout
        );

        // Within the deadline, every key is tried and the refusal is reported as such.
        host.deadline = Duration::from_secs(30);
        host.timeout = Duration::from_millis(1);
        let mut server = Stalling {
            agent: 2,
            timeout: Duration::ZERO,
            attempts: 0,
        };
        let e = authenticate(&mut server, &host, None, Instant::now()).expect_err("no login");
        assert_eq!((e.kind, server.attempts), (FailKind::AuthFailed, 8), "{e}");
    }
}
