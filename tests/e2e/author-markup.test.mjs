// End to end: what an Author can type into a post must not make the portal script call the REST
// API with an administrator's nonce. WordPress keeps data-* attributes in an Author's posts, so
// the script may only act on elements inside a root the plugin rendered (marked per render with a
// token only the plugin's own script knows) and only on paths under volixta/v1/.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { OUT, startSite, stopSite, launchChromium, logIn, sql, sleep } from './harness.mjs';

const EVIL = { username: 'evil', email: 'evil@example.com', password: 'x', roles: ['administrator'] };

let stack;
let browser;

before(async () => {
  stack = await startSite('markup');
  // htmx runs on the admin screens only; here it also runs on the site's pages, beside what an
  // Author publishes, to show that its attributes in a post do nothing either.
  fs.writeFileSync(path.join(stack.contentDir, 'mu-plugins', 'volixta-e2e-htmx-everywhere.php'), `<?php
add_action( 'wp_enqueue_scripts', static function () {
	$plugin = \\Volixta\\Plugin::instance();
	if ( $plugin ) {
		$plugin->part( 'assets' )->enqueue_htmx();
	}
}, 20 );
`);
  browser = await launchChromium();
}, { timeout: 240_000 });

after(async () => {
  await browser?.close().catch(() => {});
  await stopSite(stack);
});

/** A logged-in browser context of its own, so several users act side by side. */
async function session(user, password, width = 1280) {
  const context = await browser.newContext({ viewport: { width, height: 900 } });
  context.setDefaultTimeout(20_000);
  const page = await context.newPage();
  await logIn(page, stack.site, user, password);
  return { context, page };
}

/** The REST nonce of a logged-in context, as WordPress's own admin scripts get it. */
async function restNonce(context) {
  const res = await context.request.get(new URL('wp-admin/admin-ajax.php?action=rest-nonce', stack.site.site).href);
  assert.equal(res.status(), 200, 'no REST nonce for a logged-in user');
  return (await res.text()).trim();
}

/** A WordPress REST call made as the context's user (cookie + nonce, like the block editor). */
async function wpRest(context, method, route, data) {
  const res = await context.request.fetch(new URL(`wp-json/${route}`, stack.site.site).href, {
    method,
    headers: { 'X-WP-Nonce': await restNonce(context) },
    data,
  });
  const body = await res.json().catch(() => null);
  assert.ok(res.ok(), `${method} ${route} answered ${res.status()}: ${JSON.stringify(body)}`);
  return body;
}

const count = (statement) => Number(sql(statement)[0][0]);
const evilUsers = () => count(`SELECT COUNT(*) FROM \`${stack.db}\`.wp_users WHERE user_login = 'evil' OR user_email = 'evil@example.com'`);
const ledgerRows = () => count(`SELECT COUNT(*) FROM \`${stack.db}\`.wp_volixta_wallet_ledger`);
const attr = (value) => value.replaceAll('&', '&amp;').replaceAll('"', '&quot;');

