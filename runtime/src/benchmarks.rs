//! The pallets benchmarked in this runtime (`frame-benchmarking` v2).

frame_benchmarking::define_benchmarks!(
	[frame_system, SystemBench::<Runtime>]
	[pallet_balances, Balances]
	[pallet_timestamp, Timestamp]
	[pallet_sudo, Sudo]
	[pallet_assets, Assets]
	[pallet_oracle, Oracle]
	[pallet_margin, Margin]
	[pallet_options, Options]
);
