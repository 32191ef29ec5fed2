//! Benchmarks (frame-benchmarking v2), each at its worst case: placing an order that makes the
//! maximum number of fills and rests its remainder, cancelling the maximum number of orders,
//! settling one position, removing expired orders.

use super::*;
use frame_benchmarking::v2::*;
use frame_support::{
	traits::{Get, Hooks},
	weights::Weight,
};
use frame_system::{pallet_prelude::BlockNumberFor, RawOrigin};
use optionchain_primitives::{
	exchange::{MarginAccounts, OptionKind, SeriesId, Side},
	units, Moment,
};
use sp_runtime::Saturating;

const NOW: Moment = 1_000_000_000;
const EXPIRY: Moment = NOW + 86_400_000;
const UNDERLYING: u32 = 0;

fn setup<T: Config>() -> SeriesId {
	// A block after genesis: an account evaluated in it is warm for the rest of it.
	frame_system::Pallet::<T>::set_block_number(1u32.into());
	T::BenchmarkHelper::set_time(NOW);
	T::BenchmarkHelper::setup_underlying(UNDERLYING);
	let cfg = UnderlyingConfig {
		strike_tick: units::whole(1_000),
		contract_size: units::ratio(1, 10),
		price_tick: 1_000_000,
		max_series_open_interest: i64::MAX / 4,
		max_underlying_open_interest: i64::MAX / 4,
	};
	let _ = Pallet::<T>::do_configure_underlying(UNDERLYING, cfg);
	Pallet::<T>::do_list_series(UNDERLYING, units::whole(60_000), EXPIRY, OptionKind::Call)
		.unwrap_or_default()
}

/// A good-till-cancelled volatility-priced ask of ten contracts at `percent` % (worth more than
/// `MinVolOrderPremium` on the benchmarks' series).
fn vol_request(series: SeriesId, percent: u128) -> VolOrderRequest {
	vol_order_on(series, Side::Sell, percent)
}

/// `vol_request` on `side`.
fn vol_order_on(series: SeriesId, side: Side, percent: u128) -> VolOrderRequest {
	VolOrderRequest {
		series,
		side,
		volatility: units::ratio(percent, 100),
		quantity: 10,
		time_in_force: TimeInForce::GoodTillCancelled,
		reduce_only: false,
	}
}

fn trader<T: Config>(name: &'static str, i: u32) -> T::AccountId {
	let who: T::AccountId = account(name, i, 0);
	T::BenchmarkHelper::fund(&who);
	who
}

fn order(series: SeriesId, side: Side, price: u128, quantity: i64) -> OrderRequest {
	OrderRequest {
		series,
		side,
		price,
		quantity,
		time_in_force: TimeInForce::GoodTillCancelled,
		post_only: false,
		reduce_only: false,
	}
}

/// Fills a book side up to `MaxOrdersPerSide` with one-contract orders of `filler` at `price`,
/// in front of the orders already there (written directly: no order lists, no aggregates; the
/// benchmarks only read and rewrite such sides). Ids count up from `id`.
fn fill_side<T: Config>(
	series: SeriesId,
	side: Side,
	price: u128,
	filler: &T::AccountId,
	id: &mut OrderId,
) {
	add_to_side::<T>(series, side, price, filler, id, T::MaxOrdersPerSide::get(), true);
	assert!(Books::<T>::get(series, side).is_full(), "the side holds MaxOrdersPerSide orders");
}

/// Puts up to `count` one-contract orders of `filler` at `price` in front of (or behind) the
/// orders on `series`' `side` (at most as many as it has room for).
fn add_to_side<T: Config>(
	series: SeriesId,
	side: Side,
	price: u128,
	filler: &T::AccountId,
	id: &mut OrderId,
	count: u32,
	in_front: bool,
) {
	let own = Books::<T>::get(series, side);
	let room = (T::MaxOrdersPerSide::get() as usize)
		.saturating_sub(own.len())
		.min(count as usize);
	let mut full = alloc::vec::Vec::with_capacity(room.saturating_add(own.len()));
	for _ in 0..room {
		*id = id.saturating_add(1);
		full.push(BookOrder {
			id: *id,
			owner: filler.clone(),
			price,
			remaining: 1,
			reduce_only: false,
			good_till: None,
		});
	}
	if in_front {
		full.extend(own.into_inner());
	} else {
		let mut ahead = own.into_inner();
		ahead.append(&mut full);
		full = ahead;
	}
	let book: BookSideOf<T> = full.try_into().unwrap_or_default();
	Books::<T>::insert(series, side, book);
}

