//! The `report-helper` command's work, one module a concern; `main.rs` is only its command line.
//! A library so that the tests of `tests/` can build the intake's router (`serve::app`) and
//! speak to it in-process.
//!
//! What uses what (no cycles): `hash` reads with `read` and decodes with `decode` and `vpdq`;
//! `matching` reads a platforms' hash list and hashes with `hash`; `verify` reads with `read`; `hash`, `verify` and `reports` escape what they print with
//! `terminal`; `serve` and `reports` keep reports in `store`, whose codes
//! `code` makes and reads.

pub mod code;
pub mod decode;
pub mod hash;
pub mod matching;
pub mod read;
pub mod reports;
pub mod serve;
pub mod store;
pub mod terminal;
pub mod verify;
pub mod vpdq;
