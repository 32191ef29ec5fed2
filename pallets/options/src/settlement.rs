//! Expiry and cash settlement: removing expired orders, fixing the per-contract payout,
//! paying positions (in `on_idle` batches and by `settle_account`), retiring settled series.

use crate::{pallet::*, types::*, weights::WeightInfo};
use frame_support::{
	dispatch::{DispatchErrorWithPostInfo, WithPostDispatchInfo},
	ensure,
	pallet_prelude::*,
	traits::Get,
};
use optionchain_primitives::{
	exchange::{Balance, Contracts, MarginAccounts, OptionKind, SeriesId, Side, SignedBalance},
	OracleProvider, Price,
};
use sp_arithmetic::{
	helpers_128bit::multiply_by_rational_with_rounding, FixedPointNumber, Rounding,
};

impl<T: Config> Pallet<T> {
	/// The series trades: listed, not expired (`SeriesExpired` otherwise).
	pub(crate) fn ensure_trading(info: &SeriesInfo) -> DispatchResult {
		ensure!(
			info.status == SeriesStatus::Trading && Self::now() < info.terms.expiry,
			Error::<T>::SeriesExpired
		);
		Ok(())
	}

	/// The settlement benchmarks pay accounts without debt and shorts that pay in full; a
	/// short whose shortfall the insurance fund advances, or a long whose payout repays its
	/// debt, also reads and writes the fund's ledger entry.
	fn settlement_margin_extra() -> Weight {
		// (And the margin pallet's hot mark of an account whose settlement lowered its money:
		// a counted map's presence and counter reads, the entry and the counter.)
		// And the account's ledger entry, which notes that it no longer holds this position
		// (a short that owes nothing has no other access of it).
		T::DbWeight::get().reads_writes(4, 4).saturating_add(T::Oracle::read_weight())
	}

	/// Weight of `settle_account` declared: the settlement, and the evaluation at the maximum
	/// portfolio of an account that was warm ([`Self::settle_account_used_weight`]).
	pub fn settle_account_weight() -> Weight {
		Self::settle_account_used_weight(true)
	}

	/// Weight of `settle_account` used: the settlement and the two reads that tell whether the
	/// account is warm (its margin entry and the block's void stamp), plus its evaluation again
	/// at the maximum portfolio if `warm` (the call returns the evaluation's real weight).
	pub fn settle_account_used_weight(warm: bool) -> Weight {
		let base = T::WeightInfo::settle_account()
			.saturating_add(Self::settlement_margin_extra())
			.saturating_add(T::DbWeight::get().reads(2));
		if warm {
			base.saturating_add(T::Margin::margin_check_weight())
		} else {
			base
		}
	}

	/// Weight of one `on_idle` settlement step.
	pub fn settle_position_weight() -> Weight {
		T::WeightInfo::settle_position().saturating_add(Self::settlement_margin_extra())
	}

	/// Settlement-asset units paid per long contract for settlement price `s`:
	/// `floor(floor(intrinsic * contract_size) * UnitsPerUsd)`, with `intrinsic = max(S - K, 0)`
	/// for calls and `max(K - S, 0)` for puts. Computed once per series and used for both
	/// sides, so longs' receipts equal shorts' payments exactly.
	pub fn payout_per_contract(
		terms: &optionchain_primitives::exchange::SeriesTerms,
		s: Price,
	) -> Result<Balance, DispatchError> {
		let (s, k) = (s.into_inner(), terms.strike.into_inner());
		let intrinsic = match terms.kind {
			OptionKind::Call => s.saturating_sub(k),
			OptionKind::Put => k.saturating_sub(s),
		};
		let one = Price::DIV;
		// USD per contract, 18 decimals, rounded down.
		let per_contract = multiply_by_rational_with_rounding(
			intrinsic,
			terms.contract_size.into_inner(),
			one,
			Rounding::Down,
		)
		.ok_or(Error::<T>::Overflow)?;
		// Settlement-asset units, rounded down.
		multiply_by_rational_with_rounding(per_contract, T::UnitsPerUsd::get(), one, Rounding::Down)
			.ok_or_else(|| Error::<T>::Overflow.into())
	}

