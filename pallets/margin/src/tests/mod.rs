// Tests change one parameter of the defaults at a time.
#![allow(clippy::field_reassign_with_default)]

mod band;
mod errors;
mod failed_weights;
mod hardening;
mod ledger;
mod liquidation;
mod premiums;
mod properties;
mod requirements;
mod simulation;
mod step;
mod trigger;
mod warm;
