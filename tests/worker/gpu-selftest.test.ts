// The GPU self-test tool's run function: real, checkable work.
import { describe, expect, it } from 'vitest';
import { embed, EMBEDDING_DIM, selfAttention } from '../../src/lib/tools/gpu-selftest/attention.ts';
import { gpuSelftestTool } from '../../src/lib/tools/runners.server.ts';
import { ToolInputError } from '../../src/lib/tools/types.ts';
import { HEN_LYSOZYME } from '#lib/tools/well-known-sequences.ts';

const noop = async () => {};

function context(signal = new AbortController().signal) {
	const progress: number[] = [];
	return { ctx: { signal, progress: (pct: number) => progress.push(pct) }, progress };
}

describe('gpu-selftest', () => {
	it('agrees with its independent recomputation and gives the same checksum every run', async () => {
		const a = await selfAttention(HEN_LYSOZYME, noop);
		const b = await selfAttention(HEN_LYSOZYME, noop);
		expect(a.maxDeviation).toBeLessThan(1e-12);
		expect(a.checksum).toBe(b.checksum);
		expect(a.flops).toBe(4 * 129 * 129 * EMBEDDING_DIM);
		// Attention rows are distributions over 129 residues: entropy between 0 and ln 129.
		expect(a.meanEntropy).toBeGreaterThan(0);
		expect(a.meanEntropy).toBeLessThanOrEqual(Math.log(129));
		expect(a.topPair!.j - a.topPair!.i).toBeGreaterThanOrEqual(6);
	});

	it('returns its own embedding for a single residue (it can only attend to itself)', async () => {
		const one = await selfAttention('W', noop);
		const x = embed('W');
		expect(one.meanEntropy).toBe(0);
		expect(one.checksum).toBeCloseTo(x.reduce((s, v) => s + v, 0), 12);
	});

	it('reports a verified row per sequence, with progress up to 100%', async () => {
		const { ctx, progress } = context();
		const result = await gpuSelftestTool.run({ sequences: [{ id: 'LYSC', sequence: HEN_LYSOZYME }, { id: 'INS_A', sequence: 'GIVEQCCTSICSLYQLENYCN' }] }, {}, ctx);
		expect(result.table.rows.map((r) => [r.id, r.length, r.verified])).toEqual([
			['LYSC', 129, true],
			['INS_A', 21, true]
		]);
		expect(progress.at(-1)).toBe(100);
		expect(result.table.columns.map((c) => c.key)).toEqual(Object.keys(result.table.rows[0]));
	});

	it('refuses a sequence with a non-standard residue, naming the record and position', async () => {
		const { ctx } = context();
		const run = gpuSelftestTool.run({ sequences: [{ id: 'bad', sequence: 'ACDJ' }] }, {}, ctx);
		await expect(run).rejects.toBeInstanceOf(ToolInputError);
		await expect(run).rejects.toThrow(/record 'bad', position 4: 'J'/);
	});

	it('stops when its signal is aborted', async () => {
		const controller = new AbortController();
		controller.abort(new Error('cancelled'));
		const { ctx } = context(controller.signal);
		await expect(gpuSelftestTool.run({ sequences: [{ id: 'LYSC', sequence: HEN_LYSOZYME.repeat(10) }] }, {}, ctx)).rejects.toThrow('cancelled');
	});
});
