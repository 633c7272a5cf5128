// End-to-end tests of the web UI in Debian's headless Chromium, driven by playwright-core.
// Starts the real netsot (NETSOT_BIN) on 127.0.0.1 with a temporary database holding the seed
// plan, then walks through what an operator does. Screenshots go to NETSOT_SCREENSHOTS
// (default: ./screenshots). Run by ctest as web_ui.
import { spawn, spawnSync } from 'node:child_process';
import { createServer } from 'node:http';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import assert from 'node:assert/strict';
import { chromium } from 'playwright-core';

const BIN = process.env.NETSOT_BIN;
const SRC = process.env.NETSOT_SOURCE_DIR;
const SHOTS = process.env.NETSOT_SCREENSHOTS || 'screenshots';
const PW = 'correct horse battery';
assert.ok(BIN && SRC, 'NETSOT_BIN and NETSOT_SOURCE_DIR must be set');

const dir = mkdtempSync(join(tmpdir(), 'netsot-web-'));
const db = join(dir, 'netsot.db');
const run = (args, input) => {
  const r = spawnSync(BIN, args, { input, encoding: 'utf8' });
  assert.equal(r.status, 0, `netsot ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
};
run(['migrate', '--db', db]);
run(['import', join(SRC, 'db/seed/hybrid-cloud.json'), '--db', db]);
run(['user', 'add', 'ed', '--role', 'editor', '--password-stdin', '--db', db], `${PW}\n`);
run(['user', 'add', 'vi', '--role', 'viewer', '--password-stdin', '--db', db], `${PW}\n`);

const server = spawn(BIN, ['serve', '--db', db, '--listen', '127.0.0.1:0'],
  { stdio: ['ignore', 'ignore', 'pipe'] });
const port = await new Promise((resolve, reject) => {
  let log = '';
  server.stderr.on('data', (d) => {
    log += d;
    const m = log.match(/\(port (\d+),/);
    if (m) resolve(Number(m[1]));
  });
  server.on('exit', () => reject(new Error(`netsot exited: ${log}`)));
});
const base = `http://127.0.0.1:${port}`;

// The API as a second client: to check what the UI did, and to change things behind its back.
async function apiAs(user) {
  const r = await fetch(`${base}/api/v1/auth/login`, { method: 'POST',
    headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ username: user, password: PW }) });
  const { access_token: t } = await r.json();
  return async (method, path, body, headers = {}) => {
    const res = await fetch(`${base}/api/v1${path}`, { method,
      headers: { Authorization: `Bearer ${t}`, 'Content-Type': 'application/json', ...headers },
      body: body === undefined ? undefined : JSON.stringify(body) });
    return { status: res.status, etag: res.headers.get('ETag'),
      data: res.status === 204 ? null : await res.json() };
  };
}

const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});
mkdirSync(SHOTS, { recursive: true });
let failures = 0;

// Every page of a context reports its Content-Security-Policy violations (an inline script or
// style, a framing, a foreign connection) as console errors, which every test counts as a
// failure; the browser's own CSP messages are console errors too.
async function watched(options = {}) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, ...options });
  await context.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (e) => {
      console.error(`CSP violation: ${e.violatedDirective} blocked ${e.blockedURI || 'inline'} ` +
        `in ${e.sourceFile || e.documentURI}:${e.lineNumber}`);
    });
  });
  const page = await context.newPage();
  const problems = [];
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('console', (m) => { if (m.type() === 'error') problems.push(`console: ${m.text()}`); });
  return { context, page, problems };
}

