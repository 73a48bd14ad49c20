import { handle } from 'hono/aws-lambda';
import { defaultDeps } from '../../shared/deps.js';
import { createAuditApp } from './app.js';

export const handler = handle(createAuditApp(defaultDeps()));
