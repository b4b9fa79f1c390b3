// One line per event on stderr (stdout stays free for the "ready" line
// that supervisors and tests wait for), prefixed with the worker's identity.
export interface Logger {
	info(message: string): void;
	warn(message: string): void;
	error(message: string, error?: unknown): void;
}

export function describeError(error: unknown): string {
	if (error instanceof Error) {
		const code = (error as { code?: unknown }).code;
		return `${error.message}${typeof code === 'string' ? ` (${code})` : ''}`;
	}
	return String(error);
}

export function createLogger(prefix: string): Logger {
	const line = (level: string, message: string) => process.stderr.write(`${new Date().toISOString()} ${level} [${prefix}] ${message}\n`);
	return {
		info: (message) => line('info', message),
		warn: (message) => line('warn', message),
		error: (message, error) =>
			line('error', error === undefined ? message : `${message}: ${error instanceof Error && error.stack ? error.stack : describeError(error)}`)
	};
}
