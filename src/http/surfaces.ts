// Domo documents the same files on two surfaces, and where their pages differ each surface follows
// its own (spec: product-api.md): the App Framework's `/domo/data-files/v1` (files-api.md) and the
// Product API's `/api/data/v1/data-files`. Every route is registered on both; the few places they
// differ read the surface's options here (docs/decisions.md 80).

export interface ApiSurface {
  name: 'app' | 'product';
  prefix: string;
  /** `public` when an upload leaves it out: false on the App surface, true on the Product surface. */
  publicByDefault: boolean;
  /** Uploads may send the file's bytes as the whole body, typed by Content-Type (Product P1, P2). */
  rawUploads: boolean;
}

export const APP_SURFACE: ApiSurface = { name: 'app', prefix: '/domo/data-files/v1', publicByDefault: false, rawUploads: false };
export const PRODUCT_SURFACE: ApiSurface = { name: 'product', prefix: '/api/data/v1/data-files', publicByDefault: true, rawUploads: true };

export const API_SURFACES: readonly ApiSurface[] = [APP_SURFACE, PRODUCT_SURFACE];
