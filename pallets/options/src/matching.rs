//! Order placement and the matching engine.

use crate::{book::*, pallet::*, types::*, weights::WeightInfo};
use frame_support::{
	dispatch::{DispatchErrorWithPostInfo, WithPostDispatchInfo},
	ensure,
	pallet_prelude::*,
	storage::{with_transaction, TransactionOutcome},
	traits::Get,
};
use optionchain_primitives::exchange::{
	Balance, Contracts, MarginAccounts, MarginCheckError, MarginSnapshot, SeriesId, Side,
};
use sp_runtime::traits::UniqueSaturatedInto;

/// Re-checks of reduce-only makers under a margin call per placement (each costs a margin
/// check and the maker's figures at its size, and one more step; beyond it, or beyond a queued
/// order's budget, such a maker's order is passed over).
pub const MAX_MAKER_RETRIES: u32 = 1;

/// Why a fill failed.
enum FillError {
	/// The maker could not pay its premium or its fee.
	Maker,
	/// The fill would open a position for the maker beyond `MaxPositionSeriesPerAccount`.
	MakerAtCap,
	/// Anything else (the taker could not pay, a cap, an overflow): fails the placement.
	Other(DispatchError),
}

impl From<DispatchError> for FillError {
	fn from(e: DispatchError) -> Self {
		FillError::Other(e)
	}
}

impl<T: Config> From<Error<T>> for FillError {
	fn from(e: Error<T>) -> Self {
		FillError::Other(e.into())
	}
}

/// What became of one match step against a maker.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum MakerStep {
	/// Filled; the maker's margin check used this weight.
	Filled(Weight),
	/// The maker could not pay: undone.
	CannotPay,
	/// The fill would open a position for the maker beyond its cap of series: undone.
	AtPositionCap,
	/// The maker failed its margin check: undone.
	BelowMargin,
}

/// Positive part of a net position (its contribution to open interest).
fn long_part(n: Contracts) -> Contracts {
	n.max(0)
}

impl<T: Config> Pallet<T> {
	/// Margin-check weight beyond what the `place_order` (and `quote`) benchmark already
	/// contains: a real margin check of its taker (quoting account), whose portfolio holds one
	/// entry. (Its makers are warm: their fills are not checked.)
	pub(crate) fn extra_check_weight(check: Weight) -> Weight {
		check.saturating_sub(T::Margin::margin_check_weight_for(1))
	}

	/// Weight charged up front for a placement that may make `k` match steps: the pallet's own
	/// work (the benchmark fills makers that are warm, so its steps hold no maker check, and
	/// checks a one-entry taker), plus a full check at the maximum portfolio of a cold maker at
	/// every step and the difference to it for the taker; at most [`MAX_MAKER_RETRIES`]
	/// re-checks of a reduce-only maker under a margin call (its figures before the fill, a
	/// full check, and the step again); and, if `snapshot`, the taker's figures before the
	/// order (a full check).
	pub fn place_order_weight(k: u32, snapshot: bool) -> Weight {
		let full = T::Margin::margin_check_weight();
		let retries = if k == 0 { 0 } else { MAX_MAKER_RETRIES };
		let steps = k.saturating_add(retries);
		let snapshots = u64::from(retries).saturating_add(u64::from(snapshot));
		Self::place_steps_weight(steps)
			.saturating_add(full.saturating_mul(u64::from(steps)))
			.saturating_add(Self::extra_check_weight(full))
			.saturating_add(full.saturating_mul(snapshots))
			// Resting on a full side evicts its worst order (a cancellation).
			.saturating_add(Self::cancel_weight())
			// Each step reads and may count a maker's protection; the greeks once; the
			// taker's own protection before it rests.
			.saturating_add(Self::mmp_read_weight().saturating_mul(u64::from(k).saturating_add(1)))
			.saturating_add(Self::mmp_fill_weight().saturating_mul(k.into()))
			.saturating_add(Self::greeks_weight_of(k > 0))
	}

	/// Whether placing `req` reads the taker's margin figures first: only an order that may use
	/// the margin-call exemption (reduce-only, or immediate-or-cancel / fill-or-kill, of which
	/// nothing rests).
	pub(crate) fn takes_snapshot(req: &OrderRequest) -> bool {
		req.reduce_only || !req.time_in_force.rests()
	}

	/// Weight charged up front for placing `req`: a post-only order never takes (it is
	/// rejected if it would), so it makes no match step; any other order may make
	/// `MaxFillsPerOrder` (fills and cancellations of resting orders, which a small quantity
	/// does not bound).
	pub fn declared_place_weight(req: &OrderRequest) -> Weight {
		if req.post_only {
			return Self::place_order_weight(0, Self::takes_snapshot(req))
				.saturating_add(Self::good_till_weight_of(req));
		}
		Self::queued_order_weight(Self::full_budget(), req)
	}

	/// The largest budget: every step, every retry, a taker at the largest portfolio, and
	/// cold makers' checks up to [`Self::cold_checks_bound`].
	pub(crate) fn full_budget() -> MatchBudget {
		let max = T::MaxFillsPerOrder::get();
		MatchBudget {
			steps: max,
			cold: max,
			cold_checks: Self::cold_checks_bound(),
			retries: MAX_MAKER_RETRIES,
			taker_series: T::MaxSeriesPerAccount::get(),
			underlyings: u32::MAX,
			mmp_fills: max,
			greeks: true,
		}
	}

	/// What one order may spend on its cold makers' evaluations (and the markets of their
	/// further underlyings): one check at the largest portfolio (`MaxSeriesPerAccount`
	/// series) and a one-series check for every other step and retry. A check costs a base
	/// and a part per series, so this is the most any cold makers cost whose series add up to
	/// at most `MaxSeriesPerAccount` (eight makers of 11 series, or one of the largest
	/// portfolio, fit). A plan admits cold makers while their checks fit; matching passes
	/// over the others (issue 15 item 8: no taker's declared weight grows with how many
	/// series makers quote).
	pub fn cold_checks_bound() -> Weight {
		let max = T::MaxFillsPerOrder::get();
		let others = max.saturating_add(MAX_MAKER_RETRIES.saturating_mul(2)).saturating_sub(1);
		Self::cold_check_weight(T::MaxSeriesPerAccount::get())
			.saturating_add(Self::cold_check_weight(1).saturating_mul(u64::from(others)))
			.saturating_add(T::Margin::markets_weight(u32::MAX))
	}

