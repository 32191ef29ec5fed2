#!/usr/bin/env node
// optionchain command-line client: `node client.js help` lists the commands, `node client.js help
// <command>` a command's flags. The commands, their checks and their output are in lib/cli.js.
import { run } from './lib/cli.js';

process.exitCode = await run(process.argv.slice(2));
