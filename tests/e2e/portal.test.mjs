// End to end: volixta-service + WordPress (Debian's, under php -S) with the plugin active +
// maildev + headless Chromium. The demo client Ada (whose business is in London) logs in from a
// browser in Tokyo: the portal switches to her browser's clock and remembers it; she sees her
// booking as a card and in the calendar, filters her history, opens the booking's four tabs,
// reschedules to a slot the picker offers on her clock, cancels a paid booking and sees the
// refund in her wallet, redeems a gift code, edits her profile and photo — at 1280 and 390 px,
// with axe-core, partly by keyboard. A forged booking id through the proxy is not found. Every
// process started here is stopped in after(), whatever happened.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { chromium } from 'playwright-core';
import { OUT, CHROMIUM, startSite, stopSite, tempDir, logIn, sql, axe, shoot as fullShot, fits, wpRestAs, launchChromium } from './harness.mjs';

const PORTAL = 'section.volixta-portal[data-volixta-fragment="customer_profile"]';
const ZONE = 'Asia/Tokyo';
// A 1×1 PNG, as a file the client picks.
const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==', 'base64');

let stack; // what startSite() started
let site; // the JSON printed by scripts/wp-install.php
let context; // the client's Chromium profile, in Tokyo
let profileDir;
let mailApi; // maildev's REST API of this run
let browser; // a second browser for the manager
let manager; // the manager's context

before(async () => {
  stack = await startSite('portal');
  ({ site, mailApi } = stack);
  profileDir = tempDir('volixta-e2e-chromium-');
  context = await chromium.launchPersistentContext(profileDir, { ...CHROMIUM, viewport: { width: 1280, height: 900 }, timezoneId: ZONE });
  context.setDefaultTimeout(20_000);
  browser = await launchChromium();
  manager = await browser.newContext();
  const page = await manager.newPage();
  await logIn(page, site, 'manager', 'manager');
  await page.close();
}, { timeout: 240_000 });

after(async () => {
  await context?.close().catch(() => {});
  await browser?.close().catch(() => {});
  await stopSite(stack);
  if (profileDir) fs.rmSync(profileDir, { recursive: true, force: true });
});

/** Runs fn with a fresh tab; on failure keeps a screenshot of what the tab showed. */
async function withPage(name, fn) {
  const page = await context.newPage();
  try {
    await fn(page);
  } catch (err) {
    await page.screenshot({ path: path.join(OUT, `failure-${name}.png`), fullPage: true }).catch(() => {});
    throw err;
  } finally {
    await page.close();
  }
}

const table = (name) => `\`${stack.db}\`.wp_volixta_${name}`;

/** A booking's start, as Tokyo's wall clock prints it in the portal (12-hour, en_US). */
function tokyoTime(bookingId) {
  const [[iso]] = sql(`SELECT DATE_FORMAT(start_at, '%Y-%m-%dT%H:%i:%sZ') FROM ${table('bookings')} WHERE id = ${bookingId}`);
  return new Date(iso).toLocaleTimeString('en-US', { timeZone: ZONE, hour: 'numeric', minute: '2-digit' });
}

/** A full-page screenshot from the top, so WordPress's fixed toolbar stays where it belongs. */
async function shoot(page, name) {
  await page.evaluate(() => window.scrollTo(0, 0));
  await fullShot(page, name);
}

/** Runs an action that swaps the portal, and waits until it settled. */
async function swapped(page, action) {
  await page.evaluate(() => {
    window.volixtaSettled = false;
    document.addEventListener('htmx:afterSettle', () => { window.volixtaSettled = true; }, { once: true });
  });
  const response = page.waitForResponse((r) => r.url().includes('/volixta/v1/render/'));
  await action();
  const res = await response;
  assert.equal(res.status(), 200, `the portal answered ${res.status()}`);
  await page.waitForFunction(() => window.volixtaSettled === true);
}

/** The portal, once it shows times on the browser's clock. */
async function openPortal(page, query = '') {
  await page.goto(site.account_url + query, { waitUntil: 'load' });
  await page.waitForFunction((zone) => document.querySelector('#volixta-portal-tz')?.value === zone
    && !document.querySelector('#volixta-portal-tz')?.hasAttribute('data-volixta-prefer-browser-zone'), ZONE);
  await page.waitForLoadState('networkidle');
  return page.locator(PORTAL);
}

