import { handle } from 'hono/aws-lambda';
import { defaultDeps } from '../../shared/deps.js';
import { initializedAhead, warmUp } from '../../shared/services/warm-up.js';
import { createRuntimeApp } from './app.js';

const deps = defaultDeps();
if (initializedAhead()) await warmUp(deps);

export const handler = handle(createRuntimeApp(deps));
