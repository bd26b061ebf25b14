export { DockerApiService, type DockerApiOptions } from './service.js';
export { DEFAULT_URI, socketPathOf } from './uri.js';
export { MAX_API_VERSION, MIN_API_VERSION } from './version.js';
export { ApiError, toApiError } from './http/api-error.js';
export { frameHeader, STDIN, STDOUT, STDERR } from './stream/mux.js';
export { containerInspect, containerSummary, dockerState } from './model/container-json.js';
export { toCreateOptions } from './model/create-options.js';
export { parseFilters } from './model/filters.js';
