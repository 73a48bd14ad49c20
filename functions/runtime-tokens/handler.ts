import { handle } from 'hono/aws-lambda';
import { defaultDeps } from '../../shared/deps.js';
import { createRuntimeTokensApp } from './app.js';

export const handler = handle(createRuntimeTokensApp(defaultDeps()));
