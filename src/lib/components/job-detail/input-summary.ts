// A job's input as people read it: sequences as FASTA, molecules as SMILES
// lines, structures by name and size, docking's receptor, ligands and box.
// Only the start of large inputs goes into the page.
import { z } from 'zod';
import { humanize } from '#lib/tools-ui/settings-fields.ts';
import { count, noun } from '#lib/ui/plural.ts';

export interface InputBlock {
	heading: string;
	text: string;
}

export interface InputSummary {
	/** "3 sequences", "1 receptor, 2 ligands" */
	headline: string;
	blocks: InputBlock[];
	/** Named files in the input (structures), with sizes. */
	items: Array<{ name: string; detail: string }>;
}

/** A text of the input, or the {"$file": name} that stands for it when it was uploaded as a file (src/lib/files/input-refs.ts). */
const textOrFile = z.union([z.string(), z.strictObject({ $file: z.string() })]);
type TextOrFile = z.infer<typeof textOrFile>;

const sequenceRecord = z.object({ id: z.string(), description: z.string().optional(), sequence: textOrFile });
const sequences = z.object({ sequences: z.array(sequenceRecord) });
const pairwise = z.object({ query: sequenceRecord, targets: z.array(sequenceRecord) });
const molecules = z.object({ molecules: z.array(z.object({ id: z.string(), smiles: z.string().optional(), molblock: z.string().optional() })) });
const structures = z.object({ structures: z.array(z.object({ name: z.string(), format: z.string(), content: textOrFile })) });
const docking = z.object({
	receptor: z.object({ name: z.string().optional(), text: textOrFile }),
	ligands: z.array(z.object({ name: z.string(), smiles: z.string().optional(), sdf: z.string().optional() })),
	box: z.unknown()
});

/** Records written into a preview before it stops (the rest are counted). */
const MAX_PREVIEW_RECORDS = 50;
const MAX_SEQUENCE_CHARS = 600;

const plural = (n: number, word: string): string => count(n, word);

function fastaOf(records: Array<z.infer<typeof sequenceRecord>>, sizeOf: (t: TextOrFile) => string): string {
	const lines: string[] = [];
	for (const r of records.slice(0, MAX_PREVIEW_RECORDS)) {
		lines.push(`>${r.id}${r.description ? ` ${r.description}` : ''}`);
		if (typeof r.sequence !== 'string') {
			lines.push(`(in the file ${r.sequence.$file}, ${sizeOf(r.sequence)})`);
			continue;
		}
		const seq = r.sequence.length > MAX_SEQUENCE_CHARS ? `${r.sequence.slice(0, MAX_SEQUENCE_CHARS)}… (${count(r.sequence.length, 'residue')})` : r.sequence;
		for (let i = 0; i < seq.length; i += 60) lines.push(seq.slice(i, i + 60));
	}
	if (records.length > MAX_PREVIEW_RECORDS) lines.push(`… and ${plural(records.length - MAX_PREVIEW_RECORDS, 'more record')}`);
	return lines.join('\n');
}

const vec3 = z.tuple([z.number(), z.number(), z.number()]);
const boxShape = z.discriminatedUnion('mode', [
	z.object({ mode: z.literal('manual'), center: vec3, size: vec3 }),
	z.object({ mode: z.literal('ligand'), resname: z.string(), chain: z.string().optional(), resnum: z.number().optional(), padding: z.number().optional() }),
	z.object({ mode: z.literal('residues'), residues: z.array(z.string()), padding: z.number().optional() })
]);

const coordinate = (v: number): string => v.toLocaleString('en', { maximumFractionDigits: 3 });
const paddingOf = (padding: number | undefined): string => (padding === undefined ? '' : `, with ${coordinate(padding)} Å of padding`);

