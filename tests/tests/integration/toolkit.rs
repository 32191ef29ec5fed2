//! The market maker's toolkit (issue 16) in real blocks.

use optionchain_integration_tests::market::{Market, Order, WEEK};
use optionchain_runtime::{genesis_config_presets::BTC, RuntimeCall, RuntimeEvent};
use pallet_options::{CancelReason, Event as OptionsEvent};
use sp_keyring::Sr25519Keyring::{Charlie, Dave};
use sp_runtime::{traits::Zero, FixedU128};

fn arm(at: Option<u32>) -> RuntimeCall {
	RuntimeCall::Options(pallet_options::Call::schedule_cancel { at })
}

/// The dead-man's switch. Dave quotes a board of two series and arms his switch 3 blocks
/// ahead; his client renews it once, then dies. At the start of the block he named, before
/// that block's transactions, his quotes are void: Charlie's order in that block, which would
/// have lifted Dave's ask, fills nothing, and the book shows no quote of his.
#[test]
fn a_makers_switch_not_renewed_pulls_its_whole_board_before_the_blocks_takers() {
	let mut m = Market::dev();
	let a = m.list_call(BTC, 64_000, WEEK);
	let b = m.list_call(BTC, 66_000, WEEK);
	m.deposit(Dave, 50_000).deposit(Charlie, 10_000).next_block().assert_ok();
	m.quote(Dave, &[(a, Some((90, 2)), Some((110, 2))), (b, Some((40, 2)), Some((60, 2)))]);
	let n = m.chain.next_number();
	m.call(Dave, arm(Some(n + 3))).next_block().assert_ok();
	assert!(m.emitted(|e| matches!(
		e,
		RuntimeEvent::Options(OptionsEvent::CancelScheduled { at, .. }) if *at == n + 3
	)));
	// Renewed in block n + 1, for n + 4.
	m.call(Dave, arm(Some(n + 4))).next_block().assert_ok();
	m.next_block().next_block().assert_ok();
	assert_eq!(m.book(a).asks.len(), 1, "renewed: still quoting in block n + 3");
	// Block n + 4: the switch fires first; Charlie's order (matched after the block's
	// transactions) finds the ask void and removes it.
	assert_eq!(m.chain.next_number(), n + 4);
	m.place(Charlie, Order::buy(a, 2, 110).ioc()).next_block().assert_ok();
	assert!(m.emitted(|e| matches!(
		e,
		RuntimeEvent::Options(OptionsEvent::CancelScheduleFired { at, orders: 4, .. })
			if *at == n + 4
	)));
	assert!(m.positions(Charlie).is_empty());
	assert!(m.emitted(|e| matches!(
		e,
		RuntimeEvent::Options(OptionsEvent::OrderCancelled { reason: CancelReason::Voided, .. })
	)));
	for s in [a, b] {
		let book = m.book(s);
		assert!(book.bids.is_empty() && book.asks.is_empty());
	}
	// `on_idle` removed the rest; Dave quotes again and trades.
	m.quote(Dave, &[(a, None, Some((110, 1)))]).next_block().assert_ok();
	m.place(Charlie, Order::buy(a, 1, 110).ioc()).next_block().assert_ok();
	assert_eq!(m.positions(Charlie), vec![(a, 1)]);
	m.check();
}

