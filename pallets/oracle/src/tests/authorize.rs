//! The `#[pallet::authorize]` path, through the real `frame_system::AuthorizeCall` extension.

use crate::{mock::*, weights::WeightInfo, Call, Error, Pallet};
use codec::Encode;
use frame_support::traits::Time as _;
use frame_support::{
	dispatch::{GetDispatchInfo, Pays},
	pallet_prelude::{InvalidTransaction, TransactionSource, TransactionValidityError},
	traits::Authorize,
};
use sp_runtime::{
	generic::UncheckedExtrinsic,
	testing::TestSignature,
	traits::{Applyable, Checkable},
	DispatchError,
};

type Ext = (frame_system::AuthorizeCall<Test>,);
type Xt = UncheckedExtrinsic<u64, RuntimeCall, TestSignature, Ext>;

fn feed_call(operator: u64, price: u128) -> RuntimeCall {
	let at = System::block_number();
	let e = entries(vec![entry(BTC, usd(price), pct(50))]);
	let observed_at = Timestamp::now();
	let signature = sign(operator, at, observed_at, &e);
	RuntimeCall::Oracle(Call::feed { operator, at, observed_at, entries: e, signature })
}

/// Validates and applies `call` as a general (unsigned, extension-carrying) transaction.
fn apply_general(
	call: RuntimeCall,
) -> Result<frame_support::dispatch::PostDispatchInfo, TransactionValidityError> {
	let xt = Xt::new_transaction(call, (frame_system::AuthorizeCall::<Test>::new(),));
	let info = xt.get_dispatch_info();
	let len = xt.encoded_size();
	let checked = Checkable::check(xt, &frame_system::ChainContext::<Test>::default())?;
	checked.validate::<Test>(TransactionSource::External, &info, len)?;
	let res = checked.apply::<Test>(&info, len)?;
	Ok(res.unwrap_or_else(|e| e.post_info))
}

#[test]
fn operator_feed_is_valid_and_feeless() {
	build_and_execute(|| {
		let call = feed_call(ALICE, 100);
		let Some(Ok((valid, refund))) = call.authorize(TransactionSource::External) else {
			panic!("operator feed must be authorized");
		};
		// Priority grows with the round; the tag is the operator's next round (none yet: 0).
		assert_eq!(valid.priority, FeedPriority::get() + 1);
		assert_eq!(valid.provides, vec![("OracleFeed", (ALICE, 0u64)).encode()]);
		// at = 1, FeedLifetime = 5: includable in blocks 1..=6.
		assert_eq!(valid.longevity, 6);
		assert_eq!(refund, frame_support::weights::Weight::zero());
		assert_eq!(
			frame_support::traits::Authorize::weight_of_authorize(&call),
			<() as WeightInfo>::authorize_feed(1)
		);

		// Through the extension: origin becomes `Authorized`, no signer, so no payer; the call
		// reports `Pays::No`.
		let post = apply_general(call).expect("valid general transaction");
		assert_eq!(post.pays_fee, Pays::No);
		assert_eq!(
			post.actual_weight.map(|w| w
				.all_lte(Pallet::<Test>::feed_weight(1) + <() as WeightInfo>::authorize_feed(1))),
			Some(true)
		);
		assert_eq!(crate::Submissions::<Test>::get(BTC).len(), 1);
	});
}

#[test]
fn non_operator_is_rejected_at_validation() {
	build_and_execute(|| {
		let call = feed_call(DAVE, 100);
		assert_eq!(
			call.authorize(TransactionSource::External),
			Some(Err(InvalidTransaction::BadSigner.into()))
		);
		assert_eq!(apply_general(call), Err(InvalidTransaction::BadSigner.into()));
		assert!(crate::Submissions::<Test>::get(BTC).is_empty());
	});
}

#[test]
fn bad_feeds_are_rejected_at_validation() {
	build_and_execute(|| {
		// Signature of Bob for Alice's feed.
		let at = System::block_number();
		let e = entries(vec![entry(BTC, usd(100), pct(50))]);
		let now = Timestamp::now();
		let forged = RuntimeCall::Oracle(Call::feed {
			operator: ALICE,
			at,
			observed_at: now,
			entries: e.clone(),
			signature: sign(BOB, at, now, &e),
		});
		assert_eq!(apply_general(forged), Err(InvalidTransaction::BadProof.into()));

		// Zero price: custom code = index of the pallet error.
		let zero = {
			let e = entries(vec![entry(BTC, usd(0), pct(50))]);
			RuntimeCall::Oracle(Call::feed {
				operator: ALICE,
				at,
				observed_at: now,
				signature: sign(ALICE, at, now, &e),
				entries: e,
			})
		};
		let code = Error::<Test>::ZeroPrice.encode()[0];
		assert_eq!(apply_general(zero), Err(InvalidTransaction::Custom(code).into()));

		// Second feed of the same operator in the same block: stale.
		apply_general(feed_call(ALICE, 100)).unwrap();
		assert_eq!(apply_general(feed_call(ALICE, 101)), Err(InvalidTransaction::Stale.into()));
	});
}

#[test]
fn signed_origin_cannot_feed() {
	build_and_execute(|| {
		let RuntimeCall::Oracle(Call::feed { operator, at, observed_at, entries, signature }) =
			feed_call(ALICE, 100)
		else {
			unreachable!()
		};
		assert_eq!(
			Oracle::feed(
				RuntimeOrigin::signed(ALICE),
				operator,
				at,
				observed_at,
				entries,
				signature
			)
			.map_err(|e| e.error),
			Err(DispatchError::BadOrigin)
		);
	});
}