async function test(name, fn) {
  const { context, page, problems } = await watched();
  try {
    await fn(page, context);
    // The browser logs every 4xx answer; the tests check those answers where they expect
    // them, so only script errors count here.
    const real = problems.filter((p) => !/Failed to load resource: the server responded with a status of 4\d\d/.test(p));
    assert.deepEqual(real, [], 'the page logged errors');
    console.log(`ok - ${name}`);
  } catch (e) {
    failures++;
    console.log(`not ok - ${name}\n  ${String(e.stack || e).split('\n').join('\n  ')}`);
    await page.screenshot({ path: join(SHOTS, `failed-${name.replace(/\W+/g, '-')}.png`) }).catch(() => {});
  } finally {
    await context.close();
  }
}

async function login(page, user) {
  await page.goto(base + '/');
  await page.getByLabel('User name').fill(user);
  await page.getByLabel('Password').fill(PW);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.locator('#overview-ready').waitFor();
}

const vlan20 = (page) => page.getByRole('row').filter({ hasText: 'compute' }).getByRole('link', { name: '10.10.20.0/24' });
const cell = (page, addr) => page.locator(`.map .cell[data-addr="${addr}"]`);

await test('the page is served with a strict Content-Security-Policy and no inline script', async () => {
  const res = await fetch(base + '/');
  const csp = res.headers.get('content-security-policy');
  assert.match(csp, /script-src 'self'/);
  assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval/);
  assert.equal(res.headers.get('x-content-type-options'), 'nosniff');
  const html = await res.text();
  assert.doesNotMatch(html, /<script(?![^>]*\bsrc=)[^>]*>/, 'an inline script');
  assert.doesNotMatch(html, /\son[a-z]+=/, 'an inline event handler');
  assert.equal((await fetch(base + '/web/../netsot.db')).status, 404);
  assert.equal((await fetch(base + '/web/.hidden.js')).status, 404);
});

// The watch itself: it must see what the policy stops, or a silent page would prove nothing.
{
  const { context, page, problems } = await watched();
  try {
    await page.goto(base + '/');
    await page.evaluate(() => {
      const s = document.createElement('script');
      s.textContent = 'window.injected = true';
      document.head.append(s);
      const d = document.createElement('div');
      d.setAttribute('style', 'color: red');
      document.body.append(d);
    });
    assert.equal(await page.evaluate(() => window.injected), undefined, 'an inline script ran');
    await page.waitForTimeout(200);
    assert.ok(problems.some((p) => /CSP violation: script-src/.test(p)), problems.join('\n'));
    assert.ok(problems.some((p) => /CSP violation: style-src/.test(p)), problems.join('\n'));
    // frame-ancestors 'none': another page cannot frame the UI (clickjacking). The framing
    // page is served from 127.0.0.1 too, so only the policy can stop it.
    const framer = createServer((q, r) => {
      r.setHeader('Content-Type', 'text/html');
      r.end(`<iframe src="${base}/"></iframe>`);
    });
    await new Promise((r) => framer.listen(0, '127.0.0.1', r));
    await page.goto(`http://127.0.0.1:${framer.address().port}/`);
    await page.waitForTimeout(500);
    framer.close();
    const framed = page.frames().find((f) => f !== page.mainFrame());
    const loaded = framed ? await framed.evaluate(() => !!document.querySelector('script[src]'))
      .catch(() => false) : false;
    assert.ok(problems.some((p) => /frame-ancestors/.test(p)), problems.join('\n'));
    assert.equal(loaded, false, 'the UI loaded inside a frame');
    const res = await fetch(base + '/');
    assert.match(res.headers.get('content-security-policy'), /frame-ancestors 'none'/);
    assert.equal(res.headers.get('referrer-policy'), 'no-referrer');
    console.log('ok - the CSP watch sees inline script, inline style and framing, and the policy stops them');
  } catch (e) {
    failures++;
    console.log(`not ok - CSP watch\n  ${String(e.stack || e).split('\n').join('\n  ')}`);
  } finally {
    await context.close();
  }
}

