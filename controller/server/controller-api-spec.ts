import { packagePath } from '../config/package-root.ts';
import { readOpenApiOperations, type ApiOperation } from './openapi-operations.ts';

/** The controller's API document, in the source tree and in the published package alike. */
export const CONTROLLER_API_SPEC_PATH = packagePath('specs', 'controller-api.yaml');

let cached: Map<string, ApiOperation> | undefined;

/** Every operation of specs/controller-api.yaml, by operationId. */
export function controllerApiOperations(): Map<string, ApiOperation> {
  cached ??= readOpenApiOperations(CONTROLLER_API_SPEC_PATH, 'controller API');
  return cached;
}

/** One operation of the document; a name it does not have is a bug of the server, so this throws. */
export function controllerApiOperation(operationId: string): ApiOperation {
  const found = controllerApiOperations().get(operationId);
  if (!found) throw new Error(`the controller API has no operation ${operationId}`);
  return found;
}
