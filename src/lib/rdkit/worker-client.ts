// MoleculeApi in the browser: each call goes to RDKit in one Web Worker
// (rdkit.worker.ts) that the whole page shares, started on the first call.
// Replies are matched to calls by id; a call RDKit fails rejects with its
// message, and a worker that dies rejects every call waiting on it (the next
// call starts a new one). `#rdkit` resolves here in the browser only
// (molecule-api.ts says why).
import type { MoleculeApi, MoleculeOp, MoleculeReply, MoleculeRequest } from './molecule-api.ts';

interface Waiting {
	resolve(value: unknown): void;
	reject(error: Error): void;
}

let worker: Worker | undefined;
let nextId = 1;
const waiting = new Map<number, Waiting>();

/** Ends `dead` (when it is still the page's worker) and fails every call waiting on it. */
function lose(dead: Worker, error: Error): void {
	if (worker !== dead) return;
	dead.terminate();
	worker = undefined;
	for (const call of waiting.values()) call.reject(error);
	waiting.clear();
}

function answer({ data: reply }: MessageEvent<MoleculeReply>): void {
	const call = waiting.get(reply.id);
	if (!call) return;
	waiting.delete(reply.id);
	if (reply.ok) call.resolve(reply.value);
	else call.reject(new Error(reply.message));
}

function startedWorker(): Worker {
	if (worker) return worker;
	const started = new Worker(new URL('./rdkit.worker.ts', import.meta.url), { type: 'module', name: 'rdkit' });
	started.addEventListener('message', answer);
	started.addEventListener('error', (event) => {
		// Reported to the callers instead (each shows or logs it once).
		event.preventDefault();
		lose(started, new Error(`RDKit's worker failed: ${event.message || 'its script could not be loaded'}`));
	});
	started.addEventListener('messageerror', () => lose(started, new Error("RDKit's worker sent a reply the page could not read")));
	worker = started;
	return started;
}

function call<K extends MoleculeOp>(op: K, ...args: Parameters<MoleculeApi[K]>): ReturnType<MoleculeApi[K]> {
	return new Promise((resolve, reject) => {
		const target = startedWorker();
		const id = nextId++;
		waiting.set(id, { resolve, reject });
		target.postMessage({ id, op, args } as MoleculeRequest);
	}) as ReturnType<MoleculeApi[K]>;
}

export const molecules: MoleculeApi = {
	problems: (structures) => call('problems', structures),
	depict: (structure, size) => call('depict', structure, size),
	elements: (structures) => call('elements', structures)
};
