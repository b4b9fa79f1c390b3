// The one place unexpected errors (and short confirmations) are shown: a
// toast stack rendered once by the root layout.
export type ToastKind = 'info' | 'success' | 'error';

export interface Toast {
	id: number;
	kind: ToastKind;
	message: string;
}

class Toasts {
	items = $state<Toast[]>([]);
	#next = 1;

	show(message: string, kind: ToastKind = 'info', ms = kind === 'error' ? 8000 : 4000): void {
		const id = this.#next++;
		this.items.push({ id, kind, message });
		setTimeout(() => this.dismiss(id), ms);
	}

	dismiss(id: number): void {
		this.items = this.items.filter((t) => t.id !== id);
	}
}

export const toasts = new Toasts();

/** What a person can read from anything thrown: supabase errors, Error, or strings. */
export function errorMessage(error: unknown): string {
	if (typeof error === 'string') return error;
	if (error && typeof error === 'object') {
		const e = error as { message?: unknown; details?: unknown; hint?: unknown };
		if (typeof e.message === 'string' && e.message) {
			return typeof e.hint === 'string' && e.hint ? `${e.message} (${e.hint})` : e.message;
		}
	}
	return 'Something went wrong. Please try again.';
}

/** The one handler for unexpected errors in the browser. */
export function reportError(error: unknown, context?: string): void {
	const message = errorMessage(error);
	console.error(context ?? 'error', error);
	toasts.show(context ? `${context}: ${message}` : message, 'error');
}
