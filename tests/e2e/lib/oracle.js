// Operator price feeds from polkadot.js: an ordinary signed extrinsic,
// `api.tx.oracle.feed(at, observedAt, entries).signAndSend(operator)`. It is free for operators
// (the runtime skips the fee of a feed whose signer is an operator) and refused at submission,
// with no fee, for anybody else (RPC error 1010, "Invalid signing address").

const FIXED = 10n ** 18n;

/** A FixedU128 (18 decimals) from a decimal string such as "100000" or "0.6". */
export function fixed(value) {
  const [int, frac = ''] = String(value).split('.');
  return BigInt(int) * FIXED + BigInt((frac + '0'.repeat(18)).slice(0, 18));
}

/**
 * The feed call for round `at` (a block number: the best block's, at most 5 blocks old when
 * included), observed at `observedAt` (ms since the Unix epoch; the chain refuses observations
 * more than 10 s from its block time). `entries`: [{ underlying, price, volatility }] with
 * FixedU128 values (see `fixed`).
 */
export function feedTx(api, at, entries, observedAt = Date.now()) {
  return api.tx.oracle.feed(at, observedAt, entries);
}
