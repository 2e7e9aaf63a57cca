export * from './write/index.ts';
export * from './read/index.ts';
