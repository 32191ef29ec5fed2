//! The exchange: the margin pallet (collateral, requirements, liquidation, insurance) and the
//! options pallet (series, order books, settlement), wired to each other through the traits of
//! `optionchain-primitives` and to the oracle for prices.

use crate::{
	AccountId, Assets, Margin, Options, Oracle, Runtime, Timestamp, SETTLEMENT_ASSET_ID, USD,
};
use frame_support::{
	parameter_types,
	traits::{ConstU128, ConstU32},
	PalletId,
};
use frame_system::EnsureRoot;
use sp_runtime::{traits::AccountIdConversion, Permill};

parameter_types! {
	/// Escrow account holding every unit of collateral (its balance equals the margin ledger).
	pub const MarginPalletId: PalletId = PalletId(*b"oc/margn");
	/// The insurance fund's account (a ledger entry of the margin pallet).
	pub const InsurancePalletId: PalletId = PalletId(*b"oc/insur");
	/// The settlement asset (USDC, 6 decimals) in pallet-assets.
	pub const SettlementAssetId: u32 = SETTLEMENT_ASSET_ID;
	/// Where trading fees are credited (a keyless account; governance decides their use).
	pub MarginFeeAccount: AccountId = PalletId(*b"oc/fees_").into_account_truncating();
	/// The insurance fund's account, exempt from the options pallet's series-per-account cap
	/// (the keeper-less sweep hands it the positions of liquidated accounts).
	pub InsuranceAccount: AccountId = InsurancePalletId::get().into_account_truncating();
	/// A deposit opening a margin account must be at least 10 USDC (no dust accounts).
	pub const MarginMinDeposit: u128 = 10 * USD;
	/// A change of the risk parameters applies 1,800 blocks (one hour) after it is announced,
	/// so that accounts can add collateral or reduce positions before a stricter rule.
	pub const MarginParameterNotice: crate::BlockNumber = 1_800;
	/// The margin trigger step may use 25 % of every block in `on_initialize` (167 ms of the
	/// 667 ms block), before any transaction: in a block after a crash the accounts the move
	/// triggered come first (about 225 small liquidations by the 18:00 weights in the 125 ms
	/// of a 500 ms block, so about 300 now), and the normal class gets what is left (500 ms
	/// less the feeds and the other hooks); a block in which the step has little to do leaves
	/// the normal class its whole 75 %. (20 % of a 500 ms block held about 180 such
	/// liquidations by the weights of 2026-12-03, 18:00 UTC, fewer than the 200 the chain
	/// promises in the first block.)
	pub MarginTriggerReserve: frame_support::weights::Weight =
		sp_runtime::Perbill::from_percent(25) * crate::configs::RuntimeBlockWeights::get().max_block;
	/// A trigger band lets the volatility move 25 % of its level each way.
	pub const MarginBandVolatilityMove: sp_runtime::Perbill = sp_runtime::Perbill::from_percent(25);
}

impl pallet_margin::Config for Runtime {
	type Assets = Assets;
	type SettlementAsset = SettlementAssetId;
	type UnitsPerUsd = ConstU128<USD>;
	type Oracle = Oracle;
	type Positions = Options;
	type Time = Timestamp;
	type GovernanceOrigin = EnsureRoot<AccountId>;
	type PalletId = MarginPalletId;
	type InsurancePalletId = InsurancePalletId;
	type FeeAccount = MarginFeeAccount;
	type ParameterNotice = MarginParameterNotice;
	type MinBlockInterval = frame_support::traits::ConstU64<{ crate::SLOT_DURATION / 2 }>;
	type MinDeposit = MarginMinDeposit;
	type MaxSweepPerBlock = ConstU32<256>;
	type TriggerReserve = MarginTriggerReserve;
	/// A trigger band holds for at most 30 minutes (then the account is re-evaluated).
	type BandHorizon = frame_support::traits::ConstU64<{ 30 * 60 * 1000 }>;
	type BandVolatilityMove = MarginBandVolatilityMove;
	type WeightInfo = pallet_margin::weights::SubstrateWeight<Runtime>;
	#[cfg(feature = "runtime-benchmarks")]
	type BenchmarkHelper = benchmark_helpers::ExchangeBenchmarkHelper;
}

parameter_types! {
	/// Maker and taker fees are each capped at 12.5 % of the premium (as Deribit and Derive).
	pub const OptionsFeeCap: Permill = Permill::from_parts(125_000);
	pub const OptionsMaxOrderQuantity: i64 = 100_000;
	/// Series may be listed up to one year (366 days) ahead.
	pub const OptionsMaxExpiryHorizon: u64 = 366 * 24 * 60 * 60 * 1000;
	/// 0.30 USDC per contract for makers and for takers (before the 12.5 % cap).
	pub const OptionsMakerFee: u128 = 300_000;
	pub const OptionsTakerFee: u128 = 300_000;
}

