import type { Hono } from 'hono';
import type { Deps } from '../../../shared/deps.js';
import { environmentPath } from '../components/environment-link.js';
import { rollbackForm } from '../components/versions.js';
import { flash } from '../cookies.js';
import { principalOf, type ConsoleContext, type ConsoleEnv } from '../context.js';
import { fromApiError } from '../forms.js';
import type { EntryKind } from '../pages/entry.js';
import { NAME_CONFLICTS } from './entry-forms.js';
import { entryPage, KINDS } from './environment-entries.js';
import { backToTab, environmentTab } from './environment-tab.js';
import { chosenVersion, restoreRequest, rolledBack } from './history-forms.js';

/**
 * Roll back, on the edit page of a direct secret or a variable, and Restore, on its
 * environment's Recently deleted tab.
 */
export function registerEntryHistoryRoutes(app: Hono<ConsoleEnv>, deps: Deps, kind: EntryKind): void {
  const path = `/console/environments/:envId/${KINDS[kind].path}/:id`;
  app.post(`${path}/rollback`, (c) => rollback(c, deps, kind));
  app.post(`${path}/restore`, (c) => restore(c, deps, kind));
}

async function rollback(c: ConsoleContext, deps: Deps, kind: EntryKind) {
  const { operations, noun, path } = KINDS[kind];
  const chosen = chosenVersion(c.get('fields'));
  if ('failed' in chosen) return entryPage(c, deps, kind, { rollback: chosen.failed }, 422);
  const envId = c.req.param('envId')!;
  let entry: { id: string; name: string; version: number };
  try {
    entry = await operations.rollback(deps, principalOf(c), envId, c.req.param('id')!, chosen.version);
  } catch (err) {
    const { state, status } = fromApiError(rollbackForm(chosen.version), {}, err);
    return entryPage(c, deps, kind, { rollback: state }, status);
  }
  flash(c, rolledBack(noun, entry.name, chosen.version, entry.version));
  return c.redirect(`${environmentPath(envId)}/${path}/${entry.id}`, 303);
}

/** A restore onto a name used again since is refused beside the form's name field, on the tab. */
async function restore(c: ConsoleContext, deps: Deps, kind: EntryKind) {
  const { operations, noun } = KINDS[kind];
  const request = restoreRequest(c.req.param('id')!, c.get('fields'));
  if (request.failed) return environmentTab(c, deps, 'deleted', request.failed, 422);
  let entry: { name: string };
  try {
    entry = await operations.restore(deps, principalOf(c), c.req.param('envId')!, c.req.param('id')!, request.name);
  } catch (err) {
    const { state, status } = fromApiError(request.form, request.shown, err, NAME_CONFLICTS);
    return environmentTab(c, deps, 'deleted', state, status);
  }
  flash(c, `${noun} ${entry.name} restored.`);
  return backToTab(c, 'deleted');
}
