mod errors;
mod ledger;
mod liquidation;
mod requirements;
mod properties;
mod hardening;
