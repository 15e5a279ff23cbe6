// End to end: wp-admin → Volixta → New booking as a manager on the real plugin, WordPress and
// service: from a client's profile with credits, every step with an add-on (that one by keyboard
// only), a slot from the picker, part paid with credits, confirm, and the debit in the client's
// Wallet tab; axe-core on each step; screenshots of each step at 1280 and 390 px.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { OUT, ROOT, startSite, stopSite, launchChromium, sql, openSession, wpRestAs } from './harness.mjs';

let stack;
let browser;

before(async () => {
  stack = await startSite('admin-new-booking');
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

/** Runs an action that swaps the flow (or its picker), and waits until the swap settled. */
async function swapped(page, action) {
  await page.evaluate(() => {
    window.volixtaSettled = false;
    document.addEventListener('htmx:afterSettle', () => { window.volixtaSettled = true; }, { once: true });
  });
  const response = page.waitForResponse((r) => r.url().includes('render/admin/new-booking') || r.url().includes('render/admin/slot-picker'));
  await action();
  const res = await response;
  assert.equal(res.status(), 200, `the screen answered ${res.status()}`);
  await page.waitForFunction(() => window.volixtaSettled === true);
}

async function axe(page, label) {
  await page.addScriptTag({ path: path.join(ROOT, 'tests/e2e/node_modules/axe-core/axe.min.js') });
  const result = await page.evaluate(() => window.axe.run({ include: [['.volixta-wrap']] }, { resultTypes: ['violations'] }));
  const bad = result.violations.filter((v) => ['serious', 'critical'].includes(v.impact));
  assert.deepEqual(bad.map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => `${n.target.join(' ')}: ${n.failureSummary}`).join('; ')})`), [], `axe on ${label}`);
}

async function shoot(page, name) {
  await page.screenshot({ path: path.join(OUT, `${name}.png`), fullPage: true });
}

async function fits(page, label) {
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  assert.ok(overflow <= 1, `${label} is ${overflow}px wider than the screen`);
}

const step = (page) => page.locator('.volixta-steps [aria-current=step]').textContent().then((t) => t.replace(/\s+/g, ' ').trim());

test('a manager books for a client in five steps, paying partly with credits', async () => {
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
  const location = await created('locations', { name: 'Riverside studio', timezone: 'Europe/Paris', address: '4 quai des Arts, Paris' });
  const service = await created('services', {
    name: 'Deep tissue massage', category: 'Wellness', duration_minutes: 60, price: '50',
    addons: [{ name: 'Hot stones', price: '10', duration_minutes: 15, max_quantity: 3 }],
  });
  const hours = [1, 2, 3, 4, 5, 6, 7].map((weekday) => ({ location_id: location, weekday, start: '09:00', end: '17:00' }));
  await created('staff', { first_name: 'Ines', last_name: 'Moreau', service_ids: [service], working_hours: hours });
  const client = await created('clients', { first_name: 'Nora', last_name: 'Quill', email: 'nora@example.com' });
  const credit = await wpRest(context, 'POST', `volixta/v1/clients/${client}/wallet/adjustments`, { amount: '50.00', reason: 'Welcome credits' });
  assert.equal(credit.status, 201, JSON.stringify(credit.body));

  // From the client's profile.
  await page.goto(adminUrl(`page=volixta-clients&client=${client}`));
  await page.locator('.page-title-action', { hasText: 'New booking' }).click();
  await page.waitForURL(/page=volixta-new-booking/);
  assert.equal(await page.locator('.volixta-wrap h1').textContent(), 'New booking');
  // A page without a menu item of its own keeps the Volixta menu open on Clients.
  assert.match(await page.locator('#toplevel_page_volixta-clients').getAttribute('class'), /wp-menu-open/);
  assert.equal((await page.locator('#toplevel_page_volixta-clients li.current').textContent()).trim(), 'Clients');
  assert.match(await step(page), /1 Service/);
  assert.match(await page.locator('.volixta-assistant').textContent(), /Choose a service type, or a service straight away\./);
  await axe(page, 'the service step');
  await shoot(page, 'admin-new-booking-service-1280');

  // Each choice narrows the next; the assistant says what comes.
  await swapped(page, () => page.selectOption('#volixta-nb-category', { label: 'Wellness' }));
  await swapped(page, () => page.selectOption('#volixta-nb-service', String(service)));
  assert.equal(await page.locator('#volixta-nb-location').inputValue(), String(location), 'the only location is chosen');
  assert.match(await page.locator('.volixta-assistant').textContent(), /Choose who performs it/);
  await swapped(page, () => page.selectOption('#volixta-nb-staff', 'any'));
  assert.match(await page.locator('.volixta-assistant dl').textContent(), /Deep tissue massage[\s\S]*Riverside studio[\s\S]*Anyone available/);
  await swapped(page, () => page.locator('button[name=step][value=addons]').click());

  // Add-ons, by keyboard only.
  assert.match(await step(page), /2 Add-ons/);
  await axe(page, 'the add-ons step');
  await shoot(page, 'admin-new-booking-addons-1280');
  await page.locator('input[name^=addon_]').focus();
  await page.keyboard.press('Control+A');
  await page.keyboard.type('2');
  await page.keyboard.press('Tab');
  assert.equal(await page.evaluate(() => document.activeElement.textContent.trim()), 'Back');
  await page.keyboard.press('Tab');
  assert.equal(await page.evaluate(() => document.activeElement.textContent.trim()), 'Continue');
  await swapped(page, () => page.keyboard.press('Enter'));

  // The picker: a day that has slots, then a time.
  assert.match(await step(page), /3 Date and time/);
  assert.match(await page.locator('.volixta-assistant').textContent(), /2 × Hot stones/);
  await swapped(page, () => page.locator('#volixta-slot-picker button[aria-label="Next month"]').click());
  const days = page.locator('#volixta-slot-picker button.volixta-pday');
  assert.ok(await days.count() >= 20, 'a whole month of working days');
  await swapped(page, () => days.nth(2).click());
  assert.equal(await days.nth(2).getAttribute('aria-pressed'), 'true');
  const slot = page.locator('#volixta-slot-picker input[name=slot]').first();
  const value = await slot.getAttribute('value');
  await slot.check();
  await axe(page, 'the date and time step');
  await shoot(page, 'admin-new-booking-when-1280');
  await swapped(page, () => page.locator('button[name=step][value=payment]').click());

  // Payment: part with credits, the rest by card, paid.
  assert.match(await step(page), /4 Payment/);
  await swapped(page, () => page.locator('input[name=method][value=card]').check());
  await swapped(page, () => page.locator('input[name=pay_status][value=paid]').check());
  await page.fill('#volixta-nb-wallet', '20');
  await swapped(page, () => page.locator('#volixta-nb-wallet').dispatchEvent('change'));
  assert.equal(await page.locator('#volixta-nb-total').textContent(), '€70.00');
  assert.equal(await page.locator('#volixta-nb-credits').textContent(), '€20.00');
  await axe(page, 'the payment step');
  await shoot(page, 'admin-new-booking-payment-1280');
  await swapped(page, () => page.locator('button[name=step][value=review]').click());

  assert.match(await step(page), /5 Review/);
  assert.match(await page.locator('.volixta-price').textContent(), /Paid by Card/);
  await axe(page, 'the review step');
  await shoot(page, 'admin-new-booking-review-1280');
  const reviewUrl = await page.evaluate(() => document.querySelector('#volixta-new-booking form[data-hx-post]').getAttribute('data-hx-post'));
  await swapped(page, () => page.locator('#volixta-nb-confirm').click());
  assert.match(await page.locator('.volixta-wrap .notice-success').textContent(), /Booking #\d+ was made for Nora Quill\./);
  await axe(page, 'the booking made');
  await shoot(page, 'admin-new-booking-done-1280');

  const booking = one(`SELECT id FROM ${db()}.wp_volixta_bookings WHERE client_id = ${client}`);
  assert.equal(Number(one(`SELECT COUNT(*) FROM ${db()}.wp_volixta_bookings WHERE client_id = ${client}`)), 1);
  assert.equal(String(one(`SELECT DATE_FORMAT(start_at, '%Y-%m-%dT%H:%i:%sZ') FROM ${db()}.wp_volixta_bookings WHERE id = ${booking}`)), value.split('_')[0]);
  assert.equal(await page.locator(`a[href="?page=volixta-bookings&booking=${booking}"]`).count(), 1);

  // The wallet tab shows the debit.
  await page.locator('a', { hasText: "Back to the client's bookings" }).click();
  await page.goto(adminUrl(`page=volixta-clients&client=${client}&tab=wallet`));
  assert.equal(await page.locator('#volixta-balance').textContent(), '€30.00');
  const history = await page.locator('#volixta-wallet-history tbody tr').first().textContent();
  assert.match(history, /Booking payment/);
  assert.match(history, /20\.00/);
  assert.deepEqual(errors, []);

  // A phone: every step fits 390 px.
  const phone = await session('manager', 'manager', 390);
  const state = reviewUrl.split('?')[1].replace(/&step=review$/, '');
  for (const s of ['service', 'addons', 'when', 'payment', 'review']) {
    const before = ['payment', 'review'].includes(s) ? state : state.replace(/&slot=[^&]*/, '');
    await phone.page.goto(adminUrl(`${before}&step=${s}`));
    const label = { service: 'Service', addons: 'Add-ons', when: 'Date and time', payment: 'Payment', review: 'Review' }[s];
    assert.match(await step(phone.page), new RegExp(label));
    await fits(phone.page, `the ${s} step`);
    await axe(phone.page, `the ${s} step at 390 px`);
    await shoot(phone.page, `admin-new-booking-${s}-390`);
  }
  await phone.context.close();
  await context.close();
});
