/** Runs of whitespace as one space, trimmed: how reports and impressions are compared and shown. */
export const collapseWhitespace = (text: string): string => text.replace(/\s+/g, ' ').trim();
