// End to end: packages on the client's side, on the real plugin, WordPress, service and Chromium.
// A manager gives the demo client Ada two identical packs and a kit and books once with a
// session; Ada (a browser in Tokyo) sees the packs as one card "×2" in her portal's Packages
// section, opens its popup by keyboard (the bookings that used it on her clock, with the staff
// member), closes it with Escape; then books on the public booking form paying with a session
// (reached from the popup's "Book with this package", which chooses the session),
// and the session is taken. The wp-admin Assign screen shows her uploaded photo. axe-core,
// 1280 and 390 px screenshots. Every process started here is stopped in after().
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { OUT, ROOT, PNG, startSite, stopSite, launchChromium, openSession, sql, axe, shoot, fits, wpRestAs, swapped, utcDaysFromNow, sleep } from './harness.mjs';

const ZONE = 'Asia/Tokyo';
const FORM = '#volixta-booking-form';

let stack;
let site;
let browser;
let manager; // the manager's logged-in session
let ada; // Ada's logged-in session, in Tokyo
let pack; // the two identical client packages' package
let first; // the first of Ada's two packs
let kit;

before(async () => {
  stack = await startSite('portal-packages');
  ({ site } = stack);
  browser = await launchChromium();
  manager = await openSession(browser, site, 'manager', 'manager');
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, timezoneId: ZONE });
  context.setDefaultTimeout(20_000);
  const page = await context.newPage();
  await page.goto(site.login_url);
  await page.fill('#user_login', 'client');
  await page.fill('#user_pass', 'client');
  await Promise.all([page.waitForURL((url) => !url.pathname.endsWith('/wp-login.php')), page.click('#wp-submit')]);
  ada = { context, page };
}, { timeout: 240_000 });

after(async () => {
  await browser?.close().catch(() => {});
  await stopSite(stack);
});

const t = (name) => `\`${stack.db}\`.wp_volixta_${name}`;
const one = (statement) => sql(statement)[0]?.[0];
const rest = (method, route, data) => wpRestAs(manager.context, site, method, `volixta/v1/${route}`, data);

async function created(route, data) {
  const res = await rest('POST', route, data);
  assert.equal(res.status, 201, `${route}: ${JSON.stringify(res.body)}`);
  return res.body.id;
}

