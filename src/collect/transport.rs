//! How the collector reaches a host. [`Transport`] is the only way to a host; [`Ssh2`] talks SSH
//! with libssh2, and `record::Replay` plays back a saved scan.
//!
//! ssh2 has sharp edges (../shared/notes/rust-stack.md §3.4); this wrapper handles each:
//! - one `Session` per connection, owned by the worker thread that made it, never shared;
//! - the TCP connect has its own timeout, and `set_timeout` is set before the handshake and kept
//!   for every call, so no call blocks forever; a per-host deadline bounds the whole exchange;
//! - a clone of the socket is kept to abort a hung host (`shutdown`), which also keeps a
//!   `Channel` drop from blocking;
//! - stderr is merged into stdout on the channel, so the shared window cannot stall;
//! - agent authentication tries every identity, not just the first, and the whole login is held
//!   to the per-host deadline (`login`);
//! - known_hosts: libssh2 compares without the key type, so a host recorded with only another
//!   type looks "changed"; on a mismatch we retry once per recorded-key type and accept only an
//!   exact match;
//! - a collector killed by a signal reports exit status 0: `exit_signal` is checked.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream, ToSocketAddrs};
use std::os::unix::net::UnixStream;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use ssh2::{CheckResult, ExtendedData, HashType, KnownHostFileKind, MethodType, Session};

mod login;

use login::{SessionLogin, authenticate};

/// How to reach one host.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HostSpec {
    /// The inventory id, for messages.
    pub id: String,
    /// Address or name to connect to.
    pub address: String,
    pub port: u16,
    pub user: String,
    /// Private key files to try after the agent.
    pub identities: Vec<PathBuf>,
    pub known_hosts: PathBuf,
    /// `known_hosts` is the file the operator named (`--known-hosts`) or the default
    /// (`~/.ssh/known_hosts`): `--accept-new-host-keys` may append to it. A file the inventory
    /// names is only ever read, so an inventory change cannot make capdo write where it chooses.
    pub known_hosts_writable: bool,
    /// Reach the host through this one (direct-tcpip).
    pub jump: Option<Box<HostSpec>>,
    /// Connect timeout, and the longest any single wait may take.
    pub timeout: Duration,
    /// The whole exchange (connect, authenticate, run, read) must end by then.
    pub deadline: Duration,
}

/// Why a host could not be collected. The names are the target statuses of the report.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum FailKind {
    Unreachable,
    Timeout,
    AuthFailed,
    HostKeyMismatch,
    HostKeyUnknown,
    Protocol,
}

impl FailKind {
    pub fn as_str(self) -> &'static str {
        match self {
            FailKind::Unreachable => "unreachable",
            FailKind::Timeout => "timeout",
            FailKind::AuthFailed => "auth-failed",
            FailKind::HostKeyMismatch => "host-key-mismatch",
            FailKind::HostKeyUnknown => "host-key-unknown",
            FailKind::Protocol => "protocol",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CollectError {
    pub kind: FailKind,
    pub message: String,
}

impl CollectError {
    pub(super) fn new(kind: FailKind, message: impl Into<String>) -> Self {
        Self {
            kind,
            message: message.into(),
        }
    }
}

impl std::fmt::Display for CollectError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.kind.as_str(), self.message)
    }
}

/// What came back from a host.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RawOutput {
    pub stdout: Vec<u8>,
    /// Exit status of the remote command (None when it did not report one).
    pub exit: Option<i32>,
    /// The signal that killed the remote command, if any.
    pub signal: Option<String>,
    /// The output was cut at the size limit.
    pub truncated: bool,
    /// The section marker the output uses, when it is not the one sent (a replayed scan).
    pub nonce: Option<String>,
}

/// The only way to a host.
pub trait Transport: Sync {
    /// Run `command` on the host with `input` on its stdin and return its output.
    fn run(&self, host: &HostSpec, command: &str, input: &[u8]) -> Result<RawOutput, CollectError>;
}

/// Largest output read from a host; the rest is dropped and the output marked truncated.
pub const MAX_OUTPUT: usize = 8 << 20;

