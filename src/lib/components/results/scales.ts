// Pure plotting helpers for the SVG plots: linear scales, readable tick
// values and path data. No DOM, so they are unit-tested directly.

export interface LinearScale {
	(value: number): number;
	domain: [number, number];
	range: [number, number];
	invert(pixel: number): number;
}

/** Maps [d0, d1] onto [r0, r1]; a zero-width domain maps everything to the range's middle. */
export function linearScale(domain: [number, number], range: [number, number]): LinearScale {
	const [d0, d1] = domain;
	const [r0, r1] = range;
	const span = d1 - d0;
	const scale = ((value: number) => (span === 0 ? (r0 + r1) / 2 : r0 + ((value - d0) / span) * (r1 - r0))) as LinearScale;
	scale.domain = [d0, d1];
	scale.range = [r0, r1];
	scale.invert = (pixel: number) => (r1 === r0 ? d0 : d0 + ((pixel - r0) / (r1 - r0)) * span);
	return scale;
}

/** A step of 1, 2 or 5 times a power of ten giving about `count` intervals over [min, max]. */
export function tickStep(min: number, max: number, count: number): number {
	const span = Math.abs(max - min);
	if (span === 0 || !Number.isFinite(span)) return 1;
	const raw = span / Math.max(1, count);
	const power = 10 ** Math.floor(Math.log10(raw));
	const fraction = raw / power;
	// The nearest of 1, 2, 5, 10 on a log scale (thresholds at their geometric means).
	const nice = fraction >= Math.sqrt(50) ? 10 : fraction >= Math.sqrt(10) ? 5 : fraction >= Math.SQRT2 ? 2 : 1;
	return nice * power;
}

/** Round tick values covering [min, max] (inclusive where they fall on a step). */
export function niceTicks(min: number, max: number, count = 5): number[] {
	if (!Number.isFinite(min) || !Number.isFinite(max)) return [];
	if (min > max) [min, max] = [max, min];
	if (min === max) return [min];
	const step = tickStep(min, max, count);
	const first = Math.ceil(min / step - 1e-9) * step;
	const ticks: number[] = [];
	for (let v = first; v <= max + step * 1e-9; v += step) ticks.push(roundToStep(v, step));
	return ticks;
}

/** Removes floating-point noise (0.30000000000000004) from a tick value. */
function roundToStep(value: number, step: number): number {
	const digits = Math.max(0, -Math.floor(Math.log10(step)) + 1);
	return Number(value.toFixed(Math.min(digits, 12)));
}

/** [min, max] widened to the nearest ticks, for an axis that starts and ends on a label. */
export function niceDomain(min: number, max: number, count = 5): [number, number] {
	if (!Number.isFinite(min) || !Number.isFinite(max)) return [0, 1];
	if (min === max) return [min - 1, max + 1];
	const step = tickStep(min, max, count);
	return [Math.floor(min / step) * step, Math.ceil(max / step) * step];
}

/** The extent of the finite values, or null when there are none. */
export function extent(values: Iterable<number>): [number, number] | null {
	let lo = Infinity;
	let hi = -Infinity;
	for (const v of values) {
		if (!Number.isFinite(v)) continue;
		if (v < lo) lo = v;
		if (v > hi) hi = v;
	}
	return lo <= hi ? [lo, hi] : null;
}

/** SVG path data through the points; a non-finite y breaks the line. */
export function linePath(xs: readonly number[], ys: readonly number[], x: (v: number) => number, y: (v: number) => number): string {
	const parts: string[] = [];
	let pen = false;
	const n = Math.min(xs.length, ys.length);
	for (let i = 0; i < n; i++) {
		if (!Number.isFinite(ys[i]) || !Number.isFinite(xs[i])) {
			pen = false;
			continue;
		}
		parts.push(`${pen ? 'L' : 'M'}${x(xs[i]).toFixed(1)},${y(ys[i]).toFixed(1)}`);
		pen = true;
	}
	return parts.join('');
}

/** How a tick value reads on an axis: no trailing zeros, a real minus sign. */
export function formatTick(value: number): string {
	const text = Number.isInteger(value) ? String(value) : String(Number(value.toPrecision(6)));
	return text.replace('-', '−');
}
