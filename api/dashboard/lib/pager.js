// Lists of the API read page by page, newest first, following `next`: the page holds what the
// reviewer has scrolled to, never the whole list.

// One list. fetchPage(after, limit) -> {items, next}.
export class Pager {
  constructor(fetchPage) {
    this.fetchPage = fetchPage;
    this.after = undefined;
    this.done = false;
  }

  async more(limit) {
    if (this.done) return [];
    const { items, next } = await this.fetchPage(this.after, limit);
    this.after = next;
    this.done = !next;
    return items;
  }
}

// Several lists merged into one, newest first by `key` (the decided view: approved, rejected
// and cancelled approvals are three lists on the server).
export class MergedPager {
  constructor(pagers, key) {
    this.sources = pagers.map((pager) => ({ pager, buffer: [] }));
    this.key = key;
  }

  get done() {
    return this.sources.every((source) => source.pager.done && source.buffer.length === 0);
  }

  async more(limit) {
    const out = [];
    while (out.length < limit) {
      await Promise.all(this.sources.map(async (source) => {
        if (source.buffer.length === 0 && !source.pager.done) {
          source.buffer.push(...await source.pager.more(limit));
        }
      }));
      let newest = null;
      for (const source of this.sources) {
        if (source.buffer.length === 0) continue;
        if (!newest || this.key(source.buffer[0]) > this.key(newest.buffer[0])) newest = source;
      }
      if (!newest) break;
      out.push(newest.buffer.shift());
    }
    return out;
  }
}
