// The browser's MoleculeApi (src/lib/rdkit/worker-client.ts) against a
// stand-in Worker: one worker per page, started on the first call, replies
// matched to calls by id, and failures reaching the callers. RDKit inside the
// real worker is exercised by the browser tests (tests/e2e).
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { MoleculeApi, MoleculeReply, MoleculeRequest } from '#lib/rdkit/molecule-api.ts';

class FakeWorker extends EventTarget {
	static started: FakeWorker[] = [];
	readonly sent: MoleculeRequest[] = [];
	terminated = false;
	readonly url: URL;
	readonly options: WorkerOptions;
	constructor(url: URL, options: WorkerOptions) {
		super();
		this.url = url;
		this.options = options;
		FakeWorker.started.push(this);
	}
	postMessage(request: MoleculeRequest) {
		this.sent.push(request);
	}
	terminate() {
		this.terminated = true;
	}
	reply(reply: MoleculeReply) {
		this.dispatchEvent(new MessageEvent('message', { data: reply }));
	}
	/** What a browser dispatches when the worker's script fails. */
	die(message: string) {
		const event = Object.assign(new Event('error', { cancelable: true }), { message });
		this.dispatchEvent(event);
		return event;
	}
}

let molecules: MoleculeApi;

beforeEach(async () => {
	FakeWorker.started = [];
	vi.stubGlobal('Worker', FakeWorker);
	// A fresh module per test: its worker is module state, as it is per page.
	vi.resetModules();
	({ molecules } = await import('#lib/rdkit/worker-client.ts'));
});

afterEach(() => {
	vi.unstubAllGlobals();
});

describe('RDKit worker client', () => {
	it('starts one module worker on the first call and shares it', async () => {
		expect(FakeWorker.started).toHaveLength(0);
		void molecules.problems(['CCO']);
		void molecules.depict('CCO', { width: 100, height: 80 });
		expect(FakeWorker.started).toHaveLength(1);
		const [worker] = FakeWorker.started;
		expect(worker.url.pathname).toMatch(/\/src\/lib\/rdkit\/rdkit\.worker\.ts$/);
		expect(worker.options.type).toBe('module');
		expect(worker.sent).toEqual([
			{ id: 1, op: 'problems', args: [['CCO']] },
			{ id: 2, op: 'depict', args: ['CCO', { width: 100, height: 80 }] }
		]);
	});

	it('matches replies to calls by id, in whatever order they come', async () => {
		const problems = molecules.problems(['C1CC', 'CCO']);
		const drawing = molecules.depict('CCO', { width: 100, height: 80 });
		const [worker] = FakeWorker.started;
		worker.reply({ id: 2, ok: true, value: '<svg/>' });
		worker.reply({ id: 99, ok: true, value: 'a reply nobody waits for' });
		worker.reply({ id: 1, ok: true, value: ['unclosed ring', null] });
		await expect(drawing).resolves.toBe('<svg/>');
		await expect(problems).resolves.toEqual(['unclosed ring', null]);
	});

	it('rejects only the call RDKit failed, with its message', async () => {
		const failed = molecules.depict('C', { width: 1, height: 1 });
		const fine = molecules.problems(['C']);
		const [worker] = FakeWorker.started;
		worker.reply({ id: 1, ok: false, message: 'RDKit failed: 42' });
		worker.reply({ id: 2, ok: true, value: [null] });
		await expect(failed).rejects.toThrow('RDKit failed: 42');
		await expect(fine).resolves.toEqual([null]);
		expect(worker.terminated).toBe(false);
	});

	it('fails every waiting call when the worker dies, and starts a new one on the next call', async () => {
		const first = molecules.problems(['C']);
		const second = molecules.depict('C', { width: 1, height: 1 });
		const [dead] = FakeWorker.started;
		const event = dead.die('Uncaught SyntaxError');
		await expect(first).rejects.toThrow(/RDKit's worker failed: Uncaught SyntaxError/);
		await expect(second).rejects.toThrow(/RDKit's worker failed/);
		expect(event.defaultPrevented).toBe(true);
		expect(dead.terminated).toBe(true);

		const again = molecules.problems(['CCO']);
		expect(FakeWorker.started).toHaveLength(2);
		const [, replacement] = FakeWorker.started;
		expect(replacement.sent).toEqual([{ id: 3, op: 'problems', args: [['CCO']] }]);
		replacement.reply({ id: 3, ok: true, value: [null] });
		await expect(again).resolves.toEqual([null]);
		// A late event from the dead worker changes nothing: calls go on to the replacement.
		dead.die('late');
		void molecules.problems(['CC']);
		expect(FakeWorker.started).toHaveLength(2);
		expect(replacement.sent.map((r) => r.id)).toEqual([3, 4]);
		expect(replacement.terminated).toBe(false);
	});
});
