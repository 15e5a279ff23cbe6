// End to end: the Invoices section of the client portal. The demo client Ada logs in, sees her
// invoices as rows at 1280 px and as cards at 390 px, opens one (date and time, provider,
// location, total, paid and balance, add-ons), downloads its PDF through the plugin's proxy and
// gets a real PDF; another client's invoice is not found through the proxy. axe-core and
// screenshots at both widths. Every process started here is stopped in after().
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { OUT, startSite, stopSite, sql, axe, shoot, fits, wpRestAs, launchChromium, openSession } from './harness.mjs';

const SECTION = '#volixta-portal-invoices';

let stack;
let site;
let browser;

before(async () => {
  stack = await startSite('invoices');
  ({ site } = stack);
  browser = await launchChromium();
}, { timeout: 240_000 });

after(async () => {
  await browser?.close().catch(() => {});
  await stopSite(stack);
});

const table = (name) => `\`${stack.db}\`.wp_volixta_${name}`;

/** Ada's client id and the number of the documents she owns, from the database. */
function adasDocuments() {
  const [[client]] = sql(`SELECT id FROM ${table('clients')} WHERE email = 'ada@example.com'`);
  const rows = sql(`SELECT id, number FROM ${table('invoices')} WHERE client_id = ${client} ORDER BY issued_at DESC, id DESC`);
  return { client, rows };
}

async function portal(width) {
  const { context, page } = await openSession(browser, site, 'client', 'client', width);
  await page.goto(site.account_url, { waitUntil: 'load' });
  await page.waitForLoadState('networkidle');
  return { context, page };
}

async function withFailureShot(page, name, fn) {
  try {
    await fn();
  } catch (err) {
    await page.screenshot({ path: path.join(OUT, `failure-${name}.png`), fullPage: true }).catch(() => {});
    throw err;
  }
}

test('Ada sees her invoices as rows on a desktop, opens one and downloads its PDF', async () => {
  const { rows } = adasDocuments();
  assert.ok(rows.length >= 1, 'the demo bookings came with invoices');
  const { context, page } = await portal(1280);
  await withFailureShot(page, 'portal-invoices', async () => {
    const section = page.locator(SECTION);
    await section.scrollIntoViewIfNeeded();
    const list = section.locator('.volixta-invoice');
    assert.equal(await list.count(), Math.min(rows.length, 10));
    assert.equal((await list.first().locator('strong').first().textContent()).trim(), rows[0][1]);
    // Rows: the header is shown and each row's cells sit on one line.
    assert.ok(await section.locator('.vx-invoice-head').isVisible(), 'the column heads show on a desktop');
    const cells = await list.first().locator(':scope > span').evaluateAll((spans) => spans.map((s) => s.getBoundingClientRect().left));
    assert.ok(cells.every((x, i) => i === 0 || x > cells[i - 1]), `the cells sit side by side: ${cells}`);
    await axe(page, 'the invoices section');
    await fits(page, 'the portal with invoices at 1280 px');
    await section.screenshot({ path: path.join(OUT, 'portal-invoices-1280.png') });

    // View: the detail opens in place.
    await Promise.all([
      page.waitForResponse((r) => r.url().includes('/volixta/v1/render/customer_profile')),
      list.first().getByRole('link', { name: /^View / }).click(),
    ]);
    const detail = page.locator('#volixta-invoice-detail');
    await detail.waitFor({ state: 'visible' });
    const text = await detail.textContent();
    for (const word of ['Issued', 'Booking', 'Service', 'Provider', 'Location', 'Total']) {
      assert.ok(text.includes(word), `the detail says ${word}: ${text}`);
    }
    assert.ok(text.includes(rows[0][1]), 'the detail names its number');
    await axe(page, 'the invoice detail');
    await detail.screenshot({ path: path.join(OUT, 'portal-invoice-detail-1280.png') });

    // Download PDF: fetched through the proxy with the REST nonce, saved under its number.
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      detail.getByRole('button', { name: /^Download PDF of / }).click(),
    ]);
    assert.equal(download.suggestedFilename(), `${rows[0][1]}.pdf`);
    const file = await download.path();
    const bytes = fs.readFileSync(file);
    assert.equal(bytes.subarray(0, 5).toString(), '%PDF-');
    assert.equal(await page.locator('[data-volixta-errors]').count(), 0, 'no error shown');
  });
  await context.close();
});

test('on a phone the invoices are cards, nothing scrolls sideways', async () => {
  const { context, page } = await portal(390);
  await withFailureShot(page, 'portal-invoices-390', async () => {
    const section = page.locator(SECTION);
    await section.scrollIntoViewIfNeeded();
    assert.ok(await section.locator('.vx-invoice-head').isHidden(), 'no column heads on a phone');
    const card = section.locator('.volixta-invoice').first();
    const labels = await card.locator('.vx-inv-label:visible').allTextContents();
    assert.ok(labels.includes('Total') && labels.includes('Status'), `each value is labelled: ${labels}`);
    await fits(page, 'the portal with invoices at 390 px');
    await axe(page, 'the invoices section at 390 px');
    await section.screenshot({ path: path.join(OUT, 'portal-invoices-390.png') });
    await card.getByRole('link', { name: /^View / }).click();
    await page.locator('#volixta-invoice-detail').waitFor({ state: 'visible' });
    await fits(page, 'the invoice detail at 390 px');
    await page.locator('#volixta-invoice-detail').screenshot({ path: path.join(OUT, 'portal-invoice-detail-390.png') });
  });
  await context.close();
});

test('another client\'s invoice is not found through the proxy', async () => {
  const { client } = adasDocuments();
  const others = sql(`SELECT id FROM ${table('invoices')} WHERE client_id <> ${client} LIMIT 1`);
  assert.ok(others.length === 1, 'the demo data has another client\'s invoice');
  const { context } = await openSession(browser, site, 'client', 'client');
  const pdf = await wpRestAs(context, site, 'GET', `volixta/v1/invoices/${others[0][0]}/pdf`);
  assert.equal(pdf.status, 404);
  const json = await wpRestAs(context, site, 'GET', `volixta/v1/invoices/${others[0][0]}`);
  assert.equal(json.status, 404);
  await context.close();
});
