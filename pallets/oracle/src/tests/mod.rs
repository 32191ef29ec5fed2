//! Unit tests. Every test runs through `build_and_execute`, which ends the block and checks
//! `do_try_state` afterwards. Expected numbers are worked out by hand in the comments.

mod aggregation;
mod attacks;
mod errors;
mod extension;
mod genesis;
mod properties;
mod safety;
mod twap;
