import { fileURLToPath } from 'node:url';

/**
 * The folder of the built teaching page that ships in the package (`dist/web`): give it as
 * `staticDir` to serve the page beside the signaling endpoint.
 *
 * @example
 * ```ts
 * const signaling = await createSignalingServer({ staticDir: TEACHING_PAGE_DIR });
 * ```
 */
export const TEACHING_PAGE_DIR: string = fileURLToPath(new URL('./web/', import.meta.url));
