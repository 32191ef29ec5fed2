mod errors;
mod ledger;
mod liquidation;
mod requirements;
