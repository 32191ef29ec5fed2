//! Liquidation: permissionless `liquidate` and the keeper-less `on_idle` sweep.

use crate::{pallet::*, types::*, WeightInfo};
use alloc::vec::Vec;
use frame_support::weights::Weight;
use frame_support::{
	dispatch::{DispatchErrorWithPostInfo, WithPostDispatchInfo},
	pallet_prelude::*,
	storage::with_storage_layer,
};
use optionchain_pricing::{Fixed, Rounding};
use optionchain_primitives::exchange::{
	Balance, Contracts, PortfolioSize, PositionsProvider, SeriesId,
};

use crate::risk::SCALE;

/// Settlement units added to the maintenance a liquidation releases (see
/// `maintenance_to_release`).
const RELEASE_SLACK: Balance = 3;

impl<T: Config> Pallet<T> {
	/// Evaluate `account` and check that it may be liquidated now: not the insurance account,
	/// and liquidatable (positions on stale underlyings valued conservatively, see
	/// [`Self::evaluate`]). A refusal after the evaluation carries its weight
	/// ([`Self::evaluated_weight`]); a failed evaluation (of unknown size) carries none, so is
	/// charged the declared weight.
	fn ensure_liquidatable(account: &T::AccountId) -> Result<Risk, DispatchErrorWithPostInfo> {
		ensure!(
			*account != Self::insurance_account(),
			Error::<T>::CannotLiquidateInsurance.with_weight(Weight::zero())
		);
		let risk = Self::positions_risk_of(account)?;
		let in_liq = Accounts::<T>::get(account).map(|a| a.in_liquidation).unwrap_or(false);
		let state = Self::state_of(&risk, in_liq)?;
		ensure!(
			state == AccountState::Liquidatable,
			Error::<T>::NotLiquidatable.with_weight(Self::evaluated_weight(&risk))
		);
		Ok(risk)
	}

	/// Weight of a `liquidate` refused after evaluating the account (`risk`) and before taking
	/// anything over: the evaluation at its real size, and at most four more reads (the ledger
	/// entry's liquidation flag and debt, the parameters twice).
	fn evaluated_weight(risk: &Risk) -> Weight {
		Self::check_weight(risk).saturating_add(T::DbWeight::get().reads(4))
	}

	/// Maintenance (units) by which the shorts taken over must lower the account's
	/// requirement so that it ends at its liquidation target `maintenance * (1 + buffer)`,
	/// given that each unit of maintenance taken costs the account `liquidation_penalty` of it:
	/// `ceil((target - equity) / (1 + buffer - penalty)) + 3` (units of slack for rounding). 0
	/// if the account is at its target.
	pub(crate) fn maintenance_to_release(risk: &Risk) -> Result<Balance, Error<T>> {
		let target = i128::try_from(Self::liquidation_target(risk.maintenance)?)
			.map_err(|_| Error::<T>::Overflow)?;
		let missing = target.saturating_sub(risk.equity);
		if missing <= 0 {
			return Ok(0);
		}
		let p = Params::<T>::get();
		let one = sp_arithmetic::FixedU128::from_u32(1);
		// 1 + buffer - penalty > 0.5 (buffer >= 0, penalty <= 0.5).
		let denom = one
			.checked_add(&p.liquidation_buffer)
			.and_then(|x| x.checked_sub(&p.liquidation_penalty))
			.ok_or(Error::<T>::Overflow)?;
		let missing = Balance::try_from(missing).map_err(|_| Error::<T>::Overflow)?;
		let release = sp_arithmetic::helpers_128bit::multiply_by_rational_with_rounding(
			missing,
			SCALE,
			denom.into_inner(),
			sp_arithmetic::per_things::Rounding::Up,
		)
		.ok_or(Error::<T>::Overflow)?;
		// A few units of slack for the rounding of the parts taken (their liability, the
		// penalty and the target each round against the account by at most one unit), so that
		// a liquidation does not end one unit short and take one more contract next time.
		release.checked_add(RELEASE_SLACK).ok_or(Error::<T>::Overflow)
	}

