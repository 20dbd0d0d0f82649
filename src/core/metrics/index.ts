export * from './requestMetrics';
export * from './stats';