	/// A cold maker's evaluation after its fill, at `series` series: a further check in the
	/// order's execution (the taker's own check is the first), less the two reads the fill
	/// made just before it (the order's series and the maker's entry in it).
	pub fn cold_check_weight(series: u32) -> Weight {
		T::Margin::further_margin_check_weight(series).saturating_sub(T::DbWeight::get().reads(2))
	}

	/// The series in which `who` has a position or resting orders (one read): what sizes its
	/// margin evaluation.
	pub fn series_of(who: &T::AccountId) -> u32 {
		AccountSeriesIndex::<T>::decode_len(who)
			.unwrap_or(0)
			.try_into()
			.unwrap_or(u32::MAX)
	}

	/// Weight charged at submission for a queued order (no refund follows: its matching runs
	/// after the block's transactions): `place_order(steps)` (the submission with its plan, the
	/// queue and the matching against warm makers), each cold maker's size and check, the
	/// taker's check beyond one entry, at most [`MAX_MAKER_RETRIES`] re-checks of a reduce-only
	/// maker under a margin call (a cold maker: none without a cold budget), the taker's
	/// snapshot if it takes one, an eviction, the read of the registered underlyings and the
	/// owner's count of queued orders (read and written at submission, written when matched),
	/// the void mark of each order the plan visited, and a good-till-block remainder's index
	/// entry.
	pub fn queued_order_weight(budget: MatchBudget, req: &OrderRequest) -> Weight {
		let taker = T::Margin::margin_check_weight_for_series(budget.taker_series);
		// The taker's figures before the order, at its size then.
		let snapshot = if Self::takes_snapshot(req) { taker } else { Weight::zero() };
		// The `place_order(k)` benchmark submits the order (its plan visits the k makers' orders)
		// and matches the queue in one block: the plan, the queue and the second check of the
		// order are in it. A cold maker's size (its series and its count of queued orders) is
		// read when planned and its series again when matched (one database read each: the
		// second hits the overlay). Orders passed over: at most `MaxFillsPerOrder`, a read of
		// each maker's account.
		let per_cold = u64::from(budget.cold).saturating_mul(2);
		let sizes = T::DbWeight::get()
			.reads(per_cold.saturating_add(T::MaxFillsPerOrder::get().into()))
			.saturating_add(T::Margin::underlyings_bound_weight());
		// The owner's count of queued orders: read and written at submission, written when
		// matched.
		let per_account = T::DbWeight::get().reads_writes(1, 2);
		// The plan reads each visited order's void mark (the step's own read in the matching
		// is in the benchmark).
		let void_marks = T::DbWeight::get().reads(budget.steps.into());
		// Market-maker protection: the entry of each visited order's owner, read by the plan
		// and by the step (and by an order passed over), the fills counted, the greeks priced
		// once, and the owner's own entry before its order may rest (at submission and when
		// matched).
		let mmp_reads = budget
			.steps
			.saturating_mul(2)
			.saturating_add(T::MaxFillsPerOrder::get())
			.saturating_add(if req.time_in_force.rests() { 2 } else { 0 });
		let mmp = Self::mmp_read_weight()
			.saturating_mul(mmp_reads.into())
			.saturating_add(Self::mmp_fill_weight().saturating_mul(budget.mmp_fills.into()))
			.saturating_add(Self::greeks_weight_of(budget.greeks));
		Self::place_steps_weight(budget.steps.saturating_add(budget.retries))
			.saturating_add(budget.cold_checks)
			.saturating_add(Self::extra_check_weight(taker))
			.saturating_add(snapshot)
			.saturating_add(Self::cancel_weight())
			.saturating_add(sizes)
			.saturating_add(per_account)
			.saturating_add(void_marks)
			.saturating_add(mmp)
			.saturating_add(Self::good_till_weight_of(req))
	}

