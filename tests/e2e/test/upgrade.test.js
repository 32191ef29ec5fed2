// A running chain upgrades without losing state (issue 20): a dev chain started from the
// previous release's runtime (runtime/releases/, its blake2-256 in runtime/releases/README.md)
// takes live state (collateral, positions in two series, resting orders, a scheduled
// settlement, a circuit breaker holding), is upgraded to this build's runtime with
// sudo.sudoUncheckedWeight(system.setCode), and then every account's collateral, positions and
// orders, the live series, the scheduled settlements and the held breaker are as they were;
// trading and settlement go on under the new runtime.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { blake2AsHex } from '@polkadot/util-crypto';
import { Node, nodeBinary, repoRoot, reportLogs, runDir, sleep, waitFor } from '../lib/node.js';
import * as c from '../lib/client.js';

/** The previous release: its spec version and its runtime, as `system.setCode` installs it. */
const RELEASE = { spec: 118, file: path.join(repoRoot, 'runtime', 'releases', 'optionchain-runtime-118.compressed.wasm') };
const BTC = 0;
const ETH = 1;

/** The dev chain spec of this build, with the release's runtime as genesis code. */
function releaseSpec() {
  const spec = JSON.parse(execFileSync(nodeBinary(), ['build-spec', '--chain', 'dev'], { maxBuffer: 1 << 28, stdio: ['ignore', 'pipe', 'ignore'] }).toString());
  const current = spec.genesis.runtimeGenesis.code;
  spec.genesis.runtimeGenesis.code = `0x${fs.readFileSync(RELEASE.file).toString('hex')}`;
  const file = path.join(runDir, 'upgrade-spec.json');
  fs.writeFileSync(file, JSON.stringify(spec));
  return { file, current };
}

