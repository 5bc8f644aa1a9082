// The dashboard's entry point: sign in, then the shell with the queue, approvals and runs,
// kept live by the stream. Each part lives in its own module; this one wires them together.
import { Api } from './lib/api.js';
import { h, replace } from './lib/dom.js';
import { Keyboard } from './lib/keyboard.js';
import { PendingCount } from './lib/pending_count.js';
import { QueueStore } from './lib/queue_store.js';
import { href, Router } from './lib/router.js';
import { session } from './lib/session.js';
import { Stream } from './lib/stream.js';
import { ApprovalView } from './views/approval.js';
import { ConnectionStatus } from './views/connection.js';
import { QueueView, queueParams } from './views/queue.js';
import { RunView } from './views/run.js';
import { RunsView } from './views/runs.js';
import { Shell } from './views/shell.js';
import { renderSignIn } from './views/signin.js';
import { Toasts } from './views/toast.js';

const root = document.getElementById('app');
let app = null;  // the signed-in page, or null

function showSignIn(notice) {
  app?.stop();
  app = null;
  document.title = 'Sign in · Assent';
  replace(root, renderSignIn({
    notice,
    check: (token) => new Api(() => token).me(),
    onSignedIn: (token, me) => {
      session.signIn(token);
      start(me);
    },
  }));
}

function signOut(notice) {
  session.signOut();
  if (location.pathname !== '/') history.replaceState(null, '', '/');
  showSignIn(notice);
}

// The signed-in page. Its parts talk through it: stream -> store, count, current view.
class App {
  constructor(me) {
    this.me = me;
    this.api = new Api(() => session.token,
                       () => signOut('Your session ended (the token was revoked or expired). ' +
                                     'Sign in again.'));
    this.toasts = new Toasts();
    this.stream = new Stream(session.token);
    this.connection = new ConnectionStatus(() => this.stream.retryNow());
    this.shell = new Shell({
      me, connection: this.connection, toasts: this.toasts,
      onSignOut: () => signOut(), onHelp: () => this.keyboard.toggleHelp(),
    });
    this.store = new QueueStore(this.api, me);
    this.count = new PendingCount(this.api);
    this.router = new Router((route) => this.show(route));
    this.queue = null;   // the queue pane, kept while moving between approvals
    this.detail = null;  // the view on the right (approval) or the page (runs, run)
    this.pageTitle = 'Assent';

    this.count.addEventListener('change', () => this.updateTitle());
    this.stream.addEventListener('state', (event) => this.onStreamState(event.detail));
    this.stream.addEventListener('notification', (event) => this.onNotification(event.detail));
    this.stream.addEventListener('resync', () => this.onResync());
    this.stream.addEventListener('unauthorized',
                                 () => signOut('Your session ended. Sign in again.'));
    this.keyboard = new Keyboard(this.shortcuts());
  }

  start() {
    replace(root, this.shell.element);
    this.stream.start();
    this.count.refresh();
    this.router.start();
  }

  stop() {
    this.stream.stop();
    this.keyboard.stop();
    this.queue?.destroy();
    this.detail?.destroy?.();
  }

  // Back after an outage: the stream replays what was missed, but requests that failed while
  // the server was away (a page of the queue, a run's long poll, the count) are made again.
  onStreamState(detail) {
    this.connection.update(detail);
    const { state } = detail;
    if (state === 'live' && this.wasDown) {
      if (this.store.error) this.store.reload();
      this.count.refresh();
      this.detail?.onResync?.();
    }
    if (state === 'offline') this.wasDown = true;
    else if (state === 'live') this.wasDown = false;
  }

  onNotification(message) {
    this.store.apply(message);
    if (message.type !== 'comment.added') this.count.refresh();
    this.detail?.onNotification?.(message);
  }

  // The stream started over (first connection, a reset, or back after a restart it could not
  // replay): lists are read again, since what happened before its cursor is not coming.
  onResync() {
    // Also at the first start: the queue may have been read before the stream's cursor
    // existed, and what was committed in between must not be missed.
    if (this.store.pager) this.store.reload({ quiet: true });
    if (this.resynced) this.detail?.onResync?.();
    this.resynced = true;
    this.count.refresh();
  }

