/**
 * Tagging results per sentence, keyed by the model and the sentence's text: an edit changes the
 * text of the sentences it touches, so only those miss the cache. Least recently used entries go
 * first once `capacity` is reached.
 */
export class SentenceCache<V> {
  private readonly entries = new Map<string, V>();
  hits = 0;
  misses = 0;

  constructor(private capacity = 5_000) {}

  private static key(model: string, sentence: string): string {
    return `${model}\u0000${sentence}`;
  }

  get(model: string, sentence: string): V | undefined {
    const key = SentenceCache.key(model, sentence);
    const value = this.entries.get(key);
    if (value === undefined) {
      this.misses++;
      return undefined;
    }
    this.hits++;
    // Re-insert so Map order stays least-recently-used first.
    this.entries.delete(key);
    this.entries.set(key, value);
    return value;
  }

  set(model: string, sentence: string, value: V): void {
    const key = SentenceCache.key(model, sentence);
    this.entries.delete(key);
    this.entries.set(key, value);
    this.evict();
  }

  get size(): number {
    return this.entries.size;
  }

  resize(capacity: number): void {
    this.capacity = Math.max(0, capacity);
    this.evict();
  }

  /** Forgets one model's entries (after it is unloaded) or everything. */
  clear(model?: string): void {
    if (model === undefined) {
      this.entries.clear();
      return;
    }
    const prefix = `${model}\u0000`;
    for (const key of [...this.entries.keys()]) if (key.startsWith(prefix)) this.entries.delete(key);
  }

  private evict(): void {
    while (this.entries.size > this.capacity) {
      const oldest = this.entries.keys().next();
      if (oldest.done) break;
      this.entries.delete(oldest.value);
    }
  }
}
