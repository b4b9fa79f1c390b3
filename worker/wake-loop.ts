// A loop that runs its step when woken (a NOTIFY, a finished job, a timer)
// and never piles up: wakes that arrive during a step make one more step
// after it, not one each. A step that throws is retried after a growing
// pause (capped), so a loop facing a dead database backs off instead of
// spinning. A step may ask to run again at once (there is more to do).
import { setTimeout as sleep } from 'node:timers/promises';

export interface WakeLoopOptions {
	name: string;
	/** One pass; returns true when it should run again right away. */
	step(): Promise<boolean | void>;
	/** Runs the step this often even without wakes (the safety-net sweep). */
	intervalMs?: number;
	onError(error: unknown, retryInMs: number): void;
	minBackoffMs?: number;
	maxBackoffMs?: number;
}

export class WakeLoop {
	readonly name: string;
	#options: WakeLoopOptions;
	#woken = false;
	#running: Promise<void> | null = null;
	#stopped = false;
	#timer: NodeJS.Timeout | null = null;
	#backoff = new AbortController();
	#failures = 0;

	constructor(options: WakeLoopOptions) {
		this.name = options.name;
		this.#options = options;
		if (options.intervalMs) {
			this.#timer = setInterval(() => this.wake(), options.intervalMs);
			this.#timer.unref();
		}
	}

	wake(): void {
		if (this.#stopped) return;
		this.#woken = true;
		this.#running ??= this.#drain().finally(() => {
			this.#running = null;
		});
	}

	/** True while a step is running or a retry is pending. */
	get busy(): boolean {
		return this.#running !== null;
	}

	async #drain(): Promise<void> {
		while (this.#woken && !this.#stopped) {
			this.#woken = false;
			try {
				const again = await this.#options.step();
				this.#failures = 0;
				if (again) this.#woken = true;
			} catch (error) {
				this.#failures += 1;
				const min = this.#options.minBackoffMs ?? 100;
				const max = this.#options.maxBackoffMs ?? 5_000;
				const wait = Math.min(max, min * 2 ** Math.min(this.#failures - 1, 16)) * (0.75 + Math.random() / 2);
				this.#options.onError(error, Math.round(wait));
				await sleep(wait, undefined, { signal: this.#backoff.signal }).catch(() => {});
				this.#woken = true;
			}
		}
	}

	/** Stops waking; resolves when the current step (if any) is over. */
	async stop(): Promise<void> {
		this.#stopped = true;
		if (this.#timer) clearInterval(this.#timer);
		this.#backoff.abort();
		await this.#running;
	}
}