	/// The match budget of `req` from the book as it is now. Steps: those it needs to fill
	/// there, counting only warm makers that can pay as filling (any other order may be
	/// cancelled instead, a step that fills nothing), plus one for a change before it is
	/// matched; `MaxFillsPerOrder` if the crossing orders cannot fill it (more may arrive).
	/// Cold: the makers on those steps that are not warm, each evaluated once at its size
	/// now; a reduce-only order of a cold maker (which may be under a margin call) adds a
	/// retry, up to [`MAX_MAKER_RETRIES`]: a step, its figures and a second check.
	/// Makers with market-maker protection on `underlying` (the series') add a counted fill
	/// each, and the greeks if one has a delta or vega limit; an order void by a trip is a step
	/// that fills nothing.
	pub(crate) fn plan_match(
		who: &T::AccountId,
		req: &OrderRequest,
		underlying: optionchain_primitives::UnderlyingId,
	) -> MatchBudget {
		let max = T::MaxFillsPerOrder::get();
		let book = Books::<T>::get(req.series, opposite(req.side));
		let (mut steps, mut left) = (0u32, req.quantity);
		let mut cold: alloc::vec::Vec<&T::AccountId> = alloc::vec::Vec::new();
		// Cold makers whose check did not fit what is left of the bound (passed over).
		let mut passed: alloc::vec::Vec<&T::AccountId> = alloc::vec::Vec::new();
		let mut cold_checks = Weight::zero();
		let mut retries = 0u32;
		// No cold maker's portfolio spans more underlyings than are registered now: one
		// registered later in the block has no index price before the oracle's `on_finalize`
		// (after the queue is matched), and a series of it can neither be listed nor traded
		// without one until then.
		let underlyings = T::Margin::underlyings_bound();
		let (mut mmp_fills, mut greeks) = (0u32, false);
		let now = Self::block_now();
		let bound = Self::cold_checks_bound();
		for o in book.iter() {
			if steps >= max || left <= 0 || !crosses(req.side, req.price, o.price) {
				break;
			}
			steps = steps.saturating_add(1);
			// A self-trade, an order past its good-till block and a void order (its owner may
			// be warm again since: a dead-man's switch) are steps that fill nothing.
			if &o.owner == who || Self::is_past_good_till(o) || Self::is_void(o) {
				continue;
			}
			let protection = Self::mmp_state(&o.owner, underlying);
			if Self::mmp_void(protection.as_ref(), o.id, now) {
				continue;
			}
			if let Some(l) = protection.and_then(|p| p.limits) {
				mmp_fills = mmp_fills.saturating_add(1);
				greeks |= l.needs_greeks();
			}
			let counted = cold.contains(&&o.owner);
			if counted || !T::Margin::is_warm_maker(&o.owner) {
				// Its size now, plus a series for each of its orders queued before this one
				// (matched first, they may add series to it).
				let series = Self::series_of(&o.owner)
					.saturating_add(QueuedPerAccount::<T>::get(&o.owner))
					.min(T::MaxSeriesPerAccount::get());
				let check = Self::cold_check_weight(series);
				// Within the bound of an order's cold checks (the markets kept aside): a maker
				// beyond it is not planned, and matching passes it over.
				let fits = |planned: Weight, more: Weight| {
					planned
						.saturating_add(more)
						.saturating_add(T::Margin::markets_weight(underlyings))
						.all_lte(bound)
				};
				if !counted {
					// Its size is read whether or not its check fits.
					cold.push(&o.owner);
					if !fits(cold_checks, check) {
						passed.push(&o.owner);
						continue;
					}
					cold_checks = cold_checks.saturating_add(check);
				}
				if passed.contains(&&o.owner) {
					continue;
				}
				if o.reduce_only
					&& retries < MAX_MAKER_RETRIES
					&& fits(cold_checks, check.saturating_mul(2))
				{
					retries = retries.saturating_add(1);
					cold_checks = cold_checks.saturating_add(check.saturating_mul(2));
				}
			} else if Self::maker_can_pay(req.side, o, left.min(o.remaining)).unwrap_or(false) {
				left = left.saturating_sub(o.remaining);
			}
		}
		if !cold.is_empty() {
			cold_checks = cold_checks.saturating_add(T::Margin::markets_weight(underlyings));
		}
		steps = if left > 0 { max } else { steps.saturating_add(1).min(max) };
		// The order's series may be new to the taker, and so may those of its orders queued
		// before this one (matched first).
		let taker_series = Self::series_of(who)
			.saturating_add(1)
			.saturating_add(QueuedPerAccount::<T>::get(who))
			.min(T::MaxSeriesPerAccount::get());
		let cold = u32::try_from(cold.len()).unwrap_or(max);
		MatchBudget {
			steps,
			cold,
			cold_checks,
			retries,
			taker_series,
			underlyings,
			mmp_fills,
			greeks,
		}
	}

	/// `place_order`'s work: a post-only order is placed at once; any other is checked, given
	/// its id and queued with its match budget. Returns the id and the weight used.
	pub fn do_submit_order(
		who: &T::AccountId,
		req: OrderRequest,
	) -> Result<(OrderId, Weight), DispatchErrorWithPostInfo> {
		if req.post_only {
			let (id, out) = Self::do_place_order(who, req)?;
			return Ok((id, Self::actual_place_weight(&out)));
		}
		let checked = Self::place_steps_weight(0).saturating_add(Self::mmp_read_weight());
		let info = Self::validate_order(who, &req).map_err(|e| e.with_weight(checked))?;
		let budget = Self::plan_match(who, &req, info.terms.underlying);
		let used = Self::queued_order_weight(budget, &req);
		let index = QueueLength::<T>::get();
		ensure!(index < T::MaxQueuedOrders::get(), Error::<T>::QueueFull.with_weight(used));
		let order_id = Self::next_order_id().map_err(|e| e.with_weight(used))?;
		QueuedOrders::<T>::insert(
			index,
			QueuedOrder { order_id, who: who.clone(), request: req, budget },
		);
		QueueLength::<T>::put(index.saturating_add(1));
		QueuedPerAccount::<T>::mutate(who, |n| *n = n.saturating_add(1));
		Self::deposit_event(Event::OrderPlaced { order_id, who: who.clone(), request: req });
		Ok((order_id, used))
	}

	/// Matches this block's queued orders in arrival order, each in its own storage layer: one
	/// that fails changes nothing (`OrderRejected`). Bounded by `MaxQueuedOrders`; every
	/// order's work was charged at its submission, within its budget.
	pub(crate) fn match_queue() {
		let n = QueueLength::<T>::take();
		for index in 0..n {
			let Some(q) = QueuedOrders::<T>::take(index) else { continue };
			QueuedPerAccount::<T>::mutate_exists(&q.who, |n| {
				*n = n.and_then(|n| n.checked_sub(1)).filter(|n| *n > 0);
			});
			let result =
				with_transaction(|| -> TransactionOutcome<Result<Weight, DispatchError>> {
					match Self::match_queued(&q) {
						Ok(w) => TransactionOutcome::Commit(Ok(w)),
						Err(e) => TransactionOutcome::Rollback(Err(e)),
					}
				});
			match result {
				Ok(used) => {
					// Steps, cold makers and the taker's size are held to the budget: a
					// warning here means a charge below the work, a bug to report.
					let within = used.all_lte(Self::queued_order_weight(q.budget, &q.request));
					// Native debug builds (every pallet and runtime test) hold every order to it.
					debug_assert!(within, "queued order {} used {used:?}", q.order_id);
					if !within {
						log::warn!(
							target: crate::LOG_TARGET,
							"queued order {} used {used:?}, beyond its budget {:?}",
							q.order_id,
							q.budget
						);
					}
				},
				Err(error) => Self::deposit_event(Event::OrderRejected {
					order_id: q.order_id,
					who: q.who,
					error,
				}),
			}
		}
	}