describe('runtime upgrade from the previous release', () => {
  let node; let api; let failed = false;
  let alice; let bob; let charlie; let dave; let eve; let ferdie;
  let currentCode;
  const prices = { [BTC]: '60000', [ETH]: '3000' };
  let feedEth = true;
  let feeding = true;
  let feeder;
  const feedErrors = [];
  let callSeries; let putSeries; let expiry;
  let before_;
  let upgradeBlock;

  /** Bob and Charlie (a quorum of the dev operators) feed every block until stopped. */
  async function feedLoop() {
    let last = 0;
    const deadline = Date.now() + 15 * 60_000;
    while (feeding && Date.now() < deadline) {
      const n = (await api.rpc.chain.getHeader()).number.toNumber();
      if (n <= last) { await sleep(300); continue; }
      const entries = [{ underlying: BTC, price: prices[BTC], volatility: '0.5' }];
      if (feedEth) entries.push({ underlying: ETH, price: prices[ETH], volatility: '0.5' });
      try {
        await Promise.all([c.feed(api, bob, entries, n), c.feed(api, charlie, entries, n)]);
      } catch (e) {
        // A feed signed for the old spec version around the upgrade is refused: the next
        // round feeds again.
        feedErrors.push(`#${n}: ${e.message}`);
      }
      last = n;
    }
  }

  /** What the upgrade must keep, read through the runtime APIs and storage. */
  async function snapshot() {
    const who = { alice, bob, charlie, dave, eve, ferdie };
    const accounts = {};
    for (const [name, pair] of Object.entries(who)) {
      accounts[name] = {
        collateral: (await c.collateral(api, pair.address)).toString(),
        usdc: (await c.usdcBalance(api, pair.address)).toString(),
        positions: (await c.positions(api, pair.address)).map((p) => p.toJSON()),
        orders: (await c.openOrders(api, pair.address)).map((o) => o.toJSON()),
      };
    }
    return {
      accounts,
      insurance: (await api.call.marginApi.insuranceFund()).toString(),
      series: (await c.liveSeries(api)).map((s) => s.toJSON()),
      scheduled: (await api.query.oracle.scheduledSettlements()).toJSON(),
      ethBreaker: (await api.query.oracle.breakers(ETH)).toJSON(),
      supply: (await c.usdcLedger(api)).supply.toString(),
      // Counters whose loss would make ids be given twice.
      nextOrderId: (await api.query.options.nextOrderId()).toString(),
      nextSeriesId: (await api.query.options.nextSeriesId()).toString(),
      marginParams: (await api.query.margin.params()).toJSON(),
      operators: (await api.query.oracle.operators()).toJSON(),
    };
  }

  before(async () => {
    const spec = releaseSpec();
    currentCode = spec.current;
    // `--rpc-methods unsafe`: the native replay reads the whole state (`state_getPairs`) of
    // the upgrade's block, after trading and settlement: `--state-pruning archive` keeps it
    // (the default keeps 256 blocks).
    node = new Node('upgrade', ['--chain', spec.file, '--alice', '--validator', '--force-authoring', '--tmp', '--rpc-methods', 'unsafe', '--state-pruning', 'archive', '--node-key', '0'.repeat(63) + '1']);
    await node.start();
    api = await node.api();
    [alice, bob, charlie, dave, eve, ferdie] = ['//Alice', '//Bob', '//Charlie', '//Dave', '//Eve', '//Ferdie'].map(c.pair);
    feeder = feedLoop();
  });

  after(async () => {
    feeding = false;
    // A feed in flight settles within a block or two; never wait on it for longer.
    await Promise.race([feeder?.catch(() => {}), sleep(20_000)]);
    if (failed) reportLogs([node]);
    await node?.stop();
  });

  const t = (name, fn) => test(name, async () => {
    try { await fn(); } catch (e) { failed = true; throw e; }
  });

  t('the chain starts on the previous release, whose hash is the one published', async () => {
    const v = await api.rpc.state.getRuntimeVersion();
    assert.equal(v.specVersion.toNumber(), RELEASE.spec);
    const published = fs.readFileSync(path.join(repoRoot, 'runtime', 'releases', 'README.md'), 'utf8');
    const hash = blake2AsHex(fs.readFileSync(RELEASE.file), 256);
    assert.ok(published.includes(hash), `runtime/releases/README.md publishes ${hash}`);
    const onChain = await api.rpc.state.getStorage('0x3a636f6465');
    assert.equal(blake2AsHex(onChain.unwrap(), 256), hash, 'the chain runs the published code');
  });

  t('live state under the old runtime: collateral, two series with positions, resting orders, a held breaker', async () => {
    await waitFor('BTC priced', async () => c.indexPrice(api, BTC), 60_000);
    await Promise.all([
      c.deposit(api, dave, 50_000n * c.USD),
      c.deposit(api, eve, 50_000n * c.USD),
      c.deposit(api, ferdie, 20_000n * c.USD),
    ]);
    const now = (await api.query.timestamp.now()).toNumber();
    // Long enough to trade and upgrade before it, short enough to settle within the test.
    expiry = now + 150_000;
    callSeries = (await c.listSeries(api, alice, { underlying: BTC, strike: '60000', expiry, kind: 'Call' })).series;
    putSeries = (await c.listSeries(api, alice, { underlying: BTC, strike: '60000', expiry, kind: 'Put' })).series;
    // Eve sells, Dave buys, in both series: positions in two series.
    for (const series of [callSeries, putSeries]) {
      await c.placeOrder(api, eve, { series, side: 'Sell', price: 300n * c.USD, quantity: 2 });
      await c.placeOrder(api, dave, { series, side: 'Buy', price: 300n * c.USD, quantity: 2, tif: 'ImmediateOrCancel' });
    }
    // Resting orders that stay: Ferdie bids the call, Eve offers the put.
    await c.placeOrder(api, ferdie, { series: callSeries, side: 'Buy', price: 100n * c.USD, quantity: 3 });
    await c.placeOrder(api, eve, { series: putSeries, side: 'Sell', price: 900n * c.USD, quantity: 1 });
    // ETH jumps 20 % in one round and is then fed no more: its breaker holds the move.
    prices[ETH] = '3600';
    await waitFor('the ETH breaker trips', async () => (await api.query.oracle.breakers(ETH)).isSome, 60_000);
    feedEth = false;
    // A round already in flight may still count: the breaker settles two blocks later.
    const tripped = (await api.rpc.chain.getHeader()).number.toNumber();
    await waitFor('two more blocks', async () => (await api.rpc.chain.getHeader()).number.toNumber() >= tripped + 2, 30_000);
    const breaker = (await api.query.oracle.breakers(ETH)).unwrap();
    assert.ok(breaker.confirmations.toNumber() < 3, 'the breaker still holds the move');
    const positions = await c.positions(api, dave.address);
    assert.deepEqual(positions.map((p) => [p.series.toNumber(), p.net.toNumber()]).sort(), [[callSeries, 2], [putSeries, 2]]);
    assert.equal((await c.openOrders(api, ferdie.address)).length, 1);
    before_ = await snapshot();
    assert.ok(before_.scheduled.length >= 1, 'a settlement is scheduled');
  });

  t('sudo.sudoUncheckedWeight(system.setCode) installs this build\'s runtime and keeps every account\'s state', async () => {
    const setCode = api.tx.system.setCode(currentCode);
    const r = await c.send(api, alice, api.tx.sudo.sudoUncheckedWeight(setCode, { refTime: 0, proofSize: 0 }));
    upgradeBlock = r.blockHash;
    // The block's events, decoded with its own (the old) runtime's metadata: polkadot.js may
    // already have switched to the new metadata when the subscription hands them over, and
    // then fails to decode them (seen once: no events at all).
    const events = await (await api.at(upgradeBlock)).query.system.events();
    assert.ok(events.some(({ event }) => event.section === 'system' && event.method === 'CodeUpdated'), 'CodeUpdated');
    const current = await waitFor('the new runtime runs', async () => {
      const v = await api.rpc.state.getRuntimeVersion();
      return v.specVersion.toNumber() > RELEASE.spec ? v : null;
    }, 60_000);
    assert.ok(current.specVersion.toNumber() > RELEASE.spec);
    const code = await api.rpc.state.getStorage('0x3a636f6465');
    assert.equal(blake2AsHex(code.unwrap(), 256), blake2AsHex(currentCode, 256), 'the chain runs this build\'s code');
    // polkadot.js 16 reloads the metadata on the upgrade but loses the custom runtime APIs
    // (api.call.marginApi and the others) in the process: a client reconnects.
    api = await node.api();
    // A few blocks under the new runtime (its migrations ran in the first).
    const at = (await api.rpc.chain.getHeader()).number.toNumber();
    await waitFor('three more blocks', async () => (await api.rpc.chain.getHeader()).number.toNumber() >= at + 3, 30_000);
    const after_ = await snapshot();
    assert.deepEqual(after_, before_);
  });

  t('trading and settlement go on under the new runtime', async () => {
    // Ferdie takes Eve's resting put offer.
    await c.placeOrder(api, ferdie, { series: putSeries, side: 'Buy', price: 900n * c.USD, quantity: 1, tif: 'ImmediateOrCancel' });
    const ferdiePut = (await c.positions(api, ferdie.address)).find((p) => p.series.toNumber() === putSeries);
    assert.equal(ferdiePut?.net.toNumber(), 1);
    // The series expire, their settlement price is fixed and every position is paid.
    await waitFor('both series settled and retired', async () => {
      const live = (await c.liveSeries(api)).map((s) => s.id.toNumber());
      return !live.includes(callSeries) && !live.includes(putSeries);
    }, 240_000, 2_000);
    assert.deepEqual(await c.positions(api, dave.address), []);
    const price = await api.call.oracleApi.settlementPrice(BTC, expiry);
    assert.ok(price.isSome, 'a settlement price was fixed');
    assert.equal((await c.usdcLedger(api)).supply.toString(), before_.supply, 'settlement-asset supply unchanged');
  });

  // After the trading test: the replayed blocks hold a fill, the expiry, the settlement price
  // being fixed and every position paid, not only feeds.
  t('every block from the upgrade through trading and settlement replays natively on its state, with every invariant (cargo test)', async () => {
    const u = (await api.rpc.chain.getHeader(upgradeBlock)).number.toNumber();
    const head = (await api.rpc.chain.getHeader()).number.toNumber();
    // At least ten blocks; at most 300 (the settlement comes within a few minutes: about 170).
    const last = Math.min(Math.max(head, u + 10), u + 300);
    await waitFor(`finalized #${last}`, async () => {
      const f = await api.rpc.chain.getHeader(await api.rpc.chain.getFinalizedHead());
      return f.number.toNumber() >= last;
    }, 90_000);
    const header = await api.rpc.chain.getHeader(upgradeBlock);
    const pairs = (await api.rpc.state.getPairs('0x', upgradeBlock)).map(([k, v]) => [k.toHex(), v.toHex()]);
    const blocks = [];
    for (let n = u + 1; n <= last; n++) {
      const signed = await api.rpc.chain.getBlock(await api.rpc.chain.getBlockHash(n));
      blocks.push(signed.block.toHex());
    }
    const file = path.join(runDir, 'upgrade-snapshot.json');
    fs.writeFileSync(file, JSON.stringify({ stateRoot: header.stateRoot.toHex(), pairs, blocks }));
    // The integration test binary is built by `cargo test --workspace` before the e2e step:
    // the same command line finds it fresh.
    let out;
    try {
      out = execFileSync('cargo', ['test', '--workspace', '--test', 'integration', 'snapshot', '--', '--ignored', '--nocapture'], {
        cwd: repoRoot, env: { ...process.env, OPTIONCHAIN_SNAPSHOT: file }, stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 1 << 26,
      }).toString();
    } catch (e) {
      throw new Error(`the native replay failed (snapshot ${file}):\n${e.stdout}\n${e.stderr}`);
    }
    assert.match(out, /\b1 passed/, out);
    const m = out.match(/replayed (\d+) blocks: (\d+) fills, (\d+) positions settled, (\d+) series settled/);
    assert.ok(m, out);
    console.log(`upgrade: ${m[0]}`);
    assert.ok(Number(m[2]) >= 1 && Number(m[3]) >= 1 && Number(m[4]) >= 2, `the replay traded and settled: ${m[0]}`);
  });
});