	/// If `info` is past expiry, not yet settling and the oracle has fixed its settlement
	/// price, switch it to `Settling`. Returns the payout per contract when settling.
	pub(crate) fn ensure_settling(
		series: SeriesId,
		info: &mut SeriesInfo,
	) -> Result<Option<Balance>, DispatchError> {
		match info.status {
			SeriesStatus::Settling { payout_per_contract, .. } => Ok(Some(payout_per_contract)),
			_ if Self::now() < info.terms.expiry => Ok(None),
			_ => {
				let Some(price) =
					T::Oracle::settlement_price(info.terms.underlying, info.terms.expiry)
				else {
					return Ok(None);
				};
				let payout = Self::payout_per_contract(&info.terms, price)?;
				// Every long has a short: the short contracts to collect equal the open interest.
				info.status = SeriesStatus::Settling {
					settlement_price: price,
					payout_per_contract: payout,
					unpaid_short_contracts: info.open_interest,
				};
				Self::deposit_event(Event::SeriesSettlementStarted {
					series,
					settlement_price: price,
					payout_per_contract: payout,
				});
				Ok(Some(payout))
			},
		}
	}

	/// Settle `who`'s position in a settling series and clear it. Returns whether there was
	/// one. A short pays `|net| * payout` in (`Margin::settle_short`, collection phase); a long
	/// is paid `net * payout` out of what the shorts paid (`Margin::settle_long`), only once
	/// every short contract was collected (`ShortsBeingCollected` before).
	pub(crate) fn settle_position(
		info: &mut SeriesInfo,
		series: SeriesId,
		who: &T::AccountId,
		payout: Balance,
	) -> Result<bool, DispatchError> {
		let net = Self::net_position(series, who);
		if net == 0 {
			return Ok(false);
		}
		let SeriesStatus::Settling {
			settlement_price,
			payout_per_contract,
			unpaid_short_contracts,
		} = info.status
		else {
			return Err(Error::<T>::SettlementPriceNotFixed.into());
		};
		let contracts = Balance::from(net.unsigned_abs());
		let due = contracts.checked_mul(payout).ok_or(Error::<T>::Overflow)?;
		let signed = |x: Balance| SignedBalance::try_from(x).map_err(|_| Error::<T>::Overflow);
		let amount = if net < 0 {
			T::Margin::settle_short(who, series, due)?;
			let left = unpaid_short_contracts.checked_add(net).ok_or(Error::<T>::Overflow)?;
			ensure!(left >= 0, Error::<T>::Overflow);
			info.status = SeriesStatus::Settling {
				settlement_price,
				payout_per_contract,
				unpaid_short_contracts: left,
			};
			if left == 0 {
				SettlementCursor::<T>::remove(series);
			}
			signed(due)?.checked_neg().ok_or(Error::<T>::Overflow)?
		} else {
			ensure!(unpaid_short_contracts == 0, Error::<T>::ShortsBeingCollected);
			signed(T::Margin::settle_long(who, series, due, net, info.open_interest)?)?
		};
		Self::mutate_entry(series, who, |e| {
			e.net = 0;
			Ok(())
		})?;
		// Open interest counts the longs that are still unpaid.
		let paid_longs: Contracts = net.max(0);
		Self::apply_open_interest(
			info,
			paid_longs.checked_neg().ok_or(Error::<T>::Overflow)?,
			false,
		)?;
		Self::deposit_event(Event::PositionSettled { series, who: who.clone(), net, amount });
		Ok(true)
	}

