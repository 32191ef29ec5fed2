//! What a newcomer writes first, with the [`Market`] driver: list a call, two accounts trade,
//! the price moves 10 %, the writer is under a margin call.

use optionchain_integration_tests::market::{Market, WEEK};
use optionchain_runtime::genesis_config_presets::BTC;
use pallet_margin::AccountState;
use sp_keyring::Sr25519Keyring::{Bob, Charlie};

#[test]
fn a_ten_percent_move_puts_the_writer_under_a_margin_call() {
	let mut m = Market::dev();
	let call = m.list_call(BTC, 60_000, WEEK);
	m.deposit(Bob, 2_000).deposit(Charlie, 10_000).next_block();
	m.sell(Bob, call, 1, 100).buy(Charlie, call, 1, 100).next_block();
	assert_eq!(m.margin(Bob).state, AccountState::Healthy);
	m.move_price(BTC, 10).next_block();
	// Mark (66,000 - 60,000) x 0.1 = 600; equity 2,099.70 - 600 = 1,499.70 is above maintenance
	// 0.075 x 6,600 + 600 = 1,095 but below initial 0.15 x 6,600 + 600 = 1,590.
	let bob = m.margin(Bob);
	assert_eq!(
		(bob.equity, bob.initial, bob.maintenance),
		(1_499_700_000, 1_590_000_000, 1_095_000_000)
	);
	assert_eq!(bob.state, AccountState::Restricted);
}