	/// One queued order: checked again (the series, the price's freshness, a reduce-only
	/// position, may have changed since), then matched within its budget. Returns the weight of
	/// its matching.
	fn match_queued(q: &QueuedOrder<T::AccountId>) -> Result<Weight, DispatchError> {
		// Its owner was liquidated after submitting it: it would rest void.
		ensure!(
			VoidBefore::<T>::get(&q.who).is_none_or(|before| q.order_id >= before),
			Error::<T>::OwnerLiquidated
		);
		// Its owner took positions or orders in more series since it was planned: its margin
		// check would cost more than was paid for it.
		let series = AccountSeriesIndex::<T>::get(&q.who);
		let new_series = u32::from(series.binary_search(&q.request.series).is_err());
		// (Beyond `MaxSeriesPerAccount` it fails `TooManySeriesForAccount` before any check.)
		let with_order = (series.len() as u32)
			.saturating_add(new_series)
			.min(T::MaxSeriesPerAccount::get());
		ensure!(with_order <= q.budget.taker_series, Error::<T>::OrderOutgrewBudget);
		let info = Self::validate_order(&q.who, &q.request)?;
		let mut out = PlaceOutcome::default();
		Self::count_resting_check(&q.request, &mut out);
		let mut under_way = Weight::zero();
		Self::execute_order(
			&q.who,
			&q.request,
			q.order_id,
			info,
			q.budget,
			&mut out,
			&mut under_way,
		)?;
		Ok(Self::actual_place_weight(&out))
	}

	/// The weight of what a placement really did: its match steps and the excess of its margin
	/// checks at the real portfolio sizes (the rest is refunded).
	pub(crate) fn actual_place_weight(o: &PlaceOutcome) -> Weight {
		let evicted = if o.evicted { Self::cancel_weight() } else { Weight::zero() };
		let evicted =
			if o.good_till { evicted.saturating_add(Self::good_till_weight()) } else { evicted };
		let steps = o.steps().saturating_add(o.retries);
		// A pass over read the maker's account (its size is in its cold check).
		Self::place_steps_weight(steps)
			.saturating_add(T::DbWeight::get().reads(o.skipped.into()))
			.saturating_add(o.margin_weight)
			.saturating_add(evicted)
			.saturating_add(Self::mmp_read_weight().saturating_mul(o.mmp_reads.into()))
			.saturating_add(Self::mmp_fill_weight().saturating_mul(o.mmp_fills.into()))
			.saturating_add(Self::greeks_weight_of(o.greeks.is_some()))
	}

	/// Count the read of the owner's market-maker protection that validating `req` makes if
	/// it may rest.
	fn count_resting_check(req: &OrderRequest, out: &mut PlaceOutcome) {
		if req.time_in_force.rests() {
			out.mmp_reads = out.mmp_reads.saturating_add(1);
		}
	}

	/// What indexing `req`'s resting remainder costs if it is a good-till-block order.
	pub(crate) fn good_till_weight_of(req: &OrderRequest) -> Weight {
		if req.time_in_force.expires() {
			Self::good_till_weight()
		} else {
			Weight::zero()
		}
	}

	/// The `place_order(k)` benchmark's weight. A fill that opens or closes a position for
	/// the maker or the taker notes it in that account's margin ledger entry, which the fill
	/// reads and writes anyway for the premium and fees (spec 117: no access of its own; spec
	/// 116 kept an index of its own, a read and a write per account).
	pub fn place_steps_weight(k: u32) -> Weight {
		T::WeightInfo::place_order(k)
	}

	/// One match step more in the `place_order` benchmark (linear in its steps; since the
	/// 18:48 run it contains the void check, one read of the maker's [`VoidBefore`] entry).
	pub(crate) fn step_weight() -> Weight {
		Self::place_steps_weight(1).saturating_sub(Self::place_steps_weight(0))
	}

	/// A fee of `per_contract * quantity`, capped at `FeeCap` of `premium` (rounded down).
	pub(crate) fn fee(
		per_contract: Balance,
		quantity: Contracts,
		premium: Balance,
	) -> Result<Balance, DispatchError> {
		let raw = Self::premium(per_contract, quantity)?;
		let cap = T::FeeCap::get().mul_floor(premium);
		Ok(raw.min(cap))
	}

	/// Check and place an order at once (a post-only order; the benchmarks' set-up); match it
	/// (any maker, warm or cold); rest or cancel its remainder. Returns the new order id and
	/// what happened. Must run inside a storage transaction (every extrinsic does): on an
	/// error, partial fills are rolled back by the caller's transaction. The error carries the
	/// weight used until then (its writes are undone, but its reads and computation were made):
	/// the work done (`actual_place_weight`) plus the work under way when it failed.
	pub fn do_place_order(
		who: &T::AccountId,
		req: OrderRequest,
	) -> Result<(OrderId, PlaceOutcome), DispatchErrorWithPostInfo> {
		let mut out = PlaceOutcome::default();
		let mut under_way = Weight::zero();
		match Self::try_place_order(who, req, &mut out, &mut under_way) {
			Ok(order_id) => Ok((order_id, out)),
			Err(e) => Err(e.with_weight(Self::actual_place_weight(&out).saturating_add(under_way))),
		}
	}

	/// [`Self::do_place_order`]'s work. `under_way`: the weight of work begun but not yet in
	/// `out`, set before each part that can fail (a match step; a margin check, whose size is
	/// unknown when it fails; resting on a full side, which may evict an order first).
	fn try_place_order(
		who: &T::AccountId,
		req: OrderRequest,
		out: &mut PlaceOutcome,
		under_way: &mut Weight,
	) -> Result<OrderId, DispatchError> {
		// `validate_order` reads the owner's protection if the order may rest.
		Self::count_resting_check(&req, out);
		let info = Self::validate_order(who, &req)?;
		let order_id = Self::next_order_id()?;
		Self::deposit_event(Event::OrderPlaced { order_id, who: who.clone(), request: req });
		Self::execute_order(who, &req, order_id, info, Self::full_budget(), out, under_way)?;
		Ok(order_id)
	}

