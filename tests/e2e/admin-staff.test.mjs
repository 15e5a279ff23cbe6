// End to end: wp-admin → Volixta → Staff as a manager on the real plugin, WordPress and service:
// two staff members set up through the form (hours at a New York location, a break, a day off,
// a linked WordPress user found by name, a photo), a refusal beside its row that saves nothing,
// and the week preview reflecting the break, the day off and the spring DST change, with the
// manager's booking flow offering the same times; axe-core, keyboard, and screenshots at 1280
// and 390 px. Then the activity log across the business with its filters.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { OUT, ROOT, PNG, startSite, stopSite, launchChromium, sql, openSession, wpRestAs } from './harness.mjs';

let stack;
let browser;

before(async () => {
  stack = await startSite('admin-staff');
  browser = await launchChromium();
}, { timeout: 240_000 });

after(async () => {
  await browser?.close().catch(() => {});
  await stopSite(stack);
});

const session = (user, password, width = 1280) => openSession(browser, stack.site, user, password, width);
const wpRest = (context, method, route, data) => wpRestAs(context, stack.site, method, route, data);
const db = () => `\`${stack.db}\``;
const one = (statement) => sql(statement)[0]?.[0];
const adminUrl = (query) => new URL(`wp-admin/admin.php?${query}`, stack.site.site).href;

/** Runs an action that swaps part of the screen, and waits until the swap settled. */
async function swapped(page, action, route = 'render/admin/staff') {
  await page.evaluate(() => {
    window.volixtaSettled = false;
    document.addEventListener('htmx:afterSettle', () => { window.volixtaSettled = true; }, { once: true });
  });
  const response = page.waitForResponse((r) => r.url().includes(route));
  await action();
  const res = await response.catch((e) => { throw new Error(`${e.message}; the page said: ${JSON.stringify(page.volixtaErrors ?? [])}`); });
  assert.equal(res.status(), 200, `the screen answered ${res.status()}`);
  await page.waitForFunction(() => window.volixtaSettled === true);
}

async function axe(page, label) {
  await page.addScriptTag({ path: path.join(ROOT, 'tests/e2e/node_modules/axe-core/axe.min.js') });
  const result = await page.evaluate(() => window.axe.run({ include: [['.volixta-wrap']] }, { resultTypes: ['violations'] }));
  const bad = result.violations.filter((v) => ['serious', 'critical'].includes(v.impact));
  assert.deepEqual(bad.map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => `${n.target.join(' ')}: ${n.failureSummary}`).join('; ')})`), [], `axe on ${label}`);
}

async function shoot(page, name) {
  await page.screenshot({ path: path.join(OUT, `${name}.png`), fullPage: true });
}

async function fits(page, label) {
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  assert.ok(overflow <= 1, `${label} is ${overflow}px wider than the screen`);
}

/** The times the preview shows on `date`, or its note ("Day off", "No free time"). */
const previewDay = (page, date) => page.locator(`#volixta-staff-preview li[data-date="${date}"]`).evaluate((li) => {
  const times = [...li.querySelectorAll('.volixta-times li')].map((t) => t.textContent.trim());
  return times.length ? times : li.querySelector('.volixta-none')?.textContent.trim();
});

/** Fills schedule row `key` (`wh0`, `br1`, …) of the staff form. */
async function row(page, key, { location, weekday, start, end, date, until, reason }) {
  if (location !== undefined) await page.selectOption(`[name=${key}_location]`, String(location));
  if (weekday !== undefined) await page.selectOption(`[name=${key}_weekday]`, String(weekday));
  if (date !== undefined) await page.fill(`[name=${key}_date]`, date);
  if (until !== undefined) await page.fill(`[name=${key}_until]`, until);
  if (reason !== undefined) await page.fill(`[name=${key}_reason]`, reason);
  if (start !== undefined) await page.fill(`[name=${key}_start]`, start);
  if (end !== undefined) await page.fill(`[name=${key}_end]`, end);
}

// In 2027 New York moves its clocks forward on Sunday 14 March.
const DST_WEEK = '2027-03-08';
const DST_SUNDAY = '2027-03-14';
const DAY_OFF = '2027-03-15';