#[benchmarks]
mod benchmarks {
	use super::*;

	#[benchmark]
	fn configure_underlying() {
		let cfg = UnderlyingConfig {
			strike_tick: units::whole(1_000),
			contract_size: units::ratio(1, 10),
			price_tick: 1_000_000,
			max_series_open_interest: 100,
			max_underlying_open_interest: 100,
		};
		#[extrinsic_call]
		_(RawOrigin::Root, 7, cfg);
		assert!(UnderlyingConfigs::<T>::contains_key(7));
	}

	#[benchmark]
	fn list_series() {
		let _ = setup::<T>();
		#[extrinsic_call]
		_(RawOrigin::Root, UNDERLYING, units::whole(61_000), EXPIRY, OptionKind::Put);
		assert_eq!(LiveSeries::<T>::get().len(), 2);
	}

	/// A rule replacing another.
	#[benchmark]
	fn set_listing_rule() {
		let _ = setup::<T>();
		let rule = ListingRule {
			interval: 3_600_000,
			offset: 0,
			expiries: 1,
			min_lead: 0,
			strikes_each_side: 0,
			strike_step: UnderlyingConfigs::<T>::get(UNDERLYING)
				.map(|c| c.strike_tick)
				.unwrap_or_default(),
		};
		Pallet::<T>::do_set_listing_rule(UNDERLYING, Some(rule)).expect("a valid rule");
		let changed = ListingRule { expiries: 2, ..rule };
		#[extrinsic_call]
		_(RawOrigin::Root, UNDERLYING, Some(changed));
		assert_eq!(ListingRules::<T>::get().first().map(|e| e.1), Some(changed));
	}

	/// `k` makers at the best price, each filled by the taker (queued by `place_order`, matched
	/// by `match_queue`), whose remainder then rests. The
	/// makers placed their asks in this block and hold ample collateral: they are warm (their
	/// fills are not evaluated again; a cold maker's check is charged on top, at its size).
	#[benchmark]
	fn place_order(k: Linear<1, { T::MaxFillsPerOrder::get() }>) {
		let s = setup::<T>();
		for i in 0..k {
			let maker = trader::<T>("maker", i);
			let _ = Pallet::<T>::do_place_order(&maker, order(s, Side::Sell, 1_000_000, 1));
			assert_eq!(
				T::Margin::ensure_maker_margin(&maker, true, None).ok(),
				Some(Weight::zero()),
				"maker {i} is warm"
			);
		}
		let taker = trader::<T>("taker", 0);
		let request = order(s, Side::Buy, 1_000_000, i64::from(k) + 1);
		// Submitted (queued), then matched after the block's transactions: both measured.
		#[block]
		{
			let queued = Pallet::<T>::place_order(RawOrigin::Signed(taker.clone()).into(), request);
			assert!(queued.is_ok());
			Pallet::<T>::match_queue();
		}
		assert_eq!(Pallet::<T>::net_position(s, &taker), i64::from(k));
	}

	#[benchmark]
	fn cancel_order() {
		let s = setup::<T>();
		let who = trader::<T>("who", 0);
		let _ = Pallet::<T>::do_place_order(&who, order(s, Side::Buy, 1_000_000, 1));
		#[extrinsic_call]
		_(RawOrigin::Signed(who.clone()), 0);
		assert!(AccountOrders::<T>::get(&who).is_empty());
	}

