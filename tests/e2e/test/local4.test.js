// The four-validator `local` network on loopback: all nodes agree on the finalized block and
// state root; with one validator stopped the other three keep producing and finalizing; the
// restarted validator catches up to the same finalized state.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { Node, reportLogs, runDir, waitFor } from '../lib/node.js';

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
