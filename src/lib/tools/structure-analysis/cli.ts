// Structure analysis of PDB/mmCIF files as a one-shot command; writes the
// result document a job stores, as JSON, and its FASTA export next to it.
//   node src/lib/tools/structure-analysis/cli.ts [--no-dssp] in.pdb [more.cif ...] [-o out.json]
// Prints one line of JSON to stderr: run time, CPU time of the whole process and peak memory (max RSS).
// bench/structure-analysis.ts times it (built to one JavaScript file) against Biopython.
import { readFileSync, writeFileSync } from 'node:fs';
import { ToolInputError } from '../types.ts';
import { structureAnalysisSpec as spec, structuresFromFiles } from './index.ts';
import { structureAnalysisWorker as worker } from './worker.server.ts';

const args = process.argv.slice(2);
const noDssp = args.includes('--no-dssp');
const o = args.indexOf('-o');
const outFile = o >= 0 ? args[o + 1] : undefined;
const inFiles = args.filter((a, i) => !a.startsWith('-') && (o < 0 || i !== o + 1));
if (inFiles.length === 0) {
	process.stderr.write('usage: cli.ts [--no-dssp] in.pdb [more.cif ...] [-o out.json]\n');
	process.exit(2);
}
const start = performance.now();
// As a worker runs a job: run() reads and checks the input itself.
const input = { structures: structuresFromFiles(inFiles.map((name) => ({ name, text: readFileSync(name, 'utf8') }))) };
let fasta = '';
const result = await worker
	.run(input, spec.settingsSchema.parse({ secondaryStructure: !noDssp }), {
		signal: new AbortController().signal,
		progress() {},
		async writeFile(_name, _type, content) {
			fasta = String(content);
		}
	})
	.catch((err: unknown) => {
		if (!(err instanceof ToolInputError)) throw err;
		process.stderr.write(err.message + '\n');
		process.exit(1);
	});
const json = JSON.stringify(result);
if (outFile) {
	writeFileSync(outFile, json);
	writeFileSync(outFile.replace(/(\.json)?$/, '.fasta'), fasta);
} else process.stdout.write(json);
const usage = process.resourceUsage();
const cpuSeconds = (usage.userCPUTime + usage.systemCPUTime) / 1e6;
process.stderr.write(JSON.stringify({ seconds: (performance.now() - start) / 1000, cpuSeconds, maxRssKiB: usage.maxRSS }) + '\n');
