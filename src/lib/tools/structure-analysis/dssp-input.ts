// The file mkdssp reads: the parsed first model's amino acids as a small
// mmCIF (_pdbx_poly_seq_scheme and _atom_site, all mkdssp looks at). mkdssp
// 4 refuses many real uploads as they are (mmCIF without
// _pdbx_poly_seq_scheme, NMR entries whose later models it cannot map, PDB
// files without a HEADER), while this regular file always reads. Chains get
// ids of our own and residues are numbered 1, 2, 3 ..., so no chain count,
// residue number or insertion code is beyond what mkdssp can write back;
// `keys` maps them back.
import { conformersOf, residueKey, type Residue, type Structure } from './model.ts';
import { isAminoAcidResidue } from './residues.ts';

const BACKBONE = ['N', 'CA', 'C', 'O'];

export type DsspInput =
	| { ok: true; cif: string; /** `${asym}|${seq}` in the written file -> residueKey in the structure. */ keys: Map<string, string> }
	| { ok: false; reason: string };

/** mmCIF-style chain ids: A ... Z, AA, AB ... */
function asymId(index: number): string {
	let id = '';
	for (let i = index + 1; i > 0; i = Math.floor((i - 1) / 26)) id = String.fromCharCode(65 + ((i - 1) % 26)) + id;
	return id;
}

/** A residue name as a bare CIF value; anything odd becomes UNK (DSSP reads the backbone only). */
const compId = (name: string) => (/^[A-Za-z0-9][A-Za-z0-9_+-]{0,4}$/.test(name) ? name : 'UNK');

export function dsspInput(structure: Structure): DsspInput {
	const chains: Array<{ asym: string; original: string; residues: Residue[] }> = [];
	for (const chain of structure.chains) {
		const residues = chain.residues.filter((r) => isAminoAcidResidue(r, structure.modifiedParents));
		if (residues.length > 0) chains.push({ asym: asymId(chains.length), original: chain.id, residues });
	}
	if (chains.length === 0) return { ok: false, reason: 'no amino acids to assign' };

	const keys = new Map<string, string>();
	const scheme: string[] = [];
	const atoms: string[] = [];
	let serial = 0;
	chains.forEach(({ asym, original, residues }, c) => {
		const entity = c + 1;
		for (let i = 0; i < residues.length; i++) {
			const r = residues[i];
			const seq = i + 1;
			const comp = compId(r.name);
			keys.set(`${asym}|${seq}`, residueKey(original, r.seq, r.icode));
			// The scheme lists the chain's residues, modified ones included: mkdssp takes its residues from here.
			scheme.push(`${asym} ${entity} ${seq} ${comp} ${seq} ${seq} ${comp} ${comp} ${asym} . n`);
			// mkdssp assigns from the backbone alone, and of several conformers it uses the one listed last.
			for (const name of BACKBONE) {
				const all = conformersOf(r, name);
				if (all.length === 0) continue;
				const a = all[all.length - 1];
				serial++;
				atoms.push(`ATOM ${serial} ${name[0]} ${name} . ${comp} ${asym} ${entity} ${seq} ? ${a.x.toFixed(3)} ${a.y.toFixed(3)} ${a.z.toFixed(3)} 1.00 0.00 ${seq} ${comp} ${asym} ${name} 1`);
			}
		}
	});
	const loop = (category: string, fields: string[]) => ['loop_', ...fields.map((f) => `_${category}.${f}`)];
	const cif = [
		'data_foldwork',
		'#',
		...loop('pdbx_poly_seq_scheme', ['asym_id', 'entity_id', 'seq_id', 'mon_id', 'pdb_seq_num', 'auth_seq_num', 'pdb_mon_id', 'auth_mon_id', 'pdb_strand_id', 'pdb_ins_code', 'hetero']),
		...scheme,
		'#',
		...loop('atom_site', ['group_PDB', 'id', 'type_symbol', 'label_atom_id', 'label_alt_id', 'label_comp_id', 'label_asym_id', 'label_entity_id', 'label_seq_id', 'pdbx_PDB_ins_code', 'Cartn_x', 'Cartn_y', 'Cartn_z', 'occupancy', 'B_iso_or_equiv', 'auth_seq_id', 'auth_comp_id', 'auth_asym_id', 'auth_atom_id', 'pdbx_PDB_model_num']),
		...atoms,
		'#',
		''
	].join('\n');
	return { ok: true, cif, keys };
}
