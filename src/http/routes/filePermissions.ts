// spec: "Get file permissions" and "Update file permissions":
// GET|PUT /domo/data-files/v1/{dataFileId}/permissions (docs/decisions.md 16–19).
import { parsePermissionsUpdate } from '../../core/permissions/parsePermissions.js';
import { parseId } from '../queryValues.js';
import { callerOf, type RegisterRoute } from '../routeContext.js';
import { emptyOkResponses, errorResponses, FileIdParams, okBody, PermissionsBody, PermissionsUpdateBody } from '../schemas.js';
import { permissionsToWire } from '../wire.js';

export const filePermissions: RegisterRoute = (app, { services }) => {
  app.get(
    '/:dataFileId/permissions',
    { schema: { summary: 'Get file permissions', params: FileIdParams, response: { 200: PermissionsBody, ...errorResponses } } },
    async (request) => {
      const permissions = await services.permissions.getPermissions({
        caller: callerOf(request),
        fileId: parseId(request.params.dataFileId, 'dataFileId'),
      });
      return permissionsToWire(permissions);
    },
  );

  app.put(
    '/:dataFileId/permissions',
    // The body is checked by parsePermissionsUpdate, whose messages name the exact entry at fault.
    { schema: { summary: 'Update file permissions', params: FileIdParams, body: PermissionsUpdateBody, response: emptyOkResponses } },
    async (request, reply) => {
      await services.permissions.updatePermissions({
        caller: callerOf(request),
        fileId: parseId(request.params.dataFileId, 'dataFileId'),
        update: parsePermissionsUpdate(request.body),
      });
      return reply.code(200).send(okBody());
    },
  );
};
