import { handle } from 'hono/aws-lambda';
import { defaultDeps } from '../../shared/deps.js';
import { createConsoleKeysApp } from '../console/keys-app.js';

export const handler = handle(createConsoleKeysApp(defaultDeps()));
