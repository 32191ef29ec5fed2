//! Issue 14: the orders of a liquidated account are voided in constant work
//! (`PositionsProvider::void_orders`) and removed lazily: by a taker that reaches one, by their
//! owner, or by `on_idle`.

use crate::{mock::*, *};
use frame_support::{assert_ok, traits::Hooks, weights::Weight};
use optionchain_primitives::exchange::{OptionKind, PositionsProvider, SeriesId, Side};

fn voided() -> Vec<(u64, u32)> {
	events()
		.into_iter()
		.filter_map(|e| match e {
			Event::OrdersVoided { who, orders } => Some((who, orders)),
			_ => None,
		})
		.collect()
}

fn cancelled() -> Vec<(OrderId, u64, CancelReason)> {
	events()
		.into_iter()
		.filter_map(|e| match e {
			Event::OrderCancelled { order_id, who, reason, .. } => Some((order_id, who, reason)),
			_ => None,
		})
		.collect()
}

/// ALICE rests 4 orders (ids 0-3) on two series, CHARLIE an ask behind hers (id 4); then
/// ALICE's orders are voided.
fn alice_voided() -> (SeriesId, SeriesId) {
	let s = list(60_000, OptionKind::Call);
	let t = list(70_000, OptionKind::Call);
	gtc(ALICE, s, Side::Sell, 10 * USDC, 2); // 0
	gtc(ALICE, s, Side::Buy, 5 * USDC, 1); // 1
	gtc(ALICE, t, Side::Sell, 8 * USDC, 1); // 2
	gtc(ALICE, t, Side::Buy, 3 * USDC, 1); // 3
	gtc(CHARLIE, s, Side::Sell, 11 * USDC, 3); // 4
	assert_eq!(Options::void_orders(&ALICE), 4);
	assert_eq!(VoidBefore::<Test>::get(ALICE), Some(5));
	assert_eq!(voided(), vec![(ALICE, 4)]);
	(s, t)
}

#[test]
fn voided_orders_never_fill_and_a_taker_removes_them_on_its_way() {
	build_and_execute(|| {
		let (s, _) = alice_voided();
		// The book's depth leaves void orders out: only CHARLIE's ask.
		let depth = Options::api_book_depth(s, 10).expect("listed");
		assert_eq!((depth.bids.len(), depth.asks.len()), (0, 1));
		assert_eq!((depth.asks[0].price, depth.asks[0].quantity), (11 * USDC, 3));
		// Nothing to void: no entry, no event.
		assert_eq!(Options::void_orders(&BOB), 0);
		assert_eq!(VoidBefore::<Test>::get(BOB), None);
		// BOB buys 2 at up to 11: ALICE's ask at 10 is void (removed as a match step), so he
		// fills 2 of CHARLIE's 3 at 11.
		assert_ok!(place(BOB, req(s, Side::Buy, 11 * USDC, 2)));
		assert_eq!(cancelled(), vec![(0, ALICE, CancelReason::Voided)]);
		assert_eq!((net(s, BOB), net(s, ALICE), net(s, CHARLIE)), (2, 0, -2));
		assert_eq!(book(s, Side::Sell), vec![(4, CHARLIE, 11 * USDC, 1)]);
		// ALICE's bid at 5 is void too: a seller at 5 removes it and rests.
		assert_ok!(place(DAVE, req(s, Side::Sell, 5 * USDC, 1)));
		assert_eq!(net(s, DAVE), 0);
		assert_eq!(book(s, Side::Buy), vec![]);
		assert_eq!(book(s, Side::Sell).first().map(|o| o.0), Some(6));
		// Her remaining void orders are on the other series; the entry stays until they go.
		assert_eq!(
			AccountOrders::<Test>::get(ALICE).iter().map(|r| r.id).collect::<Vec<_>>(),
			vec![2, 3]
		);
		assert_eq!(VoidBefore::<Test>::get(ALICE), Some(5));
	});
}

#[test]
fn orders_placed_after_the_liquidation_are_not_void() {
	build_and_execute(|| {
		let (s, _) = alice_voided();
		// ALICE asks 9 after her liquidation (id 5): BOB's bid at 12 fills it first (best
		// price), then CHARLIE's at 11; her void ask at 10 is removed on the way.
		gtc(ALICE, s, Side::Sell, 9 * USDC, 1);
		assert_ok!(place(BOB, req(s, Side::Buy, 12 * USDC, 2)));
		assert_eq!((net(s, BOB), net(s, ALICE), net(s, CHARLIE)), (2, -1, -1));
		assert_eq!(cancelled(), vec![(0, ALICE, CancelReason::Voided)]);
		// A second liquidation voids the orders placed since the first.
		gtc(ALICE, s, Side::Sell, 20 * USDC, 1); // 7
		assert_eq!(Options::void_orders(&ALICE), 4);
		assert_eq!(VoidBefore::<Test>::get(ALICE), Some(8));
	});
}

