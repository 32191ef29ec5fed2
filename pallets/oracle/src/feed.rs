//! Feeding: validation (shared by the [`crate::CheckOracleFeed`] transaction extension and the
//! dispatch) and storing submissions.

use crate::{pallet::*, types::*, weights::WeightInfo};
use frame_support::{
	dispatch::{DispatchResultWithPostInfo, PostDispatchInfo},
	pallet_prelude::*,
	traits::{Get, Time},
};
use frame_system::{
	ensure_signed,
	pallet_prelude::{BlockNumberFor, OriginFor},
};
use optionchain_primitives::Moment;
use sp_runtime::{
	traits::{Saturating, UniqueSaturatedInto, Zero},
	transaction_validity::{InvalidTransaction, ValidTransaction},
};

impl<T: Config> Pallet<T> {
	/// Whether `origin` is signed by a current operator (the feed's `feeless_if`).
	pub(crate) fn is_operator_origin(origin: &OriginFor<T>) -> bool {
		ensure_signed(origin.clone()).is_ok_and(|who| Operators::<T>::get().contains(&who))
	}

	/// Every check of a feed, cheapest first.
	pub(crate) fn check_feed(
		operator: &T::AccountId,
		at: BlockNumberFor<T>,
		observed_at: Moment,
		entries: &FeedEntriesOf<T>,
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

		Ok(())
	}

	/// The pool validity of `operator`'s feed (see [`crate::CheckOracleFeed`]): the same
	/// checks as the dispatch, mapped to `InvalidTransaction`s.
	///
	/// Priority `FeedPriority + at`, so that a newer round re-sent with the same nonce
	/// replaces a pending feed; longevity until the round expires. Tag
	/// `("OracleFeed", operator, at)`: one pending feed per operator and round, so an operator
	/// has at most `FeedLifetime + 1` feeds in the pool however many nonces it uses (free,
	/// top-priority feeds could otherwise crowd everybody else out of it). A second feed for a
	/// round already pending has the same priority and is refused (`1014: Priority is too
	/// low`).
	pub fn validate_feed(
		operator: &T::AccountId,
		at: BlockNumberFor<T>,
		observed_at: Moment,
		entries: &FeedEntriesOf<T>,
	) -> Result<ValidTransaction, TransactionValidityError> {
		Self::check_feed(operator, at, observed_at, entries).map_err(Self::invalid_transaction)?;
		let now = frame_system::Pallet::<T>::block_number();
		let remaining: u64 = at
			.saturating_add(T::FeedLifetime::get())
			.saturating_sub(now)
			.unique_saturated_into();
		let round: u64 = at.unique_saturated_into();
		ValidTransaction::with_tag_prefix("OracleFeed")
			.priority(T::FeedPriority::get().saturating_add(round))
			.and_provides((operator, at))
			.longevity(remaining.saturating_add(1))
			.propagate(true)
			.build()
	}

	/// Maps a feed error to the transaction-validity error the pool reports.
	pub(crate) fn invalid_transaction(e: Error<T>) -> TransactionValidityError {
		let invalid = match e {
			Error::<T>::NotOperator => InvalidTransaction::BadSigner,
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
	) -> DispatchResultWithPostInfo {
		Self::check_feed(&operator, at, observed_at, &entries)?;

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