test('a manager sets up two staff members and sees their week as clients would', async () => {
  const { context, page } = await session('manager', 'manager');
  const errors = [];
  page.volixtaErrors = errors;
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('console', (m) => {
    if ((m.type() === 'error' && !m.text().includes('ERR_NAME_NOT_RESOLVED')) || /refused/.test(m.text())) errors.push(m.text());
  });
  const created = async (route, data) => {
    const res = await wpRest(context, 'POST', `volixta/v1/${route}`, data);
    assert.equal(res.status, 201, `${route}: ${JSON.stringify(res.body)}`);
    return res.body.id;
  };
  const location = await created('locations', { name: 'Manhattan studio', timezone: 'America/New_York', address: '10 Hudson St, New York' });
  const service = await created('services', { name: 'Haircut', category: 'Hair', duration_minutes: 60, price: '40' });
  const admin = await session('admin', 'admin');
  const employee = await wpRest(admin.context, 'POST', 'wp/v2/users',
    { username: 'ines', email: 'ines@example.com', password: 'ines', roles: ['volixta_employee'] });
  assert.equal(employee.status, 201, JSON.stringify(employee.body));
  await admin.context.close();
  const staffCount = () => Number(one(`SELECT COUNT(*) FROM ${db()}.wp_volixta_staff WHERE first_name IN ('Ines', 'Bo')`));

  await page.goto(adminUrl('page=volixta-staff'));
  assert.equal(await page.locator('.volixta-wrap h1').textContent(), 'Staff');
  await page.locator('.page-title-action', { hasText: 'Add staff member' }).click();
  await page.waitForURL(/action=new/);
  await page.fill('#volixta-field-first_name', 'Ines');
  await page.fill('#volixta-field-last_name', 'Moreau');
  await page.fill('#volixta-field-email', 'ines@example.com');
  // The WordPress user is found by name, as on the client form.
  await swapped(page, () => page.fill('#volixta-field-wp_user_search', 'ines'), '/volixta/v1/wp-users');
  await page.selectOption('#volixta-field-wp_user_id', String(employee.body.id));
  await page.locator(`input[name="service_ids[]"][value="${service}"]`).check();
  await page.locator('input[name=can_cancel]').check();
  await swapped(page, () => page.locator('button[value="more:wh"]').click());
  assert.equal(await page.locator('[name=wh2_start]').count(), 1, 'two more rows of hours');
  assert.equal(await page.inputValue('#volixta-field-first_name'), 'Ines', 'what was typed stays');
  await row(page, 'wh0', { location, weekday: 1, start: '09:00', end: '17:00' });
  await row(page, 'wh1', { location, weekday: 7, start: '09:00', end: '12:00' });
  // The same Monday twice: refused beside the third row, nothing saved.
  await row(page, 'wh2', { location, weekday: 1, start: '16:00', end: '18:00' });
  await row(page, 'br0', { weekday: 1, start: '12:00', end: '13:00' });
  await row(page, 'off0', { date: DAY_OFF, reason: 'Training' });
  await swapped(page, () => page.locator('button[value=save]').click());
  assert.match(await page.locator('.volixta-wrap .notice-error').textContent(), /Nothing was saved/);
  assert.equal(await page.locator('#volixta-field-wh2-error').textContent(), 'This period overlaps another one of the same day.');
  assert.equal(staffCount(), 0);
  await axe(page, 'the form with a refusal');
  await shoot(page, 'admin-staff-refused-1280');

  // An end before its start, then the fix.
  await row(page, 'wh2', { weekday: 2, start: '18:00', end: '08:00' });
  await swapped(page, () => page.locator('button[value=save]').click());
  assert.equal(await page.locator('#volixta-field-wh2_end-error').textContent(), 'The end must be after the start.');
  assert.equal(staffCount(), 0);
  await row(page, 'wh2', { start: '', end: '' });
  // A photo that is not an image: refused beside the photo field, nothing saved.
  const pick = async (name, buffer) => {
    await page.setInputFiles('#volixta-field-photo', { name, mimeType: 'image/png', buffer });
    await page.waitForFunction(() => document.querySelector('input[name="avatar_image"]').value.startsWith('data:'));
  };
  await pick('notes.png', Buffer.from('these are notes, not a picture'));
  await swapped(page, () => page.locator('button[value=save]').click());
  assert.ok(await page.locator('#volixta-field-avatar-error').isVisible(), 'the photo refused beside its field');
  assert.equal(staffCount(), 0);
  await pick('ines.png', PNG);
  await swapped(page, () => page.locator('button[value=save]').click());
  assert.match(await page.locator('.volixta-wrap .notice-success').textContent(), /Ines Moreau was saved\./);
  assert.equal(staffCount(), 1);
  const ines = Number(one(`SELECT id FROM ${db()}.wp_volixta_staff WHERE first_name = 'Ines'`));
  assert.equal(Number(one(`SELECT wp_user_id FROM ${db()}.wp_volixta_staff WHERE id = ${ines}`)), employee.body.id);
  assert.equal(Number(one(`SELECT can_cancel_bookings FROM ${db()}.wp_volixta_staff WHERE id = ${ines}`)), 1);
  // The photo, stored with the staff member and served to anyone who may see it.
  assert.equal(one(`SELECT content_type FROM ${db()}.wp_volixta_staff_avatars WHERE staff_id = ${ines}`), 'image/png');
  assert.ok(await page.locator('#volixta-photo-on-file').isVisible());
  const photo = await context.request.get(new URL(`wp-json/volixta/v1/staff/${ines}/avatar`, stack.site.site).href);
  assert.equal(photo.status(), 200);
  assert.equal(photo.headers()['content-type'], 'image/png');
  assert.deepEqual(Buffer.from(await photo.body()), PNG);

  // The preview: the DST week, sent by Enter in the week field.
  await page.fill('#volixta-staff-preview input[name=week]', DST_WEEK);
  await page.locator('#volixta-staff-preview input[name=week]').focus();
  await swapped(page, () => page.keyboard.press('Enter'), '/preview');
  assert.match(await page.locator('#volixta-staff-preview').textContent(), /Times in America\/New_York/);
  const monday = await previewDay(page, DST_WEEK);
  assert.equal(monday[0], '9:00 am');
  assert.ok(monday.includes('11:00 am') && monday.includes('1:00 pm') && monday.includes('4:00 pm'), monday.join(' '));
  assert.ok(!monday.includes('12:00 pm') && !monday.includes('11:15 am'), `the lunch break is not offered: ${monday.join(' ')}`);
  // The Sunday the clocks go forward keeps its wall-clock hours.
  assert.deepEqual((await previewDay(page, DST_SUNDAY)).filter((t) => t.endsWith(':00 am')), ['9:00 am', '10:00 am', '11:00 am']);
  assert.equal(await previewDay(page, '2027-03-09'), 'No free time');
  await swapped(page, () => page.locator('#volixta-staff-preview button', { hasText: 'Next week' }).click(), '/preview');
  assert.equal(await previewDay(page, DAY_OFF), 'Day off');
  await axe(page, 'the saved form with its preview');
  await shoot(page, 'admin-staff-form-1280');

  // The second staff member: Sundays with a break, and a day off.
  await page.goto(adminUrl('page=volixta-staff&action=new'));
  await page.fill('#volixta-field-first_name', 'Bo');
  await page.fill('#volixta-field-last_name', 'Berg');
  await page.locator(`input[name="service_ids[]"][value="${service}"]`).check();
  await row(page, 'wh0', { location, weekday: 7, start: '08:00', end: '14:00' });
  await row(page, 'br0', { weekday: 7, start: '10:00', end: '11:00' });
  await row(page, 'off0', { date: DST_SUNDAY, until: '2027-03-16', reason: 'Holiday' });
  await swapped(page, () => page.locator('button[value=save]').click());
  assert.match(await page.locator('.volixta-wrap .notice-success').textContent(), /Bo Berg was saved\./);
  await page.fill('#volixta-staff-preview input[name=week]', '2027-03-01');
  await swapped(page, () => page.locator('#volixta-staff-preview button[type=submit]').click(), '/preview');
  const sunday = await previewDay(page, '2027-03-07');
  assert.ok(sunday.includes('8:00 am') && sunday.includes('9:00 am') && sunday.includes('11:00 am'), sunday.join(' '));
  assert.ok(!sunday.includes('9:15 am') && !sunday.includes('10:00 am'), `the break is not offered: ${sunday.join(' ')}`);
  await swapped(page, () => page.locator('#volixta-staff-preview button', { hasText: 'Next week' }).click(), '/preview');
  assert.equal(await previewDay(page, DST_SUNDAY), 'Day off');

  // The manager's booking flow (Volixta → New booking, its date and time step) offers exactly
  // the times of the previews, across the DST change too.
  const flow = async (staff, date) => {
    await page.goto(adminUrl(`page=volixta-new-booking&client=${stack.data.client_id}&service_id=${service}&location_id=${location}`
      + `&staff_id=${staff}&step=when&month=${date.slice(0, 7)}&date=${date}`));
    await page.locator('#volixta-picker-slots').waitFor();
    assert.match(await page.locator('#volixta-picker-slots legend').textContent(), new RegExp(` ${Number(date.slice(8))} March 2027`));
    return page.locator('#volixta-picker-slots .volixta-slot span').evaluateAll((spans) => spans.map((s) => s.textContent.trim().toLowerCase()));
  };
  const preview = async (staff, week, date) => {
    await page.goto(adminUrl(`page=volixta-staff&staff=${staff}&week=${week}`));
    return previewDay(page, date);
  };
  const ids = { ines, bo: Number(one(`SELECT id FROM ${db()}.wp_volixta_staff WHERE first_name = 'Bo'`)) };
  for (const [who, week, date] of [['ines', DST_WEEK, DST_WEEK], ['ines', DST_WEEK, DST_SUNDAY], ['bo', '2027-03-01', '2027-03-07']]) {
    const shown = await preview(ids[who], week, date);
    assert.ok(Array.isArray(shown) && shown.length > 0, `${who} works on ${date}`);
    assert.deepEqual(await flow(ids[who], date), shown, `the booking flow offers ${who}'s times of ${date}`);
  }
  // Bo's day off, the DST Sunday: the flow's calendar offers no time with Bo that day.
  assert.equal(await preview(ids.bo, DST_WEEK, DST_SUNDAY), 'Day off');
  await flow(ids.bo, '2027-03-07');
  assert.equal(await page.locator('.volixta-picker-cal button.volixta-pday', { hasText: /^14$/ }).count(), 0);
  assert.equal(await page.locator('.volixta-picker-cal span.volixta-pday[aria-disabled=true]', { hasText: /^14$/ }).count(), 1);

  // The list.
  await page.goto(adminUrl('page=volixta-staff'));
  const bo = ids.bo;
  assert.match(await page.locator(`#staff-${bo}`).textContent(), /Bo Berg[\s\S]*Sun[\s\S]*08:00–14:00[\s\S]*1 day off[\s\S]*view own bookings only/);
  assert.match(await page.locator(`#staff-${ines}`).textContent(), /Ines Moreau[\s\S]*Haircut[\s\S]*Manhattan studio[\s\S]*Mon[\s\S]*09:00–17:00[\s\S]*cancel bookings/);
  await axe(page, 'the list');
  await shoot(page, 'admin-staff-list-1280');
  assert.deepEqual(errors, []);

  const phone = await session('manager', 'manager', 390);
  await phone.page.goto(adminUrl('page=volixta-staff'));
  await fits(phone.page, 'the list');
  await axe(phone.page, 'the list at 390 px');
  await shoot(phone.page, 'admin-staff-list-390');
  await phone.page.goto(adminUrl(`page=volixta-staff&staff=${ines}&week=${DST_WEEK}`));
  await fits(phone.page, 'the form');
  await axe(phone.page, 'the form at 390 px');
  await shoot(phone.page, 'admin-staff-form-390');
  await phone.context.close();
  await context.close();
});

