//! Builds the wasm runtime. With the `metadata-hash` feature (release and production builds)
//! the metadata hash is computed and compiled in, with the native token's symbol and decimals,
//! so that `CheckMetadataHash` can be enabled by signers that verify it (Ledger's generic app,
//! Polkadot Vault). It builds the wasm twice, so dev and CI builds leave it off.

#[cfg(all(feature = "std", not(feature = "metadata-hash")))]
fn main() {
	substrate_wasm_builder::WasmBuilder::build_using_defaults();
}

#[cfg(all(feature = "std", feature = "metadata-hash"))]
fn main() {
	// OPT, 12 decimals: `UNIT` in `runtime/src/lib.rs`.
	substrate_wasm_builder::WasmBuilder::init_with_defaults()
		.enable_metadata_hash("OPT", 12)
		.build();
}

#[cfg(not(feature = "std"))]
fn main() {}
