// Every input and output file of a team's jobs, newest first, one page at a
// time: the files jobs wrote (job_files, metadata only, never the content)
// and each job's input (kept as JSON on the job; see job-input.ts), merged
// into one list. RLS decides what the caller sees; the team narrows it.
import type { SupabaseClient } from '@supabase/supabase-js';
import { z } from 'zod';
import { catalogEntry, toolCatalog } from '#lib/tools/catalog.ts';
import { compareNewestFirst, encodeCursor, positionFilter, type Position } from './cursor.ts';
import { fileTypeFilter, fileTypeOf, type FileType } from './file-types.ts';
import { inputFileType, jobInputFile } from './job-input.ts';
import type { FilesQuery } from './query.ts';

export const FILES_PAGE_SIZE = 25;

export interface FileRow {
	/** A job_files id, or the job's id for a job's input. */
	id: string;
	/** True for a job's input, built from the job rather than stored as a file. */
	fromJobInput: boolean;
	kind: 'input' | 'output';
	name: string;
	type: FileType;
	mediaType: string;
	/** Bytes of the file; for a job's input, of the file built from it (what Download gives). */
	sizeBytes: number;
	createdAt: string;
	job: { id: string; name: string; toolId: string; toolName: string };
}

export interface FilesPage {
	files: FileRow[];
	total: number;
	/** Cursor of the page of older files, if any. */
	older: string | null;
	/** Cursor of the page of newer files, if any. */
	newer: string | null;
}

const storedFileSchema = z.object({
	id: z.uuid(),
	kind: z.enum(['input', 'output']),
	name: z.string(),
	media_type: z.string(),
	size_bytes: z.coerce.number(),
	created_at: z.string(),
	jobs: z.object({ id: z.uuid(), name: z.string(), tool_id: z.string() })
});

const jobSchema = z.object({ id: z.uuid(), name: z.string(), tool_id: z.string(), created_at: z.string(), input: z.unknown() });

const utf8 = new TextEncoder();

function toolName(toolId: string): string {
	return catalogEntry(toolId)?.name ?? toolId;
}

