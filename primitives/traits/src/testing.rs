//! A configurable in-memory [`OracleProvider`] for the mock runtimes of other pallets.
//!
//! State is thread-local, so every `#[test]` (each runs on its own thread) starts empty; call
//! [`MockOracle::reset`] to clear it within a test.
//!
//! ```
//! use optionchain_primitives::{testing::MockOracle, units, OracleProvider, PriceStatus};
//! MockOracle::set_price(0, units::whole(60_000), PriceStatus::Fresh);
//! assert_eq!(MockOracle::fresh_index_price(0).unwrap().price, units::whole(60_000));
//! MockOracle::set_status(0, PriceStatus::Stale);
//! assert!(MockOracle::fresh_index_price(0).is_err());
//! ```

extern crate std;

use crate::*;
use core::cell::RefCell;
use std::collections::BTreeMap;

#[derive(Default)]
struct State {
	prices: BTreeMap<UnderlyingId, IndexPrice>,
	vols: BTreeMap<UnderlyingId, IndexVolatility>,
	settlements: BTreeMap<(UnderlyingId, Moment), Price>,
	scheduled: std::vec::Vec<(UnderlyingId, Moment)>,
	schedule_error: Option<sp_runtime::DispatchError>,
	read_weight: Weight,
}

std::thread_local! {
	static STATE: RefCell<State> = RefCell::new(State::default());
}

/// An [`OracleProvider`] whose answers are set by the test.
pub struct MockOracle;

impl MockOracle {
	/// Forget everything.
	pub fn reset() {
		STATE.with(|s| *s.borrow_mut() = State::default());
	}
	/// Set the index price of `id` (confidence 0, timestamp/block 0).
	pub fn set_price(id: UnderlyingId, price: Price, status: PriceStatus) {
		Self::set_index_price(
			id,
			IndexPrice { price, confidence: Price::default(), status, updated_at: 0, block: 0 },
		);
	}
	/// Set the full index price record of `id`.
	pub fn set_index_price(id: UnderlyingId, p: IndexPrice) {
		STATE.with(|s| s.borrow_mut().prices.insert(id, p));
	}
	/// Change only the status of `id`'s price (no-op if it has none).
	pub fn set_status(id: UnderlyingId, status: PriceStatus) {
		STATE.with(|s| {
			if let Some(p) = s.borrow_mut().prices.get_mut(&id) {
				p.status = status;
			}
		});
	}
	/// Remove `id`'s price.
	pub fn remove_price(id: UnderlyingId) {
		STATE.with(|s| s.borrow_mut().prices.remove(&id));
	}
	/// Set the volatility of `id` (confidence 0, timestamp/block 0).
	pub fn set_volatility(id: UnderlyingId, volatility: Volatility, status: PriceStatus) {
		let v = IndexVolatility {
			volatility,
			confidence: Volatility::default(),
			status,
			updated_at: 0,
			block: 0,
		};
		STATE.with(|s| s.borrow_mut().vols.insert(id, v));
	}
	/// Fix the settlement price of `(id, expiry)`.
	pub fn set_settlement_price(id: UnderlyingId, expiry: Moment, price: Price) {
		STATE.with(|s| s.borrow_mut().settlements.insert((id, expiry), price));
	}
	/// Make `schedule_settlement` fail with `e` (or succeed again with `None`).
	pub fn set_schedule_error(e: Option<sp_runtime::DispatchError>) {
		STATE.with(|s| s.borrow_mut().schedule_error = e);
	}
	/// The `(id, expiry)` pairs passed to `schedule_settlement`, in call order, deduplicated.
	pub fn scheduled() -> std::vec::Vec<(UnderlyingId, Moment)> {
		STATE.with(|s| s.borrow().scheduled.clone())
	}
	/// Set the value returned by `read_weight` and `schedule_weight`.
	pub fn set_read_weight(w: Weight) {
		STATE.with(|s| s.borrow_mut().read_weight = w);
	}
}

