// Deployment settings for the guest page. Locally Django serves this file (minified, as every script); a static
// host (S3) gets a generated copy whose apiBase points at the upload API's URL and siteBase at the
// dashboard's (which answers My uploads and serves the album).
window.PHOTOSHARE_CONFIG = {
  apiBase: "/api",
  siteBase: "",
  maxEdge: 2560,
  jpegQuality: 0.85,
  storagePrefix: "photoshare_",
  // A request that moves no byte for this long is aborted and tried again (?stall=<seconds> overrides).
  stallSeconds: 20,
};
