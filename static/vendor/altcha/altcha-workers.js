// Not part of the npm package (ours, see ../README.md). The "external" build of the widget ships
// without proof-of-work workers; register the vendored SHA worker, loaded from our own static
// path, so no blob:/data: worker and no inline style is needed and a strict CSP stays possible.
// The worker URL comes from the data-altcha-sha-worker attribute of this script's tag (written
// with {% static %}, so it carries the manifest hash); it must run after altcha.min.js.
const tag = document.querySelector("script[data-altcha-sha-worker]");
const workerUrl = tag
  ? tag.dataset.altchaShaWorker
  : new URL("workers/sha.js", import.meta.url).href;

for (const algorithm of ["SHA-256", "SHA-384", "SHA-512"]) {
  globalThis.$altcha.algorithms.set(algorithm, () => new Worker(workerUrl));
}