	/// `n` orders of one account spread round robin over every book side it may use (bids
	/// low, asks high, never crossing), each side filled up to `MaxOrdersPerSide` with others'
	/// orders in front of the account's: every cancellation reads, searches and writes a full
	/// side of its own, and its series and position entry are not yet in the overlay.
	#[benchmark]
	fn cancel_all(n: Linear<1, { T::MaxOrdersPerAccount::get().min(T::MaxOrdersPerSide::get()) }>) {
		let first = setup::<T>();
		let series_count = T::MaxSeriesPerAccount::get().min(T::MaxLiveSeries::get()).max(1);
		let mut series = alloc::vec![first];
		for j in 1..series_count {
			let strike = units::whole(60_000u128.saturating_add(1_000 * u128::from(j)));
			if let Ok(s) = Pallet::<T>::do_list_series(UNDERLYING, strike, EXPIRY, OptionKind::Call)
			{
				series.push(s);
			}
		}
		// One order per series first (bids, then asks, then further levels): with as many
		// series as orders, every cancellation touches a series of its own.
		let count = u32::try_from(series.len()).unwrap_or(1).max(1);
		let sides = count.saturating_mul(2);
		let who = trader::<T>("who", 0);
		let mut used = alloc::vec::Vec::new();
		for i in 0..n {
			let s = series.get((i % count) as usize).copied().unwrap_or(first);
			let level = u128::from(i / sides);
			let (side, price) = if (i / count) % 2 == 0 {
				(Side::Buy, 1_000_000u128.saturating_mul(level + 1))
			} else {
				(Side::Sell, 1_000_000u128.saturating_mul(level + 400))
			};
			let placed = Pallet::<T>::do_place_order(&who, order(s, side, price, 1));
			assert!(placed.is_ok(), "order {i} of the benchmark account");
			if !used.contains(&(s, side)) {
				used.push((s, side));
			}
		}
		let filler = trader::<T>("filler", 0);
		let mut id = OrderId::MAX / 2;
		for (s, side) in used {
			let price = if side == Side::Buy { 200_000_000 } else { 300_000_000 };
			fill_side::<T>(s, side, price, &filler, &mut id);
		}
		#[extrinsic_call]
		_(RawOrigin::Signed(who.clone()), None);
		assert!(AccountOrders::<T>::get(&who).is_empty());
	}

	/// `l` legs (bids and asks over `ceil(l / 2)` series), each replacing the caller's order
	/// (the only order on its side) with one at a new price, and `c` further orders of the
	/// caller on the first side, cancelled by its leg; then the call's margin check. Others'
	/// orders on the sides are `quote_depth`'s.
	#[benchmark]
	fn quote(
		l: Linear<1, { T::MaxQuoteLegs::get() }>,
		c: Linear<0, { T::MaxOrdersPerAccount::get().saturating_sub(T::MaxQuoteLegs::get()) }>,
	) {
		let first = setup::<T>();
		let mut series = alloc::vec![first];
		for j in 1..l.div_ceil(2) {
			let strike = units::whole(60_000u128.saturating_add(1_000 * u128::from(j)));
			let listed = Pallet::<T>::do_list_series(UNDERLYING, strike, EXPIRY, OptionKind::Call);
			assert!(listed.is_ok(), "series {j} of the quote benchmark");
			series.extend(listed.ok());
		}
		let who = trader::<T>("who", 0);
		let mut quotes = alloc::vec::Vec::new();
		for (j, s) in series.iter().copied().enumerate() {
			let mut request = QuoteRequest { series: s, bid: None, ask: None };
			for side in [Side::Buy, Side::Sell] {
				let leg = 2 * j as u32 + u32::from(side == Side::Sell);
				if leg >= l {
					continue;
				}
				let (own, new) = match side {
					Side::Buy => (1_000_000u128, 2_000_000u128),
					Side::Sell => (400_000_000, 399_000_000),
				};
				let placed = Pallet::<T>::do_place_order(&who, order(s, side, own, 1));
				assert!(placed.is_ok(), "the caller's order {leg}");
				if leg == 0 {
					for k in 0..c {
						// Above its bid (2, 3, ... USDC).
						let price = 1_000_000u128.saturating_mul(u128::from(k) + 2);
						let placed = Pallet::<T>::do_place_order(&who, order(s, side, price, 1));
						assert!(placed.is_ok(), "further order {k}");
					}
				}
				let q = Some(QuoteLeg { price: new, quantity: 2 });
				match side {
					Side::Buy => request.bid = q,
					Side::Sell => request.ask = q,
				}
			}
			quotes.push(request);
		}
		let quotes: frame_support::BoundedVec<QuoteRequest, T::MaxQuoteLegs> =
			quotes.try_into().unwrap_or_default();
		// The caller's own placements stamped it warm in this block: the call is measured in
		// the next block, where its check is a full evaluation (a warm caller's check on its
		// quoted series is charged on top, `ensure_quote_margin_warm`).
		frame_system::Pallet::<T>::set_block_number(
			frame_system::Pallet::<T>::block_number() + 1u32.into(),
		);
		#[extrinsic_call]
		_(RawOrigin::Signed(who.clone()), quotes);
		assert_eq!(AccountOrders::<T>::get(&who).len() as u32, l);
	}

