// End to end: the public booking form [volixta_booking_form] on its own page of a real WordPress,
// with the plugin, the service, maildev and Chromium. A visitor books through every step at 390
// and at 1280 px and gets a client profile and a WordPress account; the welcome e-mail arrives,
// its link sets a password, and the new client logs in and finds the booking in the portal. A
// second visitor with a known e-mail is asked to log in and nothing is created for them; a script
// posting straight to the REST route gets 4xx and creates nothing.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { OUT, ROOT, startSite, stopSite, launchChromium, shoot, fits, sql, sleep } from './harness.mjs';

let stack;
let site;
let browser;
const FORM = '#volixta-booking-form';

/** A table of this run's database. */
const t = (name) => `\`${stack.db}\`.wp_${name}`;
const counts = () => sql(`SELECT (SELECT COUNT(*) FROM ${t('users')}), (SELECT COUNT(*) FROM ${t('volixta_clients')}), (SELECT COUNT(*) FROM ${t('volixta_bookings')})`)[0].join(',');

before(async () => {
  stack = await startSite('booking-form');
  ({ site } = stack);
  browser = await launchChromium();
}, { timeout: 240_000 });

after(async () => {
  await browser?.close().catch(() => {});
  await stopSite(stack);
});

/** A fresh visitor (no cookie) at `width`, whose browser lives in `zone`. */
async function visitor(width, zone = 'America/New_York') {
  const context = await browser.newContext({ viewport: { width, height: 900 }, timezoneId: zone });
  context.setDefaultTimeout(20_000);
  const page = await context.newPage();
  return { context, page };
}

