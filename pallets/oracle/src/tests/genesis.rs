//! Genesis config, JSON shape (for the runtime's presets) and `integrity_test`.

use crate::{mock::*, types::*, Operators, UnderlyingList, Underlyings};
use frame_support::traits::Hooks;

#[test]
fn genesis_registers_underlyings_and_operators() {
	build_and_execute(|| {
		assert_eq!(UnderlyingList::<Test>::get().into_inner(), vec![BTC, ETH]);
		assert_eq!(Underlyings::<Test>::get(BTC), Some(params()));
		assert_eq!(Operators::<Test>::get().into_inner(), vec![ALICE, BOB, CHARLIE]);
		assert_eq!(Oracle::api_underlyings(), vec![BTC, ETH]);
		Oracle::integrity_test();
	});
}

#[test]
fn genesis_json_shape() {
	let config = crate::GenesisConfig::<Test> {
		underlyings: vec![(BTC, UnderlyingParams::default())],
		operators: vec![ALICE],
	};
	let json = serde_json::to_value(&config).unwrap();
	let expected = serde_json::json!({
		"underlyings": [[0, {
			"quorum": 2,
			"heartbeat": 60000,
			"maxMove": 100000,
			"confirmations": 3,
			"settlementWindow": 1800000,
			"maxPrice": "10000000000000000000000000",
			"maxVolatility": "10000000000000000000",
			"maxDispersion": 20000,
			"maxVolatilityDispersion": 100000,
			"maxVolatilityMove": 250000
		}]],
		"operators": [1]
	});
	assert_eq!(json, expected);
	let back: crate::GenesisConfig<Test> = serde_json::from_value(expected).unwrap();
	assert_eq!(back.underlyings, config.underlyings);
}

#[test]
#[should_panic(expected = "oracle genesis: cannot register underlying 0")]
fn genesis_rejects_invalid_params() {
	ExtBuilder::default()
		.params(BTC, UnderlyingParams { quorum: 0, ..params() })
		.build_and_execute(|| {});
}