	/// Fewest contracts of the short `f` whose takeover lowers the maintenance requirement by
	/// at least `release` (all of them if the whole position releases less).
	pub(crate) fn contracts_to_release(
		f: &PositionFigures,
		release: Balance,
	) -> Result<i128, Error<T>> {
		let all = i128::from(f.position.net).unsigned_abs();
		let all = i128::try_from(all).map_err(|_| Error::<T>::Overflow)?;
		if release == 0 || f.maintenance == 0 {
			return Ok(0);
		}
		if f.maintenance <= release {
			return Ok(all);
		}
		let released = |k: i128| -> Result<Balance, Error<T>> {
			let left = Self::short_maintenance(&f.position.terms, &f.unit, all.saturating_sub(k))?;
			Ok(f.maintenance.saturating_sub(left))
		};
		// Maintenance is linear in the contracts up to rounding: start from the proportional
		// estimate, then step (at most a few units of rounding) to the exact smallest count.
		let est = sp_arithmetic::helpers_128bit::multiply_by_rational_with_rounding(
			release,
			all.unsigned_abs(),
			f.maintenance,
			sp_arithmetic::per_things::Rounding::Up,
		)
		.ok_or(Error::<T>::Overflow)?;
		let mut k = i128::try_from(est).map_err(|_| Error::<T>::Overflow)?.max(1).min(all);
		for _ in 0..4 {
			if k > 1 && released(k - 1)? >= release {
				k -= 1;
			} else {
				break;
			}
		}
		for _ in 0..4 {
			if k < all && released(k)? < release {
				k += 1;
			} else {
				break;
			}
		}
		if released(k)? < release {
			k = all;
		}
		Ok(k)
	}

	/// What a liquidation takes, largest risk first: the shorts on fresh, unexpired
	/// underlyings in decreasing maintenance per contract (then series id), each for as many
	/// contracts as are still needed to bring the account to its target. Returns the position
	/// index in `risk.positions` and the contracts.
	pub(crate) fn liquidation_plan(risk: &Risk) -> Result<Vec<(usize, i128)>, Error<T>> {
		let mut release = Self::maintenance_to_release(risk)?;
		let mut shorts: Vec<(usize, Fixed, u32)> = Vec::new();
		for (i, f) in risk.positions.iter().enumerate() {
			if f.takable_short() {
				let cs = Self::fx(f.position.terms.contract_size)?;
				let per = f
					.unit
					.maintenance
					.checked_mul(cs, Rounding::Up)
					.map_err(|_| Error::<T>::Overflow)?;
				shorts.push((i, per, f.position.series));
			}
		}
		shorts.sort_by(|a, b| b.1.into_inner().cmp(&a.1.into_inner()).then(a.2.cmp(&b.2)));
		let mut plan = Vec::new();
		for (i, _, _) in shorts {
			if release == 0 {
				break;
			}
			let Some(f) = risk.positions.get(i) else { continue };
			let k = Self::contracts_to_release(f, release)?;
			if k == 0 {
				continue;
			}
			let left = Self::short_maintenance(
				&f.position.terms,
				&f.unit,
				i128::from(f.position.net).abs().saturating_sub(k),
			)?;
			release = release.saturating_sub(f.maintenance.saturating_sub(left));
			plan.push((i, k));
		}
		Ok(plan)
	}

