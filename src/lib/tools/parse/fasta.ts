// FASTA as scientists paste it: with or without '>' headers, Windows line
// endings, lower case, spaces and position numbers inside sequences, a
// trailing '*'. Shared by the browser form and the worker.
import type { InputIssue } from '../types.ts';
import { proteinOnlyFraction, type Alphabet } from './alphabets.ts';

export interface SequenceRecord {
	id: string;
	sequence: string;
	description?: string;
}

export interface FastaOptions {
	alphabet: Alphabet;
	/** Most records accepted. */
	maxRecords: number;
	/** Longest sequence accepted, in residues. */
	maxLength: number;
	/** Least residues per record (default 1). */
	minLength?: number;
	/** True for nucleotide tools: a pasted protein gets a message saying so. */
	expectNucleic?: boolean;
	/** Name for records without a header: `${defaultIdPrefix}${n}`. */
	defaultIdPrefix?: string;
}

export interface FastaResult {
	records: SequenceRecord[];
	issues: InputIssue[];
	notices: string[];
}

const MAX_ISSUES = 50;

interface RawRecord {
	header: string | null;
	line: number;
	chunks: string[];
}

function splitRecords(text: string): RawRecord[] {
	const records: RawRecord[] = [];
	const lines = text.split(/\r\n|\r|\n/);
	let current: RawRecord | null = null;
	for (let i = 0; i < lines.length; i++) {
		const line = lines[i];
		const trimmed = line.trim();
		if (trimmed.startsWith('>')) {
			current = { header: trimmed.slice(1).trim(), line: i + 1, chunks: [] };
			records.push(current);
		} else if (trimmed.startsWith(';')) {
			continue; // old-style FASTA comment line
		} else if (trimmed !== '') {
			if (!current) {
				current = { header: null, line: i + 1, chunks: [] };
				records.push(current);
			}
			current.chunks.push(trimmed);
		}
	}
	return records;
}

/**
 * Removes what is not sequence (whitespace, digits) and one trailing '*'
 * (a stop written at the end). Returns the cleaned upper-case sequence and
 * the first problem letter, if any.
 */
function cleanSequence(chunks: string[], alphabet: Alphabet): { sequence: string; bad?: { letter: string; position: number } } {
	const raw = chunks.join('').replace(/[\s0-9]+/g, '').toUpperCase();
	const body = raw.endsWith('*') ? raw.slice(0, -1) : raw;
	const allowed = alphabet.letters;
	for (let i = 0; i < body.length; i++) {
		if (allowed.indexOf(body[i]) === -1) return { sequence: body, bad: { letter: body[i], position: i + 1 } };
	}
	return { sequence: body };
}

function describeLetter(letter: string, alphabet: Alphabet): string {
	const explained = alphabet.explain?.(letter);
	if (explained) return explained;
	if (letter === '*') return `'*' (a stop) is only allowed at the end of a sequence`;
	if (letter === '-' || letter === '.') return `'${letter}' (a gap) is not allowed; give unaligned sequences`;
	return `'${letter}' is not ${/^[aeiou]/.test(alphabet.noun) ? 'an' : 'a'} ${alphabet.noun}`;
}

export function parseFasta(text: string, options: FastaOptions): FastaResult {
	const issues: InputIssue[] = [];
	const notices: string[] = [];
	const records: SequenceRecord[] = [];
	const raw = splitRecords(text);
	const prefix = options.defaultIdPrefix ?? 'sequence_';
	const minLength = options.minLength ?? 1;

	if (raw.length === 0) {
		return { records, issues: [{ message: 'no sequences given' }], notices };
	}
	if (raw.length > options.maxRecords) {
		issues.push({ message: `${raw.length} sequences given; at most ${options.maxRecords} are accepted` });
		return { records, issues, notices };
	}

	const seen = new Map<string, number>();
	for (let r = 0; r < raw.length && issues.length < MAX_ISSUES; r++) {
		const rec = raw[r];
		let id: string;
		let description: string | undefined;
		if (rec.header === null || rec.header === '') {
			id = `${prefix}${r + 1}`;
			if (rec.header === '') notices.push(`line ${rec.line}: header without a name; called it '${id}'`);
		} else {
			const space = rec.header.search(/\s/);
			id = space === -1 ? rec.header : rec.header.slice(0, space);
			const rest = space === -1 ? '' : rec.header.slice(space + 1).trim();
			if (rest) description = rest;
		}
		const count = seen.get(id) ?? 0;
		seen.set(id, count + 1);
		if (count > 0) {
			let n = count + 1;
			while (seen.has(`${id}_${n}`)) n++;
			const renamed = `${id}_${n}`;
			seen.set(renamed, 1);
			notices.push(`record '${id}' appears more than once; the copy at line ${rec.line} was renamed '${renamed}'`);
			id = renamed;
		}

		const { sequence, bad } = cleanSequence(rec.chunks, options.alphabet);
		if (sequence.length === 0) {
			issues.push({ record: id, line: rec.line, message: 'the record has no sequence' });
			continue;
		}
		if (bad) {
			if (options.expectNucleic && proteinOnlyFraction(sequence) > 0.05) {
				issues.push({
					record: id,
					position: bad.position,
					message: `'${bad.letter}' is not a nucleotide; this looks like a protein sequence, and this tool takes DNA or RNA`
				});
			} else {
				issues.push({ record: id, position: bad.position, message: describeLetter(bad.letter, options.alphabet) });
			}
			continue;
		}
		if (sequence.length < minLength) {
			issues.push({ record: id, message: `${sequence.length} residues; at least ${minLength} are needed` });
			continue;
		}
		if (sequence.length > options.maxLength) {
			issues.push({ record: id, message: `${sequence.length} residues; at most ${options.maxLength} are accepted` });
			continue;
		}
		records.push(description === undefined ? { id, sequence } : { id, sequence, description });
	}
	return { records, issues, notices };
}

/** Checks records that arrive as JSON (the worker re-validating a job's input). */
export function validateRecords(records: SequenceRecord[], options: FastaOptions): InputIssue[] {
	const issues: InputIssue[] = [];
	if (records.length > options.maxRecords) {
		return [{ message: `${records.length} sequences given; at most ${options.maxRecords} are accepted` }];
	}
	const seen = new Set<string>();
	const minLength = options.minLength ?? 1;
	for (const rec of records) {
		if (issues.length >= MAX_ISSUES) break;
		if (seen.has(rec.id)) issues.push({ record: rec.id, message: 'this id is used by more than one record' });
		seen.add(rec.id);
		const seq = rec.sequence;
		if (seq.length === 0) {
			issues.push({ record: rec.id, message: 'the record has no sequence' });
			continue;
		}
		for (let i = 0; i < seq.length; i++) {
			if (options.alphabet.letters.indexOf(seq[i]) === -1) {
				issues.push({ record: rec.id, position: i + 1, message: describeLetter(seq[i], options.alphabet) });
				break;
			}
		}
		if (seq.length < minLength) issues.push({ record: rec.id, message: `${seq.length} residues; at least ${minLength} are needed` });
		if (seq.length > options.maxLength) issues.push({ record: rec.id, message: `${seq.length} residues; at most ${options.maxLength} are accepted` });
	}
	return issues;
}
