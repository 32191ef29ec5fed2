#!/usr/bin/env node
// optionchain command-line client: `node client.js help` lists the commands, `node client.js help
// <command>` a command's flags. The commands, their checks and their output are in lib/cli.js.
import { run } from './lib/cli.js';

// polkadot.js logs what it also throws (`RPC-CORE: ... 1010: ...`) with a timestamp: the client
// reports every error once, in its own words, so those lines are dropped.
for (const level of ['error', 'warn', 'log']) {
  const write = console[level].bind(console);
  console[level] = (...args) => {
    if (typeof args[0] === 'string' && /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}\s*$/.test(args[0])) return;
    write(...args);
  };
}

process.exitCode = await run(process.argv.slice(2));
