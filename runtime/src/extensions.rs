//! The runtime's own transaction extension.

use crate::{Runtime, RuntimeCall};
use codec::{Decode, DecodeWithMemTracking, Encode};
use frame_support::{
	dispatch::{DispatchClass, DispatchInfo, GetDispatchInfo},
	pallet_prelude::{TransactionSource, TypeInfo, Weight},
};
use sp_runtime::{
	impl_tx_ext_default,
	traits::{
		AsSystemOriginSigner, DispatchOriginOf, Implication, TransactionExtension, ValidateResult,
	},
	transaction_validity::InvalidTransaction,
};

/// Keeps the operational class, and its reserve of a quarter of the block, for what it is
/// there for: oracle feeds (the top-level `Oracle::feed` calls that `CheckOracleFeed` admits)
/// and the sudo key's calls.
///
/// Any call can be operational in FRAME: the root-only calls of `System` declare that class, and
/// `Utility`, `Proxy` and `Sudo` take the class of the calls they wrap. Sent by anybody else they
/// only fail (`BadOrigin`, `RequireSudo`, a feed's `NotOperator`), but their sender pays an
/// ordinary fee for a place in the reserve that feeds need in every block. This extension refuses
/// such a transaction at submission, before anything is charged (`InvalidTransaction::Call`), so
/// that the reserve stays for the feeds whatever the normal class holds. It carries no bytes.
///
/// It also refuses any signed transaction in the mandatory class (`MandatoryValidation`): that
/// class is for inherents and has no weight limit.
///
/// Refused as well, by design: the sudo key acting through a proxy (`Proxy::proxy` with the key
/// as `real` around an operational `Sudo` call: the signer is not the key), and an operator's
/// feed wrapped in a proxy or a batch (feeds are sent as top-level calls).
#[derive(Encode, Decode, DecodeWithMemTracking, Clone, Eq, PartialEq, TypeInfo, Default, Debug)]
pub struct CheckOperationalClass;

impl TransactionExtension<RuntimeCall> for CheckOperationalClass {
	const IDENTIFIER: &'static str = "CheckOperationalClass";
	type Implicit = ();
	type Val = ();
	type Pre = ();

	/// One read (the sudo key) for an operational call that is not a feed; nothing otherwise.
	fn weight(&self, call: &RuntimeCall) -> Weight {
		if call.get_dispatch_info().class == DispatchClass::Operational && !is_feed(call) {
			<Runtime as frame_system::Config>::DbWeight::get().reads(1)
		} else {
			Weight::zero()
		}
	}

	fn validate(
		&self,
		origin: DispatchOriginOf<RuntimeCall>,
		call: &RuntimeCall,
		info: &DispatchInfo,
		_len: usize,
		_self_implicit: Self::Implicit,
		_inherited_implication: &impl Implication,
		_source: TransactionSource,
	) -> ValidateResult<Self::Val, RuntimeCall> {
		// The mandatory class (inherents) has no weight limit: a signed transaction whose call
		// declares it (`Proxy::proxy` around `Timestamp::set`, say) would let a block author
		// pack blocks past any limit. The pool already refuses it; this refuses it in blocks.
		if info.class == DispatchClass::Mandatory {
			return Err(InvalidTransaction::MandatoryValidation.into());
		}
		if info.class != DispatchClass::Operational || is_feed(call) {
			return Ok((Default::default(), (), origin));
		}
		match origin.as_system_origin_signer() {
			Some(who) if pallet_sudo::Key::<Runtime>::get().as_ref() == Some(who) => {
				Ok((Default::default(), (), origin))
			},
			_ => Err(InvalidTransaction::Call.into()),
		}
	}

	impl_tx_ext_default!(RuntimeCall; prepare);
}

/// A top-level oracle feed (checked by `CheckOracleFeed`).
fn is_feed(call: &RuntimeCall) -> bool {
	matches!(call, RuntimeCall::Oracle(pallet_oracle::Call::feed { .. }))
}