	/// Matches the placed order `order_id` within `budget`, rests or cancels its remainder, and
	/// checks its owner. `under_way` as in [`Self::try_place_order`].
	#[allow(clippy::too_many_arguments)]
	fn execute_order(
		who: &T::AccountId,
		req: &OrderRequest,
		order_id: OrderId,
		mut info: SeriesInfo,
		budget: MatchBudget,
		out: &mut PlaceOutcome,
		under_way: &mut Weight,
	) -> DispatchResult {
		let req = *req;
		// The taker's figures before the order: an account under a margin call may place a
		// reduce-only or immediate order that lowers its risk.
		let before = if Self::takes_snapshot(&req) {
			*under_way = T::Margin::margin_check_weight();
			let (before, w) = T::Margin::margin_snapshot(who)?;
			*under_way = Weight::zero();
			// (Not part of the `place_order` benchmark yet: charged in full.)
			out.margin_weight = w;
			Some(before)
		} else {
			None
		};

		let series = req.series;
		let maker_side = opposite(req.side);
		let mut book = Books::<T>::get(series, maker_side);
		if req.post_only {
			let takes = Self::best_live(&book).is_some_and(|p| crosses(req.side, req.price, p));
			ensure!(!takes, Error::<T>::PostOnlyWouldTake);
		}

		let mut remaining = req.quantity;
		let max_steps = budget.steps.min(T::MaxFillsPerOrder::get());
		let max_skips = T::MaxFillsPerOrder::get();
		// The cold makers sized in this order, with their series.
		let mut sized: alloc::vec::Vec<(T::AccountId, u32)> = alloc::vec::Vec::new();
		while remaining > 0 && out.steps() < max_steps && out.skipped < max_skips {
			*under_way = Self::step_weight();
			let go_on = Self::match_step(
				who,
				&req,
				order_id,
				&mut info,
				&mut book,
				&mut remaining,
				&budget,
				out,
				&mut sized,
			)?;
			*under_way = Weight::zero();
			if !go_on {
				break;
			}
		}
		let still_crosses = Self::best_live(&book).is_some_and(|p| crosses(req.side, req.price, p));
		Self::write_book(series, maker_side, book);

		if remaining > 0 {
			if req.time_in_force.rests() && !still_crosses {
				*under_way = Self::cancel_weight();
			}
			Self::place_remainder(who, &req, order_id, &mut info, remaining, still_crosses, out)?;
			*under_way = Weight::zero();
		}
		// A failed check is charged in full, as a maker's.
		*under_way = Self::extra_check_weight(T::Margin::margin_check_weight());
		Self::check_taker(who, &req, before.as_ref(), out)?;
		*under_way = Weight::zero();
		Series::<T>::insert(series, info);
		Ok(())
	}

	/// Validates `req` for `who` (quantity, series trading, price tick, time in force, and
	/// reduce-only or a fresh oracle); returns the series.
	fn validate_order(who: &T::AccountId, req: &OrderRequest) -> Result<SeriesInfo, DispatchError> {
		ensure!(
			req.quantity > 0 && req.quantity <= T::MaxOrderQuantity::get(),
			Error::<T>::InvalidQuantity
		);
		let info = Series::<T>::get(req.series).ok_or(Error::<T>::UnknownSeries)?;
		Self::ensure_trading(&info)?;
		Self::ensure_on_tick(&info, req.price)?;
		ensure!(!req.post_only || req.time_in_force.rests(), Error::<T>::InvalidTimeInForce);
		let max: u32 = T::MaxCancelDelay::get().unique_saturated_into();
		match req.time_in_force {
			TimeInForce::GoodTillBlock(n) => {
				let now = Self::block_now();
				ensure!(n >= now, Error::<T>::GoodTillPassed);
				ensure!(n <= now.saturating_add(max), Error::<T>::GoodTillTooFar);
			},
			TimeInForce::GoodTillTime(t) => {
				let now = Self::now();
				ensure!(t >= now, Error::<T>::GoodTillPassed);
				let horizon = T::MinBlockInterval::get().saturating_mul(max.into());
				ensure!(t <= now.saturating_add(horizon), Error::<T>::GoodTillTooFar);
			},
			_ => {},
		}
		if req.reduce_only {
			let allowed = reducible(req.side, Self::net_position(req.series, who));
			ensure!(req.quantity <= allowed, Error::<T>::ReduceOnlyWouldIncrease);
		} else {
			T::Margin::ensure_can_increase_risk(who, info.terms.underlying)?;
		}
		// Nothing rests where the owner's market-maker protection is frozen (one read).
		if req.time_in_force.rests() {
			Self::ensure_not_frozen(who, info.terms.underlying)?;
		}
		Ok(info)
	}