	/// One bid leg replacing the caller's bid at the front of a side that also holds `d`
	/// others' orders (behind it, at a lower price: the removal and the new bid at the front
	/// shift the whole side), the ask side empty (read for its best price): the cost of the
	/// others' orders on a side a `quote` reads and writes (decoding, scanning, shifting,
	/// encoding).
	#[benchmark]
	fn quote_depth(d: Linear<0, { T::MaxOrdersPerSide::get().saturating_sub(1) }>) {
		let s = setup::<T>();
		let who = trader::<T>("who", 0);
		let filler = trader::<T>("filler", 0);
		let placed = Pallet::<T>::do_place_order(&who, order(s, Side::Buy, 100_000_000, 1));
		assert!(placed.is_ok(), "the caller's bid");
		let mut id = OrderId::MAX / 2;
		add_to_side::<T>(s, Side::Buy, 1_000_000, &filler, &mut id, d, false);
		let bid = QuoteLeg { price: 101_000_000, quantity: 2 };
		let request = QuoteRequest { series: s, bid: Some(bid), ask: None };
		let quotes: frame_support::BoundedVec<QuoteRequest, T::MaxQuoteLegs> =
			alloc::vec![request].try_into().unwrap_or_default();
		#[extrinsic_call]
		quote(RawOrigin::Signed(who.clone()), quotes);
		let book = Books::<T>::get(s, Side::Buy);
		assert_eq!(book.len() as u32, d + 1);
		assert_eq!(book.first().map(|o| (o.owner.clone(), o.price)), Some((who, 101_000_000)));
	}

	/// A long paid by `settle_account` once the series' short was collected (the series then
	/// still has another long).
	#[benchmark]
	fn settle_account() {
		let s = setup::<T>();
		let short = trader::<T>("short", 0);
		let (long, other) = (trader::<T>("long", 0), trader::<T>("long", 1));
		let _ = Pallet::<T>::do_place_order(&short, order(s, Side::Sell, 1_000_000, 2));
		let _ = Pallet::<T>::do_place_order(&long, order(s, Side::Buy, 1_000_000, 1));
		let _ = Pallet::<T>::do_place_order(&other, order(s, Side::Buy, 1_000_000, 1));
		T::BenchmarkHelper::set_time(EXPIRY);
		T::BenchmarkHelper::fix_settlement_price(UNDERLYING, EXPIRY, units::whole(65_000));
		let caller = trader::<T>("caller", 0);
		assert!(
			Pallet::<T>::settle_account(RawOrigin::Signed(caller.clone()).into(), short, s).is_ok()
		);
		// The next block: the long, evaluated in block 1, is not warm (a warm account's
		// evaluation again is charged apart).
		frame_system::Pallet::<T>::set_block_number(2u32.into());
		#[extrinsic_call]
		_(RawOrigin::Signed(caller), long.clone(), s);
		assert_eq!(Pallet::<T>::net_position(s, &long), 0);
	}

