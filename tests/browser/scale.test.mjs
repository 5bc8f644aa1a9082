// 100,000 pending approvals: the queue's first page shows within 1 s, and scrolling stays smooth
// because the page asks for pages as it goes and draws only the rows in view. Prints the
// figures (README records them).
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { after, before, test } from 'node:test';
import { launchBrowser, openPage, repoRoot, screenshot, signIn, startServer } from './harness.mjs';

const PENDING = 100000;
const FIRST_PAGE_BUDGET_MS = 1000;
const buildDir = dirname(dirname(process.env.ASSENT_BIN ?? join(repoRoot, 'build/api/assent')));
const bench = process.env.ASSENT_BENCH ?? join(buildDir, 'bench/assent-bench');
// Filled once by assent-bench (W1 runs, half left waiting for approval), kept in the build
// folder and copied for each run, since a server writes to the data dir it serves.
const fixture = join(buildDir, 'browser-fixtures', 'pending-100k');

let server;
let browser;

before(async () => {
  if (!existsSync(join(fixture, 'fill.json'))) {
    assert.ok(existsSync(bench),
              `the fill needs ${bench} (cmake --build build --target assent-bench)`);
    // Half the runs wait; the bench then decides one of them to time a recovered decision.
    execFileSync(bench,
                 ['recovery', '--runs', String(2 * (PENDING + 1)), '--data', fixture, '--keep'],
                 { stdio: 'inherit' });
  }
  server = await startServer();
  await server.kill9();
  rmSync(server.dataDir, { recursive: true, force: true });
  cpSync(join(fixture, 'data'), server.dataDir, { recursive: true });
  await server.restart();
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

test('100,000 pending: the first page within 1 s, smooth scrolling, never everything held',
  async () => {
    const page = await openPage(browser, server);
    await signIn(page, server.admin.token);
    await page.locator('.qrow').first().waitFor();
    await page.locator('.nav-count:not([hidden])').waitFor();
    assert.equal(await page.textContent('.nav-count'), '100,000');  // the server's count
    assert.ok(await page.title().then((title) => title.startsWith('(100,000) ')));

    // A cold load of the queue, signed in: from navigation start to the first row drawn.
    await page.addInitScript(() => {
      new MutationObserver((changes, observer) => {
        if (document.querySelector('.qrow')) {
          window.__firstRowAt = performance.now();
          observer.disconnect();
        }
      }).observe(document, { childList: true, subtree: true });
    });
    const timings = [];
    for (let round = 0; round < 3; round += 1) {
      await page.goto(`${server.url}/`);
      await page.locator('.qrow').first().waitFor();
      timings.push(await page.evaluate(() => window.__firstRowAt));
    }
    const firstPageMs = Math.min(...timings);

    // Scroll 1,000 rows down with the wheel, counting frames and the longest one.
    await page.evaluate(() => {
      window.__frames = [];
      let last = performance.now();
      const tick = (now) => {
        window.__frames.push(now - last);
        last = now;
        if (!window.__stopFrames) requestAnimationFrame(tick);
      };
      requestAnimationFrame(tick);
    });
    await page.hover('.vlist');
    const rowsToScroll = 1000;
    const where = () => page.evaluate(() => {
      const list = document.querySelector('.vlist');
      return { top: list.scrollTop, height: list.scrollHeight, view: list.clientHeight };
    });
    for (let at = await where(); at.top + at.view < rowsToScroll * 92; at = await where()) {
      await page.mouse.wheel(0, 1500);
      // It moved, or it was at the end of what is loaded and the next page came.
      await page.waitForFunction(({ top, height }) => {
        const list = document.querySelector('.vlist');
        return list.scrollTop > top || list.scrollHeight > height;
      }, at, { timeout: 10000 });
    }
    const scroll = await page.evaluate(() => {
      window.__stopFrames = true;
      const frames = window.__frames.slice(1).sort((a, b) => a - b);
      const list = document.querySelector('.vlist');
      return {
        frames: frames.length,
        p95: frames[Math.floor(frames.length * 0.95)],
        longest: frames[frames.length - 1],
        drawnRows: document.querySelectorAll('.qrow').length,
        loadedRows: Math.round(list.scrollHeight / 92),
      };
    });
    await screenshot(page, 'queue-100k-scrolled');
    console.log(`100,000 pending: first page drawn ${firstPageMs.toFixed(0)} ms after navigation ` +
      `(cold loads ${timings.map((t) => t.toFixed(0)).join(' / ')} ms); scrolled ` +
      `${rowsToScroll} rows: ${scroll.frames} frames, p95 ${scroll.p95.toFixed(1)} ms, longest ` +
      `${scroll.longest.toFixed(1)} ms; ${scroll.drawnRows} rows in the DOM, ` +
      `${scroll.loadedRows} loaded`);
    assert.ok(firstPageMs < FIRST_PAGE_BUDGET_MS, `first page in ${firstPageMs} ms`);
    assert.ok(scroll.drawnRows < 60, `only rows in view are drawn: ${scroll.drawnRows}`);
    assert.ok(scroll.loadedRows < 5000, `paged, not everything: ${scroll.loadedRows} loaded`);
    assert.ok(scroll.p95 < 50, `smooth: p95 frame ${scroll.p95} ms`);
    await page.context().close();
  });