	/// One match step against the best resting order of `book`: a self-trade or an outlived
	/// reduce-only order is cancelled; otherwise a fill of `min(remaining, maker's remaining)`
	/// with the maker's margin check (a maker that cannot pay or carry it loses its order).
	/// A maker that is not warm whose evaluation, at its size, would exceed what is left of
	/// the budget's `cold_checks` is passed over; a retry needs one left in `retries` and room
	/// for two more checks. Returns whether matching goes on
	/// (`false` once the best order not passed over no longer crosses).
	#[allow(clippy::too_many_arguments)]
	fn match_step(
		who: &T::AccountId,
		req: &OrderRequest,
		order_id: OrderId,
		info: &mut SeriesInfo,
		book: &mut BookSideOf<T>,
		remaining: &mut Contracts,
		budget: &MatchBudget,
		out: &mut PlaceOutcome,
		sized: &mut alloc::vec::Vec<(T::AccountId, u32)>,
	) -> Result<bool, DispatchError> {
		let series = req.series;
		let maker_side = opposite(req.side);
		// The best order not passed over.
		let at = out.skipped as usize;
		let Some(maker) = book.get(at).cloned() else { return Ok(false) };
		if !crosses(req.side, req.price, maker.price) {
			return Ok(false);
		}
		// Self-trade prevention: cancel the resting (older) order, keep matching.
		if &maker.owner == who {
			Self::cancel_in_book(info, series, maker_side, book, at, CancelReason::SelfTrade)?;
			out.cancels = out.cancels.saturating_add(1);
			return Ok(true);
		}
		// An order its owner's liquidation or dead-man's switch voided never fills: removed,
		// keep matching.
		if Self::is_void(&maker) {
			Self::cancel_in_book(info, series, maker_side, book, at, CancelReason::Voided)?;
			out.cancels = out.cancels.saturating_add(1);
			return Ok(true);
		}
		// Nor does a good-till-block order past its block.
		if Self::is_past_good_till(&maker) {
			Self::cancel_in_book(
				info,
				series,
				maker_side,
				book,
				at,
				CancelReason::GoodTillReached,
			)?;
			out.cancels = out.cancels.saturating_add(1);
			return Ok(true);
		}
		// Nor does one void by its owner's market-maker protection (tripped since it was
		// placed).
		let underlying = info.terms.underlying;
		let protection = Self::mmp_state(&maker.owner, underlying);
		out.mmp_reads = out.mmp_reads.saturating_add(1);
		if Self::mmp_void(protection.as_ref(), maker.id, Self::block_now()) {
			Self::cancel_in_book(info, series, maker_side, book, at, CancelReason::MmpTripped)?;
			out.cancels = out.cancels.saturating_add(1);
			return Ok(true);
		}
		// A maker with limits is counted: one the budget did not plan for (it set them after
		// the order was queued) is passed over, not filled uncounted.
		let limits = protection.and_then(|p| p.limits);
		if let Some(l) = limits {
			let greeks_paid = !l.needs_greeks() || out.greeks.is_some() || budget.greeks;
			if out.mmp_fills >= budget.mmp_fills || !greeks_paid {
				out.skipped = out.skipped.saturating_add(1);
				return Ok(true);
			}
		}
		// The series' greeks, priced once per order for a maker with a delta or vega limit,
		// before any other work on the step; if they cannot be priced, its order is passed
		// over (it neither fills unmeasured nor trips: a trip would let anybody freeze it for
		// the price of one order).
		let mut greeks = None;
		if limits.is_some_and(|l| l.needs_greeks()) {
			greeks = Self::order_greeks(&info.terms, out);
			if greeks.is_none() {
				out.skipped = out.skipped.saturating_add(1);
				return Ok(true);
			}
		}
		// A resting reduce-only order may have outlived (part of) its position.
		if maker.reduce_only {
			let allowed = reducible(maker_side, Self::net_position(series, &maker.owner));
			if allowed == 0 {
				Self::cancel_in_book(info, series, maker_side, book, at, CancelReason::ReduceOnly)?;
				out.cancels = out.cancels.saturating_add(1);
				return Ok(true);
			}
			if maker.remaining > allowed {
				Self::trim_resting(series, maker_side, book, at, allowed)?;
			}
		}
		let maker = book.get(at).cloned().ok_or(Error::<T>::UnknownOrder)?;
		// A fill would open a position for a maker at its cap of series with one: its order is
		// cancelled before any evaluation (it spends none of the order's cold budget).
		if !Self::maker_can_hold(series, &maker.owner) {
			Self::cancel_in_book(
				info,
				series,
				maker_side,
				book,
				at,
				CancelReason::PositionSeriesCap,
			)?;
			out.cancels = out.cancels.saturating_add(1);
			return Ok(true);
		}
		let warm = T::Margin::is_warm_maker(&maker.owner);
		// A cold maker's evaluation, at its size (a failed one is charged the same). A cold
		// maker not planned (it came after the order was queued, or grew) is passed over: it
		// keeps its place and matching goes on with the next order. Sizes are read for at most
		// the planned cold makers.
		let mut cold_check = Weight::zero();
		if !warm {
			// Each cold maker's size is read once per order (the plan counts makers, not their
			// orders): a maker met again (its check failed, or did not fit) is not sized again.
			let series = match sized.iter().find(|(o, _)| *o == maker.owner) {
				Some((_, n)) => *n,
				None => {
					if out.sized >= budget.cold {
						out.skipped = out.skipped.saturating_add(1);
						return Ok(true);
					}
					out.sized = out.sized.saturating_add(1);
					let n = Self::series_of(&maker.owner);
					sized.push((maker.owner.clone(), n));
					n
				},
			};
			// The markets of further underlyings are read once in the execution: charged with
			// its first cold maker admitted (one passed over reads nothing).
			let markets = if out.cold == 0 {
				T::Margin::markets_weight(budget.underlyings)
			} else {
				Weight::zero()
			};
			cold_check = Self::cold_check_weight(series);
			let spent = out.cold_checks.saturating_add(cold_check).saturating_add(markets);
			if !spent.all_lte(budget.cold_checks) {
				out.skipped = out.skipped.saturating_add(1);
				return Ok(true);
			}
			out.cold = out.cold.saturating_add(1);
			out.cold_checks = spent;
			out.margin_weight = out.margin_weight.saturating_add(markets);
		}
		let quantity = (*remaining).min(maker.remaining);
		// The fill and the maker's margin check run in their own storage layer: a maker that
		// cannot pay for the fill (premium or fee) or can no longer carry its resting order
		// loses the order, the fill is undone and matching goes on. One maker at the top of
		// the book therefore cannot make every incoming order fail.
		let info_before = *info;
		// A reduce-only maker order reduces risk: it may fill on a stale price, and under a
		// margin call when the fill lowers its owner's risk.
		let maker_fresh = !maker.reduce_only;
		let mut step = Self::try_fill(
			info,
			series,
			who,
			order_id,
			req.side,
			&maker,
			quantity,
			maker_fresh,
			warm,
			None,
		)?;
		// (Only a cold maker fails its check: `cold_check` is its size.)
		let retry_checks = out.cold_checks.saturating_add(cold_check.saturating_mul(2));
		let can_retry = out.retries < budget.retries.min(MAX_MAKER_RETRIES)
			&& retry_checks.all_lte(budget.cold_checks);
		if step == MakerStep::BelowMargin && maker.reduce_only && !can_retry {
			// A reduce-only order may lower its owner's risk under a margin call: with no retry
			// left to find out, it is passed over, not cancelled.
			*info = info_before;
			out.margin_weight = out.margin_weight.saturating_add(cold_check);
			out.skipped = out.skipped.saturating_add(1);
			return Ok(true);
		}
		if step == MakerStep::BelowMargin && maker.reduce_only {
			// Under a margin call: compare with the maker's figures before the fill.
			*info = info_before;
			// The failed check, the snapshot and the retried step. A maker whose figures
			// cannot be read loses its order.
			out.cold_checks = retry_checks;
			out.margin_weight = out.margin_weight.saturating_add(cold_check);
			out.retries = out.retries.saturating_add(1);
			match T::Margin::margin_snapshot(&maker.owner) {
				Ok((before, w)) => {
					out.margin_weight = out.margin_weight.saturating_add(w);
					step = Self::try_fill(
						info,
						series,
						who,
						order_id,
						req.side,
						&maker,
						quantity,
						maker_fresh,
						false,
						Some(&before),
					)?;
				},
				Err(_) => out.margin_weight = out.margin_weight.saturating_add(cold_check),
			}
		}
		// A warm maker's fill is not checked (zero); a cold maker's check, passed or failed, as
		// charged: a further check in this execution at its size as read before it.
		let filled = matches!(step, MakerStep::Filled(_));
		let check = match step {
			MakerStep::Filled(w) if warm => w,
			_ => cold_check,
		};
		out.margin_weight = out.margin_weight.saturating_add(check);
		if !filled {
			*info = info_before;
			let reason = match step {
				MakerStep::CannotPay => CancelReason::MakerCannotPay,
				MakerStep::AtPositionCap => CancelReason::PositionSeriesCap,
				_ => CancelReason::ByMargin,
			};
			Self::cancel_in_book(info, series, maker_side, book, at, reason)?;
			out.cancels = out.cancels.saturating_add(1);
			return Ok(true);
		}
		*remaining = remaining.checked_sub(quantity).ok_or(Error::<T>::Overflow)?;
		out.fills = out.fills.saturating_add(1);
		// Counted against the maker's limits; a trip voids the rest of its orders on the
		// underlying (this one's remainder included: the next step removes it).
		if let Some(p) = protection.filter(|p| p.limits.is_some()) {
			out.mmp_fills = out.mmp_fills.saturating_add(1);
			Self::mmp_count_fill(&maker.owner, underlying, p, quantity, greeks);
		}

		// Update the maker order in the book (`fill` already released the filled part of the
		// maker's exposure).
		let left = maker.remaining.checked_sub(quantity).ok_or(Error::<T>::Overflow)?;
		if let Some(order) = book.get_mut(at) {
			order.remaining = left;
		}
		if left == 0 && at < book.len() {
			let done = book.remove(at);
			Self::unlink_order(info, series, maker_side, &done)?;
		}
		Ok(true)
	}

