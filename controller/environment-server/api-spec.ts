/**
 * The Environment API document (specs/environment-api.yaml), read once, and the fastify route
 * schemas taken from it: the server declares no schema of its own, so it cannot drift from the
 * document it publishes.
 */
import { packagePath } from '../config/package-root.ts';
import { readOpenApiOperations, type ApiOperation } from '../server/openapi-operations.ts';

export type { ApiOperation, RouteSchema } from '../server/openapi-operations.ts';

/** Where the document is, in the source tree and in the published package alike. */
export const API_SPEC_PATH = packagePath('specs', 'environment-api.yaml');

let cached: Map<string, ApiOperation> | undefined;

/** Every operation of the document, by operationId. */
export function apiOperations(): Map<string, ApiOperation> {
  cached ??= readOpenApiOperations(API_SPEC_PATH, 'Environment API');
  return cached;
}

/** One operation of the document; a name it does not have is a bug of the server, so this throws. */
export function apiOperation(operationId: string): ApiOperation {
  const found = apiOperations().get(operationId);
  if (!found) throw new Error(`the Environment API has no operation ${operationId}`);
  return found;
}
