// The editor-independent core: what the extension host and the CLI may use.
export * from './log';
export * from './metrics';
export * from './runtime/errors';
export * from './runtime/timeline';
export * from './runtime/types';
export * from './runtime/streamChat';
export * from './runtime/chat';
export * from './runtime/messages';
export * from './runtime/endpoint';
export * from './runtime/discovery';
export * from './runtime/runtimeClient';
export * from './runtime/connection';
export * from './rag/index';
export * from './rag/ask';
export * from './rag/embeddings';
