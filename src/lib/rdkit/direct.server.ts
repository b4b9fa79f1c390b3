// MoleculeApi in the same process, for Node (the worker fleet, SvelteKit's
// server, tests): no Content-Security-Policy applies there. `#rdkit`
// resolves here everywhere but the browser (molecule-api.ts).
import { loadRDKit } from './load.ts';
import type { MoleculeApi } from './molecule-api.ts';
import { moleculeOperations } from './operations.ts';

const operations = async () => moleculeOperations(await loadRDKit());

export const molecules: MoleculeApi = {
	problems: async (structures) => (await operations()).problems(structures),
	depict: async (structure, size) => (await operations()).depict(structure, size),
	elements: async (structures) => (await operations()).elements(structures)
};
