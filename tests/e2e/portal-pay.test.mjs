// End to end: paying through WooCommerce from the client portal, on the real plugin, WordPress,
// service and Chromium, with the WooCommerce simulator of tests/woocommerce-sim/ as the store
// (its order-pay page marks the order paid and delivers signed webhooks to the site's own
// forwarding route, which passes them to the service). The demo client Ada clicks "Pay the
// balance" on a booking card, lands on the store's payment page, pays, comes back to the
// booking's Payment tab, sees the payment pending while the store holds its deliveries, and
// paid once they arrive (repeated: counted once). The same for a wallet top-up (after a bad
// amount refused beside the field; the balance goes up once) and a package bought from the
// Packages section (it appears once). A visitor books on the public booking form, chooses to pay
// the deposit online, is sent to the store's payment page right after "Book and pay", pays, comes
// back to the portal, sets a password from the welcome e-mail and sees the booking partially paid
// by the deposit (counted once). axe-core, 1280 and 390 px screenshots. Every process started
// here is stopped in after().
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { OUT, ROOT, startSite, stopSite, start, freePort, waitHttp, launchChromium, openSession, sql, axe, shoot, fits, wpRestAs, utcDaysFromNow, sleep, logIn } from './harness.mjs';

const CK = 'ck_e2e0a9b8e7f6a5b4c3d2e1f0a9b8c7d6e5f4a3b';
const CS = 'cs_e2e1e2d3c4b5a69788796a5b4c3d2e1f0a9b8c7';
const HOOK_SECRET = 'wcwhE2eSecret7dF3kP9qLx2VnB8s';

let stack;
let site;
let sim; // the store's address
let browser;
let manager;
let ada;
let booking;
let pack;

before(async () => {
  const port = await freePort();
  sim = `http://127.0.0.1:${port}`;
  const store = start('portal-pay-wc-sim', 'node', [path.join(ROOT, 'tests/woocommerce-sim/server.mjs'),
    '--port', String(port), '--consumer-key', CK, '--consumer-secret', CS]);
  await waitHttp(`${sim}/checkout/order-received/1/`, store);
  stack = await startSite('portal-pay', {
    serviceEnv: {
      VOLIXTA_WC_URL: sim,
      VOLIXTA_WC_CONSUMER_KEY: CK,
      VOLIXTA_WC_CONSUMER_SECRET: CS,
      VOLIXTA_WC_WEBHOOK_SECRET: HOOK_SECRET,
      // The webhook is what confirms payments here; the poll would only hide a lost delivery.
      VOLIXTA_WC_POLL_SECONDS: '3600',
    },
  });
  ({ site } = stack);
  // WooCommerce delivers to the site's forwarding route, as the settings tell a manager to.
  const hook = await control('/__sim/webhooks', {
    topic: 'order.updated', secret: HOOK_SECRET,
    delivery_url: new URL('wp-json/volixta/v1/woocommerce/webhook', site.site).href,
  });
  assert.equal(hook.last_ping?.status, 200, `the ping through the site: ${JSON.stringify(hook)}`);
  browser = await launchChromium();
  manager = await openSession(browser, site, 'manager', 'manager');
  ada = await openSession(browser, site, 'client', 'client');
}, { timeout: 240_000 });

after(async () => {
  await browser?.close().catch(() => {});
  await stopSite(stack);
});

const t = (name) => `\`${stack.db}\`.wp_volixta_${name}`;
const one = (statement) => sql(statement)[0]?.[0];
const rest = (method, route, data) => wpRestAs(manager.context, site, method, `volixta/v1/${route}`, data);

