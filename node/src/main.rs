//! optionchain node: Aura block production, GRANDPA finality, ParityDB storage.

#![warn(missing_docs)]

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
