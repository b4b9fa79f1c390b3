// The browser's RDKit, in a dedicated Web Worker started by worker-client.ts.
// RDKit's embind glue builds functions with `new Function`; this script is
// served as a file of its own (no Content-Security-Policy), so that is
// allowed here while the page's policy stays strict. It has no DOM: it only
// answers MoleculeRequests, one at a time, in the order they come.
import initRDKitModule from '@rdkit/rdkit';
import wasmUrl from '@rdkit/rdkit/RDKit_minimal.wasm?url';
import type { MoleculeOperations, MoleculeReply, MoleculeRequest } from './molecule-api.ts';
import { moleculeOperations } from './operations.ts';

// The worker's global scope, as far as this script uses it (TypeScript's DOM types describe a window).
const scope = globalThis as unknown as {
	addEventListener(type: 'message', listener: (event: MessageEvent<MoleculeRequest>) => void): void;
	postMessage(reply: MoleculeReply): void;
};

let loading: Promise<MoleculeOperations> | undefined;

function operations(): Promise<MoleculeOperations> {
	loading ??= initRDKitModule({ locateFile: () => wasmUrl })
		.then(moleculeOperations)
		.catch((err: unknown) => {
			loading = undefined; // the next request tries again
			throw err;
		});
	return loading;
}

function perform(ops: MoleculeOperations, request: MoleculeRequest): unknown {
	switch (request.op) {
		case 'problems':
			return ops.problems(...request.args);
		case 'depict':
			return ops.depict(...request.args);
		case 'elements':
			return ops.elements(...request.args);
	}
}

/** RDKit throws Errors, strings, and (from C++) bare numbers. */
function describe(err: unknown): string {
	return err instanceof Error ? err.message : `RDKit failed: ${String(err)}`;
}

// biome-ignore lint/nursery/noMisusedPromises: the handler catches all it awaits and answers the request either way
scope.addEventListener('message', async ({ data: request }) => {
	try {
		const value = perform(await operations(), request);
		scope.postMessage({ id: request.id, ok: true, value });
	} catch (err) {
		scope.postMessage({ id: request.id, ok: false, message: describe(err) });
	}
});
