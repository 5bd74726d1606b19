//! The statuses an intake gives a report, named once for the intake (`report-helper serve`
//! stores them) and for the page (the WebAssembly's `reportStatuses()`, which shows them).

/// In the order a helpline works through them: `received` when stored, `in_progress`, `done`,
/// and `withdrawn` by the person who sent it.
pub const STATUSES: [&str; 4] = ["received", "in_progress", "done", "withdrawn"];
