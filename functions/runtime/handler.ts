import { handle } from 'hono/aws-lambda';
import { defaultDeps } from '../../shared/deps.js';
import { createRuntimeApp } from './app.js';

export const handler = handle(createRuntimeApp(defaultDeps()));
