// Starts Swagger UI on /docs (a static file: no inline script, for a strict CSP).
"use strict";
window.addEventListener("DOMContentLoaded", function () {
  var node = document.getElementById("swagger-ui");
  window.ui = SwaggerUIBundle({
    url: node.dataset.openapiUrl,
    dom_id: "#swagger-ui",
    deepLinking: false, // true puts a link inside each operation's button (nested controls)
    layout: "BaseLayout",
    validatorUrl: null,
    presets: [SwaggerUIBundle.presets.apis],
    showExtensions: true,
    showCommonExtensions: true,
  });
});
