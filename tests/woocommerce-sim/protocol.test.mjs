// The simulator speaks WooCommerce's protocol: every vector of the shared fixtures (computed
// from WooCommerce's PHP with openssl and cross-checked in Python) comes out of its code, and the
// running server refuses what WC_REST_Authentication refuses.
import test from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { spawn } from 'node:child_process';
import {
  oauthBaseString, oauthSignature, webhookSignature, phpJsonEncode, rawurlencode,
} from './protocol.mjs';

const FIXTURES = process.env.WC_FIXTURES ?? path.resolve(import.meta.dirname, '../vectors/woocommerce');
const fixture = (name) => fs.readFileSync(path.join(FIXTURES, name));
const vectors = (name) => fs.readFileSync(path.join(FIXTURES, name), 'utf8');

test('the webhook signature vectors', () => {
  const text = vectors('webhook-vectors.txt');
  const sig = (label) => text.split(label)[1].match(/X-WC-Webhook-Signature: (\S+)/)[1];
  const paid = fixture('order-updated-processing.json');
  assert.equal(webhookSignature(paid, 'wcwh_7dF3kP9qLx2VnB8sRt4Yz6Hm'), sig('Vector 1:'));
  assert.equal(webhookSignature(fixture('order-updated-pending.json'), 'volixta-test-secret-2'), sig('Vector 2:'));
  assert.equal(webhookSignature(paid, 'volixta&amp;wc-test'), sig('Vector 3:'));
  assert.notEqual(webhookSignature(paid, 'volixta&amp;wc-test'), 'Bp1YqcHuC3dePl7iy0Wob4lZTyRPLHbjvOy3D60/vN8=');
  assert.equal(webhookSignature(fixture('order-deleted.json'), ''), sig('Vector 4 (extra):'));
  assert.equal(webhookSignature(fixture('ping-body.txt'), 'wcwh_7dF3kP9qLx2VnB8sRt4Yz6Hm'), '+nSAFX4huYs2ycKOzMG1kxcYSUhm90+peqm4t50R+RU=');
});

test('bodies are encoded byte for byte as PHP json_encode does', () => {
  const pretty = JSON.parse(fixture('order-updated-processing.pretty.json').toString('utf8'));
  assert.deepEqual(Buffer.from(phpJsonEncode(pretty)), fixture('order-updated-processing.json'));
  assert.equal(phpJsonEncode({ a: 'x/y', b: '€😀', c: 'é\n' }), '{"a":"x\\/y","b":"\\u20ac\\ud83d\\ude00","c":"\\u00e9\\n"}');
});

test('the OAuth 1.0a vectors', () => {
  const text = vectors('oauth1-vectors.txt');
  const field = (name) => text.match(new RegExp(`^${name}\\s+(\\S+)`, 'm'))[1];
  const home = field('home_url');
  const base = {
    oauth_consumer_key: field('consumer_key'),
    oauth_timestamp: field('oauth_timestamp'),
    oauth_nonce: field('oauth_nonce'),
    oauth_signature_method: 'HMAC-SHA256',
  };
  const blocks = text.split(/^Vector \d+: /m).slice(1);
  const cases = [
    ['POST', '/wp-json/wc/v3/orders', {}],
    ['GET', '/wp-json/wc/v3/orders/4100', {}],
    ['GET', '/wp-json/wc/v3/orders', { include: '4100,4101', status: 'pending processing' }],
  ];
  assert.equal(blocks.length, cases.length);
  cases.forEach(([method, p, extra], i) => {
    const expectedBase = blocks[i].match(/base string: (\S+)/)[1];
    const expectedSig = blocks[i].match(/signature:\s+(\S+)/)[1];
    const s = oauthBaseString(method, home, p, { ...base, ...extra });
    assert.equal(s, expectedBase, `vector ${i + 1}`);
    assert.equal(oauthSignature(s, field('consumer_secret')), expectedSig, `vector ${i + 1}`);
  });
});

function startSim() {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(import.meta.dirname, 'server.mjs'), '--consumer-key', 'ck_t', '--consumer-secret', 'cs_t'], { stdio: ['ignore', 'pipe', 'inherit'] });
    child.stdout.once('data', (d) => resolve({ child, url: JSON.parse(d.toString()).url }));
    child.once('error', reject);
  });
}

