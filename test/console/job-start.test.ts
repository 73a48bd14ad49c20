import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { expiryState, expiryWords } from '../../functions/console/components/expiry.js';
import { NAME_MESSAGE } from '../../shared/schemas.js';
import { startTestService, type TestService } from '../support/service.js';
import { type Browser, noticeOf, textOf, signedInTo } from './browser.js';

/**
 * Job start in the console: an environment's requirements with ✓ / ✗ against its runtime set,
 * whether a job can start, Add requirement and Remove, and secrets' expiry shown, warned, set
 * and cleared, through the local app as a browser without script uses it
 * (test/console/browser.ts). Runs against DynamoDB Local.
 */

let svc: TestService;
const V1 = '/api/v1';
const DAY = 86_400_000;
/** A fixed "now" for the tests of expiry (`vi.useFakeTimers({ toFake: ['Date'] })`). */
const T0 = Date.parse('2031-03-10T12:00:00.000Z');

beforeAll(async () => {
  svc = await startTestService();
});

afterEach(() => {
  vi.useRealTimers();
});

/** Signed in now (a session made before a jump of the clock would have ended). */
const signedIn = (apiKey?: string) => signedInTo(svc, apiKey);

/** Submits and follows the redirect: the page it lands on, with its notice. */
async function submitAndFollow(browser: Browser, html: string, action: string, fields: Record<string, string>) {
  const res = await browser.submit(html, action, fields);
  expect(res.status, res.html.slice(0, 2000)).toBe(303);
  return browser.get(res.location!);
}

let seq = 0;

/** A new personal environment of the seed user, and the path of its Secrets tab. */
async function newEnvironment(): Promise<{ envId: string; tab: string }> {
  const created = await svc.call('POST', `${V1}/environmentshub`, {
    key: svc.seed.user.apiKey,
    body: { name: `console-job-${++seq}` },
  });
  expect(created.status).toBe(201);
  return { envId: created.body.data.id, tab: `/console/environments/${created.body.data.id}` };
}

/** The id of the item named `name` in an API list. */
async function idOf(path: string, name: string): Promise<string> {
  const listed = await svc.call('GET', path, { key: svc.seed.user.apiKey });
  const found = listed.body.data.find((e: { name: string }) => e.name === name);
  expect(found, `${name} in ${path}`).toBeDefined();
  return found.id;
}

const words = (html: string) =>
  html
    .replace(/<[^>]+>/g, '')
    .replace(/&amp;/g, '&')
    .replace(/\s+/g, ' ')
    .trim();

/** The Requirements section of the Requirements tab. */
const requirementsOf = (html: string) => html.slice(html.indexOf('id="requirements"'));

/** The summary line: whether a job can start, and why not. */
function readiness(html: string): string | undefined {
  const start = html.indexOf('id="readiness"');
  return start < 0 ? undefined : words(html.slice(html.indexOf('>', start) + 1, html.indexOf('</p>', start)));
}

/** Each requirement's row: its name (with "optional"), and its status in words. */
function requirementRows(html: string): [string, string][] {
  const rows = requirementsOf(html).matchAll(/<tr><td class="name">([\s\S]*?)<\/td><td>([\s\S]*?)<\/td>/g);
  return [...rows].map((m) => [words(m[1]!.replace(/<span/g, ' <span')), words(m[2]!)]);
}

/** A table row of the page, by the name in its first cell, in words. */
function rowOf(html: string, name: string): string {
  const start = html.indexOf(`<td class="name">${name}`);
  expect(start, `row ${name}`).toBeGreaterThan(-1);
  return html.slice(start, html.indexOf('</tr>', start));
}

