// Placeholder: replaced by the GoTrue-compatible auth service.
import type { StackContext, StackService } from '../context.ts';
import { sendJson } from '../http.ts';

export function createAuthService(_ctx: StackContext): StackService {
	return {
		prefix: '/auth/v1',
		async handle({ res }) {
			sendJson(res, 501, { code: 'not_implemented', message: 'auth is not implemented yet' });
		},
		async close() {}
	};
}
