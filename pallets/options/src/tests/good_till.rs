//! Issue 16, item 3: good-till-block orders. `GoodTillBlock(n)` rests like good-till-cancelled
//! and never fills from block `n + 1` on; it is then removed by a taker that reaches it (a
//! match step), by a `quote` on its side, or by `on_idle`.

use crate::{mock::*, *};
use frame_support::{
	assert_noop, assert_ok,
	dispatch::GetDispatchInfo,
	traits::{GetStorageVersion, OnRuntimeUpgrade, StorageVersion},
};
use frame_support::{traits::Time, weights::Weight};
use optionchain_primitives::exchange::{Balance, Contracts, OptionKind, SeriesId, Side};

fn gtb(series: SeriesId, side: Side, price: Balance, quantity: Contracts, n: u64) -> OrderRequest {
	OrderRequest {
		time_in_force: TimeInForce::GoodTillBlock(n as u32),
		..req(series, side, price, quantity)
	}
}

#[test]
fn a_good_till_block_order_names_a_block_from_now_to_the_horizon() {
	build_and_execute(|| {
		let s = list(60_000, OptionKind::Call);
		next_block();
		let now = System::block_number();
		assert_noop!(
			place(ALICE, gtb(s, Side::Sell, 10 * USDC, 1, now - 1)).map_err(|e| e.error),
			Error::<Test>::GoodTillPassed
		);
		// The mock's MaxCancelDelay: 100 blocks.
		assert_noop!(
			place(ALICE, gtb(s, Side::Sell, 10 * USDC, 1, now + 101)).map_err(|e| e.error),
			Error::<Test>::GoodTillTooFar
		);
		// Post-only is allowed: it rests.
		let mut r = gtb(s, Side::Sell, 10 * USDC, 1, now);
		r.post_only = true;
		assert_ok!(place(ALICE, r));
		assert_ok!(place(ALICE, gtb(s, Side::Sell, 11 * USDC, 1, now + 100)));
		assert_eq!(
			Options::api_open_orders(&ALICE).iter().map(|o| o.good_till).collect::<Vec<_>>(),
			vec![Some(GoodTill::Block(now as u32)), Some(GoodTill::Block(now as u32 + 100))]
		);
	});
}

/// ALICE's two asks are good till block `now + 1`. In that block BOB lifts the first; in block
/// `now + 2` CHARLIE's bid reaches the second and fills nothing (it is removed as a step),
/// the book shows nothing, and `on_idle` drops the index entries.
#[test]
fn a_good_till_block_order_never_fills_after_its_block() {
	build_and_execute(|| {
		let s = list(60_000, OptionKind::Call);
		let now = System::block_number();
		assert_ok!(place(ALICE, gtb(s, Side::Sell, 10 * USDC, 1, now + 1))); // 0
		assert_ok!(place(ALICE, gtb(s, Side::Sell, 11 * USDC, 1, now + 1))); // 1
		let at = (now + 2) as u32;
		assert_eq!(ExpiringOrders::<Test>::get(at, 0), Some(ALICE));
		assert_eq!(ExpiringOrders::<Test>::iter().count(), 2);
		next_block();
		// Its last block: it fills (its index entry stays: a fill does not pay to remove it).
		assert_ok!(place(BOB, ioc(s, Side::Buy, 10 * USDC, 1)));
		assert_eq!(net(s, BOB), 1);
		assert_eq!(ExpiringOrders::<Test>::get(at, 0), Some(ALICE));
		next_block();
		// Past it: not shown, never filled.
		let depth = Options::api_book_depth(s, 10).expect("listed");
		assert!(depth.asks.is_empty());
		assert_ok!(place(CHARLIE, ioc(s, Side::Buy, 11 * USDC, 1)));
		assert_eq!((net(s, CHARLIE), net(s, ALICE)), (0, -1));
		assert!(reasons().contains(&(1, CancelReason::GoodTillReached)));
		assert!(book(s, Side::Sell).is_empty());
		// `on_idle` at the end of this block walks the bucket and drops both entries (order 0
		// filled, order 1 removed by Charlie's step).
		assert_eq!(ExpiringOrders::<Test>::iter().count(), 2);
		next_block();
		assert_eq!(ExpiringOrders::<Test>::iter().count(), 0);
		assert_eq!(NextExpiringBlock::<Test>::get(), at + 1);
	});
}

