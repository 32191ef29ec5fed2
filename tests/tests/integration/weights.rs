//! Runtime configuration sanity: the worst-case weight of every exchange call fits in one
//! normal-class extrinsic of a 2 s block (a call that cannot fit could never be included).

use frame_support::dispatch::GetDispatchInfo;
use optionchain_primitives::{
	exchange::{OptionKind, Side},
	FeedEntry, FixedU128,
};
use optionchain_runtime::{configs::RuntimeBlockWeights, AccountId, RuntimeCall};
use pallet_options::{OrderRequest, TimeInForce};

fn order() -> OrderRequest {
	OrderRequest {
		series: 0,
		side: Side::Buy,
		price: 1,
		quantity: 1,
		time_in_force: TimeInForce::GoodTillCancelled,
		post_only: false,
		reduce_only: false,
	}
}

/// The largest feed: every one of the oracle's 16 underlyings.
fn largest_feed() -> RuntimeCall {
	RuntimeCall::Oracle(pallet_oracle::Call::feed {
		at: 0,
		observed_at: 0,
		entries: (0..16)
			.map(|i| FeedEntry {
				underlying: i,
				price: FixedU128::from_u32(1),
				volatility: FixedU128::from_u32(1),
			})
			.collect::<Vec<_>>()
			.try_into()
			.expect("16 entries"),
	})
}

/// The largest quote: 32 legs, bid and ask in 16 series.
fn largest_quote() -> RuntimeCall {
	RuntimeCall::Options(pallet_options::Call::quote {
		quotes: (0..16)
			.map(|series| {
				let leg = Some(pallet_options::QuoteLeg { price: 1, quantity: 1 });
				pallet_options::QuoteRequest { series, bid: leg, ask: leg }
			})
			.collect::<Vec<_>>()
			.try_into()
			.expect("16 requests"),
	})
}

#[test]
fn every_exchange_call_fits_in_a_block() {
	let who = AccountId::new([1; 32]);
	let calls = vec![
		largest_feed(),
		RuntimeCall::Margin(pallet_margin::Call::deposit { amount: 1 }),
		RuntimeCall::Margin(pallet_margin::Call::withdraw { amount: 1 }),
		RuntimeCall::Margin(pallet_margin::Call::liquidate {
			account: who.clone(),
			series: 0,
			quantity: 1,
		}),
		RuntimeCall::Options(pallet_options::Call::list_series {
			underlying: 0,
			strike: FixedU128::from_u32(1),
			expiry: 0,
			kind: OptionKind::Call,
		}),
		RuntimeCall::Options(pallet_options::Call::place_order { request: order() }),
		RuntimeCall::Options(pallet_options::Call::replace_order { order_id: 0, request: order() }),
		RuntimeCall::Options(pallet_options::Call::cancel_all { series: None }),
		RuntimeCall::Options(pallet_options::Call::settle_account { who, series: 0 }),
		RuntimeCall::Options(pallet_options::Call::schedule_cancel { at: Some(1) }),
		RuntimeCall::Options(pallet_options::Call::place_vol_order {
			request: pallet_options::VolOrderRequest {
				series: 0,
				side: Side::Sell,
				volatility: FixedU128::from_u32(1),
				quantity: 1,
				time_in_force: TimeInForce::GoodTillCancelled,
				reduce_only: false,
			},
		}),
		largest_quote(),
	];
	let limits = RuntimeBlockWeights::get();
	for call in calls {
		let info = call.get_dispatch_info();
		// Each call within its own class's limit (feeds are operational).
		let max = limits.get(info.class).max_extrinsic.expect("the class has a limit");
		if matches!(call, RuntimeCall::Options(pallet_options::Call::quote { .. })) {
			eprintln!(
				"quote(32 legs): {} ps; {} such calls fit the normal-class max_extrinsic",
				info.total_weight().ref_time(),
				max.ref_time() / info.total_weight().ref_time().max(1)
			);
		}
		assert!(
			info.total_weight().all_lte(max),
			"{:?} weighs {} ps, above the extrinsic limit {} ps",
			call,
			info.total_weight().ref_time(),
			max.ref_time()
		);
	}
	// The dead-man's switches firing at the start of a block (issue 16): at most
	// `MaxCancelsPerBlock` of them, over at most 64 buckets, within 4 % of the block's compute.
	let fire = optionchain_runtime::Options::fire_cancel_schedules_max_weight();
	let block = RuntimeBlockWeights::get().max_block;
	assert!(
		fire.ref_time().saturating_mul(100) <= block.ref_time().saturating_mul(4),
		"firing the switches takes {} ps of a {} ps block",
		fire.ref_time(),
		block.ref_time()
	);
	// Pricing every volatility-priced order again at the start of a block (issue 16 item 4):
	// at the runtime's bounds (32 series, 256 orders) within 10 % of the block's compute.
	use frame_support::traits::Get;
	type Cfg = optionchain_runtime::Runtime;
	let series = <<Cfg as pallet_options::Config>::MaxVolSeries as Get<u32>>::get();
	let orders = <<Cfg as pallet_options::Config>::MaxVolOrders as Get<u32>>::get();
	let reprice = optionchain_runtime::Options::reprice_weight(series, orders);
	eprintln!(
		"repricing {orders} volatility orders in {series} series: {:.1} ms of {:.1} ms",
		reprice.ref_time() as f64 / 1e9,
		block.ref_time() as f64 / 1e9
	);
	assert!(
		reprice.ref_time().saturating_mul(100) <= block.ref_time().saturating_mul(10),
		"repricing takes {} ps of a {} ps block",
		reprice.ref_time(),
		block.ref_time()
	);
}

