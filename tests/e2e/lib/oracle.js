// Operator price feeds from polkadot.js: the operator signs the exact payload returned by the
// runtime API `OracleApi.feedPayload`, and submits the feed as a *general* transaction
// (extrinsic v5, no signature, authorized by the call): feeless, refused for non-operators.
import { compactAddLength, compactStripLength, u8aToHex } from '@polkadot/util';

const FIXED = 10n ** 18n;

/** A FixedU128 (18 decimals) from a decimal string such as "100000" or "0.6". */
export function fixed(value) {
  const [int, frac = ''] = String(value).split('.');
  return BigInt(int) * FIXED + BigInt((frac + '0'.repeat(18)).slice(0, 18));
}

/**
 * Build the feed call of `operator` (a keyring pair) for round `at`, observed at `observedAt`
 * (ms since the Unix epoch; the chain refuses observations more than 10 s from its block time).
 */
export async function feedCall(api, operator, at, entries, observedAt = Date.now()) {
  const payload = await api.call.oracleApi.feedPayload(operator.address, at, observedAt, entries);
  // The runtime API returns a SCALE `Vec<u8>`; polkadot.js 16.5 hands it back with its own
  // length prefix still inside the `Bytes`. Sign the content, without any length prefix.
  let message = payload.toU8a(true);
  const [total, inner] = compactStripLength(message);
  if (total === message.length) message = inner;
  const signature = operator.sign(message);
  return api.tx.oracle.feed(operator.address, at, observedAt, entries, { Sr25519: u8aToHex(signature) });
}

/**
 * The SCALE bytes of `call` as a general (v5) extrinsic: no signature, default (immortal, zero
 * nonce, zero tip) transaction-extension data. polkadot.js 16.5 models the type
 * (`GeneralExtrinsic`) but its `Extrinsic` wrapper prefixes the version byte twice, so the bytes
 * are taken from the inner type and submitted raw.
 */
export function generalExtrinsicHex(api, call) {
  const ext = api.registry.createType('Extrinsic', {
    payload: { method: call.method.toHex(), era: '0x00', nonce: 0, tip: 0 },
    transactionExtensionVersion: 0,
  }, { version: 5, preamble: 'general' });
  return u8aToHex(compactAddLength(ext.inner.encode()));
}

/** Submit raw extrinsic bytes; resolve with the block hash it is included in. */
export function submitRaw(api, hex) {
  // The raw provider: going through api.rpc would re-encode the extrinsic (see above).
  const provider = api._rpcCore.provider;
  return new Promise((resolve, reject) => {
    let subId = null;
    const done = (fn, v) => {
      if (subId !== null) provider.unsubscribe('author_extrinsicUpdate', 'author_unwatchExtrinsic', subId).catch(() => {});
      fn(v);
    };
    provider.subscribe('author_extrinsicUpdate', 'author_submitAndWatchExtrinsic', [hex], (err, status) => {
      if (err) return done(reject, err);
      if (status && typeof status === 'object' && (status.inBlock || status.finalized)) {
        done(resolve, status.inBlock || status.finalized);
      } else if (status === 'dropped' || status === 'invalid' || status === 'usurped' || (status && status.usurped)) {
        done(reject, new Error(`extrinsic ${JSON.stringify(status)}`));
      }
    }).then((id) => { subId = id; }, reject);
  });
}
