//! Runtime API of the optionchain margin pallet.
//!
//! Every type in these signatures is a plain SCALE struct/enum with `TypeInfo`, so it is in the
//! runtime metadata (V15+) and polkadot.js decodes it without custom type definitions:
//! `await api.call.marginApi.accountMargin(alice)`.
//!
//! The runtime implements it by delegating to `pallet_margin::Pallet::<Runtime>::api_*`.
//! The types are defined here (and re-exported by the pallet) so that this crate stays light.

#![cfg_attr(not(feature = "std"), no_std)]

use codec::{Codec, Decode, DecodeWithMemTracking, Encode, MaxEncodedLen};
pub use optionchain_primitives::{
	exchange::{Balance, SeriesTerms, SignedBalance},
	Price, PriceStatus,
};
use scale_info::TypeInfo;
pub use sp_arithmetic::{FixedI128, FixedU128};

/// Margin state of an account.
#[derive(
	Encode,
	Decode,
	DecodeWithMemTracking,
	MaxEncodedLen,
	TypeInfo,
	Clone,
	Copy,
	PartialEq,
	Eq,
	Debug,
	Default,
)]
pub enum AccountState {
	/// Equity at or above the initial requirement.
	#[default]
	Healthy,
	/// Maintenance <= equity < initial: only risk-reducing actions (margin call).
	Restricted,
	/// Equity below maintenance (or an ongoing liquidation not yet back above maintenance plus
	/// the buffer): anybody may liquidate.
	Liquidatable,
}

/// An account's margin figures, in settlement-asset units.
#[derive(Encode, Decode, DecodeWithMemTracking, TypeInfo, Clone, Copy, PartialEq, Eq, Debug)]
pub struct MarginSummary {
	/// Collateral in the margin ledger.
	pub collateral: Balance,
	/// Collateral minus debt plus the mark-to-market value of all positions (negative
	/// possible); compared with `maintenance`.
	pub equity: SignedBalance,
	/// The equity that counts towards the initial requirement: long options count only at the
	/// `long_initial_credit` fraction of their value; compared with `initial`.
	pub initial_equity: SignedBalance,
	/// Initial requirement (positions and resting orders).
	pub initial: Balance,
	/// Maintenance requirement (positions).
	pub maintenance: Balance,
	/// The resulting state.
	pub state: AccountState,
}

/// Mark price and greeks of one contract of a series (the per-unit Black-Scholes values
/// multiplied by the contract size). Vega per 1.00 of volatility, theta per year, rho per 1.00
/// of rate.
#[derive(Encode, Decode, DecodeWithMemTracking, TypeInfo, Clone, Copy, PartialEq, Eq, Debug)]
pub struct SeriesQuote {
	/// Mark price of one contract, USD.
	pub mark: FixedU128,
	/// Delta of one contract (units of underlying).
	pub delta: FixedI128,
	/// Gamma of one contract.
	pub gamma: FixedI128,
	/// Vega of one contract.
	pub vega: FixedI128,
	/// Theta of one contract (per year).
	pub theta: FixedI128,
	/// Rho of one contract.
	pub rho: FixedI128,
	/// The index price used.
	pub index_price: Price,
	/// The volatility used.
	pub volatility: FixedU128,
	/// Whether both the price and the volatility are fresh (otherwise the quote is indicative).
	pub fresh: bool,
}

sp_api::decl_runtime_apis! {
	/// Reads of the margin pallet at the state of a block.
	///
	/// Version 2: `MarginSummary` gained `initial_equity`.
	#[api_version(2)]
	pub trait MarginApi<AccountId>
	where
		AccountId: Codec,
	{
		/// Collateral of `who` in the margin ledger.
		fn collateral(who: AccountId) -> Balance;

		/// Collateral, equity, initial and maintenance requirements and state of `who`.
		/// `None` if a price needed to value the portfolio is unavailable.
		fn account_margin(who: AccountId) -> Option<MarginSummary>;

		/// Mark price and greeks of one contract of a series with the given terms, at the
		/// current index price, volatility and time. `None` if no price/volatility exists or
		/// the terms are invalid.
		fn series_quote(terms: SeriesTerms) -> Option<SeriesQuote>;

		/// The insurance fund's balance.
		fn insurance_fund() -> Balance;
	}
}
