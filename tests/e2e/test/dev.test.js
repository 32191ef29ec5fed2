// The --dev chain through polkadot.js: blocks every 2 s, a signed transfer of the settlement
// asset finalized with exact balances and fee, a clean stop, and a clear error for a busy port.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Keyring } from '@polkadot/keyring';
import { cryptoWaitReady } from '@polkadot/util-crypto';
import { Node, reportLogs, sendAndFinalize, waitFor } from '../lib/node.js';

const USDC = 1; // SETTLEMENT_ASSET_ID
const USD = 1_000_000n; // 6 decimals

describe('dev chain', () => {
  const node = new Node('dev', ['--dev', '--tmp']);
  let api; let alice; let bob; let failed = false;

  before(async () => {
    await cryptoWaitReady();
    const keyring = new Keyring({ type: 'sr25519' });
    alice = keyring.addFromUri('//Alice');
    bob = keyring.addFromUri('//Bob');
    await node.start();
    api = await node.api();
  });

  after(async () => {
    if (failed) reportLogs([node]);
    await node.stop();
  });

  const t = (name, fn) => test(name, async () => {
    try { await fn(); } catch (e) { failed = true; throw e; }
  });

  t('produces a block every 2 s and finalizes it', async () => {
    assert.equal(api.consts.aura.slotDuration.toNumber(), 2000);
    const fin = await waitFor('finalized block #3', async () => {
      const h = await api.rpc.chain.getHeader(await api.rpc.chain.getFinalizedHead());
      return h.number.toNumber() >= 3 ? h : null;
    }, 60_000);
    const n = fin.number.toNumber();
    const ts = async (k) => (await (await api.at(await api.rpc.chain.getBlockHash(k))).query.timestamp.now()).toBigInt();
    const d = (await ts(n)) - (await ts(n - 1));
    assert.equal(d % 2000n, 0n, `block timestamps are a multiple of the 2 s slot apart (got ${d})`);
    assert.ok(d > 0n);
  });

  t('a signed settlement-asset transfer is finalized with exact balances and fee', async () => {
    const amount = 1234n * USD + 567n;
    const before = await api.query.assets.account(USDC, alice.address);
    const beforeBob = await api.query.assets.account(USDC, bob.address);
    const aliceUsd0 = before.unwrap().balance.toBigInt();
    const bobUsd0 = beforeBob.unwrap().balance.toBigInt();
    const aliceNative0 = (await api.query.system.account(alice.address)).data.free.toBigInt();

    const { blockHash, events } = await sendAndFinalize(
      api, api.tx.assets.transferKeepAlive(USDC, bob.address, amount), alice);

    const transferred = events.find(({ event }) => api.events.assets.Transferred.is(event));
    assert.ok(transferred, 'Assets.Transferred emitted');
    const [assetId, from, to, amt] = transferred.event.data;
    assert.equal(assetId.toNumber(), USDC);
    assert.equal(from.toString(), alice.address);
    assert.equal(to.toString(), bob.address);
    assert.equal(amt.toBigInt(), amount);
    assert.ok(events.some(({ event }) => api.events.system.ExtrinsicSuccess.is(event)));
    const feeEv = events.find(({ event }) => api.events.transactionPayment.TransactionFeePaid.is(event));
    const fee = feeEv.event.data[1].toBigInt();
    assert.ok(fee > 0n);

    const at = await api.at(blockHash);
    assert.equal((await at.query.assets.account(USDC, alice.address)).unwrap().balance.toBigInt(), aliceUsd0 - amount);
    assert.equal((await at.query.assets.account(USDC, bob.address)).unwrap().balance.toBigInt(), bobUsd0 + amount);
    assert.equal((await at.query.system.account(alice.address)).data.free.toBigInt(), aliceNative0 - fee);
    // Total supply unchanged: 6 dev accounts x 1,000,000 USDC.
    assert.equal((await at.query.assets.asset(USDC)).unwrap().supply.toBigInt(), 6n * 1_000_000n * USD);
  });

  t('a second node on a busy RPC port fails with one clear line', async () => {
    const clash = new Node('dev-port-clash', ['--dev', '--tmp'], { rpcPort: node.rpcPort });
    await assert.rejects(clash.start(), /exited during startup/);
    const log = clash.tail(200);
    assert.match(log, /^Error: .*(9944|\d{4,5}|[Aa]ddress already in use|in use)/m);
    assert.doesNotMatch(log, /panicked|stack backtrace/);
  });
});