	/// One step of `on_idle` settlement of a settling series: during collection, look at the
	/// next position entry after the cursor and settle it if it is a short; during payout,
	/// settle the first remaining entry (every entry left is a long). Returns whether there is
	/// more to do.
	fn settle_step(
		info: &mut SeriesInfo,
		series: SeriesId,
		payout: Balance,
	) -> Result<bool, DispatchError> {
		let SeriesStatus::Settling { unpaid_short_contracts, .. } = info.status else {
			return Ok(false);
		};
		if unpaid_short_contracts > 0 {
			let next = match SettlementCursor::<T>::get(series) {
				Some(k) => Positions::<T>::iter_key_prefix_from(series, k.into_inner()).next(),
				None => Positions::<T>::iter_key_prefix(series).next(),
			};
			let Some(who) = next else {
				// Unreachable (positions do not move after expiry, `try_state` checks the count):
				// start over from the first entry in the next block rather than stall, and
				// leave the rest of this block to other series.
				log::error!(target: crate::LOG_TARGET, "settling {series}: shorts left past the cursor");
				SettlementCursor::<T>::remove(series);
				return Ok(false);
			};
			let key = BoundedVec::try_from(Positions::<T>::hashed_key_for(series, &who))
				.map_err(|_| Error::<T>::Overflow)?;
			SettlementCursor::<T>::insert(series, key);
			if Self::net_position(series, &who) < 0 {
				Self::settle_position(info, series, &who, payout)?;
			}
			return Ok(true);
		}
		match Positions::<T>::iter_key_prefix(series).next() {
			// An entry without a position holds only resting orders, which are removed first.
			Some(who) => Self::settle_position(info, series, &who, payout),
			None => Ok(false),
		}
	}

	/// The permissionless `settle_account`. A settlement moves the account's money outside a
	/// fill, which makes a warm account cold: one that was warm is evaluated again (the caller
	/// pays) and stays warm if it still qualifies, so that nobody can make a warm maker's
	/// resting orders unmatchable for the takers of the block planned against it. Returns the
	/// weight used; an error is charged the settlement's weight without the evaluation.
	pub(crate) fn do_settle_account(
		who: &T::AccountId,
		series: SeriesId,
	) -> DispatchResultWithPostInfo {
		let refused = |e: DispatchError| e.with_weight(Self::settle_account_used_weight(false));
		let mut info =
			Series::<T>::get(series).ok_or_else(|| refused(Error::<T>::UnknownSeries.into()))?;
		ensure!(Self::now() >= info.terms.expiry, refused(Error::<T>::SeriesNotExpired.into()));
		let payout = Self::ensure_settling(series, &mut info)
			.map_err(refused)?
			.ok_or_else(|| refused(Error::<T>::SettlementPriceNotFixed.into()))?;
		let warm = T::Margin::is_warm_maker(who);
		ensure!(
			Self::settle_position(&mut info, series, who, payout).map_err(refused)?,
			refused(Error::<T>::NothingToSettle.into())
		);
		Self::store_or_retire(series, info);
		let mut used = Self::settle_account_used_weight(false);
		if warm {
			used = used.saturating_add(T::Margin::warm_again(who));
		}
		Ok(Some(used).into())
	}

	/// Remove up to `limit` resting orders of an expired series; returns how many. Refusing an
	/// unknown or unexpired series (before removing anything) is charged its reads only.
	pub(crate) fn do_expire_orders(
		series: SeriesId,
		limit: u32,
	) -> Result<u32, DispatchErrorWithPostInfo> {
		let refused = |e: Error<T>| e.with_weight(T::WeightInfo::expire_orders(0));
		let mut info =
			Series::<T>::get(series).ok_or_else(|| refused(Error::<T>::UnknownSeries))?;
		ensure!(Self::now() >= info.terms.expiry, refused(Error::<T>::SeriesNotExpired));
		let mut removed = 0u32;
		for side in [Side::Sell, Side::Buy] {
			if removed >= limit {
				break;
			}
			let mut book = Books::<T>::get(series, side);
			while removed < limit {
				let Some(index) = book.len().checked_sub(1) else { break };
				Self::cancel_in_book(
					&mut info,
					series,
					side,
					&mut book,
					index,
					CancelReason::Expired,
				)?;
				removed = removed.saturating_add(1);
			}
			Self::write_book(series, side, book);
		}
		if info.resting_orders == 0 && info.status == SeriesStatus::Trading {
			info.status = SeriesStatus::Expired;
			Self::deposit_event(Event::SeriesExpired { series });
		}
		Self::store_or_retire(series, info);
		Ok(removed)
	}

