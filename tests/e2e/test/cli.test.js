// The command-line client against a dev node: every bad input is refused with a message naming
// its flag, exit code 2 and nothing signed or sent; chain refusals name the pallet error and its
// doc (pool, block, sudo), exit code 1; outputs are in human units, `--json` for scripts; the
// metadata is cached per genesis and runtime version.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Keyring } from '@polkadot/keyring';
import { cryptoWaitReady } from '@polkadot/util-crypto';
import * as c from '../lib/client.js';
import { Node, reportLogs } from '../lib/node.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const client = path.join(here, '..', 'client.js');
const cache = fs.mkdtempSync(path.join(os.tmpdir(), 'optionchain-cli-cache-'));
// The dev chain's well-known development mnemonic (//Alice is its `//Alice` derivation).
const DEV_PHRASE = 'bottom drive obey lake curtain smoke basket hold race lonely fit walk';

describe('command-line client', () => {
  const node = new Node('cli', ['--dev', '--tmp']);
  let api; let failed = false; let alice; let dave; let eve;

  /** Run the client; resolves with { code, out, err } (never rejects). */
  const oc = (...args) => new Promise((resolve) => {
    execFile(process.execPath, [client, '--ws', node.wsUrl, ...args], { env: { ...process.env, OPTIONCHAIN_CLI_CACHE: cache }, timeout: 120_000 },
      (error, stdout, stderr) => resolve({ code: error ? error.code : 0, out: stdout.trim(), err: stderr.trim() }));
  });
  const ok = async (...args) => {
    const r = await oc(...args);
    assert.equal(r.code, 0, `${args.join(' ')}: ${r.err}`);
    return r.out;
  };
  const json = async (...args) => JSON.parse(await ok(...args, '--json'));
  /** A refused command: its exact message on stderr, its exit code, nothing on stdout. */
  const refused = async (code, message, ...args) => {
    const r = await oc(...args);
    if (message instanceof RegExp) assert.match(r.err.replace(/^Error: /, ''), message, args.join(' '));
    else assert.equal(r.err, `Error: ${message}`, args.join(' '));
    assert.equal(r.code, code, args.join(' '));
    assert.equal(r.out, '');
  };
  const nonce = async (who) => (await api.rpc.system.accountNextIndex(who)).toNumber();

  before(async () => {
    await cryptoWaitReady();
    const keyring = new Keyring({ type: 'sr25519', ss58Format: 42 });
    alice = keyring.addFromUri('//Alice').address;
    dave = keyring.addFromUri('//Dave').address;
    eve = keyring.addFromUri('//Eve').address;
    await node.start();
    api = await node.api();
  });

  after(async () => {
    if (failed) reportLogs([node]);
    await node.stop();
    fs.rmSync(cache, { recursive: true, force: true });
  });

  const t = (name, fn) => test(name, async () => {
    try { await fn(); } catch (e) { failed = true; throw e; }
  });

  t('help, and the metadata cached per genesis and runtime version', async () => {
    const help = await ok('help');
    for (const cmd of ['balance', 'quote', 'twap', 'settlement-price', 'insurance-fund', 'replace', 'underlying-setup', 'operator-add', 'proxy-add']) {
      assert.match(help, new RegExp(`\\n  ${cmd} `), cmd);
    }
    assert.match(await ok('help', 'place'), /--price <USDC> +USDC per contract/);
    assert.match(await ok('block'), /^\d+$/);
    assert.equal(typeof (await json('block')), 'number');
    const genesis = (await api.rpc.chain.getBlockHash(0)).toHex();
    const spec = api.runtimeVersion.specVersion.toNumber();
    const code = (await api.rpc.state.getStorageHash('0x3a636f6465')).toHex();
    const file = path.join(cache, `metadata-${genesis}-${spec}-${code}.hex`);
    assert.equal(fs.readFileSync(file, 'utf8'), api.runtimeMetadata.toHex());
  });

  t('bad inputs name their flag, exit 2 and send nothing', async () => {
    const before = await nonce(dave);
    const aliceBefore = await nonce(alice);
    const cases = [
      ['unknown command: nope (node client.js help)', 'nope'],
      // An unknown command's line is never echoed: its flags may carry a secret.
      ['unknown command: depost (node client.js help)', 'depost', '--as', DEV_PHRASE, '--amount', '1'],
      ['unknown command: nope (node client.js help)', 'help', 'nope'],
      ['unexpected argument after deposit: give every value after its flag', 'deposit', '--as', '//Dave', '--amount', '1', '2'],
      ['--amount: not a number: abc', 'deposit', '--as', '//Dave', '--amount', 'abc'],
      ['--amount: must be more than 0: 0', 'deposit', '--as', '//Dave', '--amount', '0'],
      ['--amount: must not be negative: -5', 'deposit', '--as', '//Dave', '--amount', '-5'],
      ['--amount: at most 6 decimals: 1.0000001', 'withdraw', '--as', '//Dave', '--amount', '1.0000001'],
      ['--amount: missing (USDC)', 'deposit', '--as', '//Dave'],
      ['--amount: needs a value', 'deposit', '--as', '//Dave', '--amount'],
      ['--amount: given twice', 'deposit', '--as', '//Dave', '--amount', '1', '--amount', '2'],
      ['--foo: not a flag of deposit (node client.js help deposit)', 'deposit', '--as', '//Dave', '--amount', '1', '--foo', '3'],
      ['--for: not a flag of withdraw (node client.js help withdraw)', 'withdraw', '--as', '//Eve', '--for', '//Dave', '--amount', '1'],
      ['--as: an address cannot sign: give its secret URI (//Alice) or mnemonic', 'deposit', '--as', dave, '--amount', '1'],
      ['--as: not a valid mnemonic (checksum or word list)', 'deposit', '--as', 'bottom drive obey lake curtain smoke basket hold race lonely fit fit', '--amount', '1'],
      ['--as: not a secret URI (//Alice) or a mnemonic', 'deposit', '--as', 'Dave', '--amount', '1'],
      ['--who: not an address or a secret URI: 5Nope', 'balance', '--who', '5Nope'],
      ['--series: not a whole number: 1.5', 'book', '--series', '1.5'],
      ['--side: one of Buy, Sell: up', 'place', '--as', '//Dave', '--series', '0', '--side', 'up', '--price', '1', '--qty', '1'],
      ['--qty: must be more than 0: 0', 'place', '--as', '//Dave', '--series', '0', '--side', 'Buy', '--price', '1', '--qty', '0'],
      ['--post-only: takes no value', 'place', '--as', '//Dave', '--series', '0', '--side', 'Buy', '--price', '1', '--qty', '1', '--post-only=yes'],
      ['--good-till-in: not with --tif', 'place', '--as', '//Dave', '--series', '0', '--side', 'Buy', '--price', '1', '--qty', '1', '--tif', 'FillOrKill', '--good-till-in', '30'],
      ['--kind: one of Call, Put: Straddle', 'list-series', '--as', '//Alice', '--underlying', '0', '--strike', '62000', '--kind', 'Straddle', '--expiry-in', '600'],
      ['--expiry: missing (one of --expiry, --expiry-in)', 'list-series', '--as', '//Alice', '--underlying', '0', '--strike', '62000', '--kind', 'Call'],
      ['--expiry: not a date (ISO 8601 with Z or an offset, such as 2026-12-31T08:00:00Z, or ms since the epoch): tomorrow', 'list-series', '--as', '//Alice', '--underlying', '0', '--strike', '62000', '--kind', 'Call', '--expiry', 'tomorrow'],
      ['--in: missing (one of --in, --at, --off)', 'schedule-cancel', '--as', '//Dave'],
      ['--max-move: at most 100: 150', 'underlying-setup', '--as', '//Alice', '--underlying', '2', '--strike-tick', '10', '--contract-size', '1', '--price-tick', '0.01', '--max-move', '150'],
      // Checked against the chain before signing: unknown ids, ticks, the past.
      ['--series: no such series: 99', 'place', '--as', '//Dave', '--series', '99', '--side', 'Buy', '--price', '1', '--qty', '1'],
      ['--underlying: no such underlying: 7', 'price', '--underlying', '7'],
      ['--underlying: no such underlying: 7', 'feed', '--as', '//Alice', '--underlying', '7', '--price', '1', '--vol', '0.5'],
      [`--order: no open order 42 of ${dave}`, 'cancel', '--as', '//Dave', '--order', '42'],
      ['--strike: not on the strike tick of underlying 0 (1000.00 USD): 62500', 'list-series', '--as', '//Alice', '--underlying', '0', '--strike', '62500', '--kind', 'Call', '--expiry-in', '600'],
      [/^--expiry: not in the future \(chain time \d{4}-[^)]+\): 2020-01-01T00:00:00Z$/, 'list-series', '--as', '//Alice', '--underlying', '0', '--strike', '62000', '--kind', 'Call', '--expiry', '2020-01-01T00:00:00Z'],
      [`--operator: not an operator: ${eve}`, 'operator-remove', '--as', '//Alice', '--operator', '//Eve'],
      ['--amount: too large: 340282366920938463463374607431768211456', 'deposit', '--as', '//Dave', '--amount', '340282366920938463463374607431768211456'],
      ['--series: at most 4294967295: 4294967296', 'book', '--series', '4294967296'],
      ['--who: give an SS58 address or a secret URI, not hex', 'balance', '--who', `0x${'11'.repeat(32)}`],
      ['--window: at most 86400: 90000', 'twap', '--underlying', '0', '--window', '90000'],
      ['--max-vol-move: must be more than 0: 0', 'underlying-setup', '--as', '//Alice', '--underlying', '0', '--max-vol-move', '0'],
      ['--type: one of Trading, Any: Governance', 'proxy-add', '--as', '//Dave', '--delegate', '//Eve', '--type', 'Governance'],
      ['--delegate: cannot be the signer itself', 'proxy-add', '--as', '//Dave', '--delegate', dave],
      ['--good-till-time: not a date (ISO 8601 with Z or an offset, such as 2026-12-31T08:00:00Z, or ms since the epoch): 2026-12-31T08:00:00', 'place', '--as', '//Dave', '--series', '0', '--side', 'Buy', '--price', '1', '--qty', '1', '--good-till-time', '2026-12-31T08:00:00'],
      ['--contracts: give at least one limit (--contracts, --delta or --vega)', 'mmp-set', '--as', '//Dave', '--underlying', '0', '--window', '30'],
      ['--underlying: no such underlying: 9', 'mmp-set', '--as', '//Dave', '--underlying', '9', '--window', '30', '--contracts', '5'],
      [`--order: no open order 7 of ${dave}`, 'replace', '--as', '//Dave', '--order', '7', '--price', '1', '--qty', '1'],
      [/^--at: not after the best block \d+: 1$/, 'schedule-cancel', '--as', '//Dave', '--at', '1'],
      [`--for: ${eve} is not a proxy of ${dave}`, 'cancel-all', '--as', '//Eve', '--for', '//Dave'],
    ];
    for (const [message, ...args] of cases) await refused(2, message, ...args);
    // --json reports the same error as JSON.
    const r = await oc('deposit', '--as', '//Dave', '--amount', 'abc', '--json');
    assert.equal(r.code, 2);
    assert.deepEqual(JSON.parse(r.err), { error: '--amount: not a number: abc', exitCode: 2 });
    // Nothing was signed: no nonce used, nothing in the pool.
    assert.equal(await nonce(dave), before);
    assert.equal(await nonce(alice), aliceBefore);
    assert.equal(await nonce(eve), 0);
    assert.equal((await api.rpc.author.pendingExtrinsics()).length, 0);
  });

  t('a trading session in human units', async () => {
    const bal = await json('balance', '--who', '//Dave');
    assert.deepEqual(bal, { account: dave, opt: bal.opt, usdcWallet: '1000000.00 USDC', marginCollateral: '0.00 USDC' });
    const dep = await json('deposit', '--as', '//Dave', '--amount', '2500.5');
    assert.deepEqual(dep.events.find((e) => e.event === 'margin.Deposited'), { event: 'margin.Deposited', who: dave, amount: '2500.50 USDC' });
    assert.equal((await json('balance', '--who', dave)).marginCollateral, '2500.50 USDC');
    // Feeds (free for operators), then a series listed by sudo, quoted with its greeks.
    for (const op of ['//Alice', '//Bob', '//Charlie']) await ok('feed', '--as', op, '--underlying', '0', '--price', '60000', '--vol', '0.5');
    const p = await json('price', '--underlying', '0');
    assert.equal(p.price, '60000.00 USD');
    assert.equal(p.status, 'Fresh');
    assert.equal((await json('vol', '--underlying', '0')).volatility, '50 %');
    const listed = await json('list-series', '--as', '//Alice', '--underlying', '0', '--strike', '60000', '--kind', 'Call', '--expiry-in', '3600');
    const id = listed.series;
    assert.equal(typeof id, 'number');
    const s = (await json('series')).find((x) => x.series === id);
    assert.deepEqual({ ...s, expiry: undefined }, {
      series: id, underlying: 0, kind: 'Call', strike: '60000.00 USD', expiry: undefined, contract: '0.1 units',
      tick: '0.01 USDC', status: 'Trading', openInterest: 0, restingOrders: 0,
    });
    assert.equal(s.expiry, listed.expiry);
    const q = await json('quote', '--series', String(id));
    assert.match(q.mark, /^\d+(\.\d+)? USD$/);
    assert.ok(Number(q.mark.split(" ")[0]) > 1, q.mark);
    assert.match(q.delta, /^0\.\d+ units of the underlying$/);
    assert.match(q.theta, /^-\d+(\.\d+)? USD a day$/);
    assert.equal(q.index, '60000.00 USD');
    assert.equal(q.volatility, '50 %');
    assert.equal(q.fresh, true);
    // A price off the series' tick is refused before signing; a good one rests.
    await refused(2, `--price: not on the tick of series ${id} (0.01 USDC): 150.005`, 'place', '--as', '//Dave', '--series', String(id), '--side', 'Buy', '--price', '150.005', '--qty', '1');
    const placed = await json('place', '--as', '//Dave', '--series', String(id), '--side', 'Buy', '--price', '150', '--qty', '2', '--post-only');
    const rested = placed.events.find((e) => e.event === 'options.OrderRested');
    assert.ok(rested, JSON.stringify(placed.events));
    const orders = await json('orders', '--who', '//Dave');
    assert.deepEqual(orders, [{ order: Number(rested.order_id), series: id, side: 'Buy', price: '150.00 USDC', remaining: 2, reduceOnly: false, goodTill: 'cancelled' }]);
    assert.deepEqual(await json('book', '--series', String(id)), { bids: [{ price: '150.00 USDC', qty: 2, orders: 1 }], asks: [] });
    // Replace keeps the series and side.
    await ok('replace', '--as', '//Dave', '--order', rested.order_id, '--price', '151.25', '--qty', '3', '--post-only');
    assert.deepEqual((await json('book', '--series', String(id))).bids, [{ price: '151.25 USDC', qty: 3, orders: 1 }]);
    // The human form prints the events as lines with units.
    const text = await ok('cancel-all', '--as', '//Dave');
    assert.match(text, /^\s*options\.OrderCancelled order_id=\d+ .*reason=ByOwner/m);
    assert.equal((await json('insurance-fund')).insuranceFund, '0.00 USDC');
    const tw = await json('twap', '--underlying', '0', '--window', '600');
    assert.deepEqual(tw, { underlying: 0, window: '10m', twap: '60000.00 USD' });
    assert.deepEqual(await json('settlement-price', '--underlying', '0', '--expiry', listed.expiry),
      { underlying: 0, expiry: listed.expiry, price: null });
  });

  t('chain refusals name the pallet error and its doc, exit 1', async () => {
    // In the pool, with the oracle error behind `Custom error: N`; nothing charged.
    await refused(1, 'refused by the pool, nothing charged: oracle.PriceOutOfBounds: A submitted price is above the underlying\'s `max_price`.',
      'feed', '--as', '//Alice', '--underlying', '0', '--price', '20000000', '--vol', '0.5');
    // A non-operator's feed.
    await refused(1, 'refused by the pool, nothing charged: Invalid Transaction: Invalid signing address (1010)',
      'feed', '--as', '//Eve', '--underlying', '0', '--price', '60000', '--vol', '0.5');
    assert.equal(await nonce(eve), 0);
    // In its block.
    await refused(1, 'failed in its block: margin.InsufficientCollateral: The account\'s collateral is smaller than the amount.',
      'withdraw', '--as', '//Dave', '--amount', '1000000');
    // Under sudo (`Sudid` with an error): the same series twice.
    const expiry = new Date(Date.now() + 7_200_000).toISOString();
    await ok('list-series', '--as', '//Alice', '--underlying', '0', '--strike', '64000', '--kind', 'Put', '--expiry', expiry);
    await refused(1, 'failed under sudo: options.DuplicateSeries: A series with these terms exists.',
      'list-series', '--as', '//Alice', '--underlying', '0', '--strike', '64000', '--kind', 'Put', '--expiry', expiry);
  });

  t('governance and trading keys', async () => {
    // An underlying in one batch (oracle registration and trading parameters), then a series of it.
    const setup = await json('underlying-setup', '--as', '//Alice', '--underlying', '2', '--strike-tick', '10', '--contract-size', '1', '--price-tick', '0.05');
    assert.equal(setup.oracle, 'registered');
    assert.ok(setup.events.some((e) => e.event === 'oracle.UnderlyingRegistered'), JSON.stringify(setup.events));
    assert.ok(setup.events.some((e) => e.event === 'options.UnderlyingConfigured'), JSON.stringify(setup.events));
    await refused(2, '--strike: not on the strike tick of underlying 2 (10.00 USD): 105', 'list-series', '--as', '//Alice', '--underlying', '2', '--strike', '105', '--kind', 'Call', '--expiry-in', '3600');
    // Operators: a fourth would break the quorum's strict majority (2 of 4), refused under sudo
    // with the oracle's reason; so Charlie steps aside for Eve, and back.
    await refused(1, /^failed under sudo: oracle\.QuorumNotMajority: /, 'operator-add', '--as', '//Alice', '--operator', '//Eve');
    await ok('operator-remove', '--as', '//Alice', '--operator', '//Charlie');
    await ok('operator-add', '--as', '//Alice', '--operator', '//Eve');
    const ops = (await json('operators')).map((o) => o.operator);
    assert.ok(ops.includes(eve) && ops.length === 3, JSON.stringify(ops));
    await ok('operator-remove', '--as', '//Alice', '--operator', eve);
    await ok('operator-add', '--as', '//Alice', '--operator', '//Charlie');
    assert.ok(!(await json('operators')).some((o) => o.operator === eve));
    // A trading key: Eve trades for Dave, and only trades.
    await ok('proxy-add', '--as', '//Dave', '--delegate', '//Eve');
    assert.deepEqual(await json('proxies', '--who', '//Dave'), [{ delegate: eve, type: 'Trading', delay: 0 }]);
    // A fresh price for the margin check of Eve's order.
    for (const op of ['//Alice', '//Bob', '//Charlie']) await ok('feed', '--as', op, '--underlying', '0', '--price', '60000', '--vol', '0.5');
    const series = (await json('series')).find((x) => x.underlying === 0 && x.kind === 'Call').series;
    const placed = await json('place', '--as', '//Eve', '--for', '//Dave', '--series', String(series), '--side', 'Buy', '--price', '1', '--qty', '1', '--post-only');
    assert.ok(placed.events.some((e) => e.event === 'proxy.ProxyExecuted'), JSON.stringify(placed.events));
    const [order] = await json('orders', '--who', '//Dave');
    assert.deepEqual({ ...order, order: undefined }, { order: undefined, series, side: 'Buy', price: '1.00 USDC', remaining: 1, reduceOnly: false, goodTill: 'cancelled' });
    assert.deepEqual(await json('orders', '--who', '//Eve'), []);
    await ok('cancel', '--as', '//Eve', '--for', '//Dave', '--order', String(order.order));
    assert.deepEqual(await json('orders', '--who', '//Dave'), []);
    await ok('proxy-remove', '--as', '//Dave', '--delegate', '//Eve');
    assert.deepEqual(await json('proxies', '--who', '//Dave'), []);
    // Without the proxy the client refuses to sign (test 2); sent anyway, the chain's error is
    // decoded.
    await assert.rejects(
      c.send(api, new Keyring({ type: 'sr25519' }).addFromUri('//Eve'), api.tx.proxy.proxy(dave, null, api.tx.options.cancelAll(null))),
      /extrinsic failed: proxy\.NotProxy/,
    );
  });
});