test('markup published by an Author does nothing when an administrator clicks it', async () => {
  const admin = await session('admin', 'admin');
  const created = await wpRest(admin.context, 'POST', 'wp/v2/users',
    { username: 'author', email: 'author@example.com', password: 'author', roles: ['author'] });
  assert.deepEqual(created.roles, ['author']);

  // The Author looks at a page with the portal and copies the root marker they see there.
  const author = await session('author', 'author');
  await author.page.goto(stack.site.account_url);
  const root = author.page.locator('[data-volixta-root]').first();
  await root.waitFor({ state: 'attached' });
  const copied = await root.getAttribute('data-volixta-root');
  assert.ok(copied, 'the portal container carries no root marker');

  const evil = attr(JSON.stringify(EVIL));
  const credit = attr(JSON.stringify({ amount: '500.00', reason: 'A present' }));
  const attacks = {
    'climbs out with ..': `<a id="vx-up" data-volixta-action="../../wp/v2/users" data-volixta-method="POST" data-volixta-body="${evil}">Up</a>`,
    'climbs out with %2e%2e': `<a id="vx-encoded" data-volixta-action="%2e%2e/%2E%2e/wp/v2/users" data-volixta-method="POST" data-volixta-body="${evil}">Encoded</a>`,
    'climbs out with backslashes': `<a id="vx-backslash" data-volixta-action="..\\..\\wp\\v2\\users" data-volixta-method="POST" data-volixta-body="${evil}">Backslash</a>`,
    'smuggles rest_route in the query': `<a id="vx-route" data-volixta-action="users?rest_route=/wp/v2/users" data-volixta-method="POST" data-volixta-body="${evil}">Route</a>`,
    'downloads from another namespace': `<a id="vx-download" data-volixta-download="../../wp/v2/users/me">Download</a>`,
    'copies a root marker': `<div data-volixta-root="${attr(copied)}" data-volixta-fragment="customer_profile">`
      + `<a id="vx-copied" data-volixta-action="clients/${stack.data.client_id}/wallet/adjustments" data-volixta-method="POST" data-volixta-body="${credit}">Copied</a></div>`,
    'wraps a real portal': `<div id="vx-wrapper" data-volixta-action="../../wp/v2/users" data-volixta-method="POST" data-volixta-body="${evil}">[volixta_customer_profile]</div>`,
  };
  const post = await wpRest(author.context, 'POST', 'wp/v2/posts', {
    title: 'Spring offers',
    status: 'publish',
    content: `[volixta_customer_profile]\n\n${Object.values(attacks).join('\n\n')}`,
  });
  // WordPress stored the markup as typed (data-* survives kses for Authors): the attack is real.
  const stored = await wpRest(author.context, 'GET', `wp/v2/posts/${post.id}?context=edit`);
  for (const id of ['vx-up', 'vx-encoded', 'vx-backslash', 'vx-route', 'vx-download', 'vx-copied', 'vx-wrapper']) {
    assert.match(stored.content.raw, new RegExp(`id="${id}" data-volixta-`), `WordPress dropped the markup of #${id}`);
  }
  await author.context.close();

  const ledgerBefore = ledgerRows();
  const { page } = admin;
  await page.goto(post.link, { waitUntil: 'load' });
  assert.ok(await page.evaluate(() => typeof window.Volixta === 'object'), 'the portal script is not on the post');
  // The administrator's page carries the markup exactly as the Author typed it.
  const typed = await page.evaluate(() => [...document.querySelectorAll('[id^="vx-"]')]
    .map((e) => `${e.id} ${e.getAttribute('data-volixta-action') ?? e.getAttribute('data-volixta-download')}`));
  assert.deepEqual(typed, ['vx-up ../../wp/v2/users', 'vx-encoded %2e%2e/%2E%2e/wp/v2/users',
    'vx-backslash ..\\..\\wp\\v2\\users', 'vx-route users?rest_route=/wp/v2/users', 'vx-download ../../wp/v2/users/me',
    `vx-copied clients/${stack.data.client_id}/wallet/adjustments`, 'vx-wrapper ../../wp/v2/users']);
  const calls = [];
  page.on('request', (r) => { calls.push(`${r.method()} ${r.url()}`); });
  page.on('dialog', (d) => d.accept());

  for (const id of ['vx-up', 'vx-encoded', 'vx-backslash', 'vx-route', 'vx-download', 'vx-copied']) {
    await page.locator(`#${id}`).click();
  }
  // Inside the portal the Author's wrapper encloses: the nearest action element is theirs.
  await page.locator('#vx-wrapper .volixta-portal').click();
  await sleep(1500); // time for any fetch a click started to leave the page

  const rest = calls.filter((c) => c.includes('/wp-json/') || c.includes('rest_route'));
  assert.deepEqual(rest, [], `clicking an Author's markup sent REST requests:\n${rest.join('\n')}`);
  assert.equal(evilUsers(), 0, 'a user "evil" was created');
  assert.equal(ledgerRows(), ledgerBefore, 'the wallet ledger changed');

  // Script-level entry points refuse the same things.
  const refused = await page.evaluate(async () => {
    const fake = document.getElementById('vx-copied').parentElement; // the copied root, also a fragment
    const outcomes = [];
    for (const call of [
      () => window.Volixta.refresh(fake),
      () => window.Volixta.request('POST', '../../wp/v2/users', {}),
      () => window.Volixta.request('GET', 'clients?rest_route=/wp/v2/users'),
    ]) {
      try {
        await call();
        outcomes.push('sent');
      } catch (e) {
        outcomes.push('refused');
      }
    }
    return outcomes;
  });
  assert.deepEqual(refused, ['refused', 'refused', 'refused'], 'Volixta.refresh and Volixta.request took a path outside volixta/v1/');
  await sleep(500);
  assert.deepEqual(calls.filter((c) => c.includes('/wp-json/')), [], 'a refused call still sent a request');

  // The watcher does see the script's requests when they are legitimate.
  await page.evaluate(() => window.Volixta.request('GET', 'render/customer_profile'));
  assert.ok(calls.some((c) => c.startsWith('GET ') && c.includes('/wp-json/volixta/v1/render/customer_profile')),
    `a legitimate request went unseen: ${calls.join(', ')}`);

  await page.screenshot({ path: path.join(OUT, 'author-markup-1280.png'), fullPage: true });
  await page.setViewportSize({ width: 390, height: 844 });
  await page.screenshot({ path: path.join(OUT, 'author-markup-390.png'), fullPage: true });
  await admin.context.close();
});