/// SSH through libssh2.
pub struct Ssh2 {
    /// Record unknown host keys in the host's known_hosts file instead of refusing them.
    pub accept_new_host_keys: bool,
    /// Passphrase for encrypted identity files.
    pub passphrase: Option<String>,
    /// Serialises appends to known_hosts files.
    write_lock: Mutex<()>,
    /// Connections being set up to each jump host (address:port), to stay under sshd's
    /// `MaxStartups` (10 unauthenticated connections by default) when many targets share one.
    bastion_handshakes: Mutex<std::collections::HashMap<String, usize>>,
    bastion_free: std::sync::Condvar,
}

/// Most connections set up to one jump host at a time. sshd learns of a finished
/// authentication a moment late, so this stays well under its default `MaxStartups` of 10.
const BASTION_HANDSHAKES: usize = 6;

impl Ssh2 {
    pub fn new(accept_new_host_keys: bool, passphrase: Option<String>) -> Self {
        Self {
            accept_new_host_keys,
            passphrase,
            write_lock: Mutex::new(()),
            bastion_handshakes: Mutex::new(std::collections::HashMap::new()),
            bastion_free: std::sync::Condvar::new(),
        }
    }

    /// Connect to a jump host, with at most [`BASTION_HANDSHAKES`] set-ups in flight to it.
    fn connect_bastion(&self, jump: &HostSpec, start: Instant) -> Result<Conn, CollectError> {
        let key = format!("{}:{}", jump.address, jump.port);
        {
            let mut busy = self
                .bastion_handshakes
                .lock()
                .unwrap_or_else(|p| p.into_inner());
            while busy.get(&key).copied().unwrap_or(0) >= BASTION_HANDSHAKES {
                let left = remaining(start, jump.deadline)?;
                busy = self
                    .bastion_free
                    .wait_timeout(busy, left)
                    .map(|(g, _)| g)
                    .unwrap_or_else(|p| p.into_inner().0);
            }
            *busy.entry(key.clone()).or_insert(0) += 1;
        }
        // A jump host that is busy anyway may still drop a connection before its banner:
        // try again a few times, backing off (rust-stack.md §3.2).
        let mut conn = self.connect(jump, start);
        for attempt in 1..=3u64 {
            match &conn {
                Err(e) if e.kind == FailKind::Protocol && e.message.contains("banner") => {
                    std::thread::sleep(Duration::from_millis(150 * attempt));
                    conn = self.connect(jump, start);
                }
                _ => break,
            }
        }
        let mut busy = self
            .bastion_handshakes
            .lock()
            .unwrap_or_else(|p| p.into_inner());
        if let Some(n) = busy.get_mut(&key) {
            *n = n.saturating_sub(1);
        }
        self.bastion_free.notify_all();
        conn
    }
}

/// The underlying socket of a session, kept to abort it.
enum Socket {
    Tcp(TcpStream),
    Unix(UnixStream),
}

impl Socket {
    fn shutdown(&self) {
        let _ = match self {
            Socket::Tcp(s) => s.shutdown(std::net::Shutdown::Both),
            Socket::Unix(s) => s.shutdown(std::net::Shutdown::Both),
        };
    }
}

/// An authenticated session with the means to abort it. Dropping it closes the connection
/// without waiting on the remote side.
struct Conn {
    session: Session,
    socket: Socket,
    /// The jump connection and the thread moving bytes through it, if any.
    tunnel: Option<Tunnel>,
}

impl Drop for Conn {
    fn drop(&mut self) {
        // A short timeout keeps libssh2's disconnect from waiting on a dead peer.
        self.session.set_timeout(200);
        let _ = self.session.disconnect(None, "capdo done", None);
        self.socket.shutdown();
        if let Some(t) = self.tunnel.take() {
            t.stop();
        }
    }
}

pub(super) fn ms(d: Duration) -> u32 {
    d.as_millis().clamp(1, u32::MAX as u128) as u32
}

pub(super) fn remaining(start: Instant, deadline: Duration) -> Result<Duration, CollectError> {
    deadline
        .checked_sub(start.elapsed())
        .filter(|d| !d.is_zero())
        .ok_or_else(|| {
            CollectError::new(
                FailKind::Timeout,
                format!("no answer within the {}s deadline", deadline.as_secs()),
            )
        })
}

/// libssh2's "timed out" error code (libssh2.h).
pub(super) const LIBSSH2_ERROR_TIMEOUT: i32 = -9;