function signed(method, url, path, secret = 'cs_t', extra = {}) {
  const params = {
    oauth_consumer_key: 'ck_t', oauth_timestamp: String(Math.floor(Date.now() / 1000)),
    oauth_nonce: Math.random().toString(36).slice(2), oauth_signature_method: 'HMAC-SHA256', ...extra,
  };
  const sig = oauthSignature(oauthBaseString(method, url, path, params), secret);
  const qs = Object.entries({ ...params, oauth_signature: sig }).map(([k, v]) => `${k}=${rawurlencode(v)}`).join('&');
  return `${url}${path}?${qs}`;
}

test('the running simulator: OAuth refusals, orders, signed deliveries and the ping', async (t) => {
  const { child, url } = await startSim();
  t.after(() => child.kill());
  const received = [];
  const hook = http.createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => { received.push({ headers: req.headers, body: Buffer.concat(chunks) }); res.writeHead(200); res.end(); });
  });
  await new Promise((r) => hook.listen(0, '127.0.0.1', r));
  t.after(() => hook.close());
  const hookUrl = `http://127.0.0.1:${hook.address().port}/hook`;

  let res = await fetch(`${url}/wp-json/wc/v3/orders/1`);
  assert.equal(res.status, 401, 'no credentials');
  res = await fetch(signed('GET', url, '/wp-json/wc/v3/orders/1', 'cs_wrong'));
  assert.equal(res.status, 401);
  assert.match((await res.json()).message, /signature/);
  const once = signed('GET', url, '/wp-json/wc/v3/orders/1');
  assert.equal((await fetch(once)).status, 404, 'authentic: the order just does not exist');
  res = await fetch(once);
  assert.equal(res.status, 401, 'a nonce is used once');
  assert.match((await res.json()).message, /nonce/);
  res = await fetch(signed('GET', url, '/wp-json/wc/v3/orders/1', 'cs_t', { oauth_timestamp: String(Math.floor(Date.now() / 1000) - 16 * 60) }));
  assert.equal(res.status, 401, 'a stale timestamp');

  res = await fetch(`${url}/__sim/webhooks`, { method: 'POST', body: JSON.stringify({ topic: 'order.updated', delivery_url: hookUrl, secret: 'wh&amp;s' }) });
  const webhook = await res.json();
  assert.equal(received.length, 1);
  assert.equal(received[0].body.toString(), `webhook_id=${webhook.id}`, 'the ping');
  assert.equal(received[0].headers['x-wc-webhook-signature'], undefined);

  const fixtureBody = JSON.parse(fixture('create-order-request.json'));
  res = await fetch(signed('POST', url, '/wp-json/wc/v3/orders'), { method: 'POST', body: JSON.stringify(fixtureBody) });
  assert.equal(res.status, 201);
  const order = await res.json();
  assert.equal(order.total, '45.00');
  assert.equal(order.meta_data.find((m) => m.key === 'volixta_booking_id').value, '1234');
  assert.match(order.payment_url, new RegExp(`/checkout/order-pay/${order.id}/\\?pay_for_order=true&key=wc_order_`));

  const page = await fetch(order.payment_url);
  assert.equal(page.status, 200);
  res = await fetch(order.payment_url, { method: 'POST', redirect: 'manual' });
  assert.equal(res.status, 302);
  for (let i = 0; i < 50 && received.length < 2; i++) await new Promise((r) => setTimeout(r, 20));
  const delivery = received[1];
  assert.equal(delivery.headers['x-wc-webhook-topic'], 'order.updated');
  assert.equal(delivery.headers['x-wc-webhook-source'], `${url}/`);
  assert.equal(delivery.headers['x-wc-webhook-signature'], webhookSignature(delivery.body, 'wh&s'));
  const paid = JSON.parse(delivery.body.toString());
  assert.equal(paid.status, 'completed');
  assert.ok(paid.date_paid_gmt);
  assert.ok(!delivery.body.toString().includes('://'), 'slashes are escaped as PHP does');
});
