import { parseTheme, THEME_COOKIE } from '#lib/ui/theme.ts';
import type { LayoutServerLoad } from './$types';

export const load: LayoutServerLoad = async ({ locals, cookies }) => {
	const user = await locals.getSessionUser();
	return { user: user ? { id: user.id, email: user.email ?? '' } : null, theme: parseTheme(cookies.get(THEME_COOKIE)) };
};