/// A libssh2 failure: a timeout, or else the SSH exchange itself went wrong (no banner, key
/// exchange refused, connection dropped).
pub(super) fn classify(e: &ssh2::Error, during: &str) -> CollectError {
    let kind = match e.code() {
        ssh2::ErrorCode::Session(LIBSSH2_ERROR_TIMEOUT) => FailKind::Timeout,
        _ => FailKind::Protocol,
    };
    CollectError::new(kind, format!("{during}: {}", e.message()))
}

fn io_error(e: &std::io::Error, during: &str) -> CollectError {
    use std::io::ErrorKind::*;
    let kind = match e.kind() {
        // No answer to a TCP connect: nothing is there (or a firewall drops it).
        TimedOut if during.starts_with("TCP connect") => FailKind::Unreachable,
        TimedOut | WouldBlock => FailKind::Timeout,
        ConnectionRefused | HostUnreachable | NetworkUnreachable | AddrNotAvailable => {
            FailKind::Unreachable
        }
        _ => FailKind::Unreachable,
    };
    CollectError::new(kind, format!("{during}: {e}"))
}

impl Transport for Ssh2 {
    fn run(&self, host: &HostSpec, command: &str, input: &[u8]) -> Result<RawOutput, CollectError> {
        let start = Instant::now();
        let conn = self.connect(host, start)?;
        exec(&conn, host, command, input, start)
    }
}

impl Ssh2 {
    /// Connect (directly or through the jump host), verify the host key, authenticate.
    fn connect(&self, host: &HostSpec, start: Instant) -> Result<Conn, CollectError> {
        let left = remaining(start, host.deadline)?;
        let step = host.timeout.min(left);
        let (socket_for_session, socket, tunnel) = match &host.jump {
            None => {
                let tcp = tcp_connect(&host.address, host.port, step)?;
                let keep = tcp
                    .try_clone()
                    .map_err(|e| io_error(&e, "cannot keep the socket"))?;
                (StreamArg::Tcp(tcp), Socket::Tcp(keep), None)
            }
            Some(jump) => {
                let bastion = self.connect_bastion(jump, start)?;
                let (ours, tunnel) = Tunnel::open(bastion, &host.address, host.port, step)
                    .map_err(|e| {
                        CollectError::new(e.kind, format!("through {}: {}", jump.id, e.message))
                    })?;
                let keep = ours
                    .try_clone()
                    .map_err(|e| io_error(&e, "cannot keep the tunnel"))?;
                (StreamArg::Unix(ours), Socket::Unix(keep), Some(tunnel))
            }
        };
        let mut session = Session::new().map_err(|e| classify(&e, "ssh session"))?;
        session.set_timeout(ms(step));
        // curve25519 is cheaper than OpenSSH's default sntrup761x25519 on both sides
        // (docs/performance.md).
        let _ = session.method_pref(
            MethodType::Kex,
            "curve25519-sha256,curve25519-sha256@libssh.org,ecdh-sha2-nistp256,diffie-hellman-group14-sha256",
        );
        match socket_for_session {
            StreamArg::Tcp(s) => session.set_tcp_stream(s),
            StreamArg::Unix(s) => session.set_tcp_stream(s),
        }
        let mut conn = Conn {
            session,
            socket,
            tunnel,
        };
        conn.session
            .handshake()
            .map_err(|e| classify(&e, "ssh handshake"))?;
        match self.check_host_key(&conn.session, host)? {
            KeyCheck::Match => {}
            KeyCheck::OtherType(types, mismatch) => {
                // Reconnect preferring the key types known_hosts may record for this host.
                drop(conn);
                return self.connect_with_host_key_types(host, start, &types, mismatch);
            }
        }
        self.login(&conn.session, host, start)?;
        conn.session.set_keepalive(false, 15);
        Ok(conn)
    }

