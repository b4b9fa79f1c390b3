// Watch mode for `npm start`: a saved file restarts the function it belongs
// to; a change to shared code (_shared/, a deno.json or the .env secrets at
// the top of the functions folder) restarts every function.
import { watch, type FSWatcher } from 'node:fs';

/** Called with a function's name, or null when every function is affected. */
export type ChangeListener = (name: string | null, file: string) => void;

const SETTLE_MS = 100;

export function watchFunctions(functionsDir: string, onChange: ChangeListener, log: (message: string) => void): { close(): void } {
	const pending = new Map<string, NodeJS.Timeout>();
	let watcher: FSWatcher;
	try {
		watcher = watch(functionsDir, { recursive: true }, (_event, filename) => {
			if (!filename) return;
			const file = filename.toString();
			const [first, ...rest] = file.split(/[\\/]/);
			const name = rest.length > 0 && !first.startsWith('_') && !first.startsWith('.') ? first : null;
			// Editors save in bursts (temp file, rename, chmod): act once per burst.
			const key = name ?? '*';
			clearTimeout(pending.get(key));
			pending.set(
				key,
				setTimeout(() => {
					pending.delete(key);
					onChange(name, file);
				}, SETTLE_MS)
			);
		});
	} catch (error) {
		log(`not watching ${functionsDir}: ${error instanceof Error ? error.message : String(error)}`);
		return { close() {} };
	}
	watcher.on('error', (error) => log(`watching ${functionsDir} failed: ${error.message}`));
	return {
		close() {
			for (const timer of pending.values()) clearTimeout(timer);
			pending.clear();
			watcher.close();
		}
	};
}
