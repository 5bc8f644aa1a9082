// How many pending approvals wait for this user, for the tab title and the nav (the server's
// count: cheap, also with 100,000 pending). Asked again, debounced, whenever approvals change.
const DEBOUNCE_MS = 200;
const countFormat = new Intl.NumberFormat();

export class PendingCount extends EventTarget {
  constructor(api) {
    super();
    this.api = api;
    this.value = null;  // the count once known
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
    this.asking = this.api.pendingCount().then(({ count }) => {
      this.value = count;
      this.dispatchEvent(new Event('change'));
    }, () => { /* offline: the resync after reconnecting asks again */ });
    await this.asking;
    this.asking = null;
  }

  get text() {
    return this.value === null ? '' : countFormat.format(this.value);
  }
}
