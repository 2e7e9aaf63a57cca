export { scrubPhi, PHI_KINDS, PHI_PLACEHOLDER, type PhiKind, type ScrubOptions, type ScrubResult } from './phi-scrub.ts';