/** Docking's search box in words: "centre (x, y, z) (12.5, -3, 8) Å, size 20 × 20 × 20 Å", or what it is built around. */
export function describeBox(box: unknown): string {
	const parsed = boxShape.safeParse(box);
	if (!parsed.success) return JSON.stringify(box);
	const b = parsed.data;
	if (b.mode === 'manual') return `Centre (x, y, z) (${b.center.map(coordinate).join(', ')}) Å, size ${b.size.map(coordinate).join(' × ')} Å`;
	if (b.mode === 'ligand') {
		const where = [b.chain ? `chain ${b.chain}` : '', b.resnum !== undefined ? `residue ${b.resnum}` : ''].filter(Boolean).join(', ');
		return `Around the bound ligand ${b.resname}${where ? ` (${where})` : ''}${paddingOf(b.padding)}`;
	}
	return `Around ${noun(b.residues.length, 'residue')} ${b.residues.join(', ')}${paddingOf(b.padding)}`;
}

function byteSize(text: string): number {
	return new TextEncoder().encode(text).length;
}

/**
 * `fileSizes`: the job's input files by name, for texts that were uploaded
 * as files (their size is known, their text is not loaded here).
 */
export function summarizeInput(input: Record<string, unknown>, formatBytes: (n: number) => string, fileSizes: ReadonlyMap<string, number> = new Map()): InputSummary {
	const sizeOf = (t: TextOrFile): string => {
		if (typeof t === 'string') return formatBytes(byteSize(t));
		const size = fileSizes.get(t.$file);
		return size === undefined ? `file ${t.$file}` : `${formatBytes(size)} file`;
	};
	const seq = sequences.safeParse(input);
	if (seq.success) {
		return { headline: plural(seq.data.sequences.length, 'sequence'), blocks: [{ heading: 'Sequences (FASTA)', text: fastaOf(seq.data.sequences, sizeOf) }], items: [] };
	}
	const pair = pairwise.safeParse(input);
	if (pair.success) {
		return {
			headline: `1 query, ${plural(pair.data.targets.length, 'target')}`,
			blocks: [
				{ heading: 'Query (FASTA)', text: fastaOf([pair.data.query], sizeOf) },
				{ heading: 'Targets (FASTA)', text: fastaOf(pair.data.targets, sizeOf) }
			],
			items: []
		};
	}
	const mol = molecules.safeParse(input);
	if (mol.success) {
		const list = mol.data.molecules;
		const lines = list.slice(0, MAX_PREVIEW_RECORDS * 4).map((m) => (m.smiles !== undefined ? `${m.smiles} ${m.id}` : `(molblock) ${m.id}`));
		if (list.length > lines.length) lines.push(`… and ${plural(list.length - lines.length, 'more molecule')}`);
		return { headline: plural(list.length, 'molecule'), blocks: [{ heading: 'Molecules (SMILES and name)', text: lines.join('\n') }], items: [] };
	}
	const str = structures.safeParse(input);
	if (str.success) {
		return {
			headline: plural(str.data.structures.length, 'structure'),
			blocks: [],
			items: str.data.structures.map((s) => ({ name: s.name, detail: `${s.format === 'mmcif' ? 'mmCIF' : s.format.toUpperCase()}, ${sizeOf(s.content)}` }))
		};
	}
	const dock = docking.safeParse(input);
	if (dock.success) {
		const { receptor, ligands, box } = dock.data;
		const ligandLines = ligands.map((l) => (l.smiles !== undefined ? `${l.smiles} ${l.name}` : `(SDF record) ${l.name}`));
		return {
			headline: `1 receptor, ${plural(ligands.length, 'ligand')}`,
			blocks: [
				{ heading: 'Ligands', text: ligandLines.join('\n') },
				{ heading: 'Search box', text: describeBox(box) }
			],
			items: [{ name: receptor.name ?? 'receptor', detail: `PDB, ${sizeOf(receptor.text)}` }]
		};
	}
	const json = JSON.stringify(input, null, 2);
	return { headline: '', blocks: [{ heading: 'Input (JSON)', text: json.length > 20_000 ? `${json.slice(0, 20_000)}\n…` : json }], items: [] };
}

/** "hydropathyWindow" -> "Hydropathy window", "num_modes" -> "Num modes", "pH" stays "pH". */
export function settingLabel(key: string): string {
	return /^[a-z]?[A-Z]+$/.test(key) ? key : humanize(key);
}

export function settingValue(value: unknown): string {
	if (value === null || value === undefined) return '—';
	if (typeof value === 'boolean') return value ? 'Yes' : 'No';
	if (typeof value === 'number' || typeof value === 'string') return String(value);
	return JSON.stringify(value);
}