/// Nobody reaches ALICE's bid: `on_idle` removes it at the end of the first block past its
/// block, and releases what it reserved.
#[test]
fn on_idle_removes_a_good_till_block_order_past_its_block() {
	build_and_execute(|| {
		let s = list(60_000, OptionKind::Call);
		let now = System::block_number();
		assert_ok!(place(ALICE, gtb(s, Side::Buy, 10 * USDC, 3, now))); // 0
		assert_ok!(place(ALICE, req(s, Side::Buy, 9 * USDC, 1))); // 1, till cancelled
		next_block();
		// Block now + 1: past it, still listed until `on_idle`.
		assert_eq!(book(s, Side::Buy).len(), 2);
		assert_eq!(Options::api_book_depth(s, 10).expect("listed").bids.len(), 1);
		next_block();
		assert_eq!(book(s, Side::Buy), vec![(1, ALICE, 9 * USDC, 1)]);
		assert!(reasons().contains(&(0, CancelReason::GoodTillReached)));
		assert_eq!(
			AccountOrders::<Test>::get(ALICE).into_iter().map(|r| r.id).collect::<Vec<_>>(),
			vec![1]
		);
	});
}

/// A `quote` does not keep (trim in place) its owner's order past its good-till block: it
/// rests a new one.
#[test]
fn a_quote_replaces_an_order_past_its_good_till_block() {
	build_and_execute(|| {
		let s = list(60_000, OptionKind::Call);
		let now = System::block_number();
		assert_ok!(place(ALICE, gtb(s, Side::Sell, 10 * USDC, 2, now))); // 0
		next_block();
		let leg = QuoteLeg { price: 10 * USDC, quantity: 1 };
		let quotes = vec![QuoteRequest { series: s, bid: None, ask: Some(leg) }];
		assert_ok!(Options::quote(RuntimeOrigin::signed(ALICE), quotes.try_into().unwrap()));
		let asks = crate::Books::<Test>::get(s, Side::Sell);
		assert_eq!(asks.len(), 1);
		assert_eq!((asks[0].id, asks[0].remaining, asks[0].good_till), (1, 1, None));
		assert_ok!(place(BOB, ioc(s, Side::Buy, 10 * USDC, 1)));
		assert_eq!(net(s, BOB), 1);
	});
}

/// Nor one still live (good till a later block): a quote rests till cancelled, so a leg at the
/// same price and a smaller size replaces it (its index entry goes with it) instead of trimming
/// it in place, and the new order outlives the old one's block.
#[test]
fn a_quote_replaces_a_live_good_till_block_order_rather_than_keep_it() {
	build_and_execute(|| {
		let s = list(60_000, OptionKind::Call);
		let now = System::block_number();
		assert_ok!(place(ALICE, gtb(s, Side::Sell, 10 * USDC, 2, now + 3))); // 0
		assert_eq!(crate::ExpiringOrders::<Test>::iter().count(), 1);
		let leg = QuoteLeg { price: 10 * USDC, quantity: 1 };
		let quotes = vec![QuoteRequest { series: s, bid: None, ask: Some(leg) }];
		assert_ok!(Options::quote(RuntimeOrigin::signed(ALICE), quotes.try_into().unwrap()));
		let asks = crate::Books::<Test>::get(s, Side::Sell);
		assert_eq!(
			asks.iter().map(|o| (o.id, o.remaining, o.good_till)).collect::<Vec<_>>(),
			vec![(1, 1, None)]
		);
		assert!(reasons().contains(&(0, CancelReason::Requoted)));
		assert_eq!(crate::ExpiringOrders::<Test>::iter().count(), 0);
		// Past the old order's block the quote still fills.
		for _ in 0..4 {
			next_block();
		}
		assert_ok!(place(BOB, ioc(s, Side::Buy, 10 * USDC, 1)));
		assert_eq!(net(s, BOB), 1);
	});
}

/// A good-till-block order pays for its index entry: declared and charged.
#[test]
fn a_good_till_block_order_is_charged_its_index_entry() {
	build_and_execute(|| {
		let s = list(60_000, OptionKind::Call);
		let now = System::block_number();
		let mut gtc = req(s, Side::Sell, 10 * USDC, 1);
		gtc.post_only = true;
		let mut till = gtb(s, Side::Sell, 11 * USDC, 1, now + 5);
		till.post_only = true;
		let declared = |r: OrderRequest| {
			Call::<Test>::place_order { request: r }.get_dispatch_info().call_weight
		};
		assert_eq!(declared(till), declared(gtc) + Options::good_till_weight());
		let a = place(ALICE, gtc).unwrap().actual_weight.unwrap();
		let b = place(ALICE, till).unwrap().actual_weight.unwrap();
		assert_eq!(b, a + Options::good_till_weight());
		// A queued (may take) order too.
		let q = |r: OrderRequest| Options::queued_order_weight(budget(1, &[], 1), &r);
		assert_eq!(
			q(gtb(s, Side::Buy, USDC, 1, now + 5)),
			q(req(s, Side::Buy, USDC, 1)) + Options::good_till_weight()
		);
	});
}