test('WordPress sends its own mail to the mail catcher', async () => {
  const mails = await (await fetch(mailApi)).json();
  const subjects = mails.map((m) => `${m.subject} → ${m.to?.map((t) => t.address).join(', ')}`);
  assert.ok(subjects.some((s) => s.includes('New WordPress Site') && s.includes('admin@example.com')),
    `no "New WordPress Site" mail to admin@example.com in maildev: ${JSON.stringify(subjects)}`);
});

test('a logged-out visitor of My account gets the login form', async () => {
  await withPage('logged-out', async (page) => {
    await page.goto(site.account_url);
    await page.locator('input[name="log"]').first().waitFor({ state: 'visible' });
    assert.ok(await page.locator('input[name="pwd"]').first().isVisible(), 'no password field');
    assert.equal(await page.getByText('Ada Lovelace').count(), 0, 'a visitor must not see the client');
  });
});

test('Ada sees her booking as a card and in the calendar, on her browser\'s clock, remembered', async () => {
  await withPage('portal', async (page) => {
    await logIn(page, site, 'client', 'client');
    assert.equal(new URL(page.url()).pathname, new URL(site.account_url).pathname, 'after login a client lands on the portal page');
    const assets = [];
    page.on('response', (r) => { if (r.url().includes('/wp-content/plugins/volixta/')) assets.push(`${r.status()} ${r.url()}`); });
    const portal = await openPortal(page);
    assert.ok(assets.every((a) => a.startsWith('200 ')), `plugin assets failed: ${assets.join(', ')}`);
    const text = await portal.innerText();
    assert.match(text, /Ada Lovelace/);
    assert.match(text, /50\.00/, `no 50.00 balance:\n${text}`);

    const [[id]] = sql(`SELECT id FROM ${table('bookings')} WHERE client_id = ${stack.data.client_id} AND status = 'confirmed' ORDER BY start_at LIMIT 1`);
    const card = portal.locator(`#volixta-portal-upcoming .volixta-booking[data-booking-id="${id}"]`);
    await card.waitFor();
    const cardText = await card.innerText();
    assert.match(cardText, /Haircut & style/);
    assert.match(cardText, /with Grace Hopper/);
    assert.ok(cardText.includes(`${tokyoTime(id)} –`), `the card is not on Tokyo's clock (${tokyoTime(id)}):\n${cardText}`);
    const day = portal.locator('#volixta-portal-calendar .vx-day', { hasText: 'Haircut & style' });
    assert.ok((await day.innerText()).includes(tokyoTime(id)), 'the calendar is not on Tokyo\'s clock');

    // Remembered: the page comes back on Tokyo's clock from WordPress itself.
    const html = await (await context.request.get(site.account_url)).text();
    assert.match(html, /<option value="Asia(\/|&#x2f;|&#47;)Tokyo" selected/, 'the remembered zone is not used when the page is rendered');

    // No raw CSS or template text survives the plugin's filter.
    const css = text.match(/[^\n]*\{[^{}\n]*:[^{}\n]*\}/);
    assert.ok(!css, `CSS shows as text in the portal: ${css?.[0].slice(0, 160)}`);
    assert.ok(!/\{\{|\{%/.test(text), 'unrendered template syntax in the portal');
    await axe(page, 'the portal');
    await shoot(page, 'portal-1280');
  });
});

test('the history filters by status and payment, and pages', async () => {
  await withPage('portal-history', async (page) => {
    const portal = await openPortal(page);
    const history = portal.locator('#volixta-portal-history');
    await history.locator('#volixta-history-status').selectOption('cancelled');
    await swapped(page, () => history.getByRole('button', { name: 'Filter' }).click());
    await page.locator('#volixta-portal-history').getByText('No booking matches these filters.').waitFor();
    assert.match(page.url(), /my-account/);
    await page.locator('#volixta-history-status').selectOption('confirmed');
    await page.locator('#volixta-history-payment').selectOption('unpaid');
    await swapped(page, () => page.locator('#volixta-portal-history').getByRole('button', { name: 'Filter' }).click());
    const rows = page.locator('#volixta-history-list .volixta-booking');
    assert.ok(await rows.count() >= 1, 'the confirmed unpaid booking is not listed');
    assert.match(await rows.first().innerText(), /Haircut & style/);
    // A date typed by hand that means nothing: said beside the field.
    await page.goto(`${site.account_url}?tz=${encodeURIComponent(ZONE)}&from=31%2F01%2F2026`);
    await page.locator('#volixta-history-from-error').waitFor();
    await axe(page, 'the history with an error');
  });
});

test('a booking opens in four tabs, by keyboard, on Tokyo\'s clock', async () => {
  await withPage('portal-sheet', async (page) => {
    const portal = await openPortal(page);
    const link = portal.locator('#volixta-portal-upcoming .volixta-booking h3 a').first();
    await link.focus();
    await swapped(page, () => page.keyboard.press('Enter'));
    const sheet = page.locator('#volixta-portal-booking');
    await sheet.waitFor();
    assert.match(await sheet.innerText(), /Asia\/Tokyo/);
    for (const [tab, marker] of [['Customer information', 'Ada Lovelace'], ['Payment', 'Download PDF'], ['Reschedule or cancel', 'Cancel my booking'], ['Booking details', 'Grace Hopper']]) {
      const tabLink = page.locator('#volixta-portal-booking .vx-tabs a', { hasText: tab });
      await tabLink.focus();
      await swapped(page, () => page.keyboard.press('Enter'));
      await page.locator('#volixta-portal-tab').getByText(marker, { exact: false }).first().waitFor();
      assert.equal(await page.locator('#volixta-portal-booking .vx-tabs a[aria-current="page"]').innerText(), tab);
      await shoot(page, `portal-booking-${tab.split(' ')[0].toLowerCase()}-1280`);
    }
    await axe(page, 'the booking sheet');
  });
});

test('a booking\'s options open in a popup, by keyboard', async () => {
  const [[service, location, staff]] = sql(`SELECT service_id, location_id, staff_id FROM ${table('bookings')} WHERE client_id = ${stack.data.client_id} LIMIT 1`);
  const patched = await wpRestAs(manager, site, 'PATCH', `volixta/v1/services/${service}`, { addons: [{ name: 'Scalp massage', price: '8.00', max_quantity: 3 }] });
  assert.equal(patched.status, 200, JSON.stringify(patched.body));
  const addon = patched.body.addons.find((a) => a.name === 'Scalp massage').id;
  const start = new Date(Date.now() + 12 * 86_400_000);
  start.setUTCHours(11, 0, 0, 0);
  const made = await wpRestAs(manager, site, 'POST', 'volixta/v1/bookings', {
    client_id: Number(stack.data.client_id), service_id: Number(service), location_id: Number(location), staff_id: Number(staff),
    start: start.toISOString().replace('.000', ''), addons: [{ id: addon, quantity: 2 }],
  });
  assert.equal(made.status, 201, JSON.stringify(made.body));
  await withPage('portal-options', async (page) => {
    await openPortal(page, `?tz=${encodeURIComponent(ZONE)}&booking=${made.body.id}&tab=details`);
    const open = page.locator('#volixta-options-open');
    assert.match(await open.innerText(), /Options \(1\)/);
    await open.focus();
    await page.keyboard.press('Enter');
    const dialog = page.locator('#volixta-portal-options');
    await dialog.waitFor({ state: 'visible' });
    assert.match(await dialog.innerText(), /Scalp massage × 2/);
    await axe(page, 'the options popup');
    await shoot(page, 'portal-booking-options-1280');
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'hidden' });
  });
});

test('Ada reschedules to a slot the picker offers on her clock; the card shows the new local time', async () => {
  await withPage('portal-reschedule', async (page) => {
    const [[id]] = sql(`SELECT id FROM ${table('bookings')} WHERE client_id = ${stack.data.client_id} AND status = 'confirmed' ORDER BY start_at LIMIT 1`);
    await openPortal(page, `?tz=${encodeURIComponent(ZONE)}&booking=${id}&tab=actions`);
    const picker = page.locator('#volixta-slot-picker');
    await picker.waitFor();
    assert.equal(await page.locator('#volixta-picker-timezone').inputValue(), ZONE, 'the picker is not on the client\'s clock');
    // A day well past the change notice: the picker's last free day this month, else next month's first.
    let days = picker.locator('button.volixta-pday');
    if (await days.count() < 3) {
      await swapped(page, () => picker.getByRole('button', { name: 'Next month' }).click());
      days = page.locator('#volixta-slot-picker button.volixta-pday');
    }
    await swapped(page, () => days.last().click());
    const slot = page.locator('#volixta-slot-picker input[name="slot"]').first();
    const value = await slot.getAttribute('value');
    const label = (await page.locator('#volixta-slot-picker .volixta-slot').first().innerText()).trim();
    await slot.check();
    await shoot(page, 'portal-reschedule-1280');
    await swapped(page, () => page.locator('#volixta-reschedule-submit').click());
    await page.locator('#volixta-portal-booking .vx-notice').getByText('Your booking was moved to').waitFor();
    const [[start]] = sql(`SELECT DATE_FORMAT(start_at, '%Y-%m-%dT%H:%i:%sZ') FROM ${table('bookings')} WHERE id = ${id}`);
    assert.equal(start, value.split('_')[0], 'the booking is not at the chosen slot');
    const card = page.locator(`#volixta-portal-upcoming .volixta-booking[data-booking-id="${id}"]`);
    assert.ok((await card.innerText()).includes(`${tokyoTime(id)} –`), `the card does not show ${tokyoTime(id)}`);
    assert.ok(label.startsWith(tokyoTime(id).replace(/^0/, '')), `the picker offered ${label}, the card shows ${tokyoTime(id)}`);
  });
});

test('Ada cancels a booking paid with credits: the policy is stated and the refund is in her wallet', async () => {
  // A booking paid from her wallet, made by the manager through the proxy.
  const [[service, location, staff]] = sql(`SELECT service_id, location_id, staff_id FROM ${table('bookings')} WHERE client_id = ${stack.data.client_id} LIMIT 1`);
  const start = new Date(Date.now() + 9 * 86_400_000);
  start.setUTCHours(10, 0, 0, 0);
  const made = await wpRestAs(manager, site, 'POST', 'volixta/v1/bookings', {
    client_id: Number(stack.data.client_id), service_id: Number(service), location_id: Number(location), staff_id: Number(staff),
    start: start.toISOString().replace('.000', ''), payment: { use_wallet: '20.00' },
  });
  assert.equal(made.status, 201, JSON.stringify(made.body));
  await withPage('portal-cancel', async (page) => {
    await openPortal(page, `?tz=${encodeURIComponent(ZONE)}&booking=${made.body.id}&tab=actions`);
    assert.match(await page.locator('#volixta-refund-policy').innerText(), /€20\.00\) comes back to your wallet/);
    await swapped(page, () => page.locator('#volixta-cancel-submit').click());
    await page.locator('#volixta-portal-booking .vx-notice').getByText('€20.00 went back to your wallet.').waitFor();
    const wallet = page.locator('#volixta-portal-wallet');
    assert.match(await wallet.innerText(), /Cancellation refund/);
    await shoot(page, 'portal-cancelled-1280');
  });
});

