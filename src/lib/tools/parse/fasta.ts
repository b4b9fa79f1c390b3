// FASTA as scientists paste it: with or without '>' headers, Windows line
// endings, lower case, spaces and position numbers inside sequences, a
// trailing '*'. Shared by the browser form and the worker.
import type { InputIssue } from '../types.ts';
import { proteinOnlyFraction, type Alphabet } from './alphabets.ts';
import { count } from '#lib/ui/plural.ts';

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
	/**
	 * Keep each letter's case (lower-case letters are accepted either way).
	 * For tools whose output echoes the input, as EMBOSS revseq and getorf
	 * keep soft-masked (lower-case) regions; the others read upper case.
	 */
	keepCase?: boolean;
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

// Char code -> 1 for the alphabet's letters (and, for keepCase, their lower
// case); built once per alphabet, so the per-residue checks below are a
// table lookup, not a string search.
const letterTables = new WeakMap<Alphabet, Uint8Array>();
const anyCaseTables = new WeakMap<Alphabet, Uint8Array>();

function letterTable(alphabet: Alphabet, anyCase = false): Uint8Array {
	const cache = anyCase ? anyCaseTables : letterTables;
	let table = cache.get(alphabet);
	if (!table) {
		table = new Uint8Array(128);
		for (let i = 0; i < alphabet.letters.length; i++) {
			const code = alphabet.letters.charCodeAt(i);
			// cleanSequence's fast path relies on this (no digits, '*', and lower case only by choice).
			if (code < 65 || code > 90) throw new Error(`alphabet letter '${alphabet.letters[i]}' is not A-Z`);
			table[code] = 1;
			if (anyCase) table[code + 32] = 1;
		}
		cache.set(alphabet, table);
	}
	return table;
}

/** 0-based position of the first character outside the alphabet, or -1. */
function firstForeign(seq: string, table: Uint8Array): number {
	for (let i = 0; i < seq.length; i++) {
		const code = seq.charCodeAt(i);
		if (code >= 128 || table[code] === 0) return i;
	}
	return -1;
}

/**
 * Removes what is not sequence (whitespace, digits) and one trailing '*'
 * (a stop written at the end). Returns the cleaned sequence (upper case
 * unless keepCase) and the first problem letter, if any.
 */
function cleanSequence(chunks: string[], table: Uint8Array, keepCase: boolean): { sequence: string; bad?: { letter: string; position: number } } {
	const joined = chunks.length === 1 ? chunks[0] : chunks.join('');
	// Fast path: text that is already clean sequence is returned as is,
	// without the copies the general path below makes.
	if (firstForeign(joined, table) === -1) return { sequence: joined };
	const stripped = joined.replace(/[\s0-9]+/g, '');
	const raw = keepCase ? stripped : stripped.toUpperCase();
	const body = raw.endsWith('*') ? raw.slice(0, -1) : raw;
	const bad = firstForeign(body, table);
	if (bad !== -1) return { sequence: body, bad: { letter: body[bad], position: bad + 1 } };
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
	const keepCase = options.keepCase ?? false;
	const table = letterTable(options.alphabet, keepCase);

	if (raw.length === 0) {
		return { records, issues: [{ message: 'no sequences given' }], notices };
	}
	if (raw.length > options.maxRecords) {
		issues.push({ message: `${count(raw.length, 'sequence')} given; at most ${options.maxRecords.toLocaleString('en')} are accepted` });
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
		const copies = seen.get(id) ?? 0;
		seen.set(id, copies + 1);
		if (copies > 0) {
			let n = copies + 1;
			while (seen.has(`${id}_${n}`)) n++;
			const renamed = `${id}_${n}`;
			seen.set(renamed, 1);
			notices.push(`record '${id}' appears more than once; the copy at line ${rec.line} was renamed '${renamed}'`);
			id = renamed;
		}

		const { sequence, bad } = cleanSequence(rec.chunks, table, keepCase);
		if (sequence.length === 0) {
			issues.push({ record: id, line: rec.line, message: 'the record has no sequence' });
			continue;
		}
		if (bad) {
			if (options.expectNucleic && proteinOnlyFraction(keepCase ? sequence.toUpperCase() : sequence) > 0.05) {
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
			issues.push({ record: id, message: `${count(sequence.length, 'residue')}; at least ${minLength} are needed` });
			continue;
		}
		if (sequence.length > options.maxLength) {
			issues.push({ record: id, message: `${count(sequence.length, 'residue')}; at most ${options.maxLength.toLocaleString('en')} are accepted` });
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
		return [{ message: `${count(records.length, 'sequence')} given; at most ${options.maxRecords.toLocaleString('en')} are accepted` }];
	}
	const seen = new Set<string>();
	const minLength = options.minLength ?? 1;
	const table = letterTable(options.alphabet, options.keepCase ?? false);
	for (const rec of records) {
		if (issues.length >= MAX_ISSUES) break;
		if (seen.has(rec.id)) issues.push({ record: rec.id, message: 'this id is used by more than one record' });
		seen.add(rec.id);
		const seq = rec.sequence;
		if (seq.length === 0) {
			issues.push({ record: rec.id, message: 'the record has no sequence' });
			continue;
		}
		const bad = firstForeign(seq, table);
		if (bad !== -1) issues.push({ record: rec.id, position: bad + 1, message: describeLetter(seq[bad], options.alphabet) });
		if (seq.length < minLength) issues.push({ record: rec.id, message: `${count(seq.length, 'residue')}; at least ${minLength} are needed` });
		if (seq.length > options.maxLength) issues.push({ record: rec.id, message: `${count(seq.length, 'residue')}; at most ${options.maxLength.toLocaleString('en')} are accepted` });
	}
	return issues;
}
