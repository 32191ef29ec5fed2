// The --dev chain through polkadot.js: blocks every 2 s, a signed transfer of the settlement
// asset finalized with exact balances and fee, a clean stop, and a clear error for a busy port.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Keyring } from '@polkadot/keyring';
import { cryptoWaitReady } from '@polkadot/util-crypto';
import { Node, reportLogs, sendAndFinalize, waitFor } from '../lib/node.js';
import { fixed } from '../lib/oracle.js';

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
    const fin = await waitFor('finalized block #6', async () => {
      const h = await api.rpc.chain.getHeader(await api.rpc.chain.getFinalizedHead());
      return h.number.toNumber() >= 6 ? h : null;
    }, 90_000);
    const n = fin.number.toNumber();
    const at = async (k) => api.at(await api.rpc.chain.getBlockHash(k));
    // Every block is in a later Aura slot (2 s each); timestamps are the authors' clocks.
    const slots = [];
    for (let k = n - 5; k <= n; k++) slots.push((await (await at(k)).query.aura.currentSlot()).toBigInt());
    for (let i = 1; i < slots.length; i++) assert.ok(slots[i] > slots[i - 1], 'one block per slot');
    const ts = async (k) => (await (await at(k)).query.timestamp.now()).toBigInt();
    const avg = ((await ts(n)) - (await ts(n - 5))) / 5n;
    assert.ok(avg >= 1900n && avg <= 2600n, `average block time ${avg} ms`);
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

  t('three operators feed BTC with signAndSend, free; a non-operator is refused at submission; a reader gets the median back', async () => {
    const keyring = new Keyring({ type: 'sr25519' });
    const [charlie, dave] = ['//Charlie', '//Dave'].map((u) => keyring.addFromUri(u));
    assert.deepEqual((await api.call.oracleApi.underlyings()).toJSON(), [0, 1]);
    const account = async (who) => {
      const a = await api.query.system.account(who.address);
      return { free: a.data.free.toBigInt(), nonce: a.nonce.toNumber() };
    };
    const aliceBefore = await account(alice);
    const at = (await api.rpc.chain.getHeader()).number.toNumber();
    // The plain polkadot.js way: a signed extrinsic, included in a block.
    const inBlock = (tx, op) => new Promise((resolve, reject) => {
      let unsub;
      tx.signAndSend(op, ({ status, events, dispatchError }) => {
        if (dispatchError) { if (unsub) unsub(); reject(new Error(dispatchError.toString())); }
        else if (status.isInBlock) { if (unsub) unsub(); resolve(events.map(({ event }) => event)); }
      }).then((u) => { unsub = u; }, reject);
    });
    const feeds = [[alice, '64000'], [bob, '64100.5'], [charlie, '63900']];
    const included = await Promise.all(feeds.map(([op, price]) => inBlock(
      api.tx.oracle.feed(at, Date.now(), [{ underlying: 0, price: fixed(price), volatility: fixed('0.55') }]), op)));
    for (const events of included) {
      assert.ok(events.some((e) => api.events.skipFeelessPayment.FeeSkipped.is(e)), 'the fee is skipped');
      assert.ok(events.some((e) => api.events.oracle.FeedAccepted.is(e)), 'the feed is accepted');
      assert.ok(!events.some((e) => api.events.transactionPayment.TransactionFeePaid.is(e)), 'no fee paid');
    }
    // A non-operator's feed is refused at submission: never in the pool, no fee, no nonce.
    const daveBefore = await account(dave);
    const bad = api.tx.oracle.feed(at, Date.now(), [{ underlying: 0, price: fixed('1'), volatility: fixed('0.5') }]);
    await assert.rejects(bad.signAndSend(dave), /1010.*Invalid signing address/);
    await waitFor('two more blocks', async () => (await api.rpc.chain.getHeader()).number.toNumber() >= at + 3, 30_000);
    assert.deepEqual(await account(dave), daveBefore);

    const price = await waitFor('a fresh canonical BTC price', async () => {
      const p = await api.call.oracleApi.indexPrice(0);
      return p.isSome && p.unwrap().price.toBigInt() === fixed('64000') ? p.unwrap() : null;
    }, 60_000);
    assert.equal(price.status.toString(), 'Fresh');
    assert.equal(price.confidence.toBigInt(), fixed('100'), 'median absolute deviation of the three');
    const vol = (await api.call.oracleApi.volatility(0)).unwrap();
    assert.equal(vol.volatility.toBigInt(), fixed('0.55'));
    // Feeding is free for operators; it uses a nonce.
    assert.deepEqual(await account(alice), { free: aliceBefore.free, nonce: aliceBefore.nonce + 1 });
  });

  t('a second node on a busy RPC port fails with one clear line', async () => {
    const clash = new Node('dev-port-clash', ['--dev', '--tmp'], { rpcPort: node.rpcPort });
    let exit;
    try {
      await clash.start({ waitRpc: false });
      exit = await Promise.race([clash.exited, new Promise((r) => setTimeout(() => r(null), 60_000))]);
    } finally {
      await clash.stop();
    }
    assert.ok(exit && exit.code !== 0, `the second node exits with an error (got ${JSON.stringify(exit)})`);
    assert.equal(node.child.exitCode, null, 'the dev node is still running');
    const log = clash.tail(200);
    assert.match(log, new RegExp(`^Error: .*RPC port ${node.rpcPort} is in use`, 'm'));
    assert.doesNotMatch(log, /panicked|stack backtrace/);
  });
});
