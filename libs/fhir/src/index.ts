export * from './write/index.ts';
