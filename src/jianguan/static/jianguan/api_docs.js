// Starts Swagger UI on /api/docs (jianguan.api.LocalSwagger). The settings come from the
// page's JSON block, so no inline script is needed (the site's CSP forbids them).
(function () {
  "use strict";
  const config = JSON.parse(document.getElementById("swagger-settings").textContent);
  config.dom_id = "#swagger-ui";
  config.presets = [SwaggerUIBundle.presets.apis];
  window.ui = SwaggerUIBundle(config);
})();
