#!/usr/bin/env node
// The `uplock` command (package.json "bin"): runs bin/cli.ts through tsx, which is installed with
// the project (`npm ci`), from any working directory. bin/uplock.ts is the CDK app, not this.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('./cli.ts');
process.exitCode = await main();
