// protein-properties against Biopython's ProteinAnalysis (python3-biopython).
import { describe, expect, it } from 'vitest';
import { proteinPropertiesTool as tool } from '#lib/tools/runners.server.ts';
import { HEN_LYSOZYME, HUMAN_INSULIN_A, HUMAN_INSULIN_B } from '#lib/tools/well-known-sequences.ts';
import { python, randomSequence, runContext, seededRandom } from './reference.ts';

const BIOPYTHON = `
import json, sys
from Bio.SeqUtils.ProtParam import ProteinAnalysis as PA
from Bio.SeqUtils.ProtParamData import kd
out = []
for s in json.load(sys.stdin):
    a = PA(s)
    out.append({
        "avg": a.molecular_weight(), "mono": PA(s, monoisotopic=True).molecular_weight(),
        "pi": a.isoelectric_point(), "charge7": a.charge_at_pH(7.0), "charge5": a.charge_at_pH(5.5),
        "ext": list(a.molar_extinction_coefficient()), "instability": a.instability_index(),
        "gravy": a.gravy(), "aromaticity": a.aromaticity(),
        "percent": a.get_amino_acids_percent(),
        "profile": a.protein_scale(kd, 9) if len(s) >= 9 else [],
    })
print(json.dumps(out))
`;

const BIOPYTHON_SEC_PYL = `
import json, sys
from Bio.SeqUtils.ProtParam import ProteinAnalysis as PA
def attempt(f):
    try:
        return f()
    except KeyError:
        return "KeyError"
out = []
for s in json.load(sys.stdin):
    a = PA(s)
    out.append({
        "avg": a.molecular_weight(), "mono": PA(s, monoisotopic=True).molecular_weight(),
        "pi": a.isoelectric_point(), "charge7": a.charge_at_pH(7.0),
        "ext": list(a.molar_extinction_coefficient()), "aromaticity": a.aromaticity(),
        "percent": a.get_amino_acids_percent(),
        "instability": attempt(a.instability_index), "gravy": attempt(a.gravy),
    })
print(json.dumps(out))
`;

const rand = seededRandom(20240601);
const AA = 'ACDEFGHIKLMNPQRSTVWY';
const sequences = [
	HUMAN_INSULIN_A,
	HUMAN_INSULIN_B,
	HEN_LYSOZYME,
	'M',
	'DDDDDDDDDD', // pI below Biopython's search range
	'RRRRRRRRRR', // pI above it
	'CCCCC',
	'KVFGRCEL',
	...Array.from({ length: 300 }, () => randomSequence(rand, AA, 5 + Math.floor(rand() * 600)))
];

async function ours(pH: number) {
	const text = sequences.map((s, i) => `>s${i}\n${s}\n`).join('');
	const parsed = tool.parseInput({ text });
	if (!(parsed as { ok: boolean }).ok) throw new Error('parse failed');
	const input = (parsed as { input: any }).input;
	return tool.run(input, tool.settingsSchema.parse({ pH }), runContext());
}

