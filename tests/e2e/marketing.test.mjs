// End to end: wp-admin → Volixta → Marketing and the unsubscribe link of its e-mails, on the real
// plugin, WordPress, service, MariaDB and maildev. A manager writes a message, sees how many
// clients it reaches, confirms and sends it; maildev receives it for the clients who opted in and
// not for the one who did not; the link of the e-mail, opened in a browser nobody logged in to,
// shows a confirmation page of the site whose button (a plain form, no script) unsubscribes; the
// client's profile then has marketing off and its activity says the client did it by the link; a
// mail program's one-click post (RFC 8058) unsubscribes another; the second message reaches only
// the client still subscribed. The list shows both messages with who sent them and their
// deliveries. Employees and clients get a 403. axe-core; screenshots at 1280 and 390 px.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startSite, stopSite, launchChromium, openSession, wpRestAs, swapped, axe, shoot, fits } from './harness.mjs';

let stack;
let browser;

before(async () => {
  stack = await startSite('marketing');
  browser = await launchChromium();
}, { timeout: 240_000 });

after(async () => {
  await browser?.close().catch(() => {});
  await stopSite(stack);
});

const session = (user, password, width = 1280) => openSession(browser, stack.site, user, password, width);
const wpRest = (context, method, route, data) => wpRestAs(context, stack.site, method, route, data);
const url = (page) => new URL(`wp-admin/admin.php?page=${page}`, stack.site.site).href;

