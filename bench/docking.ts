// Docking benchmark: `node bench/docking.ts` (BENCH_RUNS, default 3).
// Redocks imatinib into its own c-Abl pocket (PDB 1IEP, the test fixture),
// box around the crystal ligand + 4 Å, exhaustiveness 8, and times
//   1. the tool's whole run (receptor and ligand preparation, Vina, pose
//      files), as a worker runs it, and
//   2. the same vina command alone, on the PDBQT files the tool prepared.
// Runs alternate between the two; medians and the overhead ratio are
// printed, with the goal (overhead <= 10 %). On a busy machine two separate
// runs differ by more than the overhead, so two steadier figures are printed
// too: the time each tool run spends outside its own vina process, and CPU
// time (children included). Also printed: the best pose's heavy-atom RMSD
// to the crystal pose (Open Babel's obrms, symmetry-aware), which should be
// <= 2 Å for a successful redock. BENCH_DOCKING_EXHAUSTIVENESS (default 8)
// only for a quick trial of the script.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync, readFileSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { IEP_POCKET_PDB } from '#lib/tools/docking/example-receptor.ts';
import { inputSchema, settingsSchema, type DockingResult } from '#lib/tools/docking/index.ts';
import { createDockingTool } from '#lib/tools/runners.server.ts';
import { median } from './measure.ts';

const FIXTURES = fileURLToPath(new URL('../tests/fixtures/docking/', import.meta.url));

export interface DockingBench {
	runs: number;
	cpu: number;
	toolSeconds: number[];
	vinaSeconds: number[];
	toolMedian: number;
	vinaMedian: number;
	/** Tool wall time / vina wall time (medians). */
	ratio: number;
	/** Median seconds of each tool run spent outside its vina process. */
	toolOutsideVinaMedian: number;
	/** The same for CPU time (user + system, children included): steadier on a busy machine. */
	toolCpuMedian: number;
	vinaCpuMedian: number;
	cpuRatio: number;
	bestAffinity: number;
	/** Heavy-atom RMSD of the best pose to the crystal pose, Å. */
	redockRmsd: number;
}

/** CPU seconds used by this process and its reaped children (Linux /proc), NaN elsewhere. */
function cpuSeconds(): number {
	try {
		const stat = readFileSync('/proc/self/stat', 'utf8');
		const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
		// utime, stime, cutime, cstime: fields 14-17 of proc(5), in clock ticks.
		return fields.slice(11, 15).reduce((sum, f) => sum + Number(f), 0) / clockTicks;
	} catch {
		return NaN;
	}
}
let clockTicks = 100;
try {
	clockTicks = Number(execFileSync('getconf', ['CLK_TCK']).toString().trim()) || 100;
} catch {
	// Linux's usual value.
}

