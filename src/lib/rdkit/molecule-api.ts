// What the app asks of RDKit outside the worker fleet's own computation:
// whether molecules can be read (the forms) and 2D drawings (the result
// pages and file previews). One interface, two implementations, chosen by
// where the code runs through package.json's `#rdkit` import:
//
//   - in the browser (Vite's "browser" condition), worker-client.ts sends
//     each call to RDKit inside a dedicated Web Worker (rdkit.worker.ts).
//     RDKit's embind glue calls `new Function`, which the page's
//     Content-Security-Policy forbids (no 'unsafe-eval'); a worker loaded
//     from its own same-origin script runs under that script's policy, so
//     RDKit works there while the page keeps its strict one.
//   - everywhere else (the worker fleet, SvelteKit's server, tests),
//     direct.server.ts calls RDKit in the same process.
//
// Both run the same operations.ts, so they answer alike.

export interface DepictionSize {
	width: number;
	height: number;
}

/**
 * The elements of one molecule, by fragment (the parts no bond joins, as
 * "." separates them in SMILES), the fragment with the most heavy atoms
 * first; or RDKit's reason it cannot read the text.
 */
export type ElementsReading = { ok: true; fragments: string[][] } | { ok: false; reason: string };

export interface MoleculeApi {
	/**
	 * For each SMILES string or molblock, null when RDKit reads it, else
	 * RDKit's reason (its own log message).
	 */
	problems(structures: string[]): Promise<Array<string | null>>;
	/**
	 * RDKit's SVG drawing of a SMILES string or molblock, or null when RDKit
	 * cannot read it. Not sanitised: sanitizeSvg it before putting it into a page.
	 */
	depict(structure: string, size: DepictionSize): Promise<string | null>;
	/**
	 * The element symbols of each SMILES string or molblock, read as written
	 * (without RDKit's chemistry checks, so valences RDKit is strict about do
	 * not matter): what a tool that hands molecules to another program needs
	 * to know before it charges.
	 */
	elements(structures: string[]): Promise<ElementsReading[]>;
}

export type MoleculeOp = keyof MoleculeApi;

/** The API's operations run synchronously against a loaded RDKit (operations.ts). */
export type MoleculeOperations = { [K in MoleculeOp]: (...args: Parameters<MoleculeApi[K]>) => Awaited<ReturnType<MoleculeApi[K]>> };

/** A call from the page to the RDKit worker; `id` pairs it with its reply. */
export type MoleculeRequest = { [K in MoleculeOp]: { id: number; op: K; args: Parameters<MoleculeApi[K]> } }[MoleculeOp];

/** The worker's answer to request `id`: the operation's value, or why it failed. */
export type MoleculeReply = { id: number; ok: true; value: unknown } | { id: number; ok: false; message: string };
