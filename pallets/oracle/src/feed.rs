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
use optionchain_primitives::{FeedEntry, Moment};
use sp_runtime::{
	traits::{Saturating, UniqueSaturatedInto, Verify, Zero},
	transaction_validity::{InvalidTransaction, TransactionValidityWithRefund, ValidTransaction},
};

impl<T: Config> Pallet<T> {
	/// The bytes an operator signs to feed `entries`, observed at `observed_at` (ms since the
	/// Unix epoch), for round `at`:
	/// `SCALE(FEED_CONTEXT, genesis_hash, spec_name, operator, at, observed_at, entries)`.
	/// The genesis hash and the runtime's `spec_name` bind the feed to this chain.
	pub fn feed_payload(
		operator: &T::AccountId,
		at: BlockNumberFor<T>,
		observed_at: Moment,
		entries: &[FeedEntry],
	) -> Vec<u8> {
		let genesis = frame_system::Pallet::<T>::block_hash(BlockNumberFor::<T>::zero());
		let version = <T as frame_system::Config>::Version::get();
		let spec_name: &str = version.spec_name.as_ref();
		(FEED_CONTEXT, genesis, spec_name.as_bytes(), operator, at, observed_at, entries).encode()
	}

	/// Every check of a feed, cheapest first; the signature last.
	pub(crate) fn check_feed(
		operator: &T::AccountId,
		at: BlockNumberFor<T>,
		observed_at: Moment,
		entries: &FeedEntriesOf<T>,
		signature: &T::OperatorSignature,
	) -> Result<(), Error<T>> {
		ensure!(!entries.is_empty(), Error::<T>::EmptyFeed);
		ensure!(entries.len() <= T::MaxFeedEntries::get() as usize, Error::<T>::TooManyEntries);
		ensure!(Operators::<T>::get().contains(operator), Error::<T>::NotOperator);

		let now = frame_system::Pallet::<T>::block_number();
		ensure!(at <= now, Error::<T>::FeedFromFuture);
		ensure!(now.saturating_sub(at) <= T::FeedLifetime::get(), Error::<T>::FeedExpired);
		// The observation's own age, whatever the block that includes it: a price observed
		// before a stall (or held back by a block author) cannot become canonical later.
		let time = T::Time::now();
		let max_age = T::MaxFeedAge::get();
		ensure!(observed_at.saturating_add(max_age) >= time, Error::<T>::FeedTooOld);
		ensure!(observed_at <= time.saturating_add(max_age), Error::<T>::ObservedInFuture);
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

		let payload = Self::feed_payload(operator, at, observed_at, entries);
		ensure!(signature.verify(&payload[..], operator), Error::<T>::BadSignature);
		Ok(())
	}

	/// `#[pallet::authorize]` of [`Pallet::feed`]: the same checks as the dispatch, mapped to
	/// `InvalidTransaction`s, so that non-operators and bad feeds never reach a block.
	pub(crate) fn authorize_feed(
		_source: TransactionSource,
		operator: &T::AccountId,
		at: &BlockNumberFor<T>,
		observed_at: &Moment,
		entries: &FeedEntriesOf<T>,
		signature: &T::OperatorSignature,
	) -> TransactionValidityWithRefund {
		Self::check_feed(operator, *at, *observed_at, entries, signature)
			.map_err(Self::invalid_transaction)?;
		let now = frame_system::Pallet::<T>::block_number();
		let remaining: u64 = at
			.saturating_add(T::FeedLifetime::get())
			.saturating_sub(now)
			.unique_saturated_into();
		// One pending feed per operator: every feed provides the tag of the operator's next
		// round, and a newer round has a higher priority, so it replaces an older one.
		let last = LastFeeds::<T>::get(operator).map(|l| l.round).unwrap_or_default();
		let round: u64 = (*at).unique_saturated_into();
		let validity = ValidTransaction::with_tag_prefix("OracleFeed")
			.priority(T::FeedPriority::get().saturating_add(round))
			.and_provides((operator, last))
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
			Error::<T>::FeedExpired
			| Error::<T>::FeedReplayed
			| Error::<T>::AlreadySubmitted
			| Error::<T>::FeedTooOld => InvalidTransaction::Stale,
			Error::<T>::ObservedInFuture => InvalidTransaction::Future,
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
		T::WeightInfo::feed(n).saturating_add(
			T::WeightInfo::aggregate(touched, ops).saturating_sub(T::WeightInfo::aggregate(0, ops)),
		)
	}

	/// Stores a validated feed.
	pub(crate) fn do_feed(
		operator: T::AccountId,
		at: BlockNumberFor<T>,
		observed_at: Moment,
		entries: FeedEntriesOf<T>,
		signature: T::OperatorSignature,
	) -> DispatchResultWithPostInfo {
		Self::check_feed(&operator, at, observed_at, &entries, &signature)?;

		let now = frame_system::Pallet::<T>::block_number();
		// Freshness counts from the observation (never from the future).
		let timestamp = observed_at.min(T::Time::now());
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
		Self::deposit_event(Event::<T>::FeedAccepted { operator, round: at, underlyings: n });
		Ok(PostDispatchInfo {
			actual_weight: Some(Self::feed_weight_touching(n, newly_touched)),
			pays_fee: Pays::No,
		})
	}
}