/** axe-core on the booking form and its login box: no serious or critical violation. */
async function axe(page, label) {
  await page.addScriptTag({ path: path.join(ROOT, 'tests/e2e/node_modules/axe-core/axe.min.js') });
  const result = await page.evaluate(() => window.axe.run({ include: [['#volixta-booking-form'], ['#volixta-booking-login']] }, { resultTypes: ['violations'] }));
  const bad = result.violations.filter((v) => ['serious', 'critical'].includes(v.impact));
  assert.deepEqual(bad.map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(' ')).join('; ')})`), [], `axe on ${label}`);
}

/** Waits until the form was swapped in after `action`, and answered 200. */
async function step(page, action) {
  await page.evaluate(() => {
    window.volixtaSettled = false;
    document.addEventListener('htmx:afterSettle', () => { window.volixtaSettled = true; }, { once: true });
  });
  const response = page.waitForResponse((r) => r.url().includes('/wp-json/volixta/v1/render/booking-form'));
  await action();
  const res = await response;
  assert.equal(res.status(), 200, `the form answered ${res.status()}: ${await res.text().catch(() => '')}`);
  await page.waitForFunction(() => window.volixtaSettled === true);
}

async function look(page, name, width) {
  await axe(page, `${name} at ${width}`);
  if (width < 600) await fits(page, `${name} at ${width}`);
  await shoot(page, `booking-form-${name}-${width}`);
}

/** The mails to `address` once at least `atLeast` of them arrived (or after 20 s). */
async function mailsTo(address, atLeast = 1) {
  let mine = [];
  for (let i = 0; i < 40; i++) {
    const mails = await (await fetch(stack.mailApi)).json();
    mine = mails.filter((m) => m.to?.some((t) => t.address.toLowerCase() === address.toLowerCase()));
    if (mine.length >= atLeast) return mine;
    await sleep(500);
  }
  return mine;
}

/** Walks a new visitor through the steps up to their details; returns the page there. */
async function toTheDetails(width) {
  const { context, page } = await visitor(width);
  await page.goto(site.booking_url);
  const form = page.locator(FORM);
  await form.waitFor({ state: 'visible' });
  assert.match(await form.innerText(), /Book an appointment/);
  await look(page, 'service', width);

  // Step 1, by keyboard: the service, then "any available" staff member.
  await page.focus('#volixta-bf-service');
  await step(page, () => page.keyboard.press('ArrowDown'));
  if (await page.locator('#volixta-bf-location').count() && !(await page.locator('#volixta-bf-staff').count())) {
    await step(page, () => page.selectOption('#volixta-bf-location', { index: 1 }));
  }
  await step(page, () => page.selectOption('#volixta-bf-staff', 'any'));
  await page.focus('#volixta-bf-continue');
  await step(page, () => page.keyboard.press('Enter'));

  // Step 2 (the demo service has extras): one of the first.
  if (await page.locator('input[name^="addon_"]').count()) {
    await look(page, 'extras', width);
    await page.locator('input[name^="addon_"]').first().fill('1');
    await step(page, () => page.getByRole('button', { name: 'Continue' }).click());
  }

  // Step 3: the picker shows the visitor's own zone once the browser named it.
  await page.waitForFunction(() => document.querySelector('#volixta-picker-timezone')?.value === 'America/New_York');
  await page.locator('button.volixta-pday').first().waitFor();
  await page.locator('button.volixta-pday').first().click();
  await page.locator('input[name="slot"]').first().waitFor();
  await sleep(300);
  await page.locator('input[name="slot"]').first().check();
  await look(page, 'time', width);
  await step(page, () => page.getByRole('button', { name: 'Continue' }).click());

  // Step 4: payment, pay on site.
  assert.match(await form.innerText(), /On site, at the appointment/);
  assert.match(await form.innerText(), /America\/New_York/);
  await look(page, 'payment', width);
  await step(page, () => page.getByRole('button', { name: 'Continue' }).click());
  return { context, page, form };
}

/** Books as a new visitor through every step; returns the page on the last one. */
async function bookThroughTheSteps(width, email) {
  const { context, page, form } = await toTheDetails(width);

  // Step 5: details. The missing fields are named first, and nothing is booked.
  await step(page, () => page.getByRole('button', { name: 'Book now' }).click());
  assert.match(await form.innerText(), /Enter your first name\./);
  assert.equal(await page.locator('#volixta-bf-email').getAttribute('aria-invalid'), 'true');
  assert.equal(await page.locator('#volixta-bf-email').getAttribute('aria-describedby'), 'volixta-bf-email-error');
  await look(page, 'details-errors', width);
  await page.fill('#volixta-bf-first_name', 'Katherine');
  await page.fill('#volixta-bf-last_name', 'Johnson');
  await page.fill('#volixta-bf-email', email);
  await page.fill('#volixta-bf-phone', '+44 20 7946 0000');
  await page.fill('#volixta-bf-notes', 'Please use the side door.');
  await look(page, 'details', width);
  await step(page, () => page.getByRole('button', { name: 'Book now' }).click());
  const done = await form.innerText();
  assert.match(done, /Thank you, your booking is made\./, done);
  assert.match(done, new RegExp(email.replace('.', '\\.')));
  // The site's portal page is one click away.
  const portalLink = page.getByRole('link', { name: 'See my bookings' });
  assert.equal(await portalLink.getAttribute('href'), site.account_url);
  await look(page, 'done', width);
  return { context, page };
}

for (const [width, email] of [[390, 'katherine.phone@example.com'], [1280, 'katherine.desk@example.com']]) {
  test(`a visitor books through every step at ${width} px, gets an account and finds the booking in the portal`, async () => {
    const { context, page } = await bookThroughTheSteps(width, email);
    try {
      const [client] = sql(`SELECT id, wp_user_id FROM ${t('volixta_clients')} WHERE email = '${email}'`);
      assert.ok(client, 'no client was created');
      const [user] = sql(`SELECT u.ID, m.meta_value FROM ${t('users')} u JOIN ${t('usermeta')} m ON m.user_id = u.ID AND m.meta_key = '_volixta_client_id' WHERE u.user_email = '${email}'`);
      assert.equal(String(user?.[0]), String(client[1]), 'the WordPress account is the client\'s');
      assert.equal(String(user?.[1]), String(client[0]), 'the account is linked to the client');
      const [[role]] = sql(`SELECT meta_value FROM ${t('usermeta')} WHERE user_id = ${user[0]} AND meta_key = 'wp_capabilities'`);
      assert.match(role, /subscriber/);

      // The welcome e-mail lets them set a password.
      // Beside it, the service's booking confirmation (with its calendar entry), once.
      const mails = await mailsTo(email, 2);
      const subjects = mails.map((m) => m.subject).join(', ');
      const confirmations = mails.filter((m) => /^Booking (confirmed|request received)/.test(m.subject));
      const welcomes = mails.filter((m) => !confirmations.includes(m));
      assert.equal(confirmations.length, 1, `booking e-mails to ${email}: ${subjects}`);
      assert.ok((confirmations[0].attachments ?? []).some((a) => /calendar/.test(a.contentType)),
        `no .ics on the confirmation: ${JSON.stringify(confirmations[0].attachments)}`);
      assert.equal(welcomes.length, 1, `welcome e-mails to ${email}: ${subjects}`);
      const link = (welcomes[0].text ?? '').match(/https?:\/\/\S*action=rp\S*/)?.[0];
      assert.ok(link, `no set-password link in: ${welcomes[0].text}`);
      await page.goto(link.replace(/[>.]+$/, ''));
      await page.locator('#pass1').waitFor();
      await page.fill('#pass1', 'Correct-Horse-42');
      await page.locator('#pass1').dispatchEvent('input');
      const weak = page.locator('.pw-checkbox, input[name="pw_weak"]');
      if (await weak.count() && await weak.first().isVisible()) await weak.first().check();
      await page.locator('#wp-submit').click();
      await page.getByText(/Your password has been reset/).waitFor();

      // Logged in, the booking is in the portal.
      await page.goto(site.login_url);
      await page.fill('#user_login', email);
      await page.fill('#user_pass', 'Correct-Horse-42');
      await Promise.all([page.waitForURL((url) => !url.pathname.endsWith('/wp-login.php')), page.click('#wp-submit')]);
      await page.goto(site.account_url);
      const portal = page.locator('[data-volixta-fragment="customer_profile"]');
      await portal.waitFor({ state: 'visible' });
      const text = await portal.innerText();
      assert.match(text, /Katherine/, text);
      assert.match(text, /Haircut & style/, text);
      await shoot(page, `booking-form-portal-${width}`);
    } finally {
      await context.close();
    }
  });
}

test('a second visitor with a known e-mail is asked to log in, and nothing is created for them', async () => {
  const { context, page } = await visitor(390);
  try {
    const before = counts();
    await page.goto(site.booking_url);
    await page.locator(FORM).waitFor();
    await step(page, () => page.selectOption('#volixta-bf-service', { index: 1 }));
    if (await page.locator('#volixta-bf-location').count() && !(await page.locator('#volixta-bf-staff').count())) {
      await step(page, () => page.selectOption('#volixta-bf-location', { index: 1 }));
    }
    await step(page, () => page.selectOption('#volixta-bf-staff', 'any'));
    await step(page, () => page.locator('#volixta-bf-continue').click());
    if (await page.locator('input[name^="addon_"]').count()) {
      await step(page, () => page.getByRole('button', { name: 'Continue' }).click());
    }
    await page.locator('button.volixta-pday').first().click();
    await page.locator('input[name="slot"]').first().waitFor();
    await sleep(300);
    await page.locator('input[name="slot"]').first().check();
    await step(page, () => page.getByRole('button', { name: 'Continue' }).click());
    await step(page, () => page.getByRole('button', { name: 'Continue' }).click());
    await page.fill('#volixta-bf-first_name', 'Not');
    await page.fill('#volixta-bf-last_name', 'Ada');
    await page.fill('#volixta-bf-email', 'ADA@example.com');
    await step(page, () => page.getByRole('button', { name: 'Book now' }).click());
    const text = await page.locator(FORM).innerText();
    assert.match(text, /already has an account with us\. Please log in/, text);
    assert.doesNotMatch(text, /Lovelace|50\.00/, 'nothing about the account shows');
    assert.equal(await page.locator('#volixta-bf-email').inputValue(), 'ADA@example.com', 'the typed details stay');
    await page.getByRole('link', { name: 'Log in' }).first().click();
    assert.ok(await page.locator('#volixta-booking-login #volixta-booking-user').isVisible(), 'the login form is there');
    await look(page, 'log-in', 390);
    const after = counts();
    assert.equal(after, before, 'users, clients, bookings');
  } finally {
    await context.close();
  }
});

test('a logged-in client books for herself and pays with her credits', async () => {
  const { context, page } = await visitor(390, 'Europe/Paris');
  try {
    await page.goto(site.login_url);
    await page.fill('#user_login', 'client');
    await page.fill('#user_pass', 'client');
    await Promise.all([page.waitForURL((url) => !url.pathname.endsWith('/wp-login.php')), page.click('#wp-submit')]);
    await page.goto(site.booking_url);
    await page.locator(FORM).waitFor();
    assert.equal(await page.locator('#volixta-booking-login').count(), 0, 'no login box for a client');
    await step(page, () => page.selectOption('#volixta-bf-service', { index: 1 }));
    if (await page.locator('#volixta-bf-location').count() && !(await page.locator('#volixta-bf-staff').count())) {
      await step(page, () => page.selectOption('#volixta-bf-location', { index: 1 }));
    }
    await step(page, () => page.selectOption('#volixta-bf-staff', 'any'));
    await step(page, () => page.locator('#volixta-bf-continue').click());
    if (await page.locator('input[name^="addon_"]').count()) {
      await step(page, () => page.getByRole('button', { name: 'Continue' }).click());
    }
    await page.locator('button.volixta-pday').last().click();
    await page.locator('input[name="slot"]').first().waitFor();
    await sleep(300);
    await page.locator('input[name="slot"]').last().check();
    await step(page, () => page.getByRole('button', { name: 'Continue' }).click());
    await step(page, () => page.getByLabel(/Pay with my credits/).check());
    assert.match(await page.locator('#volixta-bf-credits').innerText(), /\d/);
    await look(page, 'credits', 390);
    await step(page, () => page.getByRole('button', { name: 'Continue' }).click());
    assert.match(await page.locator(FORM).innerText(), /Booking as Ada Lovelace/);
    await step(page, () => page.getByRole('button', { name: 'Book now' }).click());
    const done = await page.locator(FORM).innerText();
    assert.match(done, /Thank you, your booking is made\./, done);
    assert.doesNotMatch(done, /set your password/);
    const [[used]] = sql(`SELECT COUNT(*) FROM ${t('volixta_wallet_ledger')} WHERE kind = 'booking_payment' AND client_id = (SELECT id FROM ${t('volixta_clients')} WHERE email = 'ada@example.com')`);
    assert.ok(Number(used) >= 1, 'the credits paid the booking');
  } finally {
    await context.close();
  }
});

test('a script posting straight to the REST route gets 4xx and creates nothing', async () => {
  const { context, page } = await visitor(1280);
  try {
    const before = counts();
    await page.goto(site.booking_url);
    await page.locator(FORM).waitFor();
    const url = new URL('wp-json/volixta/v1/render/booking-form/book', site.site).href;
    const body = { first_name: 'Bot', last_name: 'Bot', email: 'bot@example.com', website: '', wp_user_id: 1 };
    // Without WordPress's nonce: refused before anything runs.
    const bare = await context.request.post(url, { data: body });
    assert.equal(bare.status(), 403, await bare.text());
    // With the page's nonce but the honeypot filled in.
    const nonce = await page.evaluate(() => window.volixtaConfig.nonce);
    const trap = await context.request.post(url, { data: { ...body, website: 'http://spam.example' }, headers: { 'X-WP-Nonce': nonce } });
    assert.equal(trap.status(), 422, await trap.text());
    // Anything else a visitor might try to post to is closed.
    const other = await context.request.post(new URL('wp-json/volixta/v1/bookings', site.site).href, { data: {}, headers: { 'X-WP-Nonce': nonce } });
    assert.ok([401, 403].includes(other.status()), `bookings answered ${other.status()}`);
    const after = counts();
    assert.equal(after, before, 'users, clients, bookings');
  } finally {
    await context.close();
  }
});

test('screenshots were written', () => {
  for (const name of ['service', 'time', 'payment', 'details', 'done']) {
    for (const width of [390, 1280]) {
      assert.ok(fs.existsSync(path.join(OUT, `booking-form-${name}-${width}.png`)), `${name} ${width}`);
    }
  }
});

test('without script, "Book now" is a plain form post that books once, even when the browser resends it', async () => {
  // The last step's address, as a visitor reaches it; then the same page in a browser without script.
  const email = 'grace.noscript@example.com';
  const scripted = await toTheDetails(390);
  const action = await scripted.page.locator('form[data-volixta-book-form]').getAttribute('action');
  await scripted.context.close();
  assert.match(action ?? '', /^\?.*slot=/, `the form posts to the page with its choices: ${action}`);
  const context = await browser.newContext({ viewport: { width: 390, height: 900 }, javaScriptEnabled: false });
  context.setDefaultTimeout(20_000);
  const page = await context.newPage();
  try {
    await page.goto(new URL(action, site.booking_url).toString());
    await page.fill('#volixta-bf-first_name', 'Grace');
    await page.fill('#volixta-bf-last_name', 'Plain');
    await page.fill('#volixta-bf-email', email);
    const before = counts();
    await Promise.all([page.waitForNavigation(), page.getByRole('button', { name: 'Book now' }).click()]);
    const done = await page.locator(FORM).innerText();
    assert.match(done, /Thank you, your booking is made\./, done);
    assert.match(done, new RegExp(email.replace('.', '\\.')));
    await shoot(page, 'booking-form-noscript-done-390');
    const [[clients, bookings]] = sql(`SELECT (SELECT COUNT(*) FROM ${t('volixta_clients')} WHERE email = '${email}'), (SELECT COUNT(*) FROM ${t('volixta_bookings')} b JOIN ${t('volixta_clients')} c ON c.id = b.client_id WHERE c.email = '${email}')`);
    assert.deepEqual([Number(clients), Number(bookings)], [1, 1], `after the post (before: ${before})`);

    // A reload resends the same post (same key): the same page, nothing more booked or made.
    await page.reload();
    assert.match(await page.locator(FORM).innerText(), /Thank you, your booking is made\./);
    const [[again]] = sql(`SELECT COUNT(*) FROM ${t('volixta_bookings')} b JOIN ${t('volixta_clients')} c ON c.id = b.client_id WHERE c.email = '${email}'`);
    assert.equal(Number(again), 1);
    const mails = await mailsTo(email, 2);
    const subjects = mails.map((m) => m.subject).join(', ');
    const confirmations = mails.filter((m) => /^Booking (confirmed|request received)/.test(m.subject));
    assert.equal(confirmations.length, 1, `one booking e-mail: ${subjects}`);
    assert.equal(mails.length - confirmations.length, 1, `one welcome e-mail: ${subjects}`);
  } finally {
    await context.close();
  }
});
