import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { readConfig } from '../../shared/config.js';
import { ATTEMPT_TIMEOUT_MS } from '../../shared/deadline.js';
import { createDb } from '../../shared/storage/client.js';

afterEach(() => vi.unstubAllEnvs());

describe('the region', () => {
  it("is the SDK's to resolve when the environment names none: the profile's region, not a fallback", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'prime-region-'));
    const configFile = join(dir, 'config');
    writeFileSync(configFile, '[profile operator]\nregion = eu-west-3\n');
    vi.stubEnv('AWS_CONFIG_FILE', configFile);
    vi.stubEnv('AWS_PROFILE', 'operator');
    vi.stubEnv('AWS_REGION', undefined);
    vi.stubEnv('AWS_DEFAULT_REGION', undefined);

    const config = readConfig({ TABLE_NAME: 'prime-secrets' });
    expect(config.region).toBeUndefined();
    expect(await createDb(config).raw.config.region()).toBe('eu-west-3');
  });

  it('is the one the environment names, and any region for DynamoDB Local', async () => {
    expect(readConfig({ AWS_REGION: 'ap-south-1' }).region).toBe('ap-south-1');
    expect(readConfig({ AWS_DEFAULT_REGION: 'ca-central-1' }).region).toBe('ca-central-1');
    const local = createDb(readConfig({ DYNAMODB_ENDPOINT: 'http://127.0.0.1:8000' }));
    expect(await local.raw.config.region()).toBe('us-east-1');
  });
});

describe('the request deadline', () => {
  it('is 8 s by default, 2 s inside the functions’ 10 s timeout, and never shorter than one attempt', () => {
    expect(readConfig({}).requestDeadlineMs).toBe(8_000);
    expect(readConfig({ REQUEST_DEADLINE_MS: '5000' }).requestDeadlineMs).toBe(5_000);
    expect(readConfig({ REQUEST_DEADLINE_MS: '1000' }).requestDeadlineMs).toBe(ATTEMPT_TIMEOUT_MS);
  });
});
