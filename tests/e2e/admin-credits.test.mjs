// End to end: wp-admin → Volixta → Credits & Gifts as a manager on the real plugin, WordPress and
// service: a promo code created (a field error first), applied to a client by keyboard and seen
// in the client's wallet and in the business's movements under the manager's name, e-mail
// requests queued, the code revoked after a confirmation; axe-core; 1280 and 390 px screenshots.
// An employee and a client get neither the screen nor its actions.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startSite, stopSite, launchChromium, sql, php, openSession, wpRestAs, swapped, axe, shoot, fits } from './harness.mjs';

let stack;
let browser;

before(async () => {
  stack = await startSite('admin-credits');
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
const url = (query = '') => new URL(`wp-admin/admin.php?page=volixta-credits${query}`, stack.site.site).href;
const swap = (page, action) => swapped(page, action, '/wp-json/volixta/v1/render/admin/credits');

test('a manager creates a promo code, applies it to a client, follows the money and revokes it', async () => {
  const { context, page } = await session('manager', 'manager');
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('console', (m) => {
    if ((m.type() === 'error' && !m.text().includes('ERR_NAME_NOT_RESOLVED')) || /refused/.test(m.text())) errors.push(m.text());
  });
  const made = await wpRest(context, 'POST', 'volixta/v1/clients',
    { first_name: 'Katherine', last_name: 'Johnson', email: 'katherine@example.com', phone: '+1 757 555 0100' });
  assert.equal(made.status, 201, JSON.stringify(made.body));
  const katherine = made.body.id;
  const manager = one(`SELECT display_name FROM ${db()}.wp_users WHERE user_login = 'manager'`);

  // The menu leads here; the list starts with the demo's codes or its empty state.
  await page.goto(new URL('wp-admin/admin.php?page=volixta-clients', stack.site.site).href);
  await page.locator('#adminmenu a', { hasText: 'Credits & Gifts' }).click();
  await page.waitForURL(/page=volixta-credits/);
  assert.equal(await page.locator('.volixta-wrap h1').first().textContent(), 'Credits & Gifts');
  await axe(page, 'the gift codes list');

  // A value that is no amount: the reason sits beside the field and nothing is created.
  const before = Number(one(`SELECT COUNT(*) FROM ${db()}.wp_volixta_gift_codes`));
  await swap(page, () => page.locator('.page-title-action', { hasText: 'Add a promo code' }).click());
  await page.fill('#volixta-code-value', 'lots');
  await page.fill('#volixta-code-note', 'Welcome gift');
  await swap(page, () => page.locator('#volixta-new-code-form button[type=submit]').click());
  assert.match(await page.locator('#volixta-code-value-error').textContent(), /amount above zero/);
  assert.equal(await page.inputValue('#volixta-code-note'), 'Welcome gift');
  assert.equal(Number(one(`SELECT COUNT(*) FROM ${db()}.wp_volixta_gift_codes`)), before);
  await axe(page, 'the create form with an error');
  await shoot(page, 'admin-credits-new-1280');

  // Created: the code in full, once.
  await page.fill('#volixta-code-value', '25');
  await page.fill('#volixta-code-max_redemptions', '10');
  await swap(page, () => page.locator('#volixta-new-code-form button[type=submit]').click());
  const code = (await page.locator('#volixta-code-full').textContent()).trim();
  assert.match(code, /^[2-9A-Z]{4}-[2-9A-Z]{4}-[2-9A-Z]{4}-[2-9A-Z]{4}$/);
  assert.equal(Number(one(`SELECT COUNT(*) FROM ${db()}.wp_volixta_gift_codes`)), before + 1);
  const id = Number(one(`SELECT MAX(id) FROM ${db()}.wp_volixta_gift_codes`));

  // Apply it to Katherine by keyboard: search, choose, apply.
  await page.locator('#volixta-apply-search').focus();
  await page.keyboard.type('johnson');
  await page.keyboard.press('Tab');
  await swap(page, () => page.keyboard.press('Enter'));
  const radio = page.locator(`#volixta-code-apply input[name=client_id][value="${katherine}"]`);
  await radio.focus();
  await page.keyboard.press('Space');
  assert.equal(await radio.isChecked(), true);
  await page.locator('#volixta-code-apply button[type=submit]').focus();
  await swap(page, () => page.keyboard.press('Enter'));
  assert.match(await page.locator('.volixta-wrap .notice-success').textContent(),
    /The gift code was applied to Katherine Johnson\. Their balance is now €25\.00\./);
  assert.match(await page.locator('#volixta-code-redemptions tbody').textContent(), /Katherine Johnson/);
  assert.equal(Number(one(`SELECT wallet_balance FROM ${db()}.wp_volixta_clients WHERE id = ${katherine}`)), 25);
  await axe(page, 'a code after applying it');

  // E-mail it to Katherine: queued, and the screen says so.
  await page.fill('#volixta-send-search', 'katherine');
  await swap(page, () => page.locator('#volixta-code-send button', { hasText: 'Search' }).click());
  await page.locator(`#volixta-code-send input[value="${katherine}"]`).check();
  await swap(page, () => page.locator('#volixta-code-send button[type=submit]').click());
  assert.match(await page.locator('.volixta-wrap .notice-success').textContent(), /The request is queued/);
  assert.match(await page.locator('#volixta-code-sends tbody').textContent(), /Katherine Johnson.*Queued/s);
  await shoot(page, 'admin-credits-code-1280');

  // The client's wallet tab shows the credit, by the manager's name.
  await page.goto(new URL(`wp-admin/admin.php?page=volixta-clients&client=${katherine}&tab=wallet`, stack.site.site).href);
  const row = await page.locator('#volixta-wallet-history tbody tr').first().textContent();
  assert.match(row, /Gift code/);
  assert.ok(row.includes(manager), `the wallet row names ${manager}: ${row}`);
  assert.ok(!row.includes('manager:'), row);

  // Every movement of the business, filtered by kind and by who made it.
  await page.goto(url('&tab=movements'));
  const first = await page.locator('#volixta-movements tbody tr').first().textContent();
  assert.match(first, /Katherine Johnson/);
  assert.ok(first.includes(manager), first);
  await swap(page, () => page.selectOption('select[name=kind]', 'manual_debit'));
  assert.doesNotMatch(await page.locator('#volixta-movements tbody').textContent(), /Katherine Johnson/);
  await swap(page, () => page.selectOption('select[name=kind]', 'gift_code'));
  assert.match(await page.locator('#volixta-movements tbody').textContent(), /Katherine Johnson/);
  await page.fill('input[name=client]', 'johnson');
  await swap(page, () => page.locator('.volixta-filters button[type=submit]').click());
  const rows = await page.locator('#volixta-movements tbody tr').allTextContents();
  assert.equal(rows.length, 1, rows.join('\n'));
  await axe(page, 'the movements');
  await shoot(page, 'admin-credits-movements-1280');

  // Revoke, after saying yes.
  await page.goto(url(`&code=${id}`));
  await swap(page, () => page.locator('#volixta-revoke').click());
  assert.match(await page.locator('.volixta-confirm').textContent(), /Nobody can redeem it any more/);
  await axe(page, 'the revoke question');
  await swap(page, () => page.locator('#volixta-revoke-confirm').click());
  assert.match(await page.locator('.volixta-wrap .notice-success').textContent(), /revoked/);
  assert.equal(await page.locator('#volixta-code-apply').count(), 0);
  assert.ok(one(`SELECT revoked_at FROM ${db()}.wp_volixta_gift_codes WHERE id = ${id}`));
  assert.equal(Number(one(`SELECT wallet_balance FROM ${db()}.wp_volixta_clients WHERE id = ${katherine}`)), 25);
  await page.goto(url());
  await axe(page, 'the list with a revoked code');
  await shoot(page, 'admin-credits-codes-1280');
  assert.deepEqual(errors, []);
  await context.close();

  // A phone: the list, a code, the form and the movements fit 390 px.
  const phone = await session('manager', 'manager', 390);
  for (const [query, name] of [['', 'codes'], [`&code=${id}`, 'code'], ['&action=new', 'new'], ['&tab=movements', 'movements']]) {
    await phone.page.goto(url(query));
    await fits(phone.page, name);
    await shoot(phone.page, `admin-credits-${name}-390`);
  }
  await axe(phone.page, 'the movements at 390 px');
  await phone.context.close();
});

test('the demo data shows codes in every state and loads only once', async () => {
  const count = (table) => Number(one(`SELECT COUNT(*) FROM ${db()}.wp_volixta_${table}`));
  const statuses = sql(`SELECT revoked_at IS NOT NULL, expires_at < UTC_TIMESTAMP(), redemptions >= max_redemptions FROM ${db()}.wp_volixta_gift_codes WHERE note LIKE 'Demo:%'`);
  assert.equal(statuses.length, 4);
  assert.ok(count('wallet_ledger') > 10 && count('bookings') > 5, 'money and bookings for the screens');
  assert.ok(Number(one(`SELECT COUNT(*) FROM ${db()}.wp_volixta_bookings WHERE status = 'cancelled'`)) >= 1);
  const before = ['clients', 'wallet_ledger', 'reward_ledger', 'bookings', 'gift_codes', 'gift_code_redemptions'].map(count);
  await php('demo-data.php', [`--url=${stack.site.site}`, `--db=${stack.db}`], stack.wpEnv);
  const after = ['clients', 'wallet_ledger', 'reward_ledger', 'bookings', 'gift_codes', 'gift_code_redemptions'].map(count);
  assert.deepEqual(after, before, 'a second run creates nothing');
});

test('an employee and a client get no credits screen and no action', async () => {
  const admin = await session('admin', 'admin');
  const made = await wpRest(admin.context, 'POST', 'wp/v2/users',
    { username: 'employee', email: 'employee@example.com', password: 'employee', roles: ['volixta_employee'] });
  assert.equal(made.status, 201, JSON.stringify(made.body));
  const created = await wpRest(admin.context, 'POST', 'volixta/v1/gift-codes', { value: '99.00' });
  assert.equal(created.status, 201, JSON.stringify(created.body));
  await admin.context.close();
  const target = stack.data.client_id;
  const balance = one(`SELECT wallet_balance FROM ${db()}.wp_volixta_clients WHERE id = ${target}`);
  const codes = one(`SELECT COUNT(*) FROM ${db()}.wp_volixta_gift_codes`);

  for (const [user, password] of [['employee', 'employee'], ['client', 'client']]) {
    const { context, page } = await session(user, password);
    const res = await page.goto(url());
    assert.equal(res.status(), 403, `${user} opened Credits & Gifts`);
    assert.equal(await page.locator('.volixta-wrap').count(), 0);
    for (const query of ['', '?tab=movements', `?code=${created.body.id}`]) {
      const fragment = await wpRest(context, 'GET', `volixta/v1/render/admin/credits${query}`);
      assert.equal(fragment.status, 403, `${user} got ${query} through the proxy`);
    }
    const apply = await wpRest(context, 'POST', `volixta/v1/render/admin/credits/gift-codes/${created.body.id}/apply`, { client_id: String(target) });
    assert.equal(apply.status, 403, `${user} applied a code`);
    const create = await wpRest(context, 'POST', 'volixta/v1/render/admin/credits/gift-codes', { value: '500' });
    assert.equal(create.status, 403, `${user} created a code`);
    await context.close();
  }
  assert.equal(one(`SELECT wallet_balance FROM ${db()}.wp_volixta_clients WHERE id = ${target}`), balance);
  assert.equal(one(`SELECT COUNT(*) FROM ${db()}.wp_volixta_gift_codes`), codes);
});