	/// Move `quantity` contracts of `position` from `account` to `receiver` at mark value and
	/// pay for them; returns the full penalty the contracts carry (charged afterwards by
	/// [`Self::charge_penalty`], once the account's remaining equity is known).
	///
	/// - A short: `account` pays the contracts' liability (mark value, rounded against it) to
	///   `receiver` through [`Self::collect`]: what it lacks is advanced by the insurance fund
	///   (beyond the fund: received less by `receiver`) and owed by `account` to the fund. Its
	///   penalty is `liquidation_penalty` of the contracts' maintenance requirement.
	/// - A long: `receiver` pays `account` the contracts' mark value (rounded against
	///   `account`), no penalty. The proceeds repay `account`'s debt first; when the fund is the
	///   receiver, that part is set off against the debt instead of moving cash back and forth
	///   (so a drained fund can still recover its advances from longs).
	fn take_over(
		receiver: &T::AccountId,
		account: &T::AccountId,
		figures: &PositionFigures,
		quantity: i128,
	) -> Result<Balance, DispatchError> {
		let params = Params::<T>::get();
		let position = &figures.position;
		let u = figures.unit;
		ensure!(!u.expired, Error::<T>::SeriesExpired);
		ensure!(figures.fresh, Error::<T>::PriceStale);
		let net = i128::from(position.net);
		let moved =
			if net < 0 { quantity.checked_neg().ok_or(Error::<T>::Overflow)? } else { quantity };
		let cs = Self::fx(position.terms.contract_size)?;
		// Value of what the receiver gets (negative for a short), rounded against the account.
		let value = Self::position_value(u.mark, cs, moved)?;
		let q = Contracts::try_from(quantity).map_err(|_| Error::<T>::Overflow)?;
		Self::ensure_tracked(receiver)?;
		// The payment first, then the position: a payment that fails (the fund cannot pay for
		// a long) leaves nothing moved even where positions are not kept in storage (the
		// tests' mock); on the chain the caller's storage layer undoes either.
		let penalty = if net < 0 {
			let collected =
				Self::collect(account, value.unsigned_abs(), Some(receiver), position.series)?;
			Self::credit(receiver, collected)?;
			Self::mul_up(
				Self::short_maintenance(&position.terms, &u, quantity)?,
				params.liquidation_penalty,
			)?
		} else {
			let mut cash = value.unsigned_abs();
			if *receiver == Self::insurance_account() {
				let set_off = Self::debt_of(account).min(cash);
				Self::reduce_debt(account, set_off)?;
				cash = cash.checked_sub(set_off).ok_or(Error::<T>::Overflow)?;
			}
			Self::move_collateral(receiver, account, cash)?;
			0
		};
		T::Positions::transfer_position(account, receiver, position.series, q)?;
		// Both portfolios changed: their trigger bands are stale.
		Self::touch(account);
		Self::touch(receiver);
		Self::deposit_event(Event::Liquidated {
			account: account.clone(),
			liquidator: receiver.clone(),
			series: position.series,
			quantity: q,
			value,
		});
		Ok(penalty)
	}

	/// Charge the liquidation penalty `full` of `account` to `receiver`, limited to what the
	/// account still has: its collateral and its equity after the liquidation (`equity`, which
	/// counts its remaining positions and debt). The insurance fund therefore never pays a
	/// penalty for an account that cannot. `insurance_share` of the penalty paid goes to the
	/// fund. Returns the penalty paid.
	fn charge_penalty(
		account: &T::AccountId,
		receiver: &T::AccountId,
		full: Balance,
		equity: i128,
	) -> Result<Balance, DispatchError> {
		let headroom = Balance::try_from(equity.max(0)).map_err(|_| Error::<T>::Overflow)?;
		let penalty = full.min(Self::collateral_of(account)).min(headroom);
		if penalty == 0 {
			return Ok(0);
		}
		Self::move_collateral(account, receiver, penalty)?;
		let insurance = Self::insurance_account();
		let insurance_fee = if *receiver == insurance {
			0
		} else {
			Self::mul_down(penalty, Params::<T>::get().insurance_share)?
		};
		Self::move_collateral(receiver, &insurance, insurance_fee)?;
		Self::deposit_event(Event::PenaltyCharged {
			account: account.clone(),
			liquidator: receiver.clone(),
			penalty,
			insurance_fee,
		});
		Ok(penalty)
	}

	/// After (part of) a liquidation, with `risk` the account's evaluation now: the account
	/// stays under liquidation until its equity is at least maintenance plus buffer.
	fn after_liquidation(account: &T::AccountId, risk: &Risk) -> DispatchResult {
		let done = Self::meets(risk.equity, Self::liquidation_target(risk.maintenance)?);
		if let Some(mut info) = Accounts::<T>::get(account) {
			if done {
				Self::deposit_event(Event::LiquidationEnded { account: account.clone() });
			}
			info.in_liquidation = !done;
			// Its positions moved without a fill: no longer warm.
			info.checked_at = 0;
			Accounts::<T>::insert(account, info);
		}
		Self::touch(account);
		Self::record_state(account, risk)?;
		Ok(())
	}