await test('a wrong password is said plainly, and so is the login limit', async (page) => {
  await page.goto(base + '/');
  await page.getByLabel('User name').fill('ed');
  await page.getByLabel('Password').fill('not the password');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByText('Wrong user name or password.').waitFor();
  // One attempt after another, each answered before the next (hashing is slow under ASan).
  for (let i = 0; i < 6; i++) {
    await page.getByLabel('User name').fill('mallory');
    await page.getByLabel('Password').fill('guess' + i);
    const answered = page.waitForResponse((r) => r.url().endsWith('/api/v1/auth/login'));
    await page.getByRole('button', { name: 'Sign in' }).click();
    await answered;
  }
  await page.getByText(/Too many failed attempts/).waitFor();
  // The token lives in sessionStorage, never in a cookie.
  assert.deepEqual(await page.context().cookies(), []);
});

await test('overview: VLANs with prefixes, gateways and utilization; the other networks; search', async (page) => {
  await login(page, 'ed');
  const rows = page.locator('section[aria-labelledby="vlans-h"] tbody tr');
  assert.equal(await rows.count(), 7);
  const row20 = rows.filter({ hasText: 'compute' });
  await row20.getByText('10.10.20.1').first().waitFor();
  assert.match(await row20.locator('.util').first().getAttribute('aria-label'), /of 254 used/);
  const nets = page.locator('section[aria-labelledby="nets-h"]');
  for (const p of ['192.168.1.0/24', '10.0.0.0/24', '10.244.0.0/16', '10.43.0.0/16']) {
    await nets.getByRole('link', { name: p }).waitFor();
  }
  assert.deepEqual(await page.context().cookies(), []);
  assert.ok(await page.evaluate(() => sessionStorage.getItem('netsot.token')));
  await page.screenshot({ path: join(SHOTS, 'overview.png'), fullPage: true });
  await page.getByLabel('Search the plan').fill('k3s.local');
  await page.getByRole('button', { name: 'Search' }).click();
  await page.getByRole('link', { name: '192.168.1.188' }).waitFor();
  await page.getByLabel('Search the plan').fill('pve-node-1');
  await page.getByRole('button', { name: 'Search' }).click();
  await page.getByRole('link', { name: 'pve-node-1' }).first().waitFor();
  await page.getByLabel('Search the plan').fill('99');
  await page.getByRole('button', { name: 'Search' }).click();
  await page.getByRole('link', { name: '10.10.99.0/24' }).first().waitFor();
});

