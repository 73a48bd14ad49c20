import { beforeAll, describe, expect, it } from 'vitest';
import { FILE_SECRET_MAX_BYTES, NAME_MESSAGE } from '../../shared/schemas.js';
import { startTestService, type TestService } from '../support/service.js';
import { noticeOf, textOf, signedInTo } from './browser.js';

/**
 * What the console adds to environments and secrets beyond their forms of text: New
 * Environment, Delete Environment (its name typed to confirm) and file secrets by upload,
 * through the same service functions and schemas as the API.
 */

let svc: TestService;

beforeAll(async () => {
  svc = await startTestService();
});

const signedIn = (apiKey?: string) => signedInTo(svc, apiKey);

const V1 = '/api/v1';

async function environmentsOf(teamId?: string): Promise<{ id: string; name: string }[]> {
  const query = teamId ? `?teamId=${teamId}` : '';
  return (await svc.must(200, 'GET', `${V1}/environmentshub${query}`)).data;
}

describe('New Environment', () => {
  it('creates an environment in the scope shown, and opens it', async () => {
    const browser = await signedIn();
    const list = await browser.get('/console/environments');
    expect(list.html).toContain('<h2 id="new-environment-heading">New Environment</h2>');
    const created = await browser.submit(list.html, '/console/environments', { name: 'staging' });
    expect(created.status).toBe(303);
    const made = (await environmentsOf()).find((e) => e.name === 'staging')!;
    expect(created.location).toBe(`/console/environments/${made.id}`);
    const opened = await browser.get(created.location!);
    expect(noticeOf(opened.html)).toBe('Environment dev/staging created.');

    // A team's, from the team's list (its id a hidden field of the form).
    const teamList = await browser.get(`/console/environments?teamId=${svc.seed.team.id}`);
    expect(teamList.html).toContain(`<input type="hidden" name="teamId" value="${svc.seed.team.id}"/>`);
    expect(
      (await browser.submit(teamList.html, '/console/environments', { name: 'team-staging', teamId: svc.seed.team.id }))
        .status,
    ).toBe(303);
    expect((await environmentsOf(svc.seed.team.id)).map((e) => e.name)).toContain('team-staging');
  });

  it("refuses a bad or taken name beside the field, with the schema's and the service's words", async () => {
    const browser = await signedIn();
    const before = (await environmentsOf()).length;
    const list = await browser.get('/console/environments');
    const bad = await browser.submit(list.html, '/console/environments', { name: 'Not Valid' });
    expect(bad.status).toBe(422);
    expect(textOf(bad.html, 'new-environment-name-error')).toBe(
      'Must be 1–100 lowercase letters, digits, dots, underscores or hyphens, starting with a letter or digit.',
    );
    expect(bad.html).toContain('value="Not Valid"');
    const reserved = await browser.submit(list.html, '/console/environments', { name: 'secrets' });
    expect(textOf(reserved.html, 'new-environment-name-error')).toBe('Is a reserved name.');
    const taken = await browser.submit(list.html, '/console/environments', { name: 'my-environment' });
    expect(taken.status).toBe(409);
    expect(textOf(taken.html, 'new-environment-name-error')).toBe(
      'An environment named my-environment already exists for dev. Choose another name.',
    );
    expect((await environmentsOf()).length).toBe(before);
  });

  it("gives a team viewer no form, and refuses a viewer's crafted one in words", async () => {
    const viewer = await svc.teamMember('env-viewer', 'viewer');
    const browser = await signedIn(viewer.key);
    const list = await browser.get(`/console/environments?teamId=${svc.seed.team.id}`);
    expect(list.html).not.toContain('New Environment');
    expect(list.html).toContain('Your role in this team is <strong>viewer</strong>');
    const forged = await browser.submit(list.html, '/console/environments', {
      name: 'viewer-made',
      teamId: svc.seed.team.id,
    });
    expect(forged.status).toBe(403);
    expect(forged.html).toContain('role="alert"');
    expect((await environmentsOf(svc.seed.team.id)).map((e) => e.name)).not.toContain('viewer-made');
  });
});