/// Good-till-block orders (issue 16, item 3) in real blocks: Dave's ask good till block `n`
/// fills in block `n` and never after; in block `n + 1` Charlie's bid that reaches it fills
/// nothing and removes it; `on_idle` removes what is left.
#[test]
fn a_good_till_block_ask_never_fills_after_its_block() {
	let mut m = Market::dev();
	let a = m.list_call(BTC, 64_000, WEEK);
	m.deposit(Dave, 50_000).deposit(Charlie, 10_000).next_block().assert_ok();
	let n = m.chain.next_number() + 1;
	let till = |quantity, usdc| Order::sell(a, quantity, usdc).post_only().good_till_block(n);
	m.place(Dave, till(1, 110)).place(Dave, till(1, 120)).next_block().assert_ok();
	assert_eq!(m.book(a).asks.len(), 2);
	// Block n: the first fills.
	assert_eq!(m.chain.next_number(), n);
	m.place(Charlie, Order::buy(a, 1, 110).ioc()).next_block().assert_ok();
	assert_eq!(m.positions(Charlie), vec![(a, 1)]);
	// Block n + 1: the second is past its block.
	assert!(m.book(a).asks.is_empty());
	m.place(Charlie, Order::buy(a, 1, 120).ioc()).next_block().assert_ok();
	assert_eq!(m.positions(Charlie), vec![(a, 1)]);
	assert!(m.emitted(|e| matches!(
		e,
		RuntimeEvent::Options(OptionsEvent::OrderCancelled {
			reason: CancelReason::GoodTillReached,
			..
		})
	)));
	m.check();
}

/// Good-till-time orders (issue 16, item 3) in real blocks (2 s apart, at least 1 s by the
/// timestamp pallet): Dave's ask good till block `n`'s timestamp fills in block `n` and never
/// after; a taker that reaches it in block `n + 1` fills nothing and removes it.
#[test]
fn a_good_till_time_ask_never_fills_after_its_time() {
	use optionchain_integration_tests::Chain;
	let mut m = Market::dev();
	let a = m.list_call(BTC, 64_000, WEEK);
	m.deposit(Dave, 50_000).deposit(Charlie, 10_000).next_block().assert_ok();
	let n = m.chain.next_number() + 1;
	let t = Chain::timestamp_of(n);
	let till = |usdc| Order::sell(a, 1, usdc).post_only().good_till_time(t);
	m.place(Dave, till(110)).place(Dave, till(120)).next_block().assert_ok();
	assert_eq!(m.book(a).asks.len(), 2);
	// Block n (stamped t): the first fills.
	assert_eq!(m.chain.next_number(), n);
	m.place(Charlie, Order::buy(a, 1, 110).ioc()).next_block().assert_ok();
	assert_eq!(m.positions(Charlie), vec![(a, 1)]);
	// Block n + 1 (stamped t + 2 s): past its time.
	assert!(m.book(a).asks.is_empty());
	m.place(Charlie, Order::buy(a, 1, 120).ioc()).next_block().assert_ok();
	assert_eq!(m.positions(Charlie), vec![(a, 1)]);
	assert!(m.emitted(|e| matches!(
		e,
		RuntimeEvent::Options(OptionsEvent::OrderCancelled {
			reason: CancelReason::GoodTillReached,
			..
		})
	)));
	m.check();
}

fn mmp(underlying: u32, limits: Option<pallet_options::MmpLimits>) -> RuntimeCall {
	RuntimeCall::Options(pallet_options::Call::set_mmp { underlying, limits })
}