	/// The unfilled `remaining` of the order: a fill-or-kill order fails, an immediate-or-cancel
	/// remainder is cancelled, a good-till-cancelled one rests (or is cancelled if the fill
	/// limit was reached while it still crosses the book).
	#[allow(clippy::too_many_arguments)]
	fn place_remainder(
		who: &T::AccountId,
		req: &OrderRequest,
		order_id: OrderId,
		info: &mut SeriesInfo,
		remaining: Contracts,
		still_crosses: bool,
		out: &mut PlaceOutcome,
	) -> DispatchResult {
		let series = req.series;
		let cancel = |reason| {
			Self::deposit_event(Event::OrderCancelled {
				order_id,
				who: who.clone(),
				series,
				remaining,
				reason,
			})
		};
		match req.time_in_force {
			TimeInForce::FillOrKill => return Err(Error::<T>::FillOrKillNotFilled.into()),
			TimeInForce::ImmediateOrCancel => cancel(CancelReason::ImmediateOrCancelRemainder),
			TimeInForce::GoodTillCancelled
			| TimeInForce::GoodTillBlock(_)
			| TimeInForce::GoodTillTime(_)
				if still_crosses =>
			{
				cancel(CancelReason::FillLimitReached)
			},
			TimeInForce::GoodTillCancelled
			| TimeInForce::GoodTillBlock(_)
			| TimeInForce::GoodTillTime(_) => {
				out.evicted = Self::rest_new_order(
					info,
					who,
					order_id,
					series,
					req.side,
					req.price,
					remaining,
					req.reduce_only,
					Self::good_till_of(req),
				)?;
				out.rested = true;
				out.good_till = req.time_in_force.expires();
			},
		}
		Ok(())
	}

	/// The taker must meet its initial requirement with everything its order did (its fills and
	/// its resting remainder). One check at the end is exact: the extrinsic is atomic, so no
	/// intermediate state of the taker is ever stored. A reduce-only order may proceed on a
	/// stale price. Under a margin call, an order that lowered the taker's risk passes (a
	/// reduce-only, immediate-or-cancel or fill-or-kill order, compared with `before`).
	fn check_taker(
		who: &T::AccountId,
		req: &OrderRequest,
		before: Option<&MarginSnapshot>,
		out: &mut PlaceOutcome,
	) -> DispatchResult {
		if out.fills == 0 && !out.rested {
			return Ok(());
		}
		let w = T::Margin::ensure_initial_margin(who, !req.reduce_only, before).map_err(
			|e| match e {
				MarginCheckError::BelowInitial => Error::<T>::TakerInsufficientMargin.into(),
				MarginCheckError::Other(e) => e,
			},
		)?;
		out.margin_weight = out.margin_weight.saturating_add(Self::extra_check_weight(w));
		Ok(())
	}

	/// One fill and the maker's margin check. A warm maker (evaluated in this block with its
	/// fills covered: its check cannot fail) that can pay its side fills directly; any other
	/// maker's fill and check run in a storage layer of their own, kept only if the maker could
	/// pay and passed its check. A taker's failure to pay, or a cap, fails the whole placement.
	#[allow(clippy::too_many_arguments)]
	fn try_fill(
		info: &mut SeriesInfo,
		series: SeriesId,
		taker: &T::AccountId,
		taker_order: OrderId,
		taker_side: Side,
		maker: &BookOrder<T::AccountId>,
		quantity: Contracts,
		maker_fresh: bool,
		warm: bool,
		reducing_from: Option<&MarginSnapshot>,
	) -> Result<MakerStep, DispatchError> {
		// (A maker at its cap of series with a position never gets here: `match_step`
		// cancels its order first.)
		if reducing_from.is_none() && warm && Self::maker_can_pay(taker_side, maker, quantity)? {
			return match Self::fill(info, series, taker, taker_order, taker_side, maker, quantity) {
				Ok(()) => {
					// Zero weight for a warm maker (and, in native debug builds, the check
					// that it still meets its initial requirement). Were it not warm after
					// all, a failure here fails the placement: nothing half-done is kept.
					let w = T::Margin::ensure_maker_margin(&maker.owner, maker_fresh, None)
						.map_err(|_| Error::<T>::MakerNotWarm)?;
					Ok(MakerStep::Filled(w))
				},
				Err(FillError::Maker | FillError::MakerAtCap) => {
					Err(Error::<T>::MakerNotWarm.into())
				},
				Err(FillError::Other(e)) => Err(e),
			};
		}
		with_transaction(|| -> TransactionOutcome<Result<MakerStep, DispatchError>> {
			match Self::fill(info, series, taker, taker_order, taker_side, maker, quantity) {
				Ok(()) => {},
				Err(FillError::Maker) => {
					return TransactionOutcome::Rollback(Ok(MakerStep::CannotPay))
				},
				Err(FillError::MakerAtCap) => {
					return TransactionOutcome::Rollback(Ok(MakerStep::AtPositionCap))
				},
				Err(FillError::Other(e)) => return TransactionOutcome::Rollback(Err(e)),
			}
			match T::Margin::ensure_maker_margin(&maker.owner, maker_fresh, reducing_from) {
				Ok(w) => TransactionOutcome::Commit(Ok(MakerStep::Filled(w))),
				Err(_) => TransactionOutcome::Rollback(Ok(MakerStep::BelowMargin)),
			}
		})
	}

