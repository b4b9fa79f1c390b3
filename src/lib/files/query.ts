// The Files page's URL: filters, search and page position, parsed once.
import { z } from 'zod';
import { cursorSchema, type Position } from './cursor.ts';
import { FILE_TYPE_IDS, type KnownFileType } from './file-types.ts';

export const FILE_KINDS = ['all', 'input', 'output'] as const;
export type FileKindFilter = (typeof FILE_KINDS)[number];

export interface FilesQuery {
	kind: FileKindFilter;
	type: KnownFileType | null;
	tool: string | null;
	q: string;
	/** Show the page of files older than this position... */
	before: Position | null;
	/** ...or the page newer than this one. */
	after: Position | null;
}

const schema = z.object({
	kind: z.enum(FILE_KINDS).catch('all'),
	type: z.enum(FILE_TYPE_IDS).nullable().catch(null),
	tool: z.string().regex(/^[a-z0-9]+(-[a-z0-9]+)*$/).max(64).nullable().catch(null),
	q: z.string().trim().max(200).catch(''),
	before: cursorSchema.nullable().catch(null),
	after: cursorSchema.nullable().catch(null)
});

/** Anything malformed in the URL falls back to "no filter" rather than an error page. */
export function parseFilesQuery(params: URLSearchParams): FilesQuery {
	const get = (key: string) => params.get(key) || null;
	const parsed = schema.parse({
		kind: get('kind') ?? 'all',
		type: get('type'),
		tool: get('tool'),
		q: params.get('q') ?? '',
		before: get('before'),
		after: get('after')
	});
	return parsed.after ? { ...parsed, before: null } : parsed;
}

/** The URL search for `query` with `changes` applied (empty values left out). */
export function filesSearch(query: FilesQuery, changes: Partial<Record<'kind' | 'type' | 'tool' | 'q' | 'before' | 'after', string | null>>): string {
	const base: Record<string, string | null> = {
		kind: query.kind === 'all' ? null : query.kind,
		type: query.type,
		tool: query.tool,
		q: query.q || null,
		before: null,
		after: null
	};
	const params = new URLSearchParams();
	for (const [key, value] of Object.entries({ ...base, ...changes })) if (value) params.set(key, value);
	const text = params.toString();
	return text ? `?${text}` : '';
}
