//! The runtime integration tests, one test binary (the runtime is linked once). Each module is
//! one subject; see `tests/README.md`.

mod examples;
mod exchange;
mod foundation;
mod hardening;
mod liquidation;
mod metadata_docs;
mod newcomer;
mod oracle;
mod ordering;
mod proxy;
mod quote;
mod snapshot;
mod toolkit;
mod warm;
mod weights;