/// Market-maker protection (issue 16, item 1) in real blocks, with the runtime's greeks. Dave
/// allows himself 2.5 contracts' worth of delta of series `a` on BTC. In one block, Charlie
/// lifts 2 contracts and Eve 2 more: Eve's fill takes Dave to 4 contracts' delta, it is kept,
/// and Dave trips in the same step. Later in that block Charlie's order finds Dave's ask in
/// series `b` void and fills at Bob's instead; Eve's ETH order still fills at Dave's ETH quote.
/// Frozen, Dave's quotes on BTC rest nothing and a resting order is refused, but he may hedge
/// with an immediate order; after his reset he quotes and trades again.
#[test]
fn a_delta_trip_freezes_a_maker_on_its_underlying_in_the_block_and_later_takers_skip_its_quotes() {
	use optionchain_primitives::exchange::MarginAccounts;
	use optionchain_runtime::{genesis_config_presets::ETH, Margin, Options, Runtime};
	use pallet_options::MmpLimits;
	use sp_keyring::Sr25519Keyring::{Bob, Eve};
	let mut m = Market::dev();
	m.set_volatility(BTC, 50).set_volatility(ETH, 50);
	let a = m.list_call(BTC, 64_000, WEEK);
	let b = m.list_call(BTC, 66_000, WEEK);
	let e = m.list_call(ETH, 3_200, WEEK);
	m.deposit(Dave, 50_000)
		.deposit(Bob, 50_000)
		.deposit(Charlie, 20_000)
		.deposit(Eve, 20_000);
	m.next_block().assert_ok();
	// The runtime's |delta| of one contract of `a` (0.1 BTC) at this block's index price and
	// volatility: the margin API's delta, rounded up instead of to the nearest.
	let terms = m
		.chain
		.read(|| pallet_options::Series::<Runtime>::get(a))
		.expect("listed")
		.terms;
	let delta = m.chain.read(|| Margin::contract_greeks(&terms)).expect("priced").delta;
	let api = m.chain.read(|| Margin::api_series_quote(terms)).expect("priced").delta;
	let api = api.into_inner().unsigned_abs();
	assert!(delta.into_inner() >= api && delta.into_inner() - api <= 1, "rounded up, by one unit");
	assert!(delta > FixedU128::from_rational(1, 100), "an out-of-the-money call has delta");
	let limits = MmpLimits {
		window_blocks: 100,
		max_contracts: 0,
		max_delta: FixedU128::from_inner(delta.into_inner() * 5 / 2),
		max_vega: FixedU128::zero(),
		freeze_blocks: 0,
	};
	m.call(Dave, mmp(BTC, Some(limits)));
	m.quote(Dave, &[(a, None, Some((110, 5))), (b, None, Some((60, 5))), (e, None, Some((20, 5)))]);
	m.quote(Bob, &[(a, None, Some((130, 5))), (b, None, Some((80, 5)))]);
	m.next_block().assert_ok();
	// One block: four takers, matched in arrival order after its transactions.
	m.place(Charlie, Order::buy(a, 2, 110).ioc());
	m.place(Eve, Order::buy(a, 2, 110).ioc());
	m.place(Charlie, Order::buy(b, 1, 80).ioc());
	m.place(Eve, Order::buy(e, 1, 20).ioc());
	m.next_block().assert_ok();
	// Counted at the greeks of that block (its time to expiry): read at its state.
	let delta = m.chain.read(|| Margin::contract_greeks(&terms)).expect("priced").delta;
	let counted = FixedU128::from_inner(delta.into_inner() * 4);
	assert!(m.emitted(|ev| matches!(
		ev,
		RuntimeEvent::Options(OptionsEvent::MmpTripped { underlying, counted: c, until: None, .. })
			if *underlying == BTC && c.delta == counted && c.contracts == 4
	)));
	assert!(m.emitted(|ev| matches!(
		ev,
		RuntimeEvent::Options(OptionsEvent::OrderCancelled {
			reason: CancelReason::MmpTripped,
			series,
			..
		}) if *series == b
	)));
	assert_eq!(m.positions(Charlie), vec![(a, 2), (b, 1)]);
	assert_eq!(m.positions(Eve), vec![(a, 2), (e, 1)]);
	// Dave's rest of `a` is void: the book shows Bob's asks only.
	let usd = optionchain_runtime::USD;
	assert_eq!(m.book(a).asks.iter().map(|l| l.price).collect::<Vec<_>>(), vec![130 * usd]);
	assert_eq!(m.book(b).asks.iter().map(|l| l.price).collect::<Vec<_>>(), vec![80 * usd]);
	let view = m.chain.read(|| Options::api_mmp(&Dave.to_account_id(), BTC)).expect("set");
	assert!(view.frozen_now);
	// Frozen on BTC: a quote leg there rests nothing, a resting order is refused, an
	// immediate order hedges.
	m.quote(Dave, &[(a, None, Some((115, 1)))]);
	m.place(Dave, Order::sell(b, 1, 90).post_only());
	m.place(Dave, Order::buy(a, 1, 130).ioc());
	m.next_block();
	m.assert_failed(1, pallet_options::Error::<Runtime>::MmpFrozen);
	assert!(m.emitted(|ev| matches!(
		ev,
		RuntimeEvent::Options(OptionsEvent::QuoteLegSkipped {
			reason: pallet_options::QuoteSkipReason::MmpFrozen,
			..
		})
	)));
	assert_eq!(m.positions(Dave), vec![(a, -3), (e, -1)]);
	// Reset: he quotes and trades again.
	let reset = RuntimeCall::Options(pallet_options::Call::reset_mmp { underlying: BTC });
	m.call(Dave, reset)
		.quote(Dave, &[(a, None, Some((112, 1)))])
		.next_block()
		.assert_ok();
	m.place(Charlie, Order::buy(a, 1, 112).ioc()).next_block().assert_ok();
	assert_eq!(m.positions(Charlie), vec![(a, 3), (b, 1)]);
	m.check();
}