test('htmx attributes in an Author\'s post send nothing and run no code', async () => {
  const admin = await session('admin', 'admin');
  await wpRest(admin.context, 'POST', 'wp/v2/users',
    { username: 'author2', email: 'author2@example.com', password: 'author2', roles: ['author'] });
  const author = await session('author2', 'author2');
  await author.page.goto(stack.site.account_url);
  const copied = await author.page.locator('[data-volixta-root]').first().getAttribute('data-volixta-root');

  const evil = attr(JSON.stringify(EVIL));
  const credit = attr(JSON.stringify({ amount: '500.00', reason: 'A present' }));
  const attacks = [
    `<button id="hx-post" type="button" data-hx-post="../../wp/v2/users" data-hx-vals="${evil}">Join</button>`,
    `<button id="hx-post-ns" type="button" data-hx-post="clients/${stack.data.client_id}/wallet/adjustments" data-hx-vals="${credit}">Gift</button>`,
    `<div id="hx-load" data-hx-get="render/customer_profile" data-hx-trigger="load">Loading</div>`,
    `<a id="hx-boost" data-hx-boost="true" href="/wp-json/wp/v2/users/me">Me</a>`,
    `<button id="hx-on" type="button" data-hx-on:click="window.__pwned = 'hx-on'" data-hx-on--click="window.__pwned = 'hx-on--'" data-hx-get="render/customer_profile">On</button>`,
    `<button id="hx-vals-js" type="button" data-hx-post="render/customer_profile" data-hx-vals="js:{a: window.__pwned = 'vals'}">Vals</button>`,
    `<button id="hx-trigger-js" type="button" data-hx-get="render/customer_profile" data-hx-trigger="click[window.__pwned = 'filter']">Filter</button>`,
    `<div data-volixta-root="${attr(copied)}"><button id="hx-copied" type="button" data-hx-post="clients/${stack.data.client_id}/wallet/adjustments" data-hx-vals="${credit}">Copied</button></div>`,
    `<div id="hx-wrapper" data-hx-inherit="*" data-hx-post="../../wp/v2/users" data-hx-vals="${evil}" data-hx-headers="${attr(JSON.stringify({ 'X-HTTP-Method-Override': 'DELETE' }))}">[volixta_customer_profile]</div>`,
  ];
  const post = await wpRest(author.context, 'POST', 'wp/v2/posts',
    { title: 'Summer offers', status: 'publish', content: `[volixta_customer_profile]\n\n${attacks.join('\n\n')}` });
  const stored = (await wpRest(author.context, 'GET', `wp/v2/posts/${post.id}?context=edit`)).content.raw;
  for (const id of ['hx-post', 'hx-post-ns', 'hx-load', 'hx-vals-js', 'hx-trigger-js', 'hx-copied']) {
    assert.match(stored, new RegExp(`id="${id}"[^>]* data-hx-(post|get)=`), `WordPress dropped the markup of #${id}`);
  }
  await author.context.close();

  const ledgerBefore = ledgerRows();
  const { page } = admin;
  const calls = [];
  page.on('request', (r) => { calls.push(`${r.method()} ${r.url()}`); });
  await page.goto(post.link, { waitUntil: 'load' });
  assert.ok(await page.evaluate(() => typeof window.htmx === 'object' && window.htmx.version.startsWith('2.')), 'htmx is not on the post');
  for (const id of ['hx-post', 'hx-post-ns', 'hx-boost', 'hx-on', 'hx-vals-js', 'hx-trigger-js', 'hx-copied']) {
    await page.locator(`#${id}`).click();
  }
  await page.locator('#hx-wrapper .volixta-portal').first().click();
  await sleep(1500);

  const rest = calls.filter((c) => c.includes('/wp-json/') || c.includes('rest_route'));
  assert.deepEqual(rest, [], `htmx attributes in a post sent requests:\n${rest.join('\n')}`);
  assert.equal(await page.evaluate(() => window.__pwned), undefined, 'code in an htmx attribute ran');
  assert.equal(evilUsers(), 0, 'a user "evil" was created');
  assert.equal(ledgerRows(), ledgerBefore, 'the wallet ledger changed');

  // The settings hold even when something tries to change them the way a <meta name="htmx-config"> would.
  const settings = await page.evaluate(() => {
    window.htmx.config = { ...window.htmx.config, allowEval: true, allowScriptTags: true, selfRequestsOnly: false, historyEnabled: true, disableInheritance: false, defaultSwapDelay: 1 };
    window.htmx.config.allowEval = true;
    const c = window.htmx.config;
    return [c.allowEval, c.allowScriptTags, c.selfRequestsOnly, c.historyEnabled, c.disableInheritance, c.defaultSwapDelay];
  });
  assert.deepEqual(settings, [false, false, true, false, true, 1]);

  // Inside a real root, an hx-on handler still runs no code (and the request it decorates is a
  // legitimate one, so it does leave: the watcher sees requests when they are allowed).
  const root = page.locator('.volixta-portal[data-volixta-root]').first();
  await root.evaluate((el) => {
    const b = document.createElement('button');
    b.id = 'hx-inside';
    b.type = 'button';
    b.setAttribute('hx-on:click', "window.__pwned = 'inside'");
    b.setAttribute('hx-get', 'render/customer_profile');
    b.setAttribute('hx-swap', 'none');
    el.appendChild(b);
    window.htmx.process(b);
  });
  await page.locator('#hx-inside').click();
  await page.waitForResponse((r) => r.url().includes('/wp-json/volixta/v1/render/customer_profile'));
  assert.equal(await page.evaluate(() => window.__pwned), undefined, 'hx-on ran inside a root');
  const sent = calls.filter((c) => c.includes('/wp-json/'));
  assert.deepEqual(sent, [`GET ${new URL('wp-json/volixta/v1/render/customer_profile', stack.site.site).href}`]);
  await admin.context.close();
});

