// End to end: a business set up from wp-admin alone, on the real plugin, WordPress and
// service. A manager adds a location in America/New_York with split hours (an end before a start
// is refused first, beside the field, and nothing is saved), a service type and a service with
// buffers and an add-on (a negative price refused first); a staff member comes from the API, and
// the availability API then offers exactly the location's split hours. An administrator saves the
// settings (a bad interval refused first); a manager gets neither the Settings menu nor the page.
// axe-core on every screen; screenshots at 1280 and 390 px.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startSite, stopSite, launchChromium, sql, openSession, wpRestAs, swapped, axe, shoot, fits } from './harness.mjs';

let stack;
let browser;

before(async () => {
  stack = await startSite('admin-setup');
  browser = await launchChromium();
}, { timeout: 240_000 });

after(async () => {
  await browser?.close().catch(() => {});
  await stopSite(stack);
});

const session = (user, password, width = 1280) => openSession(browser, stack.site, user, password, width);
const wpRest = (context, method, route, data) => wpRestAs(context, stack.site, method, route, data);
const db = () => `\`${stack.db}\``;
const count = (table) => Number(sql(`SELECT COUNT(*) FROM ${db()}.wp_volixta_${table}`)[0][0]);
const url = (slug, query = '') => new URL(`wp-admin/admin.php?page=${slug}${query}`, stack.site.site).href;
const swap = (page, action) => swapped(page, action);

/** The next Monday after today, as YYYY-MM-DD (at least a day away, so no notice gets in the way). */
function nextMonday() {
  const d = new Date();
  d.setUTCDate(d.getUTCDate() + 2);
  while (d.getUTCDay() !== 1) d.setUTCDate(d.getUTCDate() + 1);
  return d.toISOString().slice(0, 10);
}