test('a manager reads the activity log by client, actor, kind and period', async () => {
  const { context, page } = await session('manager', 'manager');
  const client = stack.data.client_id;
  const changed = await wpRest(context, 'PATCH', `volixta/v1/clients/${client}`, { notes: 'Prefers the window seat' });
  assert.equal(changed.status, 200, JSON.stringify(changed.body));
  const name = `${changed.body.first_name} ${changed.body.last_name}`;

  await page.goto(adminUrl('page=volixta-activity'));
  assert.equal(await page.locator('.volixta-wrap h1').textContent(), 'Activity');
  const rows = page.locator('#volixta-activity-log tbody tr:not(.no-items)');
  assert.ok(await rows.count() > 1, 'the demo data and the change are listed');
  assert.match(await rows.first().textContent(), /Changed[\s\S]*Prefers the window seat/);
  assert.match(await page.locator('#volixta-activity .description').textContent(), /Times are in /);
  await shoot(page, 'admin-activity-1280');
  await axe(page, 'the activity log');

  // Narrowed to the manager's changes of this kind, then to the client, by keyboard.
  const manager = await page.locator('select[name=actor] option', { hasText: 'Grace Hopper' }).first().getAttribute('value');
  assert.match(manager, /^manager:\d+$/, 'the manager is named, not numbered');
  await page.selectOption('select[name=actor]', manager);
  await page.selectOption('select[name=kind]', 'update');
  await page.fill('input[name=client]', name);
  await page.locator('input[name=client]').focus();
  await swapped(page, () => page.keyboard.press('Enter'), 'render/admin/activity');
  assert.equal(await rows.count(), 1);
  assert.match(await rows.first().textContent(), new RegExp(`${name}[\\s\\S]*Prefers the window seat`));
  // A period long past has nothing.
  await page.fill('input[name=from]', '2020-01-01');
  await page.fill('input[name=to]', '2020-01-31');
  await swapped(page, () => page.locator('#volixta-activity button[type=submit]').click(), 'render/admin/activity');
  assert.equal(await rows.count(), 0);
  await shoot(page, 'admin-activity-filtered-1280');

  const phone = await session('manager', 'manager', 390);
  await phone.page.goto(adminUrl('page=volixta-activity'));
  await fits(phone.page, 'the activity log');
  await axe(phone.page, 'the activity log at 390 px');
  await shoot(phone.page, 'admin-activity-390');
  await phone.context.close();

  // Employees have no activity log.
  const employee = await session('ines', 'ines');
  const res = await employee.page.goto(adminUrl('page=volixta-activity'));
  assert.equal(res.status(), 403);
  const fragment = await wpRest(employee.context, 'GET', 'volixta/v1/render/admin/activity');
  assert.equal(fragment.status, 403);
  await employee.context.close();
  await context.close();
});
