// How many pending approvals wait for this user, for the tab title and the nav: the first page
// of the inbox ("100+" past it). Asked again, debounced, whenever approvals change.
const PAGE = 100;
const DEBOUNCE_MS = 200;

export class PendingCount extends EventTarget {
  constructor(api) {
    super();
    this.api = api;
    this.value = null;  // {count, more} once known
    this.timer = null;
    this.asking = null;
  }

  refresh() {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.ask(), DEBOUNCE_MS);
  }

  async ask() {
    if (this.asking) {
      // One question at a time; one more afterwards covers the changes made meanwhile.
      this.asking.then(() => this.refresh());
      return;
    }
    this.asking = this.read().then((value) => {
      this.value = value;
      this.dispatchEvent(new Event('change'));
    }, () => { /* offline: the resync after reconnecting asks again */ });
    await this.asking;
    this.asking = null;
  }

  async read() {
    const page = await this.api.approvals({ status: 'pending', assignee: 'me', limit: PAGE });
    return { count: page.approvals.length, more: Boolean(page.next) };
  }

  get text() {
    if (!this.value) return '';
    return `${this.value.count}${this.value.more ? '+' : ''}`;
  }
}
