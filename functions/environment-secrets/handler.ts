import { handle } from 'hono/aws-lambda';
import { defaultDeps } from '../../shared/deps.js';
import { createEnvironmentSecretsApp } from './app.js';

export const handler = handle(createEnvironmentSecretsApp(defaultDeps()));
