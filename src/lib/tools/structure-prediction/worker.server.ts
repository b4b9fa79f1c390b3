// structure-prediction, worker part: run() asks the model server the worker
// is configured with (service.server.ts) to fold each sequence.
import { requireValidSequences } from '../parse/sequences-input.ts';
import { checkAborted, type ToolWorker } from '../types.ts';
import { fastaOptions, type PlddtTrack, type StructurePredictionInput, type StructurePredictionResult, type StructurePredictionSettings } from './index.ts';
import { confidentFraction, CONFIDENT_PLDDT, meanPlddt, readPlddt } from './pdb.ts';
import { foldSequence, modelServerVersion, serviceConfigFromEnv, type EsmfoldServiceConfig } from './service.server.ts';
import { count } from '#lib/ui/plural.ts';

/** A file name the worker accepts (no / or \), unique within the job. */
function pdbFileName(id: string, taken: Set<string>): string {
	const base = id.replace(/[^A-Za-z0-9._-]+/g, '_').replace(/^[._]+/, '').slice(0, 200) || 'structure';
	let name = `${base}.pdb`;
	for (let n = 2; taken.has(name); n++) name = `${base}_${n}.pdb`;
	taken.add(name);
	return name;
}

const round = (value: number, digits: number) => Math.round(value * 10 ** digits) / 10 ** digits;

/** `config` is read from the worker's environment unless given (tests). */
export function createStructurePredictionWorker(
	config: () => EsmfoldServiceConfig = () => serviceConfigFromEnv()
): ToolWorker<StructurePredictionInput, StructurePredictionSettings, StructurePredictionResult> {
	return {
		// A GPU worker without a model server configured does not take these jobs; they wait for one that has.
		async checkAvailable() {
			try {
				config();
				return null;
			} catch (error) {
				return error instanceof Error ? error.message : String(error);
			}
		},
		async programVersions() {
			return { 'ESMFold server': await modelServerVersion(config()) };
		},
		async run(input, _settings, ctx) {
			requireValidSequences(input.sequences, fastaOptions);
			const service = config();
			const total = input.sequences.length;
			const names = new Set<string>();
			const rows = [];
			const plddt: PlddtTrack[] = [];
			for (const [index, record] of input.sequences.entries()) {
				checkAborted(ctx.signal);
				ctx.progress((100 * index) / total, `Folding ${record.id} (${index + 1} of ${total})`);
				const pdb = await foldSequence(service, record.id, record.sequence, ctx.signal);
				const profile = readPlddt(pdb);
				if (profile.residues.length !== record.sequence.length) {
					throw new Error(`structure service returned ${count(profile.residues.length, 'residue')} for '${record.id}' (${count(record.sequence.length, 'residue')})`);
				}
				const raw = profile.residues.map((r) => r.plddt);
				const values = raw.map((v) => round(v, 2));
				let file: string | null = null;
				if (ctx.writeFile) {
					file = pdbFileName(record.id, names);
					await ctx.writeFile(file, 'chemical/x-pdb', pdb);
				}
				rows.push({
					id: record.id,
					length: record.sequence.length,
					mean_plddt: round(meanPlddt(raw), 2),
					confident_fraction: round(confidentFraction(raw), 4),
					file
				});
				plddt.push({ id: record.id, plddt: values });
			}
			ctx.progress(100, `${total} of ${count(total, 'sequence')}`);
			return {
				plddt,
				table: {
					columns: [
						{ key: 'id', label: 'Sequence', type: 'string' },
						{ key: 'length', label: 'Length', type: 'integer', unit: 'residues' },
						{ key: 'mean_plddt', label: 'Mean pLDDT', type: 'number' },
						{ key: 'confident_fraction', label: `Residues with pLDDT >= ${CONFIDENT_PLDDT}`, type: 'number', unit: 'fraction' },
						{ key: 'file', label: 'Structure file', type: 'string' }
					],
					rows
				}
			};
		}
	};
}