    fn connect_with_host_key_types(
        &self,
        host: &HostSpec,
        start: Instant,
        types: &[&'static str],
        mismatch: CollectError,
    ) -> Result<Conn, CollectError> {
        for t in types {
            let left = remaining(start, host.deadline)?;
            let step = host.timeout.min(left);
            let tcp = match &host.jump {
                None => tcp_connect(&host.address, host.port, step)?,
                Some(_) => {
                    // Through a jump host the retry costs a second tunnel; keep it simple and
                    // report the mismatch instead.
                    break;
                }
            };
            let keep = tcp
                .try_clone()
                .map_err(|e| io_error(&e, "cannot keep the socket"))?;
            let mut session = Session::new().map_err(|e| classify(&e, "ssh session"))?;
            session.set_timeout(ms(step));
            let _ = session.method_pref(MethodType::HostKey, t);
            session.set_tcp_stream(tcp);
            let mut conn = Conn {
                session,
                socket: Socket::Tcp(keep),
                tunnel: None,
            };
            if conn.session.handshake().is_err() {
                continue;
            }
            let known = known_hosts(&conn.session, &host.known_hosts)?;
            if let Some((key, _)) = conn.session.host_key()
                && matches!(
                    known.check_port(&host.address, host.port, key),
                    CheckResult::Match
                )
            {
                self.login(&conn.session, host, start)?;
                conn.session.set_keepalive(false, 15);
                return Ok(conn);
            }
        }
        Err(mismatch)
    }

    fn login(
        &self,
        session: &Session,
        host: &HostSpec,
        start: Instant,
    ) -> Result<(), CollectError> {
        let mut login = SessionLogin::new(session);
        authenticate(&mut login, host, self.passphrase.as_deref(), start)
    }

    fn check_host_key(&self, session: &Session, host: &HostSpec) -> Result<KeyCheck, CollectError> {
        let (key, key_type) = session
            .host_key()
            .ok_or_else(|| CollectError::new(FailKind::Protocol, "the server sent no host key"))?;
        let known = known_hosts(session, &host.known_hosts)?;
        match known.check_port(&host.address, host.port, key) {
            CheckResult::Match => Ok(KeyCheck::Match),
            CheckResult::NotFound if self.accept_new_host_keys && host.known_hosts_writable => {
                self.record_key(host, key, key_type)?;
                Ok(KeyCheck::Match)
            }
            CheckResult::NotFound if self.accept_new_host_keys => Err(CollectError::new(
                FailKind::HostKeyUnknown,
                format!(
                    "{} is not in {}, which the inventory names: capdo never writes to it (--accept-new-host-keys records keys only in the --known-hosts file or ~/.ssh/known_hosts); the server presented {}: verify it and add it there",
                    entry_name(&host.address, host.port),
                    host.known_hosts.display(),
                    fingerprint(session)
                ),
            )),
            CheckResult::NotFound => Err(CollectError::new(
                FailKind::HostKeyUnknown,
                format!(
                    "{} is not in {}; the server presented {} (verify it, then add it or run with --accept-new-host-keys)",
                    entry_name(&host.address, host.port),
                    host.known_hosts.display(),
                    fingerprint(session)
                ),
            )),
            CheckResult::Mismatch => {
                // libssh2 compares keys without their type: a host recorded only with another
                // key type also lands here. Retry with the other types; only a match passes.
                let negotiated = key_type_name(key_type);
                let others: Vec<&'static str> = HOST_KEY_TYPES
                    .iter()
                    .copied()
                    .filter(|t| Some(*t) != negotiated)
                    .collect();
                Ok(KeyCheck::OtherType(others, mismatch(session, host)))
            }
            CheckResult::Failure => Err(CollectError::new(
                FailKind::Protocol,
                format!(
                    "cannot check the host key against {}",
                    host.known_hosts.display()
                ),
            )),
        }
    }

    /// Append the host's key to its known_hosts file (explicit `--accept-new-host-keys`), never
    /// to a file the inventory chose.
    fn record_key(
        &self,
        host: &HostSpec,
        key: &[u8],
        key_type: ssh2::HostKeyType,
    ) -> Result<(), CollectError> {
        if !host.known_hosts_writable {
            return Err(CollectError::new(
                FailKind::HostKeyUnknown,
                format!(
                    "{} is named by the inventory: capdo never writes to it",
                    host.known_hosts.display()
                ),
            ));
        }
        let name = key_type_name(key_type).ok_or_else(|| {
            CollectError::new(
                FailKind::Protocol,
                "cannot record a host key of an unknown type",
            )
        })?;
        let line = format!(
            "{} {name} {}\n",
            entry_name(&host.address, host.port),
            crate::escape::base64(key)
        );
        let _guard = self.write_lock.lock().unwrap_or_else(|p| p.into_inner());
        let mut f = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&host.known_hosts)
            .map_err(|e| {
                CollectError::new(
                    FailKind::Protocol,
                    format!(
                        "cannot record the host key in {}: {e}",
                        host.known_hosts.display()
                    ),
                )
            })?;
        f.write_all(line.as_bytes()).map_err(|e| {
            CollectError::new(
                FailKind::Protocol,
                format!("cannot record the host key: {e}"),
            )
        })?;
        Ok(())
    }
}

