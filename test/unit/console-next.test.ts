import { describe, expect, it } from 'vitest';
import { safeNext } from '../../functions/console/routes/auth.js';

describe("the console's ?next= after signing in", () => {
  it('keeps console pages, as the browser would resolve them', () => {
    expect(safeNext('/console')).toBe('/console');
    expect(safeNext('/console/environments/abc?teamId=t1')).toBe('/console/environments/abc?teamId=t1');
    expect(safeNext('/console/./secrets/x')).toBe('/console/secrets/x');
    expect(safeNext('/console/environments/../secrets/x')).toBe('/console/secrets/x');
    expect(safeNext('/console?x=<script>')).toBe('/console?x=%3Cscript%3E');
  });

  it('refuses anything that resolves outside the console or to another site', () => {
    for (const next of [
      undefined,
      '',
      'console',
      '/console/../api/v1/user/whoami',
      '/console/%2e%2e/api/v1/audit',
      '/console/..%2fapi',
      '/consoleevil',
      '//evil.example/console',
      '/\\evil.example',
      'https://evil.example/console',
      '/console//evil.example',
    ]) {
      expect(safeNext(next), String(next)).toBeUndefined();
    }
  });
});
