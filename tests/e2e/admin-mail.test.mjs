// End to end: wp-admin → Volixta → E-mails and Webhooks on the real plugin, WordPress, service,
// MariaDB and maildev. The administrator sees each e-mail's preview in a sandboxed frame, sends a
// test e-mail that maildev receives, adds a webhook endpoint (a receiver started here, allowed
// through VOLIXTA_WEBHOOK_ALLOWED_HOSTS) whose secret is shown once, and a client created
// afterwards reaches the receiver signed with that secret and shows in the delivery log.
// Employees and clients get neither screen. axe-core; screenshots at 1280 and 390 px.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import http from 'node:http';
import { startSite, stopSite, launchChromium, openSession, wpRestAs, swapped, axe, shoot, fits } from './harness.mjs';

let stack;
let browser;
let receiver;
const received = [];

before(async () => {
  receiver = http.createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      received.push({ headers: req.headers, body: Buffer.concat(chunks) });
      res.writeHead(200).end('ok');
    });
  });
  await new Promise((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  stack = await startSite('admin-mail', { serviceEnv: { VOLIXTA_WEBHOOK_ALLOWED_HOSTS: '127.0.0.1' } });
  browser = await launchChromium();
}, { timeout: 240_000 });

after(async () => {
  await browser?.close().catch(() => {});
  await stopSite(stack);
  receiver?.close();
});

const session = (user, password, width = 1280) => openSession(browser, stack.site, user, password, width);
const wpRest = (context, method, route, data) => wpRestAs(context, stack.site, method, route, data);
const url = (page) => new URL(`wp-admin/admin.php?page=${page}`, stack.site.site).href;

async function until(what, check, seconds = 30) {
  const deadline = Date.now() + seconds * 1000;
  for (;;) {
    const found = await check();
    if (found) return found;
    if (Date.now() > deadline) assert.fail(`${what} within ${seconds} s`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

test('an administrator previews the e-mails and sends a test e-mail that arrives', async () => {
  const { context, page } = await session('admin', 'admin');
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(url('volixta-emails'));
  const frame = page.locator('#volixta-preview-html');
  assert.equal(await frame.getAttribute('sandbox'), '', 'the preview runs nothing: an empty sandbox');
  assert.match(await frame.getAttribute('srcdoc'), /<html|<body|<p/i, 'the real template, rendered');
  await axe(page, 'the E-mails screen');
  await fits(page, 'the E-mails screen at 1280 px');
  await shoot(page, 'admin-emails-1280');

  await page.fill('#volixta-field-to', 'owner@example.com');
  await swapped(page, () => page.locator('#volixta-emails-test button[type=submit]').click(), '/wp-json/volixta/v1/render/admin/emails');
  assert.match(await page.locator('.volixta-emails .notice').first().textContent(), /owner@example\.com/);
  const mail = await until('the test e-mail reaches maildev', async () => {
    const all = await (await fetch(stack.mailApi)).json();
    return all.find((m) => m.to?.some((t) => t.address === 'owner@example.com'));
  });
  assert.ok(mail.subject, 'the test e-mail has a subject');
  assert.deepEqual(errors, []);
  await context.close();

  const phone = await session('admin', 'admin', 390);
  await phone.page.goto(url('volixta-emails'));
  await fits(phone.page, 'the E-mails screen at 390 px');
  await axe(phone.page, 'the E-mails screen at 390 px');
  await shoot(phone.page, 'admin-emails-390');
  await phone.context.close();
});

test('an administrator adds an endpoint, sees its secret once, and gets a signed delivery', async () => {
  const { context, page } = await session('admin', 'admin');
  await page.goto(url('volixta-webhooks'));
  const target = `http://127.0.0.1:${receiver.address().port}/volixta`;
  await page.fill('#volixta-field-url', target);
  await page.locator('input[name="topics[]"][value="client.created"]').check();
  await swapped(page, () => page.locator('#volixta-webhook-add button[type=submit]').click(), '/wp-json/volixta/v1/render/admin/webhooks');
  const secret = (await page.locator('#volixta-webhook-secret-value').textContent()).trim();
  assert.ok(secret.length >= 16, `a secret is shown: ${secret}`);
  await axe(page, 'the Webhooks screen with a new endpoint');
  await shoot(page, 'admin-webhooks-created-1280');
  await page.goto(url('volixta-webhooks'));
  assert.equal(await page.locator('#volixta-webhook-secret').count(), 0, 'the secret is not shown again');
  assert.ok((await page.content()).includes(target));
  assert.ok(!(await page.content()).includes(secret), 'nor anywhere on the page');

  const made = await wpRest(context, 'POST', 'volixta/v1/clients', { first_name: 'Hook', last_name: 'Tester', email: 'hook@example.com' });
  assert.equal(made.status, 201, JSON.stringify(made.body));
  const delivery = await until('the endpoint receives client.created', () =>
    received.find((r) => r.headers['x-volixta-webhook-topic'] === 'client.created'));
  const expected = crypto.createHmac('sha256', secret).update(delivery.body).digest('base64');
  assert.equal(delivery.headers['x-volixta-webhook-signature'], expected, 'signed with the secret shown once');
  assert.ok(delivery.headers['x-volixta-webhook-delivery-id']);
  assert.match(delivery.body.toString(), /hook@example\.com/);

  const row = page.locator('#volixta-webhooks-list tbody tr').filter({ hasText: target });
  const endpoint = (await row.getAttribute('id')).replace('volixta-webhook-', '');
  await until('the delivery log shows the delivery', async () => {
    await page.goto(url(`volixta-webhooks&webhook=${endpoint}`));
    return (await page.content()).includes(delivery.headers['x-volixta-webhook-delivery-id']);
  });
  await axe(page, 'the delivery log');
  await fits(page, 'the delivery log at 1280 px');
  await shoot(page, 'admin-webhooks-log-1280');
  await context.close();

  const phone = await session('admin', 'admin', 390);
  await phone.page.goto(url('volixta-webhooks'));
  await fits(phone.page, 'the Webhooks screen at 390 px');
  await axe(phone.page, 'the Webhooks screen at 390 px');
  await shoot(phone.page, 'admin-webhooks-390');
  await phone.context.close();
});

test('employees and clients get neither screen nor its actions', async () => {
  const admin = await session('admin', 'admin');
  const made = await wpRest(admin.context, 'POST', 'wp/v2/users',
    { username: 'employee', email: 'employee@example.com', password: 'employee', roles: ['volixta_employee'] });
  assert.equal(made.status, 201, JSON.stringify(made.body));
  await admin.context.close();
  const before = received.length;
  for (const [user, password] of [['employee', 'employee'], ['client', 'client']]) {
    const { context } = await session(user, password);
    for (const route of ['render/admin/emails', 'render/admin/webhooks']) {
      const res = await wpRest(context, 'GET', `volixta/v1/${route}`);
      assert.equal(res.status, 403, `${user} got ${route}`);
    }
    const add = await wpRest(context, 'POST', 'volixta/v1/render/admin/webhooks/create', { url: 'http://127.0.0.1:9/x', topics: ['client.created'] });
    assert.equal(add.status, 403, `${user} added an endpoint`);
    await context.close();
  }
  assert.equal(received.length, before);
});