enum StreamArg {
    Tcp(TcpStream),
    Unix(UnixStream),
}

enum KeyCheck {
    Match,
    /// known_hosts has a different key: retry preferring these key types; if none matches,
    /// report the error.
    OtherType(Vec<&'static str>, CollectError),
}

const HOST_KEY_TYPES: [&str; 4] = [
    "ssh-ed25519",
    "ecdsa-sha2-nistp256",
    "rsa-sha2-512",
    "rsa-sha2-256",
];

fn key_type_name(t: ssh2::HostKeyType) -> Option<&'static str> {
    match t {
        ssh2::HostKeyType::Ed25519 => Some("ssh-ed25519"),
        ssh2::HostKeyType::Ecdsa256 => Some("ecdsa-sha2-nistp256"),
        ssh2::HostKeyType::Ecdsa384 => Some("ecdsa-sha2-nistp384"),
        ssh2::HostKeyType::Ecdsa521 => Some("ecdsa-sha2-nistp521"),
        ssh2::HostKeyType::Rsa => Some("ssh-rsa"),
        _ => None,
    }
}

fn mismatch(session: &Session, host: &HostSpec) -> CollectError {
    CollectError::new(
        FailKind::HostKeyMismatch,
        format!(
            "HOST KEY CHANGED for {}: the server presented {}, which does not match {}",
            entry_name(&host.address, host.port),
            fingerprint(session),
            host.known_hosts.display()
        ),
    )
}

/// `host` or `[host]:port`, as known_hosts writes it.
fn entry_name(address: &str, port: u16) -> String {
    if port == 22 {
        address.to_owned()
    } else {
        format!("[{address}]:{port}")
    }
}

fn fingerprint(session: &Session) -> String {
    let kind = session
        .host_key()
        .and_then(|(_, t)| key_type_name(t))
        .unwrap_or("key");
    match session.host_key_hash(HashType::Sha256) {
        Some(h) => format!(
            "{kind} SHA256:{}",
            crate::escape::base64(h).trim_end_matches('=')
        ),
        None => kind.to_owned(),
    }
}

fn known_hosts(session: &Session, path: &Path) -> Result<ssh2::KnownHosts, CollectError> {
    let mut known = session
        .known_hosts()
        .map_err(|e| classify(&e, "known_hosts"))?;
    if path.exists() {
        known
            .read_file(path, KnownHostFileKind::OpenSSH)
            .map_err(|e| {
                CollectError::new(
                    FailKind::Protocol,
                    format!(
                        "cannot read known_hosts {}: {}",
                        path.display(),
                        e.message()
                    ),
                )
            })?;
    }
    Ok(known)
}

fn tcp_connect(address: &str, port: u16, timeout: Duration) -> Result<TcpStream, CollectError> {
    let addrs: Vec<SocketAddr> = (address, port)
        .to_socket_addrs()
        .map_err(|e| {
            CollectError::new(
                FailKind::Unreachable,
                format!("cannot resolve {address}: {e}"),
            )
        })?
        .collect();
    let mut last = None;
    for a in addrs {
        match TcpStream::connect_timeout(&a, timeout) {
            Ok(s) => {
                let _ = s.set_nodelay(true);
                return Ok(s);
            }
            Err(e) => last = Some(io_error(&e, &format!("TCP connect to {a}"))),
        }
    }
    Err(last.unwrap_or_else(|| {
        CollectError::new(FailKind::Unreachable, format!("{address} has no address"))
    }))
}

