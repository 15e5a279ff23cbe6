// End to end: wp-admin → Volixta → Packages as a manager on the real plugin, WordPress and
// service: a package built (a field error first, nothing saved), bulk-assigned to three clients
// from the Assign screen, a booking for one of them paid with a session through New booking, the
// session seen used in the client's Packages tab, the booking cancelled and the session back;
// bulk deactivation from Edit; axe-core; 1280 and 390 px screenshots. Employees and clients get
// neither the screen nor its actions.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startSite, stopSite, launchChromium, sql, openSession, wpRestAs, swapped, axe, shoot, fits, utcDaysFromNow } from './harness.mjs';

let stack;
let browser;

before(async () => {
  stack = await startSite('admin-packages');
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
const adminUrl = (query) => new URL(`wp-admin/admin.php?${query}`, stack.site.site).href;
const text = async (locator) => (await locator.textContent()).replace(/\s+/g, ' ').trim();

test('a manager builds a package, assigns it to three clients, books with a session and gets it back on cancel', async () => {
  const { context, page } = await session('manager', 'manager');
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('console', (m) => {
    if ((m.type() === 'error' && !m.text().includes('ERR_NAME_NOT_RESOLVED')) || /refused/.test(m.text())) errors.push(m.text());
  });
  const created = async (route, data) => {
    const res = await wpRest(context, 'POST', `volixta/v1/${route}`, data);
    assert.equal(res.status, 201, `${route}: ${JSON.stringify(res.body)}`);
    return res.body.id;
  };
  const location = await created('locations', { name: 'Harbour studio', timezone: 'UTC', address: '2 Quay Road' });
  const service = await created('services', { name: 'Physio session', category: 'Therapy', duration_minutes: 60, price: '50' });
  const hours = [1, 2, 3, 4, 5, 6, 7].map((weekday) => ({ location_id: location, weekday, start: '08:00', end: '18:00' }));
  const staff = await created('staff', { first_name: 'Theo', last_name: 'Hands', service_ids: [service], working_hours: hours });
  const nora = await created('clients', { first_name: 'Nora', last_name: 'Packer', email: 'nora.packer@example.com' });
  const omar = await created('clients', { first_name: 'Omar', last_name: 'Packer', email: 'omar.packer@example.com' });
  const pia = await created('clients', { first_name: 'Pia', last_name: 'Packer', email: 'pia.packer@example.com' });

  // The menu leads to the list, empty at first.
  await page.goto(adminUrl('page=volixta-clients'));
  await page.locator('#adminmenu a', { hasText: 'Packages' }).click();
  await page.waitForURL(/page=volixta-packages/);
  assert.equal(await page.locator('.volixta-wrap h1').first().textContent(), 'Packages');
  assert.match(await text(page.locator('#volixta-packages-list')), /No packages yet\./);
  await axe(page, 'the empty list');

  // The builder: a number that is not one is refused beside its field, and nothing is saved.
  await swapped(page, () => page.locator('.page-title-action', { hasText: 'Add package' }).click());
  await page.fill('#volixta-package-name', 'Therapy Starter Pack');
  await page.fill('#volixta-package-sessions', 'three');
  await page.fill('#volixta-package-price', '120');
  await page.fill('#volixta-package-validity_days', '30');
  await page.locator('input[name="service_ids[]"]', { has: page.locator(`xpath=self::*[@value="${service}"]`) }).check();
  await swapped(page, () => page.locator('#volixta-package-form button[type=submit]').click());
  assert.match(await page.locator('#volixta-package-sessions-error').textContent(), /whole number of sessions/);
  assert.equal(await page.inputValue('#volixta-package-name'), 'Therapy Starter Pack');
  assert.equal(Number(one(`SELECT COUNT(*) FROM ${db()}.wp_volixta_packages`)), 0);
  await axe(page, 'the builder with an error');
  await shoot(page, 'admin-packages-builder-1280');
  await page.fill('#volixta-package-sessions', '3');
  await swapped(page, () => page.locator('#volixta-package-form button[type=submit]').click());
  assert.match(await text(page.locator('.volixta-wrap .notice-success')), /The package Therapy Starter Pack was created\./);
  const row = page.locator('#volixta-packages-list tbody tr', { hasText: 'Therapy Starter Pack' });
  assert.match(await text(row), /Therapy Starter Pack.*Physio session.*3.*30 days.*€120\.00.*Unlimited.*0/);
  const pack = Number(one(`SELECT id FROM ${db()}.wp_volixta_packages WHERE name = 'Therapy Starter Pack'`));
  await axe(page, 'the list');
  await shoot(page, 'admin-packages-list-1280');

  // Assign: the three Packers, found by name, ticked, given one each.
  await swapped(page, () => row.locator('.row-actions a', { hasText: 'Assign' }).click());
  await page.fill('#volixta-assign-find', 'Packer');
  await swapped(page, () => page.locator('#volixta-assign-search button[type=submit]').click());
  const picks = page.locator('#volixta-assign-clients tbody tr');
  assert.equal(await picks.count(), 3);
  assert.match(await text(picks.first()), /NPNora Packer nora\.packer@example\.com.* New 0$/);
  for (const id of [nora, omar, pia]) await page.locator(`#volixta-pick-${id}`).check();
  await axe(page, 'the Assign screen');
  await shoot(page, 'admin-packages-assign-1280');
  await swapped(page, () => page.locator('#volixta-assign-form button[type=submit]').click());
  assert.match(await text(page.locator('.volixta-wrap .notice-success')), /One more was given to each of 3 clients\./);
  const owners = page.locator('#volixta-owners tbody tr');
  assert.equal(await owners.count(), 3);
  assert.match(await text(owners.first()), /Nora Packer.* Active 3 1$/);
  await axe(page, 'the owners');
  await shoot(page, 'admin-packages-owners-1280');
  const noraPackage = Number(one(`SELECT id FROM ${db()}.wp_volixta_client_packages WHERE client_id = ${nora}`));

  // New booking for Nora: the payment step offers her package; one session pays the service.
  const from = utcDaysFromNow(3, 0).slice(0, 10);
  const to = utcDaysFromNow(5, 0).slice(0, 10);
  const free = await wpRest(context, 'GET', `volixta/v1/availability?service_id=${service}&location_id=${location}&from=${from}&to=${to}&timezone=UTC`);
  assert.equal(free.status, 200, JSON.stringify(free.body));
  const slot = free.body.days[0].slots[0];
  const flow = `page=volixta-new-booking&client=${nora}&service_id=${service}&location_id=${location}&staff_id=${staff}&addons=&slot=${encodeURIComponent(`${slot.start}_${slot.staff_id}`)}`;
  await page.goto(adminUrl(`${flow}&step=payment`));
  const offered = page.locator('#volixta-nb-packages');
  assert.match(await text(offered), /Therapy Starter Pack — 3 of 3 sessions left/);
  await swapped(page, () => offered.locator(`input[name=package][value="${noraPackage}"]`).check());
  await axe(page, 'the payment step with a package');
  await shoot(page, 'admin-packages-payment-1280');
  await swapped(page, () => page.locator('button[name=step][value=review]').click());
  assert.equal(await page.locator('#volixta-nb-package-paid').textContent(), '€50.00');
  await swapped(page, () => page.locator('#volixta-nb-confirm').click());
  assert.match(await text(page.locator('.volixta-wrap .notice-success')), /Booking #\d+ was made for Nora Packer\./);
  const booking = Number(one(`SELECT id FROM ${db()}.wp_volixta_bookings WHERE client_id = ${nora}`));
  assert.equal(String(one(`SELECT payment_status FROM ${db()}.wp_volixta_bookings WHERE id = ${booking}`)), 'paid');

  // Her Packages tab: two left, and the booking that used the first session.
  await page.goto(adminUrl(`page=volixta-clients&client=${nora}&tab=packages`));
  assert.equal(await page.locator(`#volixta-package-${noraPackage}-remaining`).textContent(), '2');
  const uses = page.locator(`#volixta-package-${noraPackage} .volixta-package-uses tbody tr`);
  assert.match(await text(uses.first()), new RegExp(`#${booking} Physio session.*1 / 3.*—$`));
  await axe(page, 'the Packages tab');
  await shoot(page, 'admin-packages-client-1280');

  // Cancel: the panel says the session goes back; then it is back, and nothing went to the wallet.
  const balance = Number(one(`SELECT wallet_balance FROM ${db()}.wp_volixta_clients WHERE id = ${nora}`));
  await page.goto(adminUrl(`page=volixta-bookings&booking=${booking}&tab=actions`));
  assert.match(await text(page.locator('#volixta-refund-policy')), /Nothing has been paid on this booking, so nothing is refunded\. The package session goes back to Therapy Starter Pack\./);
  await page.fill('#volixta-cancel-reason', 'Feeling better');
  await swapped(page, () => page.locator('#volixta-cancel-submit').click());
  assert.match(await text(page.locator('.volixta-wrap .notice-success')), /The booking was cancelled\./);
  assert.equal(Number(one(`SELECT wallet_balance FROM ${db()}.wp_volixta_clients WHERE id = ${nora}`)), balance);
  await page.goto(adminUrl(`page=volixta-clients&client=${nora}&tab=packages`));
  assert.equal(await page.locator(`#volixta-package-${noraPackage}-remaining`).textContent(), '3');
  assert.doesNotMatch(await text(uses.first()), /—$/, 'the use shows when it was given back');
  await shoot(page, 'admin-packages-client-returned-1280');

  // An expiry before the activation is refused beside the field, and nothing is saved.
  await page.fill(`#volixta-package-${noraPackage}-expires_on`, '2020-01-01');
  await swapped(page, () => page.locator(`#volixta-package-${noraPackage} .volixta-package-terms button[type=submit]`).click());
  assert.match(await page.locator(`#volixta-package-${noraPackage}-expires_on-error`).textContent(), /may not be before the activation date/);
  assert.notEqual(String(one(`SELECT expires_on FROM ${db()}.wp_volixta_client_packages WHERE id = ${noraPackage}`)), '2020-01-01');
  await axe(page, 'the Packages tab with an error');

  // Edit → bulk deactivate Omar's.
  await page.goto(adminUrl(`page=volixta-packages&action=edit&id=${pack}`));
  assert.equal(await page.inputValue('#volixta-package-sessions'), '3');
  await page.locator(`#volixta-owner-${omar}`).check();
  await swapped(page, () => page.locator('#volixta-owners-form button', { hasText: 'Deactivate for ticked clients' }).click());
  assert.match(await text(page.locator('.volixta-wrap .notice-success')), /1 client package was deactivated\./);
  assert.match(await text(page.locator('#volixta-owners tbody tr', { hasText: 'Omar Packer' })), /Inactive/);
  assert.deepEqual(errors, []);

  // A phone: the list, Assign, owners and the client's tab fit 390 px.
  const phone = await session('manager', 'manager', 390);
  for (const [query, name] of [
    ['page=volixta-packages', 'list'],
    [`page=volixta-packages&action=assign&id=${pack}&search=Packer`, 'assign'],
    [`page=volixta-packages&action=view&id=${pack}`, 'owners'],
    [`page=volixta-clients&client=${nora}&tab=packages`, 'client'],
  ]) {
    await phone.page.goto(adminUrl(query));
    await fits(phone.page, `the ${name} screen`);
    await axe(phone.page, `the ${name} screen at 390 px`);
    await shoot(phone.page, `admin-packages-${name}-390`);
  }
  await phone.context.close();
  await context.close();
});

test('employees and clients get neither the screen nor its actions', async () => {
  const admin = await session('admin', 'admin');
  const made = await wpRest(admin.context, 'POST', 'wp/v2/users',
    { username: 'employee', email: 'employee@example.com', password: 'employee', roles: ['volixta_employee'] });
  assert.equal(made.status, 201, JSON.stringify(made.body));
  await admin.context.close();
  const packages = one(`SELECT COUNT(*) FROM ${db()}.wp_volixta_packages`);
  for (const [user, password] of [['employee', 'employee'], ['client', 'client']]) {
    const { context, page } = await session(user, password);
    await page.goto(adminUrl('page=volixta-packages'));
    assert.doesNotMatch(await page.content(), /Add package/);
    const res = await wpRest(context, 'POST', 'volixta/v1/packages', { name: 'Mine', sessions: 99, price: '0', service_ids: [1] });
    assert.equal(res.status, 403, JSON.stringify(res.body));
    const screen = await wpRest(context, 'GET', 'volixta/v1/render/admin/packages');
    assert.equal(screen.status, 403);
    await context.close();
  }
  assert.equal(one(`SELECT COUNT(*) FROM ${db()}.wp_volixta_packages`), packages);
});
