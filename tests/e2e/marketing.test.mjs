// End to end: marketing e-mails and their unsubscribe link on the real plugin, WordPress,
// service, MariaDB and maildev. A manager's message reaches an opted-in client and not an
// opted-out one; the link of the e-mail maildev received, opened in a browser that is not logged
// in, shows a confirmation page of the site, whose button (a plain form, no script) unsubscribes;
// the client's profile then has marketing off and its activity says the client did it by the
// link; a mail program's one-click post (RFC 8058) unsubscribes another; the next message reaches
// neither. axe-core; screenshots at 1280 and 390 px.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startSite, stopSite, launchChromium, openSession, wpRestAs, axe, shoot, fits } from './harness.mjs';

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

test('a marketing e-mail\'s link unsubscribes its reader without a login, and the profile shows it', async () => {
  const manager = await session('manager', 'manager');
  const made = {};
  for (const [name, marketing] of [['Mia', true], ['Oli', false], ['Pia', true]]) {
    const res = await wpRest(manager.context, 'POST', 'volixta/v1/clients',
      { first_name: name, last_name: 'Reader', email: `${name.toLowerCase()}@example.com`, notifications: { marketing } });
    assert.equal(res.status, 201, JSON.stringify(res.body));
    made[name] = res.body.id;
  }
  const subject = 'Spring offers';
  const sent = await wpRest(manager.context, 'POST', 'volixta/v1/marketing', { subject, body: 'Ten percent off.\n\nSee you soon!' });
  assert.equal(sent.status, 201, JSON.stringify(sent.body));

  // The demo's clients who accept marketing get it too; ours are two of them.
  const first = sent.body.recipients;
  assert.ok(first >= 2, `recipients: ${first}`);
  const mia = await until('the message reaches Mia', async () => (await mailsTo('mia@example.com', subject))[0]);
  const pia = await until('the message reaches Pia', async () => (await mailsTo('pia@example.com', subject))[0]);
  assert.deepEqual(await mailsTo('oli@example.com', subject), [], 'not to a client who did not opt in');
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

  const again = await wpRest(manager.context, 'POST', 'volixta/v1/marketing', { subject: 'Summer offers', body: 'Again.' });
  assert.equal(again.status, 201, JSON.stringify(again.body));
  assert.equal(again.body.recipients, first - 2, 'neither of the two who unsubscribed');
  await until('the second message is delivered', async () =>
    (await mails()).filter((m) => m.subject === 'Summer offers').length === first - 2);
  for (const address of ['mia@example.com', 'pia@example.com', 'oli@example.com']) {
    assert.deepEqual(await mailsTo(address, 'Summer offers'), [], `${address} got the second message`);
  }
  await manager.context.close();
});