test('a manager sets up a location, a service type and a service; slots follow the split hours', async () => {
  const { context, page } = await session('manager', 'manager');
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('console', (m) => { if (/refused/.test(m.text())) errors.push(m.text()); });

  // Locations: the list (the site's demo location), then a new location.
  const locations = count('locations');
  const services = count('services');
  await page.goto(url('volixta-clients'));
  await page.locator('#adminmenu a', { hasText: 'Locations' }).click();
  await page.waitForURL(/page=volixta-locations/);
  await axe(page, 'the locations list');
  await page.locator('.page-title-action', { hasText: 'Add location' }).click();
  await page.waitForURL(/action=new/);
  await page.fill('#volixta-field-name', 'Midtown Studio');
  await page.fill('#volixta-field-address', '350 5th Avenue, New York, NY 10118');
  await page.fill('#volixta-field-timezone', 'America/New_York');
  await page.fill('input[name=h1_0_start]', '09:00');
  await page.fill('input[name=h1_0_end]', '12:00');
  // "Add period" by keyboard: the new row's first field takes the focus.
  await page.locator('button[value="add_hours:1"]').focus();
  await swap(page, () => page.keyboard.press('Enter'));
  assert.equal(await page.evaluate(() => document.activeElement?.name), 'h1_1_start');
  assert.equal(await page.inputValue('#volixta-field-name'), 'Midtown Studio', 'typed text kept');
  await page.keyboard.type('1400');
  await page.fill('input[name=h1_1_end]', '13:00');
  await swap(page, () => page.locator('#volixta-location-edit button[value=save]').click());
  assert.match(await page.locator('#volixta-field-h1_1_end-error').textContent(), /after start/);
  assert.equal(count('locations'), locations, 'an end before a start saves nothing');
  await axe(page, 'the location form with an error');
  await shoot(page, 'admin-locations-form-error-1280');
  await page.fill('input[name=h1_1_end]', '17:00');
  await swap(page, () => page.locator('button[value=add_special]').click());
  await page.fill('input[name=s0_date]', '2030-12-25');
  await swap(page, () => page.locator('#volixta-location-edit button[value=save]').click());
  assert.match(await page.locator('.notice-success').textContent(), /Midtown Studio was saved/);
  const locationId = Number(sql(`SELECT id FROM ${db()}.wp_volixta_locations WHERE name = 'Midtown Studio'`)[0][0]);
  const hours = sql(`SELECT CONCAT(weekday, ' ', start_minute, '-', end_minute) FROM ${db()}.wp_volixta_location_hours WHERE location_id = ${locationId} ORDER BY start_minute`).map((r) => r[0]);
  assert.deepEqual(hours, ['1 540-720', '1 840-1020']);
  assert.equal(sql(`SELECT closed FROM ${db()}.wp_volixta_location_special_days WHERE location_id = ${locationId}`)[0][0], '1');
  await axe(page, 'the locations list after saving');
  await shoot(page, 'admin-locations-list-1280');

  // Services: a service type, then a service with buffers and an add-on.
  await page.goto(url('volixta-services'));
  await axe(page, 'the services screen');
  await page.fill('input[name=new_name]', 'Massage');
  await swap(page, () => page.locator('button[value=add]').click());
  assert.match(await page.locator('.notice-success').textContent(), /Massage was added/);
  await page.locator('.page-title-action', { hasText: 'Add service' }).click();
  await page.waitForURL(/action=new/);
  await page.fill('#volixta-field-name', 'Deep tissue');
  await page.selectOption('#volixta-field-category_id', { label: 'Massage' });
  await page.fill('#volixta-field-duration_minutes', '60');
  await page.fill('#volixta-field-price', '-80.00');
  await page.fill('#volixta-field-buffer_before_minutes', '10');
  await page.fill('#volixta-field-buffer_after_minutes', '15');
  await page.selectOption('#volixta-field-deposit_type', 'percent');
  await page.fill('input[name=deposit_value]', '25');
  await page.check(`input[name="location_ids[]"][value="${locationId}"]`);
  await swap(page, () => page.locator('button[value=add_addon]').click());
  assert.equal(await page.evaluate(() => document.activeElement?.name), 'a0_name');
  await page.keyboard.type('Hot stones');
  await page.fill('input[name=a0_price]', '15.00');
  await page.fill('input[name=a0_duration_minutes]', '15');
  await page.fill('input[name=a0_max_quantity]', '2');
  await swap(page, () => page.locator('#volixta-service-edit button[value=save]').click());
  assert.match(await page.locator('#volixta-field-price-error').textContent(), /may not be negative/);
  assert.equal(count('services'), services, 'a negative price saves nothing');
  assert.equal(await page.inputValue('input[name=a0_name]'), 'Hot stones');
  await axe(page, 'the service form with an error');
  await shoot(page, 'admin-services-form-error-1280');
  // A fewest above the most: refused beside it, nothing saved.
  await page.fill('#volixta-field-price', '80.00');
  await page.fill('input[name=a0_min_quantity]', '3');
  await swap(page, () => page.locator('#volixta-service-edit button[value=save]').click());
  assert.match(await page.locator('#volixta-field-a0_min_quantity-error').textContent(), /between 1 and the most per booking/);
  assert.equal(count('services'), services, 'a fewest above the most saves nothing');
  await page.fill('input[name=a0_min_quantity]', '1');
  await swap(page, () => page.locator('#volixta-service-edit button[value=save]').click());
  assert.match(await page.locator('.notice-success').textContent(), /Deep tissue was saved/);
  await axe(page, 'the services list');
  await shoot(page, 'admin-services-list-1280');
  const serviceId = Number(sql(`SELECT id FROM ${db()}.wp_volixta_services WHERE name = 'Deep tissue'`)[0][0]);
  assert.deepEqual(sql(`SELECT min_quantity, max_quantity FROM ${db()}.wp_volixta_service_addons WHERE service_id = ${serviceId}`), [['1', '2']]);
  assert.equal(sql(`SELECT deposit_kind FROM ${db()}.wp_volixta_service_pricing WHERE service_id = ${serviceId}`)[0][0], 'percent');

  // Staff come from their own screen; here from the API, working all Monday.
  const staff = await wpRest(context, 'POST', 'volixta/v1/staff', {
    first_name: 'Grace', last_name: 'Hopper', email: 'grace@example.com', service_ids: [serviceId],
    working_hours: [{ location_id: locationId, weekday: 1, start: '08:00', end: '18:00' }],
  });
  assert.equal(staff.status, 201, JSON.stringify(staff.body));
  const day = nextMonday();
  const slots = await wpRest(context, 'GET', `volixta/v1/availability?service_id=${serviceId}&location_id=${locationId}&from=${day}&to=${day}&timezone=America/New_York`);
  assert.equal(slots.status, 200, JSON.stringify(slots.body));
  const local = slots.body.days[0].slots.map((s) => new Date(s.start).toLocaleTimeString('en-GB', { timeZone: 'America/New_York', hour: '2-digit', minute: '2-digit' }));
  // 60 minutes every 15 minutes inside 09:00–12:00 and 14:00–17:00, the opening hours.
  assert.deepEqual(local, ['09:00', '09:15', '09:30', '09:45', '10:00', '10:15', '10:30', '10:45', '11:00',
    '14:00', '14:15', '14:30', '14:45', '15:00', '15:15', '15:30', '15:45', '16:00']);

  // A manager has no Settings.
  await page.goto(url('volixta-clients'));
  assert.equal(await page.locator('#adminmenu a[href$="page=volixta-settings"]').count(), 0);
  const refused = await page.goto(url('volixta-settings'));
  assert.ok(refused.status() === 403 || /not allowed/i.test(await page.content()), 'the page is refused');

  // 390 px: the same screens fit a phone.
  const phone = await session('manager', 'manager', 390);
  for (const [slug, query, name] of [
    ['volixta-locations', '', 'admin-locations-list-390'],
    ['volixta-locations', `&location=${locationId}`, 'admin-locations-form-390'],
    ['volixta-services', '', 'admin-services-list-390'],
    ['volixta-services', `&service=${serviceId}`, 'admin-services-form-390'],
  ]) {
    await phone.page.goto(url(slug, query));
    await fits(phone.page, name);
    await shoot(phone.page, name);
  }
  await page.goto(url('volixta-locations', `&location=${locationId}`));
  await shoot(page, 'admin-locations-form-1280');
  await page.goto(url('volixta-services', `&service=${serviceId}`));
  await shoot(page, 'admin-services-form-1280');
  await phone.context.close();
  await context.close();
  assert.deepEqual(errors, []);
});