/// An index entry goes with its order when its owner takes it out of the book (helper-29's
/// finding: entries left behind by replaced orders could be piled up, one transaction each, to
/// hold back the removal of others'): cancelled, replaced, requoted.
#[test]
fn an_index_entry_goes_with_its_order() {
	build_and_execute(|| {
		let s = list(60_000, OptionKind::Call);
		let now = System::block_number();
		let post = |mut r: OrderRequest| {
			r.post_only = true;
			r
		};
		assert_ok!(place(ALICE, post(gtb(s, Side::Sell, 10 * USDC, 1, now + 5)))); // 0
		assert_ok!(Options::cancel_order(RuntimeOrigin::signed(ALICE), 0));
		assert_eq!(ExpiringOrders::<Test>::iter().count(), 0);
		assert_ok!(place(ALICE, post(gtb(s, Side::Sell, 10 * USDC, 1, now + 5)))); // 1
		for id in 1..4u64 {
			assert_ok!(Options::replace_order(
				RuntimeOrigin::signed(ALICE),
				id,
				post(gtb(s, Side::Sell, 10 * USDC, 1, now + 5))
			));
		}
		assert_eq!(
			ExpiringOrders::<Test>::iter().map(|(at, id, _)| (at, id)).collect::<Vec<_>>(),
			vec![(now as u32 + 6, 4)]
		);
		let leg = QuoteLeg { price: 11 * USDC, quantity: 1 };
		let quotes = vec![QuoteRequest { series: s, bid: None, ask: Some(leg) }];
		assert_ok!(Options::quote(RuntimeOrigin::signed(ALICE), quotes.try_into().unwrap()));
		assert_eq!(ExpiringOrders::<Test>::iter().count(), 0);
	});
}

/// A post-only order and a quote leg may cross an order past its good-till block (it never
/// fills again), and the book's live orders stay uncrossed.
#[test]
fn an_order_past_its_block_does_not_block_post_only_orders_or_quotes() {
	build_and_execute(|| {
		let s = list(60_000, OptionKind::Call);
		let now = System::block_number();
		assert_ok!(place(ALICE, gtb(s, Side::Sell, 10 * USDC, 1, now))); // 0
		next_block();
		let mut r = req(s, Side::Buy, 10 * USDC, 1);
		r.post_only = true;
		assert_ok!(place(BOB, r));
		let leg = QuoteLeg { price: 11 * USDC, quantity: 1 };
		let quotes = vec![QuoteRequest { series: s, bid: Some(leg), ask: None }];
		assert_ok!(Options::quote(RuntimeOrigin::signed(CHARLIE), quotes.try_into().unwrap()));
		assert_eq!(book(s, Side::Buy).len(), 2);
	});
}

/// The walk takes one live order per item: with fewer items than orders in a bucket it stops
/// inside the bucket and goes on from there next time; a filled order's entry costs no item
/// and no cancellation.
#[test]
fn the_walk_stops_within_its_items_and_resumes_the_bucket() {
	use frame_support::weights::Weight;
	build_and_execute(|| {
		let s = list(60_000, OptionKind::Call);
		let now = System::block_number();
		for (i, who) in [ALICE, BOB, CHARLIE].into_iter().enumerate() {
			let mut r = gtb(s, Side::Sell, (10 + i as u128) * USDC, 1, now);
			r.post_only = true;
			assert_ok!(place(who, r));
		}
		// Alice's is filled in its block: its entry stays.
		assert_ok!(place(EVE, ioc(s, Side::Buy, 10 * USDC, 1)));
		// Past the bucket's block: walk it by hand, one item, then more. Alice's stale entry
		// costs no item (wherever it comes in the bucket).
		System::set_block_number(now + 1);
		let at = now as u32 + 1;
		let mut items = 1;
		Options::clear_expired_orders(Weight::MAX, Weight::zero(), &mut items);
		assert_eq!(items, 0);
		assert_eq!(book(s, Side::Sell).len(), 1);
		assert!(ExpiringOrders::<Test>::iter_prefix(at).count() >= 1);
		assert_eq!(NextExpiringBlock::<Test>::get(), at);
		let mut items = 10;
		Options::clear_expired_orders(Weight::MAX, Weight::zero(), &mut items);
		assert_eq!(items, 9);
		assert_eq!(ExpiringOrders::<Test>::iter().count(), 0);
		assert_eq!(NextExpiringBlock::<Test>::get(), at + 1);
		assert!(book(s, Side::Sell).is_empty());
		let removed = reasons()
			.into_iter()
			.filter(|(_, r)| *r == CancelReason::GoodTillReached)
			.count();
		assert_eq!(removed, 2);
	});
}