	/// The figures of `account` (evaluated as `before`) after the liquidation moved `moved`
	/// (position index, contracts), charge the penalty `full` against what is left, and update
	/// its liquidation state with its figures after the penalty. The figures come from the
	/// evaluation before ([`Self::after_moves`]: no second read of the portfolio, no series
	/// priced again); native debug builds (the pallet's and the runtime's tests) check them
	/// against a new evaluation after every liquidation.
	fn settle_liquidation(
		account: &T::AccountId,
		receiver: &T::AccountId,
		full: Balance,
		before: &Risk,
		moved: &[(usize, i128)],
	) -> DispatchResult {
		let info = Accounts::<T>::get(account).unwrap_or_default();
		let risk = Self::after_moves(before, moved, info.collateral, info.debt)?;
		let penalty = Self::charge_penalty(account, receiver, full, risk.equity)?;
		let risk = if penalty == 0 {
			risk
		} else {
			let info = Accounts::<T>::get(account).unwrap_or_default();
			Self::after_moves(before, moved, info.collateral, info.debt)?
		};
		#[cfg(any(test, all(feature = "std", debug_assertions)))]
		Self::check_after_moves(account, &risk)?;
		Self::after_liquidation(account, &risk)
	}

	/// Native debug builds (tests): the figures [`Self::settle_liquidation`] derived after a
	/// liquidation are those a new evaluation of the account gives (panics otherwise, as
	/// `debug_assert` does).
	#[cfg(any(test, all(feature = "std", debug_assertions)))]
	fn check_after_moves(account: &T::AccountId, derived: &Risk) -> DispatchResult {
		let fresh = Self::positions_risk_of(account)?;
		let figures = |r: &Risk| {
			let positions: Vec<(SeriesId, Contracts, Balance)> = r
				.positions
				.iter()
				.map(|f| (f.position.series, f.position.net, f.maintenance))
				.collect();
			(
				(r.collateral, r.equity, r.initial_equity),
				(r.initial, r.initial_positions, r.maintenance, r.all_fresh),
				positions,
			)
		};
		assert_eq!(figures(derived), figures(&fresh), "after_moves differs from evaluate");
		Ok(())
	}

	/// `liquidate` call: takes over at most `quantity` contracts of `account`'s position in
	/// `series`, and only as many as bring the account back to its liquidation target were
	/// this series the only one taken (a short on a fresh underlying), or all of a long when the
	/// account has no such short left and owes the insurance fund.
	///
	/// A refusal is charged what it did: nothing before the account's evaluation, the
	/// evaluation after it ([`Self::evaluated_weight`]), and once the liquidator's own check
	/// fails, the liquidation at the account's real size plus that check. (Errors of the
	/// evaluations themselves, or while taking over, are charged the declared weight.)
	pub(crate) fn do_liquidate(
		liquidator: &T::AccountId,
		account: &T::AccountId,
		series: SeriesId,
		quantity: Contracts,
	) -> DispatchResultWithPostInfo {
		let nothing = Weight::zero();
		ensure!(liquidator != account, Error::<T>::CannotLiquidateSelf.with_weight(nothing));
		ensure!(quantity > 0, Error::<T>::ZeroQuantity.with_weight(nothing));
		let risk = Self::ensure_liquidatable(account)?;
		let evaluated = Self::evaluated_weight(&risk);
		let index = risk
			.positions
			.iter()
			.position(|p| p.position.series == series)
			.ok_or(Error::<T>::PositionNotFound.with_weight(evaluated))?;
		let f = risk
			.positions
			.get(index)
			.ok_or(Error::<T>::PositionNotFound.with_weight(evaluated))?;
		let held = i128::from(f.position.net).abs();
		ensure!(i128::from(quantity) <= held, Error::<T>::QuantityTooLarge.with_weight(evaluated));
		ensure!(!f.unit.expired, Error::<T>::SeriesExpired.with_weight(evaluated));
		ensure!(f.fresh, Error::<T>::PriceStale.with_weight(evaluated));
		let take = if f.position.net < 0 {
			let needed = Self::contracts_to_release(f, Self::maintenance_to_release(&risk)?)?;
			ensure!(needed > 0, Error::<T>::LiquidationNotNeeded.with_weight(evaluated));
			needed.min(i128::from(quantity))
		} else {
			let shorts_left = risk.positions.iter().any(|p| p.takable_short());
			ensure!(
				!shorts_left && Self::debt_of(account) > 0,
				Error::<T>::LiquidationNotNeeded.with_weight(evaluated)
			);
			i128::from(quantity)
		};
		Self::ensure_tracked(account)?;
		T::Positions::void_orders(account);
		let full = Self::take_over(liquidator, account, f, take)?;
		Self::settle_liquidation(account, liquidator, full, &risk, &[(index, take)])?;
		let r = Self::risk_of(liquidator)?;
		// The benchmark (the account's evaluation, the transfer, a one-entry liquidator)
		// at the account's real size, the voiding of its orders, and the liquidator's real check.
		let checked = T::WeightInfo::liquidate(risk.entries.max(1))
			.saturating_add(T::Positions::void_orders_weight())
			.saturating_add(Self::extra_underlyings_weight(risk.underlyings).saturating_mul(2))
			.saturating_add(Self::check_weight(&r));
		ensure!(r.all_fresh, Error::<T>::PriceStale.with_weight(checked));
		ensure!(
			Self::meets(r.initial_equity, r.initial),
			Error::<T>::LiquidatorBelowInitial.with_weight(checked)
		);
		Self::record_state(liquidator, &r)?;
		// It took positions without a fill: warm again only by this evaluation.
		Self::set_warm(liquidator, &r);
		Ok(().into())
	}

