import { handle } from 'hono/aws-lambda';
import { defaultDeps } from '../../shared/deps.js';
import { createEnvironmentVariablesApp } from './app.js';

export const handler = handle(createEnvironmentVariablesApp(defaultDeps()));
