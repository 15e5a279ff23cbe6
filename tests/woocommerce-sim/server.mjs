#!/usr/bin/env node
// A WooCommerce stand-in for tests: the REST v3 orders and webhooks endpoints behind
// WooCommerce's own OAuth 1.0a check, an order-pay page, and webhook deliveries built and signed
// the way WC_Webhook::deliver does (compact PHP JSON, no retries, collapsed and reordered
// deliveries, delivery ids that repeat). Everything under /__sim/ is the tests' remote control.
//
//   node server.mjs [--port 0] [--consumer-key ck_…] [--consumer-secret cs_…]
//
// Prints one JSON line {"url": "http://127.0.0.1:PORT"} when it listens.
import http from 'node:http';
import crypto from 'node:crypto';
import { parseArgs } from 'node:util';
import {
  oauthBaseString, oauthSignature, webhookSignature, phpJsonEncode, deliveryId,
} from './protocol.mjs';

const { values: opts } = parseArgs({
  options: {
    port: { type: 'string', default: process.env.WC_SIM_PORT ?? '0' },
    'consumer-key': { type: 'string', default: process.env.WC_SIM_CONSUMER_KEY ?? 'ck_sim' },
    'consumer-secret': { type: 'string', default: process.env.WC_SIM_CONSUMER_SECRET ?? 'cs_sim' },
  },
});

const WC_VERSION = '9.9.5';
const WP_VERSION = '6.8.2';
const OAUTH_WINDOW = 15 * 60;
const MAX_FAILURES = 7;
const SALT = crypto.randomBytes(16).toString('hex');

let home = '';
const keys = new Map([[opts['consumer-key'], { secret: opts['consumer-secret'], permissions: 'read_write' }]]);
const nonces = new Map(); // consumer key → Map(nonce → timestamp)
const orders = new Map();
const webhooks = new Map();
let nextOrderId = 4100;
let nextWebhookId = 12;
let nextMetaId = 2895;
let nextLineId = 318;
let nextRefundId = 7000;

// Deliveries: queued as WooCommerce queues them, built (from the order as it is then) and sent
// when the queue runs. `hold` keeps them queued until a flush; `dropNext` loses some.
const queue = [];
let hold = false;
let dropNext = 0;
const sent = [];