// Paths the script refuses whoever asks (data attributes, Volixta.request, Volixta.refresh), and
// the URL it builds for the others; with pretty permalinks and without (restUrl "…/?rest_route=").
const REFUSED = ['../../wp/v2/users', '..', '.', 'clients/./1', 'clients/../users', '%2e%2e/wp/v2/users',
  'clients/%2E%2e', 'clients%2F..%2F..', '..\\wp\\v2\\users', 'clients\\1', '/clients', '//evil.example/x',
  'clients//1', 'http://evil.example/x', 'https:evil.example', 'clients#x', 'clients?rest_route=/wp/v2/users',
  'clients?REST_ROUTE=/wp/v2/users', 'clients?rest.route=/wp/v2/users', 'clients?rest%5Froute=/wp/v2/users',
  'clients?rest_route[]=x', 'clients?a=1&rest_route=/wp/v2/users', 'clients/1?_method=DELETE', 'clients?_wpnonce=x',
  'clients?_envelope=1', 'clients?_jsonp=alert', 'clients?_fields=id', 'clients? x=1', 'clients?a.b=1', '', 'clients/'];
const SENT = {
  'bookings/7/cancel': 'bookings/7/cancel',
  'clients?search=ann lee&limit=5': 'clients?search=ann+lee&limit=5',
  'availability?service_id=1&from=2026-12-01&timezone=Europe/London': 'availability?service_id=1&from=2026-12-01&timezone=Europe%2FLondon',
  'clients?status[]=active&status[]=vip': 'clients?status%5B%5D=active&status%5B%5D=vip',
  'bookings/9/invoice.pdf': 'bookings/9/invoice.pdf',
};

for (const permalinks of ['pretty', 'plain']) {
  test(`the script refuses paths outside volixta/v1/ (${permalinks} permalinks)`, async () => {
    const { context, page } = await session('admin', 'admin');
    const origin = new URL(stack.site.site).origin;
    const base = permalinks === 'pretty' ? `${origin}/wp-json/volixta/v1/` : `${origin}/?rest_route=/volixta/v1/`;
    if (permalinks === 'plain') {
      // What WordPress prints without pretty permalinks, set as the inline config is assigned.
      await page.addInitScript((restUrl) => {
        let config;
        Object.defineProperty(window, 'volixtaConfig', {
          configurable: true,
          get: () => config,
          set: (value) => { config = { ...value, restUrl }; },
        });
      }, base);
    }
    const sent = [];
    await page.route('**/*', (route) => {
      const url = route.request().url();
      if (!url.includes('rest_route') && !url.includes('/wp-json/')) return route.continue();
      sent.push(url);
      return route.fulfill({ status: 200, contentType: 'application/json', body: '{}' });
    });
    await page.goto(stack.site.account_url);

    const outcomes = await page.evaluate(async (paths) => {
      const out = {};
      for (const p of paths) {
        out[p] = await window.Volixta.request('GET', p).then(() => 'sent', () => 'refused');
      }
      return out;
    }, [...REFUSED, ...Object.keys(SENT)]);
    for (const p of REFUSED) assert.equal(outcomes[p], 'refused', `path ${JSON.stringify(p)} was sent`);
    for (const p of Object.keys(SENT)) assert.equal(outcomes[p], 'sent', `path ${JSON.stringify(p)} was refused`);
    const join = (p) => (permalinks === 'plain' ? base + p.replace('?', '&') : base + p);
    assert.deepEqual(sent, Object.values(SENT).map(join));
    await context.close();
  });
}
