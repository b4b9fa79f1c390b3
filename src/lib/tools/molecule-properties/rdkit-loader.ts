// RDKit (WebAssembly build), loaded once per process or page. In the
// browser pass `locateFile` so the .wasm is fetched from where the app
// serves it; in Node the package finds it next to its script.
import type { MainModule } from '@rdkit/rdkit';

export type RDKit = MainModule;

let loading: Promise<RDKit> | undefined;

export function loadRDKit(options?: { locateFile?: (file: string) => string }): Promise<RDKit> {
	if (!loading) {
		loading = import('@rdkit/rdkit').then((m) => m.default(options)).catch((err: unknown) => {
			loading = undefined; // let a later call try again
			throw err;
		});
	}
	return loading;
}
