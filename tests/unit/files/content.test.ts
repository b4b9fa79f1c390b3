import { describe, expect, it } from 'vitest';
import { looksBinary, textHead } from '../../../src/lib/files/content.ts';

const bytes = (s: string) => new TextEncoder().encode(s);

describe('file contents', () => {
	it('keeps short text whole', () => {
		expect(textHead(bytes('a,b\n1,2\n'), 100)).toEqual({ text: 'a,b\n1,2\n', shownBytes: 8, truncated: false });
	});

	it('cuts long text at the last line end within the limit', () => {
		const head = textHead(bytes('id,x\n1,10\n2,20\n3,30\n'), 12);
		expect(head).toEqual({ text: 'id,x\n1,10\n', shownBytes: 10, truncated: true });
	});

	it('never splits a multi-byte character when a line is longer than the limit', () => {
		const text = 'Å'.repeat(10); // 2 bytes each
		const head = textHead(bytes(text), 5);
		expect(head.text).toBe('ÅÅ');
		expect(head.shownBytes).toBe(4);
		expect(head.truncated).toBe(true);
	});

	it('tells binary from text by NUL bytes', () => {
		expect(looksBinary(new Uint8Array([0x1f, 0x8b, 0x00, 0x08]))).toBe(true);
		expect(looksBinary(bytes('ATOM      1  N   MET A   1'))).toBe(false);
	});
});