await test('VLAN 20: the map, next-free allocation, reserve, release, and the report', async (page) => {
  const api = await apiAs('ed');
  await login(page, 'ed');
  await vlan20(page).click();
  await page.locator('.map .cell').first().waitFor();
  assert.equal(await page.locator('.map .cell').count(), 256);
  assert.match(await cell(page, '10.10.20.0').getAttribute('class'), /network/);
  assert.match(await cell(page, '10.10.20.255').getAttribute('class'), /broadcast/);
  assert.match(await cell(page, '10.10.20.1').getAttribute('class'), /allocated|gateway/);
  assert.match(await cell(page, '10.10.20.10').getAttribute('class'), /allocated/);
  assert.match(await cell(page, '10.10.20.30').getAttribute('class'), /ranged/);
  await cell(page, '10.10.20.10').hover();
  await page.locator('#cell-info', { hasText: 'host pve-node-1' }).waitFor();
  await page.screenshot({ path: join(SHOTS, 'prefix-map.png'), fullPage: true });

  // Allocate the next free address with a hostname.
  await page.getByRole('button', { name: 'Allocate next free' }).first().click();
  const form = page.locator('#address-form');
  await form.getByLabel('Hostname').fill('web-test-1');
  await form.getByLabel('DNS name').fill('web-test-1.local');
  await form.getByLabel('Description').fill('made by the UI test');
  await page.screenshot({ path: join(SHOTS, 'allocation-form.png'), fullPage: true });
  await form.getByRole('button', { name: 'Allocate' }).click();
  await page.getByText('Allocated 10.10.20.2.').waitFor();
  assert.match(await cell(page, '10.10.20.2').getAttribute('class'), /allocated/);
  const made = (await api('GET', '/ip-addresses?address=10.10.20.2')).data.results[0];
  assert.equal(made.dns_name, 'web-test-1.local');
  const host = (await api('GET', `/hosts/${made.host_id}`)).data;
  assert.equal(host.name, 'web-test-1');

  // Reserve a specific address from its free cell, with the keyboard.
  await cell(page, '10.10.20.100').focus();
  await page.keyboard.press('Enter');
  await form.getByLabel('Status').selectOption('reserved');
  await form.getByLabel('Description').fill('held for the NAS move');
  await form.getByRole('button', { name: 'Reserve' }).click();
  await page.getByText('Reserved 10.10.20.100.').waitFor();
  assert.match(await cell(page, '10.10.20.100').getAttribute('class'), /reserved/);
  assert.equal((await api('GET', '/ip-addresses?address=10.10.20.100')).data.results[0].status, 'reserved');

  // Release it.
  await cell(page, '10.10.20.100').click();
  page.once('dialog', (d) => d.accept());
  await form.getByRole('button', { name: 'Release' }).click();
  await page.getByText('Released 10.10.20.100.').waitFor();
  assert.match(await cell(page, '10.10.20.100').getAttribute('class'), /free/);
  assert.equal((await api('GET', '/ip-addresses?address=10.10.20.100')).data.count, 0);

  // The validation report, with the seed's SSH clash and links to the objects.
  await page.getByRole('link', { name: 'Validation' }).click();
  await page.locator('#validate-summary').waitFor();
  await page.getByRole('cell', { name: 'service-port-clash' }).waitFor();
  await page.getByRole('link', { name: /^host \d+$/ }).first().waitFor();
});

await test('an edit made meanwhile by someone else is reported, not lost', async (page) => {
  const api = await apiAs('ed');
  await login(page, 'ed');
  await vlan20(page).click();
  await cell(page, '10.10.20.20').click();
  const form = page.locator('#address-form');
  await form.getByLabel('Description').fill('edited in the browser');
  const other = (await api('GET', '/ip-addresses?address=10.10.20.20')).data.results[0];
  assert.equal((await api('PATCH', `/ip-addresses/${other.id}`, { description: 'edited elsewhere' })).status, 200);
  await form.getByRole('button', { name: 'Save' }).click();
  await page.getByText(/Someone changed this address since you opened it/).waitFor();
  assert.equal(await form.getByLabel('Description').inputValue(), 'edited elsewhere');
  assert.equal((await api('GET', `/ip-addresses/${other.id}`)).data.description, 'edited elsewhere');
  await form.getByLabel('Description').fill('edited in the browser');
  await form.getByRole('button', { name: 'Save' }).click();
  await page.getByText('Saved 10.10.20.20.').waitFor();
  assert.equal((await api('GET', `/ip-addresses/${other.id}`)).data.description, 'edited in the browser');
});

await test('API errors read as messages', async (page) => {
  await login(page, 'ed');
  await vlan20(page).click();
  await page.getByRole('button', { name: 'Allocate next free' }).first().click();
  const form = page.locator('#address-form');
  await form.getByLabel('DNS name').fill('not a name!');
  await form.getByRole('button', { name: 'Allocate' }).click();
  await form.getByRole('alert').filter({ hasText: /dns_name: must be an RFC 1123 host name/ }).waitFor();
});

await test('a viewer sees no write controls', async (page) => {
  await login(page, 'vi');
  await vlan20(page).click();
  await page.locator('.map .cell').first().waitFor();
  assert.equal(await page.getByRole('button', { name: /Allocate|Edit|Release|Reserve/ }).count(), 0);
  await cell(page, '10.10.20.100').click();
  assert.equal(await page.locator('#address-form').count(), 0);
});

