// `make bench`: the client portal as a client's browser gets it — the whole "My account" page
// through WordPress, with the plugin fetching the service's fragment — for a client with
// VOLIXTA_BENCH_BOOKINGS (200) bookings, beside the site's plain "Sample Page" in the same run on
// the same site, logged in as the same client. The goal is a ratio of at most 1.2.
//
// Starts its own stack with the harness of the end-to-end tests (real WordPress under `php -S`,
// the service named by VOLIXTA_SERVICE_BIN, MariaDB), gives the demo client Ada her bookings in
// SQL (past and future, every status), then times RUNS sequential GETs of each page, interleaved,
// after warm-ups. Writes its section of docs/benchmarks.md.
import { execFileSync } from 'node:child_process';
import { SERVICE_BIN, startSite, stopSite, sql } from '../e2e/harness.mjs';
import { logIn, timedGet, percentile, loadAverage, writeSection } from './support.mjs';

const BOOKINGS = Number(process.env.VOLIXTA_BENCH_BOOKINGS ?? 200);
const RUNS = Number(process.env.VOLIXTA_BENCH_RUNS ?? 40);
const WARMUP = 5;
const GOAL = 1.2;

const loadAtStart = loadAverage();
const stack = await startSite('bench-portal');
try {
  const bookings = `\`${stack.db}\`.wp_volixta_bookings`;
  const client = Number(stack.data.client_id);
  const [[service, location, staff]] = sql(`SELECT service_id, location_id, staff_id FROM ${bookings} WHERE client_id = ${client} LIMIT 1`);
  const [[have]] = sql(`SELECT COUNT(*) FROM ${bookings} WHERE client_id = ${client}`);
  const statuses = ['confirmed', 'pending', 'cancelled', 'completed', 'no_show'];
  const rows = [];
  for (let i = Number(have); i < BOOKINGS; i++) {
    const status = i >= BOOKINGS / 2 ? statuses[i % 2] : statuses[i % 5];
    const hours = i * 36 + 3;
    rows.push(`(${client}, ${service}, ${location}, ${staff}, UTC_TIMESTAMP() - INTERVAL 150 DAY + INTERVAL ${hours} HOUR, `
      + `UTC_TIMESTAMP() - INTERVAL 150 DAY + INTERVAL ${hours + 1} HOUR, '${status}')`);
  }
  if (rows.length) {
    sql(`INSERT INTO ${bookings} (client_id, service_id, location_id, staff_id, start_at, end_at, status) VALUES ${rows.join(', ')}`);
  }

  const cookie = `${await logIn(stack.site, 'client', 'client')}; volixta_tz=Asia%2FTokyo`;
  const pages = [
    { name: 'plain WordPress page ("Sample Page")', url: new URL('?pagename=sample-page', stack.site.site).href, mark: 'Sample Page' },
    { name: `"My account": the portal, ${BOOKINGS} bookings`, url: stack.site.account_url, mark: 'data-volixta-fragment="customer_profile"' },
    { name: 'the portal with a booking\'s Payment tab', url: null, mark: 'id="volixta-portal-booking"' },
  ];
  const [[open]] = sql(`SELECT id FROM ${bookings} WHERE client_id = ${client} AND status = 'confirmed' AND start_at > UTC_TIMESTAMP() ORDER BY start_at LIMIT 1`);
  pages[2].url = `${stack.site.account_url}?booking=${open}&tab=payment`;
  for (const p of pages) {
    p.times = [];
    for (let i = 0; i < WARMUP; i++) await timedGet(p.url, cookie, p.mark);
  }
  // Interleaved, so that whatever else the machine does falls on every page alike.
  for (let i = 0; i < RUNS; i++) {
    for (const p of pages) {
      const { ms, bytes } = await timedGet(p.url, cookie, p.mark);
      p.times.push(ms);
      p.bytes = bytes;
    }
  }
  for (const p of pages) {
    p.times.sort((a, b) => a - b);
    p.p50 = percentile(p.times, 0.5);
    p.p95 = percentile(p.times, 0.95);
  }
  const bare = pages[0].p50;
  const ratio = pages[1].p50 / bare;
  const build = SERVICE_BIN.includes('/release/') ? 'the release service' : 'a DEBUG build of the service';
  const rows2 = pages.map((p) => `| ${p.name} | ${p.p50.toFixed(1)} | ${p.p95.toFixed(1)} | ${(p.p50 / bare).toFixed(2)} | ${Math.round(p.bytes / 1024)} |`);
  const section = `## Client portal page through WordPress

\`node tests/bench/portal-page.mjs\` (part of \`make bench\`): a fresh WordPress (Debian's package
under \`php -S\` with 4 workers, PHP ${execFileSync('php', ['-r', 'echo PHP_VERSION;']).toString()}) with the plugin, ${build} and
MariaDB on the same 2-core host; the demo client with ${BOOKINGS} bookings (past and future, every status). Logged in as
the client (zone remembered: Asia/Tokyo), each page is fetched ${RUNS} times in turn after ${WARMUP} warm-ups (whole HTML
response, no assets). The plain page is the theme's "Sample Page", so the ratio is what the plugin's call and the service's
fragment add to a page of the site. Goal ≤ ${GOAL}×: ${ratio <= GOAL ? 'met' : 'missed'} (${ratio.toFixed(2)}×).
1-minute load average ${loadAtStart} at the start, ${loadAverage()} at the end.

| page | p50 ms | p95 ms | p50 / plain | KiB |
| --- | ---: | ---: | ---: | ---: |
${rows2.join('\n')}
`;
  console.log(section);
  writeSection('portal-page', section);
} finally {
  await stopSite(stack);
}
