import 'reflect-metadata';
export { worklistApp, WorklistModule } from './worklist.module.ts';
export { WorklistServer } from './worklist-server.ts';
export { WorklistService, WORKLIST_LIMIT } from './worklist.service.ts';
export { hashPassword, verifyPassword, LocalUsers, type WorklistUser } from './auth/users.ts';
export { SessionTokens, SESSION_COOKIE } from './auth/sessions.ts';
export { opaqueId } from './opaque-id.ts';
export { buildWebAssets } from './web-assets.ts';
