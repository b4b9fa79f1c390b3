import { describe, expect, it } from 'vitest';
import { checkInputSize } from '#lib/tools/parse/input-size.ts';

describe('input size limit', () => {
	it('counts UTF-8 bytes of the JSON text, not UTF-16 units', () => {
		// JSON text {"t":"a😀b€é"} is 8 + 11 = 19 bytes.
		const input = { t: 'a😀b€é' };
		expect(Buffer.byteLength(JSON.stringify(input))).toBe(19);
		expect(checkInputSize(input, 19)).toBeUndefined();
		expect(checkInputSize(input, 18)?.message).toMatch(/at most 0\.0 MiB is accepted/);
	});

	it('names the size and the limit in MiB', () => {
		const input = { sequences: [{ id: 'big', sequence: 'A'.repeat(3 * 1024 * 1024) }] };
		expect(checkInputSize(input, 2 * 1024 * 1024)?.message).toBe('the input is 3.0 MiB; at most 2.0 MiB is accepted');
	});
});
