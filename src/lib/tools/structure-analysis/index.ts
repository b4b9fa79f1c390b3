// structure-analysis: per-chain sequences, missing residues, ligands, radius
// of gyration, B-factors, phi/psi and DSSP secondary structure of PDB/mmCIF
// files. Only the first model of each file is analysed. The size limit is the
// catalog's maxInputBytes (50 MiB of job input, all files together); larger
// input is refused before it is read, with the limit in the message. This is
// the tool's browser part (the form reads each file to point at problems);
// run(), the analysis and DSSP are in worker.server.ts.
import { z } from 'zod';
import { catalogEntry } from '../catalog.ts';
import { checkInputSize } from '../parse/input-size.ts';
import { toolResultSchema } from '../result-table.ts';
import type { InputIssue, ToolSpec } from '../types.ts';
import type { ResidueAngles } from './analyze.ts';
import { examples } from './examples.ts';
import { parseMmcif } from './mmcif.ts';
import type { Structure } from './model.ts';
import { parsePdb, StructureFormatError } from './pdb.ts';

const catalog = catalogEntry('structure-analysis')!;

const structureSchema = z.object({
	name: z
		.string()
		.min(1, 'every structure needs a name')
		.max(200)
		// Names end up in FASTA headers and table cells, never in paths; still, no separators or control characters.
		.regex(/^[^\s>/\\\p{Cc}]+$/u, 'a structure name cannot contain spaces, >, / or \\'),
	format: z.enum(['pdb', 'mmcif']),
	content: z.string().min(1, 'the structure file is empty')
});

export const inputSchema = z.object({
	structures: z
		.array(structureSchema)
		.min(1, 'give at least one structure file')
		.max(catalog.maxItems, `at most ${catalog.maxItems} structures are accepted`)
});
export type StructureAnalysisInput = z.infer<typeof inputSchema>;

export const settingsSchema = z.object({
	/** Run mkdssp; without it (or when it is not installed) secondary structure is reported as unavailable. */
	secondaryStructure: z.boolean().default(true)
});
export type StructureAnalysisSettings = z.infer<typeof settingsSchema>;

const residueAnglesSchema = z.object({
	name: z.string(),
	seq: z.number(),
	icode: z.string(),
	phi: z.number().nullable(),
	psi: z.number().nullable(),
	ss: z.string().nullable()
}) satisfies z.ZodType<ResidueAngles>;

export const chainPlotDataSchema = z.object({
	structure: z.string(),
	chain: z.string(),
	/** Per observed amino acid, for a Ramachandran plot and a secondary-structure track. */
	residues: z.array(residueAnglesSchema)
});
export type ChainPlotData = z.infer<typeof chainPlotDataSchema>;

/** What a run returns: the worker checks it, the job page reads it (src/lib/tools/result-schemas.ts). */
export const structureAnalysisResultSchema = toolResultSchema.extend({
	chains: z.array(chainPlotDataSchema),
	fasta: z.string().default(''),
	/** Why secondary structure is missing, per structure; empty when DSSP ran everywhere. */
	secondaryStructureUnavailable: z.array(z.object({ structure: z.string(), reason: z.string() })).default([]),
	/** Models in each file (only the first is analysed) and other remarks. */
	notices: z.array(z.string()).default([])
});
export type StructureAnalysisResult = z.infer<typeof structureAnalysisResultSchema>;

