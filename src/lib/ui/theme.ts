// The colour theme a person chose: light, dark, or the system's (the default).
// Kept in a cookie (a preference, not a secret) so the server renders the page
// in it at once, without a flash of the other theme.
export const THEME_COOKIE = 'foldwork_theme';
export const THEMES = ['system', 'light', 'dark'] as const;
export type Theme = (typeof THEMES)[number];

export function parseTheme(value: string | undefined | null): Theme {
	return THEMES.includes(value as Theme) ? (value as Theme) : 'system';
}
