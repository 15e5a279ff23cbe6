// End to end: volixta-service + WordPress (Debian's, under php -S) with the plugin active +
// maildev + headless Chromium. The demo client logs in and sees her portal, rendered by the
// service; a logged-out visitor gets the login form. Every process started here is stopped in
// after(), whatever happened.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium } from 'playwright-core';
import { ROOT, OUT, freePort, start, stopAll, waitHttp, php, sql, alive, tempDir } from './harness.mjs';

const SERVICE_BIN = process.env.VOLIXTA_SERVICE_BIN
  ?? path.join(process.env.CARGO_TARGET_DIR ?? path.join(os.homedir(), '.cache', 'volixta-target'), 'debug', 'volixta-service');
// One database per run (several people may test on one machine at once), dropped at the end; a
// run that was killed leaves its database behind, and the next run sweeps it.
const DB_PREFIX = 'volixta_e2e_';
const DB = process.env.VOLIXTA_E2E_DB ?? `${DB_PREFIX}${process.pid}`;
const PORTAL = 'section.volixta-portal[data-volixta-fragment="customer_profile"]';

let site; // the JSON printed by scripts/wp-install.php
let context; // the Chromium profile
let profileDir;
let contentDir;
let mailApi; // maildev's REST API of this run

before(async () => {
  assert.ok(fs.existsSync(SERVICE_BIN), `no service binary at ${SERVICE_BIN} (cargo build -p volixta-service)`);
  fs.rmSync(path.join(OUT, 'wp-debug.log'), { force: true });
  for (const [name] of sql(`SHOW DATABASES LIKE '${DB_PREFIX}%'`)) {
    const pid = Number(name.slice(DB_PREFIX.length));
    if (Number.isInteger(pid) && pid > 0 && !alive(pid)) sql(`DROP DATABASE \`${name}\``);
  }
  const secret = crypto.randomBytes(32).toString('hex');
  const [servicePort, wpPort, smtpPort, mailWebPort] = await Promise.all([freePort(), freePort(), freePort(), freePort()]);
  const siteUrl = `http://127.0.0.1:${wpPort}`;
  const serviceUrl = `http://127.0.0.1:${servicePort}`;

  mailApi = `http://127.0.0.1:${mailWebPort}/api/email`;
  const maildev = start('maildev', path.join(ROOT, 'tests/e2e/node_modules/.bin/maildev'),
    ['--smtp', String(smtpPort), '--web', String(mailWebPort), '--ip', '127.0.0.1', '--web-ip', '127.0.0.1']);
  await waitHttp(mailApi, maildev); // before the install, which already sends mail

  // A fresh database every run: WordPress first, then the service adds its tables to it.
  // This run's own content folder (plugin link, uploads) and mail catcher.
  contentDir = tempDir('volixta-e2e-wp-content-');
  const wpEnv = { VOLIXTA_WP_SMTP_PORT: String(smtpPort), VOLIXTA_WP_CONTENT_DIR: contentDir };
  site = await php('wp-install.php', [`--url=${siteUrl}`, `--db=${DB}`, `--service-url=${serviceUrl}`,
    `--secret=${secret}`, '--recreate-db'], wpEnv);

  const service = start('service', SERVICE_BIN, ['serve'], {
    env: {
      VOLIXTA_SHARED_SECRET: secret,
      VOLIXTA_DATABASE_URL: `mysql://root@127.0.0.1:3306/${DB}`,
      VOLIXTA_LISTEN: `127.0.0.1:${servicePort}`,
      VOLIXTA_SMTP_URL: `smtp://127.0.0.1:${smtpPort}`,
      RUST_LOG: process.env.RUST_LOG ?? 'info',
    },
  });
  const wordpress = start('wordpress', 'php', ['-S', `127.0.0.1:${wpPort}`, '-t', '/usr/share/wordpress',
    path.join(ROOT, 'scripts/wp/router.php')], {
    env: {
      ...wpEnv,
      PHP_CLI_SERVER_WORKERS: '4',
      VOLIXTA_WP_DB_NAME: DB,
      VOLIXTA_WP_DEBUG_LOG: path.join(OUT, 'wp-debug.log'),
    },
  });
  await Promise.all([
    waitHttp(`${serviceUrl}/readyz`, service, 90_000),
    waitHttp(`${siteUrl}/wp-login.php`, wordpress),
  ]);

  // The demo data goes through the service, signed by the plugin's own client.
  const data = await php('demo-data.php', [`--url=${siteUrl}`, `--db=${DB}`], wpEnv);
  assert.ok(data.client_id, `demo-data.php made no client: ${JSON.stringify(data)}`);

  profileDir = tempDir('volixta-e2e-chromium-');
  context = await chromium.launchPersistentContext(profileDir, {
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    viewport: { width: 1280, height: 900 },
  });
  context.setDefaultTimeout(20_000);
}, { timeout: 240_000 });

