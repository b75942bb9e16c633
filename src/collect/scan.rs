//! The parallel scan: a fixed pool of worker threads, each owning the SSH sessions it opens
//! (libssh2 sessions must never be shared between threads), fed from one queue.

use std::time::{Duration, Instant};

use super::transport::{CollectError, HostSpec, RawOutput, Transport};

/// One host to scan: run `command` with `input` on its stdin.
#[derive(Debug, Clone)]
pub struct Job {
    /// Index of the server in the inventory.
    pub server: usize,
    pub host: HostSpec,
    pub command: &'static str,
    pub input: Vec<u8>,
}

/// What became of one host.
#[derive(Debug, Clone)]
pub struct Outcome {
    pub server: usize,
    pub result: Result<RawOutput, CollectError>,
    pub duration: Duration,
}

/// Progress reporting, so the library does not print (the CLI draws a bar).
pub trait Progress: Sync {
    fn done(&self, host: &str, ok: bool);
}

/// No progress output.
pub struct Quiet;

impl Progress for Quiet {
    fn done(&self, _: &str, _: bool) {}
}

/// Scan `jobs` with at most `workers` hosts in flight; returns one outcome per job, in job
/// order. A host's failure never stops the others.
pub fn scan(
    jobs: Vec<Job>,
    transport: &dyn Transport,
    workers: usize,
    progress: &dyn Progress,
) -> Vec<Outcome> {
    let total = jobs.len();
    let mut results: Vec<Option<Outcome>> = (0..total).map(|_| None).collect();
    scan_each(jobs, transport, workers, progress, |i, o| {
        results[i] = Some(o)
    });
    results.into_iter().flatten().collect()
}

/// Scan `jobs` with at most `workers` hosts in flight, handing each outcome to `done` (with
/// its job's index) on this thread as soon as its host finishes: what a host said need not be
/// held until the last host answers. A host's failure never stops the others.
pub fn scan_each(
    jobs: Vec<Job>,
    transport: &dyn Transport,
    workers: usize,
    progress: &dyn Progress,
    mut done: impl FnMut(usize, Outcome),
) {
    let total = jobs.len();
    let workers = workers.clamp(1, total.max(1));
    let (job_tx, job_rx) = crossbeam_channel::unbounded::<(usize, Job)>();
    let (out_tx, out_rx) = crossbeam_channel::unbounded::<(usize, Outcome)>();
    for (i, j) in jobs.into_iter().enumerate() {
        // The receiver lives until the scope ends, so sending cannot fail.
        let _ = job_tx.send((i, j));
    }
    drop(job_tx);
    let work = |job_rx: crossbeam_channel::Receiver<(usize, Job)>,
                out_tx: crossbeam_channel::Sender<(usize, Outcome)>| {
        for (i, job) in job_rx.iter() {
            let start = Instant::now();
            let result = transport.run(&job.host, job.command, &job.input);
            progress.done(&job.host.id, result.is_ok());
            let _ = out_tx.send((
                i,
                Outcome {
                    server: job.server,
                    result,
                    duration: start.elapsed(),
                },
            ));
        }
    };
    std::thread::scope(|scope| {
        let mut spawned = 0;
        for _ in 0..workers {
            let (job_rx, out_tx) = (job_rx.clone(), out_tx.clone());
            let started = std::thread::Builder::new()
                .name("capdo-scan".into())
                .spawn_scoped(scope, move || work(job_rx, out_tx));
            spawned += usize::from(started.is_ok());
        }
        // If the system refuses every thread, scan on this one rather than lose hosts.
        if spawned == 0 {
            work(job_rx.clone(), out_tx.clone());
        }
        // The workers hold the other senders: the loop ends when the last one finishes.
        drop(out_tx);
        for (i, o) in out_rx.iter() {
            done(i, o);
        }
    });
}
