#!/usr/bin/env node
// The metadata hash of a release build (`--features metadata-hash`, scripts/check-metadata-hash.sh):
// a dev node of that build accepts a transaction signed with `CheckMetadataHash` mode Enabled and
// the RFC-78 digest of its metadata (what Ledger's generic app and Polkadot Vault check before
// they sign), refuses one with another hash (the hash is part of what is signed), and still
// accepts mode Disabled. Exits 1 on any mismatch. Not part of CI: the feature builds the wasm
// runtime twice (about 10 minutes).
import { Keyring } from '@polkadot/keyring';
import { u8aToHex } from '@polkadot/util';
import { cryptoWaitReady } from '@polkadot/util-crypto';
import { merkleizeMetadata } from '@polkadot-api/merkleize-metadata';
import { Node } from './lib/node.js';

const node = new Node('metadata-hash', ['--dev', '--tmp']);
let failed = false;
try {
  await cryptoWaitReady();
  await node.start();
  const api = await node.api();
  const props = await api.rpc.system.properties();
  const tokenSymbol = props.tokenSymbol.unwrap()[0].toString();
  const tokenDecimals = props.tokenDecimals.unwrap()[0].toNumber();
  const metadata = (await api.call.metadata.metadataAtVersion(15)).unwrap().toU8a(true);
  const digest = u8aToHex(merkleizeMetadata(metadata, { decimals: tokenDecimals, tokenSymbol }).digest());
  console.log(`metadata digest (RFC 78, ${tokenSymbol}, ${tokenDecimals} decimals): ${digest}`);
  const bob = new Keyring({ type: 'sr25519' }).addFromUri('//Bob');
  const send = (opts) => new Promise((resolve, reject) => {
    api.tx.system.remark('0x01').signAndSend(bob, opts, ({ status, dispatchError }) => {
      if (dispatchError) reject(new Error(dispatchError.toString()));
      if (status.isInBlock) resolve(status.asInBlock.toHex());
    }).catch(reject);
  });
  console.log(`mode Enabled with the digest: included in ${await send({ mode: 1, metadataHash: digest })}`);
  try {
    await send({ mode: 1, metadataHash: `0x${'00'.repeat(32)}` });
    console.error('FAILED: a transaction signed over another metadata hash was accepted');
    failed = true;
  } catch (e) {
    if (!/1010/.test(e.message)) throw e;
    console.log(`mode Enabled with another hash: refused (${e.message})`);
  }
  console.log(`mode Disabled: included in ${await send({})}`);
} catch (e) {
  console.error(`FAILED: ${e.message}\nnode log: ${node.logPath}`);
  failed = true;
} finally {
  await node.stop();
}
process.exit(failed ? 1 : 0);