/// Storage v1 -> v2: every resting order gains `good_till: None`; nothing else changes.
#[test]
fn migration_v2_carries_every_resting_order_over_as_good_till_cancelled() {
	use crate::migrations::v2::{self, BookOrderV1, MigrateV1ToV2};
	build_and_execute(|| {
		let s = list(60_000, OptionKind::Call);
		gtc(ALICE, s, Side::Buy, 10 * USDC, 1); // 0
		gtc(BOB, s, Side::Buy, 10 * USDC, 2); // 1
		gtc(ALICE, s, Side::Sell, 30 * USDC, 1); // 2
		let before: Vec<_> = [Side::Buy, Side::Sell].map(|side| book(s, side)).to_vec();
		// As v1 stored them.
		for side in [Side::Buy, Side::Sell] {
			let old: Vec<BookOrderV1<u64>> = crate::Books::<Test>::get(s, side)
				.into_iter()
				.map(|o| BookOrderV1 {
					id: o.id,
					owner: o.owner,
					price: o.price,
					remaining: o.remaining,
					reduce_only: o.reduce_only,
				})
				.collect();
			v2::Books::<Test>::insert(s, side, frame_support::BoundedVec::truncate_from(old));
		}
		StorageVersion::new(1).put::<Options>();
		// (With try-runtime: the migration's own checks before and after.)
		#[cfg(feature = "try-runtime")]
		let state = <v2::UncheckedMigrateV1ToV2<Test> as frame_support::traits::UncheckedOnRuntimeUpgrade>::pre_upgrade()
			.expect("pre_upgrade");
		MigrateV1ToV2::<Test>::on_runtime_upgrade();
		#[cfg(feature = "try-runtime")]
		<v2::UncheckedMigrateV1ToV2<Test> as frame_support::traits::UncheckedOnRuntimeUpgrade>::post_upgrade(state)
			.expect("post_upgrade");
		assert_eq!(Options::on_chain_storage_version(), StorageVersion::new(2));
		// (v2's layout: v3 reads it as the runtime's list runs them.)
		crate::migrations::v3::MigrateV2ToV3::<Test>::on_runtime_upgrade();
		let after: Vec<_> = [Side::Buy, Side::Sell].map(|side| book(s, side)).to_vec();
		assert_eq!(after, before);
		assert!(crate::Books::<Test>::iter_values().flatten().all(|o| o.good_till.is_none()));
		// Runs once; the orders still trade.
		MigrateV1ToV2::<Test>::on_runtime_upgrade();
		assert_eq!(Options::on_chain_storage_version(), StorageVersion::new(3));
		assert_ok!(place(CHARLIE, ioc(s, Side::Sell, 10 * USDC, 3)));
		assert_eq!(net(s, CHARLIE), -3);
	});
}

