// End to end: wp-admin → Volixta → Invoices as a manager on the real plugin, WordPress, service
// and MariaDB. The demo's bookings come with their invoices; one is cancelled so a credit note
// stands beside its invoice. The manager reaches the screen from the menu, filters by client and
// status, opens an invoice with its lines, downloads its PDF through the plugin's proxy (a real
// PDF), follows a booking's Payment tab to its invoice; axe-core; 1280 and 390 px screenshots
// (cards, nothing sideways). An employee and a client get a 403 for the screen and its fragment.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { startSite, stopSite, launchChromium, sql, openSession, wpRestAs, swapped, axe, shoot, fits } from './harness.mjs';

let stack;
let browser;

before(async () => {
  stack = await startSite('admin-invoices');
  browser = await launchChromium();
}, { timeout: 240_000 });

after(async () => {
  await browser?.close().catch(() => {});
  await stopSite(stack);
});

const session = (user, password, width = 1280) => openSession(browser, stack.site, user, password, width);
const wpRest = (context, method, route, data) => wpRestAs(context, stack.site, method, route, data);
const table = (name) => `\`${stack.db}\`.wp_volixta_${name}`;
const url = (query = '') => new URL(`wp-admin/admin.php?page=volixta-invoices${query}`, stack.site.site).href;
const swap = (page, action) => swapped(page, action, '/wp-json/volixta/v1/render/admin/invoices');

/** The numbers of the documents matching a WHERE clause on invoices i, newest first. */
function numbers(where) {
  return sql(`SELECT i.number FROM ${table('invoices')} i JOIN ${table('clients')} c ON c.id = i.client_id
    WHERE ${where} ORDER BY i.issued_at DESC, i.id DESC`).map((r) => r[0]);
}

test('a manager finds, opens and downloads invoices, with a credit note beside its invoice', async () => {
  const { context, page } = await session('manager', 'manager');
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  // The demo cancels one booking: its invoice is credited by a credit note.
  const found = sql(`SELECT i.number, c.number, i.booking_id FROM ${table('invoices')} i JOIN ${table('invoices')} c ON c.related_id = i.id AND c.kind = 'credit_note'`);
  assert.equal(found.length, 1, 'the demo has one credit note');
  const [[credited, note, cancelled]] = found;
  const total = Number(sql(`SELECT COUNT(*) FROM ${table('invoices')}`)[0][0]);

  // The menu leads here; newest first, the credit note and its invoice naming each other.
  await page.goto(new URL('wp-admin/admin.php?page=volixta-clients', stack.site.site).href);
  await page.locator('#adminmenu a', { hasText: 'Invoices' }).click();
  await page.waitForURL(/page=volixta-invoices/);
  assert.equal((await page.locator('.volixta-wrap h1').first().textContent()).trim(), 'Invoices');
  const rows = page.locator('#volixta-invoice-list tbody tr.volixta-invoice-row');
  assert.deepEqual((await rows.locator('.row-title').allTextContents()).map((t) => t.trim()), numbers('1 = 1').slice(0, 25));
  assert.equal(await rows.count(), Math.min(total, 25));
  const rowOf = (number) => rows.filter({ has: page.locator('.row-title', { hasText: number }) });
  assert.match(await rowOf(note).locator('.volixta-related').textContent(), new RegExp(`Credits\\s+${credited}`));
  assert.match(await rowOf(credited).locator('.volixta-related').textContent(), new RegExp(`Credit note\\s+${note}`));
  assert.equal((await rowOf(credited).locator('.volixta-badge').textContent()).trim(), 'Credited');
  await axe(page, 'the invoices list');
  await fits(page, 'the invoices list at 1280 px');
  await shoot(page, 'admin-invoices-1280');

  // Filter by client: Ada's documents only, the search kept in its field.
  await page.fill('input[name=client]', 'lovelace');
  await swap(page, () => page.locator('.volixta-filters button[type=submit]').click());
  const adas = numbers("c.email = 'ada@example.com'");
  assert.ok(adas.length >= 1, 'Ada has an invoice');
  assert.deepEqual((await rows.locator('.row-title').allTextContents()).map((t) => t.trim()), adas);
  assert.equal(await page.inputValue('input[name=client]'), 'lovelace', 'the filter stays filled in');
  // By status: the credited invoice alone.
  await page.fill('input[name=client]', '');
  await page.selectOption('select[name=status]', 'credited');
  await swap(page, () => page.locator('.volixta-filters button[type=submit]').click());
  assert.deepEqual((await rows.locator('.row-title').allTextContents()).map((t) => t.trim()), [credited]);
  await page.selectOption('select[name=status]', '');
  await page.fill('input[name=client]', 'lovelace');
  await swap(page, () => page.locator('.volixta-filters button[type=submit]').click());
  const shown = adas;

  // Open one: its lines and totals as the PDF prints them.
  const number = shown[0];
  await swap(page, () => rows.first().getByRole('link', { name: `View ${number}` }).click());
  const detail = page.locator('#volixta-invoice');
  await detail.waitFor({ state: 'visible' });
  assert.match(await detail.locator('h2').textContent(), new RegExp(`Invoice ${number}`));
  const lines = sql(`SELECT l.description FROM ${table('invoice_lines')} l JOIN ${table('invoices')} i ON i.id = l.invoice_id WHERE i.number = '${number}'`).map((r) => r[0]);
  const printed = await detail.locator('#volixta-invoice-lines tbody td.column-primary').allTextContents();
  assert.deepEqual(printed.map((t) => t.trim()), lines);
  assert.match(await detail.locator('#volixta-invoice-totals').textContent(), /Balance due/);
  await axe(page, 'an opened invoice');
  await shoot(page, 'admin-invoice-detail-1280');

  // Download PDF: through the plugin's proxy as the manager, saved under its number.
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    detail.getByRole('button', { name: `Download PDF of ${number}` }).click(),
  ]);
  assert.equal(download.suggestedFilename(), `${number}.pdf`);
  const bytes = fs.readFileSync(await download.path());
  assert.equal(bytes.subarray(0, 5).toString(), '%PDF-');
  assert.equal(await page.locator('[data-volixta-errors]').count(), 0, 'no error shown');

  // The cancelled booking's Payment tab links both documents; its invoice opens here.
  await page.goto(new URL(`wp-admin/admin.php?page=volixta-bookings&booking=${cancelled}&tab=payment`, stack.site.site).href);
  const docs = page.locator('#volixta-booking-invoices tbody tr');
  assert.deepEqual((await docs.locator('td.column-primary a').allTextContents()).map((t) => t.trim()), [credited, note]);
  await axe(page, 'the payment tab with its invoices');
  await docs.first().locator('td.column-primary a').click();
  await page.waitForURL(/page=volixta-invoices&invoice=/);
  assert.match(await page.locator('#volixta-invoice h2').textContent(), new RegExp(`Invoice ${credited}`));
  assert.match(await page.locator('#volixta-invoice-documents').textContent(), new RegExp(note));
  assert.deepEqual(errors, []);
  await context.close();
});

