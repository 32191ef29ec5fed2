//! The exchange: the margin pallet (collateral, requirements, liquidation, insurance) and the
//! options pallet (series, order books, settlement), wired to each other through the traits of
//! `optionchain-primitives` and to the oracle for prices.

use crate::{AccountId, Assets, Margin, Options, Oracle, Runtime, Timestamp, SETTLEMENT_ASSET_ID, USD};
use frame_support::{
	parameter_types,
	traits::{ConstU128, ConstU32},
	PalletId,
};
use frame_system::EnsureRoot;
use sp_runtime::{traits::AccountIdConversion, Permill};

parameter_types! {
	/// Escrow account holding every unit of collateral (its balance equals the margin ledger).
	pub const MarginPalletId: PalletId = PalletId(*b"oc/margn");
	/// The insurance fund's account (a ledger entry of the margin pallet).
	pub const InsurancePalletId: PalletId = PalletId(*b"oc/insur");
	/// The settlement asset (USDC, 6 decimals) in pallet-assets.
	pub const SettlementAssetId: u32 = SETTLEMENT_ASSET_ID;
	/// Where trading fees are credited (a keyless account; governance decides their use).
	pub MarginFeeAccount: AccountId = PalletId(*b"oc/fees_").into_account_truncating();
}

impl pallet_margin::Config for Runtime {
	type Assets = Assets;
	type SettlementAsset = SettlementAssetId;
	type UnitsPerUsd = ConstU128<USD>;
	type Oracle = Oracle;
	type Positions = Options;
	type Time = Timestamp;
	type GovernanceOrigin = EnsureRoot<AccountId>;
	type PalletId = MarginPalletId;
	type InsurancePalletId = InsurancePalletId;
	type FeeAccount = MarginFeeAccount;
	type MaxAccounts = ConstU32<100_000>;
	type MaxSweepPerBlock = ConstU32<16>;
	type WeightInfo = pallet_margin::weights::SubstrateWeight<Runtime>;
}

parameter_types! {
	/// Maker and taker fees are each capped at 12.5 % of the premium (as Deribit and Derive).
	pub const OptionsFeeCap: Permill = Permill::from_parts(125_000);
	pub const OptionsMaxOrderQuantity: i64 = 100_000;
	/// Series may be listed up to one year (366 days) ahead.
	pub const OptionsMaxExpiryHorizon: u64 = 366 * 24 * 60 * 60 * 1000;
	/// 0.30 USDC per contract for makers and for takers (before the 12.5 % cap).
	pub const OptionsMakerFee: u128 = 300_000;
	pub const OptionsTakerFee: u128 = 300_000;
}

impl pallet_options::Config for Runtime {
	type Time = Timestamp;
	type Oracle = Oracle;
	type Margin = Margin;
	type GovernanceOrigin = EnsureRoot<AccountId>;
	type MaxLiveSeries = ConstU32<512>;
	type MaxOrdersPerSide = ConstU32<256>;
	type MaxOrdersPerAccount = ConstU32<128>;
	type MaxSeriesPerAccount = ConstU32<32>;
	/// Fills per order extrinsic. The estimated (not yet benchmarked) weight of the margin check
	/// after each fill puts 32 fills above the block's extrinsic limit; 8 keeps the worst case
	/// at about a third of a block until the weights are benchmarked.
	type MaxFillsPerOrder = ConstU32<8>;
	type MaxOrderQuantity = OptionsMaxOrderQuantity;
	type MaxExpiryHorizon = OptionsMaxExpiryHorizon;
	type MakerFeePerContract = OptionsMakerFee;
	type TakerFeePerContract = OptionsTakerFee;
	type FeeCap = OptionsFeeCap;
	type UnitsPerUsd = ConstU128<USD>;
	type MaxIdleItems = ConstU32<256>;
	type WeightInfo = pallet_options::weights::SubstrateWeight<Runtime>;
}
