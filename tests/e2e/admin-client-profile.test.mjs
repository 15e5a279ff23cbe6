// End to end: wp-admin → Volixta → Clients → New client and a client's profile, as a manager on
// the real plugin, WordPress and service: a field error from the service first, then a client
// with a new status, found in the list, its profile with every tab, credits added by keyboard and
// seen in the balance and the history; axe-core on each screen; screenshots at 1280 and 390 px.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startSite, stopSite, launchChromium, sql, openSession, wpRestAs, swapped, axe, shoot, fits } from './harness.mjs';

let stack;
let browser;

before(async () => {
  stack = await startSite('admin-profile');
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
const clientsUrl = (query = '') => new URL(`wp-admin/admin.php?page=volixta-clients${query}`, stack.site.site).href;

test('a manager creates a client, finds it and works in its profile', async () => {
  const { context, page } = await session('manager', 'manager');
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('console', (m) => {
    if ((m.type() === 'error' && !m.text().includes('ERR_NAME_NOT_RESOLVED')) || /refused/.test(m.text())) errors.push(m.text());
  });

  // New client from the list's button.
  await page.goto(clientsUrl());
  await page.locator('#volixta-new-client').click();
  await page.waitForURL(/action=new/);
  assert.equal(await page.locator('.volixta-wrap h1').textContent(), 'New client');
  await axe(page, 'the new client form');
  await shoot(page, 'admin-client-new-1280');

  // A bad e-mail: the service refuses, and says so beside the field; what was typed stays.
  await page.fill('#volixta-field-first_name', 'Zoe');
  await page.fill('#volixta-field-last_name', 'Quillfeather');
  await page.fill('#volixta-field-email', 'zoe.quill.example.com');
  await page.fill('#volixta-field-phone', '+44 20 7946 0999');
  await page.fill('#volixta-field-status', 'Gold Star');
  await page.check('input[name="marketing"]');
  await page.fill('#volixta-field-notes', 'Prefers e-mail.');
  await swapped(page, () => page.locator('button[name="then"][value="profile"]').click());
  const emailError = page.locator('#volixta-field-email-error');
  assert.match(await emailError.textContent(), /e-mail address is not valid/);
  assert.equal(await page.locator('#volixta-field-email').getAttribute('aria-invalid'), 'true');
  assert.equal(await page.inputValue('#volixta-field-status'), 'Gold Star');
  assert.equal(Number(one(`SELECT COUNT(*) FROM ${db()}.wp_volixta_clients WHERE last_name = 'Quillfeather'`)), 0);
  await axe(page, 'the form with an error');
  await shoot(page, 'admin-client-form-error-1280');

  // Corrected, saved: the profile follows, with the new status.
  await page.fill('#volixta-field-email', 'zoe.quill@example.com');
  await swapped(page, () => page.locator('button[name="then"][value="profile"]').click());
  assert.match(await page.locator('.volixta-wrap .notice-success').textContent(), /Zoe Quillfeather was saved\./);
  assert.equal(one(`SELECT status FROM ${db()}.wp_volixta_clients WHERE email = 'zoe.quill@example.com'`), 'Gold Star');
  const zoe = Number(one(`SELECT id FROM ${db()}.wp_volixta_clients WHERE email = 'zoe.quill@example.com'`));

  // Found in the list by search; the name opens the profile.
  await page.goto(clientsUrl());
  const listed = page.waitForResponse((r) => r.url().includes('render/admin/clients'));
  await page.fill('#volixta-client-search', 'Quillfeather');
  await listed;
  await page.locator('#the-list a.row-title', { hasText: 'Zoe Quillfeather' }).waitFor();
  await page.locator('#the-list a.row-title', { hasText: 'Zoe Quillfeather' }).click();
  await page.waitForURL(new RegExp(`client=${zoe}`));
  const head = page.locator('.volixta-head');
  assert.match(await head.textContent(), /Zoe Quillfeather/);
  assert.match(await head.textContent(), /Gold Star/);
  assert.match(await head.textContent(), /zoe\.quill@example\.com/);
  assert.match(await page.locator('#volixta-client-tab').textContent(), /Prefers e-mail\./);
  await axe(page, 'the profile');
  await shoot(page, 'admin-client-profile-1280');

  // Every tab, by keyboard: focus the tab link and press Enter.
  const tabs = [
    ['Wallet', /No wallet movements yet\./],
    ['Bookings', /No bookings match these filters\./],
    ['Reward points', /No reward points yet\./],
    ['Groups', /Morning regulars|No groups yet\./],
    ['Activity', /zoe\.quill@example\.com/],
    ['Profile', /Prefers e-mail\./],
  ];
  for (const [label, content] of tabs) {
    await swapped(page, async () => {
      await page.locator('.nav-tab-wrapper a', { hasText: label }).focus();
      await page.keyboard.press('Enter');
    });
    assert.equal(await page.locator('.nav-tab-active').textContent(), label);
    assert.match(await page.locator('#volixta-client-tab').textContent(), content, `the ${label} tab`);
    await axe(page, `the ${label} tab`);
    await shoot(page, `admin-client-${label.toLowerCase().replace(/ /g, '-')}-1280`);
  }

  // The bookings calendar view: only days with bookings, and an empty state without any.
  await swapped(page, () => page.locator('.nav-tab-wrapper a', { hasText: 'Bookings' }).click());
  await swapped(page, () => page.selectOption('#volixta-client-tab select[name="mode"]', 'calendar'));
  assert.match(await page.locator('#volixta-client-tab').textContent(), /No bookings in this period\./);

  // Credits by keyboard: amount and reason typed, Enter submits; balance and history follow.
  await swapped(page, () => page.locator('.nav-tab-wrapper a', { hasText: 'Wallet' }).click());
  await swapped(page, () => page.locator('#volixta-wallet-adjust button[type=submit]').click());
  assert.match(await page.locator('#volixta-adjust-amount-error').textContent(), /amount above zero/);
  await page.locator('#volixta-adjust-amount').focus();
  await page.keyboard.type('40');
  await page.keyboard.press('Tab');
  await page.keyboard.type('Welcome credits');
  await swapped(page, () => page.keyboard.press('Enter'));
  assert.match(await page.locator('.volixta-wrap .notice-success').textContent(), /€40\.00 added to the wallet\. The balance is now €40\.00\./);
  assert.equal(await page.locator('#volixta-balance').textContent(), '€40.00');
  assert.match(await page.locator('#volixta-wallet-history tbody').textContent(), /Welcome credits/);
  assert.equal(Number(one(`SELECT wallet_balance FROM ${db()}.wp_volixta_clients WHERE id = ${zoe}`)), 40);
  await swapped(page, async () => {
    await page.selectOption('#volixta-adjust-direction', 'debit');
    await page.fill('#volixta-adjust-amount', '15');
    await page.fill('#volixta-adjust-reason', 'Correction');
    await page.locator('#volixta-wallet-adjust button[type=submit]').click();
  });
  assert.equal(await page.locator('#volixta-balance').textContent(), '€25.00');
  const history = await page.locator('#volixta-wallet-history tbody tr').allTextContents();
  assert.equal(history.length, 2);
  assert.match(history[0], /Correction/);
  await axe(page, 'the wallet after changes');
  await shoot(page, 'admin-client-wallet-credited-1280');

  // Edit from the profile: the form comes back filled.
  await page.locator('.volixta-wrap').getByRole('link', { name: 'Edit', exact: true }).click();
  await page.waitForURL(/action=edit/);
  assert.equal(await page.inputValue('#volixta-field-email'), 'zoe.quill@example.com');
  assert.equal(await page.isChecked('input[name="marketing"]'), true);

  assert.deepEqual(errors, []);
  await context.close();

  // A phone: the profile, its wallet and the form fit 390 px.
  const phone = await session('manager', 'manager', 390);
  await phone.page.goto(clientsUrl(`&client=${zoe}`));
  await fits(phone.page, 'the profile');
  await shoot(phone.page, 'admin-client-profile-390');
  await phone.page.goto(clientsUrl(`&client=${zoe}&tab=wallet`));
  await fits(phone.page, 'the wallet tab');
  await axe(phone.page, 'the wallet tab at 390 px');
  await shoot(phone.page, 'admin-client-wallet-390');
  await phone.page.goto(clientsUrl(`&client=${zoe}&tab=bookings&mode=calendar`));
  await fits(phone.page, 'the bookings tab');
  await shoot(phone.page, 'admin-client-bookings-390');
  await phone.page.goto(clientsUrl('&action=new'));
  await fits(phone.page, 'the form');
  await shoot(phone.page, 'admin-client-new-390');
  await phone.context.close();
});

test('an employee and a client get no profile, form or credit action', async () => {
  const admin = await session('admin', 'admin');
  const made = await wpRest(admin.context, 'POST', 'wp/v2/users',
    { username: 'employee', email: 'employee@example.com', password: 'employee', roles: ['volixta_employee'] });
  assert.equal(made.status, 201, JSON.stringify(made.body));
  await admin.context.close();
  const target = stack.data.client_id;
  const balance = one(`SELECT wallet_balance FROM ${db()}.wp_volixta_clients WHERE id = ${target}`);

  for (const [user, password] of [['employee', 'employee'], ['client', 'client']]) {
    const { context, page } = await session(user, password);
    const res = await page.goto(clientsUrl(`&client=${target}&tab=wallet`));
    assert.equal(res.status(), 403, `${user} opened a profile`);
    assert.equal(await page.locator('.volixta-wrap').count(), 0);
    const form = await page.goto(clientsUrl('&action=new'));
    assert.equal(form.status(), 403, `${user} opened the form`);
    // The fragments and actions themselves, through the proxy with their own nonce.
    const fragment = await wpRest(context, 'GET', `volixta/v1/render/admin/clients?client=${target}&tab=wallet`);
    assert.equal(fragment.status, 403, `${user} got a profile through the proxy`);
    const credit = await wpRest(context, 'POST', `volixta/v1/render/admin/client/${target}/wallet`,
      { direction: 'credit', amount: '500', reason: 'mine now' });
    assert.equal(credit.status, 403, `${user} added credits`);
    const create = await wpRest(context, 'POST', 'volixta/v1/render/admin/client/save', { first_name: 'Mallory' });
    assert.equal(create.status, 403, `${user} created a client`);
    await context.close();
  }
  assert.equal(one(`SELECT wallet_balance FROM ${db()}.wp_volixta_clients WHERE id = ${target}`), balance);
  assert.equal(Number(one(`SELECT COUNT(*) FROM ${db()}.wp_volixta_clients WHERE first_name = 'Mallory'`)), 0);
});
