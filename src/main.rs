//! The `capdo` binary: parse the command line, run, exit with the code of DESIGN.md.

fn main() {
    std::process::exit(capdo::cli::main_exit());
}
