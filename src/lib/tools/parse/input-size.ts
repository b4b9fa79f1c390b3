// The catalog's byte limit applies to the job input's JSON text, as the
// database counts it (octet_length(input::text); jsonb's text adds a space
// after each ':' and ',', so the database may count a few bytes more).
import type { InputIssue } from '../types.ts';

/** UTF-8 length of a string, without encoding it (inputs can be many MiB). */
function utf8Length(text: string): number {
	let bytes = text.length;
	for (let i = 0; i < text.length; i++) {
		const c = text.charCodeAt(i);
		if (c < 0x80) continue;
		if (c < 0x800) {
			bytes += 1;
		} else if (c >= 0xd800 && c <= 0xdbff) {
			// A surrogate pair: 2 UTF-16 units, 4 bytes.
			bytes += 2;
			i++;
		} else {
			bytes += 2;
		}
	}
	return bytes;
}

export function checkInputSize(input: unknown, maxBytes: number): InputIssue | undefined {
	const bytes = utf8Length(JSON.stringify(input));
	if (bytes > maxBytes) {
		const mib = (n: number) => (n / (1024 * 1024)).toFixed(1);
		return { message: `the input is ${mib(bytes)} MiB; at most ${mib(maxBytes)} MiB is accepted` };
	}
	return undefined;
}
