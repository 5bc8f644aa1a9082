// The stream's state, always in view: a pill in the top bar (Live / Connecting / Reconnecting /
// Offline) and, while the stream is down, a banner saying what that means and when it retries.
// It clears by itself once the stream is back.
import { h } from '../lib/dom.js';

const PILL_TEXT = {
  connecting: 'Connecting…',
  live: 'Live',
  reconnecting: 'Reconnecting…',
  offline: 'Offline',
};

export class ConnectionStatus {
  constructor(onRetry) {
    this.pillText = h('span', { class: 'conn-text' }, PILL_TEXT.connecting);
    this.pill = h('span', { class: 'conn conn-connecting', id: 'connection', role: 'status',
                            title: 'Live updates over the WebSocket' },
                  h('span', { class: 'conn-dot', 'aria-hidden': 'true' }), this.pillText);
    this.bannerText = h('span', {});
    this.retry = h('button', { class: 'button button-small', type: 'button', onclick: onRetry },
                   'Retry now');
    this.banner = h('div', { class: 'banner banner-offline', role: 'alert', hidden: true },
                    this.bannerText, this.retry);
    this.countdown = null;
    this.wasLive = false;
  }

  // detail: {state, retryAt} from Stream's 'state' event.
  update({ state, retryAt }) {
    this.pill.className = `conn conn-${state}`;
    this.pillText.textContent = PILL_TEXT[state] ?? state;
    clearInterval(this.countdown);
    if (state === 'live') {
      this.wasLive = true;
      this.banner.hidden = true;
      return;
    }
    if (state === 'connecting' && !this.wasLive) return;
    this.banner.hidden = false;
    const say = () => {
      const seconds = retryAt ? Math.max(0, Math.ceil((retryAt - Date.now()) / 1000)) : 0;
      this.bannerText.textContent = state === 'offline' && seconds > 0 ?
        `Live updates are off: the server cannot be reached. Retrying in ${seconds} s; ` +
        'what happens meanwhile will appear once it is back.' :
        'Live updates are off: reconnecting…';
    };
    say();
    if (state === 'offline') this.countdown = setInterval(say, 1000);
  }
}