/// Orders priced in implied volatility (issue 16, item 4) in real blocks, with the runtime's
/// Black-Scholes. Dave rests an ask at 60 % volatility on a BTC call; Charlie lifts one
/// contract, the index rises 5 %, and Charlie lifts another. Each fill is at the premium the
/// margin pallet's Black-Scholes gives for one contract at 60 % in that block (rounded up to
/// the series' tick), and the second is higher: the ask followed the index without a
/// requote.
#[test]
fn a_volatility_priced_ask_follows_the_index_and_fills_at_each_blocks_premium() {
	use optionchain_primitives::exchange::{MarginAccounts, PremiumRounding, Side};
	use optionchain_runtime::{Margin, Runtime};
	use pallet_options::{TimeInForce, VolOrderRequest};
	let mut m = Market::dev();
	let a = m.list_call(BTC, 64_000, WEEK);
	m.deposit(Dave, 50_000).deposit(Charlie, 20_000).next_block().assert_ok();
	let info = m.chain.read(|| pallet_options::Series::<Runtime>::get(a)).expect("listed");
	let sixty = FixedU128::from_rational(60, 100);
	// The premium of the block just built (its timestamp; the index is fed at one price, so
	// its aggregation at the block's end does not move it), rounded up to the tick.
	let premium = |m: &mut Market| {
		let p = m
			.chain
			.read(|| Margin::contract_premiums(&info.terms, &[(sixty, PremiumRounding::Up)]))
			.expect("priced")[0];
		p.div_ceil(info.price_tick) * info.price_tick
	};
	let request = VolOrderRequest {
		series: a,
		side: Side::Sell,
		volatility: sixty,
		quantity: 5,
		time_in_force: TimeInForce::GoodTillCancelled,
		reduce_only: false,
	};
	m.call(Dave, RuntimeCall::Options(pallet_options::Call::place_vol_order { request }))
		.next_block()
		.assert_ok();
	let placed = premium(&mut m);
	let rested = optionchain_integration_tests::expect_event!(m, RuntimeEvent::Options(OptionsEvent::VolOrderPlaced { price, .. }) => *price);
	assert_eq!(rested, placed);
	let fill = |m: &mut Market| {
		m.place(Charlie, Order::buy(a, 1, 5_000).ioc()).next_block().assert_ok();
		let price = optionchain_integration_tests::expect_event!(m, RuntimeEvent::Options(OptionsEvent::OrderFilled { price, .. }) => *price);
		assert_eq!(price, premium(m), "filled at this block's premium");
		assert_eq!(m.book(a).asks.first().map(|l| l.price), Some(price), "the book shows it");
		price
	};
	let first = fill(&mut m);
	// The index moves 5 % up from the next block's feeds; the block after prices with it.
	m.move_price(BTC, 5).next_block().assert_ok();
	let second = fill(&mut m);
	// Closed-form Black-Scholes (the dev chain's rate is 0), 0.1 BTC, about a week: 64.4417
	// USD at S = 60,000 and 164.1985 USD at S = 63,000, rounded up to the tick.
	assert_eq!((first, second), (64_450_000, 164_200_000));
	assert_eq!(m.positions(Charlie), vec![(a, 2)]);
	m.check();
}
