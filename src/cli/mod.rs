//! The command line: a thin adapter. [`args`] is what clap reads; each command in `commands`
//! turns its arguments into a call of the library (a use case such as [`crate::check`], a
//! renderer of the stage that owns the data) and writes the result. No evaluation, rendering or
//! SSH discovery lives here.
//!
//! [`run`] writes to the writers it is given, so tests drive it in-process; [`main_exit`] only
//! parses, runs and returns the exit code of DESIGN.md ([`Exit`]).

pub mod args;
mod commands;
mod input;

use std::io::{IsTerminal, Write};

use clap::Parser as _;
use codespan_reporting::term::termcolor::{Ansi, ColorChoice, NoColor, StandardStream, WriteColor};

use crate::output::TerminalSafe;

pub use crate::exit::Exit;
pub use args::{Cli, ColorArg, Command, Global};

/// Where output goes: standard output and error, each taking colour where it is on (a
/// `NoColor` writer ignores it). [`run`] and [`run_words`] pass both through
/// [`crate::output::TerminalSafe`], so nothing a command writes can carry a control character
/// from an input or a host; colour is set out of band (`set_color`), never written as text.
pub struct Io<'a> {
    pub out: &'a mut dyn WriteColor,
    pub err: &'a mut dyn WriteColor,
}

/// Set by [`main_exit`]: the process ends when the command returns.
static PROCESS_ENDS: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

/// Drop `value`, unless the process ends when the command returns ([`main_exit`]): then its
/// memory is left to the end of the process. Freeing a national-scale check's report, graph and
/// inventory piece by piece is about a tenth of its time (docs/performance.md) and gives
/// nothing back to a process about to exit. In-process runs ([`run_words`], the tests) free it.
pub(crate) fn release<T>(value: T) {
    if PROCESS_ENDS.load(std::sync::atomic::Ordering::Relaxed) {
        std::mem::forget(value);
    }
}

/// Parse the real command line and run it with the process's stdout and stderr.
pub fn main_exit() -> i32 {
    PROCESS_ENDS.store(true, std::sync::atomic::Ordering::Relaxed);
    let mut cli = Cli::parse();
    cli.command_line = std::env::args_os()
        .map(|a| a.to_string_lossy().into_owned())
        .collect();
    let no_color = std::env::var_os("NO_COLOR").is_some();
    let choice = match cli.color {
        ColorArg::Always => ColorChoice::Always,
        ColorArg::Never => ColorChoice::Never,
        ColorArg::Auto if std::io::stderr().is_terminal() && !no_color => ColorChoice::Auto,
        ColorArg::Auto => ColorChoice::Never,
    };
    let mut err = StandardStream::stderr(choice);
    let stdout = std::io::stdout();
    let out_color = match cli.color {
        ColorArg::Always => true,
        ColorArg::Never => false,
        ColorArg::Auto => stdout.is_terminal() && !no_color,
    };
    let mut out: Box<dyn WriteColor> = if out_color {
        Box::new(Ansi::new(stdout.lock()))
    } else {
        Box::new(NoColor::new(stdout.lock()))
    };
    let mut io = Io {
        out: &mut out,
        err: &mut err,
    };
    let code = run(&cli, &mut io);
    let _ = io.out.flush();
    code as i32
}

/// Parse `words` (the program's name first) and run them as `main` would, writing everything,
/// clap's own messages included, to `io`: the entry point of in-process tests.
pub fn run_words<I, T>(words: I, io: &mut Io) -> Exit
where
    I: IntoIterator<Item = T>,
    T: Into<std::ffi::OsString> + Clone,
{
    let words: Vec<std::ffi::OsString> = words.into_iter().map(Into::into).collect();
    match Cli::try_parse_from(&words) {
        Ok(mut cli) => {
            cli.command_line = words
                .iter()
                .map(|w| w.to_string_lossy().into_owned())
                .collect();
            run(&cli, io)
        }
        Err(e) => {
            // clap quotes the words it did not understand: masked like any other output.
            let text = e.render().to_string();
            let written = if e.use_stderr() {
                TerminalSafe::new(&mut *io.err).write_all(text.as_bytes())
            } else {
                TerminalSafe::new(&mut *io.out).write_all(text.as_bytes())
            };
            match (written, e.exit_code()) {
                (Ok(()), 0) => Exit::Ok,
                _ => Exit::Error,
            }
        }
    }
}

/// Run a parsed command line. Everything it writes goes through [`TerminalSafe`].
pub fn run(cli: &Cli, io: &mut Io) -> Exit {
    let mut out = TerminalSafe::new(&mut *io.out);
    let mut err = TerminalSafe::new(&mut *io.err);
    let mut io = Io {
        out: &mut out,
        err: &mut err,
    };
    let code = dispatch(cli, &mut io);
    // A stream that cannot take the last bytes has gone away; the code stands.
    let _ = out.finish();
    let _ = err.finish();
    code
}

fn dispatch(cli: &Cli, io: &mut Io) -> Exit {
    match commands::dispatch(cli, io) {
        Ok(code) => code,
        // Invalid input was shown with its diagnostics already.
        Err(e) if e.downcast_ref::<input::Reported>().is_some() => Exit::Error,
        // A reader that went away (`capdo … | head`) is not an error worth reporting.
        Err(e)
            if e.chain().any(|c| {
                c.downcast_ref::<std::io::Error>()
                    .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
            }) =>
        {
            Exit::Ok
        }
        Err(e) => {
            let _ = writeln!(io.err, "error: {e:#}");
            Exit::Error
        }
    }
}