impl pallet_options::Config for Runtime {
	type Time = Timestamp;
	type Oracle = Oracle;
	type Margin = Margin;
	type GovernanceOrigin = EnsureRoot<AccountId>;
	type MaxLiveSeries = ConstU32<512>;
	type MaxOrdersPerSide = ConstU32<256>;
	type MaxOrdersPerAccount = ConstU32<128>;
	/// Series with a position or resting orders: positions in at most 32 (what sizes an
	/// account's maintenance view, its band and its liquidation), orders in the rest. 160 is
	/// the most `MaxOrdersPerAccount` can use (32 position series and 128 series with one
	/// order each); every check of a whole portfolio is charged at it (issue 15 item 8).
	type MaxSeriesPerAccount = ConstU32<160>;
	type MaxPositionSeriesPerAccount = ConstU32<32>;
	type UncappedAccounts = frame_support::traits::Equals<InsuranceAccount>;
	/// Match steps per order extrinsic. A taker is charged at submission the budget planned
	/// from the book (its steps, the cold makers it meets at their sizes within
	/// `cold_checks_bound`, its own check at its size) and declared at the full budget (25.2 ms
	/// with 160-series accounts, spec 116), which the block must have room for when it is
	/// admitted. `tests/tests/integration/weights.rs` computes the fills per block and checks
	/// the worst case fits a block.
	type MaxFillsPerOrder = ConstU32<8>;
	type MaxQuoteLegs = ConstU32<32>;
	type MaxQueuedOrders = ConstU32<2048>;
	type MaxOrderQuantity = OptionsMaxOrderQuantity;
	type MaxExpiryHorizon = OptionsMaxExpiryHorizon;
	type MakerFeePerContract = OptionsMakerFee;
	type TakerFeePerContract = OptionsTakerFee;
	type FeeCap = OptionsFeeCap;
	type UnitsPerUsd = ConstU128<USD>;
	type MaxIdleItems = ConstU32<256>;
	/// A dead-man's switch is armed at most a day ahead (43,200 blocks of 2 s).
	type MaxCancelDelay = ConstU32<43_200>;
	/// At most 128 switches armed per block: firing them (at their composed weight, about
	/// 0.16 ms each) takes about 20 ms, 3 % of a block's compute.
	type MaxCancelsPerBlock = ConstU32<128>;
	/// Market-maker protection windows and timed freezes: at most an hour of 2 s blocks.
	type MaxMmpBlocks = ConstU32<1_800>;
	/// Volatility-priced orders: 32 per series (both sides), in at most 32 series, 256 in
	/// all. Each is priced again at the start of every block: at the composed weights (not
	/// measured yet), the most this takes (32 series, 256 orders) is 57.2 ms, 9 % of a
	/// block's compute, reserved only while such orders rest (see the options README). Raise
	/// them once `reprice_vol_orders` is measured.
	type MaxVolOrdersPerSeries = ConstU32<32>;
	type MaxVolOrders = ConstU32<256>;
	type MaxVolSeries = ConstU32<32>;
	/// A quarter of the places per account, and at least 25 USDC of premium per order: filling
	/// every place takes four funded accounts and 6,400 USDC of premium (bids) or the margin
	/// of as many shorts (asks).
	type MaxVolOrdersPerAccount = ConstU32<64>;
	type MinVolOrderPremium = ConstU128<{ 25 * USD }>;
	/// Aura's slot (2 s): blocks are in strictly increasing slots, each stamped within its slot.
	type MinBlockInterval = frame_support::traits::ConstU64<{ crate::SLOT_DURATION }>;
	type WeightInfo = pallet_options::weights::SubstrateWeight<Runtime>;
	#[cfg(feature = "runtime-benchmarks")]
	type BenchmarkHelper = benchmark_helpers::ExchangeBenchmarkHelper;
}

/// Benchmark set-up of the margin and options pallets through the real pallets of this runtime:
/// money is minted in pallet-assets and deposited through the margin pallet, prices are written
/// by the oracle as its aggregation would write them, positions come from real orders crossing
/// in the options pallet's books (with every margin check of a real fill).
#[cfg(feature = "runtime-benchmarks")]
pub mod benchmark_helpers {
	use super::*;
	use crate::{RuntimeEvent, RuntimeOrigin};
	use alloc::vec::Vec;
	use frame_support::traits::{
		fungibles::{Create, Inspect, Mutate},
		Get,
	};
	use frame_system::RawOrigin;
	use optionchain_primitives::{
		exchange::{Balance, OptionKind, SeriesId, Side},
		units, Moment, Price, UnderlyingId, Volatility,
	};
	use pallet_options::{OrderRequest, TimeInForce};
	use sp_runtime::FixedU128;

