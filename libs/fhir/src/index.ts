export * from './write/index.ts';
export * from './read/index.ts';
export * from './auth/index.ts';
export * from './client/index.ts';
