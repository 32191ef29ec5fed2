// The four-validator `local` network on loopback: all nodes agree on the finalized block and
// state root; with one validator stopped the other three keep producing and finalizing; the
// restarted validator catches up to the same finalized state.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { Node, reportLogs, runDir, waitFor } from '../lib/node.js';
import * as c from '../lib/client.js';

const NAMES = ['alice', 'bob', 'charlie', 'dave'];
// Distinct, fixed libp2p keys so that peers are stable across a restart.
const nodeKey = (i) => (i + 1).toString(16).padStart(64, '0');

async function finalized(api) {
  const hash = await api.rpc.chain.getFinalizedHead();
  const header = await api.rpc.chain.getHeader(hash);
  return { number: header.number.toNumber(), hash: hash.toHex(), stateRoot: header.stateRoot.toHex() };
}

async function blockAt(api, n) {
  const hash = await api.rpc.chain.getBlockHash(n);
  const header = await api.rpc.chain.getHeader(hash);
  return { hash: hash.toHex(), stateRoot: header.stateRoot.toHex() };
}

/** Wait until every api has finalized at least `min`, then compare the block at the common height. */
async function assertAgree(apis, min, what) {
  const fins = await waitFor(`${what}: all nodes finalize #${min}`, async () => {
    const f = await Promise.all(apis.map(finalized));
    return f.every((x) => x.number >= min) ? f : null;
  }, 180_000);
  const common = Math.min(...fins.map((f) => f.number));
  const blocks = await Promise.all(apis.map((a) => blockAt(a, common)));
  for (const b of blocks.slice(1)) {
    assert.deepEqual(b, blocks[0], `${what}: nodes disagree at finalized #${common}`);
  }
  return { common, ...blocks[0] };
}

describe('four-validator local network', () => {
  const nodes = [];
  let failed = false;

  const t = (name, fn) => test(name, async () => {
    try { await fn(); } catch (e) { failed = true; throw e; }
  });

  before(async () => {
    let bootnode = null;
    for (const [i, name] of NAMES.entries()) {
      const args = ['--chain', 'local', `--${name}`, '--base-path', path.join(runDir, name),
        '--node-key', nodeKey(i), '--rpc-cors', 'all'];
      if (bootnode) args.push('--bootnodes', bootnode);
      const node = new Node(name, args);
      nodes.push(node);
      await node.start();
      if (!bootnode) {
        const api = await node.api();
        const peerId = (await api.rpc.system.localPeerId()).toString();
        bootnode = `/ip4/127.0.0.1/tcp/${node.p2pPort}/p2p/${peerId}`;
      }
    }
  });

  after(async () => {
    if (failed) reportLogs(nodes);
    await Promise.all(nodes.map((n) => n.stop()));
  });

  t('all four nodes report the same finalized block hash and state root', async () => {
    const apis = await Promise.all(nodes.map((n) => (n.apis[0] ? n.apis[0] : n.api())));
    await waitFor('every node connected to the three others', async () => {
      const peers = await Promise.all(apis.map(async (a) => (await a.rpc.system.health()).peers.toNumber()));
      return peers.every((p) => p >= 3);
    }, 120_000);
    const r = await assertAgree(apis, 3, 'four nodes');
    assert.ok(r.common >= 3);
  });

  t('trades submitted to different nodes: every node holds the same margin state', async () => {
    const apis = await Promise.all(nodes.map((n) => (n.apis[0] ? n.apis[0] : n.api())));
    const [alice, bob, charlie] = ['//Alice', '//Bob', '//Charlie'].map(c.pair);
    // Each operator feeds BTC through its own node on every new block.
    const ops = [[alice, apis[0]], [bob, apis[1]], [charlie, apis[2]]];
    let fillNumber = null;
    const unsub = await apis[0].rpc.chain.subscribeNewHeads((h) => {
      for (const [op, api] of ops) {
        c.feed(api, op, [{ underlying: 0, price: '60000', volatility: '0.5' }], h.number.toNumber()).catch(() => {});
      }
    });
    try {
      await waitFor('a fresh BTC price on the dave node', async () => {
        const p = await c.indexPrice(apis[3], 0);
        return p && p.status.toString() === 'Fresh';
      }, 120_000);
      const now = (await apis[0].query.timestamp.now()).toNumber();
      const series = (await c.listSeries(apis[0], alice, { underlying: 0, strike: '62000', expiry: now + 3_600_000, kind: 'Call' })).series;
      await c.deposit(apis[1], bob, 10_000n * c.USD);
      await c.deposit(apis[2], charlie, 10_000n * c.USD);
      await c.placeOrder(apis[1], bob, { series, side: 'Sell', price: 150n * c.USD, quantity: 10 });
      const r = await c.placeOrder(apis[3], charlie, { series, side: 'Buy', price: 150n * c.USD, quantity: 4, tif: 'ImmediateOrCancel' });
      assert.ok(r.events.some((e) => apis[3].events.options.OrderFilled.is(e)), 'filled through the dave node');
      fillNumber = (await apis[3].rpc.chain.getHeader(r.blockHash)).number.toNumber();
    } finally {
      unsub();
    }
    const { common, hash } = await assertAgree(apis, fillNumber, 'after trading');
    const states = await Promise.all(apis.map(async (api) => {
      const at = await api.at(hash);
      const accounts = (await at.query.margin.accounts.entries())
        .map(([k, v]) => [k.args[0].toString(), v.toJSON()]).sort();
      const bobM = (await at.call.marginApi.accountMargin(bob.address)).toJSON();
      const charlieM = (await at.call.marginApi.accountMargin(charlie.address)).toJSON();
      const book = (await at.call.optionsApi.bookDepth(0, 10)).toJSON();
      const bobPositions = (await at.call.optionsApi.positions(bob.address)).map((p) => p.net.toNumber());
      return JSON.stringify({ accounts, bobM, charlieM, book, bobPositions });
    }));
    for (const st of states.slice(1)) assert.equal(st, states[0], `margin state differs at finalized #${common}`);
    assert.match(states[0], /"bobPositions":\[-4\]/, 'the fill is in the compared state');
  });

  t('three validators keep producing and finalizing while one is down; it catches up after restart', async () => {
    const dave = nodes[3];
    const others = nodes.slice(0, 3);
    const apis = await Promise.all(others.map((n) => (n.apis[0] ? n.apis[0] : n.api())));

    await dave.stop();
    const start = (await finalized(apis[0])).number;
    const bestStart = (await apis[0].rpc.chain.getHeader()).number.toNumber();
    // 3 of 4 voters are more than two thirds: finality continues.
    const r = await assertAgree(apis, start + 5, 'three nodes');
    const bestNow = (await apis[0].rpc.chain.getHeader()).number.toNumber();
    assert.ok(bestNow > bestStart, 'blocks are still produced');

    // Restart Dave on the same database, keys and ports.
    await dave.start();
    const daveApi = await dave.api();
    const all = [...apis, daveApi];
    const caught = await assertAgree(all, r.common + 3, 'after restart');
    assert.ok(caught.common > r.common);
  });
});