describe('protein-properties vs Biopython ProteinAnalysis', () => {
	const ref = python(BIOPYTHON, sequences) as any[];

	it(`agrees on ${sequences.length} sequences (insulin, lysozyme, edge cases, random)`, async () => {
		const result = await ours(7.0);
		const at55 = await ours(5.5);
		expect(result.table.rows).toHaveLength(sequences.length);
		result.table.rows.forEach((row, i) => {
			const r = ref[i];
			const ctx = `sequence ${i} (${sequences[i].slice(0, 20)}...)`;
			expect(Math.abs((row.average_mass as number) - r.avg), ctx).toBeLessThan(0.01);
			expect(Math.abs((row.monoisotopic_mass as number) - r.mono), ctx).toBeLessThan(0.01);
			// Biopython bisects only within pH 4.05..12 (its pi() bounds); we search 0..14,
			// so outside that window we check we are on the correct side of it instead.
			if (r.pi < 4.06) expect(row.pi as number, ctx).toBeLessThanOrEqual(4.06);
			else if (r.pi > 11.99) expect(row.pi as number, ctx).toBeGreaterThanOrEqual(11.99);
			else expect(Math.abs((row.pi as number) - r.pi), ctx).toBeLessThan(0.01);
			expect(Math.abs((row.charge as number) - r.charge7), ctx).toBeLessThan(0.001);
			expect(Math.abs((at55.table.rows[i].charge as number) - r.charge5), ctx).toBeLessThan(0.001);
			expect([row.ext_coeff_reduced, row.ext_coeff_cystines], ctx).toEqual(r.ext);
			expect(Math.abs((row.instability_index as number) - r.instability), ctx).toBeLessThan(0.01);
			expect(row.stability, ctx).toBe(r.instability <= 40 ? 'stable' : 'unstable');
			expect(Math.abs((row.gravy as number) - r.gravy), ctx).toBeLessThan(0.01);
			expect(Math.abs((row.aromaticity as number) - r.aromaticity), ctx).toBeLessThan(0.01);
			for (const aa of AA) expect(Math.abs((row[`pct_${aa}`] as number) - 100 * r.percent[aa]), ctx).toBeLessThan(0.01);
			// Aliphatic index is not in Biopython: check Ikai's formula on its composition.
			const p = r.percent;
			const aliphatic = 100 * (p.A + 2.9 * p.V + 3.9 * (p.I + p.L));
			expect(Math.abs((row.aliphatic_index as number) - aliphatic), ctx).toBeLessThan(0.01);
		});
		for (let i = 0; i < Math.min(sequences.length, 200); i++) {
			const profile = result.hydropathy[i];
			expect(profile.values.length).toBe(ref[i].profile.length);
			profile.values.forEach((v, k) => expect(Math.abs(v - ref[i].profile[k])).toBeLessThan(0.001));
			if (profile.values.length) expect(profile.positions[0]).toBe(5);
		}
	});

	it('matches published ProtParam values for hen lysozyme and the N-end rule', async () => {
		const result = await ours(7.0);
		const lyso = result.table.rows[2];
		// ExPASy ProtParam, P00698 residues 19-147.
		expect(lyso.ext_coeff_cystines).toBe(37970);
		expect(lyso.ext_coeff_reduced).toBe(37470);
		expect(lyso.pi).toBeCloseTo(9.32, 2);
		expect(lyso.aliphatic_index).toBeCloseTo(65.12, 2);
		expect(lyso.half_life_mammalian).toBe('1.3 hours'); // N-terminal Lys
		expect(lyso.half_life_yeast).toBe('3 min');
		expect(lyso.half_life_ecoli).toBe('2 min');
		expect(result.table.rows[3].half_life_mammalian).toBe('30 hours'); // Met
	});

	it('reports the pI over 0-14 (insulin A chain 3.795, below Biopython’s 4.05-12 search window) and names the pH of the charge', async () => {
		const result = await ours(7.0);
		expect(result.table.rows[0].pi).toBeCloseTo(3.795, 3);
		expect(ref[0].pi).toBeCloseTo(4.05, 2);
		expect(result.table.columns.find((c) => c.key === 'charge')?.label).toBe('Net charge at pH 7.0');
		expect((await ours(5.5)).table.columns.find((c) => c.key === 'charge')?.label).toBe('Net charge at pH 5.5');
		// Composition columns read "A (%)" in the page and the CSV, not "A % (%)".
		expect(result.table.columns.find((c) => c.key === 'pct_A')).toMatchObject({ label: 'A', unit: '%' });
	});
});

