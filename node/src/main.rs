#![doc = include_str!("../README.md")]
#![warn(missing_docs)]
// `sc_cli::Error` is what the node's commands return (as in polkadot-sdk's own nodes).
#![allow(clippy::result_large_err)]

mod chain_spec;
mod cli;
mod command;
mod rpc;
mod service;

fn main() {
	// One clear line on failure instead of a backtrace: `sc_cli::Error` already carries a
	// readable message (port in use, missing chain spec, database errors, ...).
	if let Err(e) = command::run() {
		eprintln!("Error: {e}");
		std::process::exit(1);
	}
}
