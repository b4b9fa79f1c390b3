// Categorical colours for chains and series: distinguishable in light and
// dark mode (Okabe-Ito, colour-blind safe), repeated past eight.
export const SERIES_COLORS = ['#0072b2', '#e69f00', '#009e73', '#cc79a7', '#56b4e9', '#d55e00', '#f0e442', '#7f7f7f'] as const;

export function seriesColor(index: number): string {
	return SERIES_COLORS[((index % SERIES_COLORS.length) + SERIES_COLORS.length) % SERIES_COLORS.length];
}
