// A small harness for the dashboard's browser tests, until INFRA's shared one lands: a real
// `assent serve` on an OS-chosen port (kill -9 and restart on the same port and data), REST
// helpers for the admin and users, headless Chromium through playwright-core, sign-in and
// screenshots. Waits are bounded and say what they waited for.
//
//   const server = await startServer();             // {url, port, admin: Rest, kill9, restart, stop}
//   const alice = await server.addUser('alice', ['finance']);   // -> {id, token, rest: Rest}
//   await server.admin.put('/v1/workflows/x', definition);
//   const browser = await launchBrowser();
//   const page = await openPage(browser, server);    // fails the test on console errors
//   await signIn(page, alice.token);
//   await screenshot(page, 'queue');                 // build/screenshots/queue.png
//
// Or, per test file: const env = useDashboard({workflows, users: {alice: ['finance']}}), which
// fills env.server, env.browser and env.users.alice before the tests and cleans up after.
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';
import { after, before } from 'node:test';

const here = dirname(fileURLToPath(import.meta.url));
export const repoRoot = resolve(here, '../..');
const buildDir = process.env.ASSENT_BUILD_DIR ?? join(repoRoot, 'build');
const binary = process.env.ASSENT_BIN ?? join(buildDir, 'api/assent');
export const benchBinary = process.env.ASSENT_BENCH ?? join(buildDir, 'bench/assent-bench');
export { buildDir };
const require = createRequire(join(repoRoot, 'package.json'));
const { chromium } = require(process.env.PLAYWRIGHT_CORE ?? 'playwright-core');

const ADMIN_TOKEN = 'browser-test-admin-token-0123456789abcdef';
const START_TIMEOUT_MS = 15000;

export class Rest {
  constructor(url, token) {
    this.url = url;
    this.token = token;
  }

  async call(method, path, body) {
    const response = await fetch(this.url + path, {
      method,
      headers: { Authorization: `Bearer ${this.token}`, 'Content-Type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const data = await response.json().catch(() => null);
    if (!response.ok) {
      const error = new Error(`${method} ${path}: ${response.status} ${JSON.stringify(data)}`);
      error.status = response.status;
      throw error;
    }
    return data;
  }

  get(path) { return this.call('GET', path); }
  post(path, body) { return this.call('POST', path, body ?? {}); }
  put(path, body) { return this.call('PUT', path, body); }

  // Starts a run and returns its pending approval (waiting until the run reaches it).
  async startForApproval(workflow, input) {
    const { run_id: runId } = await this.post(`/v1/workflows/${workflow}/runs`, { input });
    const run = await waitFor(async () => {
      const state = await this.get(`/v1/runs/${runId}`);
      return state.pending_approvals?.length ? state : null;
    }, `run ${runId} of ${workflow} to ask for approval`);
    return run.pending_approvals[0];
  }
}

// Polls check() until it returns something truthy; fails naming what it waited for.
export async function waitFor(check, what, timeoutMs = 10000) {
  const deadline = Date.now() + timeoutMs;
  let last;
  for (;;) {
    try {
      const value = await check();
      if (value) return value;
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline) {
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}` +
                      (last ? ` (last error: ${last.message})` : ''));
    }
    await new Promise((resolveTick) => setTimeout(resolveTick, 25));
  }
}

// dataDir: an existing data directory to serve (kept afterwards); by default a fresh one,
// removed by stop().
export async function startServer({ extraArgs = [], dataDir: given } = {}) {
  const dataDir = given ?? mkdtempSync(join(tmpdir(), 'assent-browser-'));
  const server = {
    dataDir, port: 0, url: '', process: null,
    admin: null,
    async launch(port) {
      const args = ['serve', '--data', dataDir, '--listen', `127.0.0.1:${port}`, ...extraArgs];
      if (process.env.ASSENT_DASHBOARD_DIR) args.push('--dashboard-dir', process.env.ASSENT_DASHBOARD_DIR);
      const child = spawn(binary, args, {
        env: { ...process.env, ASSENT_ADMIN_TOKEN: ADMIN_TOKEN }, stdio: ['ignore', 'pipe', 'pipe'],
      });
      this.process = child;
      let output = '';
      const listening = new Promise((resolveUrl, reject) => {
        const timer = setTimeout(() => reject(new Error(
          `assent serve did not say "listening on" within ${START_TIMEOUT_MS} ms:\n${output}`)),
        START_TIMEOUT_MS);
        const read = (chunk) => {
          output += chunk;
          const match = /listening on (http:\/\/[0-9.]+:(\d+))/.exec(output);
          if (match) {
            clearTimeout(timer);
            resolveUrl(match);
          }
        };
        child.stdout.on('data', read);
        child.stderr.on('data', read);
        child.on('exit', (code) => reject(new Error(`assent serve exited ${code}:\n${output}`)));
      });
      const [, url, actualPort] = await listening;
      this.url = url;
      this.port = Number(actualPort);
      this.admin = new Rest(url, ADMIN_TOKEN);
    },
    async kill9() {
      const child = this.process;
      const exited = new Promise((done) => child.once('exit', done));
      child.kill('SIGKILL');
      await exited;
    },
    restart() {
      return this.launch(this.port);
    },
    async stop() {
      if (this.process && this.process.exitCode === null) await this.kill9();
      if (!given) rmSync(dataDir, { recursive: true, force: true });
    },
    async addUser(id, groups = []) {
      const answer = await this.admin.post('/v1/users', { id, groups });
      const token = answer.token.token;
      return { id, token, rest: new Rest(this.url, token) };
    },
  };
  await server.launch(0);
  return server;
}

export function launchBrowser() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-dev-shm-usage'],
  });
}

// A new page (its own session storage) on the server. Console errors and page errors are
// collected in page.problems; checkNoProblems(page) fails on any.
export async function openPage(browser, server, { width = 1366, height = 768 } = {}) {
  const context = await browser.newContext({ viewport: { width, height } });
  const page = await context.newPage();
  page.problems = [];
  page.on('pageerror', (error) => page.problems.push(`page error: ${error.message}`));
  page.on('console', (message) => {
    if (message.type() === 'error') page.problems.push(`console: ${message.text()}`);
  });
  page.on('dialog', (dialog) => {
    page.problems.push(`dialog opened: ${dialog.message()}`);
    dialog.dismiss();
  });
  await page.goto(`${server.url}/`);
  return page;
}

export async function signIn(page, token) {
  await page.fill('#token', token);
  await page.click('.signin-form button[type=submit]');
  await page.waitForSelector('#signed-in-user', { timeout: 10000 });
}

export async function screenshot(page, name) {
  const folder = join(buildDir, 'screenshots');
  mkdirSync(folder, { recursive: true });
  const path = join(folder, `${name}.png`);
  await page.screenshot({ path });
  return path;
}

// Hooks for a test file: before its tests a server with `workflows` applied and `users`
// ({id: [groups]}) added, and a browser; after them, both gone.
export function useDashboard({ workflows = [], users = {}, serverOptions } = {}) {
  const env = { server: null, browser: null, users: {} };
  before(async () => {
    env.server = await startServer(serverOptions);
    for (const workflow of workflows) {
      await env.server.admin.put(`/v1/workflows/${workflow.name}`, workflow);
    }
    for (const [id, groups] of Object.entries(users)) {
      env.users[id] = await env.server.addUser(id, groups);
    }
    env.browser = await launchBrowser();
  });
  after(async () => {
    await env.browser?.close();
    await env.server?.stop();
  });
  return env;
}
