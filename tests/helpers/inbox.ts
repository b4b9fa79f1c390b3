// Collects events as they arrive; next() waits for a matching one, up to a deadline.
export class Inbox<T> {
	readonly items: T[] = [];
	private waiters: Array<{ match: (item: T) => boolean; resolve: (item: T) => void }> = [];
	push = (item: T) => {
		this.items.push(item);
		for (const w of [...this.waiters]) {
			if (w.match(item)) {
				this.waiters.splice(this.waiters.indexOf(w), 1);
				w.resolve(item);
			}
		}
	};
	/** Waits for a matching item at index `from` or later. */
	next(match: (item: T) => boolean, what: string, ms = 8_000, from = 0): Promise<T> {
		const found = this.items.slice(from).find(match);
		if (found) return Promise.resolve(found);
		return new Promise<T>((resolve, reject) => {
			const timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms waiting for ${what}`)), ms);
			this.waiters.push({
				match,
				resolve: (item) => {
					clearTimeout(timer);
					resolve(item);
				}
			});
		});
	}
}
