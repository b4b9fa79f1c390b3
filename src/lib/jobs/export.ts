// Exporting a job's results: CSV built from the result's declared table
// (columns from `result.table.columns`, header "label (unit)" as the page
// heads them), and a JSON envelope with the job's name, tool, settings and
// timestamps around the whole result. Cells that a spreadsheet would run as
// a formula are escaped (CSV injection, #lib/csv/cells.ts), whatever a tool
// or an input put in them; numbers stay numbers.
//
// The settings a job ran with (its tool's defaults filled in) go into the
// JSON export, and into the CSV as comment lines before the header ("# ...",
// one cell each), not into a sidecar file: the CSV is the file that gets
// forwarded and opened in a spreadsheet, and its conditions must travel
// with its numbers; a second download is easily lost, and browsers hold up
// pages that start two. Spreadsheets show the lines as text above the
// table; pandas (`comment='#'`), R (`comment.char = "#"`) and Papa Parse
// (`comments: '#'`) skip them when told. The conditions a value depends on
// are also in its column heading ("Net charge at pH 7.0"), so a reader that
// drops the comments still has them.
//
// What the settings were is worked out by export-settings.ts, which needs
// every tool's schemas: callers load it when someone exports, so the jobs
// page does not carry the tools.
import { z } from 'zod';
import { csvText } from '#lib/csv/cells.ts';
import { catalogEntry } from '#lib/tools/catalog.ts';
import { describeProvenance, parseProvenance, type JobProvenance } from './provenance.ts';

/** What an export needs of a job (jobs.select('id, name, tool_id, settings, result, provenance, created_at, finished_at')). */
export interface ExportableJob {
	id: string;
	name: string;
	tool_id: string;
	settings: unknown;
	result: unknown;
	/** What computed it (provenance.ts); absent or null for jobs that ran before it was recorded. */
	provenance?: unknown;
	created_at: string;
	finished_at: string | null;
}

/** A job with nothing to put in the file; the message says why, for the person asking. */
export class NothingToExportError extends Error {
	constructor(message: string) {
		super(message);
		this.name = 'NothingToExportError';
	}
}

const tableSchema = z.object({
	columns: z.array(z.object({ key: z.string(), label: z.string(), unit: z.string().optional() })),
	rows: z.array(z.record(z.string(), z.unknown()))
});

/** "Average mass (Da)"; a unit the label already ends with is not repeated (the page's rule). Units stay ASCII ("A^2"), so any spreadsheet reads them. */
function csvHeading(column: { label: string; unit?: string }): string {
	return column.unit && !column.label.endsWith(column.unit) ? `${column.label} (${column.unit})` : column.label;
}

/** The settings a job ran with (export-settings.ts): the values, its tool's defaults filled in, and each as people read it ("pH 7.0"). */
export interface ExportSettings {
	values: Record<string, unknown>;
	described: string[];
}

/** Text for one comment line: one CSV cell (no commas, quotes or line breaks), so no part of it can reach a spreadsheet as a formula. */
const commentText = (text: string) => text.replace(/[\r\n\t]+/g, ' ').replaceAll(',', ';').replaceAll('"', "'");

/** The comment lines at the top of a CSV export: the tool, the job and when it finished, and its settings. */
export function csvComments(job: ExportableJob, settings: ExportSettings): string[] {
	const tool = catalogEntry(job.tool_id)?.name ?? job.tool_id;
	const provenance = parseProvenance(job.provenance);
	return [
		`# ${tool} (Foldwork tool ${job.tool_id}); job ${job.id}; finished ${job.finished_at ?? 'not yet'}`,
		`# Settings: ${settings.described.length ? settings.described.join('; ') : 'none'}`,
		...(provenance ? [`# Computed by: ${describeProvenance(provenance).join('; ')}`] : [])
	].map(commentText);
}

/**
 * The job's result table as CSV (RFC 4180: CRLF line ends, fields with
 * commas, quotes or new lines quoted, quotes doubled), after comment lines
 * naming the tool, the job and its settings.
 */
