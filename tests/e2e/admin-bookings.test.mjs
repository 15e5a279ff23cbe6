// End to end: wp-admin → Volixta → Bookings, Calendar and a booking's details panel, as a manager
// on the real plugin, WordPress and service: the list and each of its filters, the calendar's
// day, week and month, a booking's four tabs and its Options popup by keyboard, a payment
// recorded, a reschedule to a slot the picker offers, a cancellation whose refund appears in the
// client's Wallet tab; axe-core on each screen; screenshots at 1280 and 390 px. Employees and
// clients get no page and a 403 from the fragments.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startSite, stopSite, launchChromium, sql, openSession, wpRestAs, swapped, axe, shoot, fits, utcDaysFromNow as at } from './harness.mjs';

let stack;
let browser;

before(async () => {
  stack = await startSite('admin-bookings');
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

const rows = (page) => page.locator('#volixta-bookings-list tbody tr:not(.no-items)');


async function seed(context) {
  const made = async (route, body) => {
    const res = await wpRest(context, 'POST', `volixta/v1/${route}`, body);
    assert.equal(res.status, 201, `${route}: ${JSON.stringify(res.body)}`);
    return res.body;
  };
  const paris = await made('locations', { name: 'Rive gauche', timezone: 'Europe/Paris', address: '12 rue du Bac\n75007 Paris' });
  const massage = await made('services', { name: 'Hot stone massage', category: 'Massage', duration_minutes: 60, price: '50.00',
    buffer_before_minutes: 0, buffer_after_minutes: 10, capacity: 1,
    addons: [{ name: 'Aromatherapy oil', price: '8.00', duration_minutes: 0, max_quantity: 2 }] });
  const facial = await made('services', { name: 'Facial', category: 'Face', duration_minutes: 30, price: '30.00',
    buffer_before_minutes: 0, buffer_after_minutes: 0, capacity: 1 });
  const hours = [1, 2, 3, 4, 5, 6, 7].map((weekday) => ({ location_id: paris.id, weekday, start: '06:00', end: '22:00' }));
  const sam = await made('staff', { first_name: 'Sam', last_name: 'Stone', email: 'sam@example.com', service_ids: [massage.id], working_hours: hours });
  const zoe = await made('staff', { first_name: 'Zoe', last_name: 'Face', email: 'zoe@example.com', service_ids: [facial.id], working_hours: hours });
  const ada = Number(stack.data.client_id);
  const addon = massage.addons[0].id;
  const b1 = await made('bookings', { client_id: ada, service_id: massage.id, location_id: paris.id, staff_id: sam.id, start: at(2, 9),
    addons: [{ id: addon, quantity: 2 }], notes: 'Prefers a warm room.' });
  const b2 = await made('bookings', { client_id: ada, service_id: facial.id, location_id: paris.id, staff_id: zoe.id, start: at(3, 13) });
  const b3 = await made('bookings', { client_id: ada, service_id: massage.id, location_id: paris.id, staff_id: sam.id, start: at(4, 8),
    payment: { method: 'cash', status: 'paid' } });
  return { paris, massage, facial, sam, zoe, ada, b1, b2, b3 };
}

test('a manager lists, filters, opens, pays, reschedules and cancels bookings', async () => {
  const { context, page } = await session('manager', 'manager');
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('console', (m) => {
    if ((m.type() === 'error' && !m.text().includes('ERR_NAME_NOT_RESOLVED')) || /refused/.test(m.text())) errors.push(m.text());
  });
  const data = await seed(context);
  const { b1, b2, b3, sam, zoe, facial, massage } = data;

  // The list: upcoming bookings, soonest first, on the location's clock.
  await page.goto(adminUrl('page=volixta-bookings'));
  assert.equal(await page.locator('.volixta-wrap h1').textContent(), 'Bookings');
  const ids = () => rows(page).locator('a.row-title').evaluateAll((as) => as.map((a) => Number(new URL(a.href).searchParams.get('booking'))));
  // The demo data's own bookings are there too; ours are compared among themselves.
  const mine = async () => (await ids()).filter((i) => [b1.id, b2.id, b3.id].includes(i));
  assert.deepEqual(await mine(), [b1.id, b2.id, b3.id], 'soonest first');
  const row1 = rows(page).filter({ has: page.locator(`a[href*="booking=${b1.id}"]`) });
  assert.match(await row1.textContent(), /Hot stone massage/);
  assert.match(await row1.textContent(), /CES?T/, 'Paris time, named');
  await axe(page, 'the bookings list');
  await shoot(page, 'admin-bookings-1280');

  // Each filter narrows the list.
  const filters = [
    ['#volixta-filter-staff', String(zoe.id), [b2.id]],
    ['#volixta-filter-service', String(facial.id), [b2.id]],
    ['#volixta-filter-location', String(data.paris.id), [b1.id, b2.id, b3.id]],
    ['#volixta-filter-payment', 'paid', [b3.id]],
    ['#volixta-filter-status', 'cancelled', []],
    ['#volixta-filter-scope', 'past', []],
  ];
  for (const [select, value, expected] of filters) {
    await swapped(page, () => page.selectOption(select, value));
    assert.deepEqual(await mine(), expected, `${select}=${value}`);
    await swapped(page, () => page.selectOption(select, select.endsWith('scope') ? 'upcoming' : ''));
  }
  const day3 = at(3, 13).slice(0, 10);
  await swapped(page, () => page.fill('#volixta-filter-from', day3));
  await swapped(page, () => page.fill('#volixta-filter-to', day3));
  const onDay3 = await ids();
  assert.ok(onDay3.includes(b2.id) && !onDay3.includes(b1.id) && !onDay3.includes(b3.id), `that day only: ${onDay3}`);
  await shoot(page, 'admin-bookings-filtered-1280');

  // The calendar: week by default, then day and month; every booking links to its panel.
  await page.goto(adminUrl(`page=volixta-calendar&view=week&date=${at(2, 9).slice(0, 10)}`));
  assert.ok(await page.locator(`.volixta-grid a[href*="booking=${b1.id}"]`).count() > 0, 'the week shows the booking');
  await axe(page, 'the calendar week');
  await shoot(page, 'admin-calendar-week-1280');
  await swapped(page, () => page.locator('.volixta-views a', { hasText: 'Month' }).click());
  for (const b of [b1, b2, b3]) {
    assert.ok(await page.locator(`.volixta-grid a[href*="booking=${b.id}"]`).count() > 0, `the month shows #${b.id}`);
  }
  await axe(page, 'the calendar month');
  await shoot(page, 'admin-calendar-month-1280');
  await swapped(page, () => page.locator('.volixta-views a', { hasText: 'Day' }).click());
  await axe(page, 'the calendar day');
  await shoot(page, 'admin-calendar-day-1280');
  await page.goto(adminUrl(`page=volixta-calendar&view=day&date=${at(2, 9).slice(0, 10)}&staff_id=${sam.id}`));
  assert.match(await page.locator('.volixta-day-list').textContent(), /Hot stone massage/);
  assert.match(await page.locator('.volixta-day-list').textContent(), /Ada Lovelace/);

  // The panel from the calendar, its tabs by keyboard.
  await Promise.all([page.waitForURL(new RegExp(`booking=${b1.id}`)), page.locator(`.volixta-day-list a[href*="booking=${b1.id}"]`).click()]);
  assert.match(await page.locator('.volixta-wrap h1').textContent(), new RegExp(`Booking #${b1.id}`));
  const tab = page.locator('#volixta-booking-tab');
  assert.match(await tab.textContent(), /Sam Stone/);
  assert.match(await tab.textContent(), /12 rue du Bac/);
  assert.match(await tab.textContent(), /Europe\/Paris/);
  await axe(page, 'the booking details');
  await shoot(page, 'admin-booking-details-1280');
  // Options: a modal dialog, opened and closed by keyboard.
  await page.locator('#volixta-options-open').focus();
  await page.keyboard.press('Enter');
  const dialog = page.locator('#volixta-booking-options');
  await dialog.waitFor({ state: 'visible' });
  assert.match(await dialog.textContent(), /Aromatherapy oil/);
  assert.equal(await page.evaluate(() => document.querySelector('#volixta-booking-options').matches(':modal')), true);
  await axe(page, 'the options dialog');
  await shoot(page, 'admin-booking-options-1280');
  // The same dialog on a phone: within the screen, every field reachable.
  await page.setViewportSize({ width: 390, height: 844 });
  const box = await dialog.boundingBox();
  assert.ok(box.x >= 0 && box.x + box.width <= 390, `the options dialog fits 390 px: ${JSON.stringify(box)}`);
  await fits(page, 'the options dialog at 390 px');
  await axe(page, 'the options dialog at 390 px');
  await shoot(page, 'admin-booking-options-390');
  await page.setViewportSize({ width: 1280, height: 900 });
  await page.keyboard.press('Escape');
  await dialog.waitFor({ state: 'hidden' });
  // One oil instead of two: saved from the dialog, priced again by the service.
  await page.locator('#volixta-options-open').click();
  await dialog.waitFor({ state: 'visible' });
  await dialog.locator(`input[name="addon_${massage.addons[0].id}"]`).fill('1');
  await swapped(page, () => dialog.locator('button[type=submit]').click());
  assert.match(await page.locator('.volixta-wrap .notice-success').textContent(), /The options were saved: the total is now €58\.00/);
  assert.equal(Number(one(`SELECT total FROM ${db()}.wp_volixta_bookings WHERE id = ${b1.id}`)), 58);
  assert.match(await tab.textContent(), /Options changed/);

  for (const [label, content, shot] of [
    ['Customer information', /Ada Lovelace/, 'customer'],
    ['Payment', /Prefers a warm room\./, 'payment'],
    ['Actions', /Cancel this booking/, 'actions'],
  ]) {
    await swapped(page, async () => {
      await page.locator('.nav-tab-wrapper a', { hasText: label }).focus();
      await page.keyboard.press('Enter');
    });
    assert.equal(await page.locator('.nav-tab-active').textContent(), label);
    assert.match(await tab.textContent(), content, label);
    await axe(page, `the ${label} tab`);
    await shoot(page, `admin-booking-${shot}-1280`);
  }

  // Record a payment: a wrong amount first, then 20.00 in cash by keyboard.
  await swapped(page, () => page.locator('.nav-tab-wrapper a', { hasText: 'Payment' }).click());
  await swapped(page, () => page.locator('#volixta-record-payment button[type=submit]').click());
  assert.match(await page.locator('#volixta-payment-amount-error').textContent(), /amount above zero/);
  await page.locator('#volixta-payment-amount').focus();
  await page.keyboard.type('20');
  await page.selectOption('#volixta-payment-method', 'cash');
  await page.fill('#volixta-payment-note', 'Paid at the desk');
  await swapped(page, async () => { await page.locator('#volixta-payment-note').focus(); await page.keyboard.press('Enter'); });
  assert.match(await page.locator('.volixta-wrap .notice-success').textContent(), /A payment of €20\.00 was recorded\./);
  assert.match(await page.locator('#volixta-payment-history').textContent(), /Paid at the desk/);
  assert.equal(Number(one(`SELECT amount_paid FROM ${db()}.wp_volixta_bookings WHERE id = ${b1.id}`)), 20);
  await shoot(page, 'admin-booking-paid-1280');

  // Reschedule: a day the picker offers, one of its times, moved.
  await swapped(page, () => page.locator('.nav-tab-wrapper a', { hasText: 'Actions' }).click());
  const days = page.locator('#volixta-slot-picker button.volixta-pday');
  assert.ok(await days.count() > 0, 'the picker offers days');
  const dayCount = await days.count();
  await swapped(page, () => days.nth(Math.min(2, dayCount - 1)).click(), 'render/admin/slot-picker');
  const slot = page.locator('#volixta-slot-picker input[name="slot"]').first();
  const chosen = await slot.getAttribute('value');
  await slot.check();
  await axe(page, 'the reschedule picker');
  await shoot(page, 'admin-booking-reschedule-1280');
  await swapped(page, () => page.locator('#volixta-reschedule-submit').click());
  assert.match(await page.locator('.volixta-wrap .notice-success').textContent(), /The booking was moved to/);
  const start = one(`SELECT DATE_FORMAT(start_at, '%Y-%m-%dT%H:%i:%sZ') FROM ${db()}.wp_volixta_bookings WHERE id = ${b1.id}`);
  assert.equal(`${start}_${sam.id}`, chosen);

  // Cancel: the refund policy in words, then the refund in the client's wallet.
  assert.match(await page.locator('#volixta-refund-policy').textContent(), /everything paid \(€20\.00\) goes back to the client's wallet/);
  const balance = Number(one(`SELECT wallet_balance FROM ${db()}.wp_volixta_clients WHERE id = ${data.ada}`));
  await page.fill('#volixta-cancel-reason', 'Client is ill');
  await swapped(page, () => page.locator('#volixta-cancel-submit').click());
  assert.match(await page.locator('.volixta-wrap .notice-success').textContent(), /The booking was cancelled\. €20\.00 went back to the client's wallet\./);
  assert.match(await page.locator('#volixta-booking-tab').textContent(), /no longer holds its time/);
  assert.equal(Number(one(`SELECT wallet_balance FROM ${db()}.wp_volixta_clients WHERE id = ${data.ada}`)), balance + 20);
  await shoot(page, 'admin-booking-cancelled-1280');
  await page.locator('.volixta-head a', { hasText: 'Ada Lovelace' }).click();
  await page.waitForURL(/page=volixta-clients/);
  await page.goto(adminUrl(`page=volixta-clients&client=${data.ada}&tab=wallet`));
  const first = page.locator('#volixta-wallet-history tbody tr').first();
  assert.match(await first.textContent(), /Cancellation refund/);
  assert.match(await first.textContent(), /\+€20\.00/);

  // The client's Bookings tab links to the panel.
  await page.goto(adminUrl(`page=volixta-clients&client=${data.ada}&tab=bookings&scope=all`));
  await Promise.all([page.waitForURL(/page=volixta-bookings&booking=/), page.locator('#volixta-client-bookings a.row-title').first().click()]);
  assert.match(await page.locator('.volixta-wrap h1').textContent(), /Booking #/);

  assert.deepEqual(errors, []);
  await context.close();

  // A phone: the list, the calendar (an agenda), the panel fit 390 px.
  const phone = await session('manager', 'manager', 390);
  for (const [query, name] of [
    ['page=volixta-bookings', 'admin-bookings-390'],
    [`page=volixta-calendar&view=month&date=${at(3, 9).slice(0, 10)}`, 'admin-calendar-month-390'],
    [`page=volixta-calendar&view=week&date=${at(3, 9).slice(0, 10)}`, 'admin-calendar-week-390'],
    [`page=volixta-calendar&view=day&date=${at(3, 9).slice(0, 10)}`, 'admin-calendar-day-390'],
    [`page=volixta-bookings&booking=${b2.id}`, 'admin-booking-details-390'],
    [`page=volixta-bookings&booking=${b2.id}&tab=payment`, 'admin-booking-payment-390'],
    [`page=volixta-bookings&booking=${b2.id}&tab=actions`, 'admin-booking-actions-390'],
  ]) {
    await phone.page.goto(adminUrl(query));
    await fits(phone.page, name);
    await axe(phone.page, name);
    await shoot(phone.page, name);
  }
  assert.ok(await phone.page.locator('#volixta-slot-picker').isVisible());
  await phone.page.goto(adminUrl(`page=volixta-calendar&view=month&date=${at(3, 9).slice(0, 10)}`));
  assert.ok(await phone.page.locator(`.volixta-agenda a[href*="booking=${b2.id}"]`).isVisible(), 'the agenda on a phone');
  await phone.context.close();
});

test('an employee and a client get no bookings screen', async () => {
  const admin = await session('admin', 'admin');
  const made = await wpRest(admin.context, 'POST', 'wp/v2/users',
    { username: 'employee', email: 'employee@example.com', password: 'employee', roles: ['volixta_employee'] });
  assert.equal(made.status, 201, JSON.stringify(made.body));
  await admin.context.close();
  const target = Number(one(`SELECT MAX(id) FROM ${db()}.wp_volixta_bookings WHERE status = 'confirmed'`));
  assert.ok(target > 0, 'a booking to try');
  for (const [user, password] of [['employee', 'employee'], ['client', 'client']]) {
    const { context, page } = await session(user, password);
    for (const query of ['page=volixta-bookings', `page=volixta-bookings&booking=${target}`, 'page=volixta-calendar']) {
      const res = await page.goto(adminUrl(query));
      assert.equal(res.status(), 403, `${user} opened ${query}`);
    }
    for (const route of ['render/admin/bookings', `render/admin/bookings?booking=${target}`, 'render/admin/calendar']) {
      const fragment = await wpRest(context, 'GET', `volixta/v1/${route}`);
      assert.equal(fragment.status, 403, `${user} got ${route} through the proxy`);
    }
    const cancel = await wpRest(context, 'POST', `volixta/v1/render/admin/booking/${target}/cancel`, {});
    assert.equal(cancel.status, 403, `${user} cancelled`);
    await context.close();
  }
  assert.equal(one(`SELECT status FROM ${db()}.wp_volixta_bookings WHERE id = ${target}`), 'confirmed');
});

test('money and times follow the locale and clock of the Settings screen', async () => {
  const admin = await session('admin', 'admin');
  const settings = (body) => wpRest(admin.context, 'PATCH', 'volixta/v1/settings', body);
  // 14:00 in Paris on a day of its own, so the row is the only one at that time.
  const when = new Date(Date.now() + 9 * 86_400_000);
  const day = when.toISOString().slice(0, 10);
  const ada = Number(stack.data.client_id);
  const ids = sql(`SELECT s.id, s.location_id, s.staff_id FROM ${db()}.wp_volixta_services sv
    JOIN ${db()}.wp_volixta_bookings s ON s.service_id = sv.id WHERE sv.name = 'Facial' LIMIT 1`)[0];
  assert.ok(ids, 'a facial booked earlier');
  const winter = new Date(`${day}T12:00:00Z`).toLocaleString('en-GB', { timeZone: 'Europe/Paris', hour: '2-digit' }) === '13';
  const start = `${day}T${winter ? '13' : '12'}:00:00Z`;
  const booked = await wpRest(admin.context, 'POST', 'volixta/v1/bookings', {
    client_id: ada, service_id: Number(one(`SELECT id FROM ${db()}.wp_volixta_services WHERE name = 'Facial'`)),
    location_id: Number(ids[1]), staff_id: Number(ids[2]), start,
  });
  assert.equal(booked.status, 201, JSON.stringify(booked.body));
  try {
    let res = await settings({ locale: 'de_DE', time_format: '12h' });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    await admin.page.goto(adminUrl(`page=volixta-bookings&from=${day}&to=${day}`));
    const row = rows(admin.page).filter({ has: admin.page.locator(`a[href*="booking=${booked.body.id}"]`) });
    // The amount keeps its no-break space; the rest is read with spaces folded.
    const raw = await row.textContent();
    const text = raw.replace(/\s+/g, ' ');
    assert.ok(raw.includes('30,00\u00a0€'), `German amount: ${text}`);
    assert.match(text, /2:00 PM/, `12-hour clock: ${text}`);
    await admin.page.goto(adminUrl(`page=volixta-bookings&booking=${booked.body.id}&tab=payment`));
    assert.ok((await admin.page.locator('#volixta-booking').textContent()).includes('30,00\u00a0€'), 'the panel too');

    res = await settings({ locale: null, time_format: '24h' });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    await admin.page.goto(adminUrl(`page=volixta-bookings&from=${day}&to=${day}`));
    const plain = (await rows(admin.page).filter({ has: admin.page.locator(`a[href*="booking=${booked.body.id}"]`) }).textContent()).replace(/\s+/g, ' ');
    assert.match(plain, /€30\.00/, `the default locale keeps 30.00: ${plain}`);
    assert.match(plain, /14:00/, `24-hour clock: ${plain}`);
  } finally {
    await settings({ locale: null, time_format: 'auto' });
    await admin.context.close();
  }
});
