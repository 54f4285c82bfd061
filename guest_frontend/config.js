// Deployment settings for the guest page. Locally Django serves this file as is; a static
// host (S3) gets a generated copy whose apiBase points at the upload API's URL.
window.PHOTOSHARE_CONFIG = {
  apiBase: "/api",
  maxEdge: 2560,
  jpegQuality: 0.85,
  storagePrefix: "photoshare_",
  // A request that moves no byte for this long is aborted and tried again (?stall=<seconds> overrides).
  stallSeconds: 20,
};