/// Storage v2 -> v3: a good-till block becomes `GoodTill::Block`; book sides are put in
/// price-then-id order and order lists in id order (a queued order used to be appended after
/// newer post-only orders of its block).
#[test]
fn migration_v3_keeps_good_till_blocks_and_sorts_books_and_lists() {
	use crate::migrations::v3::{self, BookOrderV2, MigrateV2ToV3};
	build_and_execute(|| {
		let s = list(60_000, OptionKind::Call);
		let now = System::block_number() as u32;
		assert_ok!(place(ALICE, gtb(s, Side::Sell, 30 * USDC, 1, now as u64 + 5))); // 0
		gtc(BOB, s, Side::Sell, 30 * USDC, 2); // 1
		gtc(ALICE, s, Side::Sell, 20 * USDC, 1); // 2
		let expected = book(s, Side::Sell);
		let lists = AccountOrders::<Test>::get(ALICE);
		// As v2 stored them, out of order: the two orders at 30 swapped, Alice's list reversed.
		let v2_order = |o: &BookOrder<u64>| BookOrderV2 {
			id: o.id,
			owner: o.owner,
			price: o.price,
			remaining: o.remaining,
			reduce_only: o.reduce_only,
			good_till: match o.good_till {
				Some(GoodTill::Block(n)) => Some(n),
				_ => None,
			},
		};
		let mut old: Vec<BookOrderV2<u64>> =
			crate::Books::<Test>::get(s, Side::Sell).iter().map(v2_order).collect();
		assert_eq!(old.iter().map(|o| o.id).collect::<Vec<_>>(), vec![2, 0, 1]);
		old.swap(1, 2);
		v3::Books::<Test>::insert(s, Side::Sell, frame_support::BoundedVec::truncate_from(old));
		let mut reversed = lists.clone().into_inner();
		reversed.reverse();
		AccountOrders::<Test>::insert(ALICE, frame_support::BoundedVec::truncate_from(reversed));
		StorageVersion::new(2).put::<Options>();
		#[cfg(feature = "try-runtime")]
		let state = <v3::UncheckedMigrateV2ToV3<Test> as frame_support::traits::UncheckedOnRuntimeUpgrade>::pre_upgrade()
			.expect("pre_upgrade");
		MigrateV2ToV3::<Test>::on_runtime_upgrade();
		#[cfg(feature = "try-runtime")]
		<v3::UncheckedMigrateV2ToV3<Test> as frame_support::traits::UncheckedOnRuntimeUpgrade>::post_upgrade(state)
			.expect("post_upgrade");
		assert_eq!(Options::on_chain_storage_version(), StorageVersion::new(3));
		assert_eq!(book(s, Side::Sell), expected);
		assert_eq!(
			crate::Books::<Test>::get(s, Side::Sell)
				.iter()
				.find(|o| o.id == 0)
				.and_then(|o| o.good_till),
			Some(GoodTill::Block(now + 5))
		);
		assert_eq!(AccountOrders::<Test>::get(ALICE), lists);
		// Runs once; the orders still trade in priority (Alice's 20, then hers at 30 before
		// Bob's).
		MigrateV2ToV3::<Test>::on_runtime_upgrade();
		assert_ok!(place(CHARLIE, ioc(s, Side::Buy, 30 * USDC, 2)));
		assert_eq!((net(s, ALICE), net(s, BOB)), (-2, 0));
	});
}

fn gtt(series: SeriesId, side: Side, price: Balance, quantity: Contracts, t: u64) -> OrderRequest {
	OrderRequest {
		time_in_force: TimeInForce::GoodTillTime(t),
		..req(series, side, price, quantity)
	}
}

/// Good-till-time orders: an order good till `t` fills in a block stamped `t` or earlier and
/// never later. It is indexed for removal under the first block surely past `t` (the mock's
/// blocks are at least 6 s apart): here block 3.
#[test]
fn a_good_till_time_order_never_fills_after_its_time() {
	build_and_execute(|| {
		let s = list(60_000, OptionKind::Call);
		let t = T0 + BLOCK_MS; // block 2's timestamp
		let mut r = gtt(s, Side::Sell, 10 * USDC, 3, t);
		r.post_only = true;
		assert_ok!(place(ALICE, r)); // 0
		let order = crate::Books::<Test>::get(s, Side::Sell)[0].clone();
		assert_eq!(order.good_till, Some(GoodTill::Time { until: t, removal_block: 3 }));
		assert_eq!(crate::ExpiringOrders::<Test>::get(3, 0), Some(ALICE));
		// Block 2 (stamped t): it fills.
		next_block();
		assert_ok!(place(BOB, ioc(s, Side::Buy, 10 * USDC, 1)));
		assert_eq!(net(s, BOB), 1);
		// The book API shows the state for the next block: its earliest timestamp is past t.
		assert!(Options::api_book_depth(s, 5).expect("listed").asks.is_empty());
		// Block 3: past its time. A taker that reaches it removes it and fills nothing.
		next_block_after(BLOCK_MS, Weight::zero());
		assert_ok!(place(BOB, ioc(s, Side::Buy, 10 * USDC, 1)));
		assert_eq!(net(s, BOB), 1);
		assert!(reasons().contains(&(0, CancelReason::GoodTillReached)));
		assert!(book(s, Side::Sell).is_empty());
	});
}

