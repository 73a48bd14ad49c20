import { handle } from 'hono/aws-lambda';
import { defaultDeps } from '../../shared/deps.js';
import { createGlobalSecretsApp } from './app.js';

export const handler = handle(createGlobalSecretsApp(defaultDeps()));