/** axe-core on the booking form: no serious or critical violation. */
async function axeForm(page, label) {
  await page.addScriptTag({ path: path.join(ROOT, 'tests/e2e/node_modules/axe-core/axe.min.js') });
  const result = await page.evaluate((form) => window.axe.run({ include: [[form]] }, { resultTypes: ['violations'] }), FORM);
  const bad = result.violations.filter((v) => ['serious', 'critical'].includes(v.impact));
  assert.deepEqual(bad.map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(' ')).join('; ')})`), [], `axe on ${label}`);
}

/** The portal, once it shows times on the browser's clock. */
async function openPortal(page, query = '') {
  await page.goto(site.account_url + query, { waitUntil: 'load' });
  await page.waitForFunction((zone) => document.querySelector('#volixta-portal-tz')?.value === zone
    && !document.querySelector('#volixta-portal-tz')?.hasAttribute('data-volixta-prefer-browser-zone'), ZONE);
  await page.waitForLoadState('networkidle');
}

test('a manager gives Ada two identical packs and a kit, and books once with a session', async () => {
  const client = Number(stack.data.client_id);
  const [[service, location, staff]] = sql(`SELECT service_id, location_id, staff_id FROM ${t('bookings')} WHERE client_id = ${client} LIMIT 1`);
  const services = sql(`SELECT id FROM ${t('services')}`).map(([id]) => Number(id));
  pack = await created('packages', { name: 'Therapy Starter Pack', description: 'Three calm sessions.', sessions: 3, price: '120.00', service_ids: services });
  kit = await created('packages', { name: 'Massage Wellness Kit', sessions: 2, price: '80.00', validity_days: 60, service_ids: [Number(service)], location_ids: [Number(location)] });
  first = await created(`clients/${client}/packages`, { package_id: pack });
  await created(`clients/${client}/packages`, { package_id: pack });
  await created(`clients/${client}/packages`, { package_id: kit });
  const booked = await rest('POST', 'bookings', {
    client_id: client, service_id: Number(service), location_id: Number(location), staff_id: Number(staff),
    start: utcDaysFromNow(6, 11), payment: { client_package_id: first },
  });
  assert.equal(booked.status, 201, JSON.stringify(booked.body));
  assert.equal(booked.body.payment_status, 'paid');
});

test('Ada sees the packs grouped and opens the popup by keyboard, on her clock', async () => {
  const { page } = ada;
  await openPortal(page);
  const section = page.locator('#volixta-portal-packages');
  const cards = section.locator('.volixta-package-card');
  assert.equal(await cards.count(), 2);
  const packCard = cards.filter({ hasText: 'Therapy Starter Pack' });
  const text = (await packCard.innerText()).replace(/\s+/g, ' ');
  assert.match(text, /Therapy Starter Pack ×2/);
  assert.match(text, new RegExp(`Package IDs: #${first}, #\\d+`));
  assert.match(text, /5 sessions left of 6/);
  assert.match(text, /Never expires/);
  assert.match(text, /Active/);
  assert.match((await cards.filter({ hasText: 'Massage Wellness Kit' }).innerText()).replace(/\s+/g, ' '), /2 sessions left of 2 .*Expires/);
  await axe(page, 'the portal with packages');
  await section.screenshot({ path: path.join(OUT, 'portal-packages-1280.png') });

  const open = packCard.getByRole('button', { name: /Details/ });
  await open.focus();
  await page.keyboard.press('Enter');
  const dialog = page.locator(`#volixta-package-${first}`);
  await dialog.waitFor({ state: 'visible' });
  assert.ok(await dialog.evaluate((d) => d.open && d.matches(':modal')), 'the popup is not a modal dialog');
  const details = (await dialog.innerText()).replace(/\s+/g, ' ');
  assert.match(details, /Sessions included 3 per package, 6 in all/);
  assert.match(details, /Three calm sessions\./);
  assert.match(details, /Locations Every location/);
  assert.match(details, /Haircut & style with Grace Hopper/);
  assert.match(details, /session 1 of 3/);
  const [[iso]] = sql(`SELECT DATE_FORMAT(b.start_at, '%Y-%m-%dT%H:%i:%sZ') FROM ${t('bookings')} b JOIN ${t('package_uses')} u ON u.booking_id = b.id WHERE u.client_package_id = ${first}`);
  const tokyo = new Date(iso).toLocaleTimeString('en-US', { timeZone: ZONE, hour: 'numeric', minute: '2-digit' });
  assert.ok(details.includes(tokyo), `the use is not on Tokyo's clock (${tokyo}): ${details}`);
  await axe(page, 'the package popup');
  await shoot(page, 'portal-packages-dialog-1280');
  await page.keyboard.press('Escape');
  await dialog.waitFor({ state: 'hidden' });
  assert.ok(await open.evaluate((b) => b === document.activeElement), 'focus did not come back to the Details button');

  // A phone: the cards and the popup fit 390 px.
  await page.setViewportSize({ width: 390, height: 844 });
  await openPortal(page);
  await fits(page, 'the portal with packages at 390 px');
  await page.locator('#volixta-portal-packages').screenshot({ path: path.join(OUT, 'portal-packages-390.png') });
  await page.locator('#volixta-portal-packages .volixta-package-card', { hasText: 'Therapy Starter Pack' }).getByRole('button', { name: /Details/ }).click();
  await page.locator(`#volixta-package-${first}`).waitFor({ state: 'visible' });
  await fits(page, 'the package popup at 390 px');
  await axe(page, 'the package popup at 390 px');
  await page.screenshot({ path: path.join(OUT, 'portal-packages-dialog-390.png') });
  await page.keyboard.press('Escape');
  await page.setViewportSize({ width: 1280, height: 900 });
});

