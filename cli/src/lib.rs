//! The `report-helper` command's work, one module a concern; `main.rs` is only its command line.
//! A library so that the tests of `tests/` can build the intake's router (`serve::app`) and
//! speak to it in-process.
//!
//! What uses what (no cycles): `hash` reads with `read` and decodes with `decode` and `vpdq`;
//! `matching` reads a platforms' hash list and hashes with `hash`; `verify` reads with `read`;
//! `hash`, `verify`, `matching`, `reports` and `platforms` escape what they print with `terminal`; `serve`, `reports` and `platforms` keep reports, platforms and the shared list
//! in `store`, whose codes `code` makes and reads; `serve` asks `platforms` what of a report is
//! shared.

pub mod code;
pub mod decode;
pub mod hash;
pub mod matching;
pub mod platforms;
pub mod read;
pub mod reports;
pub mod serve;
pub mod store;
pub mod terminal;
pub mod verify;
pub mod vpdq;
