//! Helpers for the built-ins' unit cases.
