// Exporting a job's results: CSV built from the result's declared table
// (columns from `result.table.columns`, header "label (unit)"), and a JSON
// envelope with the job's name, tool, settings and timestamps around the
// whole result. Cells that a spreadsheet would run as a formula are
// escaped (CSV injection, #lib/csv/cells.ts), whatever a tool or an input
// put in them; numbers stay numbers.
import { z } from 'zod';
import { csvText } from '#lib/csv/cells.ts';

/** What an export needs of a job (jobs.select('id, name, tool_id, settings, result, created_at, finished_at')). */
export interface ExportableJob {
	id: string;
	name: string;
	tool_id: string;
	settings: unknown;
	result: unknown;
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

/** The result's table as CSV (RFC 4180: CRLF line ends, fields with commas, quotes or new lines quoted, quotes doubled). */
export function resultToCsv(result: unknown): string {
	const parsed = tableSchema.safeParse((result as { table?: unknown } | null | undefined)?.table);
	if (!parsed.success) throw new NothingToExportError('This job has no table of results to export.');
	const { columns, rows } = parsed.data;
	if (columns.length === 0) throw new NothingToExportError('This job has no table of results to export.');
	const header = columns.map((c) => (c.unit ? `${c.label} (${c.unit})` : c.label));
	return csvText([header, ...rows.map((row) => columns.map((c) => row[c.key]))]);
}

export interface JobExportEnvelope {
	job: { id: string; name: string; tool: string; settings: unknown; created_at: string; finished_at: string | null };
	exported_at: string;
	results: unknown;
}

export function jobExportEnvelope(job: ExportableJob, exportedAt: Date = new Date()): JobExportEnvelope {
	return {
		job: { id: job.id, name: job.name, tool: job.tool_id, settings: job.settings ?? {}, created_at: job.created_at, finished_at: job.finished_at },
		exported_at: exportedAt.toISOString(),
		results: job.result ?? null
	};
}

export function resultToJson(job: ExportableJob, exportedAt: Date = new Date()): string {
	return `${JSON.stringify(jobExportEnvelope(job, exportedAt), null, 2)}\n`;
}

const WINDOWS_RESERVED = /^(con|prn|aux|nul|com\d|lpt\d)$/i;

/**
 * A file name from a job name that every system accepts: letters and digits
 * of any script, dots, dashes and underscores; other runs become one dash;
 * at most 100 characters before the extension.
 */
export function exportFileName(jobName: string, extension: 'csv' | 'json'): string {
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
