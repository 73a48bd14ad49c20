import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { RESOURCES } from '../../functions/routes.js';
import { BUNDLE_FILE, type FunctionName } from '../../infra/build.js';

/**
 * What `npm run build` leaves for the CDK stack, without building: a one-line bundle per function
 * in `bundleDir/<name>/`, each answering its own name, for tests of the synthesized template.
 */
export function writeStubBundles(bundleDir: string, names: readonly FunctionName[] = RESOURCES): void {
  for (const name of names) {
    mkdirSync(join(bundleDir, name), { recursive: true });
    writeFileSync(join(bundleDir, name, BUNDLE_FILE), `export const handler = async () => ${JSON.stringify(name)};\n`);
  }
}