  show(route) {
    const twoPane = route.name === 'queue' || route.name === 'approval';
    this.shell.setSection(twoPane ? 'queue' : 'runs');
    if (twoPane) return this.showQueue(route);
    this.queue?.destroy();
    this.queue = null;
    if (route.name === 'runs') {
      // The same list when only its filters change.
      this.setPage(this.detail instanceof RunsView ? this.detail : new RunsView({
        api: this.api, navigate: (target, options) => this.router.navigate(target, options),
      }));
      this.detail.update(route);
    } else if (route.name === 'run') {
      this.setPage(new RunView({ api: this.api, id: route.id, toasts: this.toasts }));
    } else {
      this.setPage({ element: h('div', { class: 'state-box' },
        h('p', { class: 'state-title' }, 'Page not found'),
        h('p', { class: 'muted' }, h('a', { href: '/' }, 'Back to the queue'))) });
      document.title = 'Not found';
    }
    this.updateTitle();
  }

  showQueue(route) {
    if (!this.queue) {
      this.setDetail(null);
      this.queue = new QueueView({
        store: this.store, api: this.api,
        navigate: (target, options) => this.router.navigate(target, options),
      });
      this.detailPane = h('div', { class: 'detail-pane' });
      this.layout = h('div', { class: 'two-pane' }, this.queue.element, this.detailPane);
      replace(this.shell.main, this.layout);
    }
    this.queue.update(route);
    this.layout.classList.toggle('has-detail', route.name === 'approval');
    if (route.name === 'approval') {
      if (!(this.detail instanceof ApprovalView) || this.detail.id !== route.id) {
        this.setDetail(new ApprovalView({
          api: this.api, id: route.id, store: this.store, toasts: this.toasts,
          backHref: href('/', queueParams(route.params)),
        }));
        replace(this.detailPane, this.detail.element);
      }
    } else {
      this.setDetail(null);
      replace(this.detailPane, h('div', { class: 'detail-empty' },
        h('div', { class: 'state-art state-art-pick', 'aria-hidden': 'true' }),
        h('p', { class: 'state-title' }, 'Pick a request to review'),
        h('p', { class: 'muted' }, 'Press ', h('kbd', {}, 'j'), ' for the first one, ',
          h('kbd', {}, '?'), ' for every shortcut.')));
      document.title = 'Queue';
    }
    this.updateTitle();
  }

  // The view that gets notifications and resyncs: the approval beside the queue, or the page.
  setDetail(view) {
    if (this.detail !== view) this.detail?.destroy?.();
    this.detail = view;
  }

  setPage(view) {
    this.setDetail(view);
    replace(this.shell.main, view.element);
  }

  // "(3) Pay 7200 to ACME? · Assent": the count of what waits for this user comes first.
  updateTitle() {
    queueMicrotask(() => {
      const text = this.count.text;
      this.shell.setCount(text);
      const base = document.title.replace(/^\([^)]*\) /, '').replace(/ · Assent$/, '');
      const prefix = text && text !== '0' ? `(${text}) ` : '';
      document.title = `${prefix}${base === 'Assent' ? 'Queue' : base} · Assent`;
    });
  }

  shortcuts() {
    const approval = () => (this.detail instanceof ApprovalView ? this.detail : null);
    const inQueue = () => this.queue !== null;
    return {
      j: () => inQueue() ? this.queue.move(1) : this.router.navigate('/'),
      k: () => inQueue() && this.queue.move(-1),
      Enter: (event) => {
        if (event.target !== document.body || !inQueue()) return false;
        this.queue.move(0);
        return true;
      },
      a: () => approval()?.approveKey(),
      r: () => approval()?.rejectKey(),
      c: () => approval()?.focusComment(),
      '/': () => {
        if (!inQueue()) this.router.navigate('/');
        this.queue?.focusSearch();
      },
      'g q': () => this.router.navigate('/'),
      'g r': () => this.router.navigate('/runs'),
      Escape: () => approval()?.escape(),
    };
  }
}

function start(me) {
  app = new App(me);
  app.start();
}

async function boot() {
  if (!session.token) return showSignIn();
  try {
    start(await new Api(() => session.token).me());
  } catch (error) {
    if (error.status === 401) return signOut('Your session ended. Sign in again.');
    replace(root, h('div', { class: 'state-box state-error boot-error' },
      h('p', { class: 'state-title' }, 'Assent cannot be reached'),
      h('p', { class: 'muted' }, error.message),
      h('button', { class: 'button', type: 'button', onclick: () => boot() }, 'Try again')));
  }
}

boot();
