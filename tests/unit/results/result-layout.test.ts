// How result pages lay out what a tool returns: protein properties split
// into key figures, composition and the rest (nothing dropped), and an
// EMBOSS pair alignment split into its aligned blocks and its header.
import { describe, expect, it } from 'vitest';
import { splitPair } from '#lib/components/results/alignment-text.ts';
import { splitColumns } from '#lib/components/results/protein-properties.ts';
import { pairwiseAlignmentTool, proteinPropertiesTool } from '#lib/tools/runners.server.ts';
import type { ResultTable } from '#lib/tools/types.ts';
import { HEN_LYSOZYME, HUMAN_INSULIN_A, HUMAN_INSULIN_B } from '#lib/tools/well-known-sequences.ts';
import { runContext } from '../tools/reference.ts';

async function proteinTable(text: string): Promise<ResultTable> {
	const parsed = proteinPropertiesTool.parseInput({ text });
	if (!(parsed as { ok: boolean }).ok) throw new Error(JSON.stringify(parsed));
	return (await proteinPropertiesTool.run((parsed as { input: any }).input, proteinPropertiesTool.settingsSchema.parse({ pH: 7.4 }), runContext())).table;
}

describe('protein properties on the page', () => {
	it('leads with the key figures, keeps composition apart and loses no column', async () => {
		const table = await proteinTable(`>LYSC\n${HEN_LYSOZYME}\n>INS_A\n${HUMAN_INSULIN_A}\n`);
		const parts = splitColumns(table);
		expect(parts.key.columns.map((c) => c.label)).toEqual([
			'ID',
			'Length',
			'Average mass',
			'Theoretical pI',
			'Net charge at pH 7.4',
			'Extinction coefficient at 280 nm in water, Cys reduced',
			'Extinction coefficient at 280 nm in water, all Cys in cystines',
			'Instability index',
			'Stability (stable at index 40 or below)',
			'GRAVY (Kyte-Doolittle)',
			'Aliphatic index'
		]);
		expect(parts.composition.columns.map((c) => c.key)).toEqual(['id', ...[...'ACDEFGHIKLMNPQRSTVWY'].map((aa) => `pct_${aa}`)]);
		expect(parts.other.columns.map((c) => c.key)).toEqual(['id', 'monoisotopic_mass', 'aromaticity', 'half_life_mammalian', 'half_life_yeast', 'half_life_ecoli']);
		const shown = new Set([...parts.key.columns, ...parts.composition.columns, ...parts.other.columns].map((c) => c.key));
		expect([...shown].sort()).toEqual(table.columns.map((c) => c.key).sort());
		expect(parts.key.rows).toBe(table.rows);
	});

	it('names a single sequence in the heading rather than in every table', async () => {
		const parts = splitColumns(await proteinTable(`>INS_B\n${HUMAN_INSULIN_B}\n`));
		expect(parts.key.columns[0].key).toBe('length');
		expect(parts.composition.columns[0].key).toBe('pct_A');
	});

	it('puts columns it does not know (a newer tool version) with the rest', () => {
		const table: ResultTable = {
			columns: [
				{ key: 'id', label: 'ID', type: 'string' },
				{ key: 'pi', label: 'Theoretical pI', type: 'number' },
				{ key: 'boman', label: 'Boman index', type: 'number' }
			],
			rows: [{ id: 'a', pi: 5, boman: 1 }]
		};
		expect(splitColumns(table).other.columns.map((c) => c.key)).toEqual(['boman']);
	});
});

describe('an alignment on the page', () => {
	it('shows the aligned blocks apart from the EMBOSS header, each whole', async () => {
		const settings = pairwiseAlignmentTool.settingsSchema.parse({});
		const parsed = pairwiseAlignmentTool.parseInput({ fields: { query: `>INS_B\n${HUMAN_INSULIN_B}\n`, targets: `>LYSC\n${HEN_LYSOZYME}\n` } }, settings);
		if (!(parsed as { ok: boolean }).ok) throw new Error(JSON.stringify(parsed));
		const { alignments } = await pairwiseAlignmentTool.run((parsed as { input: any }).input, settings, runContext());
		const { header, alignment } = splitPair(alignments[0].pair);
		expect(header.split('\n')[0]).toBe('#=======================================');
		expect(header).toMatch(/# Score: .*\n# \n#\n#=======================================$/);
		expect(alignment.split('\n')[0]).toMatch(/^INS_B {9}\s+\d+ [A-Z-]+\s+\d+$/);
		expect(`${header}\n\n${alignment}\n`).toBe(alignments[0].pair.replace(/\n+$/, '\n'));
	});

	it('treats text not in pair format as all alignment', () => {
		expect(splitPair('ACGT\n||||\nACGT\n')).toEqual({ header: '', alignment: 'ACGT\n||||\nACGT' });
	});
});
