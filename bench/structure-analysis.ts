// structure-analysis benchmark: `node bench/structure-analysis.ts` (or
// benchStructureAnalysis() from bench/tools.ts). A ~10,000-residue PDB file is
// assembled from real entries (48 copies of 1DIX and the 1K6P dimer, each
// copy its own chain, moved apart); our tool and Biopython then each read it
// and compute the same things (per chain: SEQRES and observed sequences,
// residue/atom counts, ligands, radius of gyration, B-factor statistics, and
// phi/psi by PPBuilder) as whole processes, start-up included, BENCH_RUNS
// times each (default 5), alternating. Prints median wall time, median peak
// memory (max RSS each process reports for itself) and the ratio.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { alternate, bundleCli, median } from './measure.ts';

const PYTHON = '/usr/bin/python3';
const cliEntry = fileURLToPath(new URL('../src/lib/tools/structure-analysis/cli.ts', import.meta.url));
const fixtures = fileURLToPath(new URL('../tests/fixtures/structures/', import.meta.url));
const CHAIN_IDS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/** Biopython's side: the same per-chain figures, written as JSON (and the SEQRES FASTA) like ours. */
const BIOPYTHON = `
import json, resource, sys, time, warnings
import numpy as np
from Bio.Data.PDBData import protein_letters_3to1_extended as L
from Bio.PDB import PDBParser, PPBuilder
from Bio.PDB.Polypeptide import is_aa
warnings.simplefilter("ignore")
start = time.perf_counter()
path, out = sys.argv[1], sys.argv[2]
model = PDBParser(QUIET=True).get_structure("x", path)[0]
seqres = {}
for line in open(path):
    if line.startswith("SEQRES"): seqres.setdefault(line[11], []).extend(line[19:].split())
chains = {}
for chain in model:
    polymer = [r for r in chain if r.id[0] == " " or (r.id[0].startswith("H_") and is_aa(r))]
    atoms = [a for r in polymer for a in r]
    ligands, waters = {}, 0
    for r in chain:
        if r.id[0] == "W": waters += 1
        elif r.id[0].startswith("H_") and not is_aa(r): ligands[r.get_resname()] = ligands.get(r.get_resname(), 0) + 1
    xyz = np.array([a.coord for a in atoms], dtype=float)
    b = np.array([a.bfactor for a in atoms], dtype=float)
    chains[chain.id] = {"residues": len(polymer), "atoms": len(atoms), "ligands": ligands, "waters": waters,
        "observed": "".join(L.get(r.get_resname(), "X") for r in polymer),
        "seqres": "".join(L.get(n, "X") for n in seqres.get(chain.id, [])),
        "rg": float(np.sqrt(((xyz - xyz.mean(axis=0)) ** 2).sum(axis=1).mean())),
        "b": [float(b.mean()), float(b.std()), float(b.min()), float(np.median(b)), float(b.max())]}
angles = {}
for pp in PPBuilder().build_peptides(model, aa_only=False):
    for r, (phi, psi) in zip(pp, pp.get_phi_psi_list()):
        angles["%s|%d|%s" % (r.get_parent().id, r.id[1], r.id[2].strip())] = [None if phi is None else float(np.degrees(phi)), None if psi is None else float(np.degrees(psi))]
json.dump({"chains": chains, "angles": angles}, open(out, "w"))
with open(out + ".fasta", "w") as f:
    for c, v in chains.items():
        f.write(">%s\\n%s\\n" % (c, v["seqres"] or v["observed"]))
usage = resource.getrusage(resource.RUSAGE_SELF)
print(json.dumps({"seconds": time.perf_counter() - start, "cpuSeconds": usage.ru_utime + usage.ru_stime, "maxRssKiB": usage.ru_maxrss}), file=sys.stderr)
`;

