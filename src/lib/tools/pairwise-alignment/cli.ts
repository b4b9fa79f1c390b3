// Global alignment of two FASTA files as a one-shot command, like EMBOSS
// needle with its defaults (EBLOSUM62, gap open 10, extend 0.5, free end gaps):
//   node src/lib/tools/pairwise-alignment/cli.ts query.fa target.fa [out.txt]
// It runs the tool's own per-pair path (parse FASTA, align, count, pair
// format) and imports nothing else (no zod, no catalog), so a fresh process
// loads only what one alignment needs. bench/tools.ts times it against needle.
import { readFileSync, writeFileSync } from 'node:fs';
import { matrixAlphabet } from '../parse/alphabets.ts';
import { parseFasta, type FastaOptions } from '../parse/fasta.ts';
import { alignPair, encodeSequence, prepareMatrix, type AlignSettings } from './align-pair.ts';
import { BLOSUM62 } from './matrices/blosum62.ts';

const [queryFile, targetFile, outFile] = process.argv.slice(2);
if (!queryFile || !targetFile) {
	process.stderr.write('usage: cli.ts query.fa target.fa [out.txt]\n');
	process.exit(2);
}
const options: FastaOptions = { alphabet: matrixAlphabet(BLOSUM62.letters, false), maxRecords: 1, maxLength: 20_000 };
const read = (file: string) => {
	const { records, issues } = parseFasta(readFileSync(file, 'utf8'), options);
	if (issues.length) {
		process.stderr.write(`${file}:\n${issues.map((i) => (i.record ? `${i.record}: ${i.message}` : i.message)).join('\n')}\n`);
		process.exit(1);
	}
	return records[0];
};
const query = read(queryFile);
const target = read(targetFile);
const matrix = prepareMatrix(BLOSUM62);
const settings: AlignSettings = { mode: 'global', gapOpen: 10, gapExtend: 0.5, endGapPenalties: false, endGapOpen: 10, endGapExtend: 0.5 };
const { pair } = alignPair({ id: query.id, codes: encodeSequence(query.sequence, matrix) }, target, matrix, settings);
if (outFile) writeFileSync(outFile, pair);
else process.stdout.write(pair);