async function until(what, check, seconds = 30) {
  const deadline = Date.now() + seconds * 1000;
  for (;;) {
    const found = await check();
    if (found) return found;
    if (Date.now() > deadline) assert.fail(`${what} within ${seconds} s`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

const mails = async () => (await fetch(stack.mailApi)).json();
const mailsTo = async (address, subject) =>
  (await mails()).filter((m) => m.subject === subject && m.to?.some((t) => t.address === address));

/** An e-mail's header, read from its source (maildev's JSON keeps only the subject). */
async function header(mail, name) {
  const source = await (await fetch(`${stack.mailApi}/${mail.id}/source`)).text();
  const head = source.split(/\r?\n\r?\n/)[0].replace(/\r?\n[ \t]+/g, ' ');
  const line = head.split(/\r?\n/).find((l) => l.toLowerCase().startsWith(`${name.toLowerCase()}:`));
  return line?.slice(name.length + 1).trim();
}

/** The unsubscribe link of an e-mail: its List-Unsubscribe header, also in its text. */
async function linkOf(mail) {
  const list = await header(mail, 'List-Unsubscribe');
  const link = /^<(.+)>$/.exec(list ?? '')?.[1];
  assert.ok(link, `List-Unsubscribe: ${list}`);
  assert.equal(await header(mail, 'List-Unsubscribe-Post'), 'List-Unsubscribe=One-Click');
  assert.ok(mail.text.includes(link), `the same link in the text: ${mail.text}`);
  assert.ok(link.startsWith(stack.site.site), `a page of the site: ${link}`);
  return link;
}

/** How many clients the Marketing screen says a message reaches now. */
async function audience(page) {
  await page.goto(url('volixta-marketing'));
  return Number(/^(\d+) clients? will receive it/.exec(await page.locator('#volixta-marketing-audience').textContent())[1]);
}

/** Writes a message on the Marketing screen, checks the count it shows, confirms and sends it. */
async function send(page, subject, body, count, shots = '') {
  await page.goto(url('volixta-marketing'));
  const clients = count === 1 ? 'client' : 'clients';
  assert.match(await page.locator('#volixta-marketing-audience').textContent(), new RegExp(`^${count} ${clients} will receive it`));
  await page.fill('#volixta-field-subject', subject);
  await page.fill('#volixta-field-body', body);
  if (shots) {
    await axe(page, 'the Marketing screen');
    await fits(page, 'the Marketing screen');
    await shoot(page, `admin-marketing-${shots}`);
  }
  await swapped(page, () => page.locator('#volixta-marketing-compose button[type=submit]').click(), '/wp-json/volixta/v1/render/admin/marketing/review');
  assert.match(await page.locator('#volixta-marketing-confirm').textContent(), new RegExp(`It goes to ${count} ${clients} now`));
  assert.equal(await page.locator('#volixta-confirm-subject').textContent(), subject);
  if (shots) {
    await axe(page, 'the confirmation');
    await fits(page, 'the confirmation');
    await shoot(page, `admin-marketing-confirm-${shots}`);
  }
  await swapped(page, () => page.locator('#volixta-marketing-send button[type=submit]').click(), '/wp-json/volixta/v1/render/admin/marketing/send');
  assert.match(await page.locator('.volixta-marketing .notice').first().textContent(), new RegExp(`on its way to ${count} ${clients}`));
  assert.equal(await page.locator('#volixta-field-subject').inputValue(), '', 'a fresh form after sending');
}

test('a manager sends a message from wp-admin; its link unsubscribes a reader without a login', async () => {
  const manager = await session('manager', 'manager');
  // The demo's clients who accept marketing get the messages too.
  const base = await audience(manager.page);
  const made = {};
  for (const [name, marketing] of [['Mia', true], ['Oli', false], ['Pia', true], ['Rae', true]]) {
    const res = await wpRest(manager.context, 'POST', 'volixta/v1/clients',
      { first_name: name, last_name: 'Reader', email: `${name.toLowerCase()}@example.com`, notifications: { marketing } });
    assert.equal(res.status, 201, JSON.stringify(res.body));
    made[name] = res.body.id;
  }
  const subject = 'Spring offers';
  await send(manager.page, subject, 'Ten percent off.\n\nSee you soon!', base + 3, '1280');

  const mia = await until('the message reaches Mia', async () => (await mailsTo('mia@example.com', subject))[0]);
  const pia = await until('the message reaches Pia', async () => (await mailsTo('pia@example.com', subject))[0]);
  await until('the message reaches Rae', async () => (await mailsTo('rae@example.com', subject))[0]);
  assert.deepEqual(await mailsTo('oli@example.com', subject), [], 'not to a client who did not opt in');
  assert.match(mia.text, /Ten percent off\./);
  const miaLink = await linkOf(mia);
  const piaLink = await linkOf(pia);

  // Opened in a browser nobody logged in to: a page of the site with a button, which a mail
  // scanner following the link does not press. bypassCSP only lets axe-core in.
  for (const width of [1280, 390]) {
    const visitor = await browser.newContext({ viewport: { width, height: 900 }, bypassCSP: true });
    const page = await visitor.newPage();
    const res = await page.goto(miaLink);
    assert.equal(res.status(), 200);
    assert.match(res.headers()['content-security-policy'] ?? '', /form-action 'self'/);
    assert.match(await page.title(), /^Unsubscribe/);
    assert.match(await page.locator('main').textContent(), /Stop receiving news and offers/);
    await axe(page, `the unsubscribe page at ${width} px`);
    await fits(page, `the unsubscribe page at ${width} px`);
    await shoot(page, `unsubscribe-confirm-${width}`);
    await visitor.close();
  }
  const client = async (id) => (await wpRest(manager.context, 'GET', `volixta/v1/clients/${id}`)).body;
  assert.equal((await client(made.Mia)).notifications.marketing, true, 'opening the link changed nothing');

  const visitor = await browser.newContext({ viewport: { width: 390, height: 900 }, javaScriptEnabled: false });
  const page = await visitor.newPage();
  await page.goto(miaLink);
  await Promise.all([page.waitForLoadState('load'), page.getByRole('button', { name: 'Unsubscribe' }).click()]);
  await page.waitForSelector('[role=status]');
  assert.match(await page.locator('[role=status]').textContent(), /You are unsubscribed/);
  await fits(page, 'the unsubscribed page at 390 px');
  await shoot(page, 'unsubscribe-done-390');
  await visitor.close();
  assert.equal((await client(made.Mia)).notifications.marketing, false, 'the button unsubscribed');

  // The profile: marketing off in the form, and who did it in the activity.
  await manager.page.goto(url(`volixta-clients&client=${made.Mia}&action=edit`));
  assert.equal(await manager.page.locator('input[name="marketing"][type=checkbox]').isChecked(), false, 'the client form shows marketing off');
  await manager.page.goto(url(`volixta-clients&client=${made.Mia}&tab=activity`));
  const activity = await manager.page.locator('#volixta-client-activity').textContent();
  assert.match(activity, /Unsubscribed from marketing/);
  assert.match(activity, /The client, by the link in an e-mail/);
  await shoot(manager.page, 'unsubscribe-activity-1280');

  // A mail program's one-click unsubscribe: one POST to the link, no cookie, no page.
  const oneClick = await fetch(piaLink, { method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body: 'List-Unsubscribe=One-Click' });
  assert.equal(oneClick.status, 200);
  assert.equal((await client(made.Pia)).notifications.marketing, false, 'one click unsubscribed');

  // A forged link changes nothing and says so.
  const forged = await fetch(miaLink.replace(/client=\d+/, `client=${made.Oli}`));
  assert.equal(forged.status, 403);
  assert.match(await forged.text(), /not valid/);

  const second = 'Summer offers';
  await send(manager.page, second, 'Again.', base + 1);
  await until('the second message reaches Rae', async () => (await mailsTo('rae@example.com', second))[0]);
  for (const address of ['mia@example.com', 'pia@example.com', 'oli@example.com']) {
    assert.deepEqual(await mailsTo(address, second), [], `${address} got the second message`);
  }

  // The list: both messages, who sent them, recipients and deliveries.
  await until('the list shows both messages delivered', async () => {
    await manager.page.goto(url('volixta-marketing'));
    const rows = await manager.page.locator('#volixta-marketing-sent tbody tr').allTextContents();
    return rows.length === 2 && /Summer offers/.test(rows[0]) && /Spring offers/.test(rows[1])
      && (await manager.page.locator('#volixta-marketing-sent tbody tr').nth(1).locator('[data-colname="Delivered"]').textContent()).trim() === String(base + 3)
      && (await manager.page.locator('#volixta-marketing-sent tbody tr').nth(0).locator('[data-colname="Delivered"]').textContent()).trim() === String(base + 1);
  });
  const me = (await wpRest(manager.context, 'GET', 'wp/v2/users/me')).body.name;
  assert.ok(me, 'the manager has a display name');
  assert.equal((await manager.page.locator('#volixta-marketing-sent tbody tr').first().locator('[data-colname="Sent by"]').textContent()).trim(), me);
  await axe(manager.page, 'the Marketing screen with messages');
  await shoot(manager.page, 'admin-marketing-sent-1280');
  await manager.context.close();

  const phone = await session('manager', 'manager', 390);
  await phone.page.goto(url('volixta-marketing'));
  await fits(phone.page, 'the Marketing screen at 390 px');
  await axe(phone.page, 'the Marketing screen at 390 px');
  await shoot(phone.page, 'admin-marketing-390');
  await phone.context.close();
});

test('employees and clients get neither the screen nor its sending', async () => {
  const admin = await session('admin', 'admin');
  const made = await wpRest(admin.context, 'POST', 'wp/v2/users',
    { username: 'employee', email: 'employee@example.com', password: 'employee', roles: ['volixta_employee'] });
  assert.equal(made.status, 201, JSON.stringify(made.body));
  await admin.context.close();
  for (const [user, password] of [['employee', 'employee'], ['client', 'client']]) {
    const { context, page } = await session(user, password);
    const res = await page.goto(url('volixta-marketing'));
    assert.equal(res.status(), 403, `${user} opened the screen`);
    for (const [method, route, data] of [['GET', 'render/admin/marketing'], ['POST', 'render/admin/marketing/send', { subject: 'Hi', body: 'x' }], ['POST', 'marketing', { subject: 'Hi', body: 'x' }]]) {
      const answer = await wpRest(context, method, `volixta/v1/${route}`, data);
      assert.equal(answer.status, 403, `${user} ${method} ${route}`);
    }
    await context.close();
  }
});
