// Secondary structure from Debian's mkdssp (package `dssp`), run on the
// uploaded file. When mkdssp is missing or fails, the caller reports the
// secondary structure as unavailable.
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const MKDSSP = process.env.MKDSSP ?? 'mkdssp';

export type DsspOutcome = { ok: true; assignments: Map<string, string> } | { ok: false; reason: string };

export const dsspKey = (chain: string, seq: number, icode: string) => `${chain}|${seq}|${icode}`;

/** Parses classic DSSP output: chain|seq|icode -> one-letter state ('-' for coil). */
export function parseDsspClassic(text: string): Map<string, string> {
	const out = new Map<string, string>();
	const lines = text.split(/\r?\n/);
	let i = lines.findIndex((l) => l.startsWith('  #  RESIDUE'));
	if (i < 0) throw new Error('no residue section in the DSSP output');
	for (i++; i < lines.length; i++) {
		const l = lines[i];
		if (l.length < 17 || l[13] === '!') continue;
		const seq = Number(l.slice(5, 10));
		if (!Number.isInteger(seq)) continue;
		const icode = l[10].trim();
		// Classic format holds one-character chain ids at column 12; longer ids sit at the end of the line.
		const longChain = l.length >= 160 ? l.slice(159).trim().split(/\s+/)[0] : '';
		const chain = longChain && longChain !== l[11] ? longChain : l[11];
		const state = l[16] === ' ' ? '-' : l[16];
		out.set(dsspKey(chain, seq, icode), state);
	}
	return out;
}

export async function runDssp(content: string, format: 'pdb' | 'mmcif', signal: AbortSignal, program = MKDSSP): Promise<DsspOutcome> {
	const dir = await mkdtemp(join(tmpdir(), 'foldwork-dssp-'));
	try {
		const input = join(dir, format === 'pdb' ? 'in.pdb' : 'in.cif');
		const output = join(dir, 'out.dssp');
		// mkdssp 4 reads a file as PDB only when it starts with a HEADER record (else it tries mmCIF).
		const needsHeader = format === 'pdb' && !content.startsWith('HEADER');
		await writeFile(input, needsHeader ? `HEADER    ${''.padEnd(70)}\n${content}` : content);
		await new Promise<void>((resolve, reject) => {
			execFile(program, ['--output-format', 'dssp', input, output], { signal, maxBuffer: 16 * 1024 * 1024 }, (err, _stdout, stderr) => {
				if (err) reject(Object.assign(err, { stderr: String(stderr) }));
				else resolve();
			});
		});
		return { ok: true, assignments: parseDsspClassic(await readFile(output, 'utf8')) };
	} catch (err) {
		if (signal.aborted) throw signal.reason ?? err;
		const e = err as NodeJS.ErrnoException & { stderr?: string };
		if (e.code === 'ENOENT') return { ok: false, reason: 'mkdssp is not installed' };
		const detail = (e.stderr ?? '').trim().split('\n')[0] || e.message;
		return { ok: false, reason: `mkdssp failed: ${detail.slice(0, 200)}` };
	} finally {
		await rm(dir, { recursive: true, force: true });
	}
}