test('an administrator saves the settings; a bad value saves nothing', async () => {
  const { context, page } = await session('admin', 'admin');
  await page.goto(url('volixta-clients'));
  await page.locator('#adminmenu a[href$="page=volixta-settings"]').click();
  await page.waitForURL(/page=volixta-settings/);
  await axe(page, 'the settings');
  await page.fill('#volixta-field-slot_interval_minutes', '1');
  await page.fill('#volixta-field-currency', 'USD');
  await swap(page, () => page.locator('#volixta-settings-edit button[type=submit]').click());
  assert.match(await page.locator('#volixta-field-slot_interval_minutes-error').textContent(), /between 5/);
  assert.equal(sql(`SELECT COUNT(*) FROM ${db()}.wp_volixta_settings WHERE name = 'currency'`)[0][0], '0');
  await axe(page, 'the settings with an error');
  await page.fill('#volixta-field-slot_interval_minutes', '30');
  await page.selectOption('#volixta-field-time_format', '12h');
  await swap(page, () => page.locator('#volixta-settings-edit button[type=submit]').click());
  assert.match(await page.locator('.notice-success').textContent(), /Settings saved/);
  assert.equal(sql(`SELECT value FROM ${db()}.wp_volixta_settings WHERE name = 'slot_interval_minutes'`)[0][0], '30');
  assert.equal(sql(`SELECT value FROM ${db()}.wp_volixta_settings WHERE name = 'time_format'`)[0][0], '"12h"');
  await shoot(page, 'admin-settings-1280');
  const phone = await session('admin', 'admin', 390);
  await phone.page.goto(url('volixta-settings'));
  await fits(phone.page, 'the settings at 390 px');
  await shoot(phone.page, 'admin-settings-390');
  await phone.context.close();
  await context.close();
});