describe('Delete Environment', () => {
  it('deletes only once its name is typed, with everything in it', async () => {
    const env = (await svc.must(201, 'POST', `${V1}/environmentshub`, { name: 'doomed' })).data;
    await svc.must(201, 'POST', `${V1}/environmentshub/${env.id}/secrets`, { name: 'GONE', value: 'gone-value' });
    await svc.must(201, 'POST', `${V1}/environmentshub/${env.id}/variables`, { name: 'ALSO_GONE', value: 'x' });
    const browser = await signedIn();
    const tab = await browser.get(`/console/environments/${env.id}`);
    expect(tab.html).toContain('<h2 id="delete-environment-heading">Delete Environment</h2>');
    expect(tab.html).toContain('<label for="delete-environment-confirm">Type doomed to confirm</label>');

    for (const confirm of ['', 'dev/doomed', 'Doomed', 'my-environment']) {
      const refused = await browser.submit(tab.html, `/console/environments/${env.id}/delete`, { confirm });
      expect({ confirm, status: refused.status }).toEqual({ confirm, status: 422 });
      expect(textOf(refused.html, 'delete-environment-confirm-error')).toBe('Type doomed to confirm the deletion.');
      await svc.must(200, 'GET', `${V1}/environmentshub/${env.id}/secrets`);
    }

    const deleted = await browser.submit(tab.html, `/console/environments/${env.id}/delete`, { confirm: 'doomed' });
    expect(deleted.status).toBe(303);
    expect(deleted.location).toBe('/console/environments');
    const list = await browser.get(deleted.location!);
    expect(noticeOf(list.html)).toBe('Environment dev/doomed deleted, with its secrets, links and variables.');
    expect(list.html).not.toContain('>dev/doomed</a>');
    await svc.must(404, 'GET', `${V1}/environmentshub/${env.id}/secrets`);
    // Gone from the page too: another delete of it is the console's not-found page.
    expect(
      (await browser.submit(tab.html, `/console/environments/${env.id}/delete`, { confirm: 'doomed' })).status,
    ).toBe(404);
  });

  it("refuses a team viewer's crafted delete and a delete without the session's CSRF token", async () => {
    const env = (await svc.must(201, 'POST', `${V1}/environmentshub`, { name: 'kept', teamId: svc.seed.team.id })).data;
    const viewer = await svc.teamMember('del-viewer', 'viewer');
    const browser = await signedIn(viewer.key);
    const tab = await browser.get(`/console/environments/${env.id}`);
    expect(tab.html).not.toContain('Delete Environment');
    const forged = await browser.submit(tab.html, `/console/environments/${env.id}/delete`, { confirm: 'kept' });
    expect(forged.status).toBe(403);
    const owner = await signedIn();
    const noToken = await owner.request('POST', `/console/environments/${env.id}/delete`, { confirm: 'kept' });
    expect(noToken.status).toBe(403);
    expect((await environmentsOf(svc.seed.team.id)).map((e) => e.name)).toContain('kept');
  });
});

