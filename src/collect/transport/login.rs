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
        self.session
            .userauth_pubkey_file(user, None, path, passphrase)
            .map(|()| self.session.authenticated())
    }
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
