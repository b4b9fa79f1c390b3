// Runs inside Deno as the main module of one function's process, before the
// function's index.ts. On Supabase the edge runtime owns the listener and the
// function's `Deno.serve(handler)` only registers the handler; here Deno.serve
// is wrapped so the handler listens on a free loopback port, which this
// script then reports to the stack on stdout. A function that instead
// `export default { fetch }` is served the same way.
//
// It is typed against the few Deno APIs it uses (not Deno's own types) so
// that the project's Node type check covers it as well.
export {};

type Handler = (request: Request, info: unknown) => Response | Promise<Response>;
interface ServeOptions {
	handler?: Handler;
	port?: number;
	hostname?: string;
	path?: string;
	onListen?: (address: { port: number }) => void;
	[option: string]: unknown;
}
interface DenoApi {
	serve(options: ServeOptions | Handler, handler?: Handler): unknown;
	env: { get(name: string): string | undefined; delete(name: string): void };
	stdin: { readable: ReadableStream<Uint8Array> };
	exit(code?: number): never;
}

const deno: DenoApi = (globalThis as unknown as { Deno: DenoApi }).Deno;
const entry = deno.env.get('FOLDWORK_FUNCTION_ENTRY');
const readyToken = deno.env.get('FOLDWORK_READY_TOKEN');
deno.env.delete('FOLDWORK_FUNCTION_ENTRY');
deno.env.delete('FOLDWORK_READY_TOKEN');
if (!entry || !readyToken) {
	console.error('bootstrap.ts is started by the local stack, which sets FOLDWORK_FUNCTION_ENTRY and FOLDWORK_READY_TOKEN');
	deno.exit(2);
}

// The stack holds our stdin open; when it goes away (even killed), so do we.
void (async () => {
	try {
		for await (const _chunk of deno.stdin.readable) {
			// The stack never writes; this only waits for end of input.
		}
	} finally {
		deno.exit(0);
	}
})();

// Supabase's runtime global for background work after the response.
const globals = globalThis as unknown as { EdgeRuntime?: { waitUntil<T>(promise: Promise<T>): Promise<T> } };
globals.EdgeRuntime ??= {
	waitUntil<T>(promise: Promise<T>): Promise<T> {
		promise.catch((error: unknown) => console.error('EdgeRuntime.waitUntil task failed:', error));
		return promise;
	}
};

const realServe = deno.serve.bind(deno);
let serving = false;
deno.serve = (first: ServeOptions | Handler, second?: Handler) => {
	const options: ServeOptions = typeof first === 'function' ? {} : first;
	const handler = typeof first === 'function' ? first : (second ?? options.handler);
	if (!handler) throw new TypeError('Deno.serve: no handler given');
	if (serving) throw new Error('Deno.serve was called twice; a Supabase function serves one handler');
	serving = true;
	// The address options are Supabase's to choose, not the function's.
	const { port: _port, hostname: _hostname, path: _path, onListen: _onListen, handler: _handler, ...rest } = options;
	return realServe(
		{ ...rest, hostname: '127.0.0.1', port: 0, onListen: ({ port }) => console.log(`${readyToken} ${port}`) },
		handler
	);
};

const functionModule = (await import(entry)) as { default?: { fetch?: Handler } };
if (!serving) {
	const fetchHandler = functionModule.default?.fetch;
	if (typeof fetchHandler !== 'function') {
		console.error('index.ts neither calls Deno.serve(handler) nor has `export default { fetch(request) { ... } }`');
		deno.exit(1);
	}
	deno.serve((request, info) => fetchHandler.call(functionModule.default, request, info));
}