test('on a phone the invoices are cards and nothing scrolls sideways', async () => {
  const { context, page } = await session('manager', 'manager', 390);
  await page.goto(url());
  const row = page.locator('#volixta-invoice-list tbody tr.volixta-invoice-row').first();
  await row.waitFor();
  assert.ok(await page.locator('#volixta-invoice-list thead').isHidden(), 'no column heads on a phone');
  // Every value shows, labelled, without expanding the row.
  for (const cell of ['Issued', 'Client', 'Total', 'Status']) {
    const td = row.locator(`td[data-colname="${cell}"]`);
    assert.ok(await td.isVisible(), `${cell} shows on the card`);
    const label = await td.evaluate((el) => getComputedStyle(el, '::before').content);
    assert.equal(label, `"${cell}"`);
  }
  await fits(page, 'the invoices list at 390 px');
  await axe(page, 'the invoices list at 390 px');
  await shoot(page, 'admin-invoices-390');
  await swap(page, () => row.getByRole('link', { name: /^View / }).click());
  await page.locator('#volixta-invoice').waitFor({ state: 'visible' });
  await fits(page, 'an opened invoice at 390 px');
  await shoot(page, 'admin-invoice-detail-390');
  await context.close();
});

test('an employee and a client get no invoices screen', async () => {
  const admin = await session('admin', 'admin');
  const made = await wpRest(admin.context, 'POST', 'wp/v2/users',
    { username: 'employee', email: 'employee@example.com', password: 'employee', roles: ['volixta_employee'] });
  assert.equal(made.status, 201, JSON.stringify(made.body));
  await admin.context.close();
  const [[invoice]] = sql(`SELECT MAX(id) FROM ${table('invoices')}`);
  for (const [user, password] of [['employee', 'employee'], ['client', 'client']]) {
    const { context, page } = await session(user, password);
    const res = await page.goto(url());
    assert.equal(res.status(), 403, `${user} opened Invoices`);
    assert.equal(await page.locator('.volixta-wrap').count(), 0);
    for (const query of ['', `?invoice=${invoice}`]) {
      const fragment = await wpRest(context, 'GET', `volixta/v1/render/admin/invoices${query}`);
      assert.equal(fragment.status, 403, `${user} got ${query} through the proxy`);
    }
    await context.close();
  }
});