	#[benchmark]
	fn expire_orders(
		n: Linear<1, { T::MaxOrdersPerSide::get().min(T::MaxOrdersPerAccount::get()) }>,
	) {
		let s = setup::<T>();
		let who = trader::<T>("who", 0);
		for i in 0..n {
			let price = 1_000_000u128.saturating_mul(u128::from(i) + 1);
			let _ = Pallet::<T>::do_place_order(&who, order(s, Side::Buy, price, 1));
		}
		T::BenchmarkHelper::set_time(EXPIRY);
		let caller = trader::<T>("caller", 0);
		#[extrinsic_call]
		_(RawOrigin::Signed(caller), s, n);
		assert!(AccountOrders::<T>::get(&who).is_empty());
	}

	/// One `on_idle` settlement step, the heavier kind: the collection cursor stands just
	/// before a short, which is collected (the series then still has its long).
	#[benchmark]
	fn settle_position() {
		let s = setup::<T>();
		let (long, short) = (trader::<T>("long", 0), trader::<T>("short", 0));
		let _ = Pallet::<T>::do_place_order(&short, order(s, Side::Sell, 1_000_000, 2));
		let _ = Pallet::<T>::do_place_order(&long, order(s, Side::Buy, 1_000_000, 2));
		T::BenchmarkHelper::set_time(EXPIRY);
		T::BenchmarkHelper::fix_settlement_price(UNDERLYING, EXPIRY, units::whole(65_000));
		let keys: alloc::vec::Vec<T::AccountId> = Positions::<T>::iter_key_prefix(s).collect();
		if let Some(i) = keys.iter().position(|w| w == &short).and_then(|i| i.checked_sub(1)) {
			let key =
				frame_support::BoundedVec::try_from(Positions::<T>::hashed_key_for(s, &keys[i]))
					.expect("a storage key is short");
			SettlementCursor::<T>::insert(s, key);
		}
		let budget =
			T::WeightInfo::on_idle_base().saturating_add(Pallet::<T>::settle_position_weight());
		#[block]
		{
			let _ = Pallet::<T>::on_idle(BlockNumberFor::<T>::from(1u32), budget);
		}
		assert_eq!(Pallet::<T>::net_position(s, &short), 0);
		assert_eq!(Pallet::<T>::net_position(s, &long), 2);
	}

	#[benchmark]
	fn on_idle_base() {
		#[block]
		{
			let _ = Pallet::<T>::on_idle(BlockNumberFor::<T>::from(1u32), Weight::MAX);
		}
	}

	#[benchmark]
	fn portfolio(s: Linear<1, { T::MaxSeriesPerAccount::get() }>) {
		let _ = setup::<T>();
		let who = trader::<T>("who", 0);
		for i in 0..s {
			let id = Pallet::<T>::do_list_series(
				UNDERLYING,
				units::whole(100_000 + 1_000 * u128::from(i)),
				EXPIRY,
				OptionKind::Put,
			)
			.unwrap_or_default();
			let _ = Pallet::<T>::do_place_order(&who, order(id, Side::Buy, 1_000_000, 1));
		}
		#[block]
		{
			let _ = <Pallet<T> as optionchain_primitives::exchange::PositionsProvider<
				T::AccountId,
			>>::portfolio(&who);
		}
	}

	/// Moving an armed switch (the heavier kind: the old block's entry goes).
	#[benchmark]
	fn schedule_cancel() {
		let _ = setup::<T>();
		let who = trader::<T>("who", 0);
		let now = frame_system::Pallet::<T>::block_number();
		let later = now.saturating_add(T::MaxCancelDelay::get());
		let first = Pallet::<T>::do_schedule_cancel(&who, Some(later));
		assert!(first.is_ok());
		let at = now.saturating_add(1u32.into());
		#[extrinsic_call]
		_(RawOrigin::Signed(who.clone()), Some(at));
		assert_eq!(CancelDeadlines::<T>::get(&who), Some(at));
	}

	/// `a` switches due in the current block, each of an account with a resting order.
	#[benchmark]
	fn fire_cancel_schedules(a: Linear<0, { T::MaxCancelsPerBlock::get() }>) {
		let s = setup::<T>();
		let now = frame_system::Pallet::<T>::block_number();
		let at = now.saturating_add(1u32.into());
		for i in 0..a {
			let who = trader::<T>("maker", i);
			let price = 1_000_000u128.saturating_mul(u128::from(i % 100) + 1);
			let placed = Pallet::<T>::do_place_order(&who, order(s, Side::Buy, price, 1));
			assert!(placed.is_ok(), "a maker's bid");
			let armed = Pallet::<T>::do_schedule_cancel(&who, Some(at));
			assert!(armed.is_ok());
		}
		frame_system::Pallet::<T>::set_block_number(at);
		#[block]
		{
			let _ = Pallet::<T>::fire_cancel_schedules(at);
		}
		assert_eq!(CancelDeadlines::<T>::count(), 0);
	}