/// Issue 15's throughput figures, computed (deterministically) from the generated weights and
/// the runtime's block limits; `cargo test -p optionchain-integration-tests throughput --
/// --nocapture` prints the table. The normal class of a 2 s block, less the oracle's worst-case
/// feed load (every operator feeding every underlying: operational since spec 114, checked to
/// fit the operational reserve, and deducted so that the block's compute stays within 0.667 s),
/// is filled with one kind of call at the
/// weight it is charged, with the base extrinsic and its transaction extensions' weight (a
/// queued order at submission, for its planned budget; a `quote` admitted at its declared worst
/// case and refunded after dispatch). Asserted: at least 1,000 fills against warm makers, the per-fill weight at most
/// 3 × a pallet-assets `transfer` measured with the same node and runtime as the options
/// weights (`benchmarks/pallet_assets.2026-12-06-1500.transfer-run.rs`, 2026-12-06 15:00
/// UTC, right after the three pallets' run: 33.02 µs of execution, 4 reads, 4 writes), at least 400 fills against distinct cold makers holding 10 positions (two
/// underlyings registered), at least 3,072 quote legs per block when three makers quote a board
/// (each side holds their three orders), and a full `quote` on full sides fits a block.
#[test]
fn throughput_per_block_from_the_weights() {
	use frame_support::{
		dispatch::DispatchClass,
		weights::{RuntimeDbWeight, Weight},
	};
	use optionchain_primitives::exchange::MarginAccounts;
	use optionchain_runtime::{Margin, Options, Runtime};

	let limits = RuntimeBlockWeights::get();
	let normal = limits.get(DispatchClass::Normal);
	let budget = normal.max_total.expect("normal class has a total");
	let base = normal.base_extrinsic;
	let db: RuntimeDbWeight = <Runtime as frame_system::Config>::DbWeight::get();
	// Every operator feeds every underlying, charged after dispatch: the feeds, and the
	// aggregation of 16 underlyings with 16 operators once (prepaid by the first feed that
	// touches each underlying). Feeds are operational (spec 114): they use the operational
	// class's reserve, not the normal class's budget; they are still deducted here, as issue 15
	// asks, so that the figures hold within the block's 0.667 s of compute with the oracle at its
	// worst (the normal class alone holds about 5 % more).
	use pallet_oracle::WeightInfo as _;
	type OracleWeights = <Runtime as pallet_oracle::Config>::WeightInfo;
	// Every signed transaction is also charged its extensions' weight (`CheckNonce`, `CheckEra`,
	// `WeightReclaim`, the payment, a feed's validation...), as `CheckWeight` counts it.
	use sp_runtime::traits::TransactionExtension;
	let ext = |call: &RuntimeCall| optionchain_integration_tests::tx_extension(0).weight(call);
	let feed_call = largest_feed();
	let feeds = OracleWeights::feed(16)
		.saturating_add(base)
		.saturating_add(ext(&feed_call))
		.saturating_mul(16)
		.saturating_add(
			OracleWeights::aggregate(16, 16).saturating_sub(OracleWeights::aggregate(0, 16)),
		);
	let operational = limits.get(DispatchClass::Operational);
	assert!(
		feeds.all_lte(operational.reserved.expect("an operational reserve")),
		"every operator's largest feed fits the operational reserve"
	);
	let room = budget.saturating_sub(feeds);
	// How many calls of one kind fit: each is admitted at its declared weight (with the base
	// and its extensions) and then counts at its actual weight, so the last one needs room for
	// its declared weight.
	let fit = |call: &RuntimeCall, actual: Weight, declared: Weight| {
		let extra = base.saturating_add(ext(call));
		let (a, d) =
			(actual.saturating_add(extra).ref_time(), declared.saturating_add(extra).ref_time());
		if d > room.ref_time() {
			0
		} else {
			1 + (room.ref_time() - d) / a.max(1)
		}
	};
	let per_block = |call: &RuntimeCall, w: Weight| fit(call, w, w);

	// Takers are queued and charged at submission for the budget planned from the book (issue
	// 15, item 5): a GTC taker with no position sweeping 8 levels of warm makers that can pay
	// (evaluated in this block: the benchmark's) plans 8 steps, no cold maker, and its own
	// check at one series.
	let request = pallet_options::OrderRequest {
		series: 0,
		side: optionchain_primitives::exchange::Side::Buy,
		price: 1,
		quantity: 8,
		time_in_force: pallet_options::TimeInForce::GoodTillCancelled,
		post_only: false,
		reduce_only: false,
	};
	let warm_budget = pallet_options::MatchBudget {
		steps: 8,
		cold: 0,
		cold_checks: Weight::zero(),
		retries: 0,
		taker_series: 1,
		underlyings: u32::MAX,
		mmp_fills: 0,
		greeks: false,
	};
	let place = RuntimeCall::Options(pallet_options::Call::place_order { request });
	let taker = Options::queued_order_weight(warm_budget, &request);
	let warm_fills = per_block(&place, taker) * 8;
	// The same admitted, as `CheckWeight` admits it, at the call's declared weight (its full
	// budget: a taker and cold makers at the largest portfolios), refunded to the planned
	// budget after dispatch: the last taker needs room for the whole declared weight.
	let place_declared = place.get_dispatch_info().call_weight;
	let warm_fills_declared = fit(&place, taker, place_declared) * 8;
	// The same against warm makers that all protect themselves with delta limits (market-maker
	// protection, issue 16): each fill counted (its entry written; a trip also writes its
	// clean-up entry) and the series' greeks priced once per order.
	let protected_budget =
		pallet_options::MatchBudget { mmp_fills: 8, greeks: true, ..warm_budget };
	let protected_fills =
		per_block(&place, Options::queued_order_weight(protected_budget, &request)) * 8;
	// The same against 8 distinct cold makers holding 10 positions each: every maker is
	// evaluated once at its first fill, planned at its 11 series (at most a position and
	// resting orders in each: `margin_check_further`'s series, each holding a short, a bid and
	// an ask, after the taker's check has read the parameters, the time and the order's
	// underlying, and the fill the order's series and the maker's entry in it), and the markets of the further underlyings a maker may hold, read once in
	// the order's execution. Cold makers may fail, so the plan gives every step. The possible
	// underlyings are at most those registered: the dev chain's two (BTC, ETH), or the
	// oracle's maximum of 16.
	let cold_fills_with = |underlyings: u32| {
		let markets = <Margin as MarginAccounts<AccountId>>::markets_weight(underlyings);
		let cold_budget = pallet_options::MatchBudget {
			cold: 8,
			cold_checks: Options::cold_check_weight(11).saturating_mul(8).saturating_add(markets),
			underlyings,
			..warm_budget
		};
		per_block(&place, Options::queued_order_weight(cold_budget, &request)) * 8
	};
	let (cold_fills, cold_fills_16) = (cold_fills_with(2), cold_fills_with(16));
	// Quote legs: 32 legs (16 series of one underlying, bid and ask), each replacing the
	// maker's order on a side that also holds one order of each of two other makers (three
	// makers quote the board), as charged after dispatch: the legs, the others' orders on the
	// sides read, and the maker's check at its real size (a position and resting orders in
	// each of the 16 series: 32 entries of one underlying, whose 16 series' entries the call
	// just read).
	let check = <Margin as MarginAccounts<AccountId>>::margin_check_weight_for_portfolio(16, 1);
	let outcome = |depth| pallet_options::QuoteOutcome {
		legs: 32,
		cancelled: 32,
		depth,
		one_sided: 0,
		evicted: 0,
		// A board quoted through `quote` is good till cancelled: no good-till index entry.
		unindexed: 0,
		quoted_held: 16,
		margin_weight: Options::quote_check_weight(check, 16),
		// One underlying: the caller's protection entry is read once.
		mmp_reads: 1,
		// Every leg moves its price: no order is kept, no volatility list read.
		vol_reads: 0,
		// Each leg replaces the maker's one order on its side: the series' count of resting
		// orders is unchanged, its entry not written.
		series_written: 0,
	};
	// A `quote` is admitted at its declared worst case (full sides, every order of the caller
	// cancelled, the largest portfolio) and refunded to what it did after dispatch.
	let quote = largest_quote();
	let declared = quote.get_dispatch_info().call_weight;
	let legs = fit(&quote, Options::actual_quote_weight(&outcome(32 * 2)), declared) * 32;
	// The same with every side full (255 others' orders).
	let legs_full_book =
		fit(&quote, Options::actual_quote_weight(&outcome(32 * 255)), declared) * 32;
	// Per fill: a step of the benchmark (which plans, queues and matches the order; the plan
	// reads each maker's account, which the fill reads again).
	let fill = Options::place_steps_weight(8)
		.saturating_sub(Options::place_steps_weight(0))
		.ref_time()
		/ 8;
	let transfer = Weight::from_parts(33_020_000, 6208).saturating_add(db.reads_writes(4, 4));
	let ratio_percent = fill * 100 / transfer.ref_time();
	eprintln!(
		"extensions of a signed transaction {} us (a feed's {} us); quote declared {} us; \
		 place_order declared {} us",
		ext(&place).ref_time() / 1_000_000,
		ext(&feed_call).ref_time() / 1_000_000,
		declared.ref_time() / 1_000_000,
		place.get_dispatch_info().call_weight.ref_time() / 1_000_000,
	);
	eprintln!(
		"normal class {} ms, feeds {} ms: fills/block (warm makers) {warm_fills}, (cold \
		 10-position makers) {cold_fills} (2 underlyings registered), {cold_fills_16} (16); \
		 protected warm makers {protected_fills}; quote legs/block {legs} (sides of 3 orders), \
		 {legs_full_book} (full sides); warm fills admitted at the declared weight \
		 {warm_fills_declared}; per fill \
		 {} us = {}.{:02} x an assets transfer ({} us)",
		budget.ref_time() / 1_000_000_000,
		feeds.ref_time() / 1_000_000_000,
		fill / 1_000_000,
		ratio_percent / 100,
		ratio_percent % 100,
		transfer.ref_time() / 1_000_000,
	);
	assert!(ratio_percent <= 300, "a fill weighs more than 3 asset transfers");
	assert!(warm_fills >= 1_000, "fewer than 1,000 fills per block against warm makers");
	// Admitted at the declared weight, as `CheckWeight` does (the figure above admits the last
	// taker at its planned budget): 1,048 since spec 117 keeps the list of series with a
	// position in the margin ledger entry every fill writes anyway (968 at spec 116, whose
	// index of its own cost every fill a read and a write): issue 15's 1,000 holds here too.
	assert!(
		warm_fills_declared >= 1_000,
		"fewer than 1,000 warm fills admitted at the declared weight"
	);
	// Makers that all protect themselves (`mmp_fill` measured 2026-12-05): 936 at spec 117
	// (872 at 116), a floor, not a goal of the issue.
	assert!(protected_fills >= 900, "fewer than 900 fills per block against protected makers");
	// Issue 15's goals: 400 fills against distinct cold makers holding 10 positions (with the
	// dev chain's two underlyings registered; 368 with the oracle's maximum of 16), and 3,072
	// quote legs (512 series, 2 sides, 3 makers).
	assert!(cold_fills >= 400, "fewer than 400 fills per block against cold makers");
	assert!(legs >= 3_072, "fewer than 3,072 quote legs per block");
	assert!(legs_full_book >= 32, "a full quote on full sides does not fit a block");
}
