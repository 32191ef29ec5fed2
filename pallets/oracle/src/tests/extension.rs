//! Feeds as ordinary signed extrinsics: the `CheckOracleFeed` transaction extension (pool and
//! block admission, priority), the call's `feeless_if` and its dispatch class, through the same
//! `Applyable` path a block takes.

use crate::{mock::*, weights::WeightInfo, Call, CheckOracleFeed, Error, Pallet};
use codec::Encode;
use frame_support::{
	dispatch::{CheckIfFeeless, DispatchClass, GetDispatchInfo, Pays},
	pallet_prelude::{InvalidTransaction, TransactionSource, TransactionValidityError},
	traits::Time as _,
};
use frame_system::RawOrigin;
use sp_runtime::{
	generic::{CheckedExtrinsic, ExtrinsicFormat},
	traits::{Applyable, ExtensionVariant, TransactionExtension},
	transaction_validity::ValidTransaction,
};

type Ext = (CheckOracleFeed<Test>,);
type Checked = CheckedExtrinsic<u64, RuntimeCall, Ext>;

fn ext() -> Ext {
	(CheckOracleFeed::<Test>::new(),)
}

/// A feed of BTC at `price` for round `at`, observed now.
fn feed_call_at(at: u64, price: u128) -> RuntimeCall {
	RuntimeCall::Oracle(Call::feed {
		at,
		observed_at: Timestamp::now(),
		entries: entries(vec![entry(BTC, usd(price), pct(50))]),
	})
}

fn feed_call(price: u128) -> RuntimeCall {
	feed_call_at(System::block_number(), price)
}

fn signed(who: u64, call: RuntimeCall) -> Checked {
	CheckedExtrinsic { format: ExtrinsicFormat::Signed(who, ext()), function: call }
}

/// Validates `xt` as the pool does.
fn validate(xt: &Checked) -> Result<ValidTransaction, TransactionValidityError> {
	let info = xt.function.get_dispatch_info();
	xt.validate::<Test>(TransactionSource::External, &info, 100)
}

/// Applies `xt` as a block does (validation again, then dispatch).
fn apply(
	xt: Checked,
) -> Result<frame_support::dispatch::PostDispatchInfo, TransactionValidityError> {
	let info = xt.function.get_dispatch_info();
	let res = xt.apply::<Test>(&info, 100)?;
	Ok(res.unwrap_or_else(|e| e.post_info))
}

#[test]
fn an_operator_feed_is_valid_with_the_feed_priority_and_applies_free() {
	build_and_execute(|| {
		let xt = signed(ALICE, feed_call(100));
		let valid = validate(&xt).expect("an operator's feed is valid");
		// Round 1: FeedPriority + 1; one pending feed per operator and round. at = 1,
		// FeedLifetime = 5: includable in blocks 1..=6.
		assert_eq!(valid.priority, FeedPriority::get() + 1);
		assert_eq!(valid.provides, vec![("OracleFeed", (ALICE, 1u64)).encode()]);
		assert!(valid.requires.is_empty());
		assert_eq!(valid.longevity, 6);
		assert!(valid.propagate);
		assert_eq!(ext().weight(&xt.function), <() as WeightInfo>::validate_feed(1));

		let post = apply(xt).expect("valid in a block");
		assert_eq!(post.pays_fee, Pays::No);
		assert!(post.actual_weight.is_some_and(|w| w.all_lte(Pallet::<Test>::feed_weight(1))));
		assert_eq!(crate::Submissions::<Test>::get(BTC).len(), 1);
		assert_eq!(
			oracle_events().last(),
			Some(&crate::Event::FeedAccepted { operator: ALICE, round: 1, underlyings: 1 })
		);
	});
}

#[test]
fn a_non_operator_feed_is_refused_at_the_pool_and_in_a_block() {
	build_and_execute(|| {
		let xt = signed(DAVE, feed_call(100));
		assert_eq!(validate(&xt), Err(InvalidTransaction::BadSigner.into()));
		assert_eq!(apply(xt), Err(InvalidTransaction::BadSigner.into()));
		assert!(crate::Submissions::<Test>::get(BTC).is_empty());
		assert!(oracle_events().is_empty());
	});
}

