import { describe, expect, it } from 'vitest';
import { encodeCursor } from '../../../src/lib/files/cursor.ts';
import { filesSearch, parseFilesQuery } from '../../../src/lib/files/query.ts';

const position = { createdAt: '2026-11-28T10:00:00.5+00:00', id: '0a4f8c1e-2b3d-4e5f-8a9b-0c1d2e3f4a5b' };

describe('the Files page URL', () => {
	it('reads filters, search and position', () => {
		const q = parseFilesQuery(new URLSearchParams({ kind: 'output', type: 'csv', tool: 'protein-properties', q: ' hydro ', before: encodeCursor(position) }));
		expect(q).toEqual({ kind: 'output', type: 'csv', tool: 'protein-properties', q: 'hydro', before: position, after: null });
	});

	it('ignores what it cannot read instead of failing the page', () => {
		const q = parseFilesQuery(new URLSearchParams({ kind: 'everything', type: 'exe', tool: '../x', before: 'nope' }));
		expect(q).toEqual({ kind: 'all', type: null, tool: null, q: '', before: null, after: null });
	});

	it('builds links that keep the filters and replace the position', () => {
		const q = parseFilesQuery(new URLSearchParams({ type: 'fasta', before: encodeCursor(position) }));
		expect(filesSearch(q, { after: 'X' })).toBe('?type=fasta&after=X');
		expect(filesSearch(parseFilesQuery(new URLSearchParams()), {})).toBe('');
	});
});
