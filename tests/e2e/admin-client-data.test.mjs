// End to end: wp-admin → Volixta → Clients, the client data screens, as a manager on the real
// plugin, WordPress and service: a new client with a new status, an uploaded photo, preloaded
// credits and a WordPress account made for it; a CSV import (mapping, dry run, then the real one,
// with a hostile name and a formula); likely duplicates, their comparison, a merge and a "not the
// same person"; the export of the list and of a selection. axe-core on each screen, keyboard
// use, screenshots at 1280 and 390 px. Employees and clients get none of it.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { startSite, stopSite, launchChromium, sql, openSession, wpRestAs, swapped, axe, shoot, fits, PNG } from './harness.mjs';

let stack;
let browser;

before(async () => {
  stack = await startSite('admin-data');
  browser = await launchChromium();
}, { timeout: 240_000 });

after(async () => {
  await browser?.close().catch(() => {});
  await stopSite(stack);
});

const session = (user, password, width = 1280) => openSession(browser, stack.site, user, password, width);
const wpRest = (context, method, route, data) => wpRestAs(context, stack.site, method, route, data);

const db = () => `\`${stack.db}\``;
const one = (statement) => sql(statement)[0]?.[0];
const clients = (where) => Number(one(`SELECT COUNT(*) FROM ${db()}.wp_volixta_clients WHERE ${where}`));
const clientsUrl = (query = '') => new URL(`wp-admin/admin.php?page=volixta-clients${query}`, stack.site.site).href;

/** The current screen at 390 px: it fits, and its screenshot; then back to 1280 px. */
async function narrow(page, name) {
  await page.setViewportSize({ width: 390, height: 900 });
  await fits(page, name);
  await shoot(page, name);
  await page.setViewportSize({ width: 1280, height: 900 });
}

/** The text of a file the page downloads when `action` runs. */
async function downloaded(page, action) {
  const download = page.waitForEvent('download');
  await action();
  const file = await download;
  return fs.readFileSync(await file.path(), 'utf8');
}

const CSV = [
  'First name;Surname;E-mail;Mobile;Shoe size',
  '<img src=x onerror="window.__pwned=1">;Hostile;hostile@example.com;;41',
  'Jonathan;Harker;jon.harker@example.com;+44 20 7946 0311;44',
  'Jonathon;Harker;jharker@example.net;;43',
  '=SUM(1+1);Formula;formula@example.com;;40',
  'Bad;Row;not-an-email;;39',
].join('\n') + '\n';