after(async () => {
  await context?.close().catch(() => {});
  await stopAll();
  for (const dir of [profileDir, contentDir]) if (dir) fs.rmSync(dir, { recursive: true, force: true });
  try { sql(`DROP DATABASE IF EXISTS \`${DB}\``); } catch { /* the server may be the thing that failed */ }
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

test('the demo client logs in and sees her portal, rendered by the service', async () => {
  await withPage('portal', async (page) => {
    await page.goto(site.login_url);
    await page.fill('#user_login', 'client');
    await page.fill('#user_pass', 'client');
    await Promise.all([page.waitForURL((url) => !url.pathname.endsWith('/wp-login.php')), page.click('#wp-submit')]);
    assert.equal(new URL(page.url()).pathname, new URL(site.account_url).pathname, 'after login a client lands on the portal page');

    const assets = []; // the plugin's CSS/JS, served from the content folder by scripts/wp/router.php
    page.on('response', (r) => { if (r.url().includes('/wp-content/plugins/volixta/')) assets.push(`${r.status()} ${r.url()}`); });
    await page.goto(site.account_url, { waitUntil: 'load' });
    assert.ok(assets.length > 0, 'the portal page loads no asset of the plugin');
    assert.ok(assets.every((a) => a.startsWith('200 ')), `plugin assets failed: ${assets.join(', ')}`);
    const portal = page.locator(PORTAL);
    await portal.waitFor({ state: 'visible' });
    const text = await portal.innerText();
    assert.match(text, /Ada Lovelace/, `the portal does not name the client:\n${text}`);
    assert.match(text, /50\.00/, `the portal does not show the 50.00 balance:\n${text}`);
    assert.match(text, /Haircut & style/, `the portal does not list the demo booking:\n${text}`);
    assert.match(text, /with Grace Hopper/, `the portal does not name the booking's staff member:\n${text}`);
    await page.screenshot({ path: path.join(OUT, 'portal.png'), fullPage: true });
  });
});

test('the portal shows no raw CSS or template text (what the service sends survives the plugin)', async () => {
  await withPage('raw-text', async (page) => {
    await page.goto(site.account_url); // still logged in as the client (same browser profile)
    const text = await page.locator(PORTAL).innerText();
    const css = text.match(/[^\n]*\{[^{}\n]*:[^{}\n]*\}/);
    assert.ok(!css, `CSS shows as text in the portal (a <style> the HTML filter dropped?): ${css?.[0].slice(0, 160)}…`);
    const tpl = text.match(/[^\n]*(\{\{|\{%)[^\n]*/);
    assert.ok(!tpl, `unrendered template syntax in the portal: ${tpl?.[0].slice(0, 160)}`);
  });
});

test('the client cancels her booking from the portal (button → plugin proxy → service → fragment refreshed)', async () => {
  await withPage('cancel', async (page) => {
    await page.goto(site.account_url); // still logged in as the client (same browser profile)
    const portal = page.locator(PORTAL);
    const card = portal.locator('.volixta-booking', { hasText: 'Haircut & style' });
    await card.waitFor({ state: 'visible' });
    page.once('dialog', (dialog) => dialog.accept());
    await card.locator('button.vx-cancel').click();
    await portal.getByText('No upcoming bookings.').waitFor({ state: 'visible', timeout: 15000 });
    assert.equal(await page.locator(PORTAL).locator('[data-volixta-errors]').innerText(), '', 'the cancel showed an error');
    // A reload asks the service again: the cancellation is stored, not only drawn.
    await page.reload();
    await page.locator(PORTAL).getByText('No upcoming bookings.').waitFor({ state: 'visible' });
    await page.screenshot({ path: path.join(OUT, 'portal-cancelled.png'), fullPage: true });
  });
});
