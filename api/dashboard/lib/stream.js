// The reviewers' stream (/v1/stream). It authenticates with its first message (the token is
// never in a URL), remembers the cursor of the last notification, and reconnects by itself
// with that cursor, so every notification arrives once: none twice, none missed. When the
// server cannot replay from the cursor (a reset, or the first connection) it says "resync":
// whoever shows lists reloads them, because notifications before the new cursor are not coming.
//
// Events: 'state' (detail {state: connecting|live|reconnecting|offline, retryAt}),
// 'notification' (detail: the message: approval.requested|decided|cancelled, comment.added),
// 'resync', 'unauthorized' (detail: the error).

const RETRY_FIRST_MS = 250;
const RETRY_MAX_MS = 5000;

export class Stream extends EventTarget {
  constructor(token) {
    super();
    this.token = token;
    this.cursor = null;  // the last notification's cursor; null until the first snapshot
    this.state = 'connecting';
    this.failures = 0;
    this.socket = null;
    this.retryTimer = null;
    this.stopped = false;
    this.onOnline = () => this.retryNow();
  }

  start() {
    window.addEventListener('online', this.onOnline);
    this.connect();
  }

  stop() {
    this.stopped = true;
    window.removeEventListener('online', this.onOnline);
    clearTimeout(this.retryTimer);
    this.socket?.close(1000, 'signed out');
  }

  // Retries at once (the browser came back online, or the reviewer asked).
  retryNow() {
    if (this.stopped || this.state === 'live' || this.state === 'connecting') return;
    clearTimeout(this.retryTimer);
    this.connect();
  }

  connect() {
    this.setState(this.cursor === null && this.failures === 0 ? 'connecting' : 'reconnecting');
    const scheme = location.protocol === 'https:' ? 'wss' : 'ws';
    const socket = new WebSocket(`${scheme}://${location.host}/v1/stream`);
    this.socket = socket;
    this.awaitingReset = false;
    socket.addEventListener('open', () => {
      // From the cursor when there is one: the server replays exactly what came after it.
      const auth = { type: 'auth', token: this.token };
      if (this.cursor === null) auth.page_size = 1;  // the cursor is what the snapshot is for
      else auth.since = this.cursor;
      socket.send(JSON.stringify(auth));
      this.failures = 0;
      this.setState('live');
    });
    socket.addEventListener('message', (event) => {
      let message;
      try {
        message = JSON.parse(event.data);
      } catch {
        return;  // not from this server's protocol: nothing to act on
      }
      this.receive(message);
    });
    socket.addEventListener('close', () => {
      if (socket !== this.socket || this.stopped) return;
      this.scheduleRetry();
    });
  }

  scheduleRetry() {
    const delay = Math.min(RETRY_MAX_MS, RETRY_FIRST_MS * 2 ** this.failures);
    this.failures += 1;
    this.setState('offline', { retryAt: Date.now() + delay });
    this.retryTimer = setTimeout(() => this.connect(), delay);
  }

  receive(message) {
    switch (message.type) {
      case 'batch':
        for (const inner of message.messages ?? []) this.receive(inner);
        return;
      case 'reset':
        this.awaitingReset = true;
        return;
      case 'snapshot':
        if (message.req !== undefined) return;  // not asked for by this page
        // The stream's start (first connection, or after a reset): everything before this
        // cursor is in the lists as the server has them now.
        this.cursor = message.cursor;
        this.awaitingReset = false;
        this.emit('resync');
        return;
      case 'error':
        if (message.error?.code === 'unauthorized') {
          this.stopped = true;
          this.emit('unauthorized', message.error);
        }
        return;
      default:
        if (typeof message.cursor !== 'number') return;
        if (this.cursor !== null && message.cursor <= this.cursor) return;  // already seen
        this.cursor = message.cursor;
        this.emit('notification', message);
    }
  }

  setState(state, extra = {}) {
    this.state = state;
    this.emit('state', { state, ...extra });
  }

  emit(type, detail) {
    this.dispatchEvent(new CustomEvent(type, { detail }));
  }
}
