// gpu-selftest, worker part: run() and the attention layer it computes.
import { requireValidSequences } from '../parse/sequences-input.ts';
import { checkAborted, yieldToEventLoop, type ToolWorker } from '../types.ts';
import { EMBEDDING_DIM, MIN_PAIR_SEPARATION, selfAttention } from './attention.ts';
import { fastaOptions, MAX_DEVIATION, type GpuSelftestInput, type GpuSelftestResult, type GpuSelftestSettings } from './index.ts';
import { count } from '#lib/ui/plural.ts';

export const gpuSelftestWorker: ToolWorker<GpuSelftestInput, GpuSelftestSettings, GpuSelftestResult> = {
	async run(input, _settings, ctx) {
		requireValidSequences(input.sequences, fastaOptions);
		const totalWork = input.sequences.reduce((n, s) => n + s.sequence.length ** 2, 0);
		let workDone = 0;
		const rows = [];
		for (const record of input.sequences) {
			checkAborted(ctx.signal);
			const started = performance.now();
			const summary = await selfAttention(record.sequence, async (rowsDone) => {
				ctx.progress((100 * (workDone + rowsDone * record.sequence.length)) / totalWork, `Attention over ${record.id}`);
				await yieldToEventLoop();
				checkAborted(ctx.signal);
			});
			const seconds = (performance.now() - started) / 1000;
			workDone += record.sequence.length ** 2;
			rows.push({
				id: record.id,
				length: summary.length,
				gflop: summary.flops / 1e9,
				seconds,
				gflops: seconds > 0 ? summary.flops / 1e9 / seconds : null,
				top_pair: summary.topPair ? `${summary.topPair.i}-${summary.topPair.j}` : null,
				top_weight: summary.topPair?.weight ?? null,
				mean_entropy: summary.meanEntropy,
				checksum: summary.checksum,
				verified: summary.maxDeviation <= MAX_DEVIATION
			});
		}
		ctx.progress(100, `${rows.length} of ${count(rows.length, 'sequence')}`);
		return {
			// The worker runs this in Node, which has no GPU compute binding yet; a GPU runtime reports its device here.
			device: 'cpu',
			embeddingDim: EMBEDDING_DIM,
			table: {
				columns: [
					{ key: 'id', label: 'Sequence', type: 'string' },
					{ key: 'length', label: 'Length', type: 'integer', unit: 'residues' },
					{ key: 'gflop', label: 'Work', type: 'number', unit: 'GFLOP' },
					{ key: 'seconds', label: 'Time', type: 'number', unit: 's' },
					{ key: 'gflops', label: 'Throughput', type: 'number', unit: 'GFLOP/s' },
					{ key: 'top_pair', label: `Strongest pair (|i-j| >= ${MIN_PAIR_SEPARATION})`, type: 'string' },
					{ key: 'top_weight', label: 'Pair weight', type: 'number' },
					{ key: 'mean_entropy', label: 'Mean attention entropy', type: 'number', unit: 'nats' },
					{ key: 'checksum', label: 'Checksum', type: 'number' },
					{ key: 'verified', label: 'Verified', type: 'boolean' }
				],
				rows
			}
		};
	}
};
