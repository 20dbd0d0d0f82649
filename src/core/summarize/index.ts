export * from './escalationPolicy';
export * from './pipeline';
export * from './sections';
export * from './stats';
