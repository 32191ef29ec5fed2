//! Unit tests. Every test runs through `build_and_execute`, which checks `do_try_state` and the
//! conservation of funds in the mock ledger afterwards. Expected numbers are worked out by hand
//! in the comments.

mod errors;
mod failed_weights;
mod good_till;
mod listing;
mod matching;
mod mmp;
mod ordering;
mod properties;
mod schedule;
mod settlement;

mod hardening;
mod migrations;
mod quote;
mod void;
mod vol;