/** `%` and `_` are ilike wildcards; a person searching for them means them. */
function likePattern(q: string): string {
	return `%${q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

type Direction = 'older' | 'newer';

function storedFilesQuery(supabase: SupabaseClient, teamId: string, query: FilesQuery, count: boolean) {
	let request = supabase
		.from('job_files')
		.select('id, kind, name, media_type, size_bytes, created_at, jobs!inner(id, name, tool_id)', count ? { count: 'exact', head: true } : undefined)
		.eq('jobs.team_id', teamId);
	if (query.kind !== 'all') request = request.eq('kind', query.kind);
	if (query.type) request = request.or(fileTypeFilter(query.type));
	if (query.tool) request = request.eq('jobs.tool_id', query.tool);
	if (query.q) request = request.ilike('name', likePattern(query.q));
	return request;
}

/** Tools whose jobs' inputs match the type filter; null when any tool does. */
function inputToolsFor(query: FilesQuery): string[] | null {
	if (!query.type) return null;
	return toolCatalog.filter((t) => inputFileType(t.id) === query.type).map((t) => t.id);
}

/** Whether job inputs can match the filters at all. */
function inputsWanted(query: FilesQuery): boolean {
	if (query.kind === 'output') return false;
	const tools = inputToolsFor(query);
	if (tools && tools.length === 0) return false;
	if (tools && query.tool && !tools.includes(query.tool)) return false;
	return true;
}

function jobInputsQuery(supabase: SupabaseClient, teamId: string, query: FilesQuery, count: boolean) {
	// The input itself is read (a page's worth) to give each input file its size: it is built from the JSON, not stored.
	let request = supabase.from('jobs').select('id, name, tool_id, created_at, input', count ? { count: 'exact', head: true } : undefined).eq('team_id', teamId);
	const tools = inputToolsFor(query);
	if (query.tool) request = request.eq('tool_id', query.tool);
	else if (tools) request = request.in('tool_id', tools);
	// An input's name is "<job name>-input.<ext>": search the job's name for the rest.
	const jobNamePart = query.q.replace(/-?input(\.[a-z]*)?$/i, '').trim();
	if (jobNamePart) request = request.ilike('name', likePattern(jobNamePart));
	return request;
}

async function count(request: PromiseLike<{ count: number | null; error: unknown }>): Promise<number> {
	const { count: n, error } = await request;
	if (error) throw error;
	return n ?? 0;
}

async function fetchSide(supabase: SupabaseClient, teamId: string, query: FilesQuery, cursor: Position | null, direction: Direction, limit: number): Promise<FileRow[]> {
	const ascending = direction === 'newer';
	let stored = storedFilesQuery(supabase, teamId, query, false);
	if (cursor) stored = stored.or(positionFilter(cursor, direction));
	const storedRequest = stored.order('created_at', { ascending }).order('id', { ascending }).limit(limit);

	let inputsRequest = null;
	if (inputsWanted(query)) {
		let inputs = jobInputsQuery(supabase, teamId, query, false);
		if (cursor) inputs = inputs.or(positionFilter(cursor, direction));
		inputsRequest = inputs.order('created_at', { ascending }).order('id', { ascending }).limit(limit);
	}
	const [storedResult, inputsResult] = await Promise.all([storedRequest, inputsRequest]);
	if (storedResult.error) throw storedResult.error;
	if (inputsResult?.error) throw inputsResult.error;

	const rows: FileRow[] = z.array(storedFileSchema).parse(storedResult.data).map((f) => ({
		id: f.id,
		fromJobInput: false,
		kind: f.kind,
		name: f.name,
		type: fileTypeOf(f),
		mediaType: f.media_type,
		sizeBytes: f.size_bytes,
		createdAt: f.created_at,
		job: { id: f.jobs.id, name: f.jobs.name, toolId: f.jobs.tool_id, toolName: toolName(f.jobs.tool_id) }
	}));
	for (const j of z.array(jobSchema).parse(inputsResult?.data ?? [])) {
		const built = jobInputFile(j);
		rows.push({
			id: j.id,
			fromJobInput: true,
			kind: 'input',
			name: built.name,
			type: built.type,
			mediaType: built.mediaType,
			sizeBytes: utf8.encode(built.text).byteLength,
			createdAt: j.created_at,
			job: { id: j.id, name: j.name, toolId: j.tool_id, toolName: toolName(j.tool_id) }
		});
	}
	rows.sort((a, b) => (ascending ? -1 : 1) * compareNewestFirst({ createdAt: a.createdAt, id: a.id }, { createdAt: b.createdAt, id: b.id }));
	return rows;
}

const position = (f: FileRow): string => encodeCursor({ createdAt: f.createdAt, id: f.id });

export async function listTeamFiles(supabase: SupabaseClient, teamId: string, query: FilesQuery, pageSize = FILES_PAGE_SIZE): Promise<FilesPage> {
	const direction: Direction = query.after ? 'newer' : 'older';
	const cursor = query.after ?? query.before;
	const [rows, storedTotal, inputsTotal] = await Promise.all([
		fetchSide(supabase, teamId, query, cursor, direction, pageSize + 1),
		count(storedFilesQuery(supabase, teamId, query, true)),
		inputsWanted(query) ? count(jobInputsQuery(supabase, teamId, query, true)) : Promise.resolve(0)
	]);
	const more = rows.length > pageSize;
	if (direction === 'newer' && !more) {
		// Back at the newest files: show a full first page rather than a short one.
		return listTeamFiles(supabase, teamId, { ...query, after: null, before: null }, pageSize);
	}
	const page = rows.slice(0, pageSize);
	if (direction === 'newer') page.reverse();
	const total = storedTotal + inputsTotal;
	if (page.length === 0) return { files: [], total, older: null, newer: null };
	return {
		files: page,
		total,
		older: direction === 'older' ? (more ? position(page[page.length - 1]) : null) : position(page[page.length - 1]),
		newer: direction === 'newer' ? position(page[0]) : cursor ? position(page[0]) : null
	};
}