	/// Whether a fill leaves `who` within its cap of series with a position: it holds one in
	/// `series` already, or has room for another (`match_step` cancels a maker's order that
	/// has none before it fills).
	fn maker_can_hold(series: SeriesId, who: &T::AccountId) -> bool {
		use frame_support::traits::Contains;
		Self::net_position(series, who) != 0
			|| T::UncappedAccounts::contains(who)
			|| T::Margin::position_series(who).len()
				< T::MaxPositionSeriesPerAccount::get() as usize
	}

	/// Whether `maker`'s collateral covers what it pays in a fill of `quantity`: the premium if
	/// it buys, and its fee.
	fn maker_can_pay(
		taker_side: Side,
		maker: &BookOrder<T::AccountId>,
		quantity: Contracts,
	) -> Result<bool, DispatchError> {
		let premium = Self::premium(maker.price, quantity)?;
		let fee = Self::fee(T::MakerFeePerContract::get(), quantity, premium)?;
		let pays = if taker_side == Side::Sell { premium.saturating_add(fee) } else { fee };
		Ok(T::Margin::collateral(&maker.owner) >= pays)
	}

	/// One fill of `quantity` at the maker's price: premium buyer -> seller, fees, positions,
	/// the maker's resting exposure, open interest (with its caps). A payment the maker cannot
	/// make is [`FillError::Maker`].
	fn fill(
		info: &mut SeriesInfo,
		series: SeriesId,
		taker: &T::AccountId,
		taker_order: OrderId,
		taker_side: Side,
		maker: &BookOrder<T::AccountId>,
		quantity: Contracts,
	) -> Result<(), FillError> {
		let price = maker.price;
		let premium = Self::premium(price, quantity)?;
		let (buyer, seller) = match taker_side {
			Side::Buy => (taker, &maker.owner),
			Side::Sell => (&maker.owner, taker),
		};
		let buyer_is_maker = buyer == &maker.owner;
		T::Margin::transfer(buyer, seller, premium).map_err(|e| {
			if buyer_is_maker {
				FillError::Maker
			} else {
				FillError::Other(e)
			}
		})?;
		let maker_fee = Self::fee(T::MakerFeePerContract::get(), quantity, premium)?;
		let taker_fee = Self::fee(T::TakerFeePerContract::get(), quantity, premium)?;
		if maker_fee > 0 {
			T::Margin::charge_fee(&maker.owner, maker_fee).map_err(|_| FillError::Maker)?;
		}
		if taker_fee > 0 {
			T::Margin::charge_fee(taker, taker_fee)?;
		}

		// Positions, and the open-interest change they make.
		let maker_side = opposite(taker_side);
		let mut oi_delta: Contracts = 0;
		for (who, delta) in
			[(buyer, quantity), (seller, quantity.checked_neg().ok_or(Error::<T>::Overflow)?)]
		{
			let d = Self::mutate_entry(series, who, |e| -> Result<Contracts, DispatchError> {
				let old = e.net;
				e.net = old.checked_add(delta).ok_or(Error::<T>::Overflow)?;
				if who == &maker.owner {
					Self::adjust_exposure(e, maker_side, price, quantity, false)?;
				}
				Ok(long_part(e.net) - long_part(old))
			})
			.map_err(|e| {
				// A maker at its cap of series with a position loses its order.
				if who == &maker.owner && e == Error::<T>::TooManyPositionSeries.into() {
					FillError::MakerAtCap
				} else {
					FillError::Other(e)
				}
			})?;
			oi_delta = oi_delta.checked_add(d).ok_or(Error::<T>::Overflow)?;
		}
		Self::apply_open_interest(info, oi_delta, true)?;

		Self::deposit_event(Event::OrderFilled {
			series,
			maker_order: maker.id,
			taker_order,
			maker: maker.owner.clone(),
			taker: taker.clone(),
			taker_side,
			price,
			quantity,
			premium,
			maker_fee,
			taker_fee,
		});
		Ok(())
	}

	/// Change the open interest of a series (in memory) and of its underlying (in storage) by
	/// `delta`; an increase fails above the caps if `enforce_caps`.
	pub(crate) fn apply_open_interest(
		info: &mut SeriesInfo,
		delta: Contracts,
		enforce_caps: bool,
	) -> DispatchResult {
		if delta == 0 {
			return Ok(());
		}
		let underlying = info.terms.underlying;
		let series_oi = info.open_interest.checked_add(delta).ok_or(Error::<T>::Overflow)?;
		let total = UnderlyingOpenInterest::<T>::get(underlying)
			.checked_add(delta)
			.ok_or(Error::<T>::Overflow)?;
		ensure!(series_oi >= 0 && total >= 0, Error::<T>::Overflow);
		if enforce_caps && delta > 0 {
			let cfg = UnderlyingConfigs::<T>::get(underlying)
				.ok_or(Error::<T>::UnderlyingNotConfigured)?;
			ensure!(
				series_oi <= cfg.max_series_open_interest
					&& total <= cfg.max_underlying_open_interest,
				Error::<T>::OpenInterestCapExceeded
			);
		}
		info.open_interest = series_oi;
		if total == 0 {
			UnderlyingOpenInterest::<T>::remove(underlying);
		} else {
			UnderlyingOpenInterest::<T>::insert(underlying, total);
		}
		Ok(())
	}
}