/** mmCIF when the text opens a data block, PDB when it has PDB records; otherwise the file name decides. */
export function detectFormat(fileName: string, content: string): 'pdb' | 'mmcif' {
	const head = content.slice(0, 65536);
	if (/^(?:\s|#[^\n]*\n)*data_/.test(head)) return 'mmcif';
	if (/^(?:ATOM {2}|HETATM|HEADER|MODEL |CRYST1|REMARK|TITLE |COMPND|SEQRES)/m.test(head)) return 'pdb';
	return /\.(cif|mmcif)(\.txt)?$/i.test(fileName) ? 'mmcif' : 'pdb';
}

export function parseStructure(name: string, format: 'pdb' | 'mmcif', content: string): Structure {
	return format === 'pdb' ? parsePdb(name, content) : parseMmcif(name, content);
}

/** A structure's name from its file name: no folders, no extension, nothing a FASTA header cannot hold. */
function structureName(fileName: string, index: number): string {
	const base = fileName
		.replace(/^.*[\\/]/, '')
		.replace(/\.(pdb|ent|cif|mmcif)(\.txt)?$/i, '')
		.replace(/[\s>\p{Cc}]+/gu, '_')
		.slice(0, 200);
	return base.replace(/^[._]+$/, '') || `structure${index + 1}`;
}

/** Job input from files as read: each named for its file, its format detected. */
export function structuresFromFiles(files: Array<{ name: string; text: string }>): StructureAnalysisInput['structures'] {
	return files.map((f, i) => ({ name: structureName(f.name, i), format: detectFormat(f.name, f.text), content: f.text }));
}

/** Why a file is plainly not PDB or mmCIF text (binary, compressed, a FASTA file), or null. */
export function wrongKindOfFile(content: string): string | null {
	const head = content.slice(0, 4096);
	if (head.startsWith('\u001f\u008b') || head.startsWith('\u001f\ufffd')) return 'this is a gzip-compressed file; unpack it and give the PDB or mmCIF text';
	if (/[\u0000\ufffd]/.test(head)) return 'this is a binary file, not PDB or mmCIF text';
	if (/^\s*>/.test(head)) return 'this looks like a FASTA file (sequences), not a structure; give a PDB or mmCIF file';
	return null;
}

/**
 * The catalog's size check, skipped when the input cannot be over the limit:
 * JSON writes no character of a string in more than 6 bytes, so text of
 * under a sixth of the limit always fits. It saves writing out (and
 * counting) megabytes of JSON for every ordinary upload.
 */
export function checkSize(input: StructureAnalysisInput): InputIssue | undefined {
	let chars = 0;
	for (const s of input.structures) chars += s.name.length + s.content.length + 64;
	if (6 * chars + 64 <= catalog.maxInputBytes) return undefined;
	return checkInputSize(input, catalog.maxInputBytes);
}

/** Reads each structure, naming the file and line of the first problem. */
export function checkStructures(input: StructureAnalysisInput): { structures: Structure[]; issues: InputIssue[] } {
	const structures: Structure[] = [];
	const issues: InputIssue[] = [];
	const names = new Set<string>();
	for (const s of input.structures) {
		if (names.has(s.name)) issues.push({ record: s.name, message: 'this name is used by more than one structure' });
		names.add(s.name);
		const wrong = wrongKindOfFile(s.content);
		if (wrong) {
			issues.push({ record: s.name, message: wrong });
			continue;
		}
		try {
			structures.push(parseStructure(s.name, s.format, s.content));
		} catch (err) {
			if (!(err instanceof StructureFormatError)) throw err;
			issues.push({ record: s.name, line: err.line, message: `not a readable ${s.format === 'pdb' ? 'PDB' : 'mmCIF'} file: ${err.message}` });
		}
	}
	return { structures, issues };
}

export const structureAnalysisSpec: ToolSpec<StructureAnalysisInput, StructureAnalysisSettings> = {
	catalog,
	inputSchema,
	settingsSchema,
	examples,
	conventions: [
		'Radius of gyration: unweighted (every atom counts the same, no atomic masses) over the chain’s polymer atoms as the file gives them, hydrogens included when present, waters and ligands not. A mass-weighted radius (as in GROMACS gmx gyrate) differs slightly.',
		'φ and ψ follow the IUPAC sign convention (as Biopython’s calc_dihedral); none is given across a chain break. B-factor statistics are over the same polymer atoms.',
		'Secondary structure is DSSP’s (mkdssp), eight states; helix counts H, G and I, strand E and B.'
	],
	parseInput(raw) {
		const files = [...(raw.files ?? [])];
		if (raw.text && raw.text.trim() !== '') files.unshift({ name: 'pasted', text: raw.text });
		if (files.length === 0) return { ok: false, errors: [{ message: 'give at least one PDB or mmCIF file' }] };
		const input = { structures: structuresFromFiles(files) };
		// Size first: the limit is on the job input, and reading a huge file only to refuse it wastes time.
		const tooBig = checkSize(input);
		if (tooBig) return { ok: false, errors: [tooBig] };
		const shape = inputSchema.safeParse(input);
		if (!shape.success) return { ok: false, errors: shape.error.issues.map((i) => ({ message: i.message })) };
		const { issues } = checkStructures(shape.data);
		if (issues.length) return { ok: false, errors: issues };
		return { ok: true, input: shape.data, notices: [] };
	}
};