describe('protein-properties with selenocysteine (U) and pyrrolysine (O), vs Biopython', () => {
	const withSecPyl = ['MKUVOAC', 'UGRKD', 'OKTAYIAKQRQISFVKSHFSRQ', `${HUMAN_INSULIN_A}U`, 'AUUOOW'];
	const ref = python(BIOPYTHON_SEC_PYL, withSecPyl) as any[];

	it('accepts them with Biopython’s masses and charges, and leaves out what has no published scale for them', async () => {
		const parsed = tool.parseInput({ text: withSecPyl.map((s, i) => `>u${i}\n${s}\n`).join('') });
		if (!(parsed as { ok: boolean }).ok) throw new Error(JSON.stringify(parsed));
		const result = await tool.run((parsed as { input: any }).input, tool.settingsSchema.parse({ hydropathyWindow: 3 }), runContext());
		expect(result.table.columns.slice(-2).map((c) => c.key)).toEqual(['pct_U', 'pct_O']);
		result.table.rows.forEach((row, i) => {
			const r = ref[i];
			const ctx = withSecPyl[i];
			expect(Math.abs((row.average_mass as number) - r.avg), ctx).toBeLessThan(0.001);
			expect(Math.abs((row.monoisotopic_mass as number) - r.mono), ctx).toBeLessThan(0.001);
			expect(Math.abs((row.charge as number) - r.charge7), ctx).toBeLessThan(0.001);
			if (r.pi > 4.06 && r.pi < 11.99) expect(Math.abs((row.pi as number) - r.pi), ctx).toBeLessThan(0.01);
			expect([row.ext_coeff_reduced, row.ext_coeff_cystines], ctx).toEqual(r.ext);
			expect(Math.abs((row.aromaticity as number) - r.aromaticity), ctx).toBeLessThan(0.001);
			for (const aa of 'ACDEFGHIKLMNPQRSTVWY') expect(Math.abs((row[`pct_${aa}`] as number) - 100 * r.percent[aa]), ctx).toBeLessThan(0.01);
			expect(row.pct_U, ctx).toBeCloseTo((100 * [...ctx].filter((c) => c === 'U').length) / ctx.length, 2);
			expect(row.pct_O, ctx).toBeCloseTo((100 * [...ctx].filter((c) => c === 'O').length) / ctx.length, 2);
			// Biopython raises KeyError for these: the scales have no U or O.
			expect(r.instability, ctx).toBe('KeyError');
			expect(r.gravy, ctx).toBe('KeyError');
			expect([row.instability_index, row.stability, row.gravy], ctx).toEqual([null, null, null]);
		});
		expect(result.table.rows[1].half_life_mammalian).toBeNull();
		// Hydropathy windows (3 residues) that hold U or O are left out.
		expect(result.hydropathy[0]).toMatchObject({ positions: [], values: [] });
		expect(result.hydropathy[3].positions).toEqual(Array.from({ length: HUMAN_INSULIN_A.length - 2 }, (_, k) => k + 2));
	});

	it('still refuses the ambiguity codes X, B and Z, naming the position', () => {
		expect(tool.parseInput({ text: '>x\nMKUVXA\n>b\nBAA\n>z\nAAZ\n' })).toEqual({
			ok: false,
			errors: [
				{ record: 'x', position: 5, message: "'X' is an ambiguous residue; properties need one of the 20 standard amino acids, U (selenocysteine) or O (pyrrolysine)" },
				{ record: 'b', position: 1, message: "'B' is an ambiguous residue; properties need one of the 20 standard amino acids, U (selenocysteine) or O (pyrrolysine)" },
				{ record: 'z', position: 3, message: "'Z' is an ambiguous residue; properties need one of the 20 standard amino acids, U (selenocysteine) or O (pyrrolysine)" }
			]
		});
	});
});

describe('protein-properties hydropathy.csv', () => {
	it('escapes a sequence id a spreadsheet would run as a formula, and keeps negative hydropathy values numbers', async () => {
		const parsed = await tool.parseInput({ text: `>=HYPERLINK("http://x.example")\n${HEN_LYSOZYME}\n` });
		if (!parsed.ok) throw new Error(JSON.stringify(parsed.errors));
		const written: Record<string, string> = {};
		const ctx = { ...runContext(), writeFile: async (name: string, _type: string, content: string | Uint8Array) => void (written[name] = String(content)) };
		await tool.run(parsed.input, tool.settingsSchema.parse({}), ctx);
		const [header, ...rows] = written['hydropathy.csv'].trimEnd().split('\r\n');
		expect(header).toBe('id,position,hydropathy');
		for (const row of rows) expect(row).toMatch(/^"'=HYPERLINK\(""http:\/\/x\.example""\)",\d+,-?\d/);
		expect(rows.some((row) => /,-\d+(\.\d+)?$/.test(row))).toBe(true);
	});
});