#[test]
fn on_idle_removes_void_orders_within_its_items_and_weight_then_the_entry() {
	build_and_execute(|| {
		let (s, t) = alice_voided();
		let entry = db_weight().reads(3);
		// (A removal also removes a good-till index entry: a write.)
		let order = Options::cancel_weight();
		let base = <Test as Config>::WeightInfo::on_idle_base();
		// Weight for two orders (and the third's entry read only): two removed, oldest first.
		let two = base + (entry + order) * 2 + entry;
		// (And the listing rules, read last with what is left.)
		assert_eq!(Options::on_idle(1, two), base + (entry + order) * 2 + db_weight().reads(1));
		assert_eq!(
			AccountOrders::<Test>::get(ALICE).iter().map(|r| r.id).collect::<Vec<_>>(),
			vec![2, 3]
		);
		assert_eq!(
			cancelled(),
			vec![(0, ALICE, CancelReason::Voided), (1, ALICE, CancelReason::Voided)]
		);
		// Unlimited weight, `MaxIdleItems` = 3: the last two orders, then the entry.
		Options::on_idle(2, Weight::MAX);
		assert!(AccountOrders::<Test>::get(ALICE).is_empty());
		assert_eq!(VoidBefore::<Test>::get(ALICE), None);
		// Her exposure was released with the orders; CHARLIE's order is untouched.
		assert_eq!(Positions::<Test>::get(s, ALICE), None);
		assert_eq!(Positions::<Test>::get(t, ALICE), None);
		assert_eq!(book(s, Side::Sell), vec![(4, CHARLIE, 11 * USDC, 3)]);
	});
}

#[test]
fn the_owner_may_cancel_void_orders_and_on_idle_then_drops_the_entry() {
	build_and_execute(|| {
		alice_voided();
		assert_ok!(Options::cancel_all(RuntimeOrigin::signed(ALICE), None));
		assert!(AccountOrders::<Test>::get(ALICE).is_empty());
		// The good-till index walk catches up with the block (it starts at genesis' 0).
		let mut items = 10;
		Options::clear_expired_orders(Weight::MAX, Weight::zero(), &mut items);
		// The stale entry voids nothing new and costs on_idle one item's reads and a write;
		// the good-till walk reads and writes its position.
		let base = <Test as Config>::WeightInfo::on_idle_base();
		let order = Options::cancel_weight();
		assert_eq!(
			// (And the listing rules' read, first.)
			Options::on_idle(1, base + db_weight().reads(4) + order),
			base + db_weight().reads_writes(3, 1)
				+ db_weight().reads_writes(1, 1)
				+ db_weight().reads(1)
		);
		assert_eq!(VoidBefore::<Test>::get(ALICE), None);
	});
}

/// Review finding (helper-16): a maker whose only bid was voided re-quotes the same price and
/// size. Keeping the void order would leave it without a live quote (and the first taker would
/// remove it); it is replaced by a live order instead.
#[test]
fn a_requote_at_the_same_price_replaces_a_void_order() {
	build_and_execute(|| {
		let s = list(60_000, OptionKind::Call);
		let bid = || {
			let q = QuoteRequest {
				series: s,
				bid: Some(QuoteLeg { price: 5 * USDC, quantity: 1 }),
				ask: None,
			};
			let quotes: frame_support::BoundedVec<_, <Test as Config>::MaxQuoteLegs> =
				vec![q].try_into().expect("one request");
			assert_ok!(Options::quote(RuntimeOrigin::signed(ALICE), quotes));
		};
		bid(); // order 0

		// A re-quote at the same price and size keeps a live order (time priority).
		bid();
		assert_eq!(book(s, Side::Buy), vec![(0, ALICE, 5 * USDC, 1)]);
		assert_eq!(Options::void_orders(&ALICE), 1);
		bid();
		assert_eq!(cancelled(), vec![(0, ALICE, CancelReason::Requoted)]);
		assert_eq!(book(s, Side::Buy), vec![(1, ALICE, 5 * USDC, 1)]);
		// The new bid is live: a seller at 5 fills it.
		assert_ok!(place(BOB, req(s, Side::Sell, 5 * USDC, 1)));
		assert_eq!((net(s, ALICE), net(s, BOB)), (1, -1));
	});
}
