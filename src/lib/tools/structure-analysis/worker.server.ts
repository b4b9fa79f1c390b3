// structure-analysis, worker part: run(), the per-chain analysis and DSSP
// (mkdssp in a child process, dssp.server.ts).
import { checkAborted, ToolInputError, yieldToEventLoop, type ToolWorker } from '../types.ts';
import { analyzeChain, chainsFasta } from './analyze.ts';
import { mkdsspVersion, runDssp } from './dssp.server.ts';
import { checkSize, checkStructures, type StructureAnalysisInput, type StructureAnalysisResult, type StructureAnalysisSettings } from './index.ts';
import { buildTable, residuesCsv } from './table.ts';
import { count } from '#lib/ui/plural.ts';

export const structureAnalysisWorker: ToolWorker<StructureAnalysisInput, StructureAnalysisSettings, StructureAnalysisResult> = {
	async programVersions() {
		return { mkdssp: await mkdsspVersion() };
	},
	async run(input, settings, ctx) {
		const tooBig = checkSize(input);
		if (tooBig) throw new ToolInputError([tooBig]);
		const { structures, issues } = checkStructures(input);
		if (issues.length) throw new ToolInputError(issues);
		const analyses = [];
		const unavailable: StructureAnalysisResult['secondaryStructureUnavailable'] = [];
		const notices: string[] = [];
		const n = structures.length;
		for (let i = 0; i < n; i++) {
			checkAborted(ctx.signal);
			ctx.progress((100 * i) / n, `${i} of ${count(n, 'structure')}`);
			await yieldToEventLoop();
			const s = structures[i];
			if (s.models > 1) notices.push(`${s.name}: ${count(s.models, 'model')}; only the first is analysed`);
			if (s.alternateAtoms > 0) notices.push(`${s.name}: ${s.alternateAtoms} alternate atom locations: the most occupied conformer is analysed, except that phi/psi use the conformers forming each peptide bond (as Biopython) and DSSP the one listed last (as mkdssp)`);
			if (s.atomsDropped > 0) notices.push(`${s.name}: ${count(s.atomsDropped, 'atom')} left out (repeated atoms, or a second residue type at a residue number), as Biopython leaves them out`);
			let dssp: Map<string, string> | null = null;
			if (settings.secondaryStructure) {
				const out = await runDssp(s, ctx.signal);
				if (out.ok) dssp = out.assignments;
				else unavailable.push({ structure: s.name, reason: out.reason });
			} else {
				unavailable.push({ structure: s.name, reason: 'not requested' });
			}
			for (const chain of s.chains) analyses.push(analyzeChain(s, chain, dssp));
		}
		const fasta = chainsFasta(analyses);
		if (ctx.writeFile) {
			if (fasta) await ctx.writeFile('chains.fasta', 'text/x-fasta', fasta);
			if (analyses.some((a) => a.angles.length > 0)) await ctx.writeFile('residues.csv', 'text/csv', residuesCsv(analyses));
		}
		ctx.progress(100, `${n} of ${count(n, 'structure')}`);
		return {
			table: buildTable(analyses),
			chains: analyses.map((a) => ({ structure: a.structure, chain: a.chain, residues: a.angles })),
			fasta,
			secondaryStructureUnavailable: unavailable,
			notices
		};
	}
};