await test('the other views: hosts, port map, rules, DNS, audit log, render', async (page) => {
  await login(page, 'ed');
  await page.getByRole('link', { name: 'Hosts' }).click();
  await page.getByRole('link', { name: 'pve-node-1' }).click();
  await page.getByRole('cell', { name: 'vmbr0' }).first().waitFor();
  await page.getByRole('cell', { name: 'proxmox-ui' }).waitFor();
  await page.getByRole('link', { name: 'Port map' }).click();
  await page.getByRole('cell', { name: 'LAN2.5-1', exact: true }).waitFor();
  assert.match(await page.getByRole('row').filter({ hasText: 'LAN2.5-3' }).innerText(), /30 app-tier/);
  await page.getByRole('link', { name: 'Firewall' }).click();
  await page.getByRole('cell', { name: 'compute-to-storage' }).waitFor();
  await page.getByRole('link', { name: 'DNS' }).click();
  await page.getByRole('link', { name: 'local', exact: true }).click();
  await page.getByRole('cell', { name: 'gitea' }).waitFor();
  await page.getByRole('link', { name: 'Audit log' }).click();
  // The import's actor: USER, else the process owner's login name (as the CLI finds it).
  const cli = 'cli:' + (process.env.USER || userInfo().username);
  await page.getByRole('cell', { name: cli }).first().waitFor();
  await page.getByRole('link', { name: 'Render' }).click();
  await page.getByLabel('Target').selectOption('nftables');
  await page.getByLabel('Host').selectOption('router');
  await page.getByRole('button', { name: 'Render' }).click();
  await page.locator('#render-output', { hasText: 'table inet netsot' }).waitFor();
  const link = page.getByRole('link', { name: 'Download' });
  assert.equal(await link.getAttribute('download'), 'nftables-router.txt');
  await page.getByRole('button', { name: 'Copy' }).waitFor();
});

await test('a 390-pixel screen: nothing overflows, the map fits', async (page) => {
  await page.setViewportSize({ width: 390, height: 844 });
  await login(page, 'ed');
  const wide = await page.evaluate(() => document.documentElement.scrollWidth);
  assert.ok(wide <= 392, `the overview is ${wide}px wide`);
  await page.screenshot({ path: join(SHOTS, 'overview-390.png'), fullPage: true });
  await vlan20(page).click();
  await page.locator('.map .cell').first().waitFor();
  const box = await page.locator('.map').boundingBox();
  assert.ok(box.x >= 0 && box.x + box.width <= 390, `the map spans ${box.x}..${box.x + box.width}`);
  assert.ok(await page.evaluate(() => document.documentElement.scrollWidth) <= 392);
  await page.screenshot({ path: join(SHOTS, 'prefix-map-390.png'), fullPage: true });
});

await test('every form control has a label', async (page) => {
  await login(page, 'ed');
  for (const hash of ['#/', '#/render']) {
    await page.goto(base + '/' + hash);
    await page.locator('main input, main select').first().waitFor();
    const unlabelled = await page.evaluate(() => [...document.querySelectorAll('input, select, textarea')]
      .filter((el) => el.type !== 'hidden' && !(el.labels && el.labels.length) && !el.getAttribute('aria-label'))
      .map((el) => el.name || el.outerHTML));
    assert.deepEqual(unlabelled, [], hash);
  }
  await page.goto(base + '/#/');
  await vlan20(page).click();
  await page.getByRole('button', { name: 'Allocate next free' }).first().click();
  const unlabelled = await page.evaluate(() => [...document.querySelectorAll('input, select')]
    .filter((el) => !(el.labels && el.labels.length)).map((el) => el.name));
  assert.deepEqual(unlabelled, []);
});

await browser.close();
server.kill('SIGTERM');
await new Promise((r) => server.on('exit', r));
rmSync(dir, { recursive: true, force: true });
console.log(failures ? `${failures} failed` : 'all passed');
process.exit(failures ? 1 : 0);
