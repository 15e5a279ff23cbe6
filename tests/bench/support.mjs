// What the page benchmarks of `make bench` share: a WordPress login, a timed GET of a whole page,
// percentiles, the load average, and writing one section of docs/benchmarks.md.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ROOT } from '../e2e/harness.mjs';

/** The cookies WordPress sets on a successful login, as one Cookie header. */
export async function logIn(site, user, password) {
  const res = await fetch(site.login_url, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded', Cookie: 'wordpress_test_cookie=WP%20Cookie%20check' },
    body: new URLSearchParams({ log: user, pwd: password, testcookie: '1', 'wp-submit': 'Log In' }),
  });
  const cookies = res.headers.getSetCookie().map((c) => c.split(';')[0]).filter((c) => !c.endsWith('=deleted'));
  if (res.status !== 302 || !cookies.some((c) => c.startsWith('wordpress_logged_in'))) {
    throw new Error(`login of ${user} failed: HTTP ${res.status}`);
  }
  return cookies.join('; ');
}

export async function timedGet(url, cookie, mustContain) {
  const started = process.hrtime.bigint();
  const res = await fetch(url, { headers: { Cookie: cookie }, redirect: 'manual' });
  const body = await res.text();
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  if (res.status !== 200 || !body.includes(mustContain)) {
    throw new Error(`GET ${url}: HTTP ${res.status}, ${mustContain} missing`);
  }
  return { ms, bytes: body.length };
}

export const percentile = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.round((sorted.length - 1) * p))];
export const loadAverage = () => os.loadavg()[0].toFixed(2);

export function writeSection(name, body) {
  const file = path.join(ROOT, 'docs', 'benchmarks.md');
  let doc = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '# Benchmarks\n';
  const begin = `<!-- BEGIN ${name} -->`;
  const end = `<!-- END ${name} -->`;
  const section = `${begin}\n${body.trimEnd()}\n${end}`;
  const b = doc.indexOf(begin);
  const e = doc.indexOf(end);
  doc = b >= 0 && e > b ? doc.slice(0, b) + section + doc.slice(e + end.length) : `${doc.trimEnd()}\n\n${section}\n`;
  fs.writeFileSync(file, doc);
  console.log(`wrote the ${name} section of ${file}`);
}