test('Ada redeems a gift code', async () => {
  const made = await wpRestAs(manager, site, 'POST', 'volixta/v1/gift-codes', { value: '12.00' });
  assert.equal(made.status, 201, JSON.stringify(made.body));
  await withPage('portal-gift', async (page) => {
    const portal = await openPortal(page);
    const before = Number(await portal.locator('.volixta-balance').getAttribute('data-amount'));
    await page.fill('#volixta-gift-code', 'WRONG-CODE');
    await swapped(page, () => page.locator('#volixta-portal-wallet').getByRole('button', { name: 'Redeem' }).click());
    await page.locator('#volixta-gift-code-error').waitFor();
    await page.fill('#volixta-gift-code', made.body.code);
    await swapped(page, () => page.keyboard.press('Enter'));
    await page.getByText('The gift code was redeemed').waitFor();
    assert.equal(Number(await page.locator('.volixta-balance').getAttribute('data-amount')), before + 12);
  });
});

test('Ada edits her profile and photo; a bad phone saves nothing', async () => {
  await withPage('portal-profile', async (page) => {
    await openPortal(page);
    const form = page.locator('#volixta-portal-profile');
    await form.locator('#volixta-profile-city').fill('Tokyo');
    await form.locator('#volixta-profile-phone').fill('12');
    await swapped(page, () => form.getByRole('button', { name: 'Save my profile' }).click());
    await page.locator('#volixta-profile-phone-error').waitFor();
    await axe(page, 'the profile with an error');
    const [[city]] = sql(`SELECT city FROM ${table('clients')} WHERE id = ${stack.data.client_id}`);
    assert.notEqual(city, 'Tokyo', 'a refused form saved the city');
    await page.locator('#volixta-profile-phone').fill('+81 3 1234 5678');
    await page.locator('#volixta-profile-photo').setInputFiles({ name: 'me.png', mimeType: 'image/png', buffer: PNG });
    await page.waitForFunction(() => document.querySelector('input[name="avatar_image"]').value.startsWith('data:image/png'));
    await swapped(page, () => page.locator('#volixta-portal-profile').getByRole('button', { name: 'Save my profile' }).click());
    await page.getByText('Your profile was saved.').waitFor();
    const [[savedCity, avatar]] = sql(`SELECT city, avatar FROM ${table('clients')} WHERE id = ${stack.data.client_id}`);
    assert.deepEqual([savedCity, avatar], ['Tokyo', 'upload']);
    await page.waitForFunction(() => document.querySelector('.vx-avatar img')?.naturalWidth > 0);
  });
});

