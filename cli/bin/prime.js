#!/usr/bin/env node
// The `prime` bin: loads the TypeScript entry through tsx, in this same process.
import { register } from 'tsx/esm/api';

register();
await import('../main.ts');
