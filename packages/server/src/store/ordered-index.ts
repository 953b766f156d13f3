// An append-only list of (sequence, id) pairs kept in sequence order, with lazy deletion.
// Sequences only grow, so appending keeps the list sorted; a page after a cursor is found by
// binary search (O(log n)) and then read by walking forward (O(page size) plus skipped deletions).
// Deleted entries stay as tombstones until they outnumber the live ones; compaction then costs
// O(n), which is O(1) amortised per deletion.

export interface IndexStats {
  /** Binary-search probes made. */
  searchSteps: number;
  /** Index entries walked while reading pages (live, dead or filtered out). */
  visited: number;
  /** Times an index was considered for compaction. */
  compactionChecks: number;
  /** Entries examined by compactions. */
  compactionSteps: number;
}

export class OrderedIndex {
  private seqs: number[] = [];
  private ids: string[] = [];
  private dead = 0;

  constructor(private readonly stats: IndexStats) {}

  get size(): number {
    return this.seqs.length - this.dead;
  }

  append(seq: number, id: string): void {
    this.seqs.push(seq);
    this.ids.push(id);
  }

  markDead(): void {
    this.dead += 1;
  }

  /** Every entry in order, not counted as page reads (used to apply a transaction's appends at commit). */
  forEach(visit: (seq: number, id: string) => void): void {
    for (let i = 0; i < this.seqs.length; i++) visit(this.seqs[i]!, this.ids[i]!);
  }

  /** Drops tombstones when they outnumber live entries. `isLive` tells whether an entry still stands. */
  maybeCompact(isLive: (seq: number, id: string) => boolean): void {
    this.stats.compactionChecks += 1;
    if (this.dead < 32 || this.dead * 2 < this.seqs.length) return;
    const seqs: number[] = [];
    const ids: string[] = [];
    for (let i = 0; i < this.seqs.length; i++) {
      this.stats.compactionSteps += 1;
      const seq = this.seqs[i]!;
      const id = this.ids[i]!;
      if (isLive(seq, id)) {
        seqs.push(seq);
        ids.push(id);
      }
    }
    this.seqs = seqs;
    this.ids = ids;
    this.dead = 0;
  }

  /** Position of the first entry whose sequence is greater than `after`. */
  private firstAfter(after: number | undefined): number {
    if (after === undefined) return 0;
    let lo = 0;
    let hi = this.seqs.length;
    while (lo < hi) {
      this.stats.searchSteps += 1;
      const mid = (lo + hi) >>> 1;
      if (this.seqs[mid]! <= after) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** Walks entries before `before` (all without it), newest first, until `visit` returns false. */
  walkBack(before: number | undefined, visit: (seq: number, id: string) => boolean): void {
    const end = before === undefined ? this.seqs.length : this.firstAfter(before - 1);
    for (let i = end - 1; i >= 0; i--) {
      this.stats.visited += 1;
      if (!visit(this.seqs[i]!, this.ids[i]!)) return;
    }
  }

  /** Walks entries after `after` in order until `visit` returns false. */
  walk(after: number | undefined, visit: (seq: number, id: string) => boolean): void {
    for (let i = this.firstAfter(after); i < this.seqs.length; i++) {
      this.stats.visited += 1;
      if (!visit(this.seqs[i]!, this.ids[i]!)) return;
    }
  }
}
