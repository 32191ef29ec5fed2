//! Series listed by rule (issue 18): per underlying, governance sets a calendar of expiries
//! (`interval`, `offset`) and a strike grid (`strikes_each_side`, `strike_step`); `on_idle`
//! keeps the next `expiries` expiries listed, each centred on the index price of the block
//! that lists it. Expired series settle and retire as any series does (`settlement.rs`).
//!
//! Bounded work: one read of the rules per `on_idle`; at most one expiry per rule per block,
//! listed whole (a call and a put per strike, each charged as the `list_series` extrinsic) or
//! not at all, only when the weight and `MaxIdleItems` left cover all of it.

use crate::{pallet::*, types::*, weights::WeightInfo};
use frame_support::{pallet_prelude::*, traits::Get};
use optionchain_primitives::{
	exchange::OptionKind, Moment, OracleProvider, Price, PriceStatus, UnderlyingId,
};

/// Most listing rules (one per underlying).
pub const MAX_LISTING_RULES: u32 = 16;
/// Most expiries a rule keeps listed.
pub const MAX_RULE_EXPIRIES: u32 = 8;
/// Most strikes on each side of the at-the-money strike.
pub const MAX_RULE_STRIKES: u32 = 10;
/// Shortest interval between a rule's expiries: one minute, in milliseconds.
pub const MIN_RULE_INTERVAL: Moment = 60_000;

impl ListingRule {
	/// Series of one expiry: a call and a put at each of the `2 n + 1` strikes.
	pub fn series_per_expiry(&self) -> u32 {
		self.strikes_each_side.saturating_mul(2).saturating_add(1).saturating_mul(2)
	}

	/// Series the rule keeps listed at most (its board).
	pub fn board(&self) -> u32 {
		self.series_per_expiry().saturating_mul(self.expiries)
	}

	/// The first expiry of the calendar strictly after `after` (ms since the Unix epoch).
	pub fn next_expiry(&self, after: Moment) -> Option<Moment> {
		let k = after.saturating_sub(self.offset) / self.interval;
		k.checked_add(1)?.checked_mul(self.interval)?.checked_add(self.offset)
	}
}

impl<T: Config> Pallet<T> {
	/// Check `rule` for `underlying` against the underlying's configuration and the other
	/// rules (`others`: the rules of the other underlyings).
	pub(crate) fn validate_listing_rule(
		underlying: UnderlyingId,
		rule: &ListingRule,
		others: impl Iterator<Item = ListingRule>,
	) -> DispatchResult {
		let cfg =
			UnderlyingConfigs::<T>::get(underlying).ok_or(Error::<T>::UnderlyingNotConfigured)?;
		ensure!(rule.interval >= MIN_RULE_INTERVAL, Error::<T>::ListingIntervalTooShort);
		ensure!(rule.offset < rule.interval, Error::<T>::ListingOffsetTooLarge);
		ensure!(
			(1..=MAX_RULE_EXPIRIES).contains(&rule.expiries),
			Error::<T>::ListingExpiriesOutOfRange
		);
		ensure!(rule.strikes_each_side <= MAX_RULE_STRIKES, Error::<T>::ListingStrikesOutOfRange);
		let (step, tick) = (rule.strike_step.into_inner(), cfg.strike_tick.into_inner());
		ensure!(
			step > 0 && tick > 0 && step.is_multiple_of(tick),
			Error::<T>::ListingStrikeStepInvalid
		);
		let ahead = rule.interval.checked_mul(Moment::from(rule.expiries));
		ensure!(
			ahead.is_some_and(|a| a <= T::MaxExpiryHorizon::get()),
			Error::<T>::ListingHorizonTooFar
		);
		ensure!(ahead.is_some_and(|a| rule.min_lead < a), Error::<T>::ListingLeadTooLong);
		let boards = others.fold(rule.board(), |sum, r| sum.saturating_add(r.board()));
		ensure!(boards <= T::MaxLiveSeries::get() / 2, Error::<T>::ListingBoardTooLarge);
		Ok(())
	}

	/// `set_listing_rule`: validate and store (or remove) the rule of `underlying`. A new or
	/// changed rule starts from the next expiry of its calendar after the current time.
	pub fn do_set_listing_rule(
		underlying: UnderlyingId,
		rule: Option<ListingRule>,
	) -> DispatchResult {
		let mut rules = ListingRules::<T>::get();
		let at = rules.partition_point(|(u, _, _)| *u < underlying);
		let exists = rules.get(at).is_some_and(|(u, _, _)| *u == underlying);
		match rule {
			Some(r) => {
				let others = rules.iter().filter(|(u, _, _)| *u != underlying).map(|(_, r, _)| *r);
				Self::validate_listing_rule(underlying, &r, others)?;
				let now = Self::now();
				match rules.get_mut(at).filter(|(u, _, _)| *u == underlying) {
					// The same calendar: the expiries dealt with stay dealt with (a changed
					// grid applies from the next expiry on).
					Some(e) if e.1.interval == r.interval && e.1.offset == r.offset => {
						*e = (underlying, r, e.2.max(now))
					},
					// A new calendar lists from the next expiry after now on.
					Some(e) => *e = (underlying, r, now),
					None => rules
						.try_insert(at, (underlying, r, now))
						.map_err(|_| Error::<T>::TooManyListingRules)?,
				}
			},
			None => {
				ensure!(
					UnderlyingConfigs::<T>::contains_key(underlying),
					Error::<T>::UnderlyingNotConfigured
				);
				// Nothing to remove: nothing changes.
				if !exists {
					return Ok(());
				}
				rules.remove(at);
			},
		}
		ListingRules::<T>::put(rules);
		Self::deposit_event(Event::ListingRuleSet { underlying, rule });
		Ok(())
	}