	/// Store `info`, or, if the series is settling and nothing is left in it (no resting
	/// order, no position), remove it for good.
	pub(crate) fn store_or_retire(series: SeriesId, info: SeriesInfo) {
		let done = matches!(info.status, SeriesStatus::Settling { .. })
			&& info.resting_orders == 0
			&& Positions::<T>::iter_key_prefix(series).next().is_none();
		if !done {
			Series::<T>::insert(series, info);
			return;
		}
		// (The collection cursor went when the last short paid in.)
		Series::<T>::remove(series);
		let t = info.terms;
		SeriesByTerms::<T>::remove((t.underlying, t.strike.into_inner(), t.expiry, t.kind));
		LiveSeries::<T>::mutate(|live| live.retain(|(_, id)| *id != series));
		let _ = Books::<T>::clear_prefix(series, 2, None);
		Self::deposit_event(Event::SeriesSettled { series });
	}

	/// `on_idle`: walk the due series (a prefix of `LiveSeries`) and, within the weight and
	/// `MaxIdleItems`, remove their resting orders, start settlement, and settle positions;
	/// then remove orders voided by liquidations and dead-man's switches
	/// ([`Self::clear_void_orders`]) and good-till-block orders past their block
	/// ([`Self::clear_expired_orders`]).
	/// Each item runs in its own storage layer: an error (logged) leaves no partial state and
	/// stops the work on that series for this block.
	pub(crate) fn do_on_idle(remaining: Weight) -> Weight {
		let mut used = T::WeightInfo::on_idle_base();
		if remaining.any_lt(used) {
			return Weight::zero();
		}
		let now = Self::now();
		let order_w = T::WeightInfo::expire_orders(1);
		let settle_w = Self::settle_position_weight();
		let mut items = T::MaxIdleItems::get();
		let fits = |used: Weight, w: Weight| used.saturating_add(w).all_lte(remaining);

		for (expiry, series) in LiveSeries::<T>::get() {
			// Nothing more fits: stop before reading the next series.
			if expiry > now || items == 0 || !(fits(used, order_w) || fits(used, settle_w)) {
				break;
			}
			// Remove resting orders, one storage layer per order.
			while let Some(info) = Series::<T>::get(series) {
				let needs = info.resting_orders > 0 || info.status == SeriesStatus::Trading;
				if !needs || items == 0 || !fits(used, order_w) {
					break;
				}
				used = used.saturating_add(order_w);
				items = items.saturating_sub(1);
				let r = frame_support::storage::with_storage_layer(|| {
					Self::do_expire_orders(series, 1)
				});
				if let Err(e) = r {
					log::error!(target: crate::LOG_TARGET, "expiring orders of {series}: {e:?}");
					break;
				}
			}
			// Settle positions.
			while items > 0 && fits(used, settle_w) {
				used = used.saturating_add(settle_w);
				items = items.saturating_sub(1);
				let r = frame_support::storage::with_storage_layer(
					|| -> Result<bool, DispatchError> {
						let Some(mut info) = Series::<T>::get(series) else { return Ok(false) };
						// Not settling yet: `info` is unchanged, nothing to write.
						let Some(payout) = Self::ensure_settling(series, &mut info)? else {
							return Ok(false);
						};
						let progressed = Self::settle_step(&mut info, series, payout)?;
						Self::store_or_retire(series, info);
						Ok(progressed)
					},
				);
				match r {
					Ok(true) => {},
					Ok(false) => break,
					Err(e) => {
						log::error!(target: crate::LOG_TARGET, "settling {series}: {e:?}");
						break;
					},
				}
			}
		}
		// Series listed by rule, after the retired ones freed their places and before the
		// clean-ups (which catch up in later blocks).
		let used = Self::list_by_rules(remaining, used, &mut items);
		let used = Self::clear_void_orders(remaining, used, &mut items);
		let used = Self::clear_mmp_orders(remaining, used, &mut items);
		Self::clear_expired_orders(remaining, used, &mut items)
	}
}
