// End to end: wp-admin → My bookings, an employee's own dashboard, on the real plugin, WordPress
// and service. Two staff members linked to two WordPress users; the employee sees only its own
// bookings (days with bookings, time, service, client, status) and nothing of the other's client,
// opens a booking's panel with only the actions its permissions allow (it may reschedule, not
// cancel nor take payments), gets a 404 for the other's booking by URL (page and fragments), and
// sees a manager's reschedule from another browser within seconds without a reload. An employee
// no staff member is linked to is told so. axe-core; screenshots at 1280 and 390 px.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startSite, stopSite, launchChromium, sql, openSession, wpRestAs, swapped, axe, shoot, fits, utcDaysFromNow as at } from './harness.mjs';

let stack;
let browser;
let data;

before(async () => {
  stack = await startSite('admin-my-bookings');
  browser = await launchChromium();
}, { timeout: 240_000 });

after(async () => {
  await browser?.close().catch(() => {});
  await stopSite(stack);
});

const session = (user, password, width = 1280) => openSession(browser, stack.site, user, password, width);
const wpRest = (context, method, route, body) => wpRestAs(context, stack.site, method, route, body);
const db = () => `\`${stack.db}\``;
const one = (statement) => sql(statement)[0]?.[0];
const adminUrl = (query) => new URL(`wp-admin/admin.php?${query}`, stack.site.site).href;

