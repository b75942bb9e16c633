//! Fitting the operator's world: reading an Ansible inventory into a capdo inventory
//! ([`ansible`] and [`to_toml`]) and writing capdo's servers back out as an Ansible inventory
//! ([`export`]).
//!
//! Ansible knows hosts, groups and how to reach them; it does not know the organisation, the
//! data centres, the zones, the information systems or their levels. The import writes what it
//! knows and leaves the rest as commented `# TODO` lines, so `capdo validate` says what is
//! missing. This module reads files and returns text; it never prints and never writes.

pub mod ansible;
pub mod export;
pub mod reach;
pub mod to_toml;
