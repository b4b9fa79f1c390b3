// Tools benchmark: `npm run bench:tools`. Each comparison runs both
// programs as whole processes (start-up included) on the same input, several
// times in this one run, and prints medians and ratios.
//   protein-properties, 10,000 x 300 residues   vs Biopython ProteinAnalysis
//   global alignment, two 1,000-residue proteins vs EMBOSS needle
//   molecule-properties, 1,000 drug-like SMILES: molecules/s and peak memory
//   structure-analysis, a 10,000-residue structure vs Biopython's PDB module (bench/structure-analysis.ts)
//   docking, one ligand at exhaustiveness 8      vs the same vina command alone (bench/docking.ts)
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { benchDocking } from './docking.ts';
import { alternate, bundleCli, median } from './measure.ts';
import { benchStructureAnalysis } from './structure-analysis.ts';

const PYTHON = '/usr/bin/python3';
const self = new URL(import.meta.url).pathname;
// Our one-shot aligner: the tool's per-pair path, nothing else loaded.
const alignCli = new URL('../src/lib/tools/pairwise-alignment/cli.ts', import.meta.url).pathname;
const proteinCli = new URL('../src/lib/tools/protein-properties/cli.ts', import.meta.url).pathname;
const runs = Number(process.env.BENCH_RUNS ?? 5);

// --- child mode: run one tool on a file and exit -----------------------------
if (process.argv[2] === '--child') {
	const [task, file] = process.argv.slice(3);
	const ctx = { signal: new AbortController().signal, progress() {} };
	if (task === 'molecules') {
		const { moleculePropertiesTool: t } = await import('../src/lib/tools/runners.server.ts');
		const parsed = await t.parseInput({ text: readFileSync(file, 'utf8') });
		if (!('input' in parsed)) throw new Error(JSON.stringify((parsed as { errors: unknown }).errors).slice(0, 500));
		const start = performance.now();
		const r = await t.run(parsed.input, t.settingsSchema.parse({}), ctx);
		const seconds = (performance.now() - start) / 1000;
		process.stdout.write(JSON.stringify({ n: r.table.rows.length, seconds, maxRssKiB: process.resourceUsage().maxRSS }) + '\n');
	}
	process.exit(0);
}

// --- inputs -------------------------------------------------------------------
let seed = 12345;
const rand = () => {
	seed = (seed * 1103515245 + 12345) & 0x7fffffff;
	return seed / 0x7fffffff;
};
const randomProtein = (n: number) => Array.from({ length: n }, () => 'ACDEFGHIKLMNPQRSTVWY'[Math.floor(rand() * 20)]).join('');
const dir = mkdtempSync(join(tmpdir(), 'foldwork-bench-'));
const proteinFile = join(dir, 'proteins.fa');
writeFileSync(proteinFile, Array.from({ length: 10_000 }, (_, i) => `>p${i}\n${randomProtein(300)}\n`).join(''));
const queryFile = join(dir, 'query.fa');
const targetFile = join(dir, 'target.fa');
const query = randomProtein(1000);
// A relative of the query, so the alignment is a realistic one.
const target = [...query].map((c) => (rand() < 0.3 ? randomProtein(1) : c)).join('');
writeFileSync(queryFile, `>query\n${query}\n`);
writeFileSync(targetFile, `>target\n${target}\n`);
const amines = ['C', 'CC', 'CCC', 'CC(C)', 'C1CC1', 'C1CCCC1', 'C1CCCCC1', 'Cc1ccccc1', 'CCO', 'CCN(C)C', 'CCOC', 'c1ccncc1', 'Cc1ccco1', 'CC(C)(C)', 'CCCC', 'C1CCOCC1', 'CCc1ccccc1', 'Cc1cccnc1', 'CC(F)(F)F', 'CCS(C)(=O)=O'];
const subs = ['F', 'Cl', 'Br', 'C', 'OC', 'C(F)(F)F', 'N', 'O', 'C#N', 'N(C)C', 'S(N)(=O)=O', 'C(=O)O', 'C(N)=O', 'OC(F)(F)F', 'CC', 'c1ccccc1', 'N1CCOCC1', 'N1CCNCC1', 'C1CC1', '[N+](=O)[O-]', 'OCC', 'SC', 'C(C)=O', 'NC(C)=O', 'c1ccncc1'];
const molecules: string[] = [];
for (const a of amines) for (const s of subs) for (const ring of ['cc1', 'nc1']) if (molecules.length < 1000) molecules.push(`O=C(N${a})c1ccc(${s})${ring} m${molecules.length}`);
const moleculeFile = join(dir, 'molecules.smi');
writeFileSync(moleculeFile, molecules.join('\n') + '\n');

const BIOPYTHON = `
import sys
from Bio import SeqIO
from Bio.SeqUtils.ProtParam import ProteinAnalysis
from Bio.SeqUtils.ProtParamData import kd
n = 0
for rec in SeqIO.parse(sys.argv[1], "fasta"):
    s = str(rec.seq)
    a = ProteinAnalysis(s)
    a.molecular_weight(); ProteinAnalysis(s, monoisotopic=True).molecular_weight()
    a.isoelectric_point(); a.charge_at_pH(7.0); a.molar_extinction_coefficient()
    a.instability_index(); a.gravy(); a.aromaticity(); a.get_amino_acids_percent()
    a.protein_scale(kd, 9)
    n += 1
print(n)
`;

