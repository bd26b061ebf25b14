export * from './config.js';
export * from './catalog.js';
export * from './engine.js';
