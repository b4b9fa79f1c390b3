// structure-analysis: per-chain sequences, missing residues, ligands, radius
// of gyration, B-factors, phi/psi and DSSP secondary structure of PDB/mmCIF files.
import { z } from 'zod';
import { catalogEntry } from '../catalog.ts';
import { checkInputSize } from '../parse/input-size.ts';
import { checkAborted, ToolInputError, yieldToEventLoop, type InputIssue, type ToolDefinition, type ToolResult } from '../types.ts';
import { analyzeChain, chainsFasta, type ResidueAngles } from './analyze.ts';
import { runDssp } from './dssp.ts';
import { parseMmcif } from './mmcif.ts';
import type { Structure } from './model.ts';
import { parsePdb, StructureFormatError } from './pdb.ts';
import { buildTable } from './table.ts';

const catalog = catalogEntry('structure-analysis')!;

const structureSchema = z.object({
	name: z
		.string()
		.min(1, 'every structure needs a name')
		.max(200)
		.regex(/^[^\s>]+$/, 'a structure name cannot contain spaces or >'),
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

export interface ChainPlotData {
	structure: string;
	chain: string;
	/** Per observed amino acid, for a Ramachandran plot and a secondary-structure track. */
	residues: ResidueAngles[];
}

export interface StructureAnalysisResult extends ToolResult {
	chains: ChainPlotData[];
	fasta: string;
	/** Why secondary structure is missing, per structure; empty when DSSP ran everywhere. */
	secondaryStructureUnavailable: Array<{ structure: string; reason: string }>;
	/** Models in each file (only the first is analysed) and other remarks. */
	notices: string[];
}

export function detectFormat(fileName: string, content: string): 'pdb' | 'mmcif' {
	if (/\.(cif|mmcif)(\.txt)?$/i.test(fileName)) return 'mmcif';
	if (/\.(pdb|ent)(\.txt)?$/i.test(fileName)) return 'pdb';
	return /^\s*data_/.test(content) ? 'mmcif' : 'pdb';
}

export function parseStructure(name: string, format: 'pdb' | 'mmcif', content: string): Structure {
	return format === 'pdb' ? parsePdb(name, content) : parseMmcif(name, content);
}

function structureName(fileName: string, index: number): string {
	const base = fileName.replace(/^.*[\\/]/, '').replace(/\.(pdb|ent|cif|mmcif)(\.txt)?$/i, '').replace(/[\s>]+/g, '_');
	return base || `structure${index + 1}`;
}

/** Reads each structure, naming the file and line of the first problem. */
function checkStructures(input: StructureAnalysisInput): { structures: Structure[]; issues: InputIssue[] } {
	const structures: Structure[] = [];
	const issues: InputIssue[] = [];
	const names = new Set<string>();
	for (const s of input.structures) {
		if (names.has(s.name)) issues.push({ record: s.name, message: 'this name is used by more than one structure' });
		names.add(s.name);
		try {
			structures.push(parseStructure(s.name, s.format, s.content));
		} catch (err) {
			if (!(err instanceof StructureFormatError)) throw err;
			issues.push({ record: s.name, line: err.line, message: `not a readable ${s.format === 'pdb' ? 'PDB' : 'mmCIF'} file: ${err.message}` });
		}
	}
	return { structures, issues };
}

export const structureAnalysisTool: ToolDefinition<StructureAnalysisInput, StructureAnalysisSettings, StructureAnalysisResult> = {
	catalog,
	inputSchema,
	settingsSchema,
	examples: [],
	parseInput(raw) {
		const files = [...(raw.files ?? [])];
		if (raw.text && raw.text.trim() !== '') files.unshift({ name: 'pasted', text: raw.text });
		if (files.length === 0) return { ok: false, errors: [{ message: 'give at least one PDB or mmCIF file' }] };
		const structures = files.map((f, i) => ({ name: structureName(f.name, i), format: detectFormat(f.name, f.text), content: f.text }));
		const input = { structures };
		// Size first: the limit is on the job input, and reading a huge file only to refuse it wastes time.
		const tooBig = checkInputSize(input, catalog.maxInputBytes);
		if (tooBig) return { ok: false, errors: [tooBig] };
		const shape = inputSchema.safeParse(input);
		if (!shape.success) return { ok: false, errors: shape.error.issues.map((i) => ({ message: i.message })) };
		const { issues } = checkStructures(shape.data);
		if (issues.length) return { ok: false, errors: issues };
		return { ok: true, input: shape.data, notices: [] };
	},
	async run(input, settings, ctx) {
		const tooBig = checkInputSize(input, catalog.maxInputBytes);
		if (tooBig) throw new ToolInputError([tooBig]);
		const { structures, issues } = checkStructures(input);
		if (issues.length) throw new ToolInputError(issues);
		const analyses = [];
		const unavailable: StructureAnalysisResult['secondaryStructureUnavailable'] = [];
		const notices: string[] = [];
		const n = structures.length;
		for (let i = 0; i < n; i++) {
			checkAborted(ctx.signal);
			ctx.progress((100 * i) / n, `${i} of ${n} structures`);
			await yieldToEventLoop();
			const s = structures[i];
			if (s.models > 1) notices.push(`${s.name}: ${s.models} models; only the first is analysed`);
			let dssp: Map<string, string> | null = null;
			if (settings.secondaryStructure) {
				const out = await runDssp(input.structures[i].content, s.format, ctx.signal);
				if (out.ok) dssp = out.assignments;
				else unavailable.push({ structure: s.name, reason: out.reason });
			} else {
				unavailable.push({ structure: s.name, reason: 'not requested' });
			}
			for (const chain of s.chains) analyses.push(analyzeChain(s, chain, dssp));
		}
		const fasta = chainsFasta(analyses);
		if (ctx.writeFile && fasta) await ctx.writeFile('chains.fasta', 'text/x-fasta', fasta);
		ctx.progress(100, `${n} of ${n} structures`);
		return {
			table: buildTable(analyses),
			chains: analyses.map((a) => ({ structure: a.structure, chain: a.chain, residues: a.angles })),
			fasta,
			secondaryStructureUnavailable: unavailable,
			notices
		};
	}
};
