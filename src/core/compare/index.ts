export * from './aggregate';
export * from './cost';
export * from './exporters';
export * from './judge';
export * from './promptSets';
export * from './runner';
export * from './types';
export * from './verdict';