	/// Implements `pallet_margin::BenchmarkHelper` and `pallet_options::BenchmarkHelper`.
	pub struct ExchangeBenchmarkHelper;

	/// Index price given to an underlying by `setup_underlying` (USD).
	const SETUP_PRICE_USD: u128 = 60_000;
	/// Collateral given by `pallet_options::BenchmarkHelper::fund`: 1,000,000,000 USD.
	const LARGE_COLLATERAL: Balance = 1_000_000_000 * USD;
	/// Expiry of the series opened by `open_positions`, after the current time.
	const POSITION_EXPIRY_MS: Moment = 30 * 24 * 60 * 60 * 1000;
	/// Premium of the fills made by `open_positions` (rounded to the price tick).
	const POSITION_PREMIUM: Balance = 100 * USD;

	fn must<T, E: core::fmt::Debug>(what: &str, r: Result<T, E>) -> T {
		match r {
			Ok(v) => v,
			Err(e) => panic!("benchmark set-up: {what}: {e:?}"),
		}
	}

	/// `amount` of the settlement asset minted to `who` (creating the asset if needed).
	fn mint(who: &AccountId, amount: Balance) {
		if !<Assets as Inspect<AccountId>>::asset_exists(SETTLEMENT_ASSET_ID) {
			must(
				"create the settlement asset",
				<Assets as Create<AccountId>>::create(SETTLEMENT_ASSET_ID, who.clone(), true, 1),
			);
		}
		must(
			"mint the settlement asset",
			<Assets as Mutate<AccountId>>::mint_into(SETTLEMENT_ASSET_ID, who, amount),
		);
	}

	/// `amount` minted to `who` and deposited as margin collateral.
	fn mint_and_deposit(who: &AccountId, amount: Balance) {
		mint(who, amount);
		must("margin deposit", Margin::deposit(RuntimeOrigin::signed(who.clone()), amount));
	}

	fn place(who: &AccountId, series: SeriesId, side: Side, price: Balance) {
		let request = OrderRequest {
			series,
			side,
			price,
			quantity: 1,
			time_in_force: TimeInForce::GoodTillCancelled,
			post_only: false,
			reduce_only: false,
		};
		must(
			"place an order",
			Options::place_order(RuntimeOrigin::signed(who.clone()), request).map_err(|e| e.error),
		);
		// An order that may take liquidity is queued and matched after the block's
		// transactions: match it now, as the end of the block would.
		<Options as frame_support::traits::PostTransactions>::post_transactions();
		if let Some(error) =
			frame_system::Pallet::<Runtime>::read_events_no_consensus().find_map(|e| {
				match e.event {
					RuntimeEvent::Options(pallet_options::Event::OrderRejected {
						error, ..
					}) => Some(error),
					_ => None,
				}
			}) {
			panic!("benchmark set-up: a queued order was rejected: {error:?}");
		}
	}

	/// The options pallet's parameters of `underlying` (the dev BTC ones if it has none).
	fn options_config(underlying: UnderlyingId) -> pallet_options::UnderlyingConfig {
		if let Some(cfg) = pallet_options::UnderlyingConfigs::<Runtime>::get(underlying) {
			return cfg;
		}
		let cfg = crate::genesis_config_presets::btc_options();
		must(
			"configure the underlying",
			Options::configure_underlying(RawOrigin::Root.into(), underlying, cfg),
		);
		cfg
	}

	/// The id of the call `(underlying, strike, expiry)`, listed by root if it does not exist.
	fn call_series(underlying: UnderlyingId, strike: Price, expiry: Moment) -> SeriesId {
		let key = (underlying, strike.into_inner(), expiry, OptionKind::Call);
		if let Some(id) = pallet_options::SeriesByTerms::<Runtime>::get(key) {
			return id;
		}
		must(
			"list a series",
			Options::list_series(
				RawOrigin::Root.into(),
				underlying,
				strike,
				expiry,
				OptionKind::Call,
			),
		);
		must(
			"find the listed series",
			pallet_options::SeriesByTerms::<Runtime>::get(key).ok_or("not listed"),
		)
	}

	impl pallet_margin::BenchmarkHelper<AccountId> for ExchangeBenchmarkHelper {
		fn fund(who: &AccountId, amount: Balance) {
			mint(who, amount);
		}

		fn set_price(underlying: UnderlyingId, price: Price, volatility: Volatility) {
			must(
				"set the oracle price",
				Oracle::set_price_for_benchmarks(underlying, price, volatility),
			);
		}

