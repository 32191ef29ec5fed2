// Bundles the trading screen (src/app.js with @polkadot/api) into dist/app.js for the browser
// (esbuild, minified; no CDN at run time). Prints the bundle's size.
import { build } from 'esbuild';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const out = path.join(here, 'dist', 'app.js');
await build({
  entryPoints: [path.join(here, 'src', 'app.js')],
  bundle: true,
  minify: true,
  format: 'iife',
  platform: 'browser',
  target: ['chrome110', 'firefox110'],
  outfile: out,
  logLevel: 'warning',
  legalComments: 'none',
});
const bytes = fs.statSync(out).size;
console.log(`ui: dist/app.js ${(bytes / 1024).toFixed(0)} KiB`);