const nowSeconds = () => Math.floor(Date.now() / 1000);
const pad = (n) => String(n).padStart(2, '0');
function wcDate(d) {
  return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}T${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`;
}
// The store's clock is UTC+2, so site-local and _gmt dates differ as in the fixtures.
const SITE_OFFSET_MS = 2 * 3600 * 1000;
const localDate = (d) => wcDate(new Date(d.getTime() + SITE_OFFSET_MS));
const money = (n) => (Math.round(Number(n) * 100) / 100).toFixed(2);

function send(res, status, body, headers = {}) {
  const text = typeof body === 'string' ? body : phpJsonEncode(body);
  res.writeHead(status, {
    'Content-Type': typeof body === 'string' ? 'text/html; charset=UTF-8' : 'application/json; charset=UTF-8',
    ...headers,
  });
  res.end(text);
}

function wcError(res, status, code, message) {
  send(res, status, { code, message, data: { status } });
}

function readBody(req) {
  return new Promise((resolve, reject) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

/** WC_REST_Authentication over plain HTTP: one-legged OAuth 1.0a from the query string only. */
function authenticate(req, url) {
  const params = Object.fromEntries(url.searchParams);
  const names = ['oauth_consumer_key', 'oauth_timestamp', 'oauth_nonce', 'oauth_signature', 'oauth_signature_method'];
  const missing = names.filter((n) => !params[n]);
  if (missing.length === names.length) {
    // Basic authentication is only read over HTTPS; this store is plain HTTP.
    return { status: 401, code: 'woocommerce_rest_cannot_view', message: 'Sorry, you cannot list resources.' };
  }
  if (missing.length) {
    return { status: 401, code: 'woocommerce_rest_authentication_error', message: `Missing OAuth parameter(s) ${missing.join(', ')}` };
  }
  const key = keys.get(params.oauth_consumer_key);
  if (!key) return { status: 401, code: 'woocommerce_rest_authentication_error', message: 'Consumer key is invalid.' };
  const method = params.oauth_signature_method;
  if (method !== 'HMAC-SHA1' && method !== 'HMAC-SHA256') {
    return { status: 401, code: 'woocommerce_rest_authentication_error', message: 'Invalid signature - signature method is invalid.' };
  }
  const given = decodeURIComponent(params.oauth_signature.replaceAll(' ', '+'));
  const base = oauthBaseString(req.method, home, url.pathname, params);
  const expected = oauthSignature(base, key.secret, method);
  const a = Buffer.from(expected), b = Buffer.from(given);
  if (a.length !== b.length || !crypto.timingSafeEqual(a, b)) {
    return { status: 401, code: 'woocommerce_rest_authentication_error', message: 'Invalid signature - provided signature does not match.' };
  }
  const ts = Number(params.oauth_timestamp);
  if (!Number.isFinite(ts) || ts < nowSeconds() - OAUTH_WINDOW || ts > nowSeconds() + OAUTH_WINDOW) {
    return { status: 401, code: 'woocommerce_rest_authentication_error', message: 'Invalid timestamp.' };
  }
  const used = nonces.get(params.oauth_consumer_key) ?? new Map();
  for (const [n, t] of used) if (t < nowSeconds() - OAUTH_WINDOW) used.delete(n);
  if (used.has(params.oauth_nonce)) {
    return { status: 401, code: 'woocommerce_rest_authentication_error', message: 'Invalid nonce - nonce has already been used.' };
  }
  used.set(params.oauth_nonce, ts);
  nonces.set(params.oauth_consumer_key, used);
  if (req.method !== 'GET' && key.permissions === 'read') {
    return { status: 401, code: 'woocommerce_rest_authentication_error', message: 'The API key provided does not have write permissions.' };
  }
  return null;
}

function meta(list) {
  return (list ?? []).map((m) => ({ id: nextMetaId++, key: String(m.key), value: String(m.value) }));
}

function createOrder(body) {
  const id = nextOrderId++;
  const now = new Date();
  const feeLines = (body.fee_lines ?? []).map((f) => ({
    id: nextLineId++,
    name: String(f.name ?? ''),
    tax_class: '',
    tax_status: f.tax_status ?? 'taxable',
    amount: '',
    total: money(f.total ?? 0),
    total_tax: '0.00',
    taxes: [],
    meta_data: meta(f.meta_data).map((m) => ({ ...m, display_key: m.key, display_value: m.value })),
  }));
  const total = feeLines.reduce((s, f) => s + Number(f.total), 0);
  const key = `wc_order_${crypto.randomBytes(7).toString('base64url').replace(/[-_]/g, 'x').slice(0, 13)}`;
  const b = body.billing ?? {};
  const order = {
    id, parent_id: 0, status: body.status ?? 'pending', currency: body.currency ?? 'EUR', version: WC_VERSION,
    prices_include_tax: false, date_created: localDate(now), date_modified: localDate(now),
    discount_total: '0.00', discount_tax: '0.00', shipping_total: '0.00', shipping_tax: '0.00', cart_tax: '0.00',
    total: money(total), total_tax: '0.00', customer_id: 0, order_key: key,
    billing: {
      first_name: b.first_name ?? '', last_name: b.last_name ?? '', company: '', address_1: '', address_2: '',
      city: '', state: '', postcode: '', country: b.country ?? '', email: b.email ?? '', phone: b.phone ?? '',
    },
    shipping: { first_name: '', last_name: '', company: '', address_1: '', address_2: '', city: '', state: '', postcode: '', country: '', phone: '' },
    payment_method: '', payment_method_title: '', transaction_id: '', customer_ip_address: '', customer_user_agent: '',
    created_via: 'rest-api', customer_note: '', date_completed: null, date_paid: null, cart_hash: '', number: String(id),
    meta_data: meta(body.meta_data), line_items: [], tax_lines: [], shipping_lines: [], fee_lines: feeLines,
    coupon_lines: [], refunds: [],
    payment_url: `${home}/checkout/order-pay/${id}/?pay_for_order=true&key=${key}`,
    is_editable: true, needs_payment: true, needs_processing: false,
    date_created_gmt: wcDate(now), date_modified_gmt: wcDate(now), date_completed_gmt: null, date_paid_gmt: null,
    currency_symbol: body.currency === 'USD' ? '$' : body.currency === 'GBP' ? '£' : '€',
    _links: {
      self: [{ href: `${home}/wp-json/wc/v3/orders/${id}`, targetHints: { allow: ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'] } }],
      collection: [{ href: `${home}/wp-json/wc/v3/orders` }],
    },
  };
  orders.set(id, order);
  if (body.set_paid) markPaid(order, false);
  enqueue('order.created', id);
  return order;
}

function touch(order) {
  const now = new Date();
  order.date_modified = localDate(now);
  order.date_modified_gmt = wcDate(now);
}

function markPaid(order, announce = true) {
  const now = new Date();
  // A fee-only order needs no processing: WooCommerce moves it straight to completed.
  order.status = order.line_items.length ? 'processing' : 'completed';
  order.date_paid = localDate(now);
  order.date_paid_gmt = wcDate(now);
  if (order.status === 'completed') {
    order.date_completed = order.date_paid;
    order.date_completed_gmt = order.date_paid_gmt;
  }
  order.payment_method = 'sim';
  order.payment_method_title = 'Simulated card';
  order.transaction_id = `sim_${crypto.randomBytes(6).toString('hex')}`;
  order.needs_payment = false;
  order.is_editable = false;
  touch(order);
  if (announce) enqueue('order.updated', order.id);
}

function setStatus(order, status) {
  order.status = status;
  order.needs_payment = ['pending', 'failed'].includes(status);
  touch(order);
  enqueue('order.updated', order.id);
}

function refund(order, amount, reason) {
  order.refunds.push({ id: nextRefundId++, reason: reason ?? '', total: `-${money(amount)}` });
  const refunded = order.refunds.reduce((s, r) => s - Number(r.total), 0);
  if (refunded >= Number(order.total)) order.status = 'refunded';
  touch(order);
  enqueue('order.updated', order.id);
}

function webhookView(w) {
  return {
    id: w.id, name: w.name, status: w.status, topic: w.topic, resource: w.topic.split('.')[0],
    event: w.topic.split('.')[1], hooks: [], delivery_url: w.delivery_url,
    date_created: localDate(w.created), date_created_gmt: wcDate(w.created),
    date_modified: localDate(w.created), date_modified_gmt: wcDate(w.created),
    _links: { self: [{ href: `${home}/wp-json/wc/v3/webhooks/${w.id}` }], collection: [{ href: `${home}/wp-json/wc/v3/webhooks` }] },
  };
}

async function createWebhook(body) {
  const w = {
    id: nextWebhookId++, name: body.name ?? 'Volixta', status: body.status ?? 'active', topic: body.topic ?? 'order.updated',
    delivery_url: body.delivery_url, secret: body.secret ?? crypto.randomBytes(16).toString('hex'),
    created: new Date(), failures: 0, pending_delivery: true,
  };
  webhooks.set(w.id, w);
  if (w.status === 'active') await ping(w);
  return w;
}

/** WC_Webhook::deliver_ping: a form body, no X-WC headers, no signature; only 200 is success. */
async function ping(w) {
  const body = Buffer.from(`webhook_id=${w.id}`);
  const result = await post(w.delivery_url, body, {
    'Content-Type': 'application/x-www-form-urlencoded',
    'User-Agent': `WooCommerce/${WC_VERSION} Hookshot (WordPress/${WP_VERSION})`,
  });
  w.pending_delivery = result.status !== 200;
  sent.push({ kind: 'ping', webhook_id: w.id, status: result.status, error: result.error ?? null });
  return result;
}

function enqueue(topic, orderId) {
  for (const w of webhooks.values()) {
    if (w.status === 'active' && w.topic === topic) queue.push({ webhook: w.id, topic, orderId });
  }
  if (!hold) setImmediate(runQueue);
}

function runQueue({ reverse = false, collapse = true, repeat = 1 } = {}) {
  let jobs = queue.splice(0, queue.length);
  if (collapse) {
    // WooCommerce processes one resource once per webhook in a queue run.
    const seen = new Set();
    jobs = jobs.filter((j) => {
      const k = `${j.webhook}:${j.topic}:${j.orderId}`;
      if (seen.has(k)) return false;
      seen.add(k);
      return true;
    });
  }
  if (reverse) jobs.reverse();
  const all = [];
  for (let i = 0; i < repeat; i++) all.push(...jobs);
  return all.reduce((p, j) => p.then(() => deliver(j)), Promise.resolve());
}

/** WC_Webhook::deliver: the payload is built now, from the order as it is now. */
async function deliver(job) {
  const w = webhooks.get(job.webhook);
  if (!w || w.status !== 'active') return;
  const order = orders.get(job.orderId);
  const payload = job.topic === 'order.deleted' || !order ? { id: job.orderId } : order;
  const body = Buffer.from(phpJsonEncode(payload));
  const [resource, event] = job.topic.split('.');
  const headers = {
    'Content-Type': 'application/json',
    'User-Agent': `WooCommerce/${WC_VERSION} Hookshot (WordPress/${WP_VERSION})`,
    'X-WC-Webhook-Source': `${home}/`,
    'X-WC-Webhook-Topic': job.topic,
    'X-WC-Webhook-Resource': resource,
    'X-WC-Webhook-Event': event,
    'X-WC-Webhook-Signature': webhookSignature(body, w.secret),
    'X-WC-Webhook-ID': String(w.id),
    'X-WC-Webhook-Delivery-ID': deliveryId(w.id, nowSeconds(), SALT),
  };
  const record = { kind: 'delivery', webhook_id: w.id, topic: job.topic, order_id: job.orderId, status_sent: payload.status ?? null, delivery_id: headers['X-WC-Webhook-Delivery-ID'] };
  if (dropNext > 0) {
    dropNext--;
    sent.push({ ...record, status: null, dropped: true });
    return;
  }
  const result = await post(w.delivery_url, body, headers);
  const ok = result.status >= 200 && result.status < 303;
  sent.push({ ...record, status: result.status, error: result.error ?? null, ok, body: body.toString('latin1'), headers });
  if (ok) {
    w.failures = 0;
  } else if (++w.failures >= MAX_FAILURES) {
    w.status = 'disabled';
  }
}

/** One POST, no redirects followed, 5 s timeout (WordPress's defaults for webhooks). */
function post(target, body, headers) {
  return new Promise((resolve) => {
    let url;
    try { url = new URL(target); } catch { resolve({ status: 0, error: 'bad url' }); return; }
    const req = http.request(url, { method: 'POST', headers: { ...headers, 'Content-Length': body.length }, timeout: 5000 }, (res) => {
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode }));
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', (e) => resolve({ status: 0, error: e.message }));
    req.end(body);
  });
}

function payPage(order, key, error = '') {
  const esc = (s) => String(s).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
  const paid = !order.needs_payment;
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Pay for order #${order.id}</title>
<style>body{font-family:system-ui,sans-serif;margin:0;padding:1rem;background:#f6f7f7;color:#1d2327}main{max-width:32rem;margin:0 auto;background:#fff;padding:1.25rem;border-radius:8px}
table{width:100%;border-collapse:collapse}td,th{padding:.5rem 0;text-align:left;border-bottom:1px solid #dcdcde}button{font-size:1rem;padding:.75rem 1.25rem;background:#2271b1;color:#fff;border:0;border-radius:4px;width:100%}</style></head>
<body><main><h1>Pay for order</h1>${error ? `<p role="alert">${esc(error)}</p>` : ''}
<table><caption>Order #${order.id}</caption><thead><tr><th scope="col">Item</th><th scope="col">Total</th></tr></thead><tbody>
${order.fee_lines.map((f) => `<tr><td>${esc(f.name)}</td><td>${esc(f.total)} ${esc(order.currency)}</td></tr>`).join('')}
</tbody><tfoot><tr><th scope="row">Order total</th><td>${esc(order.total)} ${esc(order.currency)}</td></tr></tfoot></table>
${paid ? '<p>This order has been paid.</p>' : `<form method="post" action="/checkout/order-pay/${order.id}/?pay_for_order=true&amp;key=${esc(key)}"><p><label><input type="radio" name="payment_method" value="sim" checked> Simulated card</label></p><button type="submit" id="place_order">Pay for order</button></form>`}
</main></body></html>`;
}

