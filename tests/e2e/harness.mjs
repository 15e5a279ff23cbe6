// Process harness of the end-to-end tests: free ports, background processes in their own process
// groups (stopped on every exit path, including failures and Ctrl-C), HTTP waits, PHP scripts.
import { spawn, execFile, execFileSync } from 'node:child_process';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import os from 'node:os';
import { chromium } from 'playwright-core';

export const ROOT = path.resolve(import.meta.dirname, '../..');
export const OUT = path.join(ROOT, 'target', 'e2e');
fs.mkdirSync(OUT, { recursive: true });

/** A TCP port nobody listens on right now. */
export function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

const running = new Set();

/** Starts a long-running process in its own process group, output to target/e2e/NAME.log. */
export function start(name, command, args, { env = {}, cwd = ROOT } = {}) {
  const logFile = path.join(OUT, `${name}.log`);
  const log = fs.openSync(logFile, 'w');
  const child = spawn(command, args, {
    cwd,
    env: { ...process.env, ...env },
    stdio: ['ignore', log, log],
    detached: true,
  });
  fs.closeSync(log);
  const proc = { name, child, logFile, exited: null };
  child.on('exit', (code, signal) => { proc.exited = { code, signal }; });
  child.on('error', (err) => { proc.exited = { error: err.message }; });
  running.add(proc);
  return proc;
}

function signalGroup(proc, signal) {
  try { process.kill(-proc.child.pid, signal); } catch { /* already gone */ }
}

/** Stops every process start() started: SIGTERM to each group, then SIGKILL after 5 s. */
export async function stopAll() {
  const procs = [...running];
  running.clear();
  for (const p of procs) if (!p.exited) signalGroup(p, 'SIGTERM');
  const deadline = Date.now() + 5000;
  while (procs.some((p) => !p.exited) && Date.now() < deadline) await sleep(100);
  // Also the group's leftovers (php -S workers) whose leader already left.
  for (const p of procs) signalGroup(p, 'SIGKILL');
}

// A backstop for exits that skip after() hooks (an uncaught error, Ctrl-C).
process.on('exit', () => { for (const p of running) signalGroup(p, 'SIGKILL'); });
for (const sig of ['SIGINT', 'SIGTERM']) {
  process.on(sig, () => { for (const p of running) signalGroup(p, 'SIGKILL'); process.exit(130); });
}

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

export function tail(proc, lines = 30) {
  try {
    return fs.readFileSync(proc.logFile, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}

/** Waits until GET url answers 2xx, failing early (with its log) if proc exits. */
export async function waitHttp(url, proc, timeoutMs = 60_000) {
  const deadline = Date.now() + timeoutMs;
  let last = '';
  while (Date.now() < deadline) {
    if (proc?.exited) {
      throw new Error(`${proc.name} exited (${JSON.stringify(proc.exited)}) before ${url} answered:\n${tail(proc)}`);
    }
    try {
      const res = await fetch(url, { redirect: 'manual', signal: AbortSignal.timeout(5000) });
      if (res.ok) return;
      last = `HTTP ${res.status}`;
    } catch (err) {
      last = err.cause?.code ?? err.message;
    }
    await sleep(250);
  }
  throw new Error(`${url} did not answer within ${timeoutMs} ms (${last})${proc ? `:\n${tail(proc)}` : ''}`);
}

/** Runs one of scripts/*.php and returns its JSON output. */
export function php(script, args, env = {}) {
  return new Promise((resolve, reject) => {
    execFile('php', [path.join(ROOT, 'scripts', script), ...args],
      { cwd: ROOT, env: { ...process.env, ...env }, timeout: 120_000 },
      (err, stdout, stderr) => {
        if (err) {
          reject(new Error(`php ${script} failed (${err.code ?? err.signal}):\n${stderr}${stdout}`));
          return;
        }
        try {
          resolve(JSON.parse(stdout));
        } catch {
          reject(new Error(`php ${script} printed no JSON:\n${stdout}\n${stderr}`));
        }
      });
  });
}

/** Runs SQL on the MariaDB server (through PHP's mysqli: no mariadb client needed); returns the rows. */
export function sql(statement) {
  const out = execFileSync('php', ['-r', `
    mysqli_report(MYSQLI_REPORT_ERROR | MYSQLI_REPORT_STRICT);
    [$h, $p] = array_pad(explode(':', getenv('VOLIXTA_WP_DB_HOST') ?: '127.0.0.1:3306', 2), 2, '3306');
    $r = (new mysqli($h, getenv('VOLIXTA_WP_DB_USER') ?: 'root', (string) getenv('VOLIXTA_WP_DB_PASSWORD'), '', (int) $p))->query($argv[1]);
    echo json_encode($r instanceof mysqli_result ? $r->fetch_all() : []);`,
  statement], { stdio: ['ignore', 'pipe', 'inherit'] });
  return JSON.parse(out.toString());
}

/** Whether a process with this id runs on this machine. */
export function alive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return err.code === 'EPERM';
  }
}