test('a forged booking id through the proxy is not found, and changes nothing', async () => {
  const [[other, status]] = sql(`SELECT id, status FROM ${table('bookings')} WHERE client_id <> ${stack.data.client_id} AND status = 'confirmed' LIMIT 1`);
  const nonce = async (page) => page.evaluate(() => window.volixtaConfig.nonce);
  await withPage('portal-forged', async (page) => {
    await openPortal(page);
    const wpNonce = await nonce(page);
    const base = new URL('wp-json/volixta/v1/', site.site).href;
    const get = await context.request.get(`${base}render/customer_profile?booking=${other}&tab=details`, { headers: { 'X-WP-Nonce': wpNonce } });
    assert.equal(get.status(), 404, await get.text());
    const cancel = await context.request.post(`${base}render/portal/booking/${other}/cancel`, { headers: { 'X-WP-Nonce': wpNonce }, data: {} });
    assert.equal(cancel.status(), 404, await cancel.text());
    const [[after]] = sql(`SELECT status FROM ${table('bookings')} WHERE id = ${other}`);
    assert.equal(after, status);
  });
});

test('the portal on a phone: cards, no sideways scrolling, axe', async () => {
  await withPage('portal-390', async (page) => {
    await page.setViewportSize({ width: 390, height: 844 });
    const [[id]] = sql(`SELECT id FROM ${table('bookings')} WHERE client_id = ${stack.data.client_id} AND status = 'confirmed' ORDER BY start_at LIMIT 1`);
    await openPortal(page);
    await fits(page, 'the portal at 390 px');
    await axe(page, 'the portal at 390 px');
    await shoot(page, 'portal-390');
    await page.locator('#volixta-portal-upcoming').screenshot({ path: path.join(OUT, 'portal-390-upcoming.png') });
    await page.locator('#volixta-portal-history').screenshot({ path: path.join(OUT, 'portal-390-history.png') });
    await openPortal(page, `?tz=${encodeURIComponent(ZONE)}&booking=${id}&tab=actions`);
    await fits(page, 'the booking sheet at 390 px');
    await shoot(page, 'portal-booking-actions-390');
    await page.locator('#volixta-portal-booking').screenshot({ path: path.join(OUT, 'portal-booking-actions-390-sheet.png') });
    await openPortal(page, `?tz=${encodeURIComponent(ZONE)}&booking=${id}&tab=payment`);
    await fits(page, 'the payment tab at 390 px');
    await shoot(page, 'portal-booking-payment-390');
  });
});