	/// Sweep one account; returns the weight it used and whether it was liquidated. Records
	/// its state; if liquidatable, voids its orders and hands the insurance account the
	/// shorts of the liquidation plan (largest risk first, only as many contracts as bring the
	/// account to its target; shorts on stale underlyings are not traded), then, while the
	/// account owes the fund, its longs on fresh underlyings at mark; finally charges the
	/// penalties of the shorts against what is left. Each position moves in its own storage
	/// layer: one that cannot move (logged) does not stop the others.
	///
	/// Admission is in two phases: the caller admitted the account by its evaluation bound
	/// ([`Self::sweep_evaluation_weight_for`]); the liquidation itself goes ahead only if
	/// `liquidation_room` covers its bound from the start of the visit
	/// ([`Self::sweep_account_weight_for`]), otherwise the account's state is recorded and the
	/// visit ends as [`Visit::NoRoom`] (the sweep stops before it and starts with it next time).
	pub(crate) fn sweep_account(
		who: &T::AccountId,
		liquidation_room: bool,
	) -> Result<Visit, DispatchError> {
		if *who == Self::insurance_account() {
			return Ok(Visit::Evaluated(T::DbWeight::get().reads(1), 0));
		}
		let risk = Self::positions_risk_of(who)?;
		let checked = Self::check_weight(&risk);
		let in_liq = Accounts::<T>::get(who).map(|a| a.in_liquidation).unwrap_or(false);
		if Self::state_of(&risk, in_liq)? != AccountState::Liquidatable {
			Self::record_state(who, &risk)?;
			// No position: untracked if it has no resting order either (its size's reads).
			let db = T::DbWeight::get();
			let mut reads = db.reads_writes(1, 3);
			if risk.entries == 0 {
				reads = reads.saturating_add(T::Positions::portfolio_size_weight());
				Self::untrack_if_empty(who, T::Positions::portfolio_size(who).series);
			}
			// The evaluation, the state and ledger-entry writes, and the account count if the
			// entry was removed.
			return Ok(Visit::Evaluated(checked.saturating_add(reads), risk.underlyings));
		}
		if !liquidation_room {
			// Liquidatable, but its liquidation does not fit what the block has left: marked
			// (a keeper may take it now) and deferred by the sweep. Its evaluation, the
			// `in_liquidation` read and the state write.
			Self::record_state(who, &risk)?;
			let db = T::DbWeight::get();
			return Ok(Visit::NoRoom(checked.saturating_add(db.reads_writes(1, 1))));
		}
		let plan = Self::liquidation_plan(&risk)?;
		let tradable_longs = |r: &Risk| r.positions.iter().any(|p| p.takable_long());
		if plan.is_empty() && !(Self::debt_of(who) > 0 && tradable_longs(&risk)) {
			// Nothing can be traded now (every risky position is on a stale underlying): the
			// account is marked and visited again. The plan was computed: charged as a
			// liquidation (at least its bound).
			Self::record_state(who, &risk)?;
			return Ok(Visit::Planned(checked.saturating_add(T::DbWeight::get().writes(1))));
		}
		T::Positions::void_orders(who);
		let insurance = Self::insurance_account();
		let mut moved: Vec<(usize, i128)> = Vec::new();
		let mut full: Balance = 0;
		let take = |i: usize, q: i128, moved: &mut Vec<(usize, i128)>, full: &mut Balance| {
			let Some(f) = risk.positions.get(i) else { return };
			match with_storage_layer(|| Self::take_over(&insurance, who, f, q)) {
				Ok(penalty) => {
					moved.push((i, q));
					*full = full.saturating_add(penalty);
				},
				Err(e) => log::warn!(
					target: crate::LOG_TARGET,
					"sweep of {who:?}: position in series {} not taken over: {e:?}",
					f.position.series
				),
			}
		};
		let mut series: Vec<SeriesId> = Vec::new();
		for (i, q) in plan {
			if let Some(f) = risk.positions.get(i) {
				series.push(f.position.series);
				take(i, q, &mut moved, &mut full);
			}
		}
		for (i, f) in risk.positions.iter().enumerate() {
			if Self::debt_of(who) == 0 {
				break;
			}
			if f.takable_long() {
				series.push(f.position.series);
				take(i, i128::from(f.position.net), &mut moved, &mut full);
			}
		}
		let taken = u32::try_from(moved.len()).unwrap_or(u32::MAX);
		Self::deposit_event(Event::AccountSwept { account: who.clone(), positions: taken });
		Self::settle_liquidation(who, &insurance, full, &risk, &moved)?;
		let used = T::WeightInfo::sweep_account(risk.entries.max(1))
			.saturating_add(T::Positions::void_orders_weight())
			.saturating_add(Self::extra_underlyings_weight(risk.entries).saturating_mul(2));
		Ok(Visit::Liquidated(used, series, risk.underlyings))
	}

