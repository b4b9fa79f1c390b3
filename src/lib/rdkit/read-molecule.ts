// Reading one SMILES string or molblock with RDKit, with RDKit's own reason
// when it cannot: operations.ts checks and draws molecules this way (in the
// browser's RDKit worker and in Node), and molecule-properties' compute.ts
// reads them again on the worker fleet to compute their properties.
import type { RDKit } from './load.ts';

/** RDKit's log lines without their time stamps, joined into one sentence. */
export function cleanRdkitLog(buffer: string): string {
	const lines = buffer
		.split('\n')
		.map((l) => l.replace(/^\[\d\d:\d\d:\d\d\]\s*/, '').trim())
		.filter((l) => l !== '' && !/^~*\^$/.test(l));
	return lines.slice(0, 2).join('; ') || 'RDKit could not read the molecule';
}

/** Parses a SMILES string or molblock; the reason is RDKit's own message. */
export function withMolecule<T>(rdkit: RDKit, text: string, use: (mol: NonNullable<ReturnType<RDKit['get_mol']>>) => T): { ok: true; value: T } | { ok: false; reason: string } {
	const log = rdkit.set_log_capture('rdApp.error');
	let mol: ReturnType<RDKit['get_mol']> = null;
	try {
		mol = rdkit.get_mol(text);
		if (!mol || !mol.is_valid()) {
			return { ok: false, reason: cleanRdkitLog(log?.get_buffer() ?? '') };
		}
		return { ok: true, value: use(mol) };
	} finally {
		mol?.delete();
		log?.clear_buffer();
		log?.delete();
	}
}
