// How the team forms submit: busy while waiting, unexpected errors through
// the one handler (a toast), everything else as SvelteKit would (show the
// action's answer, follow redirects, reload the page's data).
import type { SubmitFunction } from '$app/forms';
import { reportError } from '#lib/ui/toasts.svelte.ts';

export function teamSubmit(setBusy: (busy: boolean) => void, after?: () => void): SubmitFunction {
	return () => {
		setBusy(true);
		return async ({ result, update }) => {
			setBusy(false);
			if (result.type === 'error') {
				reportError(result.error, 'Team');
				return;
			}
			await update({ reset: result.type === 'success' });
			after?.();
		};
	};
}
