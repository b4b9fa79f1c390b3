// The inputs of 2-4 jobs of one tool, record by record: each job's input is
// read as named records (sequences by id, a pairwise query and its targets,
// molecules, structures, a docking receptor, ligands and box), records are
// matched by name, and each is compared with the first job's (the baseline):
// the same, changed (sequences with a residue diff), or missing in a job.
import { diffSequences, type SequenceDiff } from './sequence-diff.ts';

export type InputRecordKind = 'sequence' | 'text' | 'value';

export interface InputRecord {
	/** What records are matched by across jobs ("sequence:lysozyme", "receptor"). */
	key: string;
	/** How the page names it ("lysozyme", "Query P69905"). */
	label: string;
	kind: InputRecordKind;
	/** Sequences upper-cased without white space; text as given; anything else as JSON. */
	text: string;
}

export type RecordState = 'same' | 'changed' | 'missing' | 'added';

export interface RecordCell {
	/** Null when this job has no such record. */
	record: InputRecord | null;
	/** Against the baseline (the first job): the baseline itself is 'same' when present. */
	state: RecordState;
	/** Sequences that differ from the baseline's. */
	diff: SequenceDiff | null;
}

export interface InputRecordComparison {
	key: string;
	label: string;
	kind: InputRecordKind;
	/** One per job, in the jobs' order. */
	cells: RecordCell[];
	differs: boolean;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const asText = (v: unknown): string => (typeof v === 'string' ? v : (JSON.stringify(v) ?? ''));
const residues = (v: string) => v.replace(/\s+/g, '').toUpperCase();

function sequenceRecord(keyPrefix: string, labelPrefix: string, raw: unknown, index: number): InputRecord {
	const rec = isObject(raw) ? raw : {};
	const id = typeof rec.id === 'string' && rec.id !== '' ? rec.id : `#${index + 1}`;
	// A long sequence may be stored as a file reference ({"$file": …}): compared as that reference.
	const isSeq = typeof rec.sequence === 'string';
	return {
		key: `${keyPrefix}${id}`,
		label: `${labelPrefix}${id}`,
		kind: isSeq ? 'sequence' : 'value',
		text: isSeq ? residues(rec.sequence as string) : asText(rec.sequence)
	};
}

function namedList(list: unknown, keyPrefix: string, labelPrefix: string, nameKey: string, textKeys: string[]): InputRecord[] {
	if (!Array.isArray(list)) return [];
	return list.map((raw, i) => {
		const rec = isObject(raw) ? raw : {};
		const name = typeof rec[nameKey] === 'string' && rec[nameKey] !== '' ? (rec[nameKey] as string) : `#${i + 1}`;
		const field = textKeys.find((k) => rec[k] !== undefined);
		const value = field ? rec[field] : raw;
		return { key: `${keyPrefix}${name}`, label: `${labelPrefix}${name}`, kind: typeof value === 'string' ? 'text' : 'value', text: asText(value) };
	});
}

/** A job's input as named records; fields this page does not know become one record each (as JSON). */
export function inputRecords(input: unknown): InputRecord[] {
	if (!isObject(input)) return [{ key: 'input', label: 'Input', kind: 'value', text: asText(input) }];
	const out: InputRecord[] = [];
	const known = new Set<string>();
	if (Array.isArray(input.sequences)) {
		known.add('sequences');
		input.sequences.forEach((s, i) => out.push(sequenceRecord('sequence:', '', s, i)));
	}
	if (isObject(input.query) && Array.isArray(input.targets)) {
		known.add('query').add('targets');
		// The query is matched as the query whatever its id, so a changed query shows as a diff.
		const query = sequenceRecord('query', 'Query ', input.query, 0);
		out.push({ ...query, key: 'query' });
		input.targets.forEach((t, i) => out.push(sequenceRecord('target:', 'Target ', t, i)));
	}
	if (Array.isArray(input.molecules)) {
		known.add('molecules');
		out.push(...namedList(input.molecules, 'molecule:', '', 'id', ['smiles', 'molblock']));
	}
	if (Array.isArray(input.structures)) {
		known.add('structures');
		out.push(...namedList(input.structures, 'structure:', '', 'name', ['content']));
	}
	if (isObject(input.receptor)) {
		known.add('receptor');
		const r = input.receptor;
		out.push({ key: 'receptor', label: `Receptor${typeof r.name === 'string' ? ` ${r.name}` : ''}`, kind: typeof r.text === 'string' ? 'text' : 'value', text: asText(r.text ?? r) });
	}
	if (Array.isArray(input.ligands)) {
		known.add('ligands');
		out.push(...namedList(input.ligands, 'ligand:', 'Ligand ', 'name', ['smiles', 'sdf']));
	}
	for (const [field, value] of Object.entries(input)) {
		if (!known.has(field)) out.push({ key: `field:${field}`, label: field === 'box' ? 'Search box' : field, kind: 'value', text: asText(value) });
	}
	return out;
}

/**
 * Each record of any job, in the order first met (the baseline's first),
 * with each job's version of it compared with the baseline's.
 */
export function compareInputs(inputs: readonly unknown[]): InputRecordComparison[] {
	const perJob = inputs.map((input) => new Map(inputRecords(input).map((r) => [r.key, r])));
	const order = new Map<string, InputRecord>();
	for (const records of perJob) for (const [key, r] of records) if (!order.has(key)) order.set(key, r);
	return [...order.values()].map((first) => {
		const base = perJob[0]?.get(first.key) ?? null;
		const cells = perJob.map((records, j): RecordCell => {
			const record = records.get(first.key) ?? null;
			if (!record) return { record, state: 'missing', diff: null };
			if (j === 0) return { record, state: 'same', diff: null };
			if (!base) return { record, state: 'added', diff: null };
			if (record.text === base.text) return { record, state: 'same', diff: null };
			const diff = record.kind === 'sequence' && base.kind === 'sequence' ? diffSequences(base.text, record.text) : null;
			return { record, state: 'changed', diff };
		});
		const differs = cells.some((c) => c.state !== 'same') && !cells.every((c) => c.state === 'missing');
		return { key: first.key, label: (base ?? first).label, kind: (base ?? first).kind, cells, differs };
	});
}
