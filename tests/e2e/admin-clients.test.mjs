// End to end: wp-admin → Volixta → Clients as a manager, on the real plugin, WordPress and
// service with the demo client base: search, status filter, paging, row and bulk actions, the
// deleted view with restore and the client limit, keyboard use, axe-core, screenshots at 1280 and
// 390 px; and an employee and a client get neither the menu nor the screen.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startSite, stopSite, launchChromium, sql, openSession, wpRestAs, swapped, axe, shoot } from './harness.mjs';

let stack;
let browser;

before(async () => {
  stack = await startSite('admin');
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
const clientsUrl = () => new URL('wp-admin/admin.php?page=volixta-clients', stack.site.site).href;
const names = (page) => page.locator('#the-list .volixta-client-name').allTextContents();

test('a manager works through the Clients screen', async () => {
  const { context, page } = await session('manager', 'manager');
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  // wp-admin asks gravatar.com for avatars, which this machine cannot reach: not the screen's doing.
  page.on('console', (m) => {
    if ((m.type() === 'error' && !m.text().includes('ERR_NAME_NOT_RESOLVED')) || /refused/.test(m.text())) errors.push(m.text());
  });

  // Volixta → Clients from the admin menu.
  await page.goto(new URL('wp-admin/', stack.site.site).href);
  const menu = page.locator('#adminmenu #toplevel_page_volixta-clients');
  await assert.doesNotReject(menu.waitFor());
  assert.equal(await menu.locator('a.menu-top .wp-menu-name').textContent(), 'Volixta');
  // Clients is the only screen so far: WordPress then folds the lone submenu into the top entry.
  await menu.locator('a.menu-top').click();
  await page.waitForURL(/page=volixta-clients/);
  assert.equal(await page.locator('.volixta-wrap h1').textContent(), 'Clients');
  assert.equal(await page.locator('#the-list tr').count(), 20, 'a first page of 20 clients');
  const firstPage = await names(page);
  assert.ok(firstPage.includes('Ada Lovelace') || firstPage.length === 20);
  await axe(page, 'the client list');
  await shoot(page, 'admin-clients-1280');

  // Instant search: by name, e-mail and phone.
  const search = page.locator('#volixta-client-search');
  await swapped(page, () => search.fill('Lovelace'));
  assert.deepEqual(await names(page), ['Ada Lovelace']);
  await swapped(page, () => search.fill('grace.adams@'));
  assert.deepEqual(await names(page), ['Grace Adams']);
  await swapped(page, () => search.fill('7946 1007'));
  assert.deepEqual(await names(page), ['Alan Baker']);
  await swapped(page, () => search.fill('nobody-like-this'));
  assert.match(await page.locator('#the-list').textContent(), /No clients match these filters\./);
  await shoot(page, 'admin-clients-no-match-1280');
  await swapped(page, () => search.fill(''));

  // Status quick filter, then a filter of the panel.
  await swapped(page, () => page.selectOption('#volixta-filter-status', 'VIP'));
  const vip = await page.locator('#the-list .column-status').allTextContents();
  assert.ok(vip.length > 0 && vip.every((s) => s === 'VIP'), `statuses: ${vip}`);
  await page.locator('#volixta-advanced-filters summary').click();
  const group = await page.locator('#volixta-filter-group option', { hasText: 'Morning regulars' }).getAttribute('value');
  await swapped(page, () => page.selectOption('#volixta-filter-group', group));
  const vipRegulars = await names(page);
  const expected = sql(`SELECT CONCAT(c.first_name, ' ', c.last_name) FROM ${db()}.wp_volixta_clients c
    JOIN ${db()}.wp_volixta_client_group_members m ON m.client_id = c.id WHERE m.group_id = ${Number(group)} AND c.status = 'VIP' AND c.live = 1
    ORDER BY c.last_name, c.first_name`).map((r) => r[0]);
  assert.deepEqual(vipRegulars, expected);
  await shoot(page, 'admin-clients-filtered-1280');
  // Clearing the filters brings the whole list back.
  await swapped(page, () => page.locator('#volixta-advanced-filters a', { hasText: 'Clear filters' }).click());
  assert.equal(await page.locator('#the-list tr').count(), 20);

  // Keyset paging: the next page holds other clients, the first page the same ones as before.
  const before = await names(page);
  await swapped(page, () => page.locator('.tablenav.top .next-page').click());
  const second = await names(page);
  assert.ok(second.length > 0 && second.every((n) => !before.includes(n)), `page 2 repeats page 1: ${second}`);
  await swapped(page, () => page.locator('.tablenav.top .first-page').click());
  assert.deepEqual(await names(page), before);

  // Row action by keyboard: block online booking; the notice takes the focus.
  const target = before[1];
  const row = page.locator('#the-list tr', { has: page.locator('.volixta-client-name', { hasText: target }) });
  const rowId = Number((await row.getAttribute('id')).replace('client-', ''));
  await row.locator('button', { hasText: 'Block online booking' }).focus();
  await swapped(page, () => page.keyboard.press('Enter'));
  assert.match(await page.locator('#volixta-clients-results .notice-success').textContent(), new RegExp(`${target} can no longer book online\\.`));
  assert.equal(await page.evaluate(() => document.activeElement?.classList.contains('notice')), true, 'focus did not move to the notice');
  assert.equal(Number(one(`SELECT blocked FROM ${db()}.wp_volixta_clients WHERE id = ${rowId}`)), 1);
  assert.match(await page.locator(`#client-${rowId} .post-state`).textContent(), /Blocked/);
  await page.locator(`#client-${rowId}`).hover();
  await swapped(page, () => page.locator(`#client-${rowId} button`, { hasText: 'Allow online booking' }).click());
  assert.equal(Number(one(`SELECT blocked FROM ${db()}.wp_volixta_clients WHERE id = ${rowId}`)), 0);

  // Bulk: select two clients with the keyboard, delete them.
  const victims = [before[2], before[3]];
  const victimIds = [];
  for (const name of victims) {
    const r = page.locator('#the-list tr', { has: page.locator('.volixta-client-name', { hasText: name }) });
    victimIds.push(Number((await r.getAttribute('id')).replace('client-', '')));
    await r.locator('input[type=checkbox]').focus();
    await page.keyboard.press('Space');
  }
  await page.selectOption('#bulk-action-selector-top', 'delete');
  await page.locator('#doaction').focus();
  await swapped(page, () => page.keyboard.press('Enter'));
  assert.match(await page.locator('#volixta-clients-results .notice-success').textContent(), /2 clients were deleted\./);
  const afterDelete = await names(page);
  assert.ok(victims.every((n) => !afterDelete.includes(n)));
  assert.equal(Number(one(`SELECT COUNT(*) FROM ${db()}.wp_volixta_clients WHERE id IN (${victimIds}) AND deleted_at IS NOT NULL`)), 2);
  await shoot(page, 'admin-clients-deleted-notice-1280');

  // The deleted view: the two plus the demo's deleted ones; restore one by row action.
  await swapped(page, () => page.locator('.subsubsub a', { hasText: 'Deleted' }).click());
  const deleted = await names(page);
  for (const n of [...victims, 'Olive Gone', 'Percy Past']) assert.ok(deleted.includes(n), `${n} not in ${deleted}`);
  assert.deepEqual(await page.locator('#bulk-action-selector-top option').allTextContents(), ['Bulk actions', 'Restore']);
  await axe(page, 'the deleted clients');
  await shoot(page, 'admin-clients-deleted-1280');
  // A pointer finds the row actions by hovering the row, as in every wp-admin list.
  await page.locator(`#client-${victimIds[0]}`).hover();
  await swapped(page, () => page.locator(`#client-${victimIds[0]} button`, { hasText: 'Restore' }).click());
  assert.match(await page.locator('#volixta-clients-results .notice-success').textContent(), new RegExp(`${victims[0]} was restored\\.`));

  // With the client limit reached, a restore says so and keeps the client deleted.
  const admin = await session('admin', 'admin');
  const live = Number(one(`SELECT COUNT(*) FROM ${db()}.wp_volixta_clients WHERE live = 1`));
  const limited = await wpRest(admin.context, 'PATCH', 'volixta/v1/settings', { client_limit: live });
  assert.equal(limited.status, 200, JSON.stringify(limited.body));
  await page.locator(`#cb-select-${victimIds[1]}`).check();
  await page.selectOption('#bulk-action-selector-top', 'restore');
  await swapped(page, () => page.locator('#doaction').click());
  assert.match(await page.locator('#volixta-clients-results .notice-error').textContent(),
    new RegExp(`client limit of this site is reached, so these clients stay deleted: ${victims[1]}\\.`));
  assert.ok((await names(page)).includes(victims[1]));
  await shoot(page, 'admin-clients-limit-1280');
  await wpRest(admin.context, 'PATCH', 'volixta/v1/settings', { client_limit: null });
  await admin.context.close();
  await page.locator(`#cb-select-${victimIds[1]}`).check();
  await page.selectOption('#bulk-action-selector-top', 'restore');
  await swapped(page, () => page.locator('#doaction').click());
  assert.match(await page.locator('#volixta-clients-results .notice-success').textContent(), new RegExp(`${victims[1]} was restored\\.`));
  assert.equal(Number(one(`SELECT COUNT(*) FROM ${db()}.wp_volixta_clients WHERE id IN (${victimIds}) AND live = 1`)), 2);

  // Bulk add to group and export of the selection.
  await swapped(page, () => page.locator('.subsubsub a', { hasText: 'All clients' }).click());
  await page.locator('#cb-select-all-1').check();
  await page.selectOption('#bulk-action-selector-top', 'export');
  await swapped(page, () => page.locator('#doaction').click());
  assert.match(await page.locator('#volixta-clients-results .notice-success').textContent(), /20 clients are ready to export\./);
  const download = page.waitForEvent('download');
  await page.locator('#volixta-clients-results .notice-success a', { hasText: 'Download CSV' }).click();
  const csv = await (await download).path();
  const lines = (await import('node:fs')).readFileSync(csv, 'utf8').trim().split('\n');
  assert.equal(lines.length, 21, 'a header and the 20 selected clients');

  // The list was not swapped outside its container, and nothing was refused on the way.
  assert.deepEqual(errors, []);

  // At 390 px: WordPress's list-table pattern, the row toggle shows the other columns.
  await page.setViewportSize({ width: 390, height: 844 });
  await page.goto(clientsUrl());
  const firstRow = page.locator('#the-list tr').first();
  assert.equal(await firstRow.locator('.column-email').isVisible(), false);
  await firstRow.locator('.toggle-row').click();
  assert.equal(await firstRow.locator('.column-email').isVisible(), true);
  assert.equal(await firstRow.locator('.toggle-row').getAttribute('aria-expanded'), 'true');
  await firstRow.locator('.toggle-row').click();
  assert.equal(await firstRow.locator('.column-email').isVisible(), false, 'the toggle toggled twice');
  await firstRow.locator('.toggle-row').click();
  const overflow = await page.evaluate(() => document.querySelector('.volixta-wrap').scrollWidth - document.querySelector('.volixta-wrap').clientWidth);
  assert.ok(overflow <= 1, `the screen scrolls sideways by ${overflow}px at 390px`);
  await axe(page, 'the client list at 390px');
  await shoot(page, 'admin-clients-390');
  // After a swap the toggle still works (the table is new).
  await swapped(page, () => page.locator('#volixta-client-search').fill('Lovelace'));
  const swappedRow = page.locator('#the-list tr').first();
  await swappedRow.locator('.toggle-row').click();
  assert.equal(await swappedRow.locator('.column-email').isVisible(), true);
  await shoot(page, 'admin-clients-search-390');
  await context.close();
});

test('employees get only their own dashboard in the menu, clients no menu, and neither the Clients screen', async () => {
  const admin = await session('admin', 'admin');
  const made = await wpRest(admin.context, 'POST', 'wp/v2/users',
    { username: 'employee', email: 'employee@example.com', password: 'employee', roles: ['volixta_employee'] });
  assert.equal(made.status, 201, JSON.stringify(made.body));
  await admin.context.close();

  for (const [user, password] of [['employee', 'employee'], ['client', 'client']]) {
    const { context, page } = await session(user, password);
    const wpAdmin = await page.goto(new URL('wp-admin/profile.php', stack.site.site).href);
    assert.ok(wpAdmin.ok(), `${user} cannot open wp-admin`);
    // An employee's Volixta menu holds its own dashboard only; a client has no Volixta menu.
    const menuLinks = await page.locator('#adminmenu #toplevel_page_volixta-clients .wp-submenu a').allTextContents();
    assert.deepEqual(menuLinks, user === 'employee' ? ['My bookings'] : [], `${user}'s Volixta menu`);
    const screen = await page.goto(clientsUrl());
    assert.equal(screen.status(), 403, `${user} opened the Clients screen`);
    assert.equal(await page.locator('.volixta-wrap').count(), 0);
    // And the fragment itself, through the proxy with their own nonce, is refused by the service.
    const res = await wpRest(context, 'GET', 'volixta/v1/render/admin/clients');
    assert.equal(res.status, 403, `${user} got the fragment through the proxy: ${res.status}`);
    const bulk = await wpRest(context, 'POST', 'volixta/v1/render/admin/clients/bulk', { bulk_action: 'delete', ids: ['1'] });
    assert.equal(bulk.status, 403);
    await context.close();
  }
  assert.equal(Number(one(`SELECT COUNT(*) FROM ${db()}.wp_volixta_clients WHERE id = 1 AND deleted_at IS NULL`)), 1);
});
