//! capdo keeps a ministry data centre as code and proves it is compliant.
//!
//! The pipeline runs in one direction: [`inventory`] (load and validate the TOML folder, with
//! [`diag`] for located problems) → [`graph`] (petgraph; levels, impact, cycles, zones) →
//! [`collect`] (facts read from hosts over SSH, or replayed) → [`policy`] (controls → findings,
//! waivers) → [`report`], [`dossier`], [`render`] (outputs). [`check`] is that pipeline as one
//! use case, plan in and outcome out. [`cli`] is a thin adapter: it reads the command line,
//! calls the library and writes what it returns, with the exit codes of [`exit`]; [`output`]
//! writes files atomically. Library code never prints. docs/architecture.md draws the layout.

pub mod check;
pub mod cli;
pub mod collect;
pub mod diag;
pub mod dossier;
pub mod escape;
pub mod evidence;
pub mod exit;
pub mod firewall;
pub mod graph;
pub mod import;
pub mod infile;
pub mod init;
pub mod inventory;
pub mod output;
pub mod policy;
pub mod render;
pub mod report;
pub mod template;
