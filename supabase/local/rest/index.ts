// Placeholder: replaced by the PostgREST-compatible REST service.
import type { StackContext, StackService } from '../context.ts';
import { sendJson } from '../http.ts';

export async function createRestService(_ctx: StackContext): Promise<StackService> {
	return {
		prefix: '/rest/v1',
		async handle({ res }) {
			sendJson(res, 501, { code: 'PGRST000', message: 'rest is not implemented yet' });
		},
		async close() {}
	};
}
