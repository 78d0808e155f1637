#!/usr/bin/env node
import { main } from '../dist/cli/main.js';

// Exit only once stdout has flushed: a large --output json to a pipe must arrive whole.
main(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
  process.stdout.write('', () => process.exit(code));
});