	/// What admitting `who` to a visit costs: the read of its portfolio size, the bound of its
	/// evaluation, and the bound of its liquidation (the insurance account: one read each).
	pub fn visit_bounds(who: &T::AccountId) -> (Weight, Weight, Weight) {
		let insurance = *who == Self::insurance_account();
		let size =
			if insurance { PortfolioSize::default() } else { T::Positions::portfolio_size(who) };
		Self::bounds_for(insurance, size)
	}

	/// [`Self::visit_bounds`] of an account whose size was read already (or of the insurance
	/// account, which is never read: one read each).
	pub(crate) fn bounds_for(insurance: bool, size: PortfolioSize) -> (Weight, Weight, Weight) {
		if insurance {
			let read = T::DbWeight::get().reads(1);
			(Weight::zero(), read, read)
		} else {
			(
				T::Positions::portfolio_size_weight(),
				Self::sweep_evaluation_weight_for(size),
				Self::sweep_account_weight_for(size),
			)
		}
	}

	/// Visit `who` ([`Self::sweep_account`]) in a storage layer of its own, admitted with the
	/// bounds `evaluation` and `liquidation` ([`Self::visit_bounds`]) and liquidation `room`
	/// or not. Returns the weight to charge and whether it was liquidatable without room.
	pub(crate) fn visit_account(
		who: &T::AccountId,
		room: bool,
		evaluation: Weight,
		liquidation: Weight,
	) -> (Weight, bool) {
		let (w, visit) = Self::visit_account_as(who, room, evaluation, liquidation);
		(w, matches!(visit, Some(Visit::NoRoom(_))))
	}

