import { handle } from 'hono/aws-lambda';
import { defaultDeps } from '../../shared/deps.js';
import { createConsoleApp } from './app.js';

export const handler = handle(createConsoleApp(defaultDeps()));
