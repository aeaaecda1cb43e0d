// Paths that share a surface's prefix but belong to other Domo features (spec: product-api.md,
// "What real clients send"): `…/data-files/large` (large-file uploads) and
// `…/data-files/file-upload/config` must not be read as a file id. They answer 404 in Domo's shape,
// naming what is not served here and what to use instead (docs/decisions.md 79).
import { DomainError } from '../../core/errors.js';
import type { RegisterRoute } from '../routeContext.js';

const OTHER_FEATURES: Array<{ path: string; what: string }> = [
  { path: '/large', what: "Domo's large-file upload API (use the multipart upload API at /multipart instead)" },
  { path: '/file-upload', what: "Domo's file-upload configuration API" },
];

export const otherFeatures: RegisterRoute = (app, { surface }) => {
  for (const { path, what } of OTHER_FEATURES) {
    const refuse = async (): Promise<never> => {
      throw new DomainError('NOT_FOUND', `${surface.prefix}${path} is ${what}, which datafiles does not implement.`);
    };
    app.all(path, { schema: { hide: true } }, refuse);
    app.all(`${path}/*`, { schema: { hide: true } }, refuse);
  }
};
