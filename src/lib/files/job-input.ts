// A job's input as a file. submit_job keeps inputs as JSON in jobs.input and
// writes no input files, so the Files page lists each job's input as one
// file built from that JSON: FASTA for the sequence tools (what was pasted,
// as records), the JSON itself for the others (molecules, structures,
// docking). Which of the two depends only on the tool, so the list can name
// the file without reading the input.
import { catalogEntry } from '#lib/tools/catalog.ts';
import { fastaEntry } from '#lib/tools/sequence-tools/fasta-output.ts';
import type { KnownFileType } from './file-types.ts';

export type InputFileType = Extract<KnownFileType, 'fasta' | 'json'>;

export function inputFileType(toolId: string): InputFileType {
	return catalogEntry(toolId)?.inputKind === 'sequences' ? 'fasta' : 'json';
}

export const INPUT_MEDIA_TYPES: Record<InputFileType, string> = { fasta: 'text/x-fasta', json: 'application/json' };

/** Characters that file systems refuse or that read as paths. */
const REFUSED = '[\\u0000-\\u001f/\\\\:*?"<>|]+';

/**
 * The job's name as a file name people still recognise: a refused character beside
 * a space or an end goes ("API: bad SMILES" -> "API bad SMILES"), one between two
 * words becomes a dash ("a/b" -> "a-b"); never an underscore where the colon was.
 */
function safeFileStem(name: string): string {
	const stem = name
		.replace(new RegExp(`${REFUSED}(?=\\s|$)|(?<=\\s|^)${REFUSED}`, 'g'), '')
		.replace(new RegExp(REFUSED, 'g'), '-')
		.replace(/\s+/g, ' ')
		.trim();
	return (stem || 'job').slice(0, 120);
}

export function inputFileName(job: { name: string; tool_id: string }): string {
	return `${safeFileStem(job.name)}-input.${inputFileType(job.tool_id)}`;
}

interface SequenceRecord {
	id?: unknown;
	sequence?: unknown;
	description?: unknown;
}

function fastaRecord(record: SequenceRecord): string {
	const id = String(record.id ?? 'sequence').replace(/\s+/g, '_');
	const description = typeof record.description === 'string' ? record.description.trim() : '';
	return fastaEntry(id, description || undefined, String(record.sequence ?? '').replace(/\s+/g, ''));
}

/** The sequence records of a sequence tool's input: `sequences`, or a query and its targets. */
function sequenceRecords(input: Record<string, unknown>): SequenceRecord[] | null {
	if (Array.isArray(input.sequences)) return input.sequences as SequenceRecord[];
	if (Array.isArray(input.targets)) {
		const query = input.query && typeof input.query === 'object' ? [input.query as SequenceRecord] : [];
		return [...query, ...(input.targets as SequenceRecord[])];
	}
	return null;
}

export interface BuiltFile {
	name: string;
	mediaType: string;
	type: InputFileType;
	text: string;
}

export function jobInputFile(job: { name: string; tool_id: string; input: unknown }): BuiltFile {
	const type = inputFileType(job.tool_id);
	const input = job.input && typeof job.input === 'object' ? (job.input as Record<string, unknown>) : {};
	const records = type === 'fasta' ? sequenceRecords(input) : null;
	// A sequence tool's input without records cannot be FASTA: show it as it is stored.
	const text = records ? records.map(fastaRecord).join('') : JSON.stringify(job.input, null, 2) + '\n';
	return { name: inputFileName(job), mediaType: INPUT_MEDIA_TYPES[type], type, text };
}
