// `make bench`: the wp-admin Clients screen as a manager's browser gets it — the whole page through
// WordPress, with the plugin fetching the service's fragment — beside a bare wp-admin page of the
// same menu and capability that prints nothing but a heading, in the same run on the same site.
// The ratio of the two is what the plugin and the service add to a wp-admin page.
//
// Starts its own stack with the harness of the end-to-end tests (real WordPress under `php -S`,
// the release service, MariaDB), imports VOLIXTA_BENCH_CLIENTS (100,000) clients with
// `volixta-service import-clients`, then times RUNS sequential GETs of each page, interleaved,
// after warm-ups. Writes its section of docs/benchmarks.md.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { SERVICE_BIN, startSite, stopSite, tempDir } from '../e2e/harness.mjs';
import { logIn, timedGet, percentile, loadAverage, writeSection } from './support.mjs';

const CLIENTS = Number(process.env.VOLIXTA_BENCH_CLIENTS ?? 100_000);
const RUNS = Number(process.env.VOLIXTA_BENCH_RUNS ?? 40);
const WARMUP = 5;
const BARE_SLUG = 'volixta-bench-bare';

function clientsCsv(n) {
  const first = ['Ann', 'Bob', 'Zoë', 'Émile', 'Mia', 'Noah', 'Lena', 'Omar', 'Ivy', 'Leo', 'Sara', 'Yusuf'];
  const last = ['Smith', 'Lee', 'Ångström', 'Dubois', 'Rossi', 'Novak', 'García', 'Müller', 'Okafor', 'Tanaka'];
  const statuses = ['New', 'VIP', 'Returning', 'Regular'];
  const lines = ['first_name,last_name,email,phone,city,status'];
  for (let i = 0; i < n; i++) {
    const phone = `+44 20 ${String(Math.floor(i / 10_000)).padStart(4, '0')} ${String(i % 10_000).padStart(4, '0')}`;
    lines.push(`${first[i % first.length]},${last[Math.floor(i / 7) % last.length]},bench${i}@example.com,${phone},City ${i % 50},${statuses[i % 4]}`);
  }
  return `${lines.join('\n')}\n`;
}

const loadAtStart = loadAverage();
const stack = await startSite('bench-admin');
try {
  // A wp-admin page under the same menu and capability as Volixta's screens that prints only
  // its heading: what any wp-admin page costs on this site.
  fs.writeFileSync(path.join(stack.contentDir, 'mu-plugins', 'volixta-bench-bare-page.php'), `<?php
add_action( 'admin_menu', function () {
	add_submenu_page( 'volixta-clients', 'Bare', 'Bare', 'volixta_manage', '${BARE_SLUG}', function () {
		echo '<div class="wrap"><h1>Bare page</h1></div>';
	} );
}, 20 );
`);

  const dir = tempDir('volixta-bench-');
  const csv = path.join(dir, 'clients.csv');
  fs.writeFileSync(csv, clientsCsv(CLIENTS));
  const imported = Date.now();
  execFileSync(SERVICE_BIN, ['import-clients', csv], {
    env: {
      ...process.env,
      VOLIXTA_SHARED_SECRET: stack.secret,
      VOLIXTA_DATA_KEY: stack.dataKey,
      VOLIXTA_DATABASE_URL: `mysql://root@127.0.0.1:3306/${stack.db}`,
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const importSecs = (Date.now() - imported) / 1000;
  fs.rmSync(dir, { recursive: true, force: true });

  const cookie = await logIn(stack.site, 'manager', 'manager');
  const admin = stack.site.admin_url;
  const pages = [
    { name: 'bare wp-admin page (same menu, heading only)', url: `${admin}admin.php?page=${BARE_SLUG}`, mark: 'Bare page' },
    { name: 'Volixta → Clients, first page', url: `${admin}admin.php?page=volixta-clients`, mark: 'id="volixta-clients-results"' },
    { name: 'Volixta → Clients, search "angstrom"', url: `${admin}admin.php?page=volixta-clients&search=angstrom`, mark: 'id="volixta-clients-results"' },
  ];
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
  const rows = pages.map((p) => `| ${p.name} | ${p.p50.toFixed(1)} | ${p.p95.toFixed(1)} | ${(p.p50 / bare).toFixed(2)} | ${Math.round(p.bytes / 1024)} |`);
  const section = `## wp-admin Clients screen through WordPress

\`node tests/bench/admin-page.mjs\` (part of \`make bench\`): a fresh WordPress (Debian's package
under \`php -S\` with 4 workers, PHP ${execFileSync('php', ['-r', 'echo PHP_VERSION;']).toString()}) with the plugin, the release service and
MariaDB 10.11 on the same 2-core host; ${CLIENTS} clients imported with \`volixta-service
import-clients\` (${importSecs.toFixed(1)} s). Logged in as the manager, each page is fetched ${RUNS} times in turn after
${WARMUP} warm-ups (whole HTML response, no assets). The bare page is a wp-admin page under the same menu and capability
that prints only a heading, so the ratio is what the plugin's proxy call and the service's
fragment add to a wp-admin page. 1-minute load average ${loadAtStart} at the start, ${loadAverage()} at the end.

| page | p50 ms | p95 ms | p50 / bare | KiB |
| --- | ---: | ---: | ---: | ---: |
${rows.join('\n')}
`;
  console.log(section);
  writeSection('admin-page', section);
} finally {
  await stopSite(stack);
}
