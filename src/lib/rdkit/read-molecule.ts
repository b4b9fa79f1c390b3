// Reading one SMILES string or molblock with RDKit, with RDKit's own reason
// when it cannot: operations.ts checks and draws molecules this way (in the
// browser's RDKit worker and in Node), and molecule-properties' compute.ts
// reads them again on the worker fleet to compute their properties.
//
// Whatever RDKit makes of the text, the answer is ok or a reason about the
// molecule: some broken molblocks read as a molecule without atoms, and
// RDKit then throws (a WebAssembly.Exception from C++) when it is used, so
// an empty molecule is refused and anything RDKit throws is turned into the
// reason it logged. A job never fails blaming the tool for its input.
import type { RDKit } from './load.ts';

type Mol = NonNullable<ReturnType<RDKit['get_mol']>>;

// What RDKit logs around an assertion, which says nothing to a chemist.
const NOISE = [/^\*+$/, /^~*\^$/, /^Violation occurred on line/, /^Failed Expression:/];

/**
 * RDKit's log lines as one sentence: time stamps, assertion banners and the
 * echo of the input (with its caret) left out, repeats said once, at most
 * two lines. `input` is the text RDKit was given.
 */
export function cleanRdkitLog(buffer: string, input = ''): string {
	const echo = input.trim();
	const seen = new Set<string>();
	const lines: string[] = [];
	let previousPrefix = '';
	for (const raw of buffer.split('\n')) {
		let line = raw.replace(/^\[\d\d:\d\d:\d\d\]\s*/, '').trim();
		if (line === '' || (echo !== '' && line === echo) || NOISE.some((n) => n.test(line))) continue;
		line = line.replace(/:$/, '');
		if (seen.has(line)) continue;
		seen.add(line);
		// "SMILES Parse Error: a; SMILES Parse Error: b" reads as "SMILES Parse Error: a; b".
		const prefix = /^[A-Za-z ]+ Error: /.exec(line)?.[0] ?? '';
		lines.push(prefix && prefix === previousPrefix ? line.slice(prefix.length) : line);
		previousPrefix = prefix || previousPrefix;
		if (lines.length === 2) break;
	}
	return lines.join('; ');
}

/**
 * Parses a SMILES string or molblock; the reason is RDKit's own message.
 * `details` are RDKit's parsing options (e.g. `{ sanitize: false }` to read
 * atoms as written).
 */
export function withMolecule<T>(
	rdkit: RDKit,
	text: string,
	use: (mol: Mol) => T,
	details?: Record<string, boolean>
): { ok: true; value: T } | { ok: false; reason: string } {
	const errors = rdkit.set_log_capture('rdApp.error');
	const warnings = rdkit.set_log_capture('rdApp.warning');
	// Errors first; a molblock RDKit half-reads only leaves warnings ("CTAB version string invalid at line 4").
	const logged = () => cleanRdkitLog(errors?.get_buffer() ?? '', text) || cleanRdkitLog(warnings?.get_buffer() ?? '', text);
	let mol: Mol | null = null;
	try {
		try {
			mol = details ? rdkit.get_mol(text, JSON.stringify(details)) : rdkit.get_mol(text);
		} catch {
			return { ok: false, reason: logged() || 'RDKit could not read the molecule' };
		}
		if (!mol || !mol.is_valid()) return { ok: false, reason: logged() || 'RDKit could not read the molecule' };
		if (mol.get_num_atoms() === 0) {
			const why = logged();
			return { ok: false, reason: why ? `RDKit read no atoms from it (${why})` : 'RDKit read no atoms from it' };
		}
		try {
			return { ok: true, value: use(mol) };
		} catch {
			return { ok: false, reason: logged() || 'RDKit failed on this molecule' };
		}
	} finally {
		mol?.delete();
		for (const log of [errors, warnings]) {
			log?.clear_buffer();
			log?.delete();
		}
	}
}