		/// Lists one call per entry (strikes from the index price upwards on the strike grid,
		/// 30 days). In the first `MaxPositionSeriesPerAccount` it crosses a one-contract sell
		/// of `short` with a buy of `long`: real fills (premium, fees, margin checks of both
		/// sides). Each further entry, up to `MaxSeriesPerAccount` series, is a resting
		/// one-contract sell of `short` in a series of its own (margined like a short, as
		/// filled); beyond that (a portfolio has up to `max_portfolio_len` entries), resting
		/// sells in the series of its positions. So `n` entries are in `n` series as far as the
		/// caps allow. Returns the series, those with a position first. `short` must hold the
		/// collateral for its shorts; `long` receives what it needs for the premiums and fees.
		fn open_positions(
			short: &AccountId,
			long: &AccountId,
			underlying: UnderlyingId,
			n: u32,
		) -> Vec<SeriesId> {
			let cfg = options_config(underlying);
			let max_positions: u32 =
				<Runtime as pallet_options::Config>::MaxPositionSeriesPerAccount::get();
			let max_series: u32 = <Runtime as pallet_options::Config>::MaxSeriesPerAccount::get();
			let positions = n.min(max_positions);
			let series_count = n.min(max_series).max(positions);
			let tick = cfg.price_tick.max(1);
			let premium = (POSITION_PREMIUM / tick).max(1).saturating_mul(tick);
			mint_and_deposit(
				long,
				premium.saturating_add(USD).saturating_mul(u128::from(positions) + 1),
			);

			let index = Oracle::api_index_price(underlying)
				.map(|p| p.price)
				.unwrap_or_else(|| units::whole(SETUP_PRICE_USD));
			let strike_tick = cfg.strike_tick.into_inner().max(1);
			let first = index.into_inner().div_ceil(strike_tick).saturating_mul(strike_tick);
			let expiry =
				pallet_timestamp::Pallet::<Runtime>::get().saturating_add(POSITION_EXPIRY_MS);

			let series: Vec<SeriesId> = (0..series_count)
				.map(|i| {
					let strike = FixedU128::from_inner(
						first.saturating_add(strike_tick.saturating_mul(u128::from(i))),
					);
					let id = call_series(underlying, strike, expiry);
					place(short, id, Side::Sell, premium);
					if i < positions {
						place(long, id, Side::Buy, premium);
					}
					id
				})
				.collect();
			for id in series.iter().take(n.saturating_sub(series_count) as usize) {
				place(short, *id, Side::Sell, premium);
			}
			series
		}

		fn rest_bids(who: &AccountId, series: SeriesId, count: u32) {
			let tick = pallet_options::Series::<Runtime>::get(series)
				.map(|info| info.price_tick.max(1))
				.unwrap_or(1);
			for _ in 0..count {
				place(who, series, Side::Buy, tick);
			}
		}

		/// The stored time only (Aura's slot check of a real timestamp would fail).
		fn set_time(now: Moment) {
			pallet_timestamp::Now::<Runtime>::put(now);
		}

		/// A bid at the series' lowest price and an ask at 100 times the premium of the
		/// positions `open_positions` opens (both rounded to the tick).
		fn rest_quote(who: &AccountId, series: SeriesId) {
			let tick = pallet_options::Series::<Runtime>::get(series)
				.map(|info| info.price_tick.max(1))
				.unwrap_or(1);
			place(who, series, Side::Buy, tick);
			let ask = (POSITION_PREMIUM.saturating_mul(100) / tick).max(1).saturating_mul(tick);
			place(who, series, Side::Sell, ask);
		}
	}

	impl pallet_options::BenchmarkHelper<AccountId> for ExchangeBenchmarkHelper {
		fn setup_underlying(underlying: UnderlyingId) {
			must(
				"set the oracle price",
				Oracle::set_price_for_benchmarks(
					underlying,
					units::whole(SETUP_PRICE_USD),
					units::ratio(50, 100),
				),
			);
		}

		fn set_index_price(underlying: UnderlyingId, price: Price) {
			must(
				"set the oracle price",
				Oracle::set_price_for_benchmarks(underlying, price, units::ratio(50, 100)),
			);
		}

		fn fund(who: &AccountId) {
			mint_and_deposit(who, LARGE_COLLATERAL);
		}

		/// Writes the timestamp only: `pallet_timestamp::Pallet::set_timestamp` would also
		/// call Aura's `on_timestamp_set`, which rejects a timestamp of another slot.
		fn set_time(now: Moment) {
			pallet_timestamp::Now::<Runtime>::put(now);
		}

		fn fix_settlement_price(underlying: UnderlyingId, expiry: Moment, price: Price) {
			must(
				"fix the settlement price",
				Oracle::set_settlement_price_for_benchmarks(underlying, expiry, price),
			);
		}
	}
}
