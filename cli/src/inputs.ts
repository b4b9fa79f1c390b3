// Input files → the tool's input JSON, by the tool's input kind (from GET
// /v1/tools): FASTA for sequence tools, SMILES lines or SD files for molecule
// tools, PDB/mmCIF files for structure tools; a .json file is the input JSON
// itself (for any tool, e.g. docking's receptor, ligands and box). The CLI
// only splits records: the API, the database and the tool check them, and
// their messages say what to fix.
import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { ApiTool } from './client.ts';

export class InputFileError extends Error {}

export interface InputFile {
	name: string;
	text: string;
}

export type InputRecord = Record<string, unknown>;

export async function readInputFiles(paths: string[]): Promise<InputFile[]> {
	return Promise.all(
		paths.map(async (file) => {
			try {
				return { name: file, text: file === '-' ? readFileSync(0, 'utf8') : await readFile(file, 'utf8') };
			} catch (error) {
				throw new InputFileError(`cannot read ${file}: ${(error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (error as Error).message}`);
			}
		})
	);
}

/** FASTA records: a `>id description` line, then sequence lines (spaces and digits dropped, as the tools do). */
export function fastaRecords(file: InputFile): InputRecord[] {
	const records: InputRecord[] = [];
	let current: { id: string; description?: string; lines: string[] } | null = null;
	const finish = () => {
		if (current) records.push({ id: current.id, sequence: current.lines.join(''), ...(current.description ? { description: current.description } : {}) });
	};
	for (const [index, raw] of file.text.split(/\r?\n/).entries()) {
		const line = raw.trim();
		if (line === '' || line.startsWith(';')) continue;
		if (line.startsWith('>')) {
			finish();
			const header = line.slice(1).trim();
			const space = header.search(/\s/);
			const id = space < 0 ? header : header.slice(0, space);
			if (!id) throw new InputFileError(`${file.name} line ${index + 1}: a FASTA header needs an id after '>'`);
			current = { id, description: space < 0 ? undefined : header.slice(space + 1).trim() || undefined, lines: [] };
		} else {
			// A bare sequence without a header is one record named after the file.
			current ??= { id: path.basename(file.name).replace(/\.[^.]*$/, '') || 'seq', lines: [] };
			current.lines.push(line.replace(/[\s\d]/g, ''));
		}
	}
	finish();
	return records;
}

/** SMILES lines (`SMILES [id]`) or SD files (records ending in $$$$). */
export function moleculeRecords(file: InputFile): InputRecord[] {
	const base = path.basename(file.name).replace(/\.[^.]*$/, '');
	if (/\.(sdf|sd|mol)$/i.test(file.name) || file.text.includes('M  END')) {
		return file.text
			.split(/^\$\$\$\$\s*$/m)
			.filter((block) => block.trim() !== '')
			.map((block, i) => {
				const molblock = block.replace(/^\s*\n/, '');
				return { id: molblock.split(/\r?\n/)[0].trim() || `${base}_${i + 1}`, molblock };
			});
	}
	return file.text
		.split(/\r?\n/)
		.map((line) => line.trim())
		.filter((line) => line !== '' && !line.startsWith('#'))
		.map((line, i) => {
			const [smiles, ...name] = line.split(/\s+/);
			return { id: name.join(' ') || `${base}_${i + 1}`, smiles };
		});
}

/** One structure per file. */
export function structureRecord(file: InputFile): InputRecord {
	const name = path.basename(file.name).replace(/\.[^.]*$/, '').replace(/[\s>/\\]+/g, '_') || 'structure';
	return { name, format: /\.(cif|mmcif)$/i.test(file.name) ? 'mmcif' : 'pdb', content: file.text };
}

/** The records of all files for `tool`, in order, or null when the files are JSON inputs. */
export function recordsFor(tool: ApiTool, files: InputFile[]): InputRecord[] {
	const records: InputRecord[] = [];
	for (const file of files) {
		if (tool.input_kind === 'sequences') records.push(...fastaRecords(file));
		else if (tool.input_kind === 'molecules') records.push(...moleculeRecords(file));
		else records.push(structureRecord(file));
	}
	if (records.length === 0) throw new InputFileError(`no records found in ${files.map((f) => f.name).join(', ')}`);
	return records;
}

/**
 * The tool's input(s) from the files: one input of all records, or with
 * `perRecord` one input per record. Pairwise alignment's first record is the
 * query; the others are its targets (per record: one job per target).
 */
export function buildInputs(tool: ApiTool, files: InputFile[], perRecord: boolean): Array<{ input: Record<string, unknown>; label: string }> {
	const jsonFiles = files.filter((f) => /\.json$/i.test(f.name));
	if (jsonFiles.length > 0) {
		if (jsonFiles.length !== files.length) throw new InputFileError('give either .json input files or record files (FASTA, SMILES, PDB…), not both');
		return jsonFiles.map((file) => {
			let input: unknown;
			try {
				input = JSON.parse(file.text);
			} catch (error) {
				throw new InputFileError(`${file.name} is not JSON: ${(error as Error).message}`);
			}
			if (typeof input !== 'object' || input === null || Array.isArray(input)) throw new InputFileError(`${file.name} must hold a JSON object: the tool's input`);
			return { input: input as Record<string, unknown>, label: path.basename(file.name).replace(/\.json$/i, '') };
		});
	}
	if (tool.input_kind === 'structures' && tool.items_field !== 'structures') {
		throw new InputFileError(`${tool.id} takes more than structure files; give its input as a .json file (see the API docs' example for ${tool.id})`);
	}
	const records = recordsFor(tool, files);
	const label = (record: InputRecord) => String(record.id ?? record.name);
	if (tool.items_field === 'targets') {
		const [query, ...targets] = records;
		if (targets.length === 0) throw new InputFileError(`${tool.id} needs a query and at least one target: the first record is the query`);
		return perRecord ? targets.map((target) => ({ input: { query, targets: [target] }, label: label(target) })) : [{ input: { query, targets }, label: label(query) }];
	}
	if (perRecord) return records.map((record) => ({ input: { [tool.items_field]: [record] }, label: label(record) }));
	return [{ input: { [tool.items_field]: records }, label: files.length === 1 ? path.basename(files[0].name) : label(records[0]) }];
}

/** `--set key=value`: a number, true/false, null or JSON where the value reads as one, else the text. */
export function parseSettings(pairs: string[]): Record<string, unknown> {
	const settings: Record<string, unknown> = {};
	for (const pair of pairs) {
		const eq = pair.indexOf('=');
		if (eq <= 0) throw new InputFileError(`--set takes key=value, not "${pair}"`);
		const key = pair.slice(0, eq);
		const text = pair.slice(eq + 1);
		let value: unknown = text;
		try {
			value = JSON.parse(text);
		} catch {
			value = text;
		}
		settings[key] = value;
	}
	return settings;
}
