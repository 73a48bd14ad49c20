#!/usr/bin/env node
// The `prime` bin. In a checkout it runs the TypeScript through tsx, in this same process; the
// packed package (npm pack) ships no sources, and runs the bundle that infra/build-cli.ts made.
import { existsSync } from 'node:fs';

if (existsSync(new URL('../main.ts', import.meta.url))) {
  const { register } = await import('tsx/esm/api');
  register();
  await import('../main.ts');
} else {
  await import('../../dist-cli/prime.mjs');
}