/** Copies of real chains, re-lettered and moved apart on a grid, as one PDB file. */
export function assembleStructure(): { pdb: string; residues: number; chains: number; atoms: number } {
	const sources: Array<{ file: string; copies: number }> = [
		{ file: '1dix.pdb', copies: 48 },
		{ file: '1k6p.pdb', copies: 1 }
	];
	const seqres: string[] = [];
	const atoms: string[] = [];
	let next = 0;
	let serial = 0;
	const residues = new Set<string>();
	let copy = 0;
	for (const { file, copies } of sources) {
		const lines = readFileSync(join(fixtures, file), 'utf8').split('\n');
		const chainIds = [...new Set(lines.filter((l) => /^(ATOM {2}|HETATM)/.test(l)).map((l) => l[21]))];
		for (let k = 0; k < copies; k++, copy++) {
			const rename = new Map(chainIds.map((c) => [c, CHAIN_IDS[next++]]));
			// 70 A apart on a 7 x 7 x 7 grid: every coordinate still fits PDB's columns.
			const shift = [70 * (copy % 7), 70 * (Math.floor(copy / 7) % 7), 70 * Math.floor(copy / 49)];
			for (const l of lines) {
				if (l.startsWith('SEQRES') && rename.has(l[11])) seqres.push(l.slice(0, 11) + rename.get(l[11]) + l.slice(12));
			}
			let lastChain = '';
			for (const l of lines) {
				if (l.startsWith('ENDMDL')) break;
				if (!/^(ATOM {2}|HETATM)/.test(l)) continue;
				const chain = rename.get(l[21])!;
				if (lastChain && chain !== lastChain) atoms.push('TER');
				lastChain = chain;
				if (l.startsWith('ATOM')) residues.add(chain + l.slice(22, 27));
				const xyz = [30, 38, 46].map((at, d) => (Number(l.slice(at, at + 8)) + shift[d]).toFixed(3).padStart(8)).join('');
				atoms.push(`${l.slice(0, 6)}${String(++serial).padStart(5)}${l.slice(11, 21)}${chain}${l.slice(22, 30)}${xyz}${l.slice(54)}`);
			}
			atoms.push('TER');
		}
	}
	const pdb = ['HEADER    FOLDWORK BENCHMARK ASSEMBLY OF 1DIX AND 1K6P', ...seqres, ...atoms, 'END', ''].join('\n');
	return { pdb, residues: residues.size, chains: next, atoms: serial };
}

function run(cmd: string, args: string[]): { wall: number; seconds: number; cpuSeconds: number; maxRssKiB: number } {
	const start = process.hrtime.bigint();
	const r = spawnSync(cmd, args, { maxBuffer: 512 * 1024 * 1024 });
	const wall = Number(process.hrtime.bigint() - start) / 1e9;
	if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed: ${r.stderr.toString().slice(0, 2000)}`);
	const report = JSON.parse(r.stderr.toString().trim().split('\n').at(-1)!);
	return { wall, ...report };
}

/** Checks both computed the same figures, so the times compare like with like. */
function checkAgreement(oursFile: string, theirsFile: string): void {
	const ours = JSON.parse(readFileSync(oursFile, 'utf8')) as { table: { rows: Array<Record<string, unknown>> }; chains: Array<{ chain: string; residues: Array<{ seq: number; icode: string; phi: number | null; psi: number | null }> }> };
	const theirs = JSON.parse(readFileSync(theirsFile, 'utf8')) as { chains: Record<string, { residues: number; atoms: number; rg: number; observed: string }>; angles: Record<string, [number | null, number | null]> };
	for (const row of ours.table.rows) {
		const t = theirs.chains[row.chain as string];
		if (!t || t.residues !== row.residues || t.atoms !== row.atoms || t.observed !== row.observed_sequence || Math.abs(t.rg - (row.radius_of_gyration as number)) > 0.01)
			throw new Error(`chain ${row.chain}: our figures differ from Biopython's`);
	}
	let worst = 0;
	for (const c of ours.chains) {
		for (const r of c.residues) {
			const t = theirs.angles[`${c.chain}|${r.seq}|${r.icode}`];
			for (const [a, b] of [[r.phi, t?.[0] ?? null], [r.psi, t?.[1] ?? null]]) {
				if ((a === null) !== (b === null)) throw new Error(`chain ${c.chain} residue ${r.seq}${r.icode}: phi/psi present in one only`);
				if (a !== null && b !== null) worst = Math.max(worst, Math.abs(((a - b + 540) % 360) - 180));
			}
		}
	}
	if (worst >= 0.1) throw new Error(`phi/psi differ from Biopython's by up to ${worst} degrees`);
}