describe('requirements on the Requirements tab', () => {
  it('are added from the page, listed with ✓ / ✗ against the runtime set, summed up, and removed', async () => {
    const { envId, tab } = await newEnvironment();
    const browser = await signedIn();
    const empty = await browser.get(`${tab}/requirements`);
    expect(empty.html).toContain(`<a href="${tab}/requirements" aria-current="page">Requirements</a>`);
    expect(requirementsOf(empty.html)).toContain('No requirements yet');
    expect(readiness(empty.html)).toBeUndefined();

    const added = await submitAndFollow(browser, empty.html, `${tab}/requirements`, {
      name: 'JUDGE_KEY',
      description: 'the judge model',
    });
    expect(noticeOf(added.html)).toBe('Requirement JUDGE_KEY added.');
    await browser.submit(empty.html, `${tab}/requirements`, { name: 'HF_TOKEN', description: '' });
    const optional = await submitAndFollow(browser, empty.html, `${tab}/requirements`, {
      name: 'WANDB_KEY',
      optional: 'yes',
    });
    expect(noticeOf(optional.html)).toBe('Requirement WANDB_KEY added (optional).');
    expect(requirementRows(optional.html)).toEqual([
      ['HF_TOKEN', '✗ Missing'],
      ['JUDGE_KEY', '✗ Missing'],
      ['WANDB_KEY optional', '✗ Missing'],
    ]);
    expect(readiness(optional.html)).toBe(
      '✗ Not ready for a job. Missing: HF_TOKEN, JUDGE_KEY. Optional, not set: WANDB_KEY.',
    );
    expect(requirementsOf(optional.html)).toContain('<td>the judge model</td>');
    expect(
      (await svc.call('GET', `${V1}/environmentshub/${envId}/requirements`, { key: svc.seed.user.apiKey })).body.data,
    ).toMatchObject([
      { name: 'HF_TOKEN', description: null, optional: false },
      { name: 'JUDGE_KEY', description: 'the judge model', optional: false },
      { name: 'WANDB_KEY', description: null, optional: true },
    ]);

    // A direct secret and a variable meet two of them; the third is optional.
    await browser.submit(optional.html, `${tab}/secrets`, { name: 'JUDGE_KEY', value: 'sk-judge-never-shown-91' });
    await browser.submit(optional.html, `${tab}/variables`, { name: 'HF_TOKEN', value: 'hf-plain' });
    const ready = await browser.get(`${tab}/requirements`);
    expect(requirementRows(ready.html)).toEqual([
      ['HF_TOKEN', '✓ Set Variable'],
      ['JUDGE_KEY', '✓ Set Direct secret'],
      ['WANDB_KEY optional', '✗ Missing'],
    ]);
    expect(readiness(ready.html)).toBe('✓ Ready for a job. Optional, not set: WANDB_KEY.');
    expect(ready.html).not.toContain('sk-judge-never-shown-91');
    expect(
      (await svc.call('GET', `${V1}/environmentshub/${envId}/runtime/check`, { key: svc.seed.user.apiKey })).body,
    ).toMatchObject({ data: { ready: true, optionalMissing: ['WANDB_KEY'] } });

    const removed = await submitAndFollow(browser, ready.html, `${tab}/requirements/WANDB_KEY/delete`, {});
    expect(noticeOf(removed.html)).toBe('Requirement WANDB_KEY removed.');
    expect(requirementRows(removed.html).map(([name]) => name)).toEqual(['HF_TOKEN', 'JUDGE_KEY']);
    expect(readiness(removed.html)).toBe('✓ Ready for a job.');
    expect(requirementsOf(removed.html)).toContain('aria-label="Remove requirement JUDGE_KEY"');

    // Removed meanwhile (another tab): said above the list, in the contract's words.
    const again = await browser.submit(ready.html, `${tab}/requirements/WANDB_KEY/delete`, {});
    expect(again.status).toBe(404);
    expect(requirementsOf(again.html)).toContain('Requirement not found.');
    expect(again.html.match(/role="alert"/g)).toHaveLength(1);
    for (const crafted of ['not-a-name', 'A'.repeat(2_000)]) {
      const none = await browser.submit(ready.html, `${tab}/requirements/${crafted}/delete`, {});
      expect(none.status).toBe(404);
      expect(requirementsOf(none.html)).toContain('Requirement not found.');
    }
  });

  it('shows an invalid or already required name beside the name field, with what was typed', async () => {
    const { tab } = await newEnvironment();
    const browser = await signedIn();
    const page = await browser.get(tab);
    await browser.submit(page.html, `${tab}/requirements`, { name: 'TAKEN_NEED', description: 'first' });

    const invalid = await browser.submit(page.html, `${tab}/requirements`, {
      name: 'lower_case',
      description: 'kept',
      optional: 'yes',
    });
    expect(invalid.status).toBe(422);
    const rule = `${NAME_MESSAGE.charAt(0).toUpperCase()}${NAME_MESSAGE.slice(1)}.`;
    expect(textOf(invalid.html, 'add-requirement-name-error')).toBe(rule);
    expect(invalid.html).toMatch(/id="add-requirement-name"[^>]*value="lower_case"[^>]*aria-invalid="true"/);
    expect(invalid.html).toMatch(/id="add-requirement-description"[^>]*value="kept"/);
    expect(invalid.html).toMatch(/id="add-requirement-optional"[^>]*checked/);
    const blank = await browser.submit(page.html, `${tab}/requirements`, { name: '' });
    expect(blank.status).toBe(422);
    expect(textOf(blank.html, 'add-requirement-name-error')).toBe(rule);
    expect(blank.html).not.toMatch(/id="add-requirement-optional"[^>]*checked/);

    const taken = await browser.submit(page.html, `${tab}/requirements`, { name: 'TAKEN_NEED', description: 'second' });
    expect(taken.status).toBe(409);
    expect(textOf(taken.html, 'add-requirement-name-error')).toBe(
      'TAKEN_NEED is already required in this environment. To change its description or whether it is optional, remove it and add it again.',
    );
    // Nothing was overwritten.
    expect(requirementsOf(taken.html)).toContain('<td>first</td>');
  });

  it('a team viewer sees them and the summary without the forms; a crafted post is refused in words', async () => {
    const envId = svc.seed.environments.team.id;
    const tab = `/console/environments/${envId}`;
    const owner = await signedIn();
    const ownerPage = await owner.get(tab);
    await owner.submit(ownerPage.html, `${tab}/requirements`, { name: 'VIEWED_NEED' });

    const viewerUser = await svc.teamMember('job-start-viewer', 'viewer');
    const viewer = await signedIn(viewerUser.key);
    const page = await viewer.get(`${tab}/requirements`);
    expect(page.status).toBe(200);
    expect(requirementRows(page.html)).toContainEqual(['VIEWED_NEED', '✗ Missing']);
    expect(readiness(page.html)).toMatch(/^✗ Not ready for a job\. Missing: (.*, )?VIEWED_NEED/);
    expect(page.html).not.toContain(`action="${tab}/requirements"`);
    expect(page.html).not.toContain('Remove requirement');
    expect(page.html).not.toContain('Add requirement');

    for (const [action, fields] of [
      [`${tab}/requirements`, { name: 'VIEWER_NEED' }],
      [`${tab}/requirements`, { name: 'VIEWED_NEED' }],
      [`${tab}/requirements/VIEWED_NEED/delete`, {}],
    ] as const) {
      const refused = await viewer.submit(page.html, action, fields);
      expect({ action, status: refused.status }).toEqual({ action, status: 403 });
      expect(refused.html).toContain('Your role in this team does not allow this.');
      expect(refused.html.match(/role="alert"/g)).toHaveLength(1);
    }
    const after = await owner.get(`${tab}/requirements`);
    expect(requirementRows(after.html).map(([name]) => name)).toEqual(['VIEWED_NEED']);
    await owner.submit(after.html, `${tab}/requirements/VIEWED_NEED/delete`, {});
  });
});

