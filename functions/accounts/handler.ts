import { handle } from 'hono/aws-lambda';
import { defaultDeps } from '../../shared/deps.js';
import { createAccountsApp } from './app.js';

export const handler = handle(createAccountsApp(defaultDeps()));