/// Run the command, feed it `input`, read its (merged) output up to [`MAX_OUTPUT`].
fn exec(
    conn: &Conn,
    host: &HostSpec,
    command: &str,
    input: &[u8],
    start: Instant,
) -> Result<RawOutput, CollectError> {
    let session = &conn.session;
    let step = host.timeout.min(remaining(start, host.deadline)?);
    session.set_timeout(ms(step));
    let mut channel = session
        .channel_session()
        .map_err(|e| classify(&e, "opening a channel"))?;
    // Declared after the channel so it drops first: on any early return (deadline, error, cut
    // output) the socket is shut before the channel's drop, which would otherwise wait for the
    // remote command to end.
    let mut abort = AbortOnDrop {
        session,
        socket: &conn.socket,
        armed: true,
    };
    channel
        .handle_extended_data(ExtendedData::Merge)
        .map_err(|e| classify(&e, "merging stderr"))?;
    channel
        .exec(command)
        .map_err(|e| classify(&e, "starting the collector"))?;
    channel
        .write_all(input)
        .map_err(|e| io_error(&e, "sending the collector its input"))?;
    channel
        .send_eof()
        .map_err(|e| classify(&e, "sending EOF"))?;

    let mut stdout = Vec::with_capacity(64 << 10);
    let mut buf = [0u8; 32 << 10];
    let mut truncated = false;
    loop {
        let left = remaining(start, host.deadline)?;
        session.set_timeout(ms(host.timeout.min(left)));
        match channel.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => {
                let room = MAX_OUTPUT - stdout.len();
                stdout.extend_from_slice(&buf[..n.min(room)]);
                if n >= room {
                    truncated = true;
                    break;
                }
            }
            Err(e)
                if e.kind() == std::io::ErrorKind::TimedOut
                    || e.kind() == std::io::ErrorKind::WouldBlock =>
            {
                // Quiet host: poke the connection so a dead peer is noticed, then wait on.
                let _ = session.keepalive_send();
            }
            Err(e) => return Err(io_error(&e, "reading the collector's output")),
        }
    }
    if truncated {
        // Do not wait for a host that keeps talking: `abort` shuts the socket.
        return Ok(RawOutput {
            stdout,
            exit: None,
            signal: None,
            truncated,
            nonce: None,
        });
    }
    let left = remaining(start, host.deadline)?;
    session.set_timeout(ms(host.timeout.min(left)));
    let _ = channel.wait_close();
    abort.armed = false;
    let exit = channel.exit_status().ok();
    let signal = channel
        .exit_signal()
        .ok()
        .and_then(|s| s.exit_signal)
        .filter(|s| !s.is_empty());
    Ok(RawOutput {
        stdout,
        exit,
        signal,
        truncated,
        nonce: None,
    })
}

/// Shuts a connection's socket when dropped while armed.
struct AbortOnDrop<'a> {
    session: &'a Session,
    socket: &'a Socket,
    armed: bool,
}

impl Drop for AbortOnDrop<'_> {
    fn drop(&mut self) {
        if self.armed {
            self.session.set_timeout(100);
            self.socket.shutdown();
        }
    }
}