describe('expiry', () => {
  it('is said rounded, in the largest unit it makes one of; soon is within 7 days, past from the instant itself', () => {
    const at = new Date(T0).toISOString();
    const cases: [number, string][] = [
      [T0 - 20_000, 'Expires in less than a minute'],
      [T0 - 59.6 * 60_000, 'Expires in 1 hour'],
      [T0 - 1.5 * 3_600_000, 'Expires in 2 hours'],
      [T0 - 23.6 * 3_600_000, 'Expires in 1 day'],
      [T0 - 1.9 * DAY, 'Expires in 2 days'],
      [T0, 'Expired less than a minute ago'],
      [T0 + 3 * DAY, 'Expired 3 days ago'],
    ];
    expect(cases.map(([now]) => expiryWords(at, now))).toEqual(cases.map(([, said]) => said));
    expect([T0 - 7 * DAY - 1, T0 - 7 * DAY, T0 - 1, T0].map((now) => expiryState(at, now))).toEqual([
      'later',
      'soon',
      'soon',
      'expired',
    ]);
  });

  it('is shown on the lists and pages of secrets, warned within 7 days and more strongly once past', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(T0);
    const { envId, tab } = await newEnvironment();
    const key = svc.seed.user.apiKey;
    const at = (days: number) => new Date(T0 + days * DAY).toISOString();
    const soon = await svc.call('POST', `${V1}/secrets`, {
      key,
      body: { name: `EXPIRES_SOON_${++seq}`, value: 'sk-soon-never-shown', expiresAt: at(2) },
    });
    const later = await svc.call('POST', `${V1}/secrets`, {
      key,
      body: { name: `EXPIRES_LATER_${++seq}`, value: 'sk-later-never-shown', expiresAt: at(30) },
    });
    const soonName: string = soon.body.data.name;
    await svc.call('POST', `${V1}/environmentshub/${envId}/secrets/link/${soon.body.data.id}`, { key, body: {} });
    await svc.call('POST', `${V1}/environmentshub/${envId}/secrets`, {
      key,
      body: { name: 'DIRECT_SOON', value: 'sk-direct-never-shown', expiresAt: at(2.25) },
    });
    await svc.call('POST', `${V1}/environmentshub/${envId}/secrets`, { key, body: { name: 'NO_EXPIRY', value: 'x' } });
    await svc.call('PUT', `${V1}/environmentshub/${envId}/requirements/DIRECT_SOON`, { key, body: {} });
    const directId = await idOf(`${V1}/environmentshub/${envId}/secrets`, 'DIRECT_SOON');

    let browser = await signedIn();
    const home = await browser.get('/console');
    expect(home.html).toContain('<th scope="col">Expiry</th>');
    expect(words(rowOf(home.html, soonName))).toContain('⚠ Expires in 2 days (2031-03-12 12:00 UTC)');
    expect(rowOf(home.html, soonName)).toContain('class="expiry expiry-soon"');
    expect(words(rowOf(home.html, later.body.data.name))).toContain('Expires 2031-04-09 12:00 UTC');
    expect(rowOf(home.html, later.body.data.name)).not.toContain('expiry-soon');
    const secretPage = await browser.get(`/console/secrets/${soon.body.data.id}`);
    expect(words(secretPage.html)).toContain('⚠ Expires in 2 days (2031-03-12 12:00 UTC)');
    const envPage = await browser.get(tab);
    expect(words(rowOf(envPage.html, soonName))).toContain('Expires in 2 days');
    expect(words(rowOf(envPage.html, 'DIRECT_SOON'))).toContain('⚠ Expires in 2 days (2031-03-12 18:00 UTC)');
    expect(rowOf(envPage.html, 'NO_EXPIRY')).not.toContain('class="expiry');
    const required = await browser.get(`${tab}/requirements`);
    expect(requirementRows(required.html)).toEqual([
      ['DIRECT_SOON', '✓ Set Direct secret⚠ Expires in 2 days (2031-03-12 18:00 UTC)'],
    ]);
    expect(readiness(required.html)).toBe('✓ Ready for a job.');
    const directPage = await browser.get(`${tab}/secrets/${directId}`);
    expect(words(directPage.html)).toContain('⚠ Expires in 2 days (2031-03-12 18:00 UTC)');

    // Five days on: both past, the stronger warning; the required one makes the job not ready.
    vi.setSystemTime(T0 + 5 * DAY);
    browser = await signedIn();
    const afterHome = await browser.get('/console');
    expect(words(rowOf(afterHome.html, soonName))).toContain('⚠ Expired 3 days ago (2031-03-12 12:00 UTC)');
    expect(rowOf(afterHome.html, soonName)).toContain('class="expiry expiry-expired"');
    const afterEnv = await browser.get(tab);
    expect(words(rowOf(afterEnv.html, 'DIRECT_SOON'))).toContain('⚠ Expired 3 days ago (2031-03-12 18:00 UTC)');
    const afterRequired = await browser.get(`${tab}/requirements`);
    expect(requirementRows(afterRequired.html)).toEqual([['DIRECT_SOON', '✗ Expired Direct secret']]);
    expect(readiness(afterRequired.html)).toBe('✗ Not ready for a job. Expired: DIRECT_SOON.');
    const afterDirect = await browser.get(`${tab}/secrets/${directId}`);
    expect(words(afterDirect.html)).toContain('⚠ Expired 3 days ago (2031-03-12 18:00 UTC)');

    for (const { html } of [home, secretPage, envPage, directPage, afterHome, afterEnv, afterDirect]) {
      expect(html).not.toMatch(/never-shown/);
    }
  });

  it('is set, kept, changed and cleared from the forms of global and direct secrets', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(T0);
    const { envId, tab } = await newEnvironment();
    const browser = await signedIn();
    const home = await browser.get('/console');
    expect(home.html).toMatch(/<label for="add-secret-expiresAt">Expires \(UTC\)/);
    expect(home.html).toMatch(/<input type="datetime-local" id="add-secret-expiresAt" name="expiresAt" value=""/);
    const name = `FORM_EXPIRY_${++seq}`;
    await submitAndFollow(browser, home.html, '/console/secrets', {
      name,
      value: 'sk-form-expiry-never-shown',
      expiresAt: '2031-03-20T09:30',
    });
    const id = await idOf(`${V1}/secrets`, name);
    const read = async () =>
      (await svc.call('GET', `${V1}/secrets/${id}`, { key: svc.seed.user.apiKey })).body.data.expiresAt;
    expect(await read()).toBe('2031-03-20T09:30:00.000Z');

    const path = `/console/secrets/${id}`;
    const edit = await browser.get(path);
    expect(edit.html).toMatch(/id="edit-expiresAt" name="expiresAt" value="2031-03-20T09:30"/);
    // Past: refused beside the field, what was typed shown again.
    const past = await browser.submit(edit.html, path, {
      name,
      value: '',
      description: '',
      expiresAt: '2031-03-01T00:00',
    });
    expect(past.status).toBe(422);
    expect(textOf(past.html, 'edit-expiresAt-error')).toBe('Must be in the future.');
    expect(past.html).toMatch(/id="edit-expiresAt" name="expiresAt" value="2031-03-01T00:00"[^>]*aria-invalid="true"/);
    const crafted = await browser.submit(edit.html, path, { name, value: '', description: '', expiresAt: 'tomorrow' });
    expect(textOf(crafted.html, 'edit-expiresAt-error')).toBe(
      'Must be an ISO-8601 date and time, e.g. 2027-01-31T00:00:00Z. Must be in the future.',
    );

    // Once past, an edit of something else leaves the expiry as it is (it is not sent again).
    vi.setSystemTime(T0 + 15 * DAY);
    const late = await signedIn();
    const lateEdit = await late.get(path);
    const kept = await submitAndFollow(late, lateEdit.html, path, {
      name,
      value: '',
      description: 'still expired',
      expiresAt: '2031-03-20T09:30',
    });
    expect(noticeOf(kept.html)).toBe(`Secret ${name} updated.`);
    expect(await read()).toBe('2031-03-20T09:30:00.000Z');
    const changed = await submitAndFollow(late, kept.html, path, {
      name,
      value: '',
      description: 'still expired',
      expiresAt: '2031-06-01T00:00',
    });
    expect(words(changed.html)).toContain('Expires 2031-06-01 00:00 UTC');
    const cleared = await submitAndFollow(late, changed.html, path, {
      name,
      value: '',
      description: 'still expired',
      expiresAt: '',
    });
    expect(await read()).toBeNull();
    expect(words(cleared.html)).toContain('No expiry.');
    expect(cleared.html).toMatch(/id="edit-expiresAt" name="expiresAt" value=""/);

    // A direct secret: the same field on the tab's Add Secret and on its edit page.
    const tabPage = await late.get(tab);
    await submitAndFollow(late, tabPage.html, `${tab}/secrets`, {
      name: 'DIRECT_EXPIRY',
      value: 'sk-direct-expiry-never-shown',
      expiresAt: '2031-04-01T08:00',
    });
    const directId = await idOf(`${V1}/environmentshub/${envId}/secrets`, 'DIRECT_EXPIRY');
    const direct = async () =>
      (await svc.call('GET', `${V1}/environmentshub/${envId}/secrets`, { key: svc.seed.user.apiKey })).body.data.find(
        (s: { id: string }) => s.id === directId,
      ).expiresAt;
    expect(await direct()).toBe('2031-04-01T08:00:00.000Z');
    const directPath = `${tab}/secrets/${directId}`;
    const directEdit = await late.get(directPath);
    expect(directEdit.html).toMatch(/id="edit-expiresAt" name="expiresAt" value="2031-04-01T08:00"/);
    await submitAndFollow(late, directEdit.html, directPath, {
      name: 'DIRECT_EXPIRY',
      value: '',
      description: '',
      expiresAt: '',
    });
    expect(await direct()).toBeNull();
    // The value was never touched, and never shown.
    expect((await svc.runtimeEnv(envId)).DIRECT_EXPIRY).toBe('sk-direct-expiry-never-shown');
    expect((await late.get(directPath)).html).not.toContain('never-shown');
  });
});
