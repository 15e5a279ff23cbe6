// End to end: volixta-service + WordPress (Debian's, under php -S) with the plugin active +
// maildev + headless Chromium. The demo client logs in and sees her portal, rendered by the
// service; a logged-out visitor gets the login form. Every process started here is stopped in
// after(), whatever happened.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { chromium } from 'playwright-core';
import { OUT, CHROMIUM, startSite, stopSite, tempDir, logIn } from './harness.mjs';

const PORTAL = 'section.volixta-portal[data-volixta-fragment="customer_profile"]';

let stack; // what startSite() started
let site; // the JSON printed by scripts/wp-install.php
let context; // the Chromium profile
let profileDir;
let mailApi; // maildev's REST API of this run

before(async () => {
  stack = await startSite('portal');
  ({ site, mailApi } = stack);
  profileDir = tempDir('volixta-e2e-chromium-');
  context = await chromium.launchPersistentContext(profileDir, { ...CHROMIUM, viewport: { width: 1280, height: 900 } });
  context.setDefaultTimeout(20_000);
}, { timeout: 240_000 });

after(async () => {
  await context?.close().catch(() => {});
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
    await logIn(page, site, 'client', 'client');
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
