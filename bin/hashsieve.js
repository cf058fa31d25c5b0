#!/usr/bin/env node
// Thin entry: the CLI lives in dist/src/cli/main.js (built by `npm run build`, run on `npm ci` via prepare).
import { main } from '../dist/src/cli/main.js';

main(process.argv).then((code) => {
  process.exitCode = code;
});
