//! Trading keys and batching: pallet-proxy with a `Trading` proxy type (a key that may place,
//! replace, cancel and quote orders for its owner, and nothing else) and pallet-utility.

use crate::{
	Balance, Balances, OriginCaller, Runtime, RuntimeCall, RuntimeEvent, System, MILLI_UNIT,
};
use codec::{Decode, DecodeWithMemTracking, Encode, MaxEncodedLen};
use frame_support::{
	parameter_types,
	traits::{ConstU32, InstanceFilter},
};
use scale_info::TypeInfo;
use sp_runtime::traits::BlakeTwo256;

/// What a proxy may do for the account that added it.
#[derive(
	Copy,
	Clone,
	Eq,
	PartialEq,
	Ord,
	PartialOrd,
	Encode,
	Decode,
	DecodeWithMemTracking,
	Debug,
	MaxEncodedLen,
	TypeInfo,
	Default,
)]
pub enum ProxyType {
	/// Everything the account may do.
	#[default]
	#[codec(index = 0)]
	Any,
	/// Trading only: place, replace and cancel orders and quote (`Options::place_order`,
	/// `place_vol_order`, `replace_order`, `cancel_order`, `cancel_all`, `quote`), and the
	/// market maker's safety controls (`schedule_cancel`, the dead-man's switch a quoting client
	/// renews; `set_mmp` and `reset_mmp`), also inside `Utility::batch_all` (all or nothing;
	/// `batch` and `force_batch` are not allowed). A leaked trading key can also disarm the
	/// switch, loosen or remove the protection and lift a freeze: after revoking it, set them
	/// again (they outlast the key).
	/// Never a withdrawal, a transfer, a deposit or a change of proxies. A leaked trading key
	/// can still lose money through trades at bad prices (a bid far above value that a
	/// colluding account fills): there is no price band on orders yet, so revoke it at once.
	#[codec(index = 1)]
	Trading,
}

impl InstanceFilter<RuntimeCall> for ProxyType {
	fn filter(&self, c: &RuntimeCall) -> bool {
		match self {
			ProxyType::Any => true,
			ProxyType::Trading => matches!(
				c,
				RuntimeCall::Options(
					pallet_options::Call::place_order { .. }
						| pallet_options::Call::replace_order { .. }
						| pallet_options::Call::cancel_order { .. }
						| pallet_options::Call::cancel_all { .. }
						| pallet_options::Call::quote { .. }
						| pallet_options::Call::place_vol_order { .. }
						| pallet_options::Call::schedule_cancel { .. }
						| pallet_options::Call::set_mmp { .. }
						| pallet_options::Call::reset_mmp { .. }
				) | RuntimeCall::Utility(
					// The calls inside are filtered again (the proxy's filter travels with the
					// origin), and one refused call undoes the whole batch.
					pallet_utility::Call::batch_all { .. }
				)
			),
		}
	}

	fn is_superset(&self, o: &Self) -> bool {
		match (self, o) {
			(x, y) if x == y => true,
			(ProxyType::Any, _) => true,
			_ => false,
		}
	}
}

parameter_types! {
	/// Reserved (native token) for having proxies: base plus one factor per proxy.
	pub const ProxyDepositBase: Balance = 10 * MILLI_UNIT;
	/// Reserved per proxy.
	pub const ProxyDepositFactor: Balance = MILLI_UNIT;
	/// Reserved for having announcements (time-delayed proxies): base plus one factor each.
	pub const AnnouncementDepositBase: Balance = 10 * MILLI_UNIT;
	/// Reserved per announcement.
	pub const AnnouncementDepositFactor: Balance = 2 * MILLI_UNIT;
}

impl pallet_proxy::Config for Runtime {
	type RuntimeEvent = RuntimeEvent;
	type RuntimeCall = RuntimeCall;
	type Currency = Balances;
	type ProxyType = ProxyType;
	type ProxyDepositBase = ProxyDepositBase;
	type ProxyDepositFactor = ProxyDepositFactor;
	type MaxProxies = ConstU32<32>;
	type WeightInfo = pallet_proxy::weights::SubstrateWeight<Runtime>;
	type MaxPending = ConstU32<32>;
	type CallHasher = BlakeTwo256;
	type AnnouncementDepositBase = AnnouncementDepositBase;
	type AnnouncementDepositFactor = AnnouncementDepositFactor;
	type BlockNumberProvider = System;
}

impl pallet_utility::Config for Runtime {
	type RuntimeEvent = RuntimeEvent;
	type RuntimeCall = RuntimeCall;
	type PalletsOrigin = OriginCaller;
	type WeightInfo = pallet_utility::weights::SubstrateWeight<Runtime>;
}

/// The runtime's call filter: everything except creating a pure proxy of a type other than
/// `Any` (such a pure account could never be killed, nor its deposit and collateral recovered,
/// since `kill_pure` needs a full proxy).
pub struct BaseFilter;

impl frame_support::traits::Contains<RuntimeCall> for BaseFilter {
	fn contains(c: &RuntimeCall) -> bool {
		!matches!(
			c,
			RuntimeCall::Proxy(pallet_proxy::Call::create_pure { proxy_type, .. })
				if *proxy_type != ProxyType::Any
		)
	}
}