export interface StructureBenchResult {
	residues: number;
	atoms: number;
	oursMs: number;
	/** CPU time (user + system) of the whole process: steadier than wall time on a busy machine. */
	oursCpuMs: number;
	oursMaxRssMiB: number;
	biopythonMs: number;
	biopythonCpuMs: number;
	biopythonMaxRssMiB: number;
	/** Biopython's time over ours: above 1 means we are faster. */
	speedup: number;
	oursWithDsspMs: number;
	oursDirectTsMs: number;
}

export async function benchStructureAnalysis(runs = Number(process.env.BENCH_RUNS ?? 5)): Promise<StructureBenchResult> {
	const dir = mkdtempSync(join(tmpdir(), 'foldwork-bench-sa-'));
	try {
		const assembled = assembleStructure();
		const file = join(dir, 'assembly.pdb');
		writeFileSync(file, assembled.pdb);
		// Shipped the way a worker would run it: one bundled file, types stripped at build time.
		const cli = await bundleCli(cliEntry, join(dir, 'cli'), 'structure-analysis');
		const ours = () => run(process.execPath, [cli, '--no-dssp', file, '-o', join(dir, 'ours.json')]);
		const theirs = () => run(PYTHON, ['-c', BIOPYTHON, file, join(dir, 'biopython.json')]);
		const { ours: a, theirs: b } = alternate(runs, ours, theirs);
		checkAgreement(join(dir, 'ours.json'), join(dir, 'biopython.json'));
		const withDssp = Array.from({ length: runs }, () => run(process.execPath, [cli, file, '-o', join(dir, 'dssp.json')]));
		const direct = Array.from({ length: runs }, () => run(process.execPath, [cliEntry, '--no-dssp', file, '-o', join(dir, 'direct.json')]));
		const ms = (xs: ReturnType<typeof run>[]) => median(xs.map((x) => x.wall)) * 1000;
		const mib = (xs: ReturnType<typeof run>[]) => median(xs.map((x) => x.maxRssKiB)) / 1024;
		const cpuMs = (xs: ReturnType<typeof run>[]) => median(xs.map((x) => x.cpuSeconds)) * 1000;
		const result: StructureBenchResult = {
			residues: assembled.residues,
			atoms: assembled.atoms,
			oursMs: ms(a),
			oursCpuMs: cpuMs(a),
			oursMaxRssMiB: mib(a),
			biopythonMs: ms(b),
			biopythonCpuMs: cpuMs(b),
			biopythonMaxRssMiB: mib(b),
			speedup: ms(b) / ms(a),
			oursWithDsspMs: ms(withDssp),
			oursDirectTsMs: ms(direct)
		};
		const list = (xs: ReturnType<typeof run>[]) => xs.map((x) => (x.wall * 1000).toFixed(0)).join(', ');
		console.log(`structure-analysis: ${assembled.residues.toLocaleString('en')} residues, ${assembled.chains} chains, ${assembled.atoms.toLocaleString('en')} atoms (PDB, ${(assembled.pdb.length / 1024 / 1024).toFixed(1)} MiB); ${runs} runs each, whole processes, node ${process.version}`);
		console.log(`  Foldwork   median ${result.oursMs.toFixed(0)} ms (CPU ${result.oursCpuMs.toFixed(0)} ms), peak memory ${result.oursMaxRssMiB.toFixed(0)} MiB  (runs: ${list(a)})`);
		console.log(`  Biopython  median ${result.biopythonMs.toFixed(0)} ms (CPU ${result.biopythonCpuMs.toFixed(0)} ms), peak memory ${result.biopythonMaxRssMiB.toFixed(0)} MiB  (runs: ${list(b)})`);
		console.log(`  ratio Biopython/Foldwork = ${result.speedup.toFixed(2)}x wall time, ${(result.biopythonCpuMs / result.oursCpuMs).toFixed(2)}x CPU time, ${(result.biopythonMaxRssMiB / result.oursMaxRssMiB).toFixed(2)}x peak memory`);
		console.log(`  with DSSP (mkdssp, not in Biopython's figure): median ${result.oursWithDsspMs.toFixed(0)} ms`);
		console.log(`  cli.ts run directly by Node's TypeScript loader: median ${result.oursDirectTsMs.toFixed(0)} ms`);
		console.log(`  target: faster than Biopython: ${result.speedup > 1 ? 'MET' : 'NOT MET'}\n`);
		return result;
	} finally {
		rmSync(dir, { recursive: true, force: true });
	}
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) await benchStructureAnalysis();