impl OracleProvider for MockOracle {
	fn index_price(id: UnderlyingId) -> Option<IndexPrice> {
		STATE.with(|s| s.borrow().prices.get(&id).copied())
	}
	fn volatility(id: UnderlyingId) -> Option<IndexVolatility> {
		STATE.with(|s| s.borrow().vols.get(&id).copied())
	}
	fn settlement_price(id: UnderlyingId, expiry: Moment) -> Option<Price> {
		STATE.with(|s| s.borrow().settlements.get(&(id, expiry)).copied())
	}
	fn schedule_settlement(id: UnderlyingId, expiry: Moment) -> DispatchResult {
		STATE.with(|s| {
			let mut s = s.borrow_mut();
			if let Some(e) = s.schedule_error {
				return Err(e);
			}
			if !s.scheduled.contains(&(id, expiry)) {
				s.scheduled.push((id, expiry));
			}
			Ok(())
		})
	}
	fn read_weight() -> Weight {
		STATE.with(|s| s.borrow().read_weight)
	}
	fn schedule_weight() -> Weight {
		STATE.with(|s| s.borrow().read_weight)
	}
}

/// Panics unless each of `functions` of both `WeightInfo` implementations in `weights_rs`
/// (a pallet's `weights.rs`, read with `include_str!`) carries the marker `Corrected by hand`:
/// a regeneration by the benchmark CLI writes the measured fit over every function and so
/// drops a correction made by hand; this makes a test fail until it is applied again.
pub fn assert_corrected_by_hand(weights_rs: &str, functions: &[&str]) {
	let start = weights_rs
		.find("WeightInfo for SubstrateWeight<T>")
		.expect("weights.rs implements WeightInfo for SubstrateWeight");
	let tests = weights_rs[start..]
		.find("\nimpl WeightInfo for ()")
		.map_or(weights_rs.len(), |e| start + e);
	// Both implementations: the runtime's and the one the mocks use.
	for implementation in [&weights_rs[start..tests], &weights_rs[tests..]] {
		check_corrected(implementation, functions);
	}
}

fn check_corrected(implementation: &str, functions: &[&str]) {
	for f in functions {
		let at = implementation
			.find(&std::format!("\tfn {f}("))
			.unwrap_or_else(|| panic!("weights.rs has no `{f}`"));
		let body_end =
			implementation[at..].find("\n\t}\n").map_or(implementation.len(), |e| at + e);
		assert!(
			implementation[at..body_end].contains("Corrected by hand"),
			"weights.rs: `{f}` lost its correction by hand (a regeneration overwrote it): apply \
			 it again as the previous version of the file did"
		);
	}
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn mock_roundtrip() {
		MockOracle::set_price(1, units::whole(3_000), PriceStatus::Fresh);
		MockOracle::set_volatility(1, units::ratio(65, 100), PriceStatus::Stale);
		MockOracle::set_settlement_price(1, 10, units::whole(2_999));
		assert_eq!(MockOracle::fresh_index_price(1).map(|p| p.price), Ok(units::whole(3_000)));
		assert_eq!(MockOracle::fresh_volatility(1), Err(PriceError::Stale));
		assert_eq!(MockOracle::settlement_price(1, 10), Some(units::whole(2_999)));
		assert_eq!(MockOracle::schedule_settlement(1, 20), Ok(()));
		assert_eq!(MockOracle::schedule_settlement(1, 20), Ok(()));
		assert_eq!(MockOracle::scheduled(), std::vec![(1, 20)]);
		MockOracle::set_schedule_error(Some(sp_runtime::DispatchError::Other("full")));
		assert!(MockOracle::schedule_settlement(1, 30).is_err());
		MockOracle::reset();
		assert_eq!(MockOracle::index_price(1), None);
	}

	#[test]
	fn a_correction_by_hand_is_required_in_both_implementations() {
		let file = |runtime: &str, mocks: &str| {
			std::format!(
				"impl<T> WeightInfo for SubstrateWeight<T> {{\n\tfn quote() -> Weight {{\n{runtime}\n\t}}\n}}\n\nimpl WeightInfo for () {{\n\tfn quote() -> Weight {{\n{mocks}\n\t}}\n}}\n"
			)
		};
		let marked = "\t\t// Corrected by hand: why.\n\t\tWeight::zero()";
		let fitted = "\t\tWeight::zero()";
		super::assert_corrected_by_hand(&file(marked, marked), &["quote"]);
		for (runtime, mocks) in [(fitted, marked), (marked, fitted)] {
			let r = std::panic::catch_unwind(|| {
				super::assert_corrected_by_hand(&file(runtime, mocks), &["quote"])
			});
			assert!(r.is_err(), "a missing correction passes");
		}
	}
}