export function tempDir(prefix) {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

export const SERVICE_BIN = process.env.VOLIXTA_SERVICE_BIN
  ?? path.join(process.env.CARGO_TARGET_DIR ?? path.join(os.homedir(), '.cache', 'volixta-target'), 'debug', 'volixta-service');
// One database per test file and run (several people may test on one machine at once, and node
// --test runs each file in its own process), dropped at the end; a run that was killed leaves its
// database behind, and the next run sweeps it.
const DB_PREFIX = 'volixta_e2e_';

/**
 * Starts this test file's own stack: maildev, a fresh WordPress with the plugin and the demo
 * data, and volixta-service, on free ports with a random shared secret and data key. Logs go to
 * target/e2e/TAG-*.log. `serviceEnv` adds to the service's environment (a WooCommerce store to
 * talk to, say). Returns what the tests need; stopSite() undoes it.
 */
export async function startSite(tag, { serviceEnv = {} } = {}) {
  assert.ok(fs.existsSync(SERVICE_BIN), `no service binary at ${SERVICE_BIN} (cargo build -p volixta-service)`);
  const db = process.env.VOLIXTA_E2E_DB ? `${process.env.VOLIXTA_E2E_DB}_${tag}` : `${DB_PREFIX}${process.pid}`;
  const debugLog = path.join(OUT, `${tag}-wp-debug.log`);
  fs.rmSync(debugLog, { force: true });
  for (const [name] of sql(`SHOW DATABASES LIKE '${DB_PREFIX}%'`)) {
    const pid = Number(name.slice(DB_PREFIX.length));
    if (!Number.isInteger(pid) || pid <= 0 || alive(pid)) continue;
    // A leftover this run cannot remove (a server that ran out of disk can leave stray files in
    // its folder) must not stop this run, whose own database has another name.
    try { sql(`DROP DATABASE \`${name}\``); } catch (e) { console.warn(`could not drop ${name}: ${e.message.split('\n')[0]}`); }
  }
  const secret = crypto.randomBytes(32).toString('hex');
  const dataKey = crypto.randomBytes(32).toString('hex');
  const [servicePort, wpPort, smtpPort, mailWebPort] = await Promise.all([freePort(), freePort(), freePort(), freePort()]);
  const siteUrl = `http://127.0.0.1:${wpPort}`;
  const serviceUrl = `http://127.0.0.1:${servicePort}`;
  const stack = { tag, db, secret, dataKey, serviceUrl, contentDir: null };

  stack.mailApi = `http://127.0.0.1:${mailWebPort}/api/email`;
  const maildev = start(`${tag}-maildev`, path.join(ROOT, 'tests/e2e/node_modules/.bin/maildev'),
    ['--smtp', String(smtpPort), '--web', String(mailWebPort), '--ip', '127.0.0.1', '--web-ip', '127.0.0.1']);
  await waitHttp(stack.mailApi, maildev); // before the install, which already sends mail

  // A fresh database every run: WordPress first, then the service adds its tables to it.
  // This run's own content folder (plugin link, uploads) and mail catcher.
  stack.contentDir = tempDir('volixta-e2e-wp-content-');
  stack.wpEnv = { VOLIXTA_WP_SMTP_PORT: String(smtpPort), VOLIXTA_WP_CONTENT_DIR: stack.contentDir };
  stack.site = await php('wp-install.php', [`--url=${siteUrl}`, `--db=${db}`, `--service-url=${serviceUrl}`,
    `--secret=${secret}`, '--recreate-db'], stack.wpEnv);

  const service = start(`${tag}-service`, SERVICE_BIN, ['serve'], {
    env: {
      VOLIXTA_SHARED_SECRET: secret,
      VOLIXTA_DATA_KEY: dataKey,
      VOLIXTA_DATABASE_URL: `mysql://root@127.0.0.1:3306/${db}`,
      VOLIXTA_LISTEN: `127.0.0.1:${servicePort}`,
      VOLIXTA_SMTP_URL: `smtp://127.0.0.1:${smtpPort}`,
      RUST_LOG: process.env.RUST_LOG ?? 'info',
      ...serviceEnv,
    },
  });
  const wordpress = start(`${tag}-wordpress`, 'php', ['-S', `127.0.0.1:${wpPort}`, '-t', '/usr/share/wordpress',
    path.join(ROOT, 'scripts/wp/router.php')], {
    env: {
      ...stack.wpEnv,
      PHP_CLI_SERVER_WORKERS: '4',
      VOLIXTA_WP_DB_NAME: db,
      VOLIXTA_WP_DEBUG_LOG: debugLog,
    },
  });
  await Promise.all([
    waitHttp(`${serviceUrl}/readyz`, service, 90_000),
    waitHttp(`${siteUrl}/wp-login.php`, wordpress),
  ]);

  // The demo data goes through the service, signed by the plugin's own client.
  stack.data = await php('demo-data.php', [`--url=${siteUrl}`, `--db=${db}`], stack.wpEnv);
  assert.ok(stack.data.client_id, `demo-data.php made no client: ${JSON.stringify(stack.data)}`);
  return stack;
}

/** Stops what startSite() started and removes its database and folders. */
export async function stopSite(stack) {
  await stopAll();
  if (!stack) return;
  if (stack.contentDir) fs.rmSync(stack.contentDir, { recursive: true, force: true });
  try { sql(`DROP DATABASE IF EXISTS \`${stack.db}\``); } catch { /* the server may be the thing that failed */ }
}

/** Chromium as the tests drive it: Debian's, headless, nothing phoning home. */
export const CHROMIUM = {
  executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
  headless: true,
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync'],
};

/** A fresh Chromium for tests that need several logins at once (one context per user). */
export function launchChromium() {
  return chromium.launch(CHROMIUM);
}

/** The smallest PNG (one transparent pixel), for photo uploads. */
export const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==', 'base64');

/** A day `days` from now at `hour`:00 UTC, as RFC 3339 (a booking's start for the API). */
export function utcDaysFromNow(days, hour) {
  const d = new Date(Date.now() + days * 86_400_000);
  d.setUTCHours(hour, 0, 0, 0);
  return d.toISOString().replace('.000Z', 'Z');
}

/**
 * Logs a browser context in through wp-login.php. The values are read back before submitting, and
 * a form WordPress answers with "field is empty" is filled again, at most three times.
 */
export async function logIn(page, site, user, password) {
  let why = '';
  for (let attempt = 1; attempt <= 3; attempt++) {
    await page.goto(site.login_url);
    // wp_attempt_focus() moves the focus to the user field 200 ms after the page is parsed; typing
    // before it fires can send the password into the user field.
    await page.waitForFunction(() => document.activeElement?.id === 'user_login', null, { timeout: 5000 }).catch(() => {});
    await page.fill('#user_login', user);
    await page.fill('#user_pass', password);
    const filled = await page.evaluate(() => [document.getElementById('user_login').value,
      document.getElementById('user_pass').value, document.getElementById('user_pass').disabled]);
    if (filled[0] !== user || filled[1] !== password || filled[2]) {
      why = `the form did not keep what was typed: ${JSON.stringify(filled.slice(0, 1).concat(filled[2]))}`;
      console.warn(`logging in as ${user}, attempt ${attempt}: ${why}`);
      continue;
    }
    const [answer] = await Promise.all([
      page.waitForResponse((r) => r.request().method() === 'POST' && new URL(r.url()).pathname.endsWith('/wp-login.php')),
      page.click('#wp-submit'),
    ]);
    if (answer.status() === 302) {
      await page.waitForURL((url) => !url.pathname.endsWith('/wp-login.php'));
      return;
    }
    why = (await page.locator('#login_error').textContent({ timeout: 1000 }).catch(() => 'no #login_error on the page')).trim();
    if (!/field is empty/.test(why)) break;
    console.warn(`logging in as ${user}, attempt ${attempt}: ${why}`);
  }
  throw new Error(`logging in as ${user} stayed on wp-login.php: ${why}`);
}

/** A browser context logged in as `user`, with its first page. */
export async function openSession(browser, site, user, password, width = 1280) {
  const context = await browser.newContext({ viewport: { width, height: 900 } });
  context.setDefaultTimeout(20_000);
  const page = await context.newPage();
  await logIn(page, site, user, password);
  return { context, page };
}

/** A WordPress REST call made as the context's user (cookie + nonce, as wp-admin's scripts do). */
export async function wpRestAs(context, site, method, route, data) {
  const nonce = (await (await context.request.get(new URL('wp-admin/admin-ajax.php?action=rest-nonce', site.site).href)).text()).trim();
  const res = await context.request.fetch(new URL(`wp-json/${route}`, site.site).href, { method, headers: { 'X-WP-Nonce': nonce }, data });
  return { status: res.status(), body: await res.json().catch(() => null) };
}

/** Runs an action that swaps part of a Volixta screen and waits until the swap settled. */
export async function swapped(page, action, urlPart = '/wp-json/volixta/v1/render/admin/') {
  await page.evaluate(() => {
    window.volixtaSettled = false;
    document.addEventListener('htmx:afterSettle', () => { window.volixtaSettled = true; }, { once: true });
  });
  const response = page.waitForResponse((r) => r.url().includes(urlPart));
  await action();
  const res = await response;
  assert.equal(res.status(), 200, `the screen answered ${res.status()}`);
  await page.waitForFunction(() => window.volixtaSettled === true);
  return res;
}

/** axe-core on the Volixta container: no serious or critical violation. */
export async function axe(page, label) {
  await page.addScriptTag({ path: path.join(ROOT, 'tests/e2e/node_modules/axe-core/axe.min.js') });
  const result = await page.evaluate(() => window.axe.run({ include: [['.volixta-wrap']] }, { resultTypes: ['violations'] }));
  const bad = result.violations.filter((v) => ['serious', 'critical'].includes(v.impact));
  assert.deepEqual(bad.map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => `${n.target.join(' ')}: ${n.failureSummary}`).join('; ')})`), [], `axe on ${label}`);
}

/** A full-page screenshot under target/e2e/NAME.png. */
export async function shoot(page, name) {
  await page.screenshot({ path: path.join(OUT, `${name}.png`), fullPage: true });
}

/** Nothing of the screen sticks out sideways (a phone would scroll horizontally). */
export async function fits(page, label) {
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  assert.ok(overflow <= 1, `${label} is ${overflow}px wider than the screen`);
}
