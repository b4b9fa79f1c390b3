// What the benchmarks share: medians and quantiles, a deadline on a promise,
// alternating two timed commands, a one-shot CLI bundled as a worker would
// run it, and the closing table of figures against their goals. No side
// effects on import.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { build } from 'vite';

export function median(values: number[]): number {
	const s = [...values].sort((a, b) => a - b);
	return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

/** The value at quantile q (0-1) of `values`, nearest rank below; NaN when empty. */
export function quantile(values: number[], q: number): number {
	if (values.length === 0) return NaN;
	const sorted = [...values].sort((a, b) => a - b);
	return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
}

export function deadline<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
	return new Promise<T>((resolve, reject) => {
		const timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms: ${what}`)), ms);
		promise.then(
			(v) => (clearTimeout(timer), resolve(v)),
			(e) => (clearTimeout(timer), reject(e))
		);
	});
}

/**
 * `runs` measurements of each, after one untimed run each (so neither pays
 * for a cold file cache), alternating which goes first so machine drift
 * hits both.
 */
export function alternate<A, B>(runs: number, ours: () => A, theirs: () => B): { ours: A[]; theirs: B[] } {
	const a: A[] = [];
	const b: B[] = [];
	ours();
	theirs();
	for (let i = 0; i < runs; i++) {
		if (i % 2) {
			b.push(theirs());
			a.push(ours());
		} else {
			a.push(ours());
			b.push(theirs());
		}
	}
	return { ours: a, theirs: b };
}

/** `entry` bundled to `outDir/name.mjs`: one JavaScript file, types stripped at build time, not at every start. */
export async function bundleCli(entry: string, outDir: string, name: string): Promise<string> {
	await build({
		configFile: false,
		logLevel: 'silent',
		ssr: { noExternal: true },
		build: { ssr: entry, outDir, emptyOutDir: true, minify: false, rollupOptions: { output: { entryFileNames: `${name}.mjs` } } }
	});
	return join(outDir, `${name}.mjs`);
}

/** One measured figure against its goal; ok is null for a figure only reported. */
export interface Figure {
	figure: string;
	value: string;
	goal: string;
	ok: boolean | null;
}

/** The machine's load average now (reported beside the figures: the machine is shared). */
export function loadAverage(): string {
	return readFileSync('/proc/loadavg', 'utf8').trim();
}

/** Prints the load before and after and the figures table; a missed goal makes the exit code 1. */
export function reportFigures(figures: Figure[], loadBefore: string): void {
	console.log(`\nload before the run: ${loadBefore}; after: ${loadAverage()}`);
	console.log('\nfigure | value | goal | met');
	for (const r of figures) console.log(`${r.figure} | ${r.value} | ${r.goal} | ${r.ok === null ? '-' : r.ok ? 'yes' : 'NO'}`);
	if (figures.some((r) => r.ok === false)) process.exitCode = 1;
}

/** Runs `work` over `items` with `limit` in flight. */
export async function pool<T>(items: T[], limit: number, work: (item: T) => Promise<void>): Promise<void> {
	let next = 0;
	await Promise.all(
		Array.from({ length: limit }, async () => {
			while (next < items.length) await work(items[next++]);
		})
	);
}

/** A process's resident memory now (VmRSS) or at its peak (VmHWM), in bytes (Linux /proc). */
export function procMemory(pid: number, field: 'VmRSS' | 'VmHWM'): number {
	const match = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
	return Number(match![1]) * 1024;
}