	fn mmp_limits<T: Config>(window_blocks: u32) -> MmpLimits {
		MmpLimits {
			window_blocks,
			max_contracts: 1,
			max_delta: units::ratio(1, 10),
			max_vega: units::whole(100),
			freeze_blocks: T::MaxMmpBlocks::get(),
		}
	}

	/// Changing the window of existing limits (the heavier kind: the counts restart).
	#[benchmark]
	fn set_mmp() {
		let _ = setup::<T>();
		let who = trader::<T>("who", 0);
		assert!(Pallet::<T>::do_set_mmp(&who, UNDERLYING, Some(mmp_limits::<T>(1))).is_ok());
		let limits = mmp_limits::<T>(T::MaxMmpBlocks::get());
		#[extrinsic_call]
		_(RawOrigin::Signed(who.clone()), UNDERLYING, Some(limits));
		assert_eq!(MmpStates::<T>::get(&who, UNDERLYING).and_then(|s| s.limits), Some(limits));
	}

	/// Lifting a freeze.
	#[benchmark]
	fn reset_mmp() {
		let _ = setup::<T>();
		let who = trader::<T>("who", 0);
		assert!(Pallet::<T>::do_set_mmp(&who, UNDERLYING, Some(mmp_limits::<T>(1))).is_ok());
		let state = MmpStates::<T>::get(&who, UNDERLYING).unwrap_or_default();
		Pallet::<T>::mmp_trip(&who, UNDERLYING, state, MmpCounters::default());
		#[extrinsic_call]
		_(RawOrigin::Signed(who.clone()), UNDERLYING);
		assert!(MmpStates::<T>::get(&who, UNDERLYING).is_some_and(|s| s.frozen.is_none()));
	}

	/// Counting one fill of a maker with every limit set, in a new window, that trips it (its
	/// entry and clean-up entry written, the event): the market-maker protection's cost per
	/// fill beyond its entry's read (the greeks are priced once per order:
	/// `MarginAccounts::contract_greeks_weight`, the margin pallet's `black_scholes_greeks`
	/// and four reads).
	#[benchmark]
	fn mmp_fill() {
		let s = setup::<T>();
		let who = trader::<T>("maker", 0);
		assert!(Pallet::<T>::do_set_mmp(&who, UNDERLYING, Some(mmp_limits::<T>(1))).is_ok());
		let terms = Series::<T>::get(s).map(|i| i.terms);
		let greeks = terms.and_then(|t| T::Margin::contract_greeks(&t));
		let state = MmpStates::<T>::get(&who, UNDERLYING).unwrap_or_default();
		frame_system::Pallet::<T>::set_block_number(2u32.into());
		let tripped;
		#[block]
		{
			tripped = Pallet::<T>::mmp_count_fill(&who, UNDERLYING, state, 1, greeks);
		}
		assert!(tripped);
		assert!(MmpCleanup::<T>::contains_key(&who, UNDERLYING));
	}

	/// A volatility-priced ask into a series whose list holds all but one of its entries:
	/// the whole call (its pricing with the runtime's margin pallet, the list's read and
	/// write, a post-only placement). `vol_order_extra_weight` charges what it measures beyond
	/// `place_order(0)`.
	#[benchmark]
	fn place_vol_order() {
		let s = setup::<T>();
		let others = T::MaxVolOrdersPerSeries::get().saturating_sub(1);
		for i in 0..others {
			let maker = trader::<T>("maker", i);
			let r = vol_request(s, 20u128.saturating_add(i.into()));
			assert!(Pallet::<T>::do_place_vol_order(&maker, r).is_ok());
		}
		let who = trader::<T>("who", 0);
		let r = vol_request(s, 20u128.saturating_add(others.into()));
		// Half a second into a second: the pricing evaluates both whole seconds around it.
		T::BenchmarkHelper::set_time(NOW.saturating_add(500));
		#[extrinsic_call]
		_(RawOrigin::Signed(who), r);
		assert_eq!(VolOrders::<T>::get(s).map(|l| l.len() as u32), Some(others.saturating_add(1)));
	}