function returnUrl(order) {
  const m = order.meta_data.find((x) => x.key === 'volixta_return_url');
  return m ? m.value : `${home}/checkout/order-received/${order.id}/?key=${order.order_key}`;
}

async function json(req) {
  const raw = await readBody(req);
  if (!raw.length) return {};
  return JSON.parse(raw.toString('utf8'));
}

async function handle(req, res) {
  const url = new URL(req.url, home);
  const path = url.pathname;
  let m;

  if (path.startsWith('/wp-json/wc/v3/')) {
    const denied = authenticate(req, url);
    if (denied) return wcError(res, denied.status, denied.code, denied.message);
    if (path === '/wp-json/wc/v3/orders' && req.method === 'POST') {
      return send(res, 201, createOrder(await json(req)));
    }
    if (path === '/wp-json/wc/v3/orders' && req.method === 'GET') {
      const include = (url.searchParams.get('include') ?? '').split(',').filter(Boolean).map(Number);
      const list = [...orders.values()].filter((o) => !include.length || include.includes(o.id));
      return send(res, 200, list);
    }
    if ((m = path.match(/^\/wp-json\/wc\/v3\/orders\/(\d+)$/))) {
      const order = orders.get(Number(m[1]));
      if (!order) return wcError(res, 404, 'woocommerce_rest_shop_order_invalid_id', 'Invalid ID.');
      if (req.method === 'GET') return send(res, 200, order);
      if (req.method === 'PUT' || req.method === 'POST') {
        const body = await json(req);
        if (body.status) setStatus(order, body.status);
        return send(res, 200, order);
      }
    }
    if (path === '/wp-json/wc/v3/webhooks' && req.method === 'GET') {
      return send(res, 200, [...webhooks.values()].map(webhookView));
    }
    if (path === '/wp-json/wc/v3/webhooks' && req.method === 'POST') {
      const body = await json(req);
      if (!body.topic || !body.delivery_url) return wcError(res, 400, 'rest_missing_callback_param', 'Missing parameter(s): topic, delivery_url');
      return send(res, 201, webhookView(await createWebhook(body)));
    }
    if ((m = path.match(/^\/wp-json\/wc\/v3\/webhooks\/(\d+)$/)) && req.method === 'GET') {
      const w = webhooks.get(Number(m[1]));
      return w ? send(res, 200, webhookView(w)) : wcError(res, 404, 'woocommerce_rest_webhook_invalid_id', 'Invalid ID.');
    }
    return wcError(res, 404, 'rest_no_route', 'No route was found matching the URL and request method.');
  }

  if ((m = path.match(/^\/checkout\/order-pay\/(\d+)\/?$/))) {
    const order = orders.get(Number(m[1]));
    const key = url.searchParams.get('key') ?? '';
    if (!order || key !== order.order_key) return send(res, 404, '<!doctype html><title>Not found</title><p>Sorry, this order is invalid and cannot be paid for.</p>');
    if (req.method === 'POST') {
      await readBody(req);
      if (order.needs_payment) markPaid(order);
      res.writeHead(302, { Location: returnUrl(order) });
      return res.end();
    }
    return send(res, 200, payPage(order, key));
  }
  if ((m = path.match(/^\/checkout\/order-received\/(\d+)\/?$/))) {
    return send(res, 200, `<!doctype html><title>Order received</title><p>Thank you. Order #${Number(m[1])} has been received.</p>`);
  }

  // The tests' remote control.
  if (path === '/__sim/webhooks' && req.method === 'POST') {
    return send(res, 201, { ...webhookView(await createWebhook(await json(req))), last_ping: sent.at(-1) });
  }
  if (path === '/__sim/keys' && req.method === 'POST') {
    const b = await json(req);
    keys.set(b.consumer_key, { secret: b.consumer_secret, permissions: b.permissions ?? 'read_write' });
    return send(res, 201, { ok: true });
  }
  if ((m = path.match(/^\/__sim\/orders\/(\d+)(?:\/(\w+))?$/))) {
    const order = orders.get(Number(m[1]));
    if (!order) return send(res, 404, { error: 'no such order' });
    const action = m[2];
    const body = req.method === 'GET' ? {} : await json(req);
    if (req.method === 'DELETE') {
      orders.delete(order.id);
      enqueue('order.deleted', order.id);
      return send(res, 200, { id: order.id });
    }
    if (action === 'pay') {
      // A total edited by someone in the store before the payment arrived.
      if (body.total) order.total = money(body.total);
      if (body.currency) order.currency = body.currency;
      markPaid(order);
    } else if (action === 'status') {
      setStatus(order, body.status);
    } else if (action === 'refund') {
      refund(order, body.amount ?? order.total, body.reason);
    }
    return send(res, 200, order);
  }
  if (path === '/__sim/queue' && req.method === 'POST') {
    const b = await json(req);
    if ('hold' in b) hold = Boolean(b.hold);
    if ('drop_next' in b) dropNext = Number(b.drop_next);
    if (b.flush) await runQueue({ reverse: b.flush === 'reverse', collapse: b.collapse !== false, repeat: Number(b.repeat ?? 1) });
    return send(res, 200, { queued: queue.length, hold, drop_next: dropNext });
  }
  if (path === '/__sim/deliveries' && req.method === 'GET') {
    return send(res, 200, { deliveries: sent, queued: queue.length });
  }
  if (path === '/__sim/webhooks' && req.method === 'GET') {
    return send(res, 200, [...webhooks.values()].map((w) => ({ ...webhookView(w), failures: w.failures, secret: w.secret })));
  }
  return send(res, 404, '<!doctype html><title>Not found</title><p>Not found.</p>');
}

const server = http.createServer((req, res) => {
  handle(req, res).catch((e) => {
    if (!res.headersSent) wcError(res, 500, 'sim_error', String(e?.message ?? e));
  });
});
server.listen(Number(opts.port), '127.0.0.1', () => {
  home = `http://127.0.0.1:${server.address().port}`;
  process.stdout.write(`${JSON.stringify({ url: home })}\n`);
});
for (const sig of ['SIGTERM', 'SIGINT']) process.on(sig, () => server.close(() => process.exit(0)));
