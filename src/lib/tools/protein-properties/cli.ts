// Protein properties of a FASTA file as a one-shot command, with the tool's
// default settings; writes the result document a job stores, as JSON.
//   node src/lib/tools/protein-properties/cli.ts proteins.fa [out.json]
// bench/tools.ts times it (built to one JavaScript file) against Biopython.
import { readFileSync, writeFileSync } from 'node:fs';
import type { InputIssue } from '../types.ts';
import { proteinPropertiesSpec as spec } from './index.ts';
import { proteinPropertiesWorker as worker } from './worker.server.ts';

const [inFile, outFile] = process.argv.slice(2);
if (!inFile) {
	process.stderr.write('usage: cli.ts proteins.fa [out.json]\n');
	process.exit(2);
}
const parsed = await spec.parseInput({ text: readFileSync(inFile, 'utf8') });
if (!parsed.ok) {
	const where = (i: InputIssue) => [i.record, i.line && `line ${i.line}`, i.position && `position ${i.position}`].filter(Boolean).join(', ');
	process.stderr.write(parsed.errors.map((i) => `${inFile}: ${where(i)}${where(i) ? ': ' : ''}${i.message}`).join('\n') + '\n');
	process.exit(1);
}
const result = await worker.run(parsed.input, spec.settingsSchema.parse({}), { signal: new AbortController().signal, progress() {} });
const json = JSON.stringify(result);
if (outFile) writeFileSync(outFile, json);
else process.stdout.write(json);