	/// [`Self::visit_account`], also returning what the visit did (`None`: it failed).
	pub(crate) fn visit_account_as(
		who: &T::AccountId,
		room: bool,
		evaluation: Weight,
		liquidation: Weight,
	) -> (Weight, Option<Visit>) {
		match with_storage_layer(|| Self::sweep_account(who, room)) {
			Ok(Visit::Evaluated(w, u)) => (w, Some(Visit::Evaluated(w, u))),
			// A liquidation (or its plan) is charged at least its bound: the benchmark's line
			// can lie under the real cost between its points (the bound's entries are
			// `2 x series`, at least the real ones). The trigger step charges by path instead
			// (`step_visit_weight`).
			Ok(Visit::Liquidated(w, series, u)) => {
				(w.max(liquidation), Some(Visit::Liquidated(w, series, u)))
			},
			Ok(Visit::Planned(w)) => (w.max(liquidation), Some(Visit::Planned(w))),
			Ok(Visit::NoRoom(w)) => (w, Some(Visit::NoRoom(w))),
			Err(e) => {
				log::debug!(target: crate::LOG_TARGET, "visit of {who:?} failed: {e:?}");
				// Failed after an evaluation at most, or inside a liquidation it had room for:
				// charged the bound it was admitted by.
				(if room { liquidation } else { evaluation }, None)
			},
		}
	}

	/// The entries of the maintenance view of an account of `size`: its positions (resting
	/// orders never count towards maintenance), at most `max_positions_len`.
	pub(crate) fn maintenance_entries(size: PortfolioSize) -> u32 {
		size.positions.min(T::Positions::max_positions_len())
	}

	/// Upper bound of the sweep's evaluation of an account of `size` that it does not
	/// liquidate: the margin check of its positions ([`Self::positions_risk_of`]), one oracle
	/// read per further underlying, the state, ledger-entry and account-count reads and
	/// writes, and its size's reads (to untrack it when it holds nothing).
	pub fn sweep_evaluation_weight_for(size: PortfolioSize) -> Weight {
		let entries = Self::maintenance_entries(size);
		Self::evaluation_weight(entries, entries)
			.saturating_add(Self::extra_underlyings_weight(entries))
			.saturating_add(T::DbWeight::get().reads_writes(1, 3))
			.saturating_add(T::Positions::portfolio_size_weight())
	}

	/// Upper bound of sweeping an account of `size` (liquidated or not): the benchmark at its
	/// number of positions plus the voiding of its orders (constant). (Both sides' lists of
	/// series with a position are in their ledger entries, which a liquidation writes anyway.)
	pub fn sweep_account_weight_for(size: PortfolioSize) -> Weight {
		let entries = Self::maintenance_entries(size);
		T::WeightInfo::sweep_account(entries.max(1))
			.saturating_add(T::Positions::void_orders_weight())
			.saturating_add(Self::extra_underlyings_weight(entries).saturating_mul(2))
	}

