// Times the web UI's overview in headless Chromium: from navigation to the rendered table of
// VLANs (#overview-ready), with a fresh browser context each time. Prints the median and worst
// of RUNS loads. Usage: node bench/ui-overview.mjs URL TOKEN [RUNS]
import { createRequire } from 'node:module';

const require = createRequire(new URL('../tests/web/package.json', import.meta.url));
const { chromium } = require('playwright-core');
const [url, token, runs = '7'] = process.argv.slice(2);
const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});
const times = [];
for (let i = 0; i < Number(runs); i++) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  await context.addInitScript((t) => sessionStorage.setItem('netsot.token', t), token);
  const page = await context.newPage();
  const t0 = performance.now();
  await page.goto(url);
  await page.locator('#overview-ready').waitFor();
  times.push(performance.now() - t0);
  const rows = await page.locator('tbody tr').count();
  if (rows === 0) throw new Error('the overview shows no rows');
  await context.close();
}
await browser.close();
times.sort((a, b) => a - b);
console.log(`overview in Chromium: median ${times[times.length >> 1].toFixed(0)} ms, `
  + `worst ${times[times.length - 1].toFixed(0)} ms (${times.length} loads)`);
