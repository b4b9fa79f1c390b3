// structure-prediction against a stand-in for an ESMFold server
// (tests/fixtures/esmfold-standin.ts): fixed helices and a fixed pLDDT curve,
// so what the tool reports can be checked exactly. The model itself is not
// exercised here.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createStructurePredictionTool } from '#lib/tools/runners.server.ts';
import { MAX_PREDICTION_LENGTH } from '#lib/tools/structure-prediction/index.ts';
import { readPlddt } from '#lib/tools/structure-prediction/pdb.ts';
import { foldSequence, foldSequenceUrl, serviceConfigFromEnv, type EsmfoldServiceConfig } from '#lib/tools/structure-prediction/service.server.ts';
import { ToolInputError, TransientToolError, type RunContext } from '#lib/tools/types.ts';
import { helixPdb, standinPlddt, startEsmfoldStandin, type EsmfoldStandin } from '../../fixtures/esmfold-standin.ts';

const HP35 = 'LSDEDFKAVFGMTRSAFANLPLWKQQNLKKEKGLF';
const INSULIN_B = 'FVNQHLCGSHLVEALYLVCGERGFFYTPKT';

let standin: EsmfoldStandin;
let config: EsmfoldServiceConfig;
const tool = createStructurePredictionTool(() => config);

interface Recorded {
	ctx: RunContext;
	files: Array<{ name: string; mediaType: string; content: string }>;
	progress: Array<[number, string | undefined]>;
}

function recordingContext(signal = new AbortController().signal): Recorded {
	const rec: Recorded = {
		files: [],
		progress: [],
		ctx: {
			signal,
			progress: (pct, message) => rec.progress.push([pct, message]),
			writeFile: async (name, mediaType, content) => {
				rec.files.push({ name, mediaType, content: String(content) });
			}
		}
	};
	return rec;
}

function input(...records: Array<[string, string]>) {
	return { sequences: records.map(([id, sequence]) => ({ id, sequence })) };
}

const mean = (values: number[]) => values.reduce((s, v) => s + v, 0) / values.length;

/** Polls a condition until a deadline: the server sees a dropped connection a moment after the client drops it. */
async function eventually(condition: () => boolean, ms = 2_000): Promise<void> {
	const deadline = performance.now() + ms;
	while (!condition()) {
		if (performance.now() > deadline) throw new Error('condition not met in time');
		await new Promise((resolve) => setTimeout(resolve, 10));
	}
}

beforeAll(async () => {
	standin = await startEsmfoldStandin({ maxLength: 50 });
});
afterAll(async () => {
	await standin.close();
});
afterEach(() => {
	standin.mode = 'fold';
});