test('Ada books on the booking form paying with a session of her pack', async () => {
  const { page } = ada;
  const usedBefore = Number(one(`SELECT SUM(sessions_used) FROM ${t('client_packages')} WHERE package_id = ${pack}`));
  /** Waits until the form was swapped in after `action`, and answered 200. */
  const step = (action) => swapped(page, action, '/wp-json/volixta/v1/render/booking-form');
  for (const width of [390, 1280]) {
    await page.setViewportSize({ width, height: 900 });
    let chosen = false;
    if (width === 390) {
      await page.goto(site.booking_url);
    } else {
      // From the portal: the pack's popup leads to the booking form with a session of it chosen.
      await openPortal(page);
      await page.locator('#volixta-portal-packages .volixta-package-card', { hasText: 'Therapy Starter Pack' }).getByRole('button', { name: /Details/ }).click();
      const book = page.locator(`#volixta-package-${first}`).getByRole('link', { name: 'Book with this package' });
      await Promise.all([page.waitForURL(new RegExp(`[?&]package=${first}(&|$)`)), book.click()]);
      assert.ok(page.url().startsWith(site.booking_url), `the link leads to the booking form: ${page.url()}`);
      chosen = true;
    }
    await page.locator(FORM).waitFor();
    await step(() => page.selectOption('#volixta-bf-service', { index: 1 }));
    if (await page.locator('#volixta-bf-location').count() && !(await page.locator('#volixta-bf-staff').count())) {
      await step(() => page.selectOption('#volixta-bf-location', { index: 1 }));
    }
    await step(() => page.selectOption('#volixta-bf-staff', 'any'));
    await step(() => page.locator('#volixta-bf-continue').click());
    if (await page.locator('input[name^="addon_"]').count()) {
      await step(() => page.getByRole('button', { name: 'Continue' }).click());
    }
    await page.locator('button.volixta-pday').last().click();
    await page.locator('input[name="slot"]').first().waitFor();
    await sleep(300);
    await page.locator('input[name="slot"]').nth(width === 390 ? 0 : 1).check();
    await step(() => page.getByRole('button', { name: 'Continue' }).click());
    const offered = page.locator('#volixta-bf-packages');
    assert.match((await offered.innerText()).replace(/\s+/g, ' '), /Therapy Starter Pack — \d of 3 sessions left/);
    if (chosen) {
      const radio = offered.locator(`input[name="package"][value="${first}"]`);
      assert.ok(await radio.isChecked(), `the package from the portal is chosen: ${await offered.innerHTML()}`);
    } else {
      await step(() => offered.getByLabel(/Therapy Starter Pack/).first().check());
    }
    assert.match(await page.locator('#volixta-bf-package-paid').innerText(), /\d/);
    assert.match(await page.locator('#volixta-bf-due').innerText(), /0\.00/);
    await axeForm(page, `the payment step with a package at ${width} px`);
    await fits(page, `the payment step with a package at ${width} px`);
    await shoot(page, `booking-form-package-${width}`);
    if (width === 390) continue;
    await step(() => page.getByRole('button', { name: 'Continue' }).click());
    assert.match(await page.locator(FORM).innerText(), /Booking as Ada Lovelace/);
    await step(() => page.getByRole('button', { name: 'Book now' }).click());
    const done = await page.locator(FORM).innerText();
    assert.match(done, /Thank you, your booking is made\./, done);
  }
  assert.equal(Number(one(`SELECT SUM(sessions_used) FROM ${t('client_packages')} WHERE package_id = ${pack}`)), usedBefore + 1);
  const [[method, status]] = sql(`SELECT p.method, b.payment_status FROM ${t('bookings')} b JOIN ${t('booking_payments')} p ON p.booking_id = b.id ORDER BY b.id DESC LIMIT 1`);
  assert.deepEqual([method, status], ['package', 'paid']);
  await openPortal(page);
  assert.match((await page.locator('#volixta-portal-packages').innerText()).replace(/\s+/g, ' '), /4 sessions left of 6/);
});

test('the Assign screen shows a client\'s uploaded photo', async () => {
  const client = Number(stack.data.client_id);
  const uploaded = await rest('PUT', `clients/${client}/avatar`, { image: PNG.toString('base64') });
  assert.equal(uploaded.status, 200, JSON.stringify(uploaded.body));
  const { page } = manager;
  await page.goto(new URL(`wp-admin/admin.php?page=volixta-packages&action=assign&id=${kit}&search=Lovelace`, site.site).href);
  const row = page.locator('#volixta-assign-clients tbody tr', { hasText: 'Ada Lovelace' });
  await row.waitFor();
  await page.waitForFunction(() => document.querySelector('#volixta-assign-clients .volixta-avatar img')?.naturalWidth > 0);
  assert.equal(await row.locator('.volixta-avatar').getAttribute('aria-label'), 'Photo of Ada Lovelace');
  await axe(page, 'the Assign screen with a photo');
  await shoot(page, 'admin-packages-assign-photo-1280');
});
