// The PostgREST-compatible REST service of the local stack (/rest/v1): a
// pool of `authenticator` connections, the schema cache kept current by
// LISTEN pgrst, and the request handler (handler.ts).
import type { StackContext, StackService } from '../context.ts';
import { createRequestPool } from './execute.ts';
import { handleRest, type RestContext } from './handler.ts';
import { createRoleResolver } from './jwt-role.ts';
import { startSchemaWatch } from './schema-watch.ts';

/** Connections per stack, like PostgREST's default db-pool. */
const POOL_SIZE = 10;

export async function createRestService(ctx: StackContext): Promise<StackService> {
	const { config } = ctx;
	const pool = createRequestPool(ctx.authenticatorUrl, POOL_SIZE, (message) => ctx.log('rest', `pool: ${message}`));
	let schemaWatch;
	try {
		schemaWatch = await startSchemaWatch({
			connectionString: ctx.authenticatorUrl,
			pool,
			schemas: config.api.schemas,
			log: (message) => ctx.log('rest', message)
		});
	} catch (error) {
		await pool.end().catch(() => {});
		throw error;
	}
	const rest: RestContext = {
		schemas: config.api.schemas,
		extraSearchPath: config.api.extraSearchPath,
		maxRows: config.api.maxRows,
		pool,
		schemaWatch,
		resolveRole: createRoleResolver(config.jwtSecret)
	};
	return {
		prefix: '/rest/v1',
		handle: (request) => handleRest(rest, request),
		async close() {
			await schemaWatch.close();
			await pool.end();
		}
	};
}