describe('structure-prediction', () => {
	it('folds each sequence, writes its PDB and reports pLDDT on the 0-100 scale', async () => {
		config = { url: standin.url, requestTimeoutMs: 5_000 };
		const rec = recordingContext();
		const result = await tool.run(input(['HP35', HP35], ['ins/B chain', INSULIN_B]), {}, rec.ctx);

		expect(standin.received).toEqual(expect.arrayContaining([HP35, INSULIN_B]));
		expect(result.table.columns.map((c) => c.key)).toEqual(['id', 'length', 'mean_plddt', 'confident_fraction', 'file']);
		for (const [row, [id, sequence]] of [
			[result.table.rows[0], ['HP35', HP35]],
			[result.table.rows[1], ['ins/B chain', INSULIN_B]]
		] as const) {
			const expected = standinPlddt(sequence.length);
			expect(row.id).toBe(id);
			expect(row.length).toBe(sequence.length);
			expect(row.mean_plddt).toBeCloseTo(mean(expected), 2);
			expect(row.confident_fraction).toBeCloseTo(expected.filter((v) => v >= 70).length / sequence.length, 4);
			expect(result.plddt.find((t) => t.id === id)?.plddt).toEqual(expected);
		}
		// A file name the worker accepts: no slash.
		expect(rec.files.map((f) => f.name)).toEqual(['HP35.pdb', 'ins_B_chain.pdb']);
		expect(result.table.rows.map((r) => r.file)).toEqual(['HP35.pdb', 'ins_B_chain.pdb']);
		expect(rec.files[0].mediaType).toBe('chemical/x-pdb');
		expect(rec.files[0].content).toBe(helixPdb(HP35, '0-1'));
		expect(rec.progress.map(([pct]) => pct)).toEqual([0, 50, 100]);
		expect(rec.progress[1][1]).toContain('ins/B chain');
	});

	it('reads pLDDT written on either scale the same way', () => {
		const fraction = readPlddt(helixPdb(HP35, '0-1'));
		const percent = readPlddt(helixPdb(HP35, '0-100'));
		expect(fraction.scale).toBe('0-1');
		expect(percent.scale).toBe('0-100');
		expect(fraction.residues.map((r) => Math.round(r.plddt * 100) / 100)).toEqual(standinPlddt(HP35.length));
		expect(percent.residues.map((r) => r.plddt)).toEqual(standinPlddt(HP35.length));
		expect(percent.residues[0]).toMatchObject({ chain: 'A', residue: '1', resName: 'LEU' });
	});

	it("surfaces the service's refusal (4xx) as an input error naming the record", async () => {
		config = { url: standin.url, requestTimeoutMs: 5_000 };
		const tooLong = 'A'.repeat(60);
		const error = await tool.run(input(['long one', tooLong]), {}, recordingContext().ctx).catch((e: unknown) => e);
		expect(error).toBeInstanceOf(ToolInputError);
		expect((error as Error).message).toBe(
			"record 'long one': the structure service refused this sequence (400): Sequence too long: 60 residues, the maximum is 50"
		);
		// A JSON reason is unwrapped.
		const letters = await foldSequence(config, 'odd', 'ACDXZ', new AbortController().signal).catch((e: unknown) => e);
		expect(letters).toBeInstanceOf(ToolInputError);
		expect((letters as Error).message).toContain('(400): Invalid sequence: only the 20 standard amino acids are accepted');
	});

	it('reports a server fault (5xx) or an unreachable server as transient', async () => {
		config = { url: standin.url, requestTimeoutMs: 5_000 };
		standin.mode = 'unavailable';
		const error = await tool.run(input(['HP35', HP35]), {}, recordingContext().ctx).catch((e: unknown) => e);
		expect(error).toBeInstanceOf(TransientToolError);
		expect((error as Error).name).toBe('TransientToolError');
		expect((error as Error).message).toBe("structure service answered 503 for 'HP35': model is loading, try again later");

		config = { url: 'http://127.0.0.1:1', requestTimeoutMs: 5_000 };
		const unreachable = await tool.run(input(['HP35', HP35]), {}, recordingContext().ctx).catch((e: unknown) => e);
		expect(unreachable).toBeInstanceOf(TransientToolError);
		expect((unreachable as Error).message).toMatch(/could not be reached/);
	});

	it('gives up on a request after the timeout, as a transient fault', async () => {
		config = { url: standin.url, requestTimeoutMs: 300 };
		standin.mode = 'hang';
		const before = standin.abandoned;
		const started = performance.now();
		const error = await tool.run(input(['HP35', HP35]), {}, recordingContext().ctx).catch((e: unknown) => e);
		expect(performance.now() - started).toBeLessThan(3_000);
		expect(error).toBeInstanceOf(TransientToolError);
		expect((error as Error).message).toBe("structure service gave no answer for 'HP35' within 0.3 s");
		await eventually(() => standin.abandoned === before + 1);
	});

	it('stops the request at once when the job is aborted, throwing the abort reason', async () => {
		config = { url: standin.url, requestTimeoutMs: 60_000 };
		standin.mode = 'hang';
		const before = standin.abandoned;
		const controller = new AbortController();
		const rec = recordingContext(controller.signal);
		const running = tool.run(input(['HP35', HP35], ['B', INSULIN_B]), {}, rec.ctx);
		await standin.nextRequest();
		const reason = new Error('run stopped: cancelled');
		controller.abort(reason);
		await expect(running).rejects.toBe(reason);
		await eventually(() => standin.abandoned === before + 1);
		expect(rec.files).toEqual([]);
	});

	it('refuses sequences over the length limit, non-standard letters and too many records before calling the service', async () => {
		config = { url: standin.url, requestTimeoutMs: 5_000 };
		const calls = standin.received.length;
		const long = await tool.parseInput({ text: `>big\n${'A'.repeat(MAX_PREDICTION_LENGTH + 1)}\n` });
		expect(long.ok).toBe(false);
		if (!long.ok) expect(long.errors[0].message).toBe(`${(MAX_PREDICTION_LENGTH + 1).toLocaleString('en')} residues; at most ${MAX_PREDICTION_LENGTH.toLocaleString('en')} are accepted`);
		const ok = await tool.parseInput({ text: `>fine\n${HP35}\n` });
		expect(ok.ok).toBe(true);

		await expect(tool.run(input(['x', 'ACDXA']), {}, recordingContext().ctx)).rejects.toBeInstanceOf(ToolInputError);
		await expect(tool.run(input(['big', 'A'.repeat(MAX_PREDICTION_LENGTH + 1)]), {}, recordingContext().ctx)).rejects.toThrow(/at most 1,000 are accepted/);
		const many = input(...Array.from({ length: tool.catalog.maxItems + 1 }, (_, i): [string, string] => [`s${i}`, HP35]));
		expect(tool.inputSchema.safeParse(many).success).toBe(false);
		expect(standin.received.length).toBe(calls);
	});

	it('reads its service address from the environment, with a clear error when it is missing', () => {
		expect(() => serviceConfigFromEnv({})).toThrow(/ESMFOLD_URL is not set/);
		expect(() => serviceConfigFromEnv({ ESMFOLD_URL: 'esmfold:8000' })).toThrow(/ESMFOLD_URL must be an http\(s\) address/);
		expect(serviceConfigFromEnv({ ESMFOLD_URL: 'http://gpu-box:8000/esm', ESMFOLD_TIMEOUT_SECONDS: '90' })).toEqual({
			url: 'http://gpu-box:8000/esm',
			requestTimeoutMs: 90_000
		});
		expect(serviceConfigFromEnv({ ESMFOLD_URL: 'https://api.esmatlas.com' }).requestTimeoutMs).toBe(600_000);
		expect(foldSequenceUrl('http://gpu-box:8000/esm')).toBe('http://gpu-box:8000/esm/foldSequence/v1/pdb/');
		expect(foldSequenceUrl('https://api.esmatlas.com/')).toBe('https://api.esmatlas.com/foldSequence/v1/pdb/');
	});

	it('is unavailable on a worker without a server address, so its jobs wait rather than fail', async () => {
		const without = createStructurePredictionTool(() => serviceConfigFromEnv({}));
		expect(await without.checkAvailable?.()).toMatch(/ESMFOLD_URL is not set/);
		const wrong = createStructurePredictionTool(() => serviceConfigFromEnv({ ESMFOLD_URL: 'esmfold:8000' }));
		expect(await wrong.checkAvailable?.()).toMatch(/must be an http\(s\) address/);
		const configured = createStructurePredictionTool(() => serviceConfigFromEnv({ ESMFOLD_URL: 'http://gpu-box:8000' }));
		expect(await configured.checkAvailable?.()).toBeNull();
	});
});