	/// `on_idle`: first the deferred liquidations (oldest first, each when its liquidation
	/// bound fits), then from the cursor, visit accounts (at most `MaxSweepPerBlock` visits in
	/// all) while the next one's evaluation bound, from its real size (two length reads),
	/// still fits in `remaining`, charging each the weight it really used (an evaluation for a
	/// healthy account, the sweep at its size for a liquidated one); wrap around at the end of
	/// the ledger. Keys are read one at a time, each charged when read.
	///
	/// Admission is in two phases, so that a large account (whose liquidation bound is tens of
	/// milliseconds) cannot hold the cursor in busy blocks: an account is visited when its
	/// evaluation fits, and liquidated only when its liquidation bound fits too. A liquidatable
	/// account without room for its liquidation is marked and deferred (`SweepDeferred`, up to
	/// `MAX_SWEEP_DEFERRED`): the round robin goes on past it, and the next sweeps start with
	/// it. An account whose evaluation does not fit, or a further liquidatable one without
	/// room while the deferred list is full (marked all the same), stops the sweep: the cursor
	/// stays before it (no skipping).
	pub(crate) fn sweep(remaining: Weight) -> Weight {
		let db = T::DbWeight::get();
		let key_read = db.reads(1);
		let size_read = T::Positions::portfolio_size_weight();
		// The benchmark's base, and the deferred list's read (and write, if it changes).
		let mut used = T::WeightInfo::sweep_base().saturating_add(db.reads_writes(1, 1));
		let smallest = Self::sweep_evaluation_weight_for(PortfolioSize::default());
		let first =
			used.saturating_add(key_read).saturating_add(size_read).saturating_add(smallest);
		if !remaining.all_gte(first) {
			return Weight::zero();
		}
		let bounds = Self::visit_bounds;
		let visit = Self::visit_account;
		let mut visits = 0u32;
		let max_visits = T::MaxSweepPerBlock::get();

		// The deferred liquidations, oldest first, each if its liquidation fits (one that does
		// not stays, and the next is tried).
		let mut deferred = SweepDeferred::<T>::get();
		let mut changed = false;
		let mut i = 0usize;
		while visits < max_visits && i < deferred.len() {
			if !remaining.all_gte(used.saturating_add(size_read)) {
				break;
			}
			let Some(who) = deferred.get(i).cloned() else { break };
			let (read, evaluation, liquidation) = bounds(&who);
			used = used.saturating_add(read);
			if !remaining.all_gte(used.saturating_add(liquidation)) {
				i = i.saturating_add(1);
				continue;
			}
			let (w, _) = visit(&who, true, evaluation, liquidation);
			used = used.saturating_add(w);
			visits = visits.saturating_add(1);
			deferred.remove(i);
			changed = true;
		}

		// The round robin, from the cursor. The iterator asks the state for the key after the
		// previous one each time, so the accounts a visit removes or adds do not disturb it.
		let mut keys = match SweepCursor::<T>::get() {
			Some(k) => Accounts::<T>::iter_keys_from(k.into_inner()),
			None => Accounts::<T>::iter_keys(),
		};
		let mut last = None;
		let mut reached_end = false;
		while visits < max_visits {
			if !remaining.all_gte(used.saturating_add(key_read).saturating_add(size_read)) {
				break;
			}
			used = used.saturating_add(key_read);
			let Some(who) = keys.next() else {
				reached_end = true;
				break;
			};
			if deferred.contains(&who) {
				// Already waiting for room: liquidated first by a later sweep.
				last = Some(who);
				continue;
			}
			let (read, evaluation, liquidation) = bounds(&who);
			used = used.saturating_add(read);
			if !remaining.all_gte(used.saturating_add(evaluation)) {
				break;
			}
			let room = remaining.all_gte(used.saturating_add(liquidation));
			let (w, no_room) = visit(&who, room, evaluation, liquidation);
			used = used.saturating_add(w);
			visits = visits.saturating_add(1);
			if no_room {
				if deferred.try_push(who.clone()).is_err() {
					// Liquidatable (now marked) without room, and the deferred list is full:
					// the sweep stops before it, so the next one starts with it.
					break;
				}
				changed = true;
			}
			last = Some(who);
		}
		if changed {
			SweepDeferred::<T>::put(deferred);
		}
		match last {
			_ if reached_end => SweepCursor::<T>::kill(),
			Some(who) => match BoundedVec::try_from(Accounts::<T>::hashed_key_for(&who)) {
				Ok(k) => SweepCursor::<T>::put(k),
				Err(_) => SweepCursor::<T>::kill(),
			},
			// Nothing visited: the cursor stays.
			None => {},
		}
		used
	}
}

/// What one visit of the sweep did, with the weight it used.
pub(crate) enum Visit {
	/// Evaluated (its state recorded), not liquidated; the underlyings of its portfolio.
	Evaluated(Weight, u32),
	/// Liquidated; the series whose positions the insurance account was offered (taken over
	/// unless that position could not move), and the underlyings of its portfolio.
	Liquidated(Weight, Vec<SeriesId>, u32),
	/// Liquidatable and its plan computed, but nothing could be traded (every risky position
	/// on a stale underlying): marked only.
	Planned(Weight),
	/// Liquidatable, but its liquidation did not fit the block: evaluated and marked only.
	NoRoom(Weight),
}