async function control(route, body) {
  const res = await fetch(`${sim}${route}`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
  return res.json();
}

/** The portal, with htmx ready; `query` opens a state of it. */
async function openPortal(page, query = '') {
  await page.goto(site.account_url + query, { waitUntil: 'load' });
  await page.waitForSelector('#volixta-portal');
  await page.waitForLoadState('networkidle');
}

/** Reloads the portal until `check` holds (the webhook travels store → site → service). */
async function portalUntil(page, query, check, what) {
  for (let i = 0; i < 40; i += 1) {
    await openPortal(page, query);
    if (await check()) return;
    await sleep(500);
  }
  assert.fail(`the portal never showed ${what}`);
}

/** On the store's order-pay page: pays and follows the store back to the site. */
async function payOnTheStore(page, total) {
  await page.waitForURL((url) => url.href.startsWith(`${sim}/checkout/order-pay/`));
  assert.match(await page.locator('tfoot').innerText(), new RegExp(total.replace('.', '\\.')));
  await Promise.all([
    page.waitForURL((url) => url.href.startsWith(site.account_url)),
    page.click('#place_order'),
  ]);
}

async function shots(page, name, locator) {
  await shoot(page, `${name}-1280`);
  await page.setViewportSize({ width: 390, height: 844 });
  await fits(page, `${name} at 390 px`);
  await axe(page, `${name} at 390 px`);
  await page.locator(locator).screenshot({ path: path.join(OUT, `${name}-390.png`) });
  await page.setViewportSize({ width: 1280, height: 900 });
}

test('a manager books Ada an unpaid massage and puts a package on sale', async () => {
  const client = Number(stack.data.client_id);
  const [[service, location, staff]] = sql(`SELECT service_id, location_id, staff_id FROM ${t('bookings')} WHERE client_id = ${client} LIMIT 1`);
  const booked = await rest('POST', 'bookings', {
    client_id: client, service_id: Number(service), location_id: Number(location), staff_id: Number(staff),
    start: utcDaysFromNow(8, 10),
  });
  assert.equal(booked.status, 201, JSON.stringify(booked.body));
  booking = booked.body;
  assert.notEqual(booking.balance_due, '0.00');
  const created = await rest('POST', 'packages', { name: 'Calm Trio', description: 'Three sessions.', sessions: 3, price: '90.00', service_ids: [Number(service)] });
  assert.equal(created.status, 201, JSON.stringify(created.body));
  pack = created.body.id;
});

test('Ada pays the balance of a booking card, comes back, sees it pending, then paid once', async () => {
  const { page } = ada;
  await openPortal(page);
  const card = page.locator(`.volixta-booking[data-booking-id="${booking.id}"]`).first();
  const button = card.getByRole('button', { name: /Pay the balance/ });
  await button.waitFor();
  await axe(page, 'the portal with pay buttons');
  await shots(page, 'portal-pay-card', `#volixta-portal-upcoming`);

  // The store holds its deliveries: back in the portal, the payment is pending.
  await control('/__sim/queue', { hold: true });
  await button.click();
  await payOnTheStore(page, booking.balance_due);
  const back = new URL(page.url());
  assert.equal(back.searchParams.get('booking'), String(booking.id), 'back on the booking');
  assert.equal(back.searchParams.get('tab'), 'payment', 'on its Payment tab');
  await page.waitForSelector('#volixta-portal-booking');
  const tab = page.locator('#volixta-portal-booking');
  assert.match(await tab.innerText(), /A payment is in progress/);
  await tab.getByRole('button', { name: 'Continue the payment' }).waitFor();
  await axe(page, 'the payment tab, pending');
  await shots(page, 'portal-pay-pending', '#volixta-portal-booking');

  // The deliveries arrive, three times each and newest first: paid, counted once.
  await control('/__sim/queue', { flush: 'reverse', repeat: 3, hold: false });
  const query = back.search;
  await portalUntil(page, query, async () => /Paid/.test(await page.locator('#volixta-portal-booking .vx-badges').innerText()), 'the booking paid');
  assert.equal(await page.locator('#volixta-portal-booking [data-volixta-pay]').count(), 0, 'nothing left to pay');
  assert.match(await page.locator('#volixta-portal-balance-due').innerText(), /^\D*0[.,]00\D*$/);
  assert.equal(Number(one(`SELECT COUNT(*) FROM ${t('booking_payments')} WHERE booking_id = ${booking.id} AND method = 'woocommerce' AND status = 'paid'`)), 1);
  await shots(page, 'portal-pay-paid', '#volixta-portal-booking');
});

test('Ada tops up her wallet after a bad amount, and the balance goes up once', async () => {
  const { page } = ada;
  await openPortal(page, '#volixta-portal-wallet');
  const before = await page.locator('.volixta-balance').getAttribute('data-amount');
  const amount = page.locator('#volixta-top-up-amount');
  await amount.fill('lots');
  await page.locator('.volixta-top-up-form').getByRole('button', { name: 'Top up' }).click();
  await page.locator('#volixta-top-up-error').waitFor();
  assert.equal(await page.locator('#volixta-top-up-amount').getAttribute('aria-invalid'), 'true');
  assert.equal(Number(one(`SELECT COUNT(*) FROM ${t('wallet_top_ups')}`)), 0, 'nothing stored');
  await axe(page, 'the wallet with a refused amount');
  await shots(page, 'portal-top-up-error', '#volixta-portal-wallet');

  await page.locator('#volixta-top-up-amount').fill('40');
  await page.locator('#volixta-top-up-amount').press('Enter');
  await payOnTheStore(page, '40.00');
  assert.equal(new URL(page.url()).hash, '#volixta-portal-wallet');
  const expected = (Number(before) + 40).toFixed(2);
  await portalUntil(page, '', async () => (await page.locator('.volixta-balance').getAttribute('data-amount')) === expected, `a balance of ${expected}`);
  // More deliveries of the same payment change nothing.
  await control('/__sim/queue', { flush: 'fifo', repeat: 3 });
  await sleep(1000);
  await openPortal(page);
  assert.equal(await page.locator('.volixta-balance').getAttribute('data-amount'), expected);
  assert.equal(Number(one(`SELECT COUNT(*) FROM ${t('wallet_ledger')} WHERE kind = 'top_up'`)), 1);
  await shots(page, 'portal-top-up-paid', '#volixta-portal-wallet');
});

test('Ada buys a package from the Packages section and it appears once', async () => {
  const { page } = ada;
  const client = Number(stack.data.client_id);
  await openPortal(page, '#volixta-portal-packages');
  const offer = page.locator(`.volixta-package-offer[data-package-offer="${pack}"]`);
  assert.match(await offer.innerText(), /Calm Trio[\s\S]*3 sessions[\s\S]*90\.00/);
  await axe(page, 'the packages on sale');
  await shots(page, 'portal-package-offer', '#volixta-portal-packages');
  await offer.getByRole('button', { name: /Buy/ }).click();
  await payOnTheStore(page, '90.00');
  await portalUntil(page, '', async () => (await page.locator('.volixta-package-card', { hasText: 'Calm Trio' }).count()) === 1, 'the package');
  assert.equal(Number(one(`SELECT COUNT(*) FROM ${t('client_packages')} WHERE client_id = ${client} AND package_id = ${pack}`)), 1);
  await shots(page, 'portal-package-bought', '#volixta-portal-packages');
});

/** axe-core on the booking form alone: no serious or critical violation. */
async function axeForm(page, label) {
  await page.addScriptTag({ path: path.join(ROOT, 'tests/e2e/node_modules/axe-core/axe.min.js') });
  const result = await page.evaluate(() => window.axe.run({ include: [['#volixta-booking-form']] }, { resultTypes: ['violations'] }));
  const bad = result.violations.filter((v) => ['serious', 'critical'].includes(v.impact));
  assert.deepEqual(bad.map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(' ')).join('; ')})`), [], `axe on ${label}`);
}

/** Waits until the booking form was swapped in after `action`, and answered 200. */
async function formStep(page, action) {
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

/** The booking form at 1280 px, then at 390 px (fits, axe), shot both ways. */
async function formShots(page, name) {
  await axeForm(page, `${name} at 1280 px`);
  await shoot(page, `${name}-1280`);
  await page.setViewportSize({ width: 390, height: 844 });
  await fits(page, `${name} at 390 px`);
  await axeForm(page, `${name} at 390 px`);
  await shoot(page, `${name}-390`);
  await page.setViewportSize({ width: 1280, height: 900 });
}

test('a visitor books on the booking form, pays the deposit in the store and sees it in the portal', async () => {
  const email = 'mae.online@example.com';
  const service = Number(one(`SELECT id FROM ${t('services')} WHERE name = 'Haircut & style'`));
  const priced = await rest('PUT', `services/${service}/pricing`, { deposit: { type: 'percent', value: '50' } });
  assert.equal(priced.status, 200, JSON.stringify(priced.body));

  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, timezoneId: 'Europe/Paris' });
  context.setDefaultTimeout(20_000);
  const page = await context.newPage();
  try {
    await page.goto(site.booking_url);
    const form = page.locator('#volixta-booking-form');
    await form.waitFor({ state: 'visible' });
    await formStep(page, () => page.selectOption('#volixta-bf-service', String(service)));
    if (await page.locator('#volixta-bf-location').count() && !(await page.locator('#volixta-bf-staff').count())) {
      await formStep(page, () => page.selectOption('#volixta-bf-location', { index: 1 }));
    }
    await formStep(page, () => page.selectOption('#volixta-bf-staff', 'any'));
    await formStep(page, () => page.locator('#volixta-bf-continue').click());
    if (await page.locator('input[name^="addon_"]').count()) {
      await formStep(page, () => page.getByRole('button', { name: 'Continue' }).click());
    }
    await page.locator('button.volixta-pday').first().click();
    await page.locator('input[name="slot"]').first().waitFor();
    await sleep(300);
    await page.locator('input[name="slot"]').first().check();
    await formStep(page, () => page.getByRole('button', { name: 'Continue' }).click());

    // The payment step offers to pay online (chosen first) and on site; the visitor picks the deposit.
    const online = page.getByRole('radio', { name: /Online now, through our shop's checkout/ });
    assert.ok(await online.isChecked(), 'paying online is offered and chosen first');
    await formStep(page, () => page.getByRole('radio', { name: /A deposit/ }).check());
    const deposit = (await page.locator('table.volixta-bf-price tr', { hasText: 'Deposit' }).locator('td').innerText()).trim();
    const total = (await page.locator('#volixta-bf-total').innerText()).trim();
    assert.notEqual(deposit, total, 'the deposit is part of the total');
    await formShots(page, 'booking-form-pay-online');
    await formStep(page, () => page.getByRole('button', { name: 'Continue' }).click());
    assert.match(await page.locator('#volixta-bf-pay-method').innerText(), /The deposit online, right after booking/);

    // Details, then "Book and pay": the account and the booking are made, and the browser goes
    // to the store's payment page for the deposit.
    await page.fill('#volixta-bf-first_name', 'Mae');
    await page.fill('#volixta-bf-last_name', 'Jemison');
    await page.fill('#volixta-bf-email', email);
    await formShots(page, 'booking-form-book-and-pay');
    const amount = deposit.replace(/[^\d.,]/g, '');
    await page.getByRole('button', { name: 'Book and pay' }).click();
    await payOnTheStore(page, amount);
    const back = new URL(page.url());
    const id = back.searchParams.get('booking');
    assert.equal(back.searchParams.get('tab'), 'payment', `back on the booking's Payment tab: ${back}`);
    const [[client, owner]] = sql(`SELECT c.id, c.email FROM ${t('bookings')} b JOIN ${t('clients')} c ON c.id = b.client_id WHERE b.id = ${Number(id)}`);
    assert.equal(owner, email, 'the booking is the new client\'s');
    // Not logged in yet: the portal asks to log in, and comes back to the booking after it.
    await page.locator('#volixta-loginform').waitFor();
    await shoot(page, 'booking-form-paid-back-1280');

    // The welcome e-mail's link sets a password; logged in, the booking shows the deposit paid.
    let link;
    for (let i = 0; i < 40 && !link; i++) {
      const mails = await (await fetch(stack.mailApi)).json();
      const welcome = mails.find((m) => m.to?.some((to) => to.address === email) && /action=rp/.test(m.text ?? ''));
      link = welcome?.text.match(/https?:\/\/\S*action=rp\S*/)?.[0];
      if (!link) await sleep(500);
    }
    assert.ok(link, 'a welcome e-mail with a set-password link');
    await page.goto(link.replace(/[>.]+$/, ''));
    await page.locator('#pass1').waitFor();
    await page.fill('#pass1', 'Correct-Horse-42');
    await page.locator('#pass1').dispatchEvent('input');
    const weak = page.locator('.pw-checkbox, input[name="pw_weak"]');
    if (await weak.count() && await weak.first().isVisible()) await weak.first().check();
    await page.locator('#wp-submit').click();
    await page.getByText(/Your password has been reset/).waitFor();
    await logIn(page, site, email, 'Correct-Horse-42');
    await portalUntil(page, back.search, async () => /Partially paid/.test(await page.locator('#volixta-portal-booking .vx-badges').innerText()), 'the deposit paid');
    const sheet = page.locator('#volixta-portal-booking');
    assert.match(await sheet.innerText(), new RegExp(amount.replace('.', '\\.')));
    const paid = sql(`SELECT amount FROM ${t('booking_payments')} WHERE booking_id = ${Number(id)} AND method = 'woocommerce' AND status = 'paid'`);
    assert.equal(paid.length, 1, 'the deposit counted once');
    assert.equal(Number(paid[0][0]).toFixed(2), Number(amount.replace(',', '.')).toFixed(2));
    assert.equal(Number(one(`SELECT COUNT(*) FROM ${t('wc_intents')} WHERE booking_id = ${Number(id)}`)), 1, 'one order');
    assert.ok(Number(client) > 0);
    await axe(page, 'the portal after paying the deposit');
    await shots(page, 'booking-form-deposit-paid', '#volixta-portal-booking');
  } finally {
    await context.close();
  }
});
