//! Warm makers: an account evaluated in this block, whose spare margin covers every fill of
//! its resting orders, is not evaluated again when those orders fill (issue 15, item 3).
//!
//! **Claim.** Let an account meet its initial requirement (`IE >= IM`) on fresh prices in
//! block `n`, with `IE - IM >= W`, where `W` is the mark value of its resting sells (rounded
//! up) plus [`WARM_ROUNDING_PER_CONTRACT`] units per resting contract. Then, while prices, time
//! and parameters stay those of block `n` (they change only between blocks: the oracle
//! aggregates in `on_finalize`, parameters apply in `on_initialize`), any sequence of fills of
//! its resting orders, each inside its order's limit, leaves `IE >= IM`:
//! - a **buy** of `q` at `p` costs `q p` and the fee; the order's reserved premium falls by
//!   exactly `q p`, the fee reserve `min(F C, floor(cap P))` by at least the fee (checked case
//!   by case in the README), the requirement of the series' shorts and sells cannot rise (the
//!   net rises), a long's credit cannot fall: `IE - IM` falls by at most the rounding;
//! - a **sell** of `q` at `p >= 0` brings `q p` and costs the fee (covered as above); going
//!   short adds a liability of `q` times the mark (and one unit of rounding), while the short's
//!   requirement and the resting sells' term telescope (`req(max(sell - net, 0))` is unchanged:
//!   the sell and the net fall together); reducing a long loses at most its credited mark
//!   value. So `IE - IM` falls by at most `q` times the mark plus the rounding.
//!
//! Summed over every contract that can fill, the fall is at most `W`. Fills are the only
//! changes such an account sees without a new evaluation: every other debit (a withdrawal, a
//! settlement, a liquidation's payment or penalty, a debt) and a long's settlement (its payout
//! may be less than the credited value: a socialised loss, rounding; `settle_account` runs in
//! the extrinsic phase) clear the stamp (`settle_account` then evaluates an account that was
//! warm again, at its caller's cost: `warm_again`), a parameter change voids every stamp of its block
//! (`WarmVoidAt`: an announced change raises requirements at once), an account in debt or with
//! an expired position whose settlement price is not fixed (governance may force it mid-block)
//! is never warm, and every new
//! resting order, quote or order as a taker ends in an evaluation that sets or clears it. An
//! account that receives positions by a liquidation takeover is either the insurance account
//! (never warm) or a liquidator, evaluated again at the end of the liquidation.

use crate::{pallet::*, types::Risk, WARM_ROUNDING_PER_CONTRACT};
use frame_system::pallet_prelude::BlockNumberFor;
use optionchain_pricing::Rounding;
use optionchain_primitives::OracleProvider;
use sp_runtime::traits::UniqueSaturatedInto;

impl<T: Config> Pallet<T> {
	/// The current block, as stored in [`crate::AccountInfo::checked_at`].
	pub(crate) fn stamp_now() -> u32 {
		let n: BlockNumberFor<T> = frame_system::Pallet::<T>::block_number();
		n.unique_saturated_into()
	}

	/// Whether `who` is warm in this block (see the module documentation).
	pub(crate) fn is_warm(who: &T::AccountId) -> bool {
		let now = Self::stamp_now();
		now != 0
			&& WarmVoidAt::<T>::get() != now
			&& Accounts::<T>::get(who).is_some_and(|a| a.checked_at == now)
	}

	/// `W` of the module documentation for `risk`: the mark value of its resting sells
	/// (rounded up) plus the rounding allowance per resting contract.
	pub(crate) fn resting_fill_cost(risk: &Risk) -> Result<u128, Error<T>> {
		let mut cost: u128 = 0;
		for of in risk.orders.iter() {
			let o = &of.exposure;
			let sell = o.sell_contracts.max(0);
			let contracts = u128::try_from(o.buy_contracts.max(0))
				.ok()
				.zip(u128::try_from(sell).ok())
				.and_then(|(b, s)| b.checked_add(s))
				.ok_or(Error::<T>::Overflow)?;
			let rounding =
				contracts.checked_mul(WARM_ROUNDING_PER_CONTRACT).ok_or(Error::<T>::Overflow)?;
			cost = cost.checked_add(rounding).ok_or(Error::<T>::Overflow)?;
			if let (true, Some(u)) = (sell > 0, of.unit.as_ref()) {
				let cs = Self::fx(o.terms.contract_size)?;
				let v = Self::contracts_amount(
					u.mark,
					cs,
					i128::from(sell),
					Rounding::Up,
					Rounding::Up,
				)?;
				let v = u128::try_from(v).map_err(|_| Error::<T>::Overflow)?;
				cost = cost.checked_add(v).ok_or(Error::<T>::Overflow)?;
			}
		}
		Ok(cost)
	}

	/// Whether an evaluation `risk` of an account (not under liquidation, not in debt) makes it
	/// warm. An expired position whose settlement price is not fixed yet rules it out: governance
	/// may force that price within the block (`force_settlement_price`), which changes the
	/// position's value and requirement at once.
	pub(crate) fn warm_by(risk: &Risk) -> Result<bool, Error<T>> {
		if !risk.all_fresh || !Self::meets(risk.initial_equity, risk.initial) {
			return Ok(false);
		}
		let unfixed = risk.positions.iter().any(|f| {
			f.unit.expired
				&& T::Oracle::settlement_price(f.position.terms.underlying, f.position.terms.expiry)
					.is_none()
		});
		if unfixed {
			return Ok(false);
		}
		let spare = i128::try_from(risk.initial)
			.ok()
			.and_then(|im| risk.initial_equity.checked_sub(im))
			.ok_or(Error::<T>::Overflow)?;
		let cost =
			i128::try_from(Self::resting_fill_cost(risk)?).map_err(|_| Error::<T>::Overflow)?;
		Ok(spare >= cost)
	}

	/// After an evaluation `risk` of `who` that allowed its action: stamp it warm for this block,
	/// or clear an older stamp (writes only on a change).
	pub(crate) fn set_warm(who: &T::AccountId, risk: &Risk) {
		let now = Self::stamp_now();
		let Some(mut info) = Accounts::<T>::get(who) else { return };
		let warm = !info.in_liquidation
			&& info.debt == 0
			&& now != 0
			&& WarmVoidAt::<T>::get() != now
			// An overflow in the cover (not reachable with bounded orders) makes it cold, never
			// fails the action that was checked.
			&& Self::warm_by(risk).unwrap_or(false);
		let at = if warm { now } else { 0 };
		if info.checked_at != at {
			info.checked_at = at;
			Accounts::<T>::insert(who, info);
		}
	}

	/// `who` is no longer warm (its equity changed outside a fill: a long settled).
	pub(crate) fn make_cold(who: &T::AccountId) {
		Accounts::<T>::mutate(who, |a| {
			if let Some(a) = a {
				a.checked_at = 0;
			}
		});
	}

	/// Native debug builds (the pallet's and the runtime's tests): a warm maker after a fill
	/// still meets its initial requirement, as the module documentation claims. The chain
	/// itself never evaluates it.
	#[cfg(any(test, all(feature = "std", debug_assertions)))]
	pub(crate) fn check_warm_fill(who: &T::AccountId) {
		let risk = Self::risk_of(who).expect("a warm maker can be evaluated");
		assert!(
			Self::meets(risk.initial_equity, risk.initial),
			"a fill took a warm maker below its initial requirement: IE {} < IM {}",
			risk.initial_equity,
			risk.initial
		);
	}
}
