
//! THIS FILE WAS AUTO-GENERATED USING THE SUBSTRATE BENCHMARK CLI VERSION 64.0.0
//! DATE: 2026-12-03 (Y/M/D)
//! HOSTNAME: `vm`, CPU: `Intel(R) Xeon(R) Processor`
//!
//! SHORT-NAME: `block`, LONG-NAME: `BlockExecution`, RUNTIME: `optionchain`
//! WARMUPS: `10`, REPEAT: `100`
//! WEIGHT-PATH: `/tmp/tmp.D5hzKjpJVe`
//! WEIGHT-METRIC: `Average`, WEIGHT-MUL: `1.0`, WEIGHT-ADD: `0`

// Executed Command:
//   /root/.cache/optionchain/production/target/production/optionchain-node
//   benchmark
//   overhead
//   --runtime
//   /root/.cache/optionchain/production/target/production/wbuild/optionchain-runtime/optionchain_runtime.compact.compressed.wasm
//   --genesis-builder=runtime
//   --genesis-builder-preset=development
//   --weight-path
//   /tmp/tmp.D5hzKjpJVe
//   --warmup
//   10
//   --repeat
//   100

use sp_core::parameter_types;
use frame_support::weights::{constants::WEIGHT_REF_TIME_PER_NANOS, Weight};

parameter_types! {
	/// Weight of executing an empty block.
	/// Calculated by multiplying the *Average* with `1.0` and adding `0`.
	///
	/// Stats nanoseconds:
	///   Min, Max: 227_716, 3_125_428
	///   Average:  402_203
	///   Median:   386_715
	///   Std-Dev:  280728.17
	///
	/// Percentiles nanoseconds:
	///   99th: 509_465
	///   95th: 459_932
	///   75th: 407_551
	pub const BlockExecutionWeight: Weight =
		Weight::from_parts(WEIGHT_REF_TIME_PER_NANOS.saturating_mul(402_203), 0);
}

#[cfg(test)]
mod test_weights {
	use frame_support::weights::constants;

	/// Checks that the weight exists and is sane.
	// NOTE: If this test fails but you are sure that the generated values are fine,
	// you can delete it.
	#[test]
	fn sane() {
		let w = super::BlockExecutionWeight::get();

		// At least 100 µs.
		assert!(
			w.ref_time() >= 100u64 * constants::WEIGHT_REF_TIME_PER_MICROS,
			"Weight should be at least 100 µs."
		);
		// At most 50 ms.
		assert!(
			w.ref_time() <= 50u64 * constants::WEIGHT_REF_TIME_PER_MILLIS,
			"Weight should be at most 50 ms."
		);
	}
}
