// RDKit (WebAssembly build), loaded once per process: in Node the package
// finds its .wasm next to its script. The browser loads its own copy inside
// rdkit.worker.ts, never on the page (see molecule-api.ts).
import type { MainModule } from '@rdkit/rdkit';

export type RDKit = MainModule;

let loading: Promise<RDKit> | undefined;

export function loadRDKit(): Promise<RDKit> {
	if (!loading) {
		loading = import('@rdkit/rdkit').then((m) => m.default()).catch((err: unknown) => {
			loading = undefined; // let a later call try again
			throw err;
		});
	}
	return loading;
}