#[test]
fn a_feed_without_a_signer_is_refused() {
	build_and_execute(|| {
		// A general transaction (extrinsic v5 with extensions, no signer): origin None.
		let general = Checked {
			format: ExtrinsicFormat::General(ExtensionVariant::V0(ext())),
			function: feed_call(100),
		};
		assert_eq!(validate(&general), Err(InvalidTransaction::BadSigner.into()));
		assert_eq!(apply(general), Err(InvalidTransaction::BadSigner.into()));
		// A bare (unsigned) extrinsic: the oracle validates nothing unsigned.
		let bare = Checked { format: ExtrinsicFormat::Bare, function: feed_call(100) };
		assert!(validate(&bare).is_err());
		assert!(crate::Submissions::<Test>::get(BTC).is_empty());
	});
}

#[test]
fn bad_feeds_are_refused_with_the_pool_error_that_names_them() {
	build_and_execute(|| {
		let zero = signed(ALICE, feed_call(0));
		// Custom code = index of the pallet error, which clients decode from the metadata.
		let code = Error::<Test>::ZeroPrice.encode()[0];
		assert_eq!(validate(&zero), Err(InvalidTransaction::Custom(code).into()));
		// A round in the future.
		assert_eq!(
			validate(&signed(ALICE, feed_call_at(2, 100))),
			Err(InvalidTransaction::Future.into())
		);

		// Applied once; a second feed in the same block, then a replayed round, are stale.
		apply(signed(ALICE, feed_call(100))).expect("first feed");
		assert_eq!(apply(signed(ALICE, feed_call(101))), Err(InvalidTransaction::Stale.into()));
		next_block();
		assert_eq!(
			validate(&signed(ALICE, feed_call_at(1, 100))),
			Err(InvalidTransaction::Stale.into())
		);
		// Round 2 in block 2 is fine; a round more than FeedLifetime (5) blocks old is stale.
		assert!(validate(&signed(ALICE, feed_call_at(2, 100))).is_ok());
		for _ in 0..6 {
			next_block();
		}
		assert_eq!(System::block_number(), 8);
		assert_eq!(
			validate(&signed(BOB, feed_call_at(2, 100))),
			Err(InvalidTransaction::Stale.into())
		);
		assert!(validate(&signed(BOB, feed_call_at(3, 100))).is_ok());
	});
}

#[test]
fn a_newer_round_sent_with_the_same_nonce_outranks_the_pending_one() {
	build_and_execute(|| {
		next_block();
		let old = validate(&signed(ALICE, feed_call_at(1, 100))).unwrap();
		let new = validate(&signed(ALICE, feed_call_at(2, 100))).unwrap();
		// The pool replaces a transaction with the same tags (here the nonce's) by one of
		// higher priority; feeds of one round share a tag (at most one of them pending), feeds
		// of different rounds do not.
		assert_eq!(new.priority, old.priority + 1);
		assert_eq!(old.provides, vec![("OracleFeed", (ALICE, 1u64)).encode()]);
		assert_eq!(new.provides, vec![("OracleFeed", (ALICE, 2u64)).encode()]);
		let again = validate(&signed(ALICE, feed_call_at(2, 101))).unwrap();
		assert_eq!((again.provides, again.priority), (new.provides, new.priority));
	});
}

#[test]
fn feeds_are_feeless_only_for_operators_and_operational() {
	build_and_execute(|| {
		let call = feed_call(100);
		assert!(call.is_feeless(&RuntimeOrigin::signed(ALICE)));
		assert!(!call.is_feeless(&RuntimeOrigin::signed(DAVE)));
		assert!(!call.is_feeless(&RuntimeOrigin::none()));
		assert_eq!(call.get_dispatch_info().class, DispatchClass::Operational);
		// The static fee flag stays `Yes`: only the operator's path is free.
		assert_eq!(call.get_dispatch_info().pays_fee, Pays::Yes);

		assert_ok_remove(ALICE);
		assert!(!call.is_feeless(&RuntimeOrigin::signed(ALICE)));
		assert_eq!(validate(&signed(ALICE, call)), Err(InvalidTransaction::BadSigner.into()));
	});
}

fn assert_ok_remove(who: u64) {
	frame_support::assert_ok!(crate::Pallet::<Test>::remove_operator(RawOrigin::Root.into(), who));
}

#[test]
fn other_calls_pass_the_extension_untouched() {
	build_and_execute(|| {
		let remark = RuntimeCall::System(frame_system::Call::remark { remark: vec![1] });
		assert_eq!(validate(&signed(DAVE, remark.clone())), Ok(ValidTransaction::default()));
		assert_eq!(ext().weight(&remark), frame_support::weights::Weight::zero());
		assert!(apply(signed(DAVE, remark)).is_ok());
	});
}
