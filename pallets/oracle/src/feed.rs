//! Feeding: validation (shared by `authorize` and dispatch), the signed payload, and storing
//! submissions.

use crate::{pallet::*, types::*, weights::WeightInfo};
use alloc::vec::Vec;
use codec::Encode;
use frame_support::{
	dispatch::{DispatchResultWithPostInfo, PostDispatchInfo},
	pallet_prelude::*,
	traits::{Get, Time},
};
use frame_system::pallet_prelude::BlockNumberFor;
use optionchain_primitives::FeedEntry;
use sp_runtime::{
	traits::{Saturating, UniqueSaturatedInto, Verify, Zero},
	transaction_validity::{InvalidTransaction, TransactionValidityWithRefund, ValidTransaction},
};

impl<T: Config> Pallet<T> {
	/// The bytes an operator signs to feed `entries` for round `at`:
	/// `SCALE(FEED_CONTEXT, genesis_hash, operator, at, entries)`.
	pub fn feed_payload(
		operator: &T::AccountId,
		at: BlockNumberFor<T>,
		entries: &[FeedEntry],
	) -> Vec<u8> {
		let genesis = frame_system::Pallet::<T>::block_hash(BlockNumberFor::<T>::zero());
		(FEED_CONTEXT, genesis, operator, at, entries).encode()
	}

	/// Every check of a feed, cheapest first; the signature last.
	pub(crate) fn check_feed(
		operator: &T::AccountId,
		at: BlockNumberFor<T>,
		entries: &FeedEntriesOf<T>,
		signature: &T::OperatorSignature,
	) -> Result<(), Error<T>> {
		ensure!(!entries.is_empty(), Error::<T>::EmptyFeed);
		ensure!(entries.len() <= T::MaxFeedEntries::get() as usize, Error::<T>::TooManyEntries);
		ensure!(Operators::<T>::get().contains(operator), Error::<T>::NotOperator);

		let now = frame_system::Pallet::<T>::block_number();
		ensure!(at <= now, Error::<T>::FeedFromFuture);
		ensure!(now.saturating_sub(at) <= T::FeedLifetime::get(), Error::<T>::FeedExpired);
		if let Some(last) = LastFeeds::<T>::get(operator) {
			ensure!(last.block != now, Error::<T>::AlreadySubmitted);
			ensure!(at > last.round, Error::<T>::FeedReplayed);
		}

		for (i, e) in entries.iter().enumerate() {
			let params =
				Underlyings::<T>::get(e.underlying).ok_or(Error::<T>::UnknownUnderlying)?;
			ensure!(
				!entries.iter().take(i).any(|p| p.underlying == e.underlying),
				Error::<T>::DuplicateEntry
			);
			ensure!(!e.price.is_zero(), Error::<T>::ZeroPrice);
			ensure!(e.price <= params.max_price, Error::<T>::PriceOutOfBounds);
			ensure!(!e.volatility.is_zero(), Error::<T>::ZeroVolatility);
			ensure!(e.volatility <= params.max_volatility, Error::<T>::VolatilityOutOfBounds);
		}

		let payload = Self::feed_payload(operator, at, entries);
		ensure!(signature.verify(&payload[..], operator), Error::<T>::BadSignature);
		Ok(())
	}

	/// `#[pallet::authorize]` of [`Pallet::feed`]: the same checks as the dispatch, mapped to
	/// `InvalidTransaction`s, so that non-operators and bad feeds never reach a block.
	pub(crate) fn authorize_feed(
		_source: TransactionSource,
		operator: &T::AccountId,
		at: &BlockNumberFor<T>,
		entries: &FeedEntriesOf<T>,
		signature: &T::OperatorSignature,
	) -> TransactionValidityWithRefund {
		Self::check_feed(operator, *at, entries, signature).map_err(Self::invalid_transaction)?;
		let now = frame_system::Pallet::<T>::block_number();
		let remaining: u64 = at
			.saturating_add(T::FeedLifetime::get())
			.saturating_sub(now)
			.unique_saturated_into();
		let validity = ValidTransaction::with_tag_prefix("OracleFeed")
			.priority(T::FeedPriority::get())
			.and_provides((operator, *at))
			.longevity(remaining.saturating_add(1))
			.propagate(true)
			.build()?;
		Ok((validity, Weight::zero()))
	}

