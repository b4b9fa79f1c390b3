// Copies a link for the person to paste elsewhere; where the clipboard is
// refused (permission, an old browser) the link is shown to copy by hand.
import { toasts } from './toasts.svelte.ts';

export async function copyLink(url: string): Promise<void> {
	try {
		await navigator.clipboard.writeText(url);
		toasts.show('Link copied', 'success');
	} catch {
		toasts.show(`Copy this link: ${url}`, 'info', 15_000);
	}
}