	/// Pricing again the volatility-priced orders of `s` series: the first (an at-the-money
	/// call) holds `n` orders, asks and bids in turn (each of another owner and volatility),
	/// the others (in-the-money puts) one ask each; behind them, both sides of every series are full of premium-priced
	/// orders far from the touch (each side read whole, and written). The index doubles, and
	/// twelve hours later every order moves: repriced, or (on the runtime, whose oracle price
	/// is then stale) cancelled, the heavier path. The Black-Scholes evaluations are not in
	/// it: they are charged apart (`MarginAccounts::contract_premiums_weight`).
	#[benchmark]
	fn reprice_vol_orders(
		s: Linear<1, { T::MaxVolSeries::get() }>,
		n: Linear<1, { T::MaxVolOrdersPerSeries::get() }>,
	) {
		let first = setup::<T>();
		let mut series = alloc::vec![first];
		for k in 1..s {
			let strike =
				units::whole(60_000u128.saturating_add(u128::from(k).saturating_mul(1_000)));
			let id = Pallet::<T>::do_list_series(UNDERLYING, strike, EXPIRY, OptionKind::Put)
				.unwrap_or_default();
			series.push(id);
		}
		let mut placed = alloc::vec::Vec::new();
		for i in 0..n {
			let maker = trader::<T>("maker", i);
			let r = if i % 2 == 0 {
				vol_request(first, 20u128.saturating_add(i.into()))
			} else {
				vol_order_on(first, Side::Buy, 5u128.saturating_add((i / 2).into()))
			};
			placed.push(Pallet::<T>::do_place_vol_order(&maker, r).map(|(id, _)| id));
		}
		for (k, id) in series.iter().enumerate().skip(1) {
			let maker = trader::<T>("other", k as u32);
			placed.push(
				Pallet::<T>::do_place_vol_order(&maker, vol_request(*id, 30)).map(|(id, _)| id),
			);
		}
		assert!(placed.iter().all(|p| p.is_ok()), "every volatility order rests");
		let filler = trader::<T>("filler", 0);
		let mut id = NextOrderId::<T>::get().saturating_add(1_000_000);
		for sid in series.iter() {
			let n = T::MaxOrdersPerSide::get();
			add_to_side::<T>(*sid, Side::Sell, 1_000_000_000_000, &filler, &mut id, n, false);
			add_to_side::<T>(*sid, Side::Buy, 1_000_000, &filler, &mut id, n, false);
		}
		let vol_ids: alloc::vec::Vec<OrderId> =
			placed.iter().filter_map(|p| p.as_ref().ok()).copied().collect();
		let both = |id: &SeriesId| {
			let mut b = Books::<T>::get(*id, Side::Sell).into_inner();
			b.extend(Books::<T>::get(*id, Side::Buy).into_inner());
			b
		};
		let before: alloc::vec::Vec<(OrderId, u128)> = series
			.iter()
			.flat_map(both)
			.filter(|o| vol_ids.contains(&o.id))
			.map(|o| (o.id, o.price))
			.collect();
		assert_eq!(before.len(), vol_ids.len());
		T::BenchmarkHelper::set_index_price(UNDERLYING, units::whole(120_000));
		T::BenchmarkHelper::set_time(NOW.saturating_add(12 * 3_600_000 + 500));
		#[block]
		{
			Pallet::<T>::reprice_vol_orders();
		}
		let after: alloc::vec::Vec<(OrderId, u128)> =
			series.iter().flat_map(both).map(|o| (o.id, o.price)).collect();
		assert!(before.iter().all(|b| !after.contains(b)), "every order moved");
	}

	impl_benchmark_test_suite!(Pallet, crate::mock::new_test_ext(), crate::mock::Test);
}
