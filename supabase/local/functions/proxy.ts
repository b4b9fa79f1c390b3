// Relays one request to a function's listener and its response back, both
// streamed: a large upload or a long server-sent stream is never buffered.
import http, { type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import { sendRelayError } from './relay-errors.ts';

const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'te', 'trailer', 'upgrade']);

function endToEnd(headers: IncomingHttpHeaders): Record<string, string | string[]> {
	const result: Record<string, string | string[]> = {};
	for (const [name, value] of Object.entries(headers)) {
		if (value !== undefined && !HOP_BY_HOP.has(name)) result[name] = value;
	}
	return result;
}

export interface RelayOptions {
	req: IncomingMessage;
	res: ServerResponse;
	port: number;
	/** Path and query the function sees, e.g. "/health?verbose=1". */
	path: string;
	/** Replaces the caller's Authorization header when set (the gateway's key mapping). */
	authorization: string | null;
	agent: http.Agent;
	timeoutMs: number;
	/** Called once when the exchange runs past timeoutMs, before the caller is answered. */
	onTimeout(): void;
	/** Describes a timeout to the caller. */
	timeoutMessage: string;
	/** Awaited after the function drops the connection and before the caller hears of it. */
	onUpstreamError(): Promise<void>;
}

/** Resolves when the exchange is over: answered, failed or abandoned by the caller. */
export function relay(options: RelayOptions): Promise<void> {
	const { req, res } = options;
	return new Promise<void>((resolve) => {
		const headers = endToEnd(req.headers);
		if (options.authorization) headers.authorization = options.authorization;
		const upstream = http.request({ host: '127.0.0.1', port: options.port, method: req.method, path: options.path, headers, agent: options.agent });
		let over = false;
		const finish = () => {
			if (over) return;
			over = true;
			clearTimeout(timer);
			resolve();
		};
		const timer = setTimeout(() => {
			if (over) return;
			options.onTimeout();
			upstream.destroy();
			if (res.headersSent) res.destroy();
			else sendRelayError(res, 504, 'IDLE_TIMEOUT', options.timeoutMessage);
			finish();
		}, options.timeoutMs);

		upstream.on('response', (answer) => {
			res.writeHead(answer.statusCode ?? 502, answer.statusMessage, endToEnd(answer.headers));
			// Send the status line now: a streamed body may be slow to start.
			res.flushHeaders();
			answer.pipe(res);
			answer.on('error', () => res.destroy());
			res.on('finish', finish);
		});
		upstream.on('error', async (error) => {
			if (over) return;
			clearTimeout(timer);
			await options.onUpstreamError();
			if (over) return;
			if (res.headersSent) res.destroy();
			else sendRelayError(res, 502, 'WORKER_ERROR', `The function closed the connection: ${error.message}`);
			finish();
		});
		// The caller went away before the answer was complete: stop the upstream request too.
		res.on('close', () => {
			if (!res.writableFinished) upstream.destroy();
			finish();
		});
		req.pipe(upstream);
	});
}
