//! [`CheckOracleFeed`]: the transaction extension that lets an oracle feed into the pool, and
//! into a block, only when it is signed by an operator and passes every check of the feed.

use crate::{pallet::*, weights::WeightInfo};
use codec::{Decode, DecodeWithMemTracking, Encode};
use core::marker::PhantomData;
use frame_support::{
	dispatch::DispatchInfo,
	pallet_prelude::{TransactionSource, TypeInfo, Weight},
	traits::IsSubType,
	CloneNoBound, DebugNoBound, DefaultNoBound, EqNoBound, PartialEqNoBound,
};
use sp_runtime::{
	impl_tx_ext_default,
	traits::{
		AsSystemOriginSigner, DispatchInfoOf, Dispatchable, Implication, TransactionExtension,
		ValidateResult,
	},
	transaction_validity::InvalidTransaction,
};

/// Admits `Oracle::feed` only from an operator, with a valid feed, and gives it the feed
/// priority (`FeedPriority` plus the round). Every other call passes untouched.
///
/// Put it in the runtime's transaction extensions (before the payment extension, for
/// readability: every extension validates before any of them charges). A feed that fails here
/// (a non-operator, a replayed or expired round, a second feed in the same block, a bad entry) is
/// refused at submission and cannot be included by a block author: nothing is charged, no nonce
/// is used. The extension carries no bytes.
///
/// Only the outer call is seen: a feed wrapped in a proxy or batch call is neither checked here
/// nor feeless (it pays like any call), and its dispatch still refuses a non-operator.
#[derive(
	Encode,
	Decode,
	DecodeWithMemTracking,
	CloneNoBound,
	EqNoBound,
	PartialEqNoBound,
	DefaultNoBound,
	DebugNoBound,
	TypeInfo,
)]
#[scale_info(skip_type_params(T))]
pub struct CheckOracleFeed<T>(PhantomData<T>);

impl<T> CheckOracleFeed<T> {
	/// The extension (it has no parameters).
	pub fn new() -> Self {
		Self(PhantomData)
	}
}

impl<T: Config + Send + Sync> TransactionExtension<T::RuntimeCall> for CheckOracleFeed<T>
where
	T::RuntimeCall: Dispatchable<Info = DispatchInfo> + IsSubType<Call<T>>,
	<T::RuntimeCall as Dispatchable>::RuntimeOrigin: AsSystemOriginSigner<T::AccountId> + Clone,
{
	const IDENTIFIER: &'static str = "CheckOracleFeed";
	type Implicit = ();
	type Val = ();
	type Pre = ();

	/// The feed's checks, for feeds; nothing for other calls.
	fn weight(&self, call: &T::RuntimeCall) -> Weight {
		match call.is_sub_type() {
			Some(Call::feed { entries, .. }) => T::WeightInfo::validate_feed(entries.len() as u32),
			_ => Weight::zero(),
		}
	}

	fn validate(
		&self,
		origin: <T::RuntimeCall as Dispatchable>::RuntimeOrigin,
		call: &T::RuntimeCall,
		_info: &DispatchInfoOf<T::RuntimeCall>,
		_len: usize,
		_self_implicit: Self::Implicit,
		_inherited_implication: &impl Implication,
		_source: TransactionSource,
	) -> ValidateResult<Self::Val, T::RuntimeCall> {
		let Some(Call::feed { at, observed_at, entries }) = call.is_sub_type() else {
			return Ok((Default::default(), (), origin));
		};
		// Unsigned or general (no signer): nobody to be an operator.
		let who = origin.as_system_origin_signer().ok_or(InvalidTransaction::BadSigner)?;
		let validity = Pallet::<T>::validate_feed(who, *at, *observed_at, entries)?;
		Ok((validity, (), origin))
	}

	impl_tx_ext_default!(T::RuntimeCall; prepare);
}