/// Blocks slower than the fastest rate: the order is dead from the first block past its time
/// (it never fills, the book and the best price leave it out) and `on_idle` removes it at its
/// removal block.
#[test]
fn a_good_till_time_order_is_dead_when_slow_blocks_pass_its_time_and_removed_at_its_block() {
	build_and_execute(|| {
		let s = list(60_000, OptionKind::Call);
		let t = T0 + 3 * BLOCK_MS; // removal block 1 + 3 + 1 = 5
		assert_ok!(place(ALICE, gtt(s, Side::Sell, 10 * USDC, 3, t)));
		// One slow block of 20 s: block 2 is stamped past t.
		next_block_after(20_000, Weight::MAX);
		assert!(book(s, Side::Sell).len() == 1);
		assert!(Options::api_book_depth(s, 5).expect("listed").asks.is_empty());
		// A post-only bid at its price does not take (it is dead).
		let mut bid = req(s, Side::Buy, 10 * USDC, 1);
		bid.post_only = true;
		assert_ok!(place(CHARLIE, bid));
		while System::block_number() < 5 {
			next_block();
		}
		assert!(reasons().contains(&(0, CancelReason::GoodTillReached)));
		assert!(book(s, Side::Sell).is_empty());
	});
}

/// Blocks closer than `MinBlockInterval` (the timestamp pallet forbids it; a defence only):
/// at its removal block the order is not past its time, so the walk moves its entry to the
/// next block instead of removing a live order.
#[test]
fn a_good_till_time_order_not_yet_past_at_its_removal_block_is_moved_on() {
	build_and_execute(|| {
		let s = list(60_000, OptionKind::Call);
		let t = T0 + BLOCK_MS; // removal block 3
		assert_ok!(place(ALICE, gtt(s, Side::Sell, 10 * USDC, 2, t)));
		next_block_after(1_000, Weight::MAX); // block 2 at T0 + 1 s
		next_block_after(1_000, Weight::MAX); // block 3 at T0 + 2 s: still before t
		assert_ok!(place(BOB, ioc(s, Side::Buy, 10 * USDC, 1)));
		assert_eq!(net(s, BOB), 1);
		// Block 3's walk finds it live: moved to block 4's bucket.
		next_block_after(1_000, Weight::MAX); // block 4 at T0 + 3 s
		assert_eq!(book(s, Side::Sell).len(), 1);
		assert_eq!(crate::ExpiringOrders::<Test>::get(4, 0), Some(ALICE));
		assert_eq!(crate::ExpiringOrders::<Test>::get(3, 0), None);
		next_block_after(6_000, Weight::MAX); // block 5 at T0 + 9 s: past t
		assert_eq!(crate::ExpiringOrders::<Test>::get(5, 0), Some(ALICE));
		next_block();
		assert!(book(s, Side::Sell).is_empty());
		assert!(reasons().contains(&(0, CancelReason::GoodTillReached)));
	});
}

#[test]
fn a_good_till_time_order_names_a_time_from_now_to_the_horizon_and_pays_its_entry() {
	build_and_execute(|| {
		let s = list(60_000, OptionKind::Call);
		next_block();
		let now = Timestamp::now();
		assert_noop!(
			place(ALICE, gtt(s, Side::Sell, 10 * USDC, 1, now - 1)).map_err(|e| e.error),
			Error::<Test>::GoodTillPassed
		);
		// The mock's horizon: MaxCancelDelay (100) blocks of MinBlockInterval (6 s).
		assert_noop!(
			place(ALICE, gtt(s, Side::Sell, 10 * USDC, 1, now + 600_001)).map_err(|e| e.error),
			Error::<Test>::GoodTillTooFar
		);
		let declared = |r: OrderRequest| {
			Call::<Test>::place_order { request: r }.get_dispatch_info().call_weight
		};
		let till = gtt(s, Side::Sell, 11 * USDC, 1, now + 600_000);
		let plain = req(s, Side::Sell, 11 * USDC, 1);
		assert_eq!(declared(till), declared(plain) + Options::good_till_weight());
		assert_ok!(place(ALICE, till));
		assert_eq!(
			Options::api_open_orders(&ALICE).iter().map(|o| o.good_till).collect::<Vec<_>>(),
			vec![Some(GoodTill::Time { until: now + 600_000, removal_block: 2 + 100 + 1 })]
		);
	});
}