export async function benchDocking(options: { runs?: number; log?: (line: string) => void } = {}): Promise<DockingBench> {
	const runs = options.runs ?? Number(process.env.BENCH_RUNS ?? 3);
	const log = options.log ?? ((line: string) => console.log(line));
	const cpu = availableParallelism();
	const tool = createDockingTool({ cpu });
	const unavailable = await tool.checkAvailable!();
	if (unavailable) throw new Error(unavailable);
	const input = inputSchema.parse({
		receptor: { name: '1iep', text: IEP_POCKET_PDB },
		ligands: [{ name: 'imatinib', sdf: readFileSync(path.join(FIXTURES, '1iep_ligand.sdf'), 'utf8') }],
		box: { mode: 'ligand', resname: 'STI', padding: 4 }
	});
	const exhaustiveness = Number(process.env.BENCH_DOCKING_EXHAUSTIVENESS ?? 8);
	const settings = settingsSchema.parse({ exhaustiveness });
	const dir = mkdtempSync(path.join(tmpdir(), 'foldwork-bench-docking-'));
	try {
		const files = new Map<string, string>();
		const runTool = async (): Promise<{ seconds: number; outsideVina: number; cpu: number; result: DockingResult }> => {
			const start = performance.now();
			const cpuStart = cpuSeconds();
			// Vina runs between these two progress messages; the rest of the run is the tool's own work.
			let vinaStart = NaN;
			let vinaEnd = NaN;
			const result = await tool.run(input, settings, {
				signal: new AbortController().signal,
				progress(_pct, message) {
					if (message?.endsWith(': computing the grid')) vinaStart = performance.now();
					if (message?.endsWith(': writing poses')) vinaEnd = performance.now();
				},
				writeFile: async (name, _type, content) => void files.set(name, String(content))
			});
			const seconds = (performance.now() - start) / 1000;
			return { seconds, outsideVina: seconds - (vinaEnd - vinaStart) / 1000, cpu: cpuSeconds() - cpuStart, result };
		};
		const runVina = (args: string[]): { seconds: number; cpu: number; affinities: number[] } => {
			const start = performance.now();
			const cpuStart = cpuSeconds();
			const r = spawnSync('vina', args, { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 64 * 1024 * 1024 });
			const seconds = (performance.now() - start) / 1000;
			const cpu = cpuSeconds() - cpuStart;
			if (r.status !== 0) throw new Error(`vina failed: ${r.stderr.toString().slice(0, 2000)}`);
			const out = args.find((a) => a.startsWith('--out='))!.slice('--out='.length);
			const affinities = readFileSync(path.join(dir, out), 'utf8')
				.split('\n')
				.filter((l) => l.startsWith('REMARK VINA RESULT:'))
				.map((l) => Number(l.split(/\s+/)[3]));
			return { seconds, cpu, affinities };
		};

		log(`bench:docking: imatinib redocked into 1IEP (pocket), box around STI + 4 Å, exhaustiveness ${exhaustiveness}, ${cpu} CPUs, ${runs} runs each\n`);
		const toolSeconds: number[] = [];
		const vinaSeconds: number[] = [];
		const toolCpu: number[] = [];
		const toolOutsideVina: number[] = [];
		const vinaCpu: number[] = [];
		let last: DockingResult | undefined;
		let args: string[] = [];
		const once = async (first: 'tool' | 'vina') => {
			const order = first === 'tool' ? ['tool', 'vina'] : ['vina', 'tool'];
			for (const which of order) {
				if (which === 'tool') {
					const { seconds, outsideVina, cpu, result } = await runTool();
					toolSeconds.push(seconds);
					toolOutsideVina.push(outsideVina);
					toolCpu.push(cpu);
					last = result;
					if (args.length === 0) {
						// The tool's own command, on the files it wrote: identical work for vina alone.
						args = result.vina_commands[0].args;
						for (const [name, content] of files) if (name.endsWith('_prepared.pdbqt')) writeFileSync(path.join(dir, name), content);
					}
				} else {
					const { seconds, cpu, affinities } = runVina(args);
					vinaSeconds.push(seconds);
					vinaCpu.push(cpu);
					const ours = last!.table.rows.map((r) => r.affinity_kcal_mol);
					if (JSON.stringify(ours) !== JSON.stringify(affinities)) throw new Error(`vina alone found ${affinities} but the tool ${ours}: not the same work`);
				}
			}
		};
		// The tool goes first once (vina needs its prepared files), then the order alternates so drift hits both.
		for (let i = 0; i < runs; i++) await once(i % 2 === 0 ? 'tool' : 'vina');

		const sdfName = last!.ligands[0].files!.sdf;
		writeFileSync(path.join(dir, 'poses.sdf'), files.get(sdfName)!);
		const rmsdText = execFileSync('obrms', ['--firstonly', path.join(FIXTURES, '1iep_ligand.sdf'), path.join(dir, 'poses.sdf')]).toString();
		// One line per pose, "RMSD <ref title>:<pose title> <value>"; the first is the best pose.
		const redockRmsd = Number(/^RMSD .* ([\d.]+)\s*$/m.exec(rmsdText)?.[1]);
		const toolMedian = median(toolSeconds);
		const vinaMedian = median(vinaSeconds);
		const ratio = toolMedian / vinaMedian;
		const toolCpuMedian = median(toolCpu);
		const vinaCpuMedian = median(vinaCpu);
		const cpuRatio = toolCpuMedian / vinaCpuMedian;
		const fmt = (xs: number[]) => xs.map((x) => x.toFixed(2)).join(', ');
		log(`  Foldwork docking tool  median ${toolMedian.toFixed(2)} s  (runs: ${fmt(toolSeconds)})`);
		log(`  vina alone             median ${vinaMedian.toFixed(2)} s  (runs: ${fmt(vinaSeconds)})`);
		log(`  ratio tool/vina = ${ratio.toFixed(3)} (overhead ${((ratio - 1) * 100).toFixed(1)} %, ${(toolMedian - vinaMedian).toFixed(2)} s)`);
		const outside = median(toolOutsideVina);
		log(`  within the tool's runs, time outside vina (preparation, pose files, version check): median ${outside.toFixed(2)} s (${fmt(toolOutsideVina)}), ${((100 * outside) / (toolMedian - outside)).toFixed(1)} % of its vina time`);
		log(`  CPU time (user + system, children included): tool median ${toolCpuMedian.toFixed(2)} s (${fmt(toolCpu)}), vina ${vinaCpuMedian.toFixed(2)} s (${fmt(vinaCpu)}), ratio ${cpuRatio.toFixed(3)}`);
		log(`  load average at the end: ${loadavg().map((l) => l.toFixed(1)).join(' ')} on ${availableParallelism()} CPUs (wall times are only fair on an idle machine)`);
		log(`  best pose ${last!.table.rows[0].affinity_kcal_mol} kcal/mol, heavy-atom RMSD to the crystal pose ${redockRmsd.toFixed(2)} Å\n`);
		log('targets:');
		log(`  overhead <= 10 %: ${((ratio - 1) * 100).toFixed(1)} % ${ratio <= 1.1 ? 'MET' : 'NOT MET'}`);
		log(`  redock within 2 Å of the crystal pose: ${redockRmsd.toFixed(2)} Å ${redockRmsd <= 2 ? 'MET' : 'NOT MET'}`);
		return {
			runs,
			cpu,
			toolSeconds,
			vinaSeconds,
			toolMedian,
			vinaMedian,
			ratio,
			toolOutsideVinaMedian: outside,
			toolCpuMedian,
			vinaCpuMedian,
			cpuRatio,
			bestAffinity: last!.table.rows[0].affinity_kcal_mol as number,
			redockRmsd
		};
	} finally {
		rmSync(dir, { recursive: true, force: true });
	}
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
	await benchDocking();
}