// --- measurement ----------------------------------------------------------------
function time(cmd: string, args: string[]): { seconds: number; stdout: string } {
	const start = process.hrtime.bigint();
	const r = spawnSync(cmd, args, { maxBuffer: 512 * 1024 * 1024 });
	const seconds = Number(process.hrtime.bigint() - start) / 1e9;
	if (r.status !== 0) throw new Error(`${cmd} failed: ${r.stderr.toString().slice(0, 2000)}`);
	return { seconds, stdout: r.stdout.toString() };
}
function compare(label: string, ours: () => number, theirs: () => number, theirsName: string) {
	const { ours: a, theirs: b } = alternate(runs, ours, theirs);
	const ma = median(a);
	const mb = median(b);
	console.log(`${label}\n  Foldwork      median ${ma.toFixed(3)} s  (runs: ${a.map((x) => x.toFixed(3)).join(', ')})`);
	console.log(`  ${theirsName.padEnd(13)} median ${mb.toFixed(3)} s  (runs: ${b.map((x) => x.toFixed(3)).join(', ')})`);
	console.log(`  ratio ${theirsName}/Foldwork = ${(mb / ma).toFixed(2)}x\n`);
	return { ours: ma, theirs: mb };
}

// needle is a compiled program; our aligner ships as plain JavaScript the same
// way (one bundled file, types stripped at build time, not at every start).
// Running cli.ts directly also pays ~0.1 s for Node's TypeScript loader; that
// figure is printed too.
const buildCli = (entry: string, name: string) => bundleCli(entry, join(dir, name), name);

try {
	console.log(`bench:tools (${runs} runs each, whole processes, node ${process.version})\n`);
	const alignJs = await buildCli(alignCli, 'align');
	const proteinJs = await buildCli(proteinCli, 'protein');
	const protein = compare(
		'protein-properties: 10,000 sequences x 300 residues',
		() => time(process.execPath, [proteinJs, proteinFile, join(dir, 'proteins.json')]).seconds,
		() => time(PYTHON, ['-c', BIOPYTHON, proteinFile]).seconds,
		'Biopython'
	);
	const needle = compare(
		'global alignment: 1,000 x 1,000 residues, BLOSUM62 10/0.5',
		// Both read the same two FASTA files and write the alignment to a file.
		() => time(process.execPath, [alignJs, queryFile, targetFile, join(dir, 'out.pair')]).seconds,
		() => time('needle', ['-asequence', queryFile, '-bsequence', targetFile, '-gapopen', '10', '-gapextend', '0.5', '-outfile', join(dir, 'out.needle'), '-auto']).seconds,
		'EMBOSS needle'
	);
	const direct = median(Array.from({ length: runs }, () => time(process.execPath, [alignCli, queryFile, targetFile, join(dir, 'out-direct.pair')]).seconds));
	console.log(`  (cli.ts run directly by Node's TypeScript loader: median ${direct.toFixed(3)} s, ${(direct / needle.theirs).toFixed(2)}x needle's time)\n`);
	// Same alignment: needle's file is a header, then our pair block, then a footer.
	if (!readFileSync(join(dir, 'out.needle'), 'utf8').includes(readFileSync(join(dir, 'out.pair'), 'utf8')))
		throw new Error("our alignment differs from needle's");
	const mol: Array<{ n: number; seconds: number; maxRssKiB: number; wall: number }> = [];
	for (let i = 0; i < runs; i++) {
		const r = time(process.execPath, [self, '--child', 'molecules', moleculeFile]);
		mol.push({ ...JSON.parse(r.stdout), wall: r.seconds });
	}
	const rate = median(mol.map((m) => m.n / m.seconds));
	console.log(`molecule-properties: ${mol[0].n} drug-like SMILES (descriptors, InChI/InChIKey, SVG)`);
	console.log(`  ${rate.toFixed(0)} molecules/s (median, run function only); whole process median ${median(mol.map((m) => m.wall)).toFixed(3)} s`);
	console.log(`  peak memory (max RSS) median ${(median(mol.map((m) => m.maxRssKiB)) / 1024).toFixed(0)} MiB\n`);
	console.log('targets:');
	console.log(`  protein-properties >= 5x faster than Biopython: ${(protein.theirs / protein.ours).toFixed(2)}x ${protein.theirs / protein.ours >= 5 ? 'MET' : 'NOT MET'}`);
	console.log(`  global alignment within 2x of needle: ${(needle.ours / needle.theirs).toFixed(2)}x needle's time ${needle.ours <= 2 * needle.theirs ? 'MET' : 'NOT MET'}\n`);
	await benchStructureAnalysis(runs);
	console.log('');
	await benchDocking({ runs: Math.min(runs, 3) });
} finally {
	rmSync(dir, { recursive: true, force: true });
}