/// A TCP stream to `host:port` opened through a jump host's session (direct-tcpip), presented
/// to the inner session as a Unix socket. One thread owns the jump session and its channel and
/// moves bytes both ways; nothing else touches them.
struct Tunnel {
    stop: std::sync::Arc<std::sync::atomic::AtomicBool>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Tunnel {
    fn open(
        bastion: Conn,
        host: &str,
        port: u16,
        timeout: Duration,
    ) -> Result<(UnixStream, Tunnel), CollectError> {
        bastion.session.set_timeout(ms(timeout));
        let channel = bastion
            .session
            .channel_direct_tcpip(host, port, None)
            .map_err(|e| {
                let mut err = classify(&e, &format!("forwarding to {host}:{port}"));
                if err.kind == FailKind::Protocol {
                    err.kind = FailKind::Unreachable;
                }
                err
            })?;
        let (ours, theirs) = UnixStream::pair().map_err(|e| io_error(&e, "socket pair"))?;
        let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
        let flag = stop.clone();
        let thread = std::thread::Builder::new()
            .name("capdo-tunnel".into())
            .spawn(move || pump(bastion, channel, theirs, &flag))
            .map_err(|e| io_error(&e, "starting the tunnel"))?;
        Ok((
            ours,
            Tunnel {
                stop,
                thread: Some(thread),
            },
        ))
    }

    fn stop(mut self) {
        self.stop.store(true, std::sync::atomic::Ordering::Relaxed);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

/// Move bytes between the jump channel and the local socket until either side closes or the
/// tunnel is stopped. Both sides are non-blocking; idle rounds back off to a few milliseconds.
fn pump(
    bastion: Conn,
    mut channel: ssh2::Channel,
    mut local: UnixStream,
    stop: &std::sync::atomic::AtomicBool,
) {
    use std::io::ErrorKind::WouldBlock;
    if local.set_nonblocking(true).is_err() {
        return;
    }
    bastion.session.set_blocking(false);
    let mut buf = [0u8; 32 << 10];
    let mut pending: Vec<u8> = Vec::new();
    let mut idle = Duration::from_micros(200);
    while !stop.load(std::sync::atomic::Ordering::Relaxed) {
        let mut moved = false;
        // Remote → local.
        match channel.read(&mut buf) {
            Ok(0) if channel.eof() => break,
            Ok(0) => {}
            Ok(n) => {
                if write_all_nonblocking(&mut local, &buf[..n], stop).is_err() {
                    break;
                }
                moved = true;
            }
            Err(e) if e.kind() == WouldBlock => {}
            Err(_) => break,
        }
        // Local → remote.
        if pending.is_empty() {
            match local.read(&mut buf) {
                Ok(0) => break,
                Ok(n) => pending.extend_from_slice(&buf[..n]),
                Err(e) if e.kind() == WouldBlock => {}
                Err(_) => break,
            }
        }
        if !pending.is_empty() {
            match channel.write(&pending) {
                Ok(n) => {
                    pending.drain(..n);
                    moved = true;
                }
                Err(e) if e.kind() == WouldBlock => {}
                Err(_) => break,
            }
        }
        if moved {
            idle = Duration::from_micros(200);
        } else {
            std::thread::sleep(idle);
            idle = (idle * 2).min(Duration::from_millis(5));
        }
    }
    let _ = local.shutdown(std::net::Shutdown::Both);
    bastion.session.set_blocking(true);
    bastion.session.set_timeout(200);
    let _ = channel.close();
    drop(channel);
    drop(bastion);
}

fn write_all_nonblocking(
    local: &mut UnixStream,
    mut data: &[u8],
    stop: &std::sync::atomic::AtomicBool,
) -> std::io::Result<()> {
    while !data.is_empty() {
        match local.write(data) {
            Ok(0) => return Err(std::io::ErrorKind::WriteZero.into()),
            Ok(n) => data = &data[n..],
            Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {
                if stop.load(std::sync::atomic::Ordering::Relaxed) {
                    return Err(e);
                }
                std::thread::sleep(Duration::from_micros(500));
            }
            Err(e) => return Err(e),
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(known_hosts: PathBuf, writable: bool) -> HostSpec {
        HostSpec {
            id: "app01".into(),
            address: "10.0.0.1".into(),
            port: 2222,
            user: "audit".into(),
            identities: vec![],
            known_hosts,
            known_hosts_writable: writable,
            jump: None,
            timeout: Duration::from_secs(1),
            deadline: Duration::from_secs(4),
        }
    }

    #[test]
    fn new_host_keys_are_recorded_only_in_a_known_hosts_file_the_operator_chose() {
        let dir = tempfile::tempdir().expect("tempdir");
        let ssh = Ssh2::new(true, None);
        // A file the inventory names (here one that holds something else) is never written.
        let chosen = dir.path().join("authorized_keys");
        std::fs::write(&chosen, "ssh-ed25519 AAAA admin\n").expect("write");
        let e = ssh
            .record_key(
                &spec(chosen.clone(), false),
                b"key",
                ssh2::HostKeyType::Ed25519,
            )
            .expect_err("refused");
        assert_eq!(e.kind, FailKind::HostKeyUnknown);
        assert_eq!(
            std::fs::read_to_string(&chosen).expect("read"),
            "ssh-ed25519 AAAA admin\n"
        );
        let absent = dir.path().join("new_known_hosts");
        assert!(
            ssh.record_key(
                &spec(absent.clone(), false),
                b"key",
                ssh2::HostKeyType::Ed25519
            )
            .is_err()
        );
        assert!(!absent.exists(), "never created either");
        // The operator's file (--known-hosts, or ~/.ssh/known_hosts) is appended to.
        ssh.record_key(
            &spec(absent.clone(), true),
            b"key",
            ssh2::HostKeyType::Ed25519,
        )
        .expect("recorded");
        assert_eq!(
            std::fs::read_to_string(&absent).expect("read"),
            "[10.0.0.1]:2222 ssh-ed25519 a2V5\n"
        );
    }

    #[test]
    fn known_hosts_names_carry_the_port_unless_22() {
        assert_eq!(entry_name("10.0.0.1", 22), "10.0.0.1");
        assert_eq!(entry_name("10.0.0.1", 2222), "[10.0.0.1]:2222");
    }
}