test('a manager adds a client, imports a file, merges duplicates and exports', { timeout: 300_000 }, async () => {
  const { context, page } = await session('manager', 'manager');
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('console', (m) => {
    if ((m.type() === 'error' && !m.text().includes('ERR_NAME_NOT_RESOLVED')) || /refused/.test(m.text())) errors.push(m.text());
  });

  // The new client form: a new status, a photo, credits to start with and a WordPress account.
  await page.goto(clientsUrl('&action=new'));
  await page.fill('#volixta-field-first_name', 'Iris');
  await page.fill('#volixta-field-last_name', 'Nakamura');
  await page.fill('#volixta-field-email', 'iris.nakamura@example.com');
  await page.fill('#volixta-field-status', 'Platinum Plus');
  await page.setInputFiles('#volixta-field-photo', { name: 'iris.png', mimeType: 'image/png', buffer: PNG });
  await page.waitForFunction(() => document.querySelector('input[name="avatar_image"]').value.startsWith('data:image/png;base64,'));
  await page.check('input[name="wp_account"][value="create"]');
  await page.fill('#volixta-field-preload_credits', '20');
  await axe(page, 'the filled client form');
  await shoot(page, 'admin-client-form-1280');
  await swapped(page, () => page.locator('button[name="then"][value="profile"]').click());
  assert.match(await page.locator('.volixta-wrap .notice-success').textContent(), /Iris Nakamura was saved\./);
  assert.equal(await page.locator('#volixta-balance').textContent(), '€20.00');
  const [iris, status, avatar, wpUser] = sql(`SELECT id, status, avatar, wp_user_id FROM ${db()}.wp_volixta_clients WHERE email = 'iris.nakamura@example.com'`)[0];
  assert.equal(status, 'Platinum Plus');
  assert.equal(avatar, 'upload');
  assert.ok(Number(wpUser) > 0, 'a WordPress account was made and linked');
  assert.equal(one(`SELECT user_email FROM ${db()}.wp_users WHERE ID = ${wpUser}`), 'iris.nakamura@example.com');
  assert.equal(one(`SELECT meta_value FROM ${db()}.wp_usermeta WHERE user_id = ${wpUser} AND meta_key = '_volixta_client_id'`), String(iris));
  assert.equal(Number(one(`SELECT COUNT(*) FROM ${db()}.wp_volixta_client_avatars WHERE client_id = ${iris}`)), 1);
  assert.equal(Number(one(`SELECT COUNT(*) FROM ${db()}.wp_volixta_client_statuses WHERE name = 'Platinum Plus'`)), 1);

  // Linking an existing user from the edit form: search, pick, save.
  await page.goto(clientsUrl(`&action=edit&client=${iris}`));
  await page.check('input[name="wp_account"][value="link"]');
  const found = page.waitForResponse((r) => r.url().includes('wp-users'));
  await page.fill('#volixta-field-wp_user_search', 'mana');
  assert.equal((await found).status(), 200);
  await page.locator('#volixta-field-wp_user_id option', { hasText: 'manager' }).first().waitFor({ state: 'attached' });
  const managerId = one(`SELECT ID FROM ${db()}.wp_users WHERE user_login = 'manager'`);
  assert.equal(await page.inputValue('#volixta-field-wp_user_id'), String(managerId));
  await axe(page, 'the edit form with a user search');
  // Back to the account made for Iris: it stays hers.
  await page.check('input[name="wp_account"][value=""]');
  await swapped(page, () => page.locator('button[name="then"][value="profile"]').click());
  assert.equal(one(`SELECT wp_user_id FROM ${db()}.wp_volixta_clients WHERE id = ${iris}`), String(wpUser));

  // Import: from the list's button, a CSV file, its columns, a dry run, then the import.
  await page.goto(clientsUrl());
  await page.locator('#volixta-import-clients').click();
  await page.waitForURL(/action=import/);
  await axe(page, 'the import upload step');
  await shoot(page, 'admin-import-upload-1280');
  await page.setInputFiles('#volixta-import-file', { name: 'spring <list>.csv', mimeType: 'text/csv', buffer: Buffer.from(CSV) });
  await page.waitForFunction(() => document.querySelector('input[name="csv"]').value.includes('Jonathon'));
  await swapped(page, () => page.locator('#volixta-import-upload-submit').click());
  assert.match(await page.locator('.volixta-wrap h2').first().textContent(), /spring <list>\.csv/);
  assert.equal(await page.inputValue('#volixta-column_0'), 'first_name');
  assert.equal(await page.inputValue('#volixta-column_2'), 'email');
  assert.equal(await page.inputValue('#volixta-column_4'), '', 'an unknown header is left out');
  await axe(page, 'the column mapping');
  await shoot(page, 'admin-import-map-1280');
  const before = clients('1');
  await swapped(page, () => page.locator('#volixta-import-dry-run').click());
  await page.locator('#volixta-import-summary').waitFor();
  assert.match(await page.locator('#volixta-import-summary').textContent(), /nothing was changed/);
  assert.equal(await page.locator('#volixta-import-created').textContent(), '4');
  assert.equal(await page.locator('#volixta-import-skipped').textContent(), '1');
  assert.match(await page.locator('#volixta-import-rows').textContent(), /Skipped/);
  assert.equal(clients('1'), before, 'a dry run writes nothing');
  await axe(page, 'the dry run report');
  await shoot(page, 'admin-import-dry-run-1280');
  await narrow(page, 'admin-import-dry-run-390');
  await swapped(page, () => page.locator('#volixta-import-run').click());
  await page.locator('#volixta-import-summary', { hasText: 'was imported' }).waitFor({ timeout: 30_000 });
  assert.equal(await page.locator('#volixta-import-created').textContent(), '4');
  assert.equal(clients('1'), before + 4);
  assert.equal(clients(`first_name = '<img src=x onerror="window.__pwned=1">'`), 1);
  await axe(page, 'the import report');
  await shoot(page, 'admin-import-done-1280');

  // The hostile name shows as text in the list and runs nothing.
  await page.goto(clientsUrl('&search=hostile'));
  await page.locator('#the-list a.row-title', { hasText: '<img src=x' }).waitFor();
  assert.equal(await page.evaluate(() => window.__pwned), undefined);

  // Two more profiles of one person (same phone), entered through the API.
  for (const name of ['Mina', 'Wilhelmina']) {
    const made = await wpRest(context, 'POST', 'volixta/v1/clients', { first_name: name, last_name: 'Murray', phone: '+44 20 7946 0999' });
    assert.equal(made.status, 201, JSON.stringify(made.body));
  }

  // Likely duplicates: the similar names from the file and the shared phone.
  await page.goto(clientsUrl());
  await page.locator('#volixta-find-duplicates').click();
  await page.waitForURL(/action=duplicates/);
  const screen = page.locator('#volixta-client-screen');
  assert.match(await screen.textContent(), /Similar name: Jonathan Harker/);
  assert.match(await screen.textContent(), /Same phone number: Mina Murray/);
  await axe(page, 'the duplicates');
  await shoot(page, 'admin-duplicates-1280');
  await narrow(page, 'admin-duplicates-groups-390');

  // "Not the same person", by keyboard: the pair leaves the list for good.
  const mina = one(`SELECT id FROM ${db()}.wp_volixta_clients WHERE first_name = 'Mina'`);
  const wilhelmina = one(`SELECT id FROM ${db()}.wp_volixta_clients WHERE first_name = 'Wilhelmina'`);
  await swapped(page, async () => {
    await page.locator(`#volixta-duplicate-${mina}-${wilhelmina} .volixta-dismiss`).focus();
    await page.keyboard.press('Enter');
  });
  assert.match(await page.locator('.volixta-wrap .notice-success').textContent(), /Mina Murray and Wilhelmina Murray are marked as different people/);
  assert.equal(await page.locator(`#volixta-duplicate-${mina}-${wilhelmina}`).count(), 0);
  assert.equal(Number(one(`SELECT COUNT(*) FROM ${db()}.wp_volixta_client_distinct_pairs`)), 1);

  // Compare the Harkers and keep the second profile, confirming by keyboard.
  const jonathan = one(`SELECT id FROM ${db()}.wp_volixta_clients WHERE first_name = 'Jonathan'`);
  const jonathon = one(`SELECT id FROM ${db()}.wp_volixta_clients WHERE first_name = 'Jonathon'`);
  await page.locator(`#volixta-duplicate-${jonathan}-${jonathon} .volixta-compare`).click();
  await page.waitForURL(/action=merge/);
  const compare = await page.locator('#volixta-merge-compare').textContent();
  assert.match(compare, /jon\.harker@example\.com/);
  assert.match(compare, /jharker@example\.net/);
  assert.match(compare, /\+442079460311/);
  await axe(page, 'the comparison');
  await shoot(page, 'admin-merge-1280');
  await page.check(`input[name="keep"][value="${jonathon}"]`);
  await page.locator('#volixta-merge-confirm').focus();
  await page.keyboard.press('Space');
  await swapped(page, async () => {
    await page.locator('#volixta-merge-submit').focus();
    await page.keyboard.press('Enter');
  });
  assert.match(await page.locator('.volixta-wrap .notice-success').textContent(), /Jonathan Harker was merged into this profile/);
  assert.equal(one(`SELECT merged_into_id FROM ${db()}.wp_volixta_clients WHERE id = ${jonathan}`), String(jonathon));
  assert.equal(one(`SELECT phone FROM ${db()}.wp_volixta_clients WHERE id = ${jonathon}`), '+442079460311', 'the kept profile took the phone it lacked');
  await shoot(page, 'admin-merge-done-1280');

  // "Merge with…" from the list: search for the other profile.
  await page.goto(clientsUrl('&search=Nakamura'));
  // Row actions show on hover or focus: reached by keyboard.
  await page.locator(`#client-${iris} .merge a`).focus();
  await Promise.all([page.waitForURL(/action=merge/), page.keyboard.press('Enter')]);
  await swapped(page, () => page.fill('#volixta-merge-search', 'Wilhelmina'), 'render/admin/clients');
  await page.locator('#volixta-merge-candidates a', { hasText: 'Compare' }).waitFor();
  await axe(page, 'the merge search');
  await shoot(page, 'admin-merge-search-1280');

  // Export the whole list: the formula cell is neutralised.
  await page.goto(clientsUrl());
  const all = await downloaded(page, () => page.getByRole('link', { name: 'Export this list' }).click());
  assert.match(all, /'=SUM\(1\+1\)/);
  assert.match(all, /iris\.nakamura@example\.com/);
  assert.doesNotMatch(all, /jon\.harker@example\.com/, 'a merged profile is not exported');
  // Export a selection through the bulk action.
  await page.goto(clientsUrl('&search=Nakamura'));
  await page.check(`#cb-select-${iris}`);
  await page.selectOption('#bulk-action-selector-top', 'export');
  await swapped(page, () => page.locator('#doaction').click(), 'render/admin/clients/bulk');
  const selected = await downloaded(page, () => page.getByRole('link', { name: 'Download CSV' }).click());
  const lines = selected.trim().split('\n');
  assert.equal(lines.length, 2, selected);
  assert.match(lines[1], /Iris,Nakamura,iris\.nakamura@example\.com/);

  assert.deepEqual(errors, []);
  await context.close();

  // A phone: every screen of this file fits 390 px.
  const phone = await session('manager', 'manager', 390);
  const importId = one(`SELECT MAX(id) FROM ${db()}.wp_volixta_client_imports`);
  for (const [query, name] of [
    ['&action=new', 'admin-client-form-390'],
    ['&action=import', 'admin-import-upload-390'],
    [`&action=import&import=${importId}`, 'admin-import-done-390'],
    ['&action=duplicates', 'admin-duplicates-390'],
    [`&action=merge&client=${mina}&with=${wilhelmina}`, 'admin-merge-390'],
  ]) {
    await phone.page.goto(clientsUrl(query));
    await fits(phone.page, name);
    await axe(phone.page, `${name}`);
    await shoot(phone.page, name);
  }
  await phone.context.close();
});

test('an employee and a client get none of the client data screens', async () => {
  const admin = await session('admin', 'admin');
  const made = await wpRest(admin.context, 'POST', 'wp/v2/users',
    { username: 'employee', email: 'employee@example.com', password: 'employee', roles: ['volixta_employee'] });
  assert.equal(made.status, 201, JSON.stringify(made.body));
  await admin.context.close();
  const target = stack.data.client_id;
  const live = clients('merged_into_id IS NULL');
  const imports = Number(one(`SELECT COUNT(*) FROM ${db()}.wp_volixta_client_imports`));

  for (const [user, password] of [['employee', 'employee'], ['client', 'client']]) {
    const { context, page } = await session(user, password);
    for (const query of ['&action=duplicates', '&action=import', `&action=merge&client=${target}`]) {
      const res = await page.goto(clientsUrl(query));
      assert.equal(res.status(), 403, `${user} opened ${query}`);
    }
    for (const [method, route, data] of [
      ['GET', 'volixta/v1/render/admin/clients?action=duplicates'],
      ['GET', 'volixta/v1/wp-users?wp_user_search=adm'],
      ['POST', 'volixta/v1/render/admin/clients/import', { csv: 'first_name\nMallory\n', file_name: 'x.csv' }],
      ['POST', 'volixta/v1/render/admin/clients/merge', { client: String(target), with: String(target), keep: String(target), confirm: '1' }],
    ]) {
      const res = await wpRest(context, method, route, data);
      assert.equal(res.status, 403, `${user}: ${method} ${route}`);
    }
    await context.close();
  }
  assert.equal(clients('merged_into_id IS NULL'), live);
  assert.equal(Number(one(`SELECT COUNT(*) FROM ${db()}.wp_volixta_client_imports`)), imports);
});