	/// One series listed by a rule: the `list_series` extrinsic's weight.
	pub(crate) fn rule_listing_weight() -> Weight {
		T::WeightInfo::list_series().saturating_add(T::Oracle::schedule_weight())
	}

	/// `on_idle`'s listing by rule, within `remaining` (of which `used` is spent) and `items`:
	/// for each rule, the next expiry of its calendar if it is due, whole or not at all.
	/// Returns the weight used in all.
	pub(crate) fn list_by_rules(remaining: Weight, mut used: Weight, items: &mut u32) -> Weight {
		let db = T::DbWeight::get();
		let read = db.reads(1);
		if remaining.any_lt(used.saturating_add(read)) {
			return used;
		}
		used = used.saturating_add(read);
		let mut rules = ListingRules::<T>::get();
		if rules.is_empty() {
			return used;
		}
		let now = Self::now();
		let per_series = Self::rule_listing_weight();
		let mut changed = false;
		for (underlying, rule, dealt_through) in rules.iter_mut() {
			let from = (*dealt_through).max(now.saturating_add(rule.min_lead));
			let Some(expiry) = rule.next_expiry(from) else { continue };
			let ahead = rule.interval.saturating_mul(Moment::from(rule.expiries));
			if expiry > now.saturating_add(ahead) {
				continue;
			}
			// The index price (one read), then the whole expiry must fit.
			let n = rule.series_per_expiry();
			let price_read = T::Oracle::read_weight();
			let all = price_read
				.saturating_add(read)
				.saturating_add(per_series.saturating_mul(u64::from(n)))
				.saturating_add(db.writes(1));
			if remaining.any_lt(used.saturating_add(all)) || *items < n {
				// Not in this block: later (the rules after it may be smaller).
				continue;
			}
			// Room for all of it among the live series (one read): else it waits, not passed
			// over, for the series that retire.
			used = used.saturating_add(price_read).saturating_add(read);
			let live = LiveSeries::<T>::decode_len().unwrap_or(0) as u32;
			if live.saturating_add(n) > T::MaxLiveSeries::get() {
				continue;
			}
			let Some(index) = T::Oracle::index_price(*underlying)
				.filter(|p| p.status == PriceStatus::Fresh)
				.map(|p| p.price)
			else {
				continue;
			};
			let step = rule.strike_step.into_inner();
			// The index rounded to the nearest multiple of the step (half up).
			let atm = index.into_inner().saturating_add(step / 2) / step * step;
			let listed = frame_support::storage::with_storage_layer(|| {
				Self::list_expiry(*underlying, rule, expiry, atm)
			});
			used = used.saturating_add(per_series.saturating_mul(u64::from(n)));
			*items = items.saturating_sub(n);
			match listed {
				Ok(count) => Self::deposit_event(Event::ExpiryListed {
					underlying: *underlying,
					expiry,
					at_the_money: Price::from_inner(atm),
					series: count,
				}),
				Err(reason) => Self::deposit_event(Event::ListingHalted {
					underlying: *underlying,
					expiry,
					reason,
				}),
			}
			*dealt_through = expiry;
			changed = true;
		}
		if changed {
			ListingRules::<T>::put(rules);
			used = used.saturating_add(db.writes(1));
		}
		used
	}

	/// List the grid of `rule` around `atm` (inner units of a USD price) at `expiry`: calls and
	/// puts from the lowest strike up; a strike already listed (by hand) is kept, a strike at
	/// or below zero, off the underlying's strike tick or too large for the arithmetic's range
	/// is left out. Fails (the caller rolls it back) when the series or the settlement
	/// schedule are full.
	fn list_expiry(
		underlying: UnderlyingId,
		rule: &ListingRule,
		expiry: Moment,
		atm: u128,
	) -> Result<u32, DispatchError> {
		let step = rule.strike_step.into_inner();
		let n = rule.strikes_each_side;
		let mut count = 0u32;
		for j in 0..n.saturating_mul(2).saturating_add(1) {
			// atm + (j - n) * step, below zero left out.
			let offset = step.saturating_mul(u128::from(j.abs_diff(n)));
			let strike = if j < n { atm.checked_sub(offset) } else { atm.checked_add(offset) };
			let Some(strike) = strike.filter(|k| *k > 0) else { continue };
			for kind in [OptionKind::Call, OptionKind::Put] {
				match Self::do_list_series(underlying, Price::from_inner(strike), expiry, kind) {
					Ok(_) => count = count.saturating_add(1),
					Err(e)
						if e == DispatchError::from(Error::<T>::DuplicateSeries)
							|| e == DispatchError::from(Error::<T>::SeriesTooLarge)
							|| e == DispatchError::from(Error::<T>::InvalidStrike) => {},
					Err(e) => return Err(e),
				}
			}
		}
		Ok(count)
	}

	/// `try_state`: the rules are ascending by underlying, each valid against the others,
	/// of configured underlyings.
	#[cfg(any(feature = "try-runtime", feature = "std", test))]
	pub(crate) fn check_listing_rules() -> Result<(), sp_runtime::TryRuntimeError> {
		let rules = ListingRules::<T>::get();
		ensure!(
			rules.iter().zip(rules.iter().skip(1)).all(|(a, b)| a.0 < b.0),
			"listing rules not ascending by underlying"
		);
		for (u, r, _) in rules.iter() {
			let others = rules.iter().filter(|(v, _, _)| v != u).map(|(_, r, _)| *r);
			Self::validate_listing_rule(*u, r, others).map_err(|_| "an invalid listing rule")?;
		}
		Ok(())
	}
}
