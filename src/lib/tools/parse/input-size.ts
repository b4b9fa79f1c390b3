// The catalog's byte limit applies to the job input's JSON text, as the
// database counts it.
import type { InputIssue } from '../types.ts';

export function checkInputSize(input: unknown, maxBytes: number): InputIssue | undefined {
	const bytes = new TextEncoder().encode(JSON.stringify(input)).length;
	if (bytes > maxBytes) {
		const mib = (n: number) => (n / (1024 * 1024)).toFixed(1);
		return { message: `the input is ${mib(bytes)} MiB; at most ${mib(maxBytes)} MiB is accepted` };
	}
	return undefined;
}