describe('Add File Secret (upload)', () => {
  const bytesOf = (n: number, seed = 7) => Uint8Array.from({ length: n }, (_, i) => (i * 31 + seed) % 256);

  it('stores a global file secret as base64, up to the API limit exactly', async () => {
    const browser = await signedIn(svc.seed.user.accountKey);
    const home = await browser.get('/console');
    expect(home.html).toContain('enctype="multipart/form-data"');
    const content = bytesOf(FILE_SECRET_MAX_BYTES);
    const res = await browser.upload(
      home.html,
      '/console/file-secrets',
      { name: 'TLS_KEY', description: 'the server key' },
      { field: 'file', name: 'server.key', bytes: content },
    );
    expect(res.status, res.html).toBe(303);
    expect(noticeOf((await browser.get(res.location!)).html)).toBe('File secret TLS_KEY added.');
    const secret = (await svc.must(200, 'GET', `${V1}/secrets`)).data.find(
      (s: { name: string }) => s.name === 'TLS_KEY',
    );
    expect(secret).toMatchObject({ isFile: true, description: 'the server key' });
    // Linked into an environment, a job gets the file's bytes back.
    const env = svc.seed.environments.personal.id;
    await svc.must(201, 'POST', `${V1}/environmentshub/${env}/secrets/link/${secret.id}`, {});
    const read = await svc.call('GET', `${V1}/environmentshub/${env}/runtime`, { key: svc.seed.serviceKey });
    expect(read.body.data.files).toContain('TLS_KEY');
    expect(Buffer.from(read.body.data.env.TLS_KEY, 'base64').equals(Buffer.from(content))).toBe(true);
  });

  it('adds a direct file secret to an environment', async () => {
    const env = (await svc.must(201, 'POST', `${V1}/environmentshub`, { name: 'with-files' })).data;
    const browser = await signedIn();
    const tab = await browser.get(`/console/environments/${env.id}`);
    const content = new TextEncoder().encode('[client]\nuser = ci\n');
    const res = await browser.upload(
      tab.html,
      `/console/environments/${env.id}/file-secrets`,
      { name: 'CLIENT_CNF', description: '' },
      { field: 'file', name: 'client.cnf', bytes: content },
    );
    expect(res.status, res.html).toBe(303);
    expect(res.location).toBe(`/console/environments/${env.id}`);
    const page = await browser.get(`/console/environments/${env.id}`);
    expect(noticeOf(page.html)).toBe('File secret CLIENT_CNF added.');
    expect(page.html).toMatch(/CLIENT_CNF<span class="badge badge-file">file<\/span>/);
    expect((await svc.runtimeEnv(env.id)).CLIENT_CNF).toBe(Buffer.from(content).toString('base64'));
  });

  it('refuses a file over the limit, an empty one or none, and a bad name, in words beside each field, adding nothing', async () => {
    const browser = await signedIn();
    const home = await browser.get('/console');
    const count = async () => (await svc.must(200, 'GET', `${V1}/secrets`)).data.length;
    const before = await count();
    const cases: [string, Uint8Array | undefined, string, Record<string, string>][] = [
      [
        'one byte over',
        bytesOf(FILE_SECRET_MAX_BYTES + 1),
        'This file is 49,153 bytes: a file secret holds at most 49,152 bytes (48 KiB).',
        {},
      ],
      ['empty', new Uint8Array(0), 'Choose a file to upload: it must not be empty.', {}],
    ];
    for (const [what, bytes, message] of cases) {
      const res = await browser.upload(
        home.html,
        '/console/file-secrets',
        { name: 'TOO_MUCH', description: 'kept' },
        { field: 'file', name: 'f.bin', bytes: bytes! },
      );
      expect({ what, status: res.status }).toEqual({ what, status: 422 });
      expect(textOf(res.html, 'add-file-secret-file-error')).toBe(message);
      // The other fields are shown again; the file cannot be.
      expect(res.html).toContain('value="TOO_MUCH"');
      expect(res.html).toContain('value="kept"');
    }
    // A bad name and a missing file: both said, each beside its field.
    const form = new FormData();
    form.append('_csrf', /name="_csrf" value="([^"]+)"/.exec(home.html)![1]!);
    form.append('name', 'lower_case');
    const both = await browser.request('POST', '/console/file-secrets', form);
    expect(both.status).toBe(422);
    expect(textOf(both.html, 'add-file-secret-name-error')).toBe(
      `${NAME_MESSAGE.charAt(0).toUpperCase()}${NAME_MESSAGE.slice(1)}.`,
    );
    expect(textOf(both.html, 'add-file-secret-file-error')).toBe('Choose a file to upload: it must not be empty.');
    // A name taken: the service's 409 beside the name.
    await svc.must(201, 'POST', `${V1}/secrets`, { name: 'TAKEN_FILE', value: 'x' });
    const taken = await browser.upload(
      home.html,
      '/console/file-secrets',
      { name: 'TAKEN_FILE' },
      { field: 'file', name: 'f.bin', bytes: bytesOf(10) },
    );
    expect(taken.status).toBe(409);
    expect(textOf(taken.html, 'add-file-secret-name-error')).toBe(
      'A global secret named TAKEN_FILE already exists in this scope. Choose another name or update that secret.',
    );
    expect(await count()).toBe(before + 1);
  });

  it('says the file limit when a whole upload is over the body limit', async () => {
    const browser = await signedIn();
    const home = await browser.get('/console');
    const res = await browser.upload(
      home.html,
      '/console/file-secrets',
      { name: 'HUGE' },
      { field: 'file', name: 'huge.bin', bytes: bytesOf(300 * 1024) },
    );
    expect(res.status).toBe(413);
    expect(res.html).toContain('The form is larger than 256 KiB. A file secret holds at most 49,152 bytes (48 KiB).');
  });

  it('refuses an upload without the CSRF token', async () => {
    const browser = await signedIn();
    const res = await browser.upload(
      '',
      '/console/file-secrets',
      { name: 'NO_TOKEN' },
      {
        field: 'file',
        name: 'f.bin',
        bytes: bytesOf(10),
      },
    );
    expect(res.status).toBe(403);
    const names = (await svc.must(200, 'GET', `${V1}/secrets`)).data.map((s: { name: string }) => s.name);
    expect(names).not.toContain('NO_TOKEN');
  });
});
