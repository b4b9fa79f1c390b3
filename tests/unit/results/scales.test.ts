import { describe, expect, it } from 'vitest';
import { extent, formatTick, linearScale, linePath, niceDomain, niceTicks, tickStep } from '#lib/components/results/scales.ts';

describe('linearScale', () => {
	it('maps the domain onto the range, inverted axes included', () => {
		const y = linearScale([-180, 180], [400, 0]);
		expect(y(-180)).toBe(400);
		expect(y(180)).toBe(0);
		expect(y(0)).toBe(200);
		expect(y.invert(100)).toBe(90);
	});

	it('puts a zero-width domain in the middle of the range', () => {
		expect(linearScale([5, 5], [0, 100])(5)).toBe(50);
	});
});

describe('ticks', () => {
	it('steps by 1, 2 or 5 times a power of ten', () => {
		expect(tickStep(0, 10, 5)).toBe(2);
		expect(tickStep(0, 129, 8)).toBe(20);
		expect(tickStep(-2.3, 2.9, 5)).toBe(1);
		expect(tickStep(0, 0.7, 5)).toBe(0.1);
		expect(tickStep(0, 35, 8)).toBe(5);
	});

	it('gives round ticks inside the extent without float noise', () => {
		expect(niceTicks(0, 100, 5)).toEqual([0, 20, 40, 60, 80, 100]);
		expect(niceTicks(5, 129, 8)).toEqual([20, 40, 60, 80, 100, 120]);
		expect(niceTicks(-1.7, 2.6, 5)).toEqual([-1, 0, 1, 2]);
		expect(niceTicks(0.1, 0.7, 6)).toEqual([0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7]);
		expect(niceTicks(3, 3)).toEqual([3]);
		expect(niceTicks(Number.NaN, 1)).toEqual([]);
	});

	it('widens a domain to the ticks around it', () => {
		expect(niceDomain(-1.7, 2.6)).toEqual([-2, 3]);
		expect(niceDomain(4, 4)).toEqual([3, 5]);
	});

	it('writes ticks with a real minus sign and no trailing zeros', () => {
		expect(formatTick(-180)).toBe('−180');
		expect(formatTick(0.30000000000000004)).toBe('0.3');
	});
});

describe('extent and paths', () => {
	it('ignores non-finite values', () => {
		expect(extent([3, Number.NaN, -1, Infinity, 2])).toEqual([-1, 3]);
		expect(extent([])).toBeNull();
	});

	it('draws a line and breaks it at missing values', () => {
		const id = (v: number) => v;
		expect(linePath([1, 2, 3, 4], [1, 2, Number.NaN, 4], id, id)).toBe('M1.0,1.0L2.0,2.0M4.0,4.0');
		expect(linePath([], [], id, id)).toBe('');
	});
});
