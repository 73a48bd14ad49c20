import type { Hono } from 'hono';
import type { ZodError } from 'zod';
import type { Deps } from '../../../shared/deps.js';
import { CreateEnvironmentSecretBody, CreateGlobalSecretBody, FILE_SECRET_MAX_BYTES } from '../../../shared/schemas.js';
import { directSecrets } from '../../../shared/services/entry-operations.js';
import { createGlobalSecret } from '../../../shared/services/global-secrets.js';
import { FILE_LIMIT_WORDS, FILE_SECRET_FORM } from '../components/file-secret-card.js';
import { withTeam } from '../components/layout.js';
import { flash } from '../cookies.js';
import { principalOf, requestedTeam, type ConsoleContext, type ConsoleEnv } from '../context.js';
import { emptyForm, fromApiError, fromZod, optional, type FormState } from '../forms.js';
import { backToTab, environmentTab } from './environment-tab.js';
import { NAME_CONFLICTS } from './entry-forms.js';
import { dashboard } from './keys-and-secrets.js';

/**
 * Add File Secret, of a scope (Keys & Secrets) or of one environment (a direct secret): a
 * multipart upload whose file becomes the secret's value as base64, checked by the same schemas
 * and created by the same service functions as the API's `isFile` secrets.
 */
export function registerFileSecretRoutes(app: Hono<ConsoleEnv>, deps: Deps): void {
  app.post('/console/file-secrets', (c) => addGlobal(c, deps));
  app.post('/console/environments/:envId/file-secrets', (c) => addDirect(c, deps));
}

const bytes = new Intl.NumberFormat('en-US');

interface Upload {
  /** The create body's fields, the file's content (base64) as the value. */
  body: { name: string; value: string; description: string | undefined; isFile: true };
  /** What the form shows again: never the file. */
  shown: Record<string, string>;
  /** Why the file cannot be a secret's value, if it cannot. */
  issue?: string | undefined;
}

/** The submitted form, its file read as the value. */
async function upload(c: ConsoleContext): Promise<Upload> {
  const fields = c.get('fields');
  const shown = { name: fields.name ?? '', description: fields.description ?? '' };
  const body = { name: shown.name, description: optional(fields.description), isFile: true as const };
  // The session gate parsed the body already (for its CSRF token); Hono keeps the form data.
  const file = (await c.req.parseBody()).file;
  // A stand-in value while the file is refused, so that the other fields are still checked.
  const refused = (issue: string): Upload => ({ body: { ...body, value: 'AA==' }, shown, issue });
  if (!(file instanceof File) || file.size === 0) return refused('Choose a file to upload: it must not be empty.');
  if (file.size > FILE_SECRET_MAX_BYTES) {
    return refused(`This file is ${bytes.format(file.size)} bytes: a file secret holds at most ${FILE_LIMIT_WORDS}.`);
  }
  return { body: { ...body, value: Buffer.from(await file.arrayBuffer()).toString('base64') }, shown };
}

/** A refused upload's errors: the schema's beside their fields, the file's (and any about the value) beside the file. */
function refusal(upload: Upload, error: ZodError | undefined): FormState {
  const state = error ? fromZod(FILE_SECRET_FORM, upload.shown, error) : emptyForm(FILE_SECRET_FORM, upload.shown);
  const fileErrors = [...(upload.issue ? [upload.issue] : []), ...(state.fieldErrors.value ?? [])];
  delete state.fieldErrors.value;
  if (fileErrors.length > 0) state.fieldErrors.file = fileErrors;
  return state;
}

async function addGlobal(c: ConsoleContext, deps: Deps) {
  const submitted = await upload(c);
  const teamId = requestedTeam(c);
  const parsed = CreateGlobalSecretBody.safeParse({ ...submitted.body, teamId });
  if (!parsed.success || submitted.issue) return dashboard(c, deps, refusal(submitted, parsed.error), 422);
  try {
    await createGlobalSecret(deps, principalOf(c), parsed.data);
  } catch (err) {
    const { state, status } = fromApiError(FILE_SECRET_FORM, submitted.shown, err, NAME_CONFLICTS);
    return dashboard(c, deps, state, status);
  }
  flash(c, `File secret ${parsed.data.name} added.`);
  return c.redirect(withTeam('/console', teamId), 303);
}

async function addDirect(c: ConsoleContext, deps: Deps) {
  const submitted = await upload(c);
  const parsed = CreateEnvironmentSecretBody.safeParse(submitted.body);
  if (!parsed.success || submitted.issue)
    return environmentTab(c, deps, 'secrets', refusal(submitted, parsed.error), 422);
  try {
    await directSecrets.create(deps, principalOf(c), c.req.param('envId')!, parsed.data);
  } catch (err) {
    const { state, status } = fromApiError(FILE_SECRET_FORM, submitted.shown, err, NAME_CONFLICTS);
    return environmentTab(c, deps, 'secrets', state, status);
  }
  flash(c, `File secret ${parsed.data.name} added.`);
  return backToTab(c, 'secrets');
}
