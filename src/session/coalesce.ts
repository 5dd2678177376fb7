/**
 * Joins identical requests that are running at the same time: while a task for a key is in
 * flight, a second caller with the same key gets the same promise instead of starting another
 * request to the service.
 */
export class Coalescer {
  private readonly running = new Map<string, Promise<unknown>>();

  /**
   * Runs `task` unless a task for `key` is running, in which case its promise is returned.
   * The key is forgotten when the task settles, so a later call starts afresh.
   */
  run<T>(key: string, task: () => Promise<T>): Promise<T> {
    const existing = this.running.get(key);
    if (existing) return existing as Promise<T>;
    let promise: Promise<T>;
    try {
      promise = task();
    } catch (err) {
      promise = Promise.reject(err);
    }
    const tracked = promise.finally(() => {
      if (this.running.get(key) === tracked) this.running.delete(key);
    });
    this.running.set(key, tracked);
    return tracked;
  }

  /** Number of keys in flight. */
  get size(): number {
    return this.running.size;
  }
}
