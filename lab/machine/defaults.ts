// What a library caller may leave out: the engine (the local one, or DOCKER_HOST) and the
// lab's images (built when missing, a no-op when warm). The CLI and the tests pass their
// own; a user's `await up({ topology })` gets these. Made once per process.
import { configFromEnv } from "../config.js";
import { connectEngine } from "../docker/engine.js";
import { Plumbing } from "../docker/plumbing.js";
import { ensureConfiguredImages, type ImageSet } from "../images/build.js";

let engine: Promise<Plumbing> | undefined;
let built: Promise<ImageSet> | undefined;

export async function withDefaults(o: { plumbing?: Plumbing | undefined; images?: ImageSet | undefined }): Promise<{ plumbing: Plumbing; images: ImageSet }> {
  const config = configFromEnv();
  const plumbing = o.plumbing ?? (await (engine ??= connectEngine({ host: config.dockerHost }).then((d) => new Plumbing(d))));
  const images = o.images ?? (await (built ??= ensureConfiguredImages(plumbing.docker, config).then((r) => r.images)));
  return { plumbing, images };
}