export function resultToCsv(job: ExportableJob, settings: ExportSettings): string {
	const parsed = tableSchema.safeParse((job.result as { table?: unknown } | null | undefined)?.table);
	if (!parsed.success) throw new NothingToExportError('This job has no table of results to export.');
	const { columns, rows } = parsed.data;
	if (columns.length === 0) throw new NothingToExportError('This job has no table of results to export.');
	const comments = csvComments(job, settings).map((line) => `${line}\r\n`).join('');
	return comments + csvText([columns.map(csvHeading), ...rows.map((row) => columns.map((c) => row[c.key]))]);
}

export interface JobExportEnvelope {
	job: { id: string; name: string; tool: string; settings: unknown; provenance: JobProvenance | null; created_at: string; finished_at: string | null };
	exported_at: string;
	results: unknown;
}

/** The JSON export: the job, with the settings it ran with (defaults filled in) and what computed it, around the whole result. */
export function jobExportEnvelope(job: ExportableJob, settings: ExportSettings, exportedAt: Date = new Date()): JobExportEnvelope {
	return {
		job: {
			id: job.id,
			name: job.name,
			tool: job.tool_id,
			settings: settings.values,
			provenance: parseProvenance(job.provenance),
			created_at: job.created_at,
			finished_at: job.finished_at
		},
		exported_at: exportedAt.toISOString(),
		results: job.result ?? null
	};
}

export function resultToJson(job: ExportableJob, settings: ExportSettings, exportedAt: Date = new Date()): string {
	return `${JSON.stringify(jobExportEnvelope(job, settings, exportedAt), null, 2)}\n`;
}

/** What a selection's CSV lists of each job: the jobs list's fields. */
export interface SelectedJobRow {
	id: string;
	name: string;
	tool_name: string;
	status: string;
	submitter_name: string | null;
	visibility: string;
	credits_charged: number;
	credits_refunded: number;
	created_at: string;
	finished_at: string | null;
}

/** A selection of jobs as CSV, one row per job with the list's fields (results differ by tool: the JSON export carries them). */
export function selectionToCsv(rows: readonly SelectedJobRow[]): string {
	return csvText([
		['Job id', 'Name', 'Tool', 'Status', 'Submitted by', 'Visibility', 'Credits charged', 'Credits refunded', 'Created', 'Finished'],
		...rows.map((r) => [r.id, r.name, r.tool_name, r.status, r.submitter_name ?? '', r.visibility, r.credits_charged, r.credits_refunded, r.created_at, r.finished_at ?? ''])
	]);
}

/** A selection of jobs as JSON: each job's export envelope (settings and results), in one array. */
export function selectionToJson(envelopes: readonly JobExportEnvelope[]): string {
	return `${JSON.stringify(envelopes, null, 2)}\n`;
}

const WINDOWS_RESERVED = /^(con|prn|aux|nul|com\d|lpt\d)$/i;

/**
 * A file name from a job name that every system accepts: letters and digits
 * of any script, dots, dashes and underscores; other runs become one dash;
 * at most 100 characters before the extension.
 */
export function exportFileName(jobName: string, extension: 'csv' | 'json' | 'zip'): string {
	let base = jobName
		.normalize('NFC')
		.replace(/[^\p{L}\p{N}._-]+/gu, '-')
		.replace(/-{2,}/g, '-')
		.replace(/^[-.]+|[-.]+$/g, '')
		.slice(0, 100)
		.replace(/[-.]+$/g, '');
	if (!base) base = 'job';
	if (WINDOWS_RESERVED.test(base)) base = `job-${base}`;
	return `${base}.${extension}`;
}

/** Hands a text file to the browser as a download. */
export function downloadText(fileName: string, text: string, mediaType: string): void {
	const url = URL.createObjectURL(new Blob([text], { type: mediaType }));
	const link = document.createElement('a');
	link.href = url;
	link.download = fileName;
	link.style.display = 'none';
	document.body.append(link);
	link.click();
	link.remove();
	// The download has started reading the blob; let it finish before freeing it.
	setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
