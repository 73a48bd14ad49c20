import { handle } from 'hono/aws-lambda';
import { defaultDeps } from '../../shared/deps.js';
import { createEnvironmentsApp } from './app.js';

export const handler = handle(createEnvironmentsApp(defaultDeps()));
