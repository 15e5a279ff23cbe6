// Process harness of the end-to-end tests: free ports, background processes in their own process
// groups (stopped on every exit path, including failures and Ctrl-C), HTTP waits, PHP scripts.
import { spawn, execFile, execFileSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import os from 'node:os';

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
