//! capdo keeps a ministry data centre as code and proves it is compliant.
//!
//! The pipeline runs in one direction: `inventory` (load and validate the TOML folder) →
//! `graph` (petgraph; levels, impact, cycles, zones) → `policy` (controls → findings) →
//! `report` (text, JSON). `cli` parses the command line and maps results to exit codes; library
//! code never prints.

pub mod cli;
pub mod collect;
pub mod diag;
pub mod dossier;
pub mod escape;
pub mod evidence;
pub mod graph;
pub mod import;
pub mod init;
pub mod inventory;
pub mod policy;
pub mod render;
pub mod report;
pub mod template;