/** The Paris wall-clock time of an instant, as the site's English locale prints it (9:00 AM). */
function parisTime(iso) {
  const [h, m] = new Intl.DateTimeFormat('en-GB', { timeZone: 'Europe/Paris', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' })
    .format(new Date(iso)).split(':').map(Number);
  return `${h % 12 || 12}:${String(m).padStart(2, '0')} ${h < 12 ? 'AM' : 'PM'}`;
}

const DAY = 3;

async function seed() {
  const admin = await session('admin', 'admin');
  const made = async (route, body, status = 201, method = 'POST') => {
    const res = await wpRest(admin.context, method, route, body);
    assert.equal(res.status, status, `${route}: ${JSON.stringify(res.body)}`);
    return res.body;
  };
  const users = {};
  for (const name of ['sam', 'zoe', 'nolink']) {
    users[name] = (await made('wp/v2/users', { username: name, email: `${name}@example.com`, password: name, roles: ['volixta_employee'] })).id;
  }
  const paris = await made('volixta/v1/locations', { name: 'Rive gauche', timezone: 'Europe/Paris', address: '12 rue du Bac\n75007 Paris' });
  const massage = await made('volixta/v1/services', { name: 'Hot stone massage', category: 'Massage', duration_minutes: 60, price: '50.00',
    buffer_before_minutes: 0, buffer_after_minutes: 0, capacity: 1 });
  const facial = await made('volixta/v1/services', { name: 'Glow facial', category: 'Face', duration_minutes: 30, price: '30.00',
    buffer_before_minutes: 0, buffer_after_minutes: 0, capacity: 1 });
  const hours = [1, 2, 3, 4, 5, 6, 7].map((weekday) => ({ location_id: paris.id, weekday, start: '06:00', end: '22:00' }));
  const sam = await made('volixta/v1/staff', { first_name: 'Sam', last_name: 'Stone', email: 'sam@example.com', wp_user_id: users.sam,
    service_ids: [massage.id], working_hours: hours });
  const zoe = await made('volixta/v1/staff', { first_name: 'Zoe', last_name: 'Face', email: 'zoe@example.com', wp_user_id: users.zoe,
    service_ids: [facial.id], working_hours: hours });
  // Sam may edit its bookings, but neither cancel them nor take payments.
  await made(`volixta/v1/staff/${sam.id}/booking-permissions`,
    { can_edit_bookings: true, can_cancel_bookings: false, can_take_payments: false }, 200, 'PUT');
  const ada = Number(stack.data.client_id);
  const grace = await made('volixta/v1/clients', { first_name: 'Grace', last_name: 'Hopperton', email: 'grace@example.com' });
  const b1 = await made('volixta/v1/bookings', { client_id: ada, service_id: massage.id, location_id: paris.id, staff_id: sam.id, start: at(DAY, 8) });
  const b2 = await made('volixta/v1/bookings', { client_id: grace.id, service_id: facial.id, location_id: paris.id, staff_id: zoe.id, start: at(DAY, 9) });
  const b3 = await made('volixta/v1/bookings', { client_id: ada, service_id: massage.id, location_id: paris.id, staff_id: sam.id, start: at(DAY, 13) });
  await admin.context.close();
  return { paris, massage, facial, sam, zoe, grace, b1, b2, b3 };
}

const weekOf = () => `page=volixta-my-bookings&view=week&date=${at(DAY, 8).slice(0, 10)}`;
const item = (page, id) => page.locator(`#volixta-my-agenda a[data-booking="${id}"]`);

test('an employee sees its own bookings only, with the actions its permissions allow', { timeout: 240_000 }, async () => {
  data = await seed();
  const { b1, b2, b3 } = data;
  const { context, page } = await session('sam', 'sam');
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('console', (m) => {
    if ((m.type() === 'error' && !/ERR_NAME_NOT_RESOLVED|status of 404/.test(m.text())) || /refused/.test(m.text())) errors.push(m.text());
  });

  // The Volixta menu leads an employee to its own bookings, and to nothing of the managers'.
  await page.goto(adminUrl('page=volixta-my-bookings'));
  assert.equal(await page.locator('.volixta-wrap h1').textContent(), 'My bookings');
  assert.ok(await page.locator('#adminmenu a[href*="page=volixta-my-bookings"]').first().isVisible(), 'the menu item');
  assert.equal(await page.locator('#adminmenu a[href*="page=volixta-bookings"], #adminmenu a[href*="page=volixta-clients"]').count(), 0);

  await page.goto(adminUrl(weekOf()));
  await item(page, b1.id).waitFor();
  const shown = await page.locator('#volixta-my-agenda a[data-booking]').evaluateAll((as) => as.map((a) => Number(a.dataset.booking)));
  assert.deepEqual(shown.filter((id) => [b1.id, b2.id, b3.id].includes(id)), [b1.id, b3.id], 'own bookings, in order');
  const first = await item(page, b1.id).innerText();
  for (const part of [parisTime(b1.start), 'Hot stone massage', 'Ada Lovelace', 'Confirmed']) {
    assert.ok(first.includes(part), `the item shows ${part}: ${first}`);
  }
  const text = await page.locator('.volixta-wrap').innerText();
  assert.ok(!text.includes('Hopperton') && !text.includes('Glow facial'), 'nothing of the other staff member\'s booking');
  // Only days that have bookings are listed.
  assert.equal(await page.locator('#volixta-my-agenda section.volixta-day').count(), 1);
  await axe(page, 'my bookings');
  await shoot(page, 'admin-my-bookings-1280');

  // The panel: every tab, no way to the managers' screens, and only the permitted actions.
  await item(page, b1.id).click();
  await page.waitForURL(/booking=/);
  assert.equal(await page.locator('.volixta-wrap h1').textContent(), `Booking #${b1.id}`);
  assert.equal(await page.locator('.volixta-wrap a[href*="page=volixta-clients"], .volixta-wrap a[href*="page=volixta-bookings"], .volixta-wrap a[href*="page=volixta-calendar"]').count(), 0);
  await swapped(page, () => page.click('.nav-tab:has-text("Customer information")'), 'my-bookings?');
  assert.ok((await page.locator('#volixta-booking-tab').innerText()).includes('Ada Lovelace'));
  await swapped(page, () => page.click('.nav-tab:has-text("Payment")'), 'my-bookings?');
  assert.equal(await page.locator('#volixta-record-payment').count(), 0, 'no payment form without the right to take payments');
  await swapped(page, () => page.click('.nav-tab:has-text("Actions")'), 'my-bookings?');
  assert.ok(await page.locator('#volixta-reschedule form').isVisible(), 'it may reschedule');
  assert.ok(await page.locator('#volixta-slot-picker').isVisible(), 'with the slot picker');
  assert.equal(await page.locator('#volixta-cancel form').count(), 0, 'it may not cancel');
  assert.ok((await page.locator('#volixta-cancel').innerText()).includes('Your role may not do this.'));
  assert.ok(await page.locator('#volixta-status button').count() > 0, 'it may change the status');
  await axe(page, 'an employee\'s booking panel');
  await page.evaluate(() => window.scrollTo(0, 0));
  await shoot(page, 'admin-my-booking-1280');

  // Its own change goes through the bookings domain as any other: the status, by keyboard.
  const complete = page.locator('#volixta-status button:has-text("Mark as completed")');
  await complete.focus();
  await swapped(page, () => page.keyboard.press('Enter'), `booking/${b1.id}/status`);
  assert.ok((await page.locator('.notice').innerText()).includes('Completed'));
  assert.equal(one(`SELECT status FROM ${db()}.wp_volixta_bookings WHERE id = ${b1.id}`), 'completed');

  // The other staff member's booking does not exist for this employee.
  const res = await page.goto(adminUrl(`page=volixta-my-bookings&booking=${b2.id}`));
  assert.equal(res.status(), 404);
  assert.ok((await page.locator('.volixta-wrap').innerText()).includes('not yours to see'));
  assert.ok(!(await page.content()).includes('Hopperton'));
  for (const route of [`render/admin/my-bookings?booking=${b2.id}`, `render/admin/my-bookings?booking=${b2.id}&tab=customer`]) {
    const fragment = await wpRest(context, 'GET', `volixta/v1/${route}`);
    assert.equal(fragment.status, 404, route);
  }
  const forged = await wpRest(context, 'POST', `volixta/v1/render/admin/booking/${b2.id}/status`, { status: 'completed' });
  assert.equal(forged.status, 404, 'a change to it');
  const cancel = await wpRest(context, 'POST', `volixta/v1/render/admin/booking/${b3.id}/cancel`, {});
  assert.equal(cancel.status, 403, 'cancelling its own booking without the permission');
  assert.equal(one(`SELECT status FROM ${db()}.wp_volixta_bookings WHERE id = ${b2.id}`), 'confirmed');
  assert.equal(one(`SELECT status FROM ${db()}.wp_volixta_bookings WHERE id = ${b3.id}`), 'confirmed');
  // The managers' screens stay closed.
  assert.equal((await wpRest(context, 'GET', `volixta/v1/render/admin/bookings?booking=${b3.id}`)).status, 403);
  assert.deepEqual(errors, []);
  await context.close();
});

test('a manager\'s reschedule shows on the employee\'s dashboard within seconds, without a reload', { timeout: 120_000 }, async () => {
  const { b3 } = data;
  const employee = await session('sam', 'sam');
  const page = employee.page;
  await page.goto(adminUrl(weekOf()));
  await item(page, b3.id).waitFor();
  assert.ok((await item(page, b3.id).innerText()).includes(parisTime(b3.start)));
  // Anything set on the window survives only as long as the page is not reloaded.
  await page.evaluate(() => { window.volixtaNotReloaded = true; });

  const manager = await session('manager', 'manager');
  const moved = at(DAY, 15);
  const res = await wpRest(manager.context, 'POST', `volixta/v1/bookings/${b3.id}/reschedule`, { start: moved });
  assert.equal(res.status, 200, JSON.stringify(res.body));
  const changedAt = Date.now();
  await page.waitForFunction(([id, time]) => {
    const a = document.querySelector(`#volixta-my-agenda a[data-booking="${id}"]`);
    return a && a.innerText.includes(time);
  }, [b3.id, parisTime(moved)], { timeout: 15_000 });
  const took = Date.now() - changedAt;
  assert.ok(took < 12_000, `shown after ${took} ms`);
  assert.equal(await page.evaluate(() => window.volixtaNotReloaded), true, 'the page was not reloaded');
  assert.ok(!(await item(page, b3.id).innerText()).includes(parisTime(b3.start)), 'the old time is gone');
  await manager.context.close();
  await employee.context.close();
});

test('on a phone, and for an employee no staff member is linked to', { timeout: 120_000 }, async () => {
  const { b1, b3 } = data;
  const phone = await session('sam', 'sam', 390);
  await phone.page.goto(adminUrl(weekOf()));
  await item(phone.page, b3.id).waitFor();
  await fits(phone.page, 'my bookings on a phone');
  await axe(phone.page, 'my bookings on a phone');
  await shoot(phone.page, 'admin-my-bookings-390');
  await phone.page.goto(adminUrl(`page=volixta-my-bookings&booking=${b3.id}&tab=actions`));
  await phone.page.locator('#volixta-reschedule').waitFor();
  await fits(phone.page, 'an employee\'s booking panel on a phone');
  await axe(phone.page, 'an employee\'s booking panel on a phone');
  await shoot(phone.page, 'admin-my-booking-390');
  await phone.context.close();

  const nolink = await session('nolink', 'nolink');
  await nolink.page.goto(adminUrl('page=volixta-my-bookings'));
  assert.ok((await nolink.page.locator('.volixta-wrap .notice').innerText()).includes('not linked to a staff member'));
  await nolink.page.goto(adminUrl(`page=volixta-my-bookings&booking=${b1.id}`));
  const said = await nolink.page.locator('.volixta-wrap').innerText();
  assert.ok(said.includes('not linked to a staff member') && !said.includes('Ada'), 'the same notice, not the booking');
  await nolink.context.close();

  // Managers keep their own screens: no My bookings in their menu, and the service refuses them.
  const manager = await session('manager', 'manager');
  await manager.page.goto(adminUrl('page=volixta-bookings'));
  assert.equal(await manager.page.locator('#adminmenu a[href*="page=volixta-my-bookings"]').count(), 0);
  assert.equal((await wpRest(manager.context, 'GET', 'volixta/v1/render/admin/my-bookings')).status, 403);
  await manager.context.close();
});