	/// Maps a feed error to the transaction-validity error the pool reports.
	pub(crate) fn invalid_transaction(e: Error<T>) -> TransactionValidityError {
		let invalid = match e {
			Error::<T>::NotOperator => InvalidTransaction::BadSigner,
			Error::<T>::BadSignature => InvalidTransaction::BadProof,
			Error::<T>::FeedFromFuture => InvalidTransaction::Future,
			Error::<T>::FeedExpired | Error::<T>::FeedReplayed | Error::<T>::AlreadySubmitted => {
				InvalidTransaction::Stale
			},
			// The pallet error index, so that clients can name the exact error.
			other => InvalidTransaction::Custom(other.encode().first().copied().unwrap_or(u8::MAX)),
		};
		invalid.into()
	}

	/// Declared weight of a feed with `n` entries: the call itself plus the aggregation of `n`
	/// underlyings with the maximum number of operators in `on_finalize` (prepaid here).
	pub(crate) fn feed_weight(n: u32) -> Weight {
		Self::feed_weight_touching(n, n)
	}

	fn feed_weight_touching(n: u32, touched: u32) -> Weight {
		let ops = T::MaxOperators::get();
		T::WeightInfo::feed(n)
			.saturating_add(
				T::WeightInfo::aggregate(touched, ops)
					.saturating_sub(T::WeightInfo::aggregate(0, ops)),
			)
			// The breaker's window reference (added after the benchmark).
			.saturating_add(T::DbWeight::get().reads_writes(1, 1).saturating_mul(touched.into()))
	}

	/// Stores a validated feed.
	pub(crate) fn do_feed(
		operator: T::AccountId,
		at: BlockNumberFor<T>,
		entries: FeedEntriesOf<T>,
		signature: T::OperatorSignature,
	) -> DispatchResultWithPostInfo {
		Self::check_feed(&operator, at, &entries, &signature)?;

		let now = frame_system::Pallet::<T>::block_number();
		let timestamp = T::Time::now();
		let block: u32 = now.unique_saturated_into();
		let mut touched = Touched::<T>::get();
		let mut newly_touched = 0u32;

		for e in entries.iter() {
			let sub = Submission {
				operator: operator.clone(),
				price: e.price,
				volatility: e.volatility,
				timestamp,
				block,
			};
			Submissions::<T>::try_mutate(e.underlying, |subs| -> DispatchResult {
				match subs.iter_mut().find(|s| s.operator == operator) {
					Some(existing) => *existing = sub,
					// At most one submission per current operator: cannot exceed the bound.
					None => subs.try_push(sub).map_err(|_| Error::<T>::TooManyOperators)?,
				}
				Ok(())
			})?;
			if !touched.contains(&e.underlying) {
				// At most one entry per registered underlying: cannot exceed the bound.
				touched.try_push(e.underlying).map_err(|_| Error::<T>::TooManyUnderlyings)?;
				newly_touched = newly_touched.saturating_add(1);
			}
		}
		if newly_touched > 0 {
			Touched::<T>::put(touched);
		}
		LastFeeds::<T>::insert(&operator, LastFeed { round: at, block: now });

		let n = entries.len() as u32;
		Self::deposit_event(Event::<T>::FeedAccepted { operator, round: at, entries: n });
		Ok(PostDispatchInfo {
			actual_weight: Some(Self::feed_weight_touching(n, newly_touched)),
			pays_fee: Pays::No,
		})
	}
}
